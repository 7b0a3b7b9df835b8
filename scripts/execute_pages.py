"""Execute the book's pages on every core before `make book` builds them.

Jupyter Book 1 executes the pages one after another while Sphinx reads them (myst-nb's
``cache`` mode). This runs first, from ``make book``: it adds every page of ``_toc.yml`` to the
same jupyter-cache (``_build/.jupyter_cache``), read by myst-nb's own reader so that a page
hashes as myst-nb will hash it, and executes those the cache does not hold yet with
jupyter-cache's ``local-parallel`` executor, one page per core. The build then finds every page
in the cache ("Using cached notebook") and executes none.

A page that fails here is left to the build, which executes it again and fails with its
traceback, naming the page: this pass never hides an error, and never stops the build itself.
With nothing to execute (a warm cache) it costs a second or two.

Usage: ``.venv/bin/python scripts/execute_pages.py [--timeout SECONDS]``.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from jupyter_cache import get_cache
from jupyter_cache.executors import load_executor
from sphinx_external_toc.parsing import parse_toc_yaml

ROOT = Path(__file__).resolve().parent.parent

#: myst-nb's reader of MyST Markdown notebooks, as registered with jupyter-cache.
READER = {"name": "myst_nb_md", "type": "plugin"}
CACHE = ROOT / "_build" / ".jupyter_cache"


def _is_notebook(text: str) -> bool:
    """Whether a MyST page is a notebook: its front matter has a ``kernelspec``."""
    parts = text.split("---", 2)
    return text.startswith("---") and len(parts) == 3 and "kernelspec:" in parts[1]


def main(argv: list[str] | None = None) -> int:
    """Execute the pages the cache lacks, in parallel; always return 0 (the build reports)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=int, default=120, help="per cell, as the build's")
    args = parser.parse_args(argv)
    cache = get_cache(str(CACHE))
    # The pages as Jupyter Book reads _toc.yml (sphinx-external-toc); the notebooks among
    # them are those whose front matter names a kernel (the Jupytext header).
    pages = [ROOT / f"{name}.md" for name in parse_toc_yaml(str(ROOT / "_toc.yml"))]
    pages = [p for p in pages if p.is_file() and _is_notebook(p.read_text("utf-8"))]
    records = [cache.add_nb_to_project(str(p), read_data=READER) for p in pages]
    executor = load_executor("local-parallel", cache, logger=logging.getLogger("execute"))
    todo = executor.get_records(filter_pks=[r.pk for r in records])
    if not todo:
        print(f"execute_pages: all {len(records)} pages are in the cache")
        return 0
    start = time.perf_counter()
    result = executor.run_and_cache(filter_pks=[r.pk for r in todo], timeout=args.timeout)
    took = time.perf_counter() - start
    print(
        f"execute_pages: executed {len(result.succeeded)} of {len(todo)} pages in {took:.0f} s "
        "on every core"
    )
    failed = result.excepted + result.errored
    if failed:
        names = ", ".join(str(Path(uri).relative_to(ROOT)) for uri in failed)
        print(f"execute_pages: {len(failed)} failed ({names}); the build will report why")
    return 0


if __name__ == "__main__":
    sys.exit(main())
