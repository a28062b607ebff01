"""Theme codebooks: load, validate and match them against text.

A codebook is a YAML file::

    themes:
      cybercrime:
        label: Cybercrime                 # optional, defaults to the name in title case
        group: focus                      # optional: focus (the study's themes) or baseline
        description: ...                  # optional
        include: ["cybercrime*", "cyber crime*", "ransomware"]
        exclude: ["Office on Drugs and Crime"]   # optional

Pattern syntax (case-insensitive, whole words):

* ``*`` at the end of a word matches any word ending (``cybercrime*``: cybercrime, cybercrimes);
* a space or hyphen between words matches any run of spaces, line breaks or hyphens, so
  ``cyber crime`` also finds "cyber-crime";
* ``(a|b)`` offers alternatives inside a pattern: ``illegal (logging|fishing)``.

A match of an ``exclude`` phrase cancels every include match that overlaps it, so
``drug*`` with the exclude ``Office on Drugs and Crime`` does not count UNODC's name.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml

from ..errors import CodebookError
from ..text.patterns import (WORD_GAP, PatternSet, anchor_positions, anchors_in, merge_anchor_kinds, pattern_regex,
                       vocabulary, words_of)

TOP_LEVEL_KEYS = {"themes", "version", "description"}
THEME_KEYS = {"label", "description", "include", "exclude", "group"}
GROUPS = ("focus", "baseline")
PARAGRAPH_SEPARATOR = "\x00"
THEME_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


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
        lower = text.lower() if lower is None else lower
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
        ``\x00`` and lower-cased, when the caller has them already.
        """
        joined = PARAGRAPH_SEPARATOR.join(texts)
        starts, offset = [], 0
        for text in texts:
            starts.append(offset)
            offset += len(text) + 1
        lower = joined.lower() if lower is None else lower
        vocabulary = vocabulary_of(lower) if vocabulary is None else vocabulary
        found = anchors_in(self.anchor_kinds, vocabulary)
        positions = anchor_positions(found, lower)  # each anchor is looked for once, for all themes
        order = {name: i for i, name in enumerate(self.names)}
        results = [[] for _ in texts]
        for theme in self.themes:
            for match in theme.find(joined, theme.anchors_in(vocabulary, found), lower, positions):
                i = bisect.bisect_right(starts, match.start) - 1
                results[i].append(Match(match.theme, match.pattern, match.start - starts[i], match.end - starts[i]))
        return [sorted(matches, key=lambda m: (m.start, order[m.theme], m.end)) for matches in results]

    def multiword_patterns(self) -> list[str]:
        """Include patterns of more than one word, for joining them into single tokens."""
        return sorted({p for t in self.themes for p in t.include if len(re.split(WORD_GAP, p)) > 1})


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses a key given twice in one mapping (PyYAML keeps the last)."""


def _construct_unique_mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            line = key_node.start_mark.line + 1
            raise CodebookError(f"{loader.name}, line {line}: {key!r} is given twice (duplicate theme or key)")
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping)


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate a codebook file; raises :class:`CodebookError` naming the theme at fault."""
    path = Path(path)
    if not path.is_file():
        raise CodebookError(f"{path}: no such codebook file")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise CodebookError(f"{path}: not UTF-8 text (byte {error.start})") from None
    loader = _UniqueKeyLoader(text)
    loader.name = str(path)
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as error:
        raise CodebookError(f"{path}: not valid YAML ({error})") from None
    finally:
        loader.dispose()
    return codebook_from_dict(data, source=str(path))


def codebook_from_dict(data, source: str = "<codebook>") -> Codebook:
    """Validate a parsed codebook mapping and compile its patterns."""
    if not isinstance(data, dict) or "themes" not in data:
        raise CodebookError(f"{source}: expected a mapping with a 'themes' key")
    unknown = set(data) - TOP_LEVEL_KEYS
    if unknown:
        raise CodebookError(f"{source}: unknown top-level key(s) {', '.join(sorted(map(str, unknown)))}")
    themes = data["themes"]
    if not isinstance(themes, dict) or not themes:
        raise CodebookError(f"{source}: 'themes' must map theme names to their definitions")
    return Codebook(tuple(_theme(name, spec, source) for name, spec in themes.items()), path=source)


def _theme(name, spec, source: str) -> Theme:
    where = f"{source}: theme {name!r}"
    if not isinstance(name, str) or not THEME_NAME.match(name):
        raise CodebookError(f"{where}: a theme name must be lower case letters, digits and underscores")
    if not isinstance(spec, dict):
        raise CodebookError(f"{where}: expected a mapping with at least an 'include' list")
    unknown = set(spec) - THEME_KEYS
    if unknown:
        raise CodebookError(
            f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))} (allowed: {', '.join(sorted(THEME_KEYS))})"
        )
    include = _pattern_list(spec.get("include"), f"{where}, include")
    if not include:
        raise CodebookError(f"{where}: has no include terms")
    exclude = _pattern_list(spec.get("exclude") or [], f"{where}, exclude")
    group = spec.get("group", "baseline")
    if group not in GROUPS:
        raise CodebookError(f"{where}: group {group!r} is not one of {', '.join(GROUPS)}")
    for key in ("label", "description"):
        if key in spec and not isinstance(spec[key], str):
            raise CodebookError(f"{where}: {key} must be text")
    return Theme(
        name=name,
        label=spec.get("label") or name.replace("_", " ").capitalize(),
        include=include,
        exclude=exclude,
        description=(spec.get("description") or "").strip(),
        group=group,
        includes=PatternSet(include),
        excludes=PatternSet(exclude) if exclude else None,
    )


def _pattern_list(value, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, list):
        raise CodebookError(f"{where}: expected a list of patterns")
    patterns = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise CodebookError(f"{where}: {item!r} is not a pattern (a non-empty string)")
        pattern = " ".join(item.split())
        try:
            pattern_regex(pattern)
        except ValueError as error:
            raise CodebookError(f"{where}: pattern {item!r} {error}") from None
        if pattern in patterns:
            raise CodebookError(f"{where}: pattern {item!r} is listed twice")
        patterns.append(pattern)
    return tuple(patterns)
