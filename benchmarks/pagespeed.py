"""Page speed of the built site: Lighthouse on a text page, a figure page and the Sandpit.

Run with ``make bench`` (all benchmarks), ``make bench-pages`` (this one) or
``.venv/bin/python benchmarks/pagespeed.py`` (the book must be built: ``make book``).

The built site ``_build/html`` is served on localhost by a small threaded server in this script
that compresses text (HTML, CSS, JavaScript, SVG, JSON, text, XML) with gzip, as GitHub Pages
does, and leaves images and fonts as they are. Every text file is compressed once, before the
first page is measured, so that compressing ``plotly.js`` never counts as server time.
Lighthouse, pinned in ``benchmarks/lighthouse/package-lock.json`` and installed there with
``npm ci`` when missing (the benchmark's only use of npm), drives the system Chromium
(``CHROME_PATH``, default ``/usr/bin/chromium``) with a cold cache, in its default mobile
profile (simulated slow 4G, 4× CPU slowdown) and with ``--preset=desktop``. The pin is 12.8.2,
the last Lighthouse 12 (Lighthouse 13 needs Node 22): 12.2.3 cannot read the traces of
Chromium 156 (its render-blocking, layout-shift and LCP-element audits fail on
``frame_sequence``), and scores are comparable within a major version.

Absolute times on a shared machine are noisy (Lighthouse scales the main-thread work it
observes); the ranking of causes is not. One run per page and profile is the default: a run
takes 15–30 s, and Lighthouse's simulated throttling already replays one observed load under a
fixed network model. Use ``--runs 3`` (the median of each metric) to compare two builds whose
numbers are close.

Prints a Markdown table (with the issue's targets, each row marked), every render-blocking
resource of each page and the largest transfers and scripts; writes the summary as JSON to
``benchmarks/results/pagespeed.json`` (and each Lighthouse report beside it, in
``benchmarks/results/lighthouse/``). ``--compare OLD.json`` prints each number as
``old → new``. Exits with status 1 if a Lighthouse run fails (not when a target is missed).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import http.server
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
SITE = REPO / "_build" / "html"
LIGHTHOUSE_DIR = REPO / "benchmarks" / "lighthouse"
LIGHTHOUSE_CLI = LIGHTHOUSE_DIR / "node_modules" / "lighthouse" / "cli" / "index.js"
RESULTS = REPO / "benchmarks" / "results"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
# The flags Chromium needs on this kind of machine: the tests' own list, one for the project.
sys.path.insert(0, str(REPO / "tests"))
from conftest import CHROMIUM_ARGS  # noqa: E402

#: File types served with ``Content-Encoding: gzip`` (GitHub Pages compresses text, not images
#: or fonts, which are compressed already).
GZIP_SUFFIXES = frozenset(
    {".html", ".htm", ".css", ".js", ".mjs", ".svg", ".json", ".txt", ".xml", ".map"}
)
GZIP_LEVEL = 6
#: GitHub Pages lets browsers cache every file for ten minutes.
CACHE_CONTROL = "max-age=600"

#: The pages measured by default: (path in the site, kind). The kind picks the targets.
PAGES = {
    "book/appendix/notation.html": "text",
    "book/intro.html": "figure",
    "book/02-multivariate-calculus/sandpit.html": "figure",
}
PROFILES = ("mobile", "desktop")

#: The issue's targets (Lighthouse mobile, gzipped, cold cache), by kind of page.
MIN_SCORE = {"text": 90, "figure": 80}
MAX_LCP_S = {"text": 2.5, "figure": 4.0}
MAX_CLS = 0.05
MAX_BLOCKING_KB = 50.0

#: The metrics of the table: (key, Lighthouse audit, heading).
METRICS = [
    ("fcp_s", "first-contentful-paint", "first paint"),
    ("lcp_s", "largest-contentful-paint", "largest paint"),
    ("tbt_s", "total-blocking-time", "blocking time"),
    ("cls", "cumulative-layout-shift", "layout shift"),
    ("si_s", "speed-index", "speed index"),
    ("transferred", "total-byte-weight", "transferred"),
]
#: How many of the largest transfers and the costliest scripts to list per page.
TOP = 6

KB = 1024.0
MB = 1024.0 * 1024.0


# ---------------------------------------------------------------------------- the gzip server


class GzipCache:
    """Gzip-compressed bodies of files, kept while the file's size and mtime stay the same."""

    def __init__(self, level: int = GZIP_LEVEL) -> None:
        self.level = level
        self._bodies: dict[Path, tuple[int, int, bytes]] = {}
        self._lock = threading.Lock()

    def get(self, path: Path) -> bytes:
        """The gzip-compressed content of `path`.

        Parameters
        ----------
        path : Path
            A file.

        Returns
        -------
        bytes
            ``gzip.compress`` of the file's bytes (with a fixed mtime, so that the same file
            always gives the same body).
        """
        stat = path.stat()
        with self._lock:
            cached = self._bodies.get(path)
            if cached is not None and cached[:2] == (stat.st_size, stat.st_mtime_ns):
                return cached[2]
            body = gzip.compress(path.read_bytes(), compresslevel=self.level, mtime=0)
            self._bodies[path] = (stat.st_size, stat.st_mtime_ns, body)
            return body

    def warm(self, root: Path) -> tuple[int, int, int]:
        """Compress every file under `root` that is served compressed.

        Returns
        -------
        tuple of int
            The number of files, their total size and their total compressed size, in bytes.
        """
        files = raw = packed = 0
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix.lower() in GZIP_SUFFIXES:
                files += 1
                raw += path.stat().st_size
                packed += len(self.get(path.resolve()))
        return files, raw, packed


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Serve a folder as GitHub Pages does: text gzipped when the client accepts it.

    Keeps connections alive (HTTP/1.1) and sends ``Cache-Control: max-age=600``; a folder
    without its final slash is redirected, as in :class:`http.server.SimpleHTTPRequestHandler`.
    """

    protocol_version = "HTTP/1.1"

    def __init__(self, *args, cache: GzipCache, **kwargs) -> None:
        self.cache = cache
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args) -> None:
        pass

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        # GitHub Pages lists no folders: a folder without index.html is not found.
        self.send_error(http.HTTPStatus.NOT_FOUND, "File not found")

    def end_headers(self) -> None:
        self.send_header("Cache-Control", CACHE_CONTROL)
        super().end_headers()

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir() and urlsplit(self.path).path.endswith("/"):
            path = path / "index.html"
        accepts = self.headers.get("Accept-Encoding", "")
        if (
            not path.is_file()
            or path.suffix.lower() not in GZIP_SUFFIXES
            or "gzip" not in accepts.lower()
        ):
            return super().send_head()
        body = self.cache.get(path.resolve())
        self.send_response(http.HTTPStatus.OK)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Last-Modified", self.date_time_string(int(path.stat().st_mtime)))
        self.end_headers()
        return io.BytesIO(body)

    def guess_type(self, path: str) -> str:
        kind = super().guess_type(path)
        if kind.startswith("text/") or kind in {"application/javascript", "image/svg+xml"}:
            return f"{kind}; charset=utf-8"
        return kind


@contextlib.contextmanager
def serve(root: Path, cache: GzipCache | None = None) -> Iterator[str]:
    """Serve `root` gzipped on a free port of 127.0.0.1 while the ``with`` block runs.

    Parameters
    ----------
    root : Path
        The folder to serve (the built site).
    cache : GzipCache, optional
        Compressed bodies (a new, empty one if not given).

    Yields
    ------
    str
        The base URL, ending with ``/``.
    """
    handler = partial(GzipHandler, directory=str(root), cache=cache or GzipCache())
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# ------------------------------------------------------------------------------- Lighthouse


def pinned_version() -> str:
    """The version of Lighthouse that ``benchmarks/lighthouse/package-lock.json`` pins."""
    lock = json.loads((LIGHTHOUSE_DIR / "package-lock.json").read_text(encoding="utf-8"))
    return lock["packages"]["node_modules/lighthouse"]["version"]


def installed_version() -> str | None:
    """The version of Lighthouse installed in ``benchmarks/lighthouse/node_modules``, if any."""
    package = LIGHTHOUSE_CLI.parents[1] / "package.json"
    if not (LIGHTHOUSE_CLI.is_file() and package.is_file()):
        return None
    return json.loads(package.read_text(encoding="utf-8"))["version"]


def ensure_lighthouse() -> Path:
    """Install the pinned Lighthouse with ``npm ci`` unless it is installed already.

    Returns
    -------
    Path
        Lighthouse's command-line entry point (run it with ``node``).
    """
    if installed_version() == pinned_version():
        return LIGHTHOUSE_CLI
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("npm not found: install Node.js 20 (with npm) to run the page-speed benchmark")
    print(f"Installing Lighthouse {pinned_version()} (npm ci in {LIGHTHOUSE_DIR})", file=sys.stderr)
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=LIGHTHOUSE_DIR, check=True
    )
    return LIGHTHOUSE_CLI


def run_lighthouse(cli: Path, url: str, profile: str, report: Path) -> dict:
    """Run Lighthouse's performance category on `url` and return its JSON report."""
    node = shutil.which("node") or sys.exit("node not found")
    command = [
        node,
        str(cli),
        url,
        "--only-categories=performance",
        "--output=json",
        f"--output-path={report}",
        "--disable-full-page-screenshot",
        "--quiet",
        f"--chrome-flags={' '.join(CHROMIUM_ARGS)}",
    ]
    if profile == "desktop":
        command.append("--preset=desktop")
    env = dict(os.environ, CHROME_PATH=CHROMIUM)
    proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0 or not report.is_file():
        raise RuntimeError(f"Lighthouse failed on {url} ({profile}):\n{proc.stderr[-2000:]}")
    return json.loads(report.read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------- the summary


@dataclass
class Resource:
    """One transferred file, with what Lighthouse says it costs."""

    url: str
    transfer_bytes: int
    #: For a render-blocking resource: the estimated delay to first paint it causes, in ms;
    #: for a script: its main-thread time (evaluation, parsing and compiling), in ms.
    ms: float = 0.0


@dataclass
class Shift:
    """One layout shift: the element that moved, its share of the layout shift, and why."""

    element: str
    score: float
    cause: str = ""


@dataclass
class Run:
    """The summary of one page in one profile (the median of the runs, metric by metric)."""

    page: str
    kind: str
    profile: str
    runs: int
    score: float | None = None
    fcp_s: float | None = None
    lcp_s: float | None = None
    tbt_s: float | None = None
    cls: float | None = None
    si_s: float | None = None
    transferred: float | None = None
    requests: int | None = None
    #: Lighthouse's measure of the machine's speed (higher is faster; it varies with load).
    benchmark_index: float | None = None
    render_blocking: list[Resource] = field(default_factory=list)
    largest: list[Resource] = field(default_factory=list)
    scripts: list[Resource] = field(default_factory=list)
    shifts: list[Shift] = field(default_factory=list)
    error: str = ""

    def failures(self) -> list[str]:
        """The targets this row misses (empty if it meets them all)."""
        if self.error:
            return ["no result"]
        missed = []
        if self.score is None or self.score < MIN_SCORE[self.kind]:
            missed.append("performance")
        if self.lcp_s is None or self.lcp_s > MAX_LCP_S[self.kind]:
            missed.append("LCP")
        if self.cls is None or self.cls > MAX_CLS:
            missed.append("CLS")
        if any(r.transfer_bytes > MAX_BLOCKING_KB * KB for r in self.render_blocking):
            missed.append("render-blocking > 50 KB")
        return missed


def short_url(url: str, base: str) -> str:
    """`url` relative to the site, without its query string."""
    path = url[len(base) :] if url.startswith(base) else url
    return path.split("?", 1)[0]


def summarise(report: dict, base: str) -> dict:
    """The numbers the table needs from one Lighthouse report."""
    audits = report["audits"]
    score = report["categories"]["performance"]["score"]
    out: dict = {"score": None if score is None else round(100 * score)}
    for key, audit, _ in METRICS:
        value = audits.get(audit, {}).get("numericValue")
        if value is not None and key.endswith("_s"):
            value /= 1000.0
        out[key] = value

    def items(audit: str) -> list[dict]:
        return (audits.get(audit, {}).get("details") or {}).get("items", [])

    requests = items("network-requests")
    sizes = {r["url"]: r.get("transferSize", 0) for r in requests}
    out["requests"] = len(requests)
    out["benchmark_index"] = report.get("environment", {}).get("benchmarkIndex")
    out["render_blocking"] = [
        Resource(short_url(i["url"], base), int(i.get("totalBytes", 0)), i.get("wastedMs", 0.0))
        for i in items("render-blocking-resources")
    ]
    largest = sorted(requests, key=lambda r: r.get("transferSize", 0), reverse=True)[:TOP]
    out["largest"] = [
        Resource(short_url(r["url"], base), int(r.get("transferSize", 0))) for r in largest
    ]
    scripts = [i for i in items("bootup-time") if isinstance(i.get("url"), str)]
    scripts.sort(key=lambda i: i.get("total", 0.0), reverse=True)
    out["scripts"] = [
        Resource(short_url(i["url"], base), int(sizes.get(i["url"], 0)), i.get("total", 0.0))
        for i in scripts[:TOP]
    ]
    out["shifts"] = []
    for item in items("layout-shifts")[:TOP]:
        node = item.get("node") or {}
        causes = (item.get("subItems") or {}).get("items", [])
        cause = ", ".join(
            " ".join(
                [c.get("cause", ""), short_url(str(c.get("extra", {}).get("value", "")), base)]
            ).strip()
            for c in causes[:2]
        ) + (f" and {len(causes) - 2} more" if len(causes) > 2 else "")
        out["shifts"].append(
            Shift(node.get("selector") or node.get("snippet", "?"), item.get("score", 0.0), cause)
        )
    return out


def combine(page: str, kind: str, profile: str, summaries: list[dict]) -> Run:
    """One row from the summaries of several runs: the median of each metric.

    The lists of resources are those of the run whose performance score is the median.
    """
    run = Run(page=page, kind=kind, profile=profile, runs=len(summaries))
    for key in ["score", "requests", "benchmark_index", *(key for key, _, _ in METRICS)]:
        values = [s[key] for s in summaries if s[key] is not None]
        setattr(run, key, statistics.median(values) if values else None)
    middle = sorted(summaries, key=lambda s: -1 if s["score"] is None else s["score"])
    chosen = middle[(len(middle) - 1) // 2]
    for key in ("render_blocking", "largest", "scripts", "shifts"):
        setattr(run, key, chosen[key])
    return run


def page_kind(site: Path, page: str) -> str:
    """``figure`` if the page draws a Plotly figure, else ``text``."""
    if page in PAGES:
        return PAGES[page]
    html = (site / page).read_text(encoding="utf-8", errors="replace")
    return "figure" if "plotly-graph-div" in html else "text"


# ------------------------------------------------------------------------------- printing


def fmt(key: str, value: float | None) -> str:
    """One number of the table, with its unit."""
    if value is None:
        return "–"
    if key == "score":
        return f"{value:.0f}"
    if key == "cls":
        return f"{value:.3f}"
    if key == "transferred":
        return f"{value / MB:.2f} MB" if value >= 0.1 * MB else f"{value / KB:.0f} KB"
    return f"{value:.1f} s"


def size(n: float) -> str:
    """A size in bytes, in KB or MB."""
    return f"{n / MB:.2f} MB" if n >= MB else f"{n / KB:.1f} KB"


def row_key(run: Run | dict) -> tuple[str, str]:
    """(page, profile): what a row of this run and a row of an earlier summary are matched by."""
    if isinstance(run, dict):
        return run["page"], run["profile"]
    return run.page, run.profile


def table(runs: list[Run], old: dict[tuple[str, str], dict] | None = None) -> str:
    """The Markdown table; with `old` rows, each number reads ``old → new``."""
    keys = ["score", *(key for key, _, _ in METRICS)]
    heads = ["performance", *(head for _, _, head in METRICS)]
    lines = [
        "| page | profile | " + " | ".join(heads) + " | targets |",
        "|---|---|" + "---:|" * len(heads) + "---|",
    ]
    for run in runs:
        before = (old or {}).get(row_key(run))
        cells = []
        for key in keys:
            now = fmt(key, getattr(run, key))
            cells.append(f"{fmt(key, before.get(key))} → {now}" if before else now)
        missed = run.failures()
        mark = "✓ pass" if not missed else "✗ " + ", ".join(missed)
        if run.error:
            mark = "✗ " + run.error.splitlines()[0]
        name = f"{Path(run.page).stem} ({run.kind})"
        lines.append(f"| {name} | {run.profile} | " + " | ".join(cells) + f" | {mark} |")
    return "\n".join(lines)


def targets_text() -> str:
    """The targets, as a sentence under the table."""
    return (
        "Targets (the issue's, for Lighthouse mobile; desktop rows are held to the same): "
        f"performance ≥ {MIN_SCORE['text']} on text pages and ≥ {MIN_SCORE['figure']} on "
        f"figure pages; largest contentful paint ≤ {MAX_LCP_S['text']} s on text pages and "
        f"≤ {MAX_LCP_S['figure']:.0f} s on figure pages; cumulative layout shift ≤ {MAX_CLS}; "
        f"nothing render-blocking over {MAX_BLOCKING_KB:.0f} KB (transferred)."
    )


def details(runs: list[Run]) -> str:
    """Per page: what blocks rendering, the largest transfers, the scripts, the layout shifts."""
    out = []
    pages = {run.page: [r for r in runs if r.page == run.page and not r.error] for run in runs}
    for page, rows in pages.items():
        if not rows:
            continue
        profiles = [run.profile for run in rows]
        out.append(f"\n### {page}\n")
        # The same files block rendering in every profile; Lighthouse lists those whose
        # estimated saving is at least 50 ms, so a profile may list fewer.
        blocking: dict[str, dict] = {}
        for run in rows:
            for r in run.render_blocking:
                entry = blocking.setdefault(r.url, {"bytes": r.transfer_bytes})
                entry[run.profile] = r.ms
        total = sum(entry["bytes"] for entry in blocking.values())
        over = sum(entry["bytes"] > MAX_BLOCKING_KB * KB for entry in blocking.values())
        out.append(
            f"Render-blocking resources: {len(blocking)}, {size(total)} transferred, "
            f"{over} over {MAX_BLOCKING_KB:.0f} KB. Lighthouse's estimate of how much sooner "
            "the first paint would come without each:\n"
        )
        if blocking:
            out.append("| resource | transferred | " + " | ".join(profiles) + " |")
            out.append("|---|---:|" + "---:|" * len(profiles))
            for url, entry in sorted(blocking.items(), key=lambda kv: -kv[1]["bytes"]):
                flag = " **> 50 KB**" if entry["bytes"] > MAX_BLOCKING_KB * KB else ""
                saved = [f"{entry[p]:.0f} ms" if p in entry else "< 50 ms" for p in profiles]
                out.append(
                    f"| `{url}` | {size(entry['bytes'])}{flag} | " + " | ".join(saved) + " |"
                )
        first = rows[0]
        requests = f" (of {first.requests:.0f} requests)" if first.requests else ""
        out.append(f"\nLargest transfers{requests}:")
        out.append(", ".join(f"`{r.url}` {size(r.transfer_bytes)}" for r in first.largest) + ".")
        for run in rows:
            out.append(
                f"\nMain-thread time by script, {run.profile} (what the blocking time is made of): "
                + ", ".join(f"`{r.url}` {r.ms / 1000:.2f} s" for r in run.scripts)
                + "."
            )
        for run in rows:
            shifts = [s for s in run.shifts if s.score >= 0.001][:3]
            if shifts:
                shifts = "; ".join(
                    f"`{s.element}` {s.score:.3f}" + (f" ({s.cause})" if s.cause else "")
                    for s in shifts
                )
                out.append(f"\nLayout shifts, {run.profile} (CLS {run.cls:.3f}): {shifts}.")
    return "\n".join(out)


def to_json(runs: list[Run], environment: dict) -> dict:
    """The results as a JSON-ready dict."""
    rows = []
    for run in runs:
        entry = asdict(run)
        entry["failures"] = run.failures()
        rows.append(entry)
    return {
        "environment": environment,
        "targets": {
            "min_score": MIN_SCORE,
            "max_lcp_s": MAX_LCP_S,
            "max_cls": MAX_CLS,
            "max_render_blocking_kb": MAX_BLOCKING_KB,
        },
        "runs": rows,
    }


# ---------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pages",
        nargs="+",
        default=list(PAGES),
        metavar="PAGE",
        help="pages to measure, as paths in the site (default: %(default)s)",
    )
    parser.add_argument(
        "--profiles",
        nargs="+",
        choices=PROFILES,
        default=list(PROFILES),
        help="Lighthouse profiles (default: both)",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=1,
        help="Lighthouse runs per page and profile; the table shows each metric's median "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--site", type=Path, default=SITE, help="the built site (default: %(default)s)"
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=RESULTS / "pagespeed.json",
        help="where to write the summary (default: %(default)s)",
    )
    parser.add_argument(
        "--compare", type=Path, metavar="OLD.json", help="an earlier summary to show beside"
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    site = args.site.resolve()
    if not (site / "index.html").is_file():
        sys.exit(f"{site}/index.html not found: build the book first (make book)")
    missing = [page for page in args.pages if not (site / page).is_file()]
    if missing:
        sys.exit(f"not in {site}: {', '.join(missing)}")
    old = None
    if args.compare:
        previous = json.loads(args.compare.read_text(encoding="utf-8"))
        old = {row_key(row): row for row in previous["runs"]}

    cli = ensure_lighthouse()
    reports = args.json.parent / "lighthouse"
    reports.mkdir(parents=True, exist_ok=True)
    environment = {
        "lighthouse": installed_version() or "",
        "chromium": subprocess.run(
            [CHROMIUM, "--version"], capture_output=True, text=True
        ).stdout.strip(),
        "node": subprocess.run(
            ["node", "--version"], capture_output=True, text=True
        ).stdout.strip(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": str(os.cpu_count()),
        "site": str(site),
        "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    }
    cache = GzipCache()
    start = time.perf_counter()
    files, raw, packed = cache.warm(site)
    print(
        f"Compressed {files} text files of {site} ({size(raw)} → {size(packed)}) "
        f"in {time.perf_counter() - start:.1f} s; Lighthouse {environment['lighthouse']}, "
        f"{environment['chromium']}",
        file=sys.stderr,
    )

    runs: list[Run] = []
    start = time.perf_counter()
    with serve(site, cache) as base:
        for page in args.pages:
            kind = page_kind(site, page)
            for profile in args.profiles:
                summaries, error = [], ""
                for n in range(args.runs):
                    report = reports / f"{page.replace('/', '_')}-{profile}-{n + 1}.json"
                    began = time.perf_counter()
                    try:
                        summaries.append(
                            summarise(run_lighthouse(cli, base + page, profile, report), base)
                        )
                    except (RuntimeError, subprocess.TimeoutExpired, KeyError) as exc:
                        error = str(exc)
                        print(error, file=sys.stderr)
                        continue
                    score = summaries[-1]["score"]
                    print(
                        f"  {page} {profile} run {n + 1}: performance {score}, "
                        f"{time.perf_counter() - began:.0f} s",
                        file=sys.stderr,
                    )
                if summaries:
                    runs.append(combine(page, kind, profile, summaries))
                else:
                    runs.append(Run(page=page, kind=kind, profile=profile, runs=0, error=error))
    environment["seconds"] = f"{time.perf_counter() - start:.0f}"
    environment["runs_per_row"] = str(args.runs)

    median = " (median of each metric)" if args.runs > 1 else ""
    print(f"## Page speed: Lighthouse {environment['lighthouse']}, {args.runs} run(s){median}\n")
    if old is not None:
        print(f"Each number: {args.compare} → this run.\n")
    print(table(runs, old))
    print(f"\n{targets_text()}")
    print(details(runs))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(to_json(runs, environment), indent=2) + "\n", encoding="utf-8")
    print(
        f"\nResults written to {args.json} (Lighthouse reports in {reports}); "
        f"{environment['seconds']} s of Lighthouse",
        file=sys.stderr,
    )
    return 1 if any(run.error for run in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
