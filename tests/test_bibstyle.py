"""Tests for calcbook.bibstyle: author–year labels, the list's order, the in-text year.

The whole book's bibliography goes through the style here; tests/test_site.py checks the built
reference list and the citations in the pages against each other.
"""

from __future__ import annotations

import functools
import re
from types import SimpleNamespace

import pybtex.plugin
import pybtex_docutils
import pytest
from conftest import ROOT
from pybtex.database import Entry, Person, parse_file
from sphinxcontrib.bibtex.plugin import find_plugin
from sphinxcontrib.bibtex.style.referencing import format_references
from sphinxcontrib.bibtex.style.template import SphinxReferenceInfo

from calcbook import bibstyle
from calcbook.bibstyle import (
    STYLE,
    AuthorYearLabelStyle,
    AuthorYearReferenceStyle,
    AuthorYearSortingStyle,
    AuthorYearStyle,
)

BIB = parse_file(ROOT / "book" / "references.bib")


def entry(kind: str = "book", *, authors=(), editors=(), **fields) -> Entry:
    made = Entry(kind, fields={"title": "A Title", **fields})
    if authors:
        made.persons["author"] = [Person(name) for name in authors]
    if editors:
        made.persons["editor"] = [Person(name) for name in editors]
    return made


def labels(entries) -> list[str]:
    return list(AuthorYearLabelStyle().format_labels(entries))


class TestLabels:
    @pytest.mark.parametrize(
        ("authors", "expected"),
        [
            (["Armijo, Larry"], "Armijo, 1966"),
            (["Boyd, Stephen", "Vandenberghe, Lieven"], "Boyd and Vandenberghe, 1966"),
            (["Dye, David", "Cooper, Samuel J.", "Page, A. Freddie"], "Dye et al., 1966"),
            (["van der Walt, Stéfan"], "van der Walt, 1966"),
            ([r"S{\"u}li, Endre"], "Süli, 1966"),
            (
                ["{National Institute of Standards and Technology}"],
                "National Institute of Standards and Technology, 1966",
            ),
        ],
    )
    def test_names_as_the_citations_write_them(self, authors, expected) -> None:
        assert labels([entry(authors=authors, year="1966")]) == [expected]

    def test_editors_then_title_then_no_year(self) -> None:
        found = labels(
            [
                entry(editors=["Gauss, Carl"], year="1801"),
                entry(title="{StRD}: Data Sets", year="2003"),
                entry(authors=["Anon, A."]),
            ]
        )
        assert found == ["Gauss, 1801", "StRD: Data Sets, 2003", "Anon, n.d."]

    def test_same_author_and_year_get_letters_in_list_order(self) -> None:
        entries = [
            entry(authors=["Knuth, Donald"], year="1968"),
            entry(authors=["Knuth, Donald"], year="1969"),
            entry(authors=["Knuth, Donald"], year="1968"),
            entry(authors=["Knuth, Donald"], year="1968"),
        ]
        assert labels(entries) == ["Knuth, 1968a", "Knuth, 1969", "Knuth, 1968b", "Knuth, 1968c"]

    def test_the_books_labels_are_unique(self) -> None:
        style = AuthorYearStyle()
        found = list(style.format_labels(style.sort(BIB.entries.values())))
        assert len(set(found)) == len(found) == len(BIB.entries)
        assert all(re.fullmatch(r".+, \d{4}[a-z]?", label) for label in found), found
        # The two NIST data sets of 2003, in the order of their titles.
        nist = [label for label in found if label.startswith("National Institute")]
        assert [label[-5:] for label in nist] == ["2003a", "2003b"]


