"""Binder simulation: build the environment "Launch Binder" builds, then run every page in it.

repo2docker builds from ``binder/`` alone (because that folder exists, it ignores configuration
at the repository root). It runs, from the repository root,
``pip install -r binder/requirements.txt``, then ``./binder/postBuild``. This module does the
same in a fresh virtual environment, on a copy of the repository as a clean clone would have it,
without ``constraints.txt`` (Binder does not see it), with one difference: uv (the one
``make install`` put beside pytest) installs ``requirements.txt``, from uv's download cache,
which ``make install`` has filled. Like pip, it installs the newest versions that satisfy the
file (the same versions, unless a package was released in between), in about 10 s instead of
pip's 75 s with a warm cache and 150 s with a cold one, which held up ``make test``'s build
beside which this module runs. ``postBuild`` runs as it is, with the environment's own pip. Then,
with that environment's own jupytext and nbclient, it opens every page of ``_toc.yml`` that has
code cells as a notebook, as JupyterLab does on Binder, and runs all its cells. Two driver
processes share the pages out; each runs its pages one after another in one kernel, with the
namespace cleared and the page's folder made current before each page, so the libraries are
imported once per driver, not once per page (about 3 s a page). That a page runs in a kernel
of its own, needing nothing an earlier page left, is what the build checks: jupyter-cache
executes every page in a new kernel.

The environment is built once per test session (about half a minute with a warm uv cache on a
quiet 2-core machine, most of it postBuild's editable install of calcbook); all tests of this
module run on one pytest-xdist worker (``SHARED_MODULES`` in conftest.py). ``make test`` runs
this module on its own, beside the pages' execution and the book's build (which needs one core
of two while Sphinx reads and writes), and the rest after.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
BINDER = REPO / "binder"
PLOTLY_MIME = "application/vnd.plotly.v1+json"
INSTALL_TIMEOUT = 1800  # seconds, for creating the environment (cold cache, slow network)
#: How many driver processes run the pages side by side (each with its own kernel).
PAGE_JOBS = min(2, os.cpu_count() or 1)

#: Names repo2docker reads from binder/ for a pip-based Python environment.
BINDER_FILES = ("runtime.txt", "requirements.txt", "postBuild")

#: Runs inside the Binder environment: open pages as notebooks with *its* jupytext, execute
#: them with *its* nbclient, and print one JSON line per page.
DRIVER = textwrap.dedent(
    r'''
    """Execute book pages as Binder would: jupytext opens them, nbclient runs all cells.

    The pages run one after another in one kernel: before each, a first cell clears the
    namespace (``%reset -f``), closes Matplotlib's figures and moves to the page's folder.
    A page that fails gets its kernel shut down; the next page starts a new one.
    """
    import json
    import re
    import sys
    import time
    from pathlib import Path

    import jupytext
    import nbclient
    import nbformat

    RESET = "\n".join(
        [
            "%reset -f",
            "import os as _os, sys as _sys",
            "_plt = _sys.modules.get('matplotlib.pyplot')",
            "_plt.close('all') if _plt else None",
            "_os.chdir({folder!r})",
            "del _os, _sys, _plt",
        ]
    )

    timeout = int(sys.argv[1])
    client = None
    for name in sys.argv[2:]:
        page = Path(name)
        start = time.monotonic()
        result = {"page": name, "code_cells": 0, "error": None, "mime_types": [], "prefix": None}
        try:
            nb = jupytext.read(page)
            result["code_cells"] = sum(cell.cell_type == "code" for cell in nb.cells)
            kernel = nb.metadata.get("kernelspec", {}).get("name", "python3")
            if client is not None and client.kernel_name != kernel:
                client._cleanup_kernel()
                client = None
            # First, a fresh namespace in the page's folder; last, a cell that tells which
            # Python the kernel runs.
            reset = RESET.format(folder=str(page.parent.resolve()))
            nb.cells.insert(0, nbformat.v4.new_code_cell(reset))
            nb.cells.append(nbformat.v4.new_code_cell("import sys; print(sys.prefix, end='')"))
            if client is None:
                client = nbclient.NotebookClient(
                    nb,
                    timeout=timeout,
                    kernel_name=kernel,
                    resources={"metadata": {"path": str(page.parent)}},
                )
            else:
                client.nb = nb
            client.execute(cleanup_kc=False)
            nb.cells.pop(0)
            probe = nb.cells.pop()
            result["prefix"] = "".join(out.get("text", "") for out in probe.outputs)
            result["mime_types"] = sorted(
                {
                    mime
                    for cell in nb.cells
                    if cell.cell_type == "code"
                    for out in cell.outputs
                    for mime in out.get("data", {})
                }
            )
        except Exception as exc:  # report it, with the cell and traceback nbclient gives
            # Without the terminal colours of the traceback, so the message reads in a log.
            result["error"] = re.sub(r"\x1b\[[0-9;]*m", "", f"{type(exc).__name__}: {exc}")
            if client is not None:  # a failed page may leave its kernel in any state
                client._cleanup_kernel()
                client = None
        result["seconds"] = round(time.monotonic() - start, 1)
        print(json.dumps(result), flush=True)
    if client is not None:
        client._cleanup_kernel()
    '''
)


# ----------------------------------------------------------------------------------- the pages


def toc_files(toc: Path = REPO / "_toc.yml") -> list[str]:
    """Return every file named in `toc` (root first), as written there (usually no suffix)."""

    def walk(node: Any) -> list[str]:
        found = []
        if isinstance(node, dict):
            if "file" in node:
                found.append(str(node["file"]))
            for key in ("parts", "chapters", "sections"):
                for child in node.get(key, []):
                    found.extend(walk(child))
        return found

    data = yaml.safe_load(toc.read_text(encoding="utf-8"))
    return [str(data["root"]), *walk(data)]


def page_path(name: str) -> Path | None:
    """Return the file of the toc entry `name` (``.md`` or ``.ipynb``), relative to the repo.

    ``None`` if there is none: tests/test_toc.py reports that, this module runs what exists.
    """
    for candidate in (Path(name), Path(f"{name}.md"), Path(f"{name}.ipynb")):
        if candidate.suffix in (".md", ".ipynb") and (REPO / candidate).is_file():
            return candidate
    return None


def has_code_cells(page: Path) -> bool:
    """Tell whether the MyST page `page` (relative to the repo) has ``{code-cell}`` blocks."""
    if page.suffix == ".ipynb":
        return True
    text = (REPO / page).read_text(encoding="utf-8")
    return re.search(r"^\s*(`{3,}|~{3,})\s*\{code-cell\}", text, re.MULTILINE) is not None


CODE_PAGES = [page for page in map(page_path, toc_files()) if page and has_code_cells(page)]


def cell_timeout() -> int:
    """Return the per-cell timeout of the book's own build (``execute.timeout``)."""
    config = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    return int(config.get("execute", {}).get("timeout", 120))


