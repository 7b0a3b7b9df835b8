"""Accuracy and cost of calcbook.derivatives beside SciPy and numdifftools, on one suite.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/derivatives.py``). For every smooth
function of the suite at several points, each method computes f'(x) once per point; the error is
measured against SymPy's exact derivative evaluated to 30 digits. The table gives, per method,
the median and worst relative error, how many results were not finite, the evaluations of f per
derivative and the time per derivative. ``scipy.differentiate.derivative`` (SciPy >= 1.15) and
``numdifftools.Derivative`` run with their defaults; SciPy runs a second time with a first step
scaled like calcbook's, ``0.1 * max(1, |x|)``, since its default 0.5 reaches past the domain of
log at x = 0.5.

Prints a Markdown table and PASS/FAIL against the targets of issue 3, and writes the results as
JSON to ``benchmarks/results/derivatives.json``. Exits with status 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numdifftools
import numpy as np
import scipy
import sympy as sp
from scipy import differentiate

from calcbook.derivatives import METHODS, derivative

REPO = Path(__file__).resolve().parents[1]
X = sp.Symbol("x")

sys.path.insert(0, str(REPO / "tests"))
from suites import SUITE  # noqa: E402  (shared with tests/test_derivatives.py)

#: Worst relative error allowed on the suite (issue 3).
TARGETS = {"central": 1e-9, "richardson": 1e-12, "complex": 1e-15}


class Counted:
    """Wrap `f` to count its evaluations (points, not calls: SciPy passes arrays)."""

    def __init__(self, f: Callable) -> None:
        self.f, self.evaluations = f, 0

    def __call__(self, x):
        self.evaluations += np.size(x)
        return self.f(x)


def calcbook_method(method: str) -> Callable[[Callable, float], float]:
    return lambda f, x: derivative(f, x, method=method)


def scipy_default(f: Callable, x: float) -> float:
    return float(differentiate.derivative(f, x).df)


def scipy_scaled(f: Callable, x: float) -> float:
    return float(differentiate.derivative(f, x, initial_step=0.1 * max(1.0, abs(x))).df)


def numdifftools_default(f: Callable, x: float) -> float:
    return float(numdifftools.Derivative(f)(x))


CONTENDERS: dict[str, Callable[[Callable, float], float]] = {
    **{f"calcbook `{m}`": calcbook_method(m) for m in METHODS},
    "`scipy.differentiate.derivative` (defaults)": scipy_default,
    "`scipy.differentiate.derivative` (initial_step = 0.1·max(1, abs(x)))": scipy_scaled,
    "`numdifftools.Derivative` (defaults)": numdifftools_default,
}


@dataclass
class Row:
    """One method's results on the whole suite."""

    name: str
    errors: list[float] = field(default_factory=list)
    evaluations: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    worst_case: str = ""

    @property
    def finite(self) -> np.ndarray:
        return np.array([e for e in self.errors if np.isfinite(e)])

    @property
    def failures(self) -> int:
        return len(self.errors) - len(self.finite)

    @property
    def median(self) -> float:
        return float(np.median(self.finite))

    @property
    def worst(self) -> float:
        return float(np.max(self.finite))


def cases() -> list[tuple[str, Callable, float, float]]:
    """(expression, NumPy function, x, exact f'(x)) for the whole suite."""
    out = []
    for expr, points in SUITE.items():
        parsed = sp.sympify(expr)
        f = sp.lambdify(X, parsed, "numpy")
        exact = sp.diff(parsed, X)
        for x in points:
            out.append((expr, f, x, float(exact.evalf(30, subs={X: sp.Float(x, 30)}))))
    return out


def run() -> list[Row]:
    rows = []
    suite = cases()
    for name, method in CONTENDERS.items():
        row = Row(name)
        worst = -1.0
        for expr, f, x, exact in suite:
            counted = Counted(f)
            start = time.perf_counter()
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")  # log of a negative step point, etc.
                value = method(counted, x)
            row.seconds.append(time.perf_counter() - start)
            row.evaluations.append(counted.evaluations)
            error = abs(value - exact) / abs(exact)
            row.errors.append(error if np.isfinite(error) else np.inf)
            if np.isfinite(error) and error > worst:
                worst, row.worst_case = error, f"{expr} at x = {x:g}"
        rows.append(row)
    return rows


def evaluations(row: Row) -> str:
    low, high = min(row.evaluations), max(row.evaluations)
    return f"{low}" if low == high else f"{np.mean(row.evaluations):.1f} ({low}–{high})"


def table(rows: list[Row]) -> str:
    lines = [
        "| method | median rel. error | worst rel. error (where) | non-finite | f evals "
        "| µs per derivative |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row.name} | {row.median:.1e} | {row.worst:.1e} ({row.worst_case}) "
            f"| {row.failures} | {evaluations(row)} | {1e6 * np.median(row.seconds):.0f} |"
        )
    return "\n".join(lines)


def verdicts(rows: list[Row]) -> list[tuple[str, bool]]:
    by_name = {row.name: row for row in rows}
    out = []
    for method, target in TARGETS.items():
        row = by_name[f"calcbook `{method}`"]
        ok = row.worst <= target and row.failures == 0
        out.append((f"calcbook `{method}`: worst {row.worst:.1e} ≤ {target:.0e}", ok))
    ours = by_name["calcbook `richardson`"]
    for name in [n for n in by_name if n.startswith("`scipy")]:
        scipy_row = by_name[name]
        fewer = np.mean(ours.evaluations) < np.mean(scipy_row.evaluations)
        accurate = ours.worst <= scipy_row.worst and ours.failures <= scipy_row.failures
        out.append(
            (
                f"calcbook `richardson` vs {name}: worst {ours.worst:.1e} vs {scipy_row.worst:.1e}"
                f" ({ours.failures} vs {scipy_row.failures} non-finite), evaluations "
                f"{np.mean(ours.evaluations):.1f} vs {np.mean(scipy_row.evaluations):.1f}",
                fewer and accurate,
            )
        )
    return out


def to_json(rows: list[Row], checks: list[tuple[str, bool]]) -> dict:
    data = {
        "environment": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "numdifftools": numdifftools.__version__,
        },
        "suite": SUITE,
        "targets": TARGETS,
        "methods": [],
        "checks": [{"check": text, "pass": ok} for text, ok in checks],
    }
    for row in rows:
        entry = asdict(row)
        entry["errors"] = [e if np.isfinite(e) else None for e in row.errors]
        entry.update(median=row.median, worst=row.worst, failures=row.failures)
        data["methods"].append(entry)
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--json",
        type=Path,
        default=REPO / "benchmarks" / "results" / "derivatives.json",
        help="where to write the results as JSON (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    rows = run()
    checks = verdicts(rows)
    count = sum(len(points) for points in SUITE.values())
    print(f"Derivatives of {len(SUITE)} functions at {count} points in total\n")
    print(table(rows))
    print()
    for text, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {text}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(to_json(rows, checks), indent=2) + "\n", encoding="utf-8")
    print(f"\nResults written to {args.json}", file=sys.stderr)
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
