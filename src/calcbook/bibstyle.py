"""Sphinx extension: the book's citations, author–year in the text and in the reference list.

The pages cite with sphinxcontrib-bibtex, ``{cite:t}`` for "Deisenroth et al. (2020)" and
``{cite:p}`` for "(Deisenroth et al., 2020)". This extension makes the list in
``book/appendix/references.md`` agree with them: each entry is labelled with the same author and
year, and the list is sorted by author, then year, then title. It registers two plugins, which
``_config.yml`` names:

- the pybtex formatting style ``calcbook_author_year`` (``bibtex_default_style``): pybtex's
  ``unsrt`` entries, with :class:`AuthorYearLabelStyle` labels ("Dye et al., 2018") and
  :class:`AuthorYearSortingStyle` order;
- the sphinxcontrib-bibtex referencing style ``calcbook_author_year``
  (``bibtex_reference_style``): sphinxcontrib-bibtex's ``author_year``, in round brackets, whose
  year is the label's, so that where one author has two entries of one year ("…, 2003a" and
  "…, 2003b") the text says which (:class:`AuthorYearReferenceStyle`).

Names are written as the in-text citations write them: the last names of one or two authors
("Boyd and Vandenberghe"), the first author and "et al." for three or more, the editors where
there is no author, and the title where there is neither.
"""

from __future__ import annotations

import functools
import string
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pybtex.plugin
from pybtex.richtext import Text
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting.author_year_title import SortingStyle as AuthorYearTitleSortingStyle
from pybtex.style.template import node
from sphinxcontrib.bibtex.plugin import register_plugin
from sphinxcontrib.bibtex.style.referencing import (
    BracketStyle,
    GroupReferenceStyle,
    PersonStyle,
)
from sphinxcontrib.bibtex.style.referencing.basic_author_year import (
    BasicAuthorYearParentheticalReferenceStyle,
    BasicAuthorYearTextualReferenceStyle,
)
from sphinxcontrib.bibtex.style.referencing.extra_author import ExtraAuthorReferenceStyle
from sphinxcontrib.bibtex.style.referencing.extra_empty import ExtraEmptyReferenceStyle
from sphinxcontrib.bibtex.style.referencing.extra_label import ExtraLabelReferenceStyle
from sphinxcontrib.bibtex.style.referencing.extra_year import ExtraYearReferenceStyle
from sphinxcontrib.bibtex.style.template import join, join2, post_text, pre_text, reference

if TYPE_CHECKING:  # pragma: no cover - typing only
    from pybtex.database import Entry, Person
    from sphinx.application import Sphinx

__all__ = [
    "STYLE",
    "AuthorYearLabelStyle",
    "AuthorYearReferenceStyle",
    "AuthorYearSortingStyle",
    "AuthorYearStyle",
    "label_year",
    "setup",
]

#: The name both plugins are registered under (``bibtex_default_style`` and
#: ``bibtex_reference_style`` in ``_config.yml``).
STYLE = "calcbook_author_year"


@functools.cache
def _plugin(group: str, name: str) -> Any:
    """Return an instance of a pybtex plugin, found once.

    Each search reads the entry points of every installed package: a fiftieth of a second.
    """
    return pybtex.plugin.find_plugin(group, name)()


def _plain(latex: str) -> str:
    """Return BibTeX text as a reader sees it: accents decoded, braces gone."""
    return Text.from_latex(latex).render(_plugin("pybtex.backends", "text"))


def _last_name(person: Person) -> str:
    """Return the last name of `person` as the citations print it ("van der Walt", "Süli")."""
    name = _plugin("pybtex.style.names", "last").format(person, True).format()
    return name.render(_plugin("pybtex.backends", "text"))


def _who(entry: Entry) -> str:
    """Return the names of a label: one or two last names, or the first and "et al."."""
    for role in ("author", "editor"):
        persons = entry.persons.get(role)
        if persons:
            names = [_last_name(person) for person in persons]
            if len(names) > 2:
                return f"{names[0]} et al."
            return " and ".join(names)
    return _plain(entry.fields.get("title", "Anonymous"))


