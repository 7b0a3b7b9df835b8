"""calcbook.optimise beside scipy.optimize: final error, iterations and evaluations.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/optimise.py``). Two parts, each one
run of every method on the same problems from the same starts:

1. Minimisation. Rosenbrock from (-1.2, 1) and in 5 variables, Himmelblau, Beale and an
   ill-conditioned quadratic (condition number 1000, not aligned with the axes). Each problem
   is a SymPy expression; its exact gradient and Hessian come from
   :func:`calcbook.multivariate.symbolic_gradient` and ``symbolic_hessian`` and are passed to
   every method. calcbook's ``gradient_descent`` (backtracking) and ``newton`` run with their
   default tolerances (``‖∇f‖ ≤ 1e-8`` and ``1e-10``), ``newton`` a second time with no
   derivatives (calcbook's numerical ones); ``scipy.optimize.minimize`` runs BFGS (``gtol``
   1e-10), Newton-CG (``xtol`` 1e-10) and trust-exact (``gtol`` 1e-10) with the exact
   derivatives. The error is ``max_i |x_i - x*_i|`` to the nearest known minimiser (polished
   by Newton's method in exact derivatives here); f, ∇f and H count the calls each method made
   (wrappers count them, the same for all; f includes the calls numerical derivatives make).
2. Root finding: the course's f(x) = x⁶/6 − 3x⁴ − 2x³/3 + 27x²/2 + 18x − 30 from −4, 1 and
   3.1: calcbook's ``newton_raphson`` with f′ and without (a numerical derivative), and
   ``scipy.optimize.newton`` with ``fprime`` (Newton) and without (the secant method), all
   with ``tol`` 1e-12. The error is to the root reached (the real roots, to 30 digits by
   SymPy).

Times are the best of 3 runs, in milliseconds: these problems are tiny, so they measure the
Python overhead of each method, not linear algebra. The benchmark reports whether the target
of issue 13 is met: calcbook's ``newton`` reaches 1e-10 on Rosenbrock from (-1.2, 1) with no
more Hessian evaluations than trust-exact. Prints Markdown tables and writes JSON to
``benchmarks/results/optimise.json``. Exits with status 1 if a calcbook method claims
convergence with an error above 1e-6, or a course root is not the one expected.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import scipy
import sympy as sp
from scipy import optimize

from calcbook.errors import ConvergenceError
from calcbook.multivariate import symbolic_gradient, symbolic_hessian
from calcbook.optimise import gradient_descent, newton, newton_raphson

REPO = Path(__file__).resolve().parents[1]
REPEATS = 3
#: The target of issue 13 and the error a converged calcbook result must not exceed.
TARGET, CLAIM = 1e-10, 1e-6


def _problems() -> list[dict]:
    x, y = sp.symbols("x y")
    xs = sp.symbols("x1:6")
    rosen5 = sum(100 * (xs[i + 1] - xs[i] ** 2) ** 2 + (1 - xs[i]) ** 2 for i in range(4))
    himmelblau = (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2
    beale = (
        (sp.Rational(3, 2) - x + x * y) ** 2
        + (sp.Rational(9, 4) - x + x * y**2) ** 2
        + (sp.Rational(21, 8) - x + x * y**3) ** 2
    )
    # Eigenvalues 1 and 1000, eigenvectors (1, -1) and (1, 1).
    quadratic = (sp.Rational(1001, 2) * x**2 + 999 * x * y + sp.Rational(1001, 2) * y**2) / 2
    return [
        dict(
            name="Rosenbrock",
            expr=(1 - x) ** 2 + 100 * (y - x**2) ** 2,
            vars=[x, y],
            x0=[-1.2, 1.0],
            minima=[[1.0, 1.0]],
        ),
        dict(
            name="Rosenbrock 5-D",
            expr=rosen5,
            vars=list(xs),
            x0=[1.3, 0.7, 0.8, 1.9, 1.2],
            minima=[[1.0] * 5, [-0.9621, 0.9357, 0.8807, 0.7779, 0.6051]],
        ),
        dict(
            name="Himmelblau",
            expr=himmelblau,
            vars=[x, y],
            x0=[0.0, 0.0],
            minima=[[3.0, 2.0], [-2.8051, 3.1313], [-3.7793, -3.2832], [3.5844, -1.8481]],
        ),
        dict(name="Beale", expr=beale, vars=[x, y], x0=[1.0, 1.0], minima=[[3.0, 0.5]]),
        dict(
            name="Ill-conditioned quadratic (κ = 1000)",
            expr=quadratic,
            vars=[x, y],
            x0=[2.0, 1.0],
            minima=[[0.0, 0.0]],
        ),
    ]


class Counted:
    """A function that counts its calls."""

    def __init__(self, func: Callable) -> None:
        self.func, self.calls = func, 0

    def __call__(self, x):
        self.calls += 1
        return self.func(x)


def _numeric(problem: dict) -> tuple[Callable, Callable, Callable]:
    symbols = problem["vars"]
    f = sp.lambdify([symbols], problem["expr"], "numpy")
    g = sp.lambdify([symbols], list(symbolic_gradient(problem["expr"], symbols)), "numpy")
    h = sp.lambdify([symbols], symbolic_hessian(problem["expr"], symbols).tolist(), "numpy")
    return (
        lambda p: float(f(p)),
        lambda p: np.array(g(p), dtype=float),
        lambda p: np.array(h(p), dtype=float),
    )


def _polish(point, grad, hess) -> np.ndarray:
    """A known minimiser to machine precision: Newton's method from a 4-digit value."""
    p = np.array(point, dtype=float)
    for _ in range(50):
        p = p - np.linalg.solve(hess(p), grad(p))
    return p


