"""Speed of calcbook.taylor beside SymPy's own series, and what the Taylor visualiser ships.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/taylor.py``). Three parts:

1. Exact coefficients. For each function and expansion point below, ``taylor_coefficients``
   (Taylor-mode differentiation in exact arithmetic) and ``sympy.series(...).removeO()`` at
   the same order; the two polynomials must be identical, and the table gives both times.
   SymPy's series gets a time limit (``--series-limit``, seconds): past it the row says so.
2. ``remainder_bound``: the time of one bound and the ratio of the bound to the true error
   ``|f(x) - T_n(x)|`` (computed to 30 digits), which the Lagrange form makes at least 1.
3. The visualiser: time to build ``taylor_visualiser()`` (every function, orders 0–15, every
   expansion point) and the size of its JSON, which the Taylor series page carries.

Prints Markdown tables and writes JSON to ``benchmarks/results/taylor.json``. Exits with
status 1 if a polynomial differs from SymPy's or a bound is below the true error.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import platform
import sys
import time
from pathlib import Path

import sympy as sp

from calcbook.figures import taylor_visualiser
from calcbook.taylor import remainder_bound, taylor_coefficients, taylor_polynomial

REPO = Path(__file__).resolve().parents[1]
X = sp.Symbol("x")

#: (function, expansion point, order): the visualiser's functions and harder compositions.
CASES = [
    ("exp(x)", "0", 15),
    ("sin(x)", "pi/2", 15),
    ("log(1 + x)", "0", 15),
    ("sqrt(x)", "1", 15),
    ("1/(1 + x**2)", "1", 15),
    ("atan(x)", "0", 12),
    ("exp(sin(x))", "0", 10),
    ("exp(sin(x))", "1", 10),
    ("tan(x)", "0", 12),
    ("sqrt(1 + x**2)*exp(x)", "1", 8),
]
#: (function, expansion point, order, x) for remainder_bound.
BOUNDS = [
    ("exp(x)", 0, 3, 1.0),
    ("sqrt(x)", 4, 1, 4.1),
    ("sqrt(x)", 4, 3, 9.0),
    ("sin(x)", 0, 7, 1.5),
    ("log(1 + x)", 0, 10, 0.5),
    ("1/(1 - x)", 0, 5, 0.5),
    ("exp(sin(x))", 1, 8, 1.5),
]


def _series(expr: str, a: str, order: int, queue) -> None:
    start = time.perf_counter()
    poly = sp.series(sp.sympify(expr), X, sp.sympify(a), order + 1).removeO()
    queue.put((time.perf_counter() - start, sp.srepr(sp.expand(poly))))


def sympy_series(expr: str, a: str, order: int, limit: float) -> tuple[float | None, str | None]:
    """SymPy's series in a child process, so that a slow one can be stopped at `limit` s."""
    queue = multiprocessing.Queue()
    process = multiprocessing.Process(target=_series, args=(expr, a, order, queue))
    process.start()
    process.join(limit)
    if process.is_alive():
        process.terminate()
        process.join()
        return None, None
    return queue.get()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--series-limit", type=float, default=60.0)
    args = parser.parse_args()
    failures: list[str] = []
    results: dict = {"python": platform.python_version(), "sympy": sp.__version__}

    print("## Exact coefficients: calcbook.taylor beside sympy.series\n")
    print("| f | a | order | calcbook (s) | sympy.series (s) | identical |")
    print("|---|---|---|---|---|---|")
    rows = []
    for expr, a, order in CASES:
        start = time.perf_counter()
        taylor_coefficients(expr, "x", a, order)
        ours = time.perf_counter() - start
        poly = sp.expand(taylor_polynomial(expr, "x", a, order))
        theirs, reference = sympy_series(expr, a, order, args.series_limit)
        same = None if reference is None else sp.srepr(poly) == reference
        if same is False:
            failures.append(f"{expr} about {a}, order {order}: differs from sympy.series")
        shown = f"> {args.series_limit:.0f}" if theirs is None else f"{theirs:.3f}"
        print(f"| `{expr}` | {a} | {order} | {ours:.3f} | {shown} | {same} |")
        rows.append(dict(f=expr, a=a, order=order, calcbook=ours, sympy=theirs, identical=same))
    results["coefficients"] = rows

    print("\n## remainder_bound: time and bound / true error\n")
    print("| f | a | n | x | bound | true error | ratio | time (s) |")
    print("|---|---|---|---|---|---|---|---|")
    rows = []
    for expr, a, order, x in BOUNDS:
        start = time.perf_counter()
        bound = remainder_bound(expr, "x", a, order, x=x)
        seconds = time.perf_counter() - start
        f = sp.sympify(expr)
        poly = taylor_polynomial(expr, "x", a, order)
        true = abs(sp.N((f - poly).subs(X, sp.Rational(str(x))), 30))
        ratio = float(bound / true) if true else float("inf")
        if bound < float(true) * (1 - 1e-12):
            failures.append(f"remainder_bound({expr}, a={a}, n={order}, x={x}) < true error")
        print(
            f"| `{expr}` | {a} | {order} | {x} | {bound:.3e} | {float(true):.3e} "
            f"| {ratio:.2f} | {seconds:.3f} |"
        )
        rows.append(dict(f=expr, a=a, order=order, x=x, bound=bound, true=float(true), s=seconds))
    results["bounds"] = rows

    start = time.perf_counter()
    figure = taylor_visualiser()
    seconds = time.perf_counter() - start
    size = len(figure.to_json().encode())
    print(f"\n## Taylor visualiser\n\nbuilt in {seconds:.2f} s; its JSON is {size / 1024:.0f} KB")
    results["visualiser"] = {"seconds": seconds, "json_bytes": size}

    out = REPO / "benchmarks" / "results" / "taylor.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    for failure in failures:
        print(f"✗ {failure}")
    print(f"\nwritten to {out.relative_to(REPO)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