class TestSorting:
    def test_by_author_then_year_then_title(self) -> None:
        entries = [
            entry(authors=["Zhang, Aston"], year="2023", title="Dive"),
            entry(authors=["Boyd, Stephen"], year="2004", title="Convex"),
            entry(authors=["Boyd, Stephen"], year="1999", title="Zzz"),
            entry(authors=["Boyd, Stephen"], year="2004", title="Another"),
        ]
        ordered = AuthorYearSortingStyle().sort(entries)
        assert [
            (e.persons["author"][0].last_names[0], e.fields["year"], e.fields["title"])
            for e in ordered
        ] == [
            ("Boyd", "1999", "Zzz"),
            ("Boyd", "2004", "Another"),
            ("Boyd", "2004", "Convex"),
            ("Zhang", "2023", "Dive"),
        ]

    def test_braces_and_accents_sort_as_read(self) -> None:
        entries = [
            entry(authors=["{National Institute of Standards and Technology}"], year="2003"),
            entry(authors=["Newville, Matthew"], year="2014"),
            entry(authors=[r"S{\"u}li, Endre"], year="2003"),
            entry(authors=["Stewart, James"], year="2015"),
            entry(authors=["Nocedal, Jorge"], year="2006"),
        ]
        found = labels(AuthorYearSortingStyle().sort(entries))
        # pybtex's own key would put "{National ..." after every name and "S{\"u}li" first
        # among the S's.
        assert found == [
            "National Institute of Standards and Technology, 2003",
            "Newville, 2014",
            "Nocedal, 2006",
            "Stewart, 2015",
            "Süli, 2003",
        ]

    def test_the_books_list_is_in_author_order(self) -> None:
        style = AuthorYearStyle()
        found = list(style.format_labels(style.sort(BIB.entries.values())))
        assert found[0].startswith("Andrae") and found[-1].startswith("Zhang")
        firsts = [label.split(",")[0].split(" and ")[0].removesuffix(" et al.") for label in found]
        assert firsts == sorted(firsts, key=str.casefold)


class TestPlugins:
    def test_registered_under_the_configured_name(self) -> None:
        bibstyle.setup(None)  # what Sphinx does when the book's config loads the extension
        assert pybtex.plugin.find_plugin("pybtex.style.formatting", STYLE) is AuthorYearStyle
        referencing = find_plugin("sphinxcontrib.bibtex.style.referencing", STYLE)
        assert referencing is AuthorYearReferenceStyle
        config = (ROOT / "_config.yml").read_text()
        assert f"bibtex_default_style: {STYLE}" in config
        assert f"bibtex_reference_style: {STYLE}" in config
        assert "- calcbook.bibstyle" in config

    def test_every_role_has_round_brackets_and_the_labels_year(self) -> None:
        style = AuthorYearReferenceStyle()
        roles = set(style.role_names())
        assert {"p", "t", "ps", "ts", "ct", "alp", "year", "yearpar", "author", "label"} <= roles
        for role in ("p", "t", "yearpar"):
            assert style.role_style[role].bracket.left == "("
            assert style.role_style[role].bracket.right == ")"
        for role in ("p", "t", "year"):
            assert "label_year" in repr(style.inner(role))


@functools.cache
def formatted_entries() -> dict:
    """The book's entries as the reference list formats them, by key."""
    style = AuthorYearStyle()
    ordered = style.sort(BIB.entries.values())
    return {e.key: f for e, f in zip(ordered, style.format_entries(ordered), strict=True)}


def cite(role: str, key: str) -> str:
    """The text of ``{cite:<role>}`key``` as the book's HTML pages write it."""
    formatted = formatted_entries()
    builder = SimpleNamespace(name="html", get_relative_uri=lambda here, there: "refs.html")
    info = SphinxReferenceInfo(builder, "page", "refs", "id1", None, "", "")
    text = format_references(
        AuthorYearReferenceStyle(), role, [(BIB.entries[key], formatted[key], info)]
    )
    return "".join(node.astext() for node in text.render(pybtex_docutils.Backend()))


@pytest.mark.parametrize(
    ("key", "textual", "parenthetical"),
    [
        ("dye2018mmlcourse", "Dye et al. (2018)", "(Dye et al., 2018)"),
        ("boyd2004convex", "Boyd and Vandenberghe (2004)", "(Boyd and Vandenberghe, 2004)"),
        ("armijo1966minimization", "Armijo (1966)", "(Armijo, 1966)"),
        (
            "nist2003strd",
            "National Institute of Standards and Technology (2003b)",
            "(National Institute of Standards and Technology, 2003b)",
        ),
    ],
)
def test_citations_in_the_text_read_like_the_lists_labels(key, textual, parenthetical) -> None:
    assert cite("t", key) == textual
    assert cite("p", key) == parenthetical
    assert cite("p", key) == f"({formatted_entries()[key].label})"
    assert cite("year", key) == textual.rpartition("(")[2].rstrip(")")
