"""The ``{answer}`` directive: a box under an exercise where the reader types an answer.

A Sphinx extension (``sphinx: extra_extensions`` in ``_config.yml``). In a page::

    ```{answer}
    :derivative-of: x**3*exp(x)
    ```

    ```{answer} [2*x*y, x**2]
    :vars: x y
    :about: the gradient of x**2*y
    ```

The directive's argument is the expected answer (a number, formula, vector ``[...]`` or
matrix ``[[...], [...]]``), or ``:derivative-of:`` names a function whose derivative it is.
Options: ``:vars:`` (the variables, by default the answer's own), ``:about:`` (what the answer
is, for the messages), ``:interval:`` (where the points are drawn, e.g. ``0.1 3`` for a
formula defined for positive values only), ``:rtol:`` and ``:prompt:`` (the box's label).

At build time :func:`calcbook.answers.answer_spec` evaluates the answer at a few points; the
page gets a form holding those values as JSON. ``book/_static/answers.js`` (added to the pages
that have a box, and only those) checks what the reader types with math.js, which it loads on
first use from the site's one copy (:data:`MATHJS`). The form is hidden until the script
runs, so a reader without JavaScript sees the exercise and its solution only. The PDF leaves
the box out.
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

from calcbook.answers import answer_spec, derivative_spec

if TYPE_CHECKING:  # pragma: no cover - typing only
    from sphinx.application import Sphinx

__all__ = ["ANSWER_MARKER", "MATHJS", "AnswerDirective", "answer_box_html", "setup"]

#: math.js under ``html_static_path``, its version in the name (vendored by
#: ``scripts/vendor_mathjs.py``).
MATHJS = "mathjs/math-15.2.0.min.js"
#: The class of every answer box; the pages whose body has it get the scripts.
ANSWER_MARKER = "calcbook-answer"
#: What the reader may type, by the answer's shape, shown under the box.
_FORMATS = {
    "number": "A number, or an exact value such as sqrt(2)/2.",
    "formula": "A formula in {vars}, such as 2*x*cos(x^2) (^ or ** for powers).",
    "vector": "A vector in brackets, such as [1, 2].",
    "matrix": "A matrix as a list of rows, such as [[1, 2], [3, 4]].",
}


class answer_box(nodes.General, nodes.Element):
    """A node holding one answer box's spec; written as a form in HTML, left out elsewhere."""


def answer_box_html(spec: dict[str, Any], ident: str, prompt: str | None = None) -> str:
    """Return the HTML form of one answer box.

    Parameters
    ----------
    spec : dict
        The answer's spec (:func:`calcbook.answers.answer_spec`).
    ident : str
        An id unique in the page, for the input and its label.
    prompt : str, optional
        The label of the input; by default "Your answer".

    Returns
    -------
    str
        A hidden ``<form>`` that ``answers.js`` shows and wires up.
    """
    shape = spec["shape"]
    kind = ("matrix" if len(shape) == 2 else "vector") if shape else None
    if kind is None:
        kind = "formula" if spec["vars"] else "number"
    hint = _FORMATS[kind].format(vars=", ".join(spec["vars"]))
    if kind in ("vector", "matrix") and spec["vars"]:
        hint += f" Entries may be formulas in {', '.join(spec['vars'])}."
    data = json.dumps(spec, separators=(",", ":")).replace("</", "<\\/")
    label = html.escape(prompt or "Your answer")
    return (
        f'<form class="{ANSWER_MARKER}" hidden autocomplete="off">\n'
        f'<label for="{ident}">{label}</label>\n'
        f'<span class="calcbook-answer-row"><input id="{ident}" name="answer" type="text" '
        f'spellcheck="false" autocapitalize="off" aria-describedby="{ident}-hint {ident}-verdict">'
        f'<button type="submit">Check</button></span>\n'
        f'<small id="{ident}-hint" class="calcbook-answer-hint">{html.escape(hint)}</small>\n'
        f'<p id="{ident}-verdict" class="calcbook-answer-verdict" role="status"></p>\n'
        f'<script type="application/json" class="calcbook-answer-spec">{data}</script>\n'
        "</form>\n"
    )


def _rtol(text: str) -> float:
    value = float(text)
    if not 0 < value < 1:
        raise ValueError(f"`:rtol:` must be between 0 and 1, got {text!r}")
    return value


def _interval(text: str) -> tuple[float, float]:
    parts = text.replace(",", " ").split()
    if len(parts) != 2:
        raise ValueError(f"`:interval:` takes two numbers, low and high; got {text!r}")
    return float(parts[0]), float(parts[1])


class AnswerDirective(SphinxDirective):
    """``{answer}``: an answer box checked in the page (see the module's docstring)."""

    optional_arguments = 1
    final_argument_whitespace = True
    option_spec: ClassVar[dict[str, Any]] = {
        "derivative-of": directives.unchanged_required,
        "vars": directives.unchanged_required,
        "about": directives.unchanged_required,
        "interval": _interval,
        "rtol": _rtol,
        "prompt": directives.unchanged_required,
    }

    def run(self) -> list[nodes.Node]:
        """Compute the spec at build time; a bad answer stops the build, naming the page."""
        options = self.options
        interval = options.get("interval", (-3.0, 3.0))
        try:
            if "derivative-of" in options:
                if self.arguments:
                    raise ValueError("give either the answer or :derivative-of:, not both")
                spec = derivative_spec(
                    options["derivative-of"], options.get("vars", "x"), interval=interval
                )
                if "about" in options:
                    spec["about"] = options["about"]
            elif self.arguments:
                spec = answer_spec(
                    self.arguments[0],
                    options.get("vars"),
                    about=options.get("about", "the expected answer"),
                    interval=interval,
                    rtol=options.get("rtol"),
                )
            else:
                raise ValueError("give the expected answer, or :derivative-of: a function")
        except (ValueError, TypeError) as err:
            raise self.error(f"answer: {err}") from None
        node = answer_box()
        node["spec"] = spec
        node["prompt"] = options.get("prompt")
        node["ident"] = f"calcbook-answer-{self.env.new_serialno('calcbook-answer')}"
        self.set_source_info(node)
        return [node]


def _visit_html(self: Any, node: answer_box) -> None:
    self.body.append(answer_box_html(node["spec"], node["ident"], node["prompt"]))
    raise nodes.SkipNode


def _skip(self: Any, node: answer_box) -> None:
    raise nodes.SkipNode


def _add_answer_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree
) -> None:
    """Give a page with an answer box its script, and the URL of math.js to load on first use."""
    if doctree is None or f'class="{ANSWER_MARKER}"' not in context.get("body", ""):
        return
    url = context["pathto"](f"_static/{MATHJS}", 1)
    context["metatags"] = (
        context.get("metatags", "") + f'\n<meta name="calcbook-mathjs" content="{url}" />'
    )
    app.add_js_file("answers.js", priority=900, defer="defer")


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directive, its node and the page scripts with Sphinx."""
    app.add_node(
        answer_box,
        html=(_visit_html, None),
        latex=(_skip, None),
        text=(_skip, None),
        man=(_skip, None),
        texinfo=(_skip, None),
    )
    app.add_directive("answer", AnswerDirective)
    # Before the theme's handlers (priority 500), as calcbook.sphinxext's are.
    app.connect("html-page-context", _add_answer_scripts, priority=100)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
