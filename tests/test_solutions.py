"""Run the code in every exercise solution of the book: each check it makes must say "correct".

A solution ends with a ``python`` block that checks the answer with :mod:`calcbook.checks`
(or asserts it against calcbook). These blocks are not executed by the build (they are shown,
not run, so the reader can paste them into Binder), so a typo in an answer or a check that
disagrees with the solution's prose would otherwise go unnoticed.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT, toc_files

from calcbook.checks import CheckResult

# A solution directive: ````{solution} label ... ```` (four or more backticks or colons).
_SOLUTION = re.compile(
    r"^(?P<fence>`{4,}|:{4,})\{solution\}[ \t]+(?P<label>\S+)[^\n]*\n"
    r"(?P<body>.*?)^(?P=fence)[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
# A block of Python inside it.
_PYTHON = re.compile(
    r"^```(?:python|python3|ipython3)[ \t]*\n(?P<code>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL
)


@dataclass(frozen=True)
class Snippet:
    """The ``python`` blocks of one solution, in order."""

    page: str
    label: str
    blocks: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.page}:{self.label}"


def solution_snippets(root: Path = ROOT) -> list[Snippet]:
    """The ``python`` blocks of every ``{solution}`` with code, on the pages of the toc."""
    snippets = []
    for name in toc_files(root):
        path = root / f"{name}.md"
        for solution in _SOLUTION.finditer(path.read_text(encoding="utf-8")):
            blocks = tuple(block["code"] for block in _PYTHON.finditer(solution["body"]))
            if blocks:
                snippets.append(Snippet(name, solution["label"], blocks))
    return snippets


def run(code: str, namespace: dict[str, object] | None = None) -> list[object]:
    """Run `code` as a notebook cell would; return the values of its top-level expressions."""
    tree = ast.parse(code)
    namespace = {"__name__": "__solution__"} if namespace is None else namespace
    values = []
    for node in tree.body:
        if isinstance(node, ast.Expr):
            expression = ast.Expression(node.value)
            values.append(eval(compile(expression, "<solution>", "eval"), namespace))
        else:
            exec(compile(ast.Module([node], []), "<solution>", "exec"), namespace)
    return values


SNIPPETS = solution_snippets()


def test_solutions_have_code_to_run() -> None:
    # Part 1 alone has more than 20 solutions with a check; an empty list means the parser broke.
    assert len(SNIPPETS) >= 20
    assert len({(s.page, s.label) for s in SNIPPETS}) == len(SNIPPETS)


@pytest.mark.parametrize("snippet", SNIPPETS, ids=str)
def test_solution_code_runs_and_every_check_is_correct(snippet: Snippet) -> None:
    namespace: dict[str, object] = {"__name__": "__solution__"}
    values = [value for code in snippet.blocks for value in run(code, namespace)]
    checks = [v for v in values if isinstance(v, CheckResult)]
    for check in checks:
        assert check.correct, f"{snippet}: {check.message}"
    # A solution's code checks the answer or asserts it (it may also draw a figure).
    trees = [ast.parse(code) for code in snippet.blocks]
    asserts = any(isinstance(node, ast.Assert) for tree in trees for node in ast.walk(tree))
    assert checks or asserts, f"{snippet}: the solution's code neither calls a check nor asserts"


def test_a_wrong_answer_in_a_solution_is_caught() -> None:
    # The control case: the same machinery on a wrong check must fail.
    values = run('from calcbook.checks import check_derivative\ncheck_derivative("2*x", "x**3")')
    assert len(values) == 1
    assert isinstance(values[0], CheckResult)
    assert not values[0].correct


def test_parser_finds_nested_python_blocks() -> None:
    text = (
        "````{solution} ex-a\n:class: dropdown\n\nProse.\n\n```python\nx = 1\n```\n````\n\n"
        "```{exercise} not a solution\n```\n\n```python\nignored = True\n```\n"
    )
    found = [
        (m["label"], [b["code"] for b in _PYTHON.finditer(m["body"])])
        for m in _SOLUTION.finditer(text)
    ]
    assert found == [("ex-a", ["x = 1\n"])]
