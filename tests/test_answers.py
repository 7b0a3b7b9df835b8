"""calcbook.answers: the rule of the page's answer boxes, and its twin in book/_static/answers.js.

The Python rule (check_answer) is tested against SymPy's exact values; the page's script is run
in Node.js (with the vendored math.js) on the same answers and must give the same verdict, word
for word. The boxes themselves are driven in Chromium by tests/test_browser_answers.py.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from calcbook.answerbox import MATHJS
from calcbook.answers import (
    RTOL_FORMULA,
    RTOL_NUMBER,
    answer_spec,
    check_answer,
    derivative_spec,
    diagnose,
    format_g,
)
from calcbook.checks import check_derivative

STATIC = Path(__file__).resolve().parents[1] / "book" / "_static"

#: Runs answers.js on [spec, text] pairs read as JSON from stdin; prints the verdicts.
NODE_RUNNER = """
const math = require(process.argv[1]);
const answers = require(process.argv[2]);
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = {
  verdicts: input.cases.map(([spec, text]) => answers.check(spec, text, math)),
  formatted: input.numbers.map(([v, d]) => answers.formatG(v, d)),
};
process.stdout.write(JSON.stringify(out));
"""


def run_in_node(cases: list[tuple[dict, str]], numbers: list[tuple[float, int]] = ()) -> dict:
    """Run the page's checker (answers.js with the site's math.js) in Node.js."""
    node = shutil.which("node")
    assert node, "Node.js is needed (the build needs it too): apt-get install nodejs"
    done = subprocess.run(
        [node, "-e", NODE_RUNNER, str(STATIC / MATHJS), str(STATIC / "answers.js")],
        input=json.dumps({"cases": cases, "numbers": list(numbers)}),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


# ------------------------------------------------------------------------------- the specs


def exact(expr: str, names: list[str], point: list[float]) -> float:
    value = sympy.sympify(expr).subs(dict(zip(sympy.symbols(names), point, strict=True)))
    return float(sympy.N(value, 30))


@pytest.mark.parametrize(
    ("expected", "names"),
    [("2*x*cos(x**2)", ["x"]), ("exp(-x*y)*sin(y)", ["x", "y"]), ("1/(1 + x**2)", ["x"])],
)
def test_spec_holds_the_exact_values(expected: str, names: list[str]) -> None:
    spec = answer_spec(expected, " ".join(names))
    assert spec["vars"] == names and spec["shape"] == []
    assert len(spec["points"]) >= 15
    for point, (value,) in zip(spec["points"], spec["values"], strict=True):
        assert value == pytest.approx(exact(expected, names, point), rel=1e-13, abs=1e-300)


def test_spec_of_a_derivative_is_sympys_derivative() -> None:
    spec = derivative_spec("log(x)*x**2", interval=(0.25, 4))
    assert spec["about"] == "the derivative of x**2*log(x)"
    assert all(0.25 <= p[0] <= 4 for p in spec["points"])
    for point, (value,) in zip(spec["points"], spec["values"], strict=True):
        assert value == pytest.approx(exact("2*x*log(x) + x", ["x"], point), rel=1e-13)
    # Its additive terms, for the "missing term" hint: 2 x log x and x.
    assert len(spec["terms"][0]) == 2


def test_spec_of_a_matrix_and_of_a_number() -> None:
    spec = answer_spec("[[2*y, 2*x], [2*x, 0]]", "x y")
    assert spec["shape"] == [2, 2] and spec["rtol"] == RTOL_FORMULA
    x, y = spec["points"][0]
    assert spec["values"][0] == pytest.approx([2 * y, 2 * x, 2 * x, 0])
    number = answer_spec("sqrt(2)/2")
    assert number["vars"] == [] and number["points"] == [[]] and number["rtol"] == RTOL_NUMBER
    assert number["values"] == [[pytest.approx(2**0.5 / 2, rel=1e-15)]]


def test_undefined_points_are_null() -> None:
    spec = answer_spec("sqrt(x)")
    for (x,), (value,) in zip(spec["points"], spec["values"], strict=True):
        assert (value is None) == (x < 0)


@pytest.mark.parametrize(
    ("expected", "kwargs", "message"),
    [
        ("2*x +", {}, "could not be read"),
        ("[[1, 2], [3]]", {}, "same length"),
        ("x*y", {"vars": "x"}, "uses y"),
        ("sqrt(-1 - x**2)", {}, "defined at only 0"),
        ("x", {"interval": (1, 1)}, "low < high"),
    ],
)
def test_spec_rejects_bad_input(expected: str, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        answer_spec(expected, **kwargs)


# ------------------------------------------------------------------------------- the verdicts

DERIVATIVE = derivative_spec("x**3*exp(x)")
GRADIENT = answer_spec("[2*x*y, x**2]", "x y", about="the gradient of x**2*y")
HESSIAN = answer_spec("[[2, 1], [1, 2]]", about="the Hessian")
NUMBER = answer_spec("sqrt(2)/2", about="cos(pi/4)")
LOG = derivative_spec("log(x)", interval=(0.1, 3))

#: (spec, what the reader typed, the verdict's reason).
CASES = [
    (DERIVATIVE, "3x^2 e^x + x^3 e^x", "correct"),
    (DERIVATIVE, "x(3x + x^2)e^x", "correct"),
    (DERIVATIVE, "e^x(x^3 + 3x^2)", "correct"),
    (DERIVATIVE, "x**2*(x + 3)*exp(x)", "correct"),
    (DERIVATIVE, "3*x**2*exp(x)", "missing-term"),
    (DERIVATIVE, "-(3x^2 e^x + x^3 e^x)", "sign"),
    (DERIVATIVE, "2*(3x^2 e^x + x^3 e^x)", "factor"),
    (DERIVATIVE, "x^2", "differ"),
    (DERIVATIVE, "sqrt(x)", "differ"),
    (DERIVATIVE, "", "empty"),
    (DERIVATIVE, "   ", "empty"),
    (DERIVATIVE, "3x^2 +", "malformed"),
    (DERIVATIVE, "(x + 1", "malformed"),
    (DERIVATIVE, "x = 2", "malformed"),
    (DERIVATIVE, "y*x", "unknown-name"),
    (DERIVATIVE, "sinx", "unknown-name"),
    (DERIVATIVE, "foo(x)", "unknown-name"),
    (DERIVATIVE, "[1, 2]", "shape"),
    (DERIVATIVE, "sqrt(-1 - x^2)", "undefined"),
    (GRADIENT, "[2xy, x^2]", "correct"),
    (GRADIENT, "[[2 x y], [x x]]", "correct"),
    (GRADIENT, "[2y, x^2]", "differ"),
    (GRADIENT, "[2xy, 2x^2]", "differ"),
    (GRADIENT, "[-2xy, -x^2]", "sign"),
    (GRADIENT, "(2xy, x^2)", "correct"),
    (GRADIENT, "[2xy]", "shape"),
    (GRADIENT, "2xy", "shape"),
    (HESSIAN, "[[2, 1], [1, 2]]", "correct"),
    (HESSIAN, "[[2, 1], [1, 3]]", "differ"),
    (HESSIAN, "[[4, 2], [2, 4]]", "factor"),
    (HESSIAN, "[[2, 1], [1]]", "malformed"),
    (HESSIAN, "[2, 1, 1, 2]", "shape"),
    (NUMBER, "sqrt(2)/2", "correct"),
    (NUMBER, "1/sqrt(2)", "correct"),
    (NUMBER, "0.707107", "correct"),
    (NUMBER, "0.707107", "correct"),
    (NUMBER, "0.7071", "close"),
    (answer_spec("17/12"), "1.41667", "correct"),
    (answer_spec("[3/(2*e), 1/(2*e), 0]"), "[0.552, 0.184, 0]", "close"),
    (answer_spec("[3/(2*e), 1/(2*e), 0]"), "(3/(2e), 1/(2e), 0)", "correct"),
    (NUMBER, "-0.70710678", "sign"),
    (NUMBER, "0.5", "differ"),
    (NUMBER, "x", "unknown-name"),
    (LOG, "1/x", "correct"),
    (LOG, "x^(-1)", "correct"),
    (LOG, "2/x", "factor"),
    (LOG, "-1/x", "sign"),
    (LOG, "ln(x)", "differ"),
]


@pytest.mark.parametrize(("spec", "text", "reason"), CASES)
def test_verdicts(spec: dict, text: str, reason: str) -> None:
    verdict = check_answer(spec, text)
    assert verdict.reason == reason, verdict.message
    assert bool(verdict) == (reason == "correct")


def test_messages_say_what_is_wrong_without_the_answer() -> None:
    assert check_answer(DERIVATIVE, "x^2").message == (
        "Not quite. At x = 1, your answer gives 1 but the derivative of x**3*exp(x) is 10.8731."
    )
    assert check_answer(DERIVATIVE, "2*(3x^2 e^x + x^3 e^x)").message == (
        "Not quite. Your answer is 2 times the derivative of x**3*exp(x): check the constant "
        "factors."
    )
    assert check_answer(GRADIENT, "[2xy]").message == (
        "Your answer is a vector of 1 entry, but the gradient of x**2*y is a vector of 2 entries."
    )
    assert check_answer(HESSIAN, "[[2, 1], [1, 3]]").message == (
        "Not quite. Entry (2, 2) of your answer, 3, is not right."
    )
    assert check_answer(DERIVATIVE, "y*x").message == (
        "Your answer uses y, but the derivative of x**3*exp(x) uses only x."
    )
    # A number's hint does not give the number away.
    assert "0.707" not in check_answer(NUMBER, "0.5").message


def test_a_missing_term_in_one_entry_is_named() -> None:
    spec = answer_spec("[2*x + y, x]", "x y", about="the gradient")
    verdict = check_answer(spec, "[2x, x]")
    assert verdict.reason == "missing-term"
    assert "missing in entry 1" in verdict.message


def test_diagnose_needs_two_values_for_a_factor() -> None:
    assert diagnose([[4.0]], [[2.0]], [[]], 1e-9) is None  # one value: any number is c times it
    assert diagnose([[4.0], [0.0]], [[2.0], [0.0]], [[]], 1e-9) is None
    assert diagnose([[4.0], [6.0]], [[2.0], [3.0]], [[]], 1e-9) == ("factor", 2.0)


@settings(max_examples=40, deadline=None)
@given(
    coefficients=st.lists(st.integers(-9, 9).filter(bool), min_size=2, max_size=4),
    factor=st.sampled_from([2, 3, -2, 0.5]),
)
def test_slips_of_a_polynomial_derivative_are_told(coefficients: list[int], factor: float) -> None:
    """For p = Σ c_k x^(k+1): p' is right, -p' has the wrong sign, c·p' is off by c, and p'
    less its top term misses a term."""
    function = " + ".join(f"{c}*x**{k + 1}" for k, c in enumerate(coefficients))
    terms = [f"{c * (k + 1)}*x**{k}" for k, c in enumerate(coefficients)]
    spec = derivative_spec(function)
    right = " + ".join(terms)
    assert check_answer(spec, right).reason == "correct"
    assert check_answer(spec, f"-({right})").reason == "sign"
    assert check_answer(spec, f"{factor}*({right})").reason == (
        "sign" if factor == -1 else "factor"
    )
    assert check_answer(spec, " + ".join(terms[:-1])).reason == "missing-term"


def test_check_derivative_names_the_same_slips() -> None:
    """The Python check (calcbook.checks) says what the page says of a slip."""
    message = check_derivative("-(3*x**2*exp(x) + x**3*exp(x))", "x**3*exp(x)").message
    assert message.startswith(
        "Not quite. Your answer has the wrong sign: it is minus the derivative of x**3*exp(x)."
    )
    assert "less one of its terms" in check_derivative("3*x**2*exp(x)", "x**3*exp(x)").message
    assert "2 times" in check_derivative("4*x", "x**2").message
    # No slip claimed where there is none.
    assert check_derivative("2*x", "x**3").message == (
        "Not quite. At x = 1, your answer gives 2 but the derivative of x**3 is 3."
    )


# ------------------------------------------------------------------ the page's twin in Node.js

NUMBERS = [3.0, -0.5, 10.873127313836, 1234567.0, 1e-5, 0.0001, 123456.0, 1e21, -2.5e-7, 0.1]


@pytest.fixture(scope="module")
def in_node() -> dict:
    more = [
        (spec, text)
        for spec in (derivative_spec("sin(x**2)"), answer_spec("[[x, 1], [1, y]]", "x y"))
        for text in (
            "2x cos(x^2)",
            "x cos(x^2)",
            "-2*x*cos(x**2)",
            "[[x, 1], [1, y]]",
            "[[2x, 2], [2, 2y]]",
            "[[x, 1], [1, x]]",
            "cos(x^2)2x",
        )
    ]
    cases = [(spec, text) for spec, text, _ in CASES] + more
    return {"cases": cases, **run_in_node(cases, [(v, d) for v in NUMBERS for d in (4, 6)])}


def test_the_page_gives_the_same_verdicts(in_node: dict) -> None:
    for (spec, text), got in zip(in_node["cases"], in_node["verdicts"], strict=True):
        want = check_answer(spec, text)
        assert (got["correct"], got["reason"], got["message"]) == (
            want.correct,
            want.reason,
            want.message,
        ), text


def test_the_page_formats_numbers_as_python(in_node: dict) -> None:
    want = [format_g(v, d) for v in NUMBERS for d in (4, 6)]
    assert in_node["formatted"] == want
