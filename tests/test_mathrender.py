"""Tests of calcbook.mathrender, which has KaTeX typeset the book's formulas at build time.

The whole book's formulas are checked in the built site (tests/test_site.py) and in the browser
(tests/test_browser.py); a formula KaTeX cannot typeset failing the build is checked by
tests/test_strictness.py. These check the pieces with KaTeX itself (run by Node.js, as in the
build).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sphinxcontrib.katex as sphinx_katex
import yaml
from conftest import ROOT
from fontTools.ttLib import TTFont

from calcbook.lightpages import subset_font
from calcbook.mathrender import ALWAYS_DRAWN, katex_glyphs, katex_options, mathml_text

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="KaTeX runs in Node.js")

MACROS = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"][
    "calcbook_tex_macros"
]


def typeset(tex: str, display: bool = False) -> str:
    """Typeset `tex` as the build does: KaTeX in Node.js with the book's options."""
    server = sphinx_katex.KaTeXServer.get()
    response = server.render(
        {"latex": tex, "katex_options": {**katex_options(MACROS), "displayMode": display}},
        sphinx_katex.RENDER_TIMEOUT,
    )
    if "error" in response:
        raise sphinx_katex.KaTeXError(response["error"])
    return response["html"]


def test_options_carry_the_macros_and_fail_on_errors() -> None:
    options = katex_options({"R": r"\mathbb{R}", "norm": [r"\lVert #1 \rVert", 1]})
    assert options == {
        "macros": {r"\R": r"\mathbb{R}", r"\norm": r"\lVert #1 \rVert"},
        "throwOnError": True,
    }


def test_the_book_macros_typeset() -> None:
    html = typeset(r"f: \R^n \to \R, \quad \d f / \d x")
    assert '<mi mathvariant="double-struck">R</mi>' in html  # \R is blackboard R
    assert '<mi mathvariant="normal">d</mi>' in html  # \d is an upright d


def test_an_unknown_command_is_an_error() -> None:
    with pytest.raises(sphinx_katex.KaTeXError, match="nosuchcommand"):
        typeset(r"\nosuchcommand x")


@pytest.mark.parametrize(
    ("tex", "drawn"),
    [
        (r"x^2 + \alpha", {"x", "2", "+", "α"}),
        (r"\nabla f \cdot \mathbf{v}", {"∇", "f", "⋅", "v"}),
        (r"x \in \R", {"x", "∈", "R"}),  # blackboard R is the letter R in KaTeX's AMS font
        (r"a \le b \ne c", {"a", "≤", "b", "c", "="}),
        (r"f'(x) \ldots", {"f", "′", "(", "x", ")", "…"}),
    ],
)
def test_glyphs_are_those_the_formula_draws(tex: str, drawn: set[str]) -> None:
    page = "<p>Prose with q and Ω.</p>" + typeset(tex) + "<p>more z</p>"
    glyphs = katex_glyphs(page)
    assert drawn <= glyphs
    # Neither the prose nor the MathML's TeX annotation (\, {, ...) counts.
    assert not {"q", "Ω", "z", "\\", "{"} & glyphs


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        (r"\chi^2", "χ²"),
        (r"x^2 \sin x", "x² sin x"),  # a function's name keeps its space
        (r"\ln x", "ln x"),
        (r"\sin(x) + \exp(-x)", "sin(x) + exp(−x)"),
        (r"e^{-x^2}", "e^(−x²)"),  # no superscript minus-x: the power is written out
        (r"x_{k+1} = x_k - f(x_k)/f'(x_k)", "xₖ₊₁ = xₖ − f(xₖ)/f′(xₖ)"),
        (r"\frac{\partial f}{\partial x}", "∂f/∂x"),
        (r"\dfrac{a+b}{2}", "(a + b)/2"),
        (r"\mathbf{J}^{\mathsf T}\mathbf{W}\mathbf{r}", "JᵀWr"),
        (r"\hat{\boldsymbol\beta}", "β̂"),
        (r"x \in \R^n", "x ∈ ℝⁿ"),
        (r"(x, -y)", "(x, −y)"),
        (r"\lim_{h \to 0}", "lim_(h→0)"),
        (r"\sqrt{2}", "√2"),
        (r"\frac{1}{2x} + 2\frac{1}{x} + \frac{1}{2}x", "1/(2x) + 2(1/x) + (1/2)x"),
        (r"\frac{dy}{dx} = \frac{f(x+h)}{h}", "dy/dx = f(x + h)/h"),
        (r"A^{-1} + (x+1)^2 + x^{n+1}", "A⁻¹ + (x + 1)² + xⁿ⁺¹"),
        (r"e^{2x}", "e^(2x)"),
        (r"2/\lambda_{\max}", "2/λₘₐₓ"),  # KaTeX gives the index two children
        (r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}", "(1, 2; 3, 4)"),
    ],
)
def test_a_formula_as_plain_text(tex: str, text: str) -> None:
    """What a link preview shows of a formula (the page's description): KaTeX's MathML read
    as text, not the TeX source."""
    assert mathml_text(typeset(tex)) == text


