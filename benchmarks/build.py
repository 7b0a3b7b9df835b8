"""Build benchmarks for the book: build times (cold, cached, after edits) and the site's weight.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/build.py``). The book is built in a
temporary copy of the repository (its tracked files plus untracked files that are not ignored),
so the ``_build`` folder of the working tree, and its execution cache, are left alone. (The
pages import the editable-installed calcbook of the working tree, as ``make book`` does.)

Prints a Markdown table and writes the same results as JSON to ``benchmarks/results/build.json``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
JB_FLAGS = ["-W", "-n", "--keep-going"]
EDITED_PAGE = Path("book/intro.md")

#: Targets the book is held to.
NO_CHANGE_REBUILD_MAX_S = 20.0
#: A page's HTML as a reader downloads it: gzipped, as GitHub Pages serves it.
PAGE_MAX_KB = 150.0
PLOTLY_JS_COPIES = 1

#: Folders of the site that hold assets and generated sources, not pages.
ASSET_DIRS = {"_static", "_sources", "_modules", "_images", "_downloads"}
#: Pages Sphinx generates for the whole site, listed apart from the book's own pages.
GENERATED_PAGES = {"genindex.html", "search.html", "py-modindex.html"}
#: The comment block at the top of every plotly.js bundle ("/** * plotly.js v4.1.1 * Copyright").
PLOTLY_BANNER = re.compile(rb"plotly\.js v\d+\.\d+\.\d+\s*\*\s*Copyright")
#: What myst-nb logs for each page it (re-)executes, and terminal colour codes in the log.
EXECUTING = re.compile(r"Executing notebook")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
#: A MyST code-cell fence, and the option lines (``:tags: ...``) that may follow it.
CODE_CELL = re.compile(r"^(`{3,}|~{3,})\{code-cell\}[^\n]*\n((?::[^\n]*\n)*)", re.MULTILINE)

KB = 1024.0
MB = 1024.0 * 1024.0


@dataclass
class Build:
    """One timed ``jupyter-book build``."""

    name: str
    seconds: float
    returncode: int
    executed: int
    expected_executed: int | None = None
    target_seconds: float | None = None
    log_tail: str = ""

    @property
    def ok(self) -> bool:
        return self.returncode == 0


@dataclass
class Page:
    """One HTML page of the built site."""

    path: str
    kb: float
    gzip_kb: float
    generated: bool
    embeds_plotly_js: bool

    @property
    def within_target(self) -> bool:
        return self.gzip_kb <= PAGE_MAX_KB


@dataclass
class Results:
    """Everything the benchmark measured."""

    builds: list[Build] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    site_mb: float = 0.0
    plotly_js_files: list[str] = field(default_factory=list)
    environment: dict[str, str] = field(default_factory=dict)

    @property
    def plotly_js_copies(self) -> int:
        return len(self.plotly_js_files) + sum(page.embeds_plotly_js for page in self.pages)


def repository_files(repo: Path) -> list[Path]:
    """Tracked files and untracked files that git does not ignore, relative to `repo`."""
    listed = set()
    for extra in ([], ["--others", "--exclude-standard"]):
        out = subprocess.run(
            ["git", "ls-files", "-z", *extra],
            cwd=repo,
            check=True,
            capture_output=True,
        ).stdout
        listed.update(name for name in out.decode().split("\0") if name)
    # A tracked file deleted in the working tree is listed but cannot be copied.
    return sorted(Path(name) for name in listed if (repo / name).is_file())


def copy_repository(repo: Path, dest: Path) -> int:
    """Copy the repository's files into `dest`; return how many were copied."""
    files = repository_files(repo)
    for name in files:
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(repo / name, target)
    return len(files)


def jupyter_book(repo: Path) -> Path:
    """The ``jupyter-book`` executable of the repository's virtual environment."""
    exe = repo / ".venv" / "bin" / "jupyter-book"
    if not exe.is_file():
        sys.exit(f"{exe} not found: run `make install` first")
    return exe


