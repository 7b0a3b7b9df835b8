"""The book's structure: _toc.yml and book/ agree, and pages call calcbook instead of copying it.

These read the sources only (no build needed).
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest
import yaml

import calcbook

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
TOC = ROOT / "_toc.yml"
#: Folders of book/ that hold templates and assets, not pages.
NOT_PAGES = {"_templates", "_static", ".ipynb_checkpoints"}
PAGE_SUFFIXES = (".md", ".ipynb")

#: A MyST code cell: an opening fence of three or more backticks or tildes with {code-cell},
#: its body, and the closing fence of the same kind and at least the same length.
CODE_CELL = re.compile(
    r"^(?P<fence>`{3,}|~{3,})\{code-cell\}[^\n]*\n(?P<body>.*?)^(?P=fence)[`~]*[ \t]*$",
    re.MULTILINE | re.DOTALL,
)


# --------------------------------------------------------------------------------------------
# _toc.yml
# --------------------------------------------------------------------------------------------


def toc_entries(node) -> list[str]:
    """Every ``root``/``file`` entry in a jb-book table of contents, in order."""
    found = []
    if isinstance(node, dict):
        for key in ("root", "file"):
            if isinstance(node.get(key), str):
                found.append(node[key])
        for key, value in node.items():
            if key not in ("root", "file"):
                found.extend(toc_entries(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(toc_entries(item))
    return found


def toc_globs(node) -> list[str]:
    """Every ``glob`` entry in the table of contents."""
    if isinstance(node, dict):
        own = [node["glob"]] if isinstance(node.get("glob"), str) else []
        return own + [g for value in node.values() for g in toc_globs(value)]
    if isinstance(node, list):
        return [g for item in node for g in toc_globs(item)]
    return []


def resolve(entry: str) -> Path | None:
    """The file a toc entry names (with or without its suffix), or None if there is none."""
    path = ROOT / entry
    if path.suffix in PAGE_SUFFIXES:
        return path if path.is_file() else None
    for suffix in PAGE_SUFFIXES:
        if path.with_suffix(suffix).is_file():
            return path.with_suffix(suffix)
    return None


def book_pages() -> list[Path]:
    """Every page source under book/, except templates and static files."""
    return sorted(
        path
        for path in BOOK.rglob("*")
        if path.suffix in PAGE_SUFFIXES
        and path.is_file()
        and not NOT_PAGES & set(path.relative_to(BOOK).parts)
    )


@pytest.fixture(scope="module")
def toc() -> dict:
    return yaml.safe_load(TOC.read_text(encoding="utf-8"))


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


class TestToc:
    def test_format(self, toc):
        assert toc["format"] == "jb-book"
        assert isinstance(toc.get("root"), str), "_toc.yml needs a `root` page"

    def test_every_entry_exists(self, toc):
        missing = [entry for entry in toc_entries(toc) if resolve(entry) is None]
        assert not missing, (
            "_toc.yml names files that do not exist (looked for .md and .ipynb): "
            + ", ".join(missing)
        )

    def test_no_entry_twice(self, toc):
        entries = [resolve(entry) or entry for entry in toc_entries(toc)]
        twice = sorted({str(e) for e in entries if entries.count(e) > 1})
        assert not twice, f"_toc.yml lists these more than once: {', '.join(twice)}"

    def test_every_page_is_in_the_toc(self, toc):
        listed = {resolve(entry) for entry in toc_entries(toc)}
        for pattern in toc_globs(toc):
            listed |= {p.with_suffix(s) for p in ROOT.glob(pattern) for s in PAGE_SUFFIXES}
        missing = [rel(page) for page in book_pages() if page not in listed]
        assert not missing, (
            "pages in book/ that _toc.yml does not list (with only_build_toc_files they are "
            "silently left out of the site; add them or move them to book/_templates/): "
            + ", ".join(missing)
        )

    def test_helpers_see_the_book(self, toc):
        # Guards the two tests above against passing because they found nothing.
        assert resolve(toc["root"]) in book_pages()
        assert len(toc_entries(toc)) >= 2


# --------------------------------------------------------------------------------------------
# The one rule: the book calls calcbook, it does not redefine it
# --------------------------------------------------------------------------------------------


def exported_names() -> dict[str, str]:
    """Every name in ``calcbook.__all__`` and its submodules' ``__all__``, with its module."""
    names = {name: "calcbook" for name in calcbook.__all__}
    for info in pkgutil.walk_packages(calcbook.__path__, prefix="calcbook."):
        module = importlib.import_module(info.name)
        for name in getattr(module, "__all__", ()):
            names.setdefault(name, info.name)
    return names


