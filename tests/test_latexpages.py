"""Tests of calcbook.latexpages, the extension that the PDF edition (make pdf) needs.

The whole PDF is checked by tests/test_pdf.py after ``make pdf``; these check the pieces on
their own, without TeX.
"""

from __future__ import annotations

import pytest
import yaml
from conftest import ROOT
from docutils import nodes

from calcbook.latexpages import INTERACTIONS, interaction, latex_preamble, online_note


def test_preamble_defines_every_macro_of_the_book() -> None:
    """One list of macros for both editions: each of _config.yml's becomes a LaTeX command."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    macros = config["sphinx"]["config"]["calcbook_tex_macros"]
    preamble = latex_preamble(macros)
    assert set(macros) == {"R", "d"}
    assert r"\DeclareRobustCommand{\R}{\ifmmode \mathbb{R}\else" in preamble
    # \d keeps LaTeX's text meaning (the dot-under accent) outside maths.
    assert r"\let\calcbookTextd\d" in preamble
    assert r"\DeclareRobustCommand{\d}{\ifmmode \mathrm{d}\else\expandafter\calcbookTextd\fi}" in (
        preamble
    )
    assert r"\robustify\hyperlink" in preamble


def test_preamble_takes_macros_with_arguments() -> None:
    preamble = latex_preamble({"norm": [r"\lVert #1\rVert", 1]})
    assert r"\DeclareRobustCommand{\norm}[1]{\lVert #1\rVert}" in preamble


@pytest.mark.parametrize("name", ["R2", "my_macro", "", "é"])
def test_preamble_rejects_names_latex_cannot_use(name: str) -> None:
    with pytest.raises(ValueError, match="letters only"):
        latex_preamble({name: "x"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"layout":{"meta":{"calcbook_sandpit":{"level":1}},"sliders":[{}]}}', "Sandpit"),
        ('{"layout":{"meta":{"calcbook_match":{"A":2}}}}', "matching game"),
        ('{"layout":{"meta":{"calcbook_taylor":{}}}}', "order"),
        ('{"layout":{"sliders":[{"active":0}]}}', "slider"),
        ('{"layout":{"updatemenus":[{"buttons":[]}]}}', "buttons"),
        ('{"layout": {"sliders": [ {"active": 0}]}}', "slider"),  # json.dumps spacing
    ],
)
def test_interaction_names_what_a_reader_does_online(text: str, expected: str) -> None:
    phrase = interaction(text)
    assert phrase is not None and expected in phrase


@pytest.mark.parametrize(
    "text",
    [
        '{"layout":{"title":{"text":"a surface"}}}',
        '{"layout":{"sliders":[],"updatemenus":[]}}',  # empty lists: nothing to move
        "",
    ],
)
def test_a_figure_that_reads_as_printed_needs_no_note(text: str) -> None:
    assert interaction(text) is None


def test_the_games_come_before_their_sliders() -> None:
    """The Sandpit has sliders too; the note should say it is a game."""
    phrases = [phrase for _, phrase in INTERACTIONS]
    assert phrases.index("play the Sandpit game") < phrases.index("move the slider")


def test_online_note_links_to_the_figure() -> None:
    url = "https://calcbook.github.io/calcbook/book/intro.html#fig-intro-teaser"
    note = online_note("move the slider", url)
    assert isinstance(note, nodes.paragraph)
    assert note.astext() == (
        f"Printed here in its first state; in the online book you can move the slider: {url}"
    )
    (reference,) = note.findall(nodes.reference)
    assert reference["refuri"] == url
