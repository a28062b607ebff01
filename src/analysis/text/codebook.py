"""Theme codebooks and their matching against text (reading and validating a codebook file is
:mod:`analysis.io.codebook`).

A :class:`Codebook` holds :class:`Theme` objects, each with its include and exclude patterns.

Pattern syntax (case-insensitive, whole words):

* ``*`` at the end of a word matches any word ending (``cybercrime*``: cybercrime, cybercrimes);
* a space or hyphen between words matches any run of spaces, line breaks or hyphens, so
  ``cyber crime`` also finds "cyber-crime";
* ``(a|b)`` offers alternatives inside a pattern: ``illegal (logging|fishing)``.

So that matching takes bounded time whatever the text, ``*`` may only end a word (not
``cyber*crime``), a space or hyphen may not touch ``(``, ``|`` or ``)`` on their inner side,
and a pattern may be read in at most 256 ways (see :mod:`analysis.text.patterns`).

A match of an ``exclude`` phrase cancels every include match that overlaps it, so
``drug*`` with the exclude ``Office on Drugs and Crime`` does not count UNODC's name.

Two themes whose matches overlap in a text count those words twice: :meth:`Codebook.find_all`
(the matching of the corpus index) warns with an :class:`OverlappingThemesWarning` naming both
themes and their patterns. The check is made
on the matches, not on the patterns: it costs one comparison per match, and it warns only about
overlaps that happen (a check on the patterns would also warn about "wildlife trafficking" and
"trafficking in persons", which share a word in no text of either corpus).
"""

from __future__ import annotations

import bisect
import hashlib
import json
import re
import warnings
from dataclasses import dataclass, field
from functools import cached_property

from .patterns import (WORD_GAP, PatternSet, anchor_positions, anchors_in, lower_same_length,
                       merge_anchor_kinds, prefilter_regex, vocabulary, words_of)

GROUPS = ("focus", "baseline")
PARAGRAPH_SEPARATOR = "\x00"


class OverlappingThemesWarning(UserWarning):
    """Matches of two themes share words, which then count in both themes."""


@dataclass(frozen=True)
class Match:
    """One occurrence of a theme in a text: ``text[start:end]`` matched ``pattern``."""

    theme: str
    pattern: str
    start: int
    end: int


@dataclass(frozen=True)
class Theme:
    name: str
    label: str
    include: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    description: str = ""
    group: str = "baseline"
    includes: PatternSet = field(repr=False, compare=False, default=None)
    excludes: PatternSet | None = field(repr=False, compare=False, default=None)

    def anchors_in(self, vocabulary: set[str], found: set[str] | None = None) -> tuple:
        """The include and exclude anchors a text with this ``vocabulary`` may hold;
        ``found`` is the set of all the codebook's anchors found so, when known."""
        if found is None:
            found = anchors_in(self.anchor_kinds(), vocabulary)
        return ([a for a in self.includes.anchor_list if a in found],
                [a for a in self.excludes.anchor_list if a in found] if self.excludes is not None else None)

    def anchor_kinds(self) -> dict[str, bool]:
        """Anchor -> whole word, over include and exclude patterns."""
        return merge_anchor_kinds(self.includes.anchor_kinds,
                                  self.excludes.anchor_kinds if self.excludes is not None else {})

    def find(self, text: str, present: tuple | None = None, lower: str | None = None,
             positions: dict[str, list[int]] | None = None) -> list[Match]:
        """All include matches in ``text`` that no exclude match overlaps, in text order.

        ``present`` (from :meth:`anchors_in` over the vocabulary of a text containing ``text``)
        lets the paragraphs of one document share one scan; by default ``text``'s own words.
        ``lower`` and ``positions`` as in :meth:`PatternSet.find`.
        """
        lower = lower_same_length(text) if lower is None else lower
        include_anchors, exclude_anchors = present if present is not None else self.anchors_in(vocabulary_of(lower))
        found = [Match(self.name, self.include[span.pattern], span.start, span.end)
                 for span in self.includes.find(text, include_anchors, lower, positions)]
        if found and self.excludes is not None:
            blocked = [(s.start, s.end) for s in self.excludes.find(text, exclude_anchors, lower, positions)]
            found = [m for m in found if not any(s < m.end and m.start < e for s, e in blocked)]
        return found


def vocabulary_of(lower: str) -> set[str]:
    """The vocabulary of a lower-cased text (for :meth:`PatternSet.present_anchors`)."""
    return vocabulary(words_of(lower))


