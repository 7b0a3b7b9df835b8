"""Accuracy and cost of calcbook.multivariate beside SciPy and numdifftools, on one suite.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/multivariate.py``). Two parts:

1. Accuracy and evaluations. For every smooth function of ``MV_SUITE`` (2 to 5 variables) at
   each of its points, each method computes the gradient and the Hessian once; for every map
   of ``MV_JACOBIAN_SUITE``, the Jacobian. The error of one result is the largest error of an
   entry divided by the largest exact entry (a max-norm relative error), against SymPy's exact
   derivatives evaluated to 30 digits. The tables give the median and worst of it, how many
   results were not finite, and the mean number of points at which f was evaluated (a call of
   f on k points at once counts k). ``scipy.differentiate.jacobian``/``hessian`` (the gradient
   is the Jacobian of a scalar function) and ``numdifftools.Gradient``/``Jacobian``/``Hessian``
   run with their defaults; SciPy runs a second time with a first step scaled like calcbook's,
   ``0.1 * max(1, max_i |x_i|)``, since its default 0.5 reaches past the domain of log in the suite.
2. Time of one gradient of a cheap function (a Rosenbrock chain) in n = 10, 100, 1000
   dimensions, with f evaluated in batches where the caller allows it: calcbook with
   ``vectorized=True``, SciPy's own vectorisation; calcbook point by point and numdifftools
   for comparison.

Prints Markdown tables and ✓/✗ against the targets of issue 4 (gradient and Jacobian worst
relative error ≤ 1e-9, Hessian ≤ 1e-6 for the default central method; no more evaluations
than the theoretical count: 2n for a central gradient, 2n² + 1 for a central Hessian), and
writes the results as JSON to ``benchmarks/results/multivariate.json``. Exits with status 1 if
a target is missed.
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

from calcbook.multivariate import (
    METHODS,
    _parse,
    gradient,
    hessian,
    jacobian,
    symbolic_gradient,
    symbolic_hessian,
    symbolic_jacobian,
)

REPO = Path(__file__).resolve().parents[1]

sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "benchmarks"))
from derivatives import Row as DerivativeRow  # noqa: E402  (median, worst, failures)
from suites import MV_JACOBIAN_SUITE, MV_SUITE  # noqa: E402  (shared with the tests)

#: Worst relative error allowed for calcbook's default (central) method (issue 4).
TARGETS = {"gradient": 1e-9, "jacobian": 1e-9, "hessian": 1e-6}
#: Evaluations of f for the central method in n variables.
THEORY = {
    "gradient": lambda n: 2 * n,
    "jacobian": lambda n: 2 * n,
    "hessian": lambda n: 2 * n**2 + 1,
}
DIMENSIONS = (10, 100, 1000)
#: Stop repeating a timing after this many seconds (at least one run each).
TIME_BUDGET = 1.0


class Counted:
    """Wrap `f` to count the points it is evaluated at (SciPy passes many at once)."""

    def __init__(self, f: Callable) -> None:
        self.f, self.evaluations = f, 0

    def __call__(self, x):
        shape = np.shape(x)
        self.evaluations += int(np.prod(shape[1:])) if len(shape) > 1 else 1
        return self.f(x)


# --- The contenders: (f, x, n) -> result ---------------------------------------------------


def scaled_step(x: np.ndarray) -> float:
    # One number: scipy.differentiate.hessian does not take a step per coordinate.
    return 0.1 * max(1.0, float(np.max(np.abs(x))))


def contenders(kind: str) -> dict[str, Callable]:
    ours = {"gradient": gradient, "jacobian": jacobian, "hessian": hessian}[kind]
    out: dict[str, Callable] = {
        f"calcbook `{m}`": (lambda f, x, m=m: ours(f, x, method=m)) for m in METHODS
    }
    scaled = "(initial_step = 0.1·max(1, max abs(x)))"
    if kind == "hessian":
        out["`scipy.differentiate.hessian` (defaults)"] = lambda f, x: (
            differentiate.hessian(f, x).ddf
        )
        out[f"`scipy.differentiate.hessian` {scaled}"] = lambda f, x: (
            differentiate.hessian(f, x, initial_step=scaled_step(x)).ddf
        )
        out["`numdifftools.Hessian` (defaults)"] = lambda f, x: numdifftools.Hessian(f)(x)
    else:
        out["`scipy.differentiate.jacobian` (defaults)"] = lambda f, x: (
            differentiate.jacobian(f, x).df
        )
        out[f"`scipy.differentiate.jacobian` {scaled}"] = lambda f, x: (
            differentiate.jacobian(f, x, initial_step=scaled_step(x)).df
        )
        nd = numdifftools.Gradient if kind == "gradient" else numdifftools.Jacobian
        name = "Gradient" if kind == "gradient" else "Jacobian"
        out[f"`numdifftools.{name}` (defaults)"] = lambda f, x, nd=nd: nd(f)(x)
    return out


# --- Part 1: accuracy and evaluations ------------------------------------------------------


@dataclass
class Row(DerivativeRow):
    """One method's results on one kind of derivative over the whole suite."""

    kind: str = ""
    theory: list[int] = field(default_factory=list)