# ------------------------------------------------------------------------ the binder environment


@dataclass
class BinderEnv:
    """A built Binder-like environment."""

    repo: Path  #: the copy of the repository it was built from
    venv: Path  #: the environment's prefix
    home: Path  #: the home folder postBuild ran with
    env: dict[str, str]  #: the process environment to run its programs with
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def python(self) -> Path:
        """The environment's Python interpreter."""
        return self.venv / "bin" / "python"

    def run(self, *args: str | Path, timeout: float = INSTALL_TIMEOUT) -> str:
        """Run a command in the environment, from the repository copy; return its output."""
        return self.run_all([list(args)], timeout=timeout)[0]

    def run_all(self, commands: list[list[str | Path]], timeout: float) -> list[str]:
        """Run `commands` side by side in the environment; return their outputs, in order."""
        processes = [
            subprocess.Popen(
                [str(arg) for arg in args],
                cwd=self.repo,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for args in commands
        ]
        deadline = time.monotonic() + timeout
        outputs, failures = [], []
        for args, process in zip(commands, processes, strict=True):
            try:
                out, err = process.communicate(timeout=max(1.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                for other in processes:
                    other.kill()
                pytest.fail(f"{' '.join(map(str, args))} took more than {timeout:.0f} s")
            outputs.append(out)
            if process.returncode != 0:
                failures.append(
                    f"{' '.join(map(str, args))} failed with exit code {process.returncode}:\n"
                    f"{out[-5000:]}\n{err[-5000:]}"
                )
        if failures:
            pytest.fail("\n\n".join(failures))
        return outputs


def runtime_python() -> str:
    """Return the ``pythonX.Y`` named by ``binder/runtime.txt``."""
    runtime = (BINDER / "runtime.txt").read_text(encoding="utf-8").strip()
    match = re.fullmatch(r"python-(\d+\.\d+)", runtime)
    assert match, f"binder/runtime.txt should read python-X.Y, not {runtime!r}"
    return f"python{match.group(1)}"


def copy_clean_checkout(target: Path) -> None:
    """Copy what a clone of the repository would hold (tracked and new, unignored files)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():  # a tracked file may have been deleted in the work tree
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)  # keeps postBuild's executable bit


def user_cache_dir(tool: str) -> str:
    """Return the download cache of `tool` (pip or uv) of the user running the tests.

    The environment gets a new home, so the cache is named to it explicitly (shared, to save
    time): ``PIP_CACHE_DIR`` or ``UV_CACHE_DIR`` where set, else the XDG cache folder.
    """
    variable = f"{tool.upper()}_CACHE_DIR"
    if os.environ.get(variable):
        return os.environ[variable]
    return str(Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / tool)


def uv_program() -> str:
    """Return the uv that ``make install`` installed beside this Python (else uv on PATH)."""
    beside = Path(sys.executable).parent / "uv"
    found = str(beside) if beside.is_file() else shutil.which("uv")
    if found is None:
        pytest.fail("uv is missing: make install puts it in .venv (constraints.txt pins it)")
    return found


@pytest.fixture(scope="session")
def binder_env(tmp_path_factory: pytest.TempPathFactory) -> BinderEnv:
    """Build the Binder environment once: venv, requirements.txt, then postBuild."""
    python = shutil.which(runtime_python())
    if python is None:
        pytest.fail(f"{runtime_python()} (named by binder/runtime.txt) is not on PATH")
    base = tmp_path_factory.mktemp("binder")
    repo, venv, home = base / "repo", base / "venv", base / "home"
    repo.mkdir()
    home.mkdir()
    copy_clean_checkout(repo)

    # Nothing from the developer's environment: no PYTHONPATH, no Jupyter paths, a new home
    # (postBuild writes JupyterLab settings there), the new environment first on PATH.
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "JUPYTER", "VIRTUAL_ENV", "CONDA", "PIP_", "UV_"))
    }
    env.update(
        HOME=str(home),
        PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        VIRTUAL_ENV=str(venv),
        KERNEL_PYTHON_PREFIX=str(venv),  # as repo2docker sets it
        NB_PYTHON_PREFIX=str(venv),
        PIP_CACHE_DIR=user_cache_dir("pip"),
        UV_CACHE_DIR=user_cache_dir("uv"),
        PIP_NO_INPUT="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    binder = BinderEnv(repo=repo, venv=venv, home=home, env=env)

    start = time.monotonic()
    binder.run(python, "-m", "venv", venv)
    binder.timings["venv"] = time.monotonic() - start

    start = time.monotonic()
    # What repo2docker does with pip, done by uv (see the module's docstring). Without
    # compiling every installed module to bytecode, as pip would: the kernels compile what
    # they import (PYTHONDONTWRITEBYTECODE is not passed on), and the pages run the same.
    binder.run(
        uv_program(), "pip", "install", "--quiet", "--python", binder.python,
        "-r", "binder/requirements.txt",
    )  # fmt: skip
    binder.timings["requirements.txt"] = time.monotonic() - start

    start = time.monotonic()
    binder.run("./binder/postBuild")
    binder.timings["postBuild"] = time.monotonic() - start

    total = sum(binder.timings.values())
    steps = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in binder.timings.items())
    print(f"\nBinder environment built in {total:.0f} s ({steps})", file=sys.stderr)
    return binder


@pytest.fixture(scope="session")
def page_results(binder_env: BinderEnv) -> dict[str, dict[str, Any]]:
    """Run every page with code cells in the Binder environment; results by page path."""
    if not CODE_PAGES:
        return {}
    driver = binder_env.venv / "run_pages.py"
    driver.write_text(DRIVER, encoding="utf-8")
    timeout = cell_timeout()
    # Pages are independent notebooks: run them in a few driver processes side by side
    # (JupyterLab would run them one by one; the result is the same).
    jobs = max(1, min(PAGE_JOBS, len(CODE_PAGES)))
    shares = [CODE_PAGES[i::jobs] for i in range(jobs)]
    start = time.monotonic()
    outputs = binder_env.run_all(
        [[binder_env.python, driver, str(timeout), *map(str, share)] for share in shares],
        timeout=timeout * 20 * len(CODE_PAGES),
    )
    binder_env.timings["pages"] = time.monotonic() - start
    print(
        f"\nBinder: ran {len(CODE_PAGES)} pages in {binder_env.timings['pages']:.0f} s"
        f" ({jobs} at a time)"
    )
    results = [
        json.loads(line)
        for output in outputs
        for line in output.splitlines()
        if line.startswith("{")
    ]
    return {result["page"]: result for result in results}


# ------------------------------------------------------------------------------------- checks


def requirement_pins(path: Path) -> dict[str, str]:
    """Return ``{normalised name: version}`` for the ``name==version`` lines of `path`."""
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*==\s*([^\s;#]+)", line)
        if match:
            pins[re.sub(r"[-_.]+", "-", match.group(1)).lower()] = match.group(2)
    return pins


def test_binder_folder_is_complete() -> None:
    """binder/ holds what repo2docker reads, and postBuild is executable."""
    for name in BINDER_FILES:
        assert (BINDER / name).is_file(), f"binder/{name} is missing"
    assert runtime_python() == "python3.11"
    post_build = BINDER / "postBuild"
    assert os.access(post_build, os.X_OK), "binder/postBuild must be executable"
    assert post_build.read_text(encoding="utf-8").startswith("#!"), "postBuild needs a shebang"


def test_requirements_pinned_like_constraints() -> None:
    """Every requirement is pinned, at the version constraints.txt pins (where it does)."""
    requirements = BINDER / "requirements.txt"
    lines = [
        line.strip()
        for line in requirements.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    pins = requirement_pins(requirements)
    assert len(pins) == len(lines), f"every line of {requirements.name} should be name==version"
    constraints = requirement_pins(REPO / "constraints.txt")
    differing = {
        name: (version, constraints[name])
        for name, version in pins.items()
        if name in constraints and constraints[name] != version
    }
    assert not differing, f"binder/requirements.txt vs constraints.txt: {differing}"
    for needed in ("numpy", "sympy", "scipy", "plotly", "matplotlib", "jupytext", "ipykernel"):
        assert needed in pins, f"binder/requirements.txt does not pin {needed}"


def test_toc_has_pages_with_code() -> None:
    """The book has pages to run (else the page tests below would silently test nothing)."""
    assert CODE_PAGES, "no page listed in _toc.yml has code cells"


@pytest.mark.slow
def test_calcbook_imports_from_the_checkout(binder_env: BinderEnv) -> None:
    """``import calcbook`` works in the Binder environment and finds the repository's code."""
    out = binder_env.run(
        binder_env.python,
        "-c",
        "import json, calcbook; print(json.dumps([calcbook.__file__, calcbook.__version__]))",
    )
    path, version = json.loads(out)
    assert Path(path).resolve().is_relative_to(binder_env.repo / "src" / "calcbook")
    pyproject = (binder_env.repo / "pyproject.toml").read_text(encoding="utf-8")
    assert f'version = "{version}"' in pyproject


@pytest.mark.slow
def test_jupyterlab_opens_myst_pages_as_notebooks(binder_env: BinderEnv) -> None:
    """postBuild made the Jupytext notebook the default viewer of Markdown and MyST files."""
    settings = binder_env.home / ".jupyter" / "labconfig" / "default_setting_overrides.json"
    assert settings.is_file(), "postBuild did not write JupyterLab's settings"
    viewers = json.loads(settings.read_text(encoding="utf-8"))[
        "@jupyterlab/docmanager-extension:plugin"
    ]["defaultViewers"]
    assert viewers.get("markdown") == "Jupytext Notebook"
    assert viewers.get("myst") == "Jupytext Notebook"
    # JupyterLab's extensions that open the pages and draw the figures are installed.
    extensions = binder_env.venv / "share" / "jupyter" / "labextensions"
    assert (extensions / "jupyterlab-jupytext").is_dir(), sorted(
        p.name for p in extensions.iterdir()
    )
    assert (extensions / "jupyterlab-plotly").is_dir(), sorted(p.name for p in extensions.iterdir())


@pytest.mark.slow
@pytest.mark.parametrize(
    "page", CODE_PAGES, ids=[page.with_suffix("").as_posix() for page in CODE_PAGES]
)
def test_page_runs_in_binder(
    page: Path, page_results: dict[str, dict[str, Any]], binder_env: BinderEnv
) -> None:
    """The page, opened as a notebook in the Binder environment, runs top to bottom."""
    result = page_results.get(str(page))
    assert result is not None, f"{page}: the driver reported nothing for this page"
    assert result["error"] is None, f"{page} failed in the Binder environment:\n{result['error']}"
    assert result["code_cells"] > 0, f"{page}: jupytext found no code cells in it"
    assert Path(result["prefix"]).resolve() == binder_env.venv.resolve(), (
        f"{page} ran in {result['prefix']}, not in the Binder environment"
    )


@pytest.mark.slow
def test_figures_are_plotly_output_in_binder(page_results: dict[str, dict[str, Any]]) -> None:
    """The pages' figures come out as Plotly's MIME type, which JupyterLab draws natively."""
    mime_types = {mime for result in page_results.values() for mime in result["mime_types"]}
    assert PLOTLY_MIME in mime_types, f"no page output a Plotly figure; outputs: {mime_types}"