@dataclass(frozen=True)
class Codebook:
    themes: tuple[Theme, ...]
    path: str = ""
    digest: str = ""  # SHA-256 of the source, for cache keys and provenance
    written_from: tuple[str, ...] = ()  # doc_ids whose wording the patterns quote: counts there are in-sample

    @cached_property
    def patterns_digest(self) -> str:
        """SHA-256 of what decides the matches (each theme's name, includes and excludes, in
        order), so a change of labels or definitions does not count as another codebook."""
        spec = [[theme.name, list(theme.include), list(theme.exclude)] for theme in self.themes]
        return hashlib.sha256(json.dumps(spec).encode("utf-8")).hexdigest()

    @property
    def names(self) -> list[str]:
        return [theme.name for theme in self.themes]

    @property
    def focus(self) -> list[str]:
        return [theme.name for theme in self.themes if theme.group == "focus"]

    def __getitem__(self, name: str) -> Theme:
        for theme in self.themes:
            if theme.name == name:
                return theme
        raise KeyError(name)

    @cached_property
    def anchor_kinds(self) -> dict[str, bool]:
        """Anchor -> whole word, over every theme's patterns."""
        return merge_anchor_kinds(*(theme.anchor_kinds() for theme in self.themes))

    @cached_property
    def prefilter(self) -> str | None:
        """A Rust regular expression (:func:`~analysis.text.patterns.prefilter_regex`) found in
        every lower-cased text that :meth:`find_all` finds a match in, or None when a pattern
        does not start with a literal word: the matcher then reads such patterns case-insensitively
        in the original text, of which the lower-cased one is no sure filter."""
        if any(theme.includes.unanchored for theme in self.themes):
            return None
        return prefilter_regex(p for theme in self.themes for p in theme.include)

    def find(self, text: str) -> list[Match]:
        """Every theme's matches in ``text``, ordered by position, then theme order."""
        return self.find_all([text])[0]

    def find_all(self, texts: list[str], vocabulary: set[str] | None = None,
                 lower: str | None = None) -> list[list[Match]]:
        """:meth:`find` for each of several texts (say the paragraphs of one document).

        The texts are joined with ``\x00``, which no pattern can cross (it is neither a word
        character nor part of a gap between words), and matched in one pass per theme; each
        match is then given back to its text with offsets relative to it. ``vocabulary`` is
        :func:`vocabulary_of` the joined lower-cased texts and ``lower`` those texts joined by
        ``\x00`` and lower-cased (:func:`~analysis.text.patterns.lower_same_length`), when the
        caller has them already. Warns (:class:`OverlappingThemesWarning`) when matches of two
        themes overlap.
        """
        joined = PARAGRAPH_SEPARATOR.join(texts)
        starts, offset = [], 0
        for text in texts:
            starts.append(offset)
            offset += len(text) + 1
        lower = lower_same_length(joined) if lower is None else lower
        vocabulary = vocabulary_of(lower) if vocabulary is None else vocabulary
        found = anchors_in(self.anchor_kinds, vocabulary)
        positions = anchor_positions(found, lower)  # each anchor is looked for once, for all themes
        order = {name: i for i, name in enumerate(self.names)}
        results = [[] for _ in texts]
        for theme in self.themes:
            for match in theme.find(joined, theme.anchors_in(vocabulary, found), lower, positions):
                i = bisect.bisect_right(starts, match.start) - 1
                results[i].append(Match(match.theme, match.pattern, match.start - starts[i], match.end - starts[i]))
        results = [sorted(matches, key=lambda m: (m.start, order[m.theme], m.end)) for matches in results]
        for matches in results:
            _warn_overlaps(matches)
        return results

    def multiword_patterns(self) -> list[str]:
        """Include patterns of more than one word, for joining them into single tokens."""
        return sorted({p for t in self.themes for p in t.include if len(re.split(WORD_GAP, p)) > 1})


def _warn_overlaps(matches: list[Match]) -> None:
    """Warn about each pair of themes with overlapping matches (``matches`` ordered by start);
    Python's warning filter shows a message once, so once per pair of themes and patterns."""
    reaching: dict[str, Match] = {}  # theme -> its match, so far, that ends furthest to the right
    for match in matches:
        for other in reaching.values():
            if other.theme != match.theme and match.start < other.end:
                first, second = sorted((other, match), key=lambda m: m.theme)
                warnings.warn(f"themes {first.theme!r} and {second.theme!r} overlap: their patterns {first.pattern!r} "
                              f"and {second.pattern!r} match the same words, which then count in both themes",
                              OverlappingThemesWarning, stacklevel=3)
        if match.theme not in reaching or match.end > reaching[match.theme].end:
            reaching[match.theme] = match