class AuthorYearLabelStyle(BaseLabelStyle):
    """Labels "Dye et al., 2018": the in-text citation's author and year.

    Where two entries would get the same label, their years get the letters a, b, … in the
    order of the list ("National Institute of Standards and Technology, 2003a").

    Examples
    --------
    >>> from pybtex.database import Entry, Person
    >>> def book(key, authors, year):
    ...     entry = Entry("book", fields={"title": key, "year": year})
    ...     entry.persons["author"] = [Person(name) for name in authors]
    ...     return entry
    >>> entries = [book("a", ["Boyd, Stephen", "Vandenberghe, Lieven"], "2004"),
    ...            book("b", ["Dye, David", "Cooper, Samuel", "Page, Freddie"], "2018"),
    ...            book("c", ["{NIST}"], "2003"), book("d", ["{NIST}"], "2003")]
    >>> list(AuthorYearLabelStyle().format_labels(entries))
    ['Boyd and Vandenberghe, 2004', 'Dye et al., 2018', 'NIST, 2003a', 'NIST, 2003b']
    """

    def format_labels(self, sorted_entries: Iterable[Entry]) -> Iterator[str]:
        """Yield the label of each entry, in the order given (the list's)."""
        bases = [f"{_who(entry)}, {entry.fields.get('year', 'n.d.')}" for entry in sorted_entries]
        repeated = Counter(bases)
        used: Counter[str] = Counter()
        for base in bases:
            if repeated[base] == 1:
                yield base
            else:
                yield base + string.ascii_lowercase[used[base]]
                used[base] += 1


class AuthorYearSortingStyle(AuthorYearTitleSortingStyle):
    r"""pybtex's author, year, title order, on names and titles as a reader sees them.

    pybtex compares the BibTeX source: ``{National Institute …}`` sorted after every name
    (``{`` comes after the letters) and ``S{\"u}li`` among the ``S{``. Here braces go and
    accents are decoded first, so they sort under N and S.
    """

    def sorting_key(self, entry: Entry) -> tuple[str, str, str]:
        """Return (authors or editors, year, title), each in plain lower-case text."""
        author, year, title = super().sorting_key(entry)
        return author, year, _plain(title).lower()

    def person_key(self, person: Person) -> str:
        """Return the person as "last names  first names  lineage", plain and lower-case."""
        return _plain(super().person_key(person)).lower()


class AuthorYearStyle(UnsrtStyle):
    """pybtex's ``unsrt`` entries, labelled by author and year and sorted by author."""

    default_label_style = AuthorYearLabelStyle
    default_sorting_style = AuthorYearSortingStyle


@node
def label_year(children: list, data: dict[str, Any]) -> Text:
    """Return the year of a citation as the entry's label in the list has it ("2003b").

    The label is "names, year" (:class:`AuthorYearLabelStyle`): its year is what follows the
    last ", ", with the letter that tells two entries of one author and year apart.
    """
    assert not children
    return Text(data["formatted_entry"].label.rpartition(", ")[2])


@dataclass
class _Parenthetical(BasicAuthorYearParentheticalReferenceStyle):
    """(Names, year), the year as the label has it."""

    def inner(self, role_name: str):
        return join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[
            pre_text,
            reference[
                join(sep=self.author_year_sep)[
                    self.person.author_or_editor_or_title(full="s" in role_name),
                    label_year,
                ]
            ],
            post_text,
        ]


@dataclass
class _Textual(BasicAuthorYearTextualReferenceStyle):
    """Names (year), the year as the label has it."""

    def inner(self, role_name: str):
        return join(sep=self.text_reference_sep)[
            self.person.author_or_editor_or_title(full="s" in role_name),
            join[
                self.bracket.left,
                join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[
                    pre_text,
                    reference[label_year],
                    post_text,
                ],
                self.bracket.right,
            ],
        ]


@dataclass
class _Year(ExtraYearReferenceStyle):
    """The year alone (``{cite:year}``), as the label has it."""

    def inner(self, role_name: str):
        return reference[label_year]


def _round() -> BracketStyle:
    return BracketStyle(left="(", right=")")


@dataclass
class AuthorYearReferenceStyle(GroupReferenceStyle):
    """sphinxcontrib-bibtex's ``author_year`` citations in round brackets, with the label's year.

    ``{cite:t}`` gives "Deisenroth et al. (2020)", ``{cite:p}`` "(Deisenroth et al., 2020)";
    the other roles (``{cite:author}``, ``{cite:year}``, ``{cite:label}`` …) work as upstream.
    """

    #: How names are written (the templates find it on the style, as upstream's).
    person: PersonStyle = field(default_factory=PersonStyle)

    def __post_init__(self) -> None:
        self.styles.extend(
            [
                _Parenthetical(bracket=_round(), person=self.person),
                _Textual(bracket=_round(), person=self.person),
                ExtraAuthorReferenceStyle(bracket=_round(), person=self.person),
                ExtraLabelReferenceStyle(bracket=_round()),
                _Year(bracket=_round()),
                ExtraEmptyReferenceStyle(),
            ]
        )
        super().__post_init__()


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the two plugins under :data:`STYLE` (``_config.yml`` chooses them)."""
    pybtex.plugin.register_plugin("pybtex.style.formatting", STYLE, AuthorYearStyle)
    register_plugin("sphinxcontrib.bibtex.style.referencing", STYLE, AuthorYearReferenceStyle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
