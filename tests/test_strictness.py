"""The book's build is strict: a failing cell or a broken reference fails it, naming the page.

Each test builds a tiny throwaway Jupyter Book in a temporary folder with *our* ``_config.yml``
(copied verbatim: execution cache, ``nb_execution_raise_on_error``, the extensions including
``calcbook.sphinxext``) and *our* build flags (read from the Makefile's ``JB_FLAGS``), so
loosening either makes these tests fail. A clean tiny book is the control: it must build.

The builds are independent, so they run side by side (the machine has two cores).
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

# One worker builds the tiny books (side by side) for all the tests below (see
# SHARED_MODULES in conftest.py).
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"
BUILD_TIMEOUT = 600  # seconds, for one tiny book

HEADER = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""

INTRO = (
    HEADER
    + """
(tiny-intro)=
# Tiny book

```{code-cell} ipython3
answer = 6 * 7
print(f"the answer is {answer}")
```
"""
)

GOOD_PAGE = (
    HEADER
    + """
# A good page

Back to {ref}`the start <tiny-intro>`. A formula with the book's macros: $f: \\R^n \\to \\R$,
$\\d f / \\d x$.

```{code-cell} ipython3
print("good page ran")
```
"""
)

BAD_CELL_PAGE = (
    HEADER
    + """
# A page whose cell raises

```{code-cell} ipython3
print("before the error")
```

```{code-cell} ipython3
1 / 0
```
"""
)

BAD_REF_PAGE = (
    HEADER
    + """
# A page with a broken reference

See {ref}`a section that does not exist <no-such-label-anywhere>`.

```{code-cell} ipython3
print("bad ref page ran")
```
"""
)

BAD_MATH_PAGE = (
    HEADER
    + """
# A page with a formula KaTeX cannot typeset

The slope is $\\frac{\\d f}{\\nosuchcommand x}$.
"""
)

#: name of the tiny book → (file name of its second page, the page's text)
BOOKS: dict[str, tuple[str, str]] = {
    "clean": ("good_page", GOOD_PAGE),
    "bad_cell": ("bad_cell_page", BAD_CELL_PAGE),
    "bad_ref": ("bad_ref_page", BAD_REF_PAGE),
    "bad_math": ("bad_math_page", BAD_MATH_PAGE),
}


@dataclass(frozen=True)
class Build:
    """The outcome of ``jupyter-book build`` on one tiny book."""

    root: Path
    page: str
    returncode: int
    output: str

    def lines_naming_page(self) -> list[str]:
        """Lines of the output that name the page's file and report a warning or error."""
        return [
            line
            for line in self.output.splitlines()
            if f"{self.page}.md" in line and re.search(r"WARNING|ERROR", line)
        ]


def jb_flags() -> list[str]:
    """Return the flags ``make book`` passes to ``jupyter-book build`` (``JB_FLAGS``)."""
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    match = re.search(r"^JB_FLAGS\s*:?=\s*(.+)$", makefile, re.MULTILINE)
    assert match, "the Makefile no longer defines JB_FLAGS"
    return shlex.split(match.group(1))


def make_book(root: Path, page: str, text: str) -> None:
    """Write a two-page book into `root` that uses our ``_config.yml`` unchanged."""
    (root / "book").mkdir(parents=True)
    shutil.copy2(REPO / "_config.yml", root / "_config.yml")
    # Files our configuration refers to: the bibliography and the static folder.
    shutil.copy2(REPO / "book" / "references.bib", root / "book" / "references.bib")
    shutil.copytree(REPO / "book" / "_static", root / "book" / "_static")
    (root / "_toc.yml").write_text(
        f"format: jb-book\nroot: book/intro\nchapters:\n  - file: book/{page}\n",
        encoding="utf-8",
    )
    (root / "book" / "intro.md").write_text(INTRO, encoding="utf-8")
    (root / "book" / f"{page}.md").write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Build]:
    """Build every tiny book in :data:`BOOKS`, concurrently, and return the outcomes."""
    assert JUPYTER_BOOK.is_file(), f"jupyter-book not found beside {sys.executable}"
    flags = jb_flags()
    running = {}
    for name, (page, text) in BOOKS.items():
        root = tmp_path_factory.mktemp(f"book-{name}")
        make_book(root, page, text)
        # Run from the book's folder, as `make book` runs from ours: the execution cache
        # path in _config.yml is relative to the working directory.
        # The output goes to a file, not a pipe (a process the build leaves behind would
        # hold a pipe open), and the build runs in its own session, so that whatever it
        # started is stopped with it.
        log = (root / "build.log").open("w")
        process = subprocess.Popen(
            [str(JUPYTER_BOOK), "build", ".", *flags],
            cwd=root,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        running[name] = (root, page, process)
    results = {}
    for name, (root, page, process) in running.items():
        try:
            process.wait(timeout=BUILD_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        output = (root / "build.log").read_text(encoding="utf-8", errors="replace")
        if process.returncode == -signal.SIGKILL:
            pytest.fail(f"building the tiny book {name!r} took over {BUILD_TIMEOUT} s:\n{output}")
        results[name] = Build(root, page, process.returncode, output)
    return results


def test_flags_are_strict() -> None:
    """The build flags turn warnings into errors and report broken references."""
    flags = jb_flags()
    assert "-W" in flags
    assert "-n" in flags


def test_clean_book_builds(builds: dict[str, Build]) -> None:
    """The control: the same config and flags build a clean book, with its cells executed."""
    build = builds["clean"]
    assert build.returncode == 0, f"the clean tiny book failed to build:\n{build.output}"
    html = build.root / "_build" / "html"
    intro = (html / "book" / "intro.html").read_text(encoding="utf-8")
    page = (html / "book" / "good_page.html").read_text(encoding="utf-8")
    assert "the answer is 42" in intro
    assert "good page ran" in page
    # Formulas typeset at build time, the book's macros known (\\R is blackboard R).
    assert page.count('<span class="katex">') == 2 and "katex-error" not in page
    assert '<mi mathvariant="double-struck">R</mi>' in page
    assert build.lines_naming_page() == []
    # Execution went through the cache configured in _config.yml.
    assert (build.root / "_build" / ".jupyter_cache").is_dir()


def test_raising_cell_fails_the_build_and_names_the_page(builds: dict[str, Build]) -> None:
    """A cell that raises makes the build exit non-zero, and the log names its page."""
    build = builds["bad_cell"]
    assert build.returncode != 0, f"a raising cell did not fail the build:\n{build.output}"
    named = build.lines_naming_page()
    assert named, f"no warning/error line names bad_cell_page.md:\n{build.output}"
    assert "ZeroDivisionError" in build.output, build.output


def test_broken_reference_fails_the_build_and_names_the_page(builds: dict[str, Build]) -> None:
    """A ``{ref}`` to a missing label makes the build exit non-zero, naming page and label."""
    build = builds["bad_ref"]
    assert build.returncode != 0, f"a broken reference did not fail the build:\n{build.output}"
    named = build.lines_naming_page()
    assert named, f"no warning/error line names bad_ref_page.md:\n{build.output}"
    assert any("no-such-label-anywhere" in line for line in named), "\n".join(named)


def test_formula_katex_cannot_typeset_fails_the_build_and_names_the_page(
    builds: dict[str, Build],
) -> None:
    """A formula KaTeX cannot typeset fails the build, naming the page and the formula."""
    build = builds["bad_math"]
    assert build.returncode != 0, f"a bad formula did not fail the build:\n{build.output}"
    named = build.lines_naming_page()
    assert any("KaTeX cannot typeset" in line and "nosuchcommand" in line for line in named), (
        build.output
    )