def exact_value(matrix: sp.Matrix, symbols: list[sp.Symbol], point: tuple) -> np.ndarray:
    subs = {s: sp.Float(v, 30) for s, v in zip(symbols, point, strict=True)}
    return np.array(matrix.evalf(30, subs=subs).tolist(), dtype=float)


def cases(kind: str) -> list[tuple[str, Callable, np.ndarray, np.ndarray]]:
    """(label, NumPy function working on (n,) and (n, k) arrays, x, exact value)."""
    out = []
    if kind == "jacobian":
        for name, (components, vars_, points) in MV_JACOBIAN_SUITE.items():
            parsed, symbols = _parse(components, vars_, "exprs")
            F = sp.lambdify([symbols], parsed, "numpy")
            J = symbolic_jacobian(parsed, symbols)
            for point in points:
                exact = exact_value(J, symbols, point)
                out.append((name, lambda p, F=F: np.array(F(p)), np.array(point), exact))
        return out
    for expr, (vars_, points) in MV_SUITE.items():
        (parsed,), symbols = _parse([expr], vars_, "expr")
        f = sp.lambdify([symbols], parsed, "numpy")
        derivative = symbolic_gradient if kind == "gradient" else symbolic_hessian
        matrix = derivative(parsed, symbols)
        for point in points:
            exact = exact_value(matrix, symbols, point)
            exact = exact.reshape(-1) if kind == "gradient" else exact
            out.append((expr, f, np.array(point), exact))
    return out


def run_accuracy() -> list[Row]:
    rows = []
    for kind in ("gradient", "jacobian", "hessian"):
        suite = cases(kind)
        for name, method in contenders(kind).items():
            row = Row(name, kind=kind)
            worst = -1.0
            for label, f, x, exact in suite:
                counted = Counted(f)
                start = time.perf_counter()
                with warnings.catch_warnings(), np.errstate(all="ignore"):
                    warnings.simplefilter("ignore")  # log of a negative step point, etc.
                    try:
                        value = np.asarray(method(counted, x), dtype=float).reshape(exact.shape)
                    except (ValueError, FloatingPointError):  # calcbook refuses non-finite f
                        value = np.full(exact.shape, np.nan)
                row.seconds.append(time.perf_counter() - start)
                row.evaluations.append(counted.evaluations)
                row.theory.append(THEORY[kind](x.size))
                error = float(np.max(np.abs(value - exact)) / np.max(np.abs(exact)))
                row.errors.append(error if np.isfinite(error) else np.inf)
                if np.isfinite(error) and error > worst:
                    point = ", ".join(f"{v:g}" for v in x)
                    worst, row.worst_case = error, f"{label} at ({point})"
            rows.append(row)
    return rows


