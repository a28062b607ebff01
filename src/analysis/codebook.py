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

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import CodebookError

TOP_LEVEL_KEYS = {"themes", "version", "description"}
THEME_KEYS = {"label", "description", "include", "exclude", "group"}
GROUPS = ("focus", "baseline")
THEME_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
WORD_GAP = r"[\s\-]+"
UNSUPPORTED = set("?[]{}+\\^$.")


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
    include_regex: re.Pattern = field(repr=False, compare=False, default=None)
    exclude_regex: re.Pattern | None = field(repr=False, compare=False, default=None)

    def find(self, text: str) -> list[Match]:
        """All include matches in ``text`` that no exclude match overlaps, in text order."""
        found = [
            Match(self.name, self.include[int(m.lastgroup[1:])], m.start(), m.end())
            for m in self.include_regex.finditer(text)
        ]
        if found and self.exclude_regex is not None:
            blocked = [m.span() for m in self.exclude_regex.finditer(text)]
            found = [m for m in found if not any(s < m.end and m.start < e for s, e in blocked)]
        return found


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

    def find(self, text: str) -> list[Match]:
        """Every theme's matches in ``text``, ordered by position, then theme order."""
        order = {name: i for i, name in enumerate(self.names)}
        matches = [m for theme in self.themes for m in theme.find(text)]
        return sorted(matches, key=lambda m: (m.start, order[m.theme], m.end))

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
        include_regex=_compile(include, named=True),
        exclude_regex=_compile(exclude, named=False) if exclude else None,
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


def pattern_regex(pattern: str) -> str:
    """Translate one codebook pattern into a regular expression (without word boundaries)."""
    parts = []
    depth = 0
    previous = ""
    for char in pattern:
        if char == "(":
            depth += 1
            parts.append("(?:")
        elif char == ")":
            if depth == 0 or previous in "(|":
                raise ValueError("has an unbalanced or empty ')'")
            depth -= 1
            parts.append(")")
        elif char == "|":
            if depth == 0:
                raise ValueError("uses '|' outside parentheses; list the alternatives as separate patterns")
            if previous in "(|":
                raise ValueError("has an empty alternative")
            parts.append("|")
        elif char == "*":
            if not (previous.isalnum() or previous == ")"):
                raise ValueError("has '*' that does not end a word")
            parts.append(r"\w*")
        elif char in UNSUPPORTED:
            raise ValueError(f"uses {char!r}, which the pattern syntax does not have (only *, ( | ))")
        elif char in " -":
            if previous not in " -":
                parts.append(WORD_GAP)
        else:
            parts.append(re.escape(char))
        previous = char
    if depth:
        raise ValueError("has an unbalanced '('")
    if not any(c.isalnum() for c in pattern):
        raise ValueError("has no letters or digits")
    return "".join(parts)


def _compile(patterns, named: bool) -> re.Pattern:
    """One regex for a list of patterns; longer patterns first so the longest match wins."""
    order = sorted(range(len(patterns)), key=lambda i: (-len(patterns[i]), i))
    alternatives = [
        f"(?P<p{i}>{pattern_regex(patterns[i])})" if named else f"(?:{pattern_regex(patterns[i])})"
        for i in order
    ]
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)