def _run(method: str, f, grad, hess, x0) -> dict:
    """One run; its end point, iterations, whether it claims convergence, and a note."""
    note = ""
    if method.startswith("calcbook"):
        numerical = method.endswith("(numerical derivatives)")
        kwargs = {} if numerical else {"grad": grad}
        if "newton" in method and not numerical:
            kwargs["hess"] = hess
        run = newton if "newton" in method else gradient_descent
        try:
            result = run(f, x0, **kwargs)
        except ConvergenceError as err:
            result, note = err.result, str(err).split(":")[0].split(".")[0]
        if result is None:
            return dict(x=np.full(len(x0), np.nan), nit=0, ok=False, note=note)
        return dict(x=result.x, nit=result.n_iter, ok=result.converged, note=note)
    options = {
        "BFGS": {"gtol": 1e-10},
        "Newton-CG": {"xtol": 1e-10},
        "trust-exact": {"gtol": 1e-10},
    }[method]
    uses_hessian = method != "BFGS"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = optimize.minimize(
            f,
            x0,
            method=method,
            jac=grad,
            hess=hess if uses_hessian else None,
            options=options,
        )
    return dict(x=result.x, nit=int(result.nit), ok=bool(result.success), note=result.message)


MINIMISERS = [
    "calcbook gradient_descent",
    "calcbook newton",
    "calcbook newton (numerical derivatives)",
    "BFGS",
    "Newton-CG",
    "trust-exact",
]


