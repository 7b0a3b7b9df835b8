"""Run a command while every core is kept busy, to show that tests do not race on a busy machine.

Usage::

    python scripts/under_load.py [--repeat N] [--procs K] -- COMMAND [ARG ...]

Starts K processes (default: one per core) that spin in a CPU-bound loop at normal priority,
runs COMMAND N times in a row (default 3) while they spin, then stops them. Prints the time and
exit code of each run and exits with the first non-zero code (0 if every run passed). The load
is a real competitor for the CPU, not a sleep: pages draw, scripts run and timers fire late,
which is what a race needs to show itself. ``make test-under-load`` runs the browser tests
this way.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import subprocess
import sys
import time


def spin(stop) -> None:
    """Burn CPU until `stop` is set (a little arithmetic, checking the flag now and then)."""
    x = 0
    while not stop.is_set():
        for i in range(100_000):
            x = (x * 31 + i) % 1_000_003


def main() -> int:
    """Keep the cores busy, run the command `--repeat` times, report each run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs in a row (default 3)")
    parser.add_argument(
        "--procs", type=int, default=os.cpu_count() or 1, help="busy processes (default: cores)"
    )
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [ARG ...]")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command or args.repeat < 1 or args.procs < 1:
        parser.error("give a command after --, and positive --repeat and --procs")

    stop = mp.Event()
    spinners = [mp.Process(target=spin, args=(stop,), daemon=True) for _ in range(args.procs)]
    for process in spinners:
        process.start()
    print(f"under_load: {args.procs} busy processes on {os.cpu_count()} cores", flush=True)
    results = []
    try:
        for run in range(1, args.repeat + 1):
            start = time.monotonic()
            code = subprocess.call(command)
            took = time.monotonic() - start
            results.append(code)
            print(f"under_load: run {run}/{args.repeat} exited {code} in {took:.0f} s", flush=True)
    finally:
        stop.set()
        for process in spinners:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()
    failed = [code for code in results if code != 0]
    print(f"under_load: {len(results) - len(failed)} of {len(results)} runs passed")
    return failed[0] if failed else 0


if __name__ == "__main__":
    sys.exit(main())
