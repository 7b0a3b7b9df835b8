r"""What the PDF edition of the book (``make pdf``, Sphinx's LaTeX builder) needs.

This Sphinx extension (``calcbook.latexpages`` in ``_config.yml``'s ``extra_extensions``) changes
nothing in the HTML book. It does four things:

1. It gives LaTeX the maths macros of ``calcbook_tex_macros`` (``\R``, ``\d``), which KaTeX
   gets too (:mod:`calcbook.mathrender`), so the two editions read one list, and makes two
   hyperref commands robust so a citation can sit in a figure caption (:func:`latex_preamble`).
2. :class:`InteractiveFigureNotes`: under every Plotly figure that needs a reader's hand (a
   slider, buttons, a game) it puts a sentence and a link to the same figure in the online book,
   inside an ``only:: latex`` node, so that only the PDF shows it; the printed figure is the
   figure's first state.
3. :class:`SolutionsAtSectionEnd`: in the PDF, the solutions of a section's exercises move out of
   the text (where the online book folds them in a dropdown, which paper cannot) to a
   "Solutions" heading at the end of that section, so that a reader who turns to an exercise
   does not read its answer on the way.
4. :class:`LatexLabelFixes` mends three labels that sphinx-proof, sphinx-exercise and
   sphinx-jupyterbook-latex get wrong in LaTeX, which would print as question marks.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform

from calcbook.sphinxext import PLOTLY_MIME

if TYPE_CHECKING:  # pragma: no cover - typing only
    from sphinx.application import Sphinx
    from sphinx.config import Config

__all__ = [
    "INTERACTIONS",
    "INTERACTION_ATTRIBUTE",
    "InteractiveFigureNotes",
    "LatexLabelFixes",
    "SolutionsAtSectionEnd",
    "figure_interaction",
    "interaction",
    "latex_preamble",
    "online_note",
    "setup",
]

#: What a figure needs a reader to do, recognised by a pattern in its JSON (the key of
#: ``layout.meta`` that a game's script reads, or Plotly's own layout keys with a first
#: element), first match wins.
INTERACTIONS: tuple[tuple[str, str], ...] = (
    (r'"calcbook_sandpit"\s*:', "play the Sandpit game"),
    (r'"calcbook_match"\s*:', "play this matching game"),
    (r'"calcbook_taylor"\s*:', "change the order with the slider"),
    # (Brackets as \x5b and \x7b: a backslash-bracket would read as TeX on the API page, and
    # Python's re warns that "[[]" may one day mean a nested set.)
    (r'"sliders"\s*:\s*\x5b\s*\x7b', "move the slider"),
    (r'"updatemenus"\s*:\s*\x5b\s*\x7b', "press its buttons"),
)

#: The attribute under which a figure's image node (the PDF twin) may carry its phrase.
INTERACTION_ATTRIBUTE = "calcbook_interaction"

_PREAMBLE_FIXES = r"""
% calcbook.latexpages: a citation (\DUrole, \hyperlink) may sit in a figure caption.
\AtBeginDocument{\robustify\DUrole\robustify\hyperlink}
% calcbook.latexpages: no image taller than three quarters of the text block (Sphinx's cap is
% the whole block), so that a tall figure (two stacked panels) keeps its caption on its page.
\makeatletter
\AtBeginDocument{\spx@image@maxheight=0.75\textheight}
\makeatother
"""


def latex_preamble(macros: dict[str, Any]) -> str:
    r"""Return LaTeX that defines the book's maths macros for the PDF, and its LaTeX fixes.

    Parameters
    ----------
    macros : dict
        ``calcbook_tex_macros``: a name (without the backslash) to its body, or to
        ``[body, number_of_arguments]``.

    Returns
    -------
    str
        Lines for ``latex_elements["preamble"]``. A macro without arguments means its body in
        maths and keeps any meaning LaTeX gave its name in text (``\d`` is also LaTeX's
        dot-under accent).

    Raises
    ------
    ValueError
        If a name is not made of letters, which a LaTeX command name must be.

    Examples
    --------
    >>> print(latex_preamble({"R": r"\mathbb{R}"}).splitlines()[1])
    \let\calcbookTextR\R
    """
    lines = ["% calcbook.latexpages: the macros of calcbook_tex_macros"]
    for name, value in macros.items():
        if not name.isascii() or not name.isalpha():
            raise ValueError(f"macro name {name!r} is not a LaTeX command name (letters only)")
        if isinstance(value, str):
            lines += [
                f"\\let\\calcbookText{name}\\{name}",
                f"\\DeclareRobustCommand{{\\{name}}}"
                f"{{\\ifmmode {value}\\else\\expandafter\\calcbookText{name}\\fi}}",
            ]
        else:
            body, count = value[0], int(value[1])
            lines.append(f"\\DeclareRobustCommand{{\\{name}}}[{count}]{{{body}}}")
    return "\n".join(lines) + "\n" + _PREAMBLE_FIXES


def interaction(figure_text: str) -> str | None:
    """Return what a reader does with a Plotly figure online, or ``None`` if it reads as printed.

    Parameters
    ----------
    figure_text : str
        The text the figure's output holds in the document: its HTML with the figure's JSON.

    Returns
    -------
    str or None
        A phrase from :data:`INTERACTIONS` ("move the slider", ...), for the first pattern found.

    Examples
    --------
    >>> interaction('{"layout": {"sliders":[{"active": 0}]}}')
    'move the slider'
    >>> interaction('{"layout": {"title": "static"}}') is None
    True
    """
    for pattern, phrase in INTERACTIONS:
        if re.search(pattern, figure_text):
            return phrase
    return None


def online_note(phrase: str, url: str) -> nodes.paragraph:
    """Return the sentence that sends a reader of the PDF to the interactive figure online.

    Parameters
    ----------
    phrase : str
        What the reader does there, e.g. ``"move the slider"``.
    url : str
        The figure in the online book.

    Returns
    -------
    docutils.nodes.paragraph
        "Printed here in its first state; online you can move the slider: <url>".
    """
    paragraph = nodes.paragraph(classes=["calcbook-online-note"])
    paragraph += nodes.emphasis(
        "", f"Printed here in its first state; in the online book you can {phrase}: "
    )
    paragraph += nodes.reference(url, url, refuri=url)
    return paragraph


def figure_interaction(bundle: nodes.Element) -> str | None:
    """Return what a reader does online with the Plotly figure of a cell output, if anything.

    Parameters
    ----------
    bundle : docutils.nodes.Element
        myst-nb's container of one output's MIME types (``nb_element="mime_bundle"``).

    Returns
    -------
    str or None
        The phrase of :func:`interaction`: for HTML read from the figure's JSON in the page; for
        LaTeX, where the output is the figure's PDF twin, from the image node's
        :data:`INTERACTION_ATTRIBUTE`, which :mod:`calcbook.sphinxext` sets.
    """
    for child in bundle.children:
        if child.get("mime_type") != PLOTLY_MIME:
            continue
        for image in child.findall(nodes.image):
            if image.get(INTERACTION_ATTRIBUTE):
                return image[INTERACTION_ATTRIBUTE]
        phrase = interaction("".join(raw.astext() for raw in child.findall(nodes.raw)))
        if phrase is not None:
            return phrase
    return None


def _is_plotly_bundle(node: nodes.Node) -> bool:
    return (
        isinstance(node, nodes.container)
        and node.get("nb_element") == "mime_bundle"
        and any(child.get("mime_type") == PLOTLY_MIME for child in node.children)
    )


class InteractiveFigureNotes(SphinxTransform):
    """Add a PDF-only sentence and link under each Plotly figure that needs interaction.

    Runs when a page is read, so the note is in the builder-independent document; it sits in an
    ``only`` node for the ``latex`` format, which every HTML build removes again. A figure with a
    caption gets the note as its legend (printed with it, inside the float); an output without
    one gets a paragraph after it.
    """

    default_priority = 900

    def apply(self, **kwargs: Any) -> None:
        """Find the Plotly outputs of the page and add a note under the interactive ones."""
        base = (self.config.html_baseurl or "").rstrip("/")
        if not base:
            return
        for bundle in list(self.document.findall(_is_plotly_bundle)):
            phrase = figure_interaction(bundle)
            if phrase is None:
                continue
            figure = next(
                (a for a in _ancestors(bundle) if isinstance(a, nodes.figure)),
                None,
            )
            anchor = f"#{figure['ids'][0]}" if figure is not None and figure["ids"] else ""
            url = f"{base}/{self.env.docname}.html{anchor}"
            only = addnodes.only(expr="latex")
            if figure is not None:
                only += nodes.legend("", online_note(phrase, url))
                figure += only
            else:
                only += online_note(phrase, url)
                bundle.parent.insert(bundle.parent.index(bundle) + 1, only)


def _ancestors(node: nodes.Node):
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


class SolutionsAtSectionEnd(SphinxPostTransform):
    """In the PDF, move each page's solutions to a "Solutions" heading at the end of the page.

    The LaTeX builder joins the whole book into one document before its post-transforms run;
    each page sits in a ``start_of_file`` node. The solutions of a page are moved, in order, to
    the end of the page's top section, under a rubric, before any page nested in it. Runs after
    sphinx-exercise has given every solution its title ("Solution to Exercise 3.2.1").
    """

    #: After sphinx-exercise titles the solutions (20-22) and references are resolved, before
    #: sphinx-jupyterbook-latex rearranges the joined document (700) around its parts.
    default_priority = 650
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        """Move the solutions of every page of the joined document."""
        from sphinx_exercise.nodes import solution_node

        # Walk the children lists, which the LaTeX writer follows, not the parent links,
        # which the joining and sphinx-exercise leave stale for some nodes.
        by_page: dict[int, tuple[nodes.Element, list[tuple[nodes.Element, nodes.Element]]]] = {}

        def walk(node: nodes.Element, page: nodes.Element) -> None:
            for child in list(node.children):
                if isinstance(child, solution_node):
                    by_page.setdefault(id(page), (page, []))[1].append((node, child))
                elif isinstance(child, addnodes.start_of_file):
                    walk(child, child)
                elif isinstance(child, nodes.Element):
                    walk(child, page)

        walk(self.document, self.document)
        for page, found in by_page.values():
            top = next((c for c in page.children if isinstance(c, nodes.section)), None)
            if top is None:
                continue
            for parent, solution in found:
                parent.children.remove(solution)
            solutions = [solution for _, solution in found]
            nested = next(
                (
                    i
                    for i, c in enumerate(top.children)
                    if isinstance(c, nodes.Element)
                    and next(iter(c.findall(addnodes.start_of_file)), None) is not None
                ),
                len(top.children),
            )
            top[nested:nested] = [nodes.rubric("", "Solutions"), *solutions]


class LatexLabelFixes(SphinxPostTransform):
    """Mend the labels that would leave question marks in the PDF; LaTeX builds only.

    - sphinx-proof finds the page of a theorem by a section whose names hold the page's title
      in lower case; docutils names a section from the source, so a title with an apostrophe
      (typeset as ’) is not found, and the page's theorems lose their numbers and labels
      ("None:..."). Each page's top section gets its title among its names.
    - sphinx-exercise labels an exercise ``exercise:<label>`` and turns references on the same
      page into links to that; a reference from another page keeps Sphinx's
      ``<page>:<label>``, which is never defined. Those become sphinx-exercise's own.
    - sphinx-jupyterbook-latex prints the root page without its heading, and with it the labels
      of its top section (``(intro)=``); they are put back as LaTeX labels.
    """

    #: Before sphinx-jupyterbook-latex rearranges the joined document (700).
    default_priority = 640
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        """Mend the three kinds of labels in the joined document."""
        from sphinx_exercise.nodes import exercise_enumerable_node, exercise_latex_number_reference

        titles = self.env.titles
        for section in self.document.findall(nodes.section):
            docname = section.get("docname")
            if (
                docname in titles
                and isinstance(section[0], nodes.title)
                and section[0].astext() == titles[docname].astext()
            ):
                title = titles[docname].astext().lower()
                if title not in section["names"]:
                    section["names"].append(title)
                if docname == self.config.root_doc:
                    labels = "".join(
                        rf"\phantomsection\label{{\detokenize{{{docname}:{i}}}}}"
                        for i in section["ids"]
                    )
                    section.insert(1, nodes.raw("", labels + "\n", format="latex"))

        registry = getattr(self.env, "sphinx_exercise_registry", {})
        for ref in list(self.document.findall(addnodes.number_reference)):
            if isinstance(ref, exercise_latex_number_reference):
                continue
            label = ref.get("refuri", "").rpartition("#")[2]
            if isinstance(registry.get(label, {}).get("node"), exercise_enumerable_node):
                new = exercise_latex_number_reference("", "", *ref.children, refid=label)
                ref.replace_self(new)


def _add_latex_preamble(app: Sphinx, config: Config) -> None:
    macros = config.calcbook_tex_macros
    elements = config.latex_elements
    elements["preamble"] = elements.get("preamble", "") + latex_preamble(macros)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension with Sphinx (``sphinx: extra_extensions`` in ``_config.yml``)."""
    app.setup_extension("calcbook.mathrender")  # defines calcbook_tex_macros
    app.connect("config-inited", _add_latex_preamble)
    app.add_transform(InteractiveFigureNotes)
    app.add_post_transform(SolutionsAtSectionEnd)
    app.add_post_transform(LatexLabelFixes)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