def test_unreadable_mathml_falls_back_to_the_tex_source() -> None:
    broken = '<math><semantics><mi>x</mo><annotation encoding="x">x &lt; 1</annotation></math>'
    assert mathml_text(broken) == "x < 1"


def test_glyphs_of_several_formulas_and_displays() -> None:
    page = typeset(r"\sum_i u_i", display=True) + "<p>and</p>" + typeset(r"\sqrt{y}")
    assert {"∑", "u", "i", "y"} <= katex_glyphs(page)
    assert katex_glyphs("<p>no maths</p>") == set()


def test_subset_font_keeps_the_glyphs_drawn(tmp_path: Path) -> None:
    """A KaTeX font subset for some formulas still has every glyph they draw, and fewer."""
    source = ROOT / "book/_static/katex/fonts/KaTeX_Main-Regular.woff2"
    chars = katex_glyphs(typeset(r"(a+b)^2 = a^2 + 2ab + b^2 \le \infty")) | ALWAYS_DRAWN
    data = subset_font(source, chars, flavor="woff2", layout=True)
    (tmp_path / "sub.woff2").write_bytes(data)
    full, sub = TTFont(source).getBestCmap(), TTFont(tmp_path / "sub.woff2").getBestCmap()
    kept = {ord(c) for c in chars if ord(c) in full}
    # Every glyph drawn; little else (what the font's layout features reach from those, such
    # as the mirrored ≥ of ≤).
    assert kept <= set(sub) and len(set(sub) - kept) <= 3, sorted(set(sub) - kept)
    assert {"(", "+", "2", "=", "≤", "∞"} <= {chr(u) for u in sub}
    assert len(data) < source.stat().st_size / 2


def test_a_build_without_node_stops_with_a_clear_error(monkeypatch) -> None:
    """No ``node`` on the PATH: the HTML build stops at once, saying how to install it."""
    from types import SimpleNamespace

    from sphinx.errors import ConfigError

    from calcbook import mathrender

    monkeypatch.setattr(mathrender.shutil, "which", lambda name: None)
    app = SimpleNamespace(
        config=SimpleNamespace(html_math_renderer=mathrender.RENDERER),
        builder=SimpleNamespace(format="html"),
    )
    with pytest.raises(ConfigError, match=r"needs Node\.js.*apt-get install nodejs"):
        mathrender._check_node(app)
    app.builder.format = "latex"  # the PDF's maths is LaTeX's: no Node.js needed
    mathrender._check_node(app)


def test_the_server_stops_when_the_build_ends_and_only_once() -> None:
    """The build-finished hook stops KaTeX's server and removes its folder; the extension's
    own stop at exit is then withdrawn (it removed the folder again and printed the error)."""
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(
        """
        import json, sphinxcontrib.katex as katex
        from calcbook import mathrender
        server = katex.KaTeXServer.get()
        mathrender._stop_katex_server(None, None)
        print(json.dumps([server.process.poll() is not None, server.rundir.exists(),
                          katex.KaTeXServer.katex_server is None]))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[true, false, true]", done.stdout
    assert "Exception ignored" not in done.stderr and "Traceback" not in done.stderr, done.stderr