def timed_build(
    name: str,
    book: Path,
    exe: Path,
    *,
    expected_executed: int | None = None,
    target: float | None = None,
) -> Build:
    """Build the book in `book`, time it and count the pages myst-nb executed."""
    env = dict(os.environ)
    env["PATH"] = f"{exe.parent}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    start = time.perf_counter()
    proc = subprocess.run(
        [str(exe), "build", str(book), *JB_FLAGS],
        cwd=book,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    log = ANSI.sub("", proc.stdout + proc.stderr).strip().splitlines()
    build = Build(
        name=name,
        seconds=seconds,
        returncode=proc.returncode,
        executed=sum(EXECUTING.search(line) is not None for line in log),
        expected_executed=expected_executed,
        target_seconds=target,
        log_tail="\n".join(log[-25:]),
    )
    status = "ok" if build.ok else f"FAILED (exit {proc.returncode})"
    print(
        f"  {name}: {seconds:.1f} s, {build.executed} page(s) executed, {status}", file=sys.stderr
    )
    if not build.ok:
        print(build.log_tail, file=sys.stderr)
    return build


def edit_prose(page: Path) -> None:
    """Append one sentence of prose to `page`."""
    with page.open("a", encoding="utf-8") as fh:
        fh.write("\nThis sentence was added by the build benchmark.\n")


def edit_code(page: Path) -> None:
    """Add a comment line at the top of the first code cell of `page` (or add a code cell)."""
    text = page.read_text(encoding="utf-8")
    match = CODE_CELL.search(text)
    if match is None:
        fence = "```"
        text += f"\n{fence}{{code-cell}} ipython3\n# added by the build benchmark\n1 + 1\n{fence}\n"
    else:
        at = match.end()
        if text.startswith("---\n", at):  # a YAML block of cell options: insert after it
            at = text.index("---\n", at + 4) + 4
        text = text[:at] + "# edited by the build benchmark\n" + text[at:]
    page.write_text(text, encoding="utf-8")


def pages_with_code(book: Path) -> int:
    """How many pages under ``book/`` have a code cell (and so are executed on a cold build)."""
    count = 0
    for path in sorted((book / "book").rglob("*")):
        if {"_templates", "_static", ".ipynb_checkpoints"} & set(path.relative_to(book).parts):
            continue
        if path.suffix == ".md":
            count += CODE_CELL.search(path.read_text(encoding="utf-8")) is not None
        elif path.suffix == ".ipynb":
            cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
            count += any(cell.get("cell_type") == "code" for cell in cells)
    return count


def measure_site(html: Path, results: Results) -> None:
    """Record every page's size, the site's size and the copies of plotly.js in it."""
    total = 0
    for path in sorted(html.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(html)
        size = path.stat().st_size
        total += size
        if path.name.startswith("plotly") and path.suffix == ".js":
            results.plotly_js_files.append(rel.as_posix())
        if path.suffix == ".html" and rel.parts[0] not in ASSET_DIRS:
            results.pages.append(
                Page(
                    path=rel.as_posix(),
                    kb=size / KB,
                    gzip_kb=len(gzip.compress(path.read_bytes())) / KB,
                    generated=rel.as_posix() in GENERATED_PAGES,
                    embeds_plotly_js=PLOTLY_BANNER.search(path.read_bytes()) is not None,
                )
            )
    results.site_mb = total / MB


def mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def table(results: Results) -> str:
    """The results as a Markdown table."""
    rows = ["| measure | value | pages executed | target | |", "|---|---:|---:|---:|:-:|"]
    for build in results.builds:
        target = f"≤ {build.target_seconds:.0f} s" if build.target_seconds else ""
        ok = (
            build.ok
            and (build.target_seconds is None or build.seconds <= build.target_seconds)
            and build.expected_executed in (None, build.executed)
        )
        failed = "" if build.ok else " (build failed)"
        executed = str(build.executed)
        if build.expected_executed not in (None, build.executed):
            executed += f" (expected {build.expected_executed})"
        rows.append(
            f"| {build.name}{failed} | {build.seconds:.1f} s | {executed} | {target} | {mark(ok)} |"
        )
    for page in sorted(results.pages, key=lambda p: (p.generated, p.path)):
        kind = "generated page" if page.generated else "page"
        embedded = " (embeds plotly.js)" if page.embeds_plotly_js else ""
        rows.append(
            f"| {kind} `{page.path}`{embedded} | {page.gzip_kb:.1f} KB gzipped "
            f"({page.kb:.0f} KB) | | ≤ {PAGE_MAX_KB:.0f} KB "
            f"| {mark(page.within_target and not page.embeds_plotly_js)} |"
        )
    rows.append(f"| total site size | {results.site_mb:.1f} MB | | | |")
    files = ", ".join(f"`{name}`" for name in results.plotly_js_files) or "none"
    embedded = sum(page.embeds_plotly_js for page in results.pages)
    copies = results.plotly_js_copies
    rows.append(
        f"| copies of plotly.js ({len(results.plotly_js_files)} file(s): {files}; "
        f"{embedded} page(s) embedding it) | {copies} | | {PLOTLY_JS_COPIES} "
        f"| {mark(copies == PLOTLY_JS_COPIES)} |"
    )
    return "\n".join(rows)


def to_json(results: Results) -> dict:
    """The results as a JSON-ready dict (derived properties included)."""
    data = asdict(results)
    for build, entry in zip(results.builds, data["builds"], strict=True):
        entry["ok"] = build.ok
    for page, entry in zip(results.pages, data["pages"], strict=True):
        entry["within_target"] = page.within_target
    data["plotly_js_copies"] = results.plotly_js_copies
    data["targets"] = {
        "no_change_rebuild_max_s": NO_CHANGE_REBUILD_MAX_S,
        "page_max_kb": PAGE_MAX_KB,
        "plotly_js_copies": PLOTLY_JS_COPIES,
    }
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary copy of the repository"
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=REPO / "benchmarks" / "results" / "build.json",
        help="where to write the results as JSON (default: %(default)s)",
    )
    args = parser.parse_args(argv)

    exe = jupyter_book(REPO)
    tmp = Path(tempfile.mkdtemp(prefix="calcbook-bench-"))
    results = Results(
        environment={
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": str(os.cpu_count()),
            "repository": str(REPO),
            "copy": str(tmp),
        }
    )
    try:
        count = copy_repository(REPO, tmp)
        print(f"Copied {count} files to {tmp}; building with {exe.name}", file=sys.stderr)
        page = tmp / EDITED_PAGE
        code_pages = pages_with_code(tmp)
        results.builds.append(
            timed_build("cold build (no `_build`)", tmp, exe, expected_executed=code_pages)
        )
        results.builds.append(
            timed_build(
                "rebuild, no change", tmp, exe, expected_executed=0, target=NO_CHANGE_REBUILD_MAX_S
            )
        )
        edit_prose(page)
        results.builds.append(
            timed_build(
                f"rebuild after a prose edit in `{EDITED_PAGE}`", tmp, exe, expected_executed=0
            )
        )
        edit_code(page)
        results.builds.append(
            timed_build(
                f"rebuild after a code-cell edit in `{EDITED_PAGE}`", tmp, exe, expected_executed=1
            )
        )
        measure_site(tmp / "_build" / "html", results)
    finally:
        if args.keep:
            print(f"Kept the temporary copy in {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    print(table(results))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(to_json(results), indent=2) + "\n", encoding="utf-8")
    print(f"\nResults written to {args.json}", file=sys.stderr)
    return 0 if all(build.ok for build in results.builds) else 1


if __name__ == "__main__":
    sys.exit(main())
