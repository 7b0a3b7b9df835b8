"""Backpropagation beside finite differences, autograd and PyTorch, on the same networks.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/network.py``). For all-sigmoid
networks ``[64, w, w, 10]`` whose parameter count P grows from about 10² to 10⁶, on one batch
of 64 examples in float64, it computes the gradient of the mean squared error

* with :meth:`calcbook.network.Network.backprop`,
* with central finite differences (:func:`calcbook.gradient` on the parameter vector, 2P
  evaluations of the cost; only up to P ≈ 10⁴, where it already takes seconds),
* with ``autograd`` (differentiating an independent NumPy implementation of the cost),
* with PyTorch's autograd on the CPU (``torch``, the ``bench`` extra: ``pip install -e
  '.[bench]'``; the row is skipped, with a note, if it is not installed),

and prints, per size: the largest relative difference of each gradient from calcbook's (max
over entries of the absolute difference, over the largest entry), the median time of one
gradient and of one forward pass, and the ratios the targets of issue 11 are about:

* every gradient but the finite-difference one agrees with calcbook's to 1e-10 relative;
* calcbook's backprop costs at most 3 forward passes;
* for P ≥ 10⁵, calcbook's backprop takes at most twice PyTorch's time.

Then it breaks calcbook's backprop for the largest network into its steps (matrix products,
activations and their derivatives, checks of the input) to show where the time goes. Results
are written to ``benchmarks/results/network.json``; the exit status is 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import autograd.numpy as anp
import numpy as np
from autograd import grad as autograd_grad

from calcbook import gradient
from calcbook.network import Network

try:
    import torch
except ImportError:  # the bench extra is not installed
    torch = None

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "network.json"
N_EXAMPLES = 64
N_IN, N_OUT = 64, 10
#: Hidden widths w of [64, w, w, 10]: P = w² + 76w + 10 grows from about 10² to 10⁶.
WIDTHS = (1, 8, 60, 280, 960)
FD_MAX_PARAMETERS = 10_000


def sizes_for(width: int) -> list[int]:
    return [N_IN, width, width, N_OUT]


def median_time(fn: Callable[[], object], *, min_time: float = 0.3, max_repeats: int = 50) -> float:
    """Median wall time of `fn`, repeated until `min_time` has passed (at least 3 times)."""
    fn()  # warm up (caches, lazy initialisation)
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < 3 or (time.perf_counter() - start < min_time and len(times) < max_repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def reference_cost(params, x, y):
    """The cost written again for autograd: rows are examples, as in calcbook."""
    a = x
    for w, b in params:
        a = 1.0 / (1.0 + anp.exp(-(anp.dot(a, w.T) + b)))
    diff = a - y
    return anp.sum(diff * diff) / x.shape[0]


def flat(grads_w, grads_b) -> np.ndarray:
    parts = []
    for w, b in zip(grads_w, grads_b, strict=True):
        parts += [np.ravel(w), np.ravel(b)]
    return np.concatenate(parts)


def rel_diff(got: np.ndarray, want: np.ndarray) -> float:
    return float(np.max(np.abs(got - want)) / max(np.max(np.abs(want)), 1e-300))


def torch_setup(net: Network, x: np.ndarray, y: np.ndarray):
    params = []
    for w, b in zip(net.weights, net.biases, strict=True):
        params.append(torch.tensor(w, dtype=torch.float64, requires_grad=True))
        params.append(torch.tensor(b, dtype=torch.float64, requires_grad=True))
    tx = torch.tensor(x, dtype=torch.float64)
    ty = torch.tensor(y, dtype=torch.float64)

    def forward():
        a = tx
        for k in range(0, len(params), 2):
            a = torch.sigmoid(torch.addmm(params[k + 1], a, params[k].T))
        return a

    def cost():
        diff = forward() - ty
        return (diff * diff).sum() / tx.shape[0]

    def grad():
        for p in params:
            p.grad = None
        cost().backward()
        return [p.grad for p in params]

    def forward_only():
        with torch.no_grad():
            return forward()

    return grad, forward_only


def breakdown(net: Network, x: np.ndarray, y: np.ndarray, repeats: int = 20) -> dict[str, float]:
    """Time the steps of one backprop (the same operations as Network.backprop), in ms."""
    spent: dict[str, float] = {}
    clock = time.perf_counter
    f = net._act.function
    d = net._act.derivative_from_output

    def add(name: str, since: float) -> float:
        now = clock()
        spent[name] = spent.get(name, 0.0) + now - since
        return now

    for _ in range(repeats):
        t = clock()
        net._check_parameters()
        net._inputs(x)
        net._targets(y, len(x), False)
        t = add("checks of the input", t)
        outputs = [x]
        for w, b in zip(net.weights, net.biases, strict=True):
            z = outputs[-1] @ w.T + b
            t = add("forward matmul", t)
            outputs.append(f(z))
            t = add("forward activation", t)
        delta = (2.0 / len(x)) * (outputs[-1] - y) * d(outputs[-1])
        t = add("output error", t)
        for k in range(len(net.weights) - 1, -1, -1):
            _ = delta.T @ outputs[k], delta.sum(axis=0)
            t = add("gradient matmul", t)
            if k > 0:
                back = delta @ net.weights[k]
                t = add("error matmul", t)
                delta = back * d(outputs[k])
                t = add("activation derivative", t)
    return {name: 1000 * total / repeats for name, total in spent.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the three smallest sizes only")
    args = parser.parse_args()
    widths = WIDTHS[:3] if args.quick else WIDTHS
    threads = torch.get_num_threads() if torch is not None else None
    print(
        f"# Backpropagation benchmark: batch of {N_EXAMPLES}, float64, all-sigmoid [64, w, w, 10]"
    )
    print(
        f"NumPy {np.__version__}, {platform.machine()}, {os.cpu_count()} cores; "
        + (f"PyTorch {torch.__version__} ({threads} threads)" if torch else "PyTorch not installed")
    )
    rows = []
    failures = []
    rng = np.random.default_rng(0)
    for width in widths:
        sizes = sizes_for(width)
        net = Network(sizes, seed=1)
        x = rng.uniform(-1, 1, size=(N_EXAMPLES, N_IN))
        y = rng.uniform(0, 1, size=(N_EXAMPLES, N_OUT))
        p = net.n_parameters
        exact = flat(*net.backprop(x, y))
        row: dict[str, object] = {"sizes": sizes, "parameters": p}
        row["forward_ms"] = 1000 * median_time(lambda net=net, x=x: net.forward(x))
        row["backprop_ms"] = 1000 * median_time(lambda net=net, x=x, y=y: net.backprop(x, y))
        row["backprop_over_forward"] = row["backprop_ms"] / row["forward_ms"]

        params = [(w.copy(), b.copy()) for w, b in zip(net.weights, net.biases, strict=True)]
        ag = autograd_grad(reference_cost)
        got = ag(params, x, y)
        row["autograd_diff"] = rel_diff(flat([g[0] for g in got], [g[1] for g in got]), exact)
        row["autograd_ms"] = 1000 * median_time(
            lambda ag=ag, params=params, x=x, y=y: ag(params, x, y)
        )

        if torch is not None:
            tgrad, tforward = torch_setup(net, x, y)
            tg = [t.numpy() for t in tgrad()]
            row["torch_diff"] = rel_diff(flat(tg[0::2], tg[1::2]), exact)
            row["torch_ms"] = 1000 * median_time(tgrad)
            row["torch_forward_ms"] = 1000 * median_time(tforward)
            row["backprop_over_torch"] = row["backprop_ms"] / row["torch_ms"]

        if p <= FD_MAX_PARAMETERS:
            probe = net.copy()

            def cost(theta, probe=probe, x=x, y=y):
                probe.set_parameters(theta)
                return probe.cost(x, y)

            theta = net.get_parameters()
            t0 = time.perf_counter()
            fd = gradient(cost, theta)
            row["fd_ms"] = 1000 * (time.perf_counter() - t0)
            row["fd_diff"] = rel_diff(fd, exact)
        rows.append(row)

        if row["autograd_diff"] > 1e-10:
            failures.append(f"P={p}: autograd differs by {row['autograd_diff']:.1e}")
        if "torch_diff" in row and row["torch_diff"] > 1e-10:
            failures.append(f"P={p}: PyTorch differs by {row['torch_diff']:.1e}")
        if row["backprop_over_forward"] > 3.0:
            failures.append(f"P={p}: backprop is {row['backprop_over_forward']:.2f} forward passes")
        if p >= 100_000 and row.get("backprop_over_torch", 0.0) > 2.0:
            failures.append(
                f"P={p}: backprop takes {row['backprop_over_torch']:.2f}× PyTorch's time"
            )

    print()
    print(
        "| P | backprop | forward | backprop/forward | autograd | PyTorch | backprop/PyTorch "
        "| finite differences | autograd diff | PyTorch diff | FD diff |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")

    def ms(value):
        return "—" if value is None else f"{value:.3g} ms"

    def sci(value):
        return "—" if value is None else f"{value:.1e}"

    for r in rows:
        ratio = r.get("backprop_over_torch")
        print(
            f"| {r['parameters']:,} | {ms(r['backprop_ms'])} | {ms(r['forward_ms'])} "
            f"| {r['backprop_over_forward']:.2f} | {ms(r['autograd_ms'])} "
            f"| {ms(r.get('torch_ms'))} "
            f"| {'—' if ratio is None else f'{ratio:.2f}'} | {ms(r.get('fd_ms'))} "
            f"| {sci(r['autograd_diff'])} | {sci(r.get('torch_diff'))} | {sci(r.get('fd_diff'))} |"
        )

    big = rows[-1]
    net = Network(big["sizes"], seed=1)
    x = rng.uniform(-1, 1, size=(N_EXAMPLES, N_IN))
    y = rng.uniform(0, 1, size=(N_EXAMPLES, N_OUT))
    parts = breakdown(net, x, y)
    total = sum(parts.values())
    print(f"\nWhere one backprop's time goes, P = {big['parameters']:,} ({total:.3g} ms in all):\n")
    print("| step | ms | share |")
    print("|---|---:|---:|")
    for name, t in sorted(parts.items(), key=lambda item: -item[1]):
        print(f"| {name} | {t:.3g} | {100 * t / total:.0f}% |")

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps({"rows": rows, "breakdown_ms": parts, "failures": failures}, indent=2) + "\n"
    )
    print()
    if torch is None:
        print(
            "note: PyTorch is not installed, so its columns are empty (pip install -e '.[bench]')"
        )
    for target, ok in [
        ("gradients agree to 1e-10 relative", not any("differs" in f for f in failures)),
        ("backprop ≤ 3 forward passes", not any("forward passes" in f for f in failures)),
        ("backprop ≤ 2× PyTorch for P ≥ 10⁵", not any("PyTorch's time" in f for f in failures)),
    ]:
        print(f"{'✓' if ok else '✗'} {target}")
    for failure in failures:
        print(f"  {failure}")
    print(f"\nWrote {RESULTS.relative_to(REPO)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
