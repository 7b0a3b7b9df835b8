"""The package calcbook.figures: every builder importable from it, imported on first use."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

import calcbook.figures as figures


def test_every_name_is_its_modules_own() -> None:
    for name in figures.__all__:
        value = getattr(figures, name)
        module = importlib.import_module(f"calcbook.figures.{figures._HOME_OF[name]}")
        assert value is getattr(module, name), name
    assert set(figures.__all__) <= set(dir(figures))


def test_a_builder_named_like_its_module_stays_the_builder() -> None:
    """polynomial_degree, fit_paths and newton_paths are functions, whatever is imported."""
    import calcbook.figures.polynomial_degree  # noqa: F401  (names the module on the package)

    for name in ("polynomial_degree", "fit_paths", "newton_paths"):
        importlib.import_module(f"calcbook.figures.{name}")
        assert callable(getattr(figures, name)) and not isinstance(
            getattr(figures, name), type(sys)
        ), name


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'no_such_figure'"):
        figures.no_such_figure  # noqa: B018
    with pytest.raises(ImportError):
        exec("from calcbook.figures import no_such_figure", {})


def test_a_page_imports_only_the_modules_of_its_figures() -> None:
    """In a fresh interpreter, as a page's kernel is: importing one builder loads its module
    (and what it needs), not every module of figures."""
    code = (
        "import json, sys\n"
        "import calcbook.figures\n"
        "before = sorted(m for m in sys.modules if m.startswith('calcbook.figures.'))\n"
        "from calcbook.figures import learning_rate_paths\n"
        "after = sorted(m for m in sys.modules if m.startswith('calcbook.figures.'))\n"
        "print(json.dumps([before, after, learning_rate_paths.__module__]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    before, after, home = json.loads(out)
    assert before == []
    assert home == "calcbook.figures.descent" and home in after
    assert "calcbook.figures.sandpit" not in after and "calcbook.figures.taylor" not in after