def accuracy_table(rows: list[Row], kind: str) -> str:
    lines = [
        f"| {kind}: method | median rel. error | worst rel. error (where) | non-finite "
        "| mean f evals (2n or 2n²+1 central) | ms per result |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in (r for r in rows if r.kind == kind):
        worst = f"{row.worst:.1e} ({row.worst_case})" if len(row.finite) else "–"
        median = f"{row.median:.1e}" if len(row.finite) else "–"
        lines.append(
            f"| {row.name} | {median} | {worst} | {row.failures} "
            f"| {np.mean(row.evaluations):.1f} ({np.mean(row.theory):.1f}) "
            f"| {1e3 * np.median(row.seconds):.2f} |"
        )
    return "\n".join(lines)


# --- Part 2: time of a gradient in n dimensions ---------------------------------------------


def rosenbrock(p: np.ndarray) -> np.ndarray:
    """The Rosenbrock chain; works on a point (n,) and on points as columns (n, k)."""
    return np.sum(100.0 * (p[1:] - p[:-1] ** 2) ** 2 + (1.0 - p[:-1]) ** 2, axis=0)


def rosenbrock_gradient(p: np.ndarray) -> np.ndarray:
    g = np.zeros_like(p)
    g[:-1] = -400.0 * p[:-1] * (p[1:] - p[:-1] ** 2) - 2.0 * (1.0 - p[:-1])
    g[1:] += 200.0 * (p[1:] - p[:-1] ** 2)
    return g


TIMED: dict[str, Callable] = {
    "calcbook `central`, vectorized=True": lambda f, x: gradient(f, x, vectorized=True),
    "calcbook `complex`, vectorized=True": lambda f, x: gradient(
        f, x, method="complex", vectorized=True
    ),
    "calcbook `central`, point by point": lambda f, x: gradient(f, x),
    "`scipy.differentiate.jacobian` (vectorised, defaults)": lambda f, x: (
        differentiate.jacobian(f, x).df
    ),
    "`numdifftools.Gradient` (defaults)": lambda f, x: numdifftools.Gradient(f)(x),
}


@dataclass
class Timing:
    name: str
    n: int
    seconds: float
    calls: int
    evaluations: int
    error: float


def run_timing() -> list[Timing]:
    out = []
    rng = np.random.default_rng(0)
    for n in DIMENSIONS:
        x = rng.uniform(-1.5, 1.5, n)
        exact = rosenbrock_gradient(x)
        for name, method in TIMED.items():
            times: list[float] = []
            while not times or (sum(times) < TIME_BUDGET and len(times) < 5):
                counted = Counted(rosenbrock)
                calls = CallCounter(counted)
                start = time.perf_counter()
                value = method(calls, x)
                times.append(time.perf_counter() - start)
            error = float(np.max(np.abs(value - exact)) / np.max(np.abs(exact)))
            out.append(
                Timing(name, n, float(np.median(times)), calls.calls, counted.evaluations, error)
            )
    return out


class CallCounter:
    def __init__(self, f: Callable) -> None:
        self.f, self.calls = f, 0

    def __call__(self, x):
        self.calls += 1
        return self.f(x)


def timing_table(timings: list[Timing]) -> str:
    lines = [
        "| gradient of a Rosenbrock chain | n | ms | calls of f | points evaluated | rel. error |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for t in timings:
        lines.append(
            f"| {t.name} | {t.n} | {1e3 * t.seconds:.2f} | {t.calls} | {t.evaluations} "
            f"| {t.error:.1e} |"
        )
    return "\n".join(lines)


# --- Verdicts and output ---------------------------------------------------------------------


def verdicts(rows: list[Row], timings: list[Timing]) -> list[tuple[str, bool]]:
    out = []
    for kind, target in TARGETS.items():
        row = next(r for r in rows if r.kind == kind and r.name == "calcbook `central`")
        ok = row.worst <= target and row.failures == 0
        out.append((f"{kind}, calcbook `central`: worst {row.worst:.1e} ≤ {target:.0e}", ok))
        within = all(e <= t for e, t in zip(row.evaluations, row.theory, strict=True))
        exact = row.evaluations == row.theory
        out.append(
            (
                f"{kind}, calcbook `central`: evaluations {'equal' if exact else 'within'} the "
                f"theoretical count ({'2n' if kind != 'hessian' else '2n² + 1'}) at every point",
                within,
            )
        )
    for t in timings:
        if t.name.startswith("calcbook `central`"):
            ok = t.evaluations == 2 * t.n and (t.calls == 1 if "vectorized" in t.name else True)
            out.append(
                (
                    f"{t.name}, n = {t.n}: {t.evaluations} points in {t.calls} call(s) (2n = "
                    f"{2 * t.n})",
                    ok,
                )
            )
    return out


def to_json(rows: list[Row], timings: list[Timing], checks: list[tuple[str, bool]]) -> dict:
    data = {
        "environment": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "numdifftools": numdifftools.__version__,
        },
        "suite": {expr: [vars_, points] for expr, (vars_, points) in MV_SUITE.items()},
        "jacobian_suite": {
            name: [components, vars_, points]
            for name, (components, vars_, points) in MV_JACOBIAN_SUITE.items()
        },
        "targets": TARGETS,
        "error": "max |approx - exact| / max |exact| over the entries",
        "methods": [],
        "timings": [asdict(t) for t in timings],
        "checks": [{"check": text, "pass": ok} for text, ok in checks],
    }
    for row in rows:
        entry = asdict(row)
        entry["errors"] = [e if np.isfinite(e) else None for e in row.errors]
        finite = len(row.finite) > 0
        entry.update(
            median=row.median if finite else None,
            worst=row.worst if finite else None,
            failures=row.failures,
        )
        data["methods"].append(entry)
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--json",
        type=Path,
        default=REPO / "benchmarks" / "results" / "multivariate.json",
        help="where to write the results as JSON (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    rows = run_accuracy()
    timings = run_timing()
    checks = verdicts(rows, timings)
    points = sum(len(p) for _, p in MV_SUITE.values())
    maps = sum(len(p) for _, _, p in MV_JACOBIAN_SUITE.values())
    print(
        f"Gradients and Hessians of {len(MV_SUITE)} functions of 2–5 variables at {points} "
        f"points; Jacobians of {len(MV_JACOBIAN_SUITE)} maps at {maps} points. Relative error "
        "= max |error| / max |exact| over the entries.\n"
    )
    for kind in ("gradient", "jacobian", "hessian"):
        print(accuracy_table(rows, kind))
        print()
    print(timing_table(timings))
    print()
    for text, ok in checks:
        print(f"{'✓' if ok else '✗'}  {text}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(to_json(rows, timings, checks), indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    print(f"\nResults written to {args.json}", file=sys.stderr)
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