def code_cells(text: str) -> list[tuple[int, str]]:
    """The (first line number, source) of every code cell in a MyST Markdown page."""
    cells = []
    for match in CODE_CELL.finditer(text):
        lines = match["body"].splitlines()
        skip = 0
        if lines and lines[0].strip() == "---":  # a YAML block of cell options
            skip = lines.index("---", 1) + 1 if "---" in lines[1:] else 0
        while skip < len(lines) and lines[skip].startswith(":"):  # `:tags: [...]` options
            skip += 1
        source = "\n".join([""] * skip + lines[skip:])  # keep line numbers
        line = text.count("\n", 0, match.start("body")) + 1
        cells.append((line, source))
    return cells


def without_magics(source: str) -> str:
    """Blank out IPython magics and shell escapes, which are not Python."""
    return "\n".join("" if re.match(r"\s*[%!]", line) else line for line in source.splitlines())


def top_level_definitions(tree: ast.Module) -> list[tuple[str, int]]:
    """Names bound at the top level of a cell by def, class or assignment, with their line."""
    found = []

    def targets(node):
        if isinstance(node, ast.Name):
            yield node.id
        elif isinstance(node, ast.Tuple | ast.List):
            for elt in node.elts:
                yield from targets(elt)
        elif isinstance(node, ast.Starred):
            yield from targets(node.value)

    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found.append((node.name, node.lineno))
        elif isinstance(node, ast.Assign):
            found.extend((n, node.lineno) for t in node.targets for n in targets(t))
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            found.extend((n, node.lineno) for n in targets(node.target))
    return found


def markdown_pages() -> list[Path]:
    return [page for page in book_pages() if page.suffix == ".md"]


class TestOneRule:
    def test_exported_names_are_found(self):
        names = exported_names()
        assert names["ConvergenceError"] == "calcbook"
        assert names["surface_with_gradient"] == "calcbook.figures"
        assert names["figure_html"] == "calcbook.sphinxext"

    def test_cell_parser(self):
        page = (
            "Text.\n\n```{code-cell} ipython3\n:tags: [hide-input]\n%matplotlib inline\n"
            "def arrow_segments(x):\n    return x\n```\n\n````{code-cell}\n---\ntags: [x]\n---\n"
            "a, (surface_with_gradient, *rest) = 1, (2, 3)\nclass PALETTE: ...\n````\n\n"
            "```python\nfigure_html = None\n```\n"
        )
        cells = code_cells(page)
        assert [line for line, _ in cells] == [4, 11]
        defined = [top_level_definitions(ast.parse(without_magics(source))) for _, source in cells]
        assert defined == [
            [("arrow_segments", 3)],
            [("a", 4), ("surface_with_gradient", 4), ("rest", 4), ("PALETTE", 5)],
        ]

    def test_no_page_redefines_a_calcbook_name(self):
        exported = exported_names()
        offenders, unparsable = [], []
        for page in markdown_pages():
            for start, source in code_cells(page.read_text(encoding="utf-8")):
                try:
                    tree = ast.parse(without_magics(source))
                except SyntaxError as err:
                    unparsable.append(f"{rel(page)}:{start + (err.lineno or 1) - 1}: {err.msg}")
                    continue
                for name, line in top_level_definitions(tree):
                    if name in exported:
                        offenders.append(
                            f"{rel(page)}:{start + line - 1} defines `{name}`, which "
                            f"{exported[name]} exports"
                        )
        assert not offenders, (
            "library code lives in src/calcbook (DESIGN.md, 'the one rule'): import it, or show "
            "it with {literalinclude} :pyobject:, instead of redefining it in a page:\n"
            + "\n".join(offenders)
        )
        assert not unparsable, "code cells that are not valid Python:\n" + "\n".join(unparsable)
