"""Print how long a step of the test suite took against its time budget (CONTRIBUTING.md).

Usage: ``python3 scripts/budget.py STEP START`` where STEP is ``make-test``, ``test-unit`` or
``ci`` and START the step's start time in seconds since the epoch (``date +%s``). The Makefile
and ``.ci/run`` call it when a step ends, pass or fail, so every run shows whether the suite
still fits. It warns when the budget is blown; it never fails the run (times are noisy, and a
red CI for a slow machine would teach people to ignore it).

The budget grows with the book: 15 minutes for ``.ci/run`` (install, build, every test) with
Parts 1 and 2 on a 2-core machine, plus 1 minute for each further part; ``make test`` gets the
same less 1 minute (Chromium's install in a fresh CI); ``make test-unit`` 2 minutes.
Standard library only: it must run before the virtual environment exists.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CI_BASE_S = 15 * 60  #: .ci/run with Parts 1 and 2
PER_PART_S = 60  #: what each further part may add
CHROMIUM_INSTALL_S = 60  #: the part of .ci/run that is not `make test`
UNIT_S = 2 * 60  #: make test-unit


def parts(toc: Path = ROOT / "_toc.yml") -> int:
    """How many parts of the book (captions "Part N: ...") the table of contents lists."""
    return len(re.findall(r"^\s*-\s*caption:\s*\"?Part \d+", toc.read_text(), re.MULTILINE))


def budget(step: str, n_parts: int) -> float:
    """Return the budget of `step` in seconds for a book of `n_parts` parts."""
    ci = CI_BASE_S + PER_PART_S * max(0, n_parts - 2)
    return {"ci": ci, "make-test": ci - CHROMIUM_INSTALL_S, "test-unit": UNIT_S}[step]


def main(argv: list[str]) -> int:
    """Print the step's time and budget; warn loudly when over."""
    if len(argv) != 2 or argv[0] not in ("ci", "make-test", "test-unit"):
        print(__doc__.splitlines()[2], file=sys.stderr)
        return 2
    step, start = argv[0], float(argv[1])
    took = time.time() - start
    n_parts = parts()
    limit = budget(step, n_parts)
    line = (
        f"{step} took {took:.0f} s ({took / 60:.1f} min); budget {limit:.0f} s "
        f"({limit / 60:.0f} min for {n_parts} parts, CONTRIBUTING.md)"
    )
    if took > limit:
        bar = "!" * 78
        print(f"{bar}\nOVER BUDGET: {line}\nSee 'The test suite's time budget' in CONTRIBUTING.md.")
        print(bar)
    else:
        print(f"::: {line}: within budget")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