def minimisation(failures: list[str]) -> list[dict]:
    print("## Minimisation: calcbook.optimise beside scipy.optimize.minimize\n")
    print("| problem | method | error | ‖∇f‖ | converged | iterations | f | ∇f | H | ms |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    rows = []
    for problem in _problems():
        f, grad, hess = _numeric(problem)
        minima = [_polish(m, grad, hess) for m in problem["minima"]]
        for method in MINIMISERS:
            best = np.inf
            for _ in range(REPEATS):
                counted = [Counted(f), Counted(grad), Counted(hess)]
                start = time.perf_counter()
                run = _run(method, *counted, np.array(problem["x0"]))
                best = min(best, time.perf_counter() - start)
            x = np.asarray(run["x"], dtype=float)
            error = min(float(np.max(np.abs(x - m))) for m in minima)
            gnorm = float(np.linalg.norm(grad(x))) if np.all(np.isfinite(x)) else np.nan
            n_f, n_g, n_h = (c.calls for c in counted)
            if method.startswith("calcbook") and run["ok"] and not error <= CLAIM:
                failures.append(f"{method} on {problem['name']}: converged, but error {error:.1e}")
            converged = "yes" if run["ok"] else f"no: {run['note']}".replace("|", "\\|")
            print(
                f"| {problem['name']} | {method} | {error:.1e} | {gnorm:.1e} | {converged} "
                f"| {run['nit']} | {n_f} | {n_g} | {n_h} | {best * 1e3:.1f} |"
            )
            rows.append(
                dict(
                    problem=problem["name"],
                    method=method,
                    error=error,
                    grad_norm=gnorm,
                    converged=run["ok"],
                    note=run["note"],
                    n_iter=run["nit"],
                    n_f=n_f,
                    n_grad=n_g,
                    n_hess=n_h,
                    ms=best * 1e3,
                )
            )
    return rows


COURSE = "x**6/6 - 3*x**4 - 2*x**3/3 + 27*x**2/2 + 18*x - 30"
#: The root each run of the course's example lands on (Newton–Raphson proper, and the secant).
COURSE_ROOTS = {
    (-4.0, "newton"): -3.760214,
    (1.0, "newton"): 1.0630706,
    (3.1, "newton"): -3.760214,
    (3.1, "secant"): 1.0630706,
}


def root_finding(failures: list[str]) -> list[dict]:
    t = sp.Symbol("x")
    expr = sp.sympify(COURSE)
    f = sp.lambdify(t, expr, "math")
    df = sp.lambdify(t, sp.diff(expr, t), "math")
    roots = [complex(r).real for r in sp.Poly(expr, t).nroots(n=30) if abs(complex(r).imag) < 1e-20]
    print("\n## Root finding: the course's f, newton_raphson beside scipy.optimize.newton\n")
    print("| x₀ | method | root | error | iterations | f | f′ | ms |")
    print("|---|---|---|---|---|---|---|---|")
    rows = []
    methods = [
        "calcbook newton_raphson",
        "calcbook newton_raphson (numerical f′)",
        "scipy newton (fprime)",
        "scipy newton, no fprime (secant)",
    ]
    for x0 in (-4.0, 1.0, 3.1):
        for method in methods:
            best, nit, root = np.inf, 0, np.nan
            for _ in range(REPEATS):
                cf, cdf = Counted(f), Counted(df)
                start = time.perf_counter()
                if method.startswith("calcbook"):
                    kwargs = {} if "numerical" in method else {"df": cdf}
                    try:
                        result = newton_raphson(cf, x0, **kwargs)
                    except ConvergenceError as err:
                        result = err.result
                    root, nit = result.root, result.n_iter
                else:
                    fprime = None if "secant" in method else cdf
                    root, info = optimize.newton(
                        cf, x0, fprime=fprime, tol=1e-12, maxiter=100, full_output=True, disp=False
                    )
                    nit = info.iterations
                best = min(best, time.perf_counter() - start)
            error = min(abs(root - r) for r in roots)
            kind = "secant" if "secant" in method else "newton"
            want = COURSE_ROOTS.get((x0, kind))
            if method.startswith("calcbook") and (want is None or abs(root - want) > 1e-6):
                failures.append(f"{method} from {x0}: {root}, expected {want}")
            print(
                f"| {x0:g} | {method} | {root:.10f} | {error:.1e} | {nit} | {cf.calls} "
                f"| {cdf.calls} | {best * 1e3:.2f} |"
            )
            rows.append(
                dict(
                    x0=x0,
                    method=method,
                    root=root,
                    error=error,
                    n_iter=nit,
                    n_f=cf.calls,
                    n_df=cdf.calls,
                    ms=best * 1e3,
                )
            )
    return rows


def main() -> int:
    failures: list[str] = []
    results: dict = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
    }
    results["minimisation"] = rows = minimisation(failures)
    results["roots"] = root_finding(failures)

    def row(method: str) -> dict:
        return next(r for r in rows if r["problem"] == "Rosenbrock" and r["method"] == method)

    ours, theirs = row("calcbook newton"), row("trust-exact")
    met = ours["error"] <= TARGET and ours["n_hess"] <= theirs["n_hess"]
    results["target"] = {
        "met": met,
        "calcbook_error": ours["error"],
        "calcbook_hessians": ours["n_hess"],
        "trust_exact_error": theirs["error"],
        "trust_exact_hessians": theirs["n_hess"],
    }
    print(
        f"\nTarget (issue 13): calcbook's newton reaches {TARGET:g} on Rosenbrock from (-1.2, 1) "
        f"with no more Hessian evaluations than trust-exact: {'✓ met' if met else '✗ missed'} "
        f"(error {ours['error']:.1e} with {ours['n_hess']} Hessians; trust-exact "
        f"{theirs['error']:.1e} with {theirs['n_hess']})."
    )
    coretype = results["OPENBLAS_CORETYPE"]
    print(f"OPENBLAS_CORETYPE: {coretype or 'not set'} (times measure Python overhead here).")
    out = REPO / "benchmarks" / "results" / "optimise.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    for failure in failures:
        print(f"✗ {failure}")
    print(f"\nwritten to {out.relative_to(REPO)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
