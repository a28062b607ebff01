"""Read and validate a theme codebook (YAML); the result is a :class:`~analysis.text.codebook.Codebook`.

A codebook file::

    themes:
      cybercrime:
        label: Cybercrime                 # optional, defaults to the name in sentence case
        group: focus                      # optional: focus (the study's themes) or baseline
        description: ...                  # optional
        include: ["cybercrime*", "cyber crime*", "ransomware"]
        exclude: ["Office on Drugs and Crime"]   # optional

The pattern syntax is :mod:`analysis.text.patterns`'s. Validation stops with a message naming
the file, the theme and, for YAML errors, the line. YAML aliases (``*name``) are refused here and
in parameter files (:func:`load_yaml`): a few hundred bytes of nested aliases expand into
billions of values.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import yaml

from ..errors import CodebookError
from ..text.codebook import GROUPS, Codebook, Theme
from ..text.patterns import PatternSet, pattern_regex

TOP_LEVEL_KEYS = {"themes", "version", "description", "written_from"}
THEME_KEYS = {"label", "description", "include", "exclude", "group"}
THEME_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class _NoAliasLoader(yaml.SafeLoader):
    """PyYAML's safe loader without aliases: each value is written out where it is used."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, f"the alias *{event.anchor} is not accepted (aliases can expand a small file into "
                            "billions of values); write the value out", event.start_mark)
        return super().compose_node(parent, index)


def load_yaml(text: str, name: str = "<text>"):
    """``yaml.safe_load(text)`` that refuses aliases; raises ``yaml.YAMLError`` (whose message
    gives ``name`` and the line)."""
    loader = _NoAliasLoader(text)
    loader.name = name
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


class _UniqueKeyLoader(_NoAliasLoader):
    """A YAML loader that refuses aliases and a key given twice in one mapping (PyYAML keeps the last)."""


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


def read_codebook(path: str | Path) -> Codebook:
    """Read and validate a codebook file; raises :class:`CodebookError` naming the theme at fault."""
    path = Path(path)
    if not path.is_file():
        raise CodebookError(f"{path}: no such codebook file")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise CodebookError(f"{path}: not UTF-8 text (byte {error.start})") from None
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    loader = _UniqueKeyLoader(text)
    loader.name = str(path)
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as error:
        raise CodebookError(f"{path}: not valid YAML ({error})") from None
    finally:
        loader.dispose()
    return codebook_from_dict(data, source=str(path), digest=digest)


def codebook_from_dict(data, source: str = "<codebook>", digest: str | None = None) -> Codebook:
    """Validate a parsed codebook mapping and compile its patterns. ``digest`` identifies the
    codebook in cache keys and provenance (default: SHA-256 of the mapping as sorted JSON)."""
    if not isinstance(data, dict) or "themes" not in data:
        raise CodebookError(f"{source}: expected a mapping with a 'themes' key")
    unknown = set(data) - TOP_LEVEL_KEYS
    if unknown:
        raise CodebookError(f"{source}: unknown top-level key(s) {', '.join(sorted(map(str, unknown)))}")
    themes = data["themes"]
    if not isinstance(themes, dict) or not themes:
        raise CodebookError(f"{source}: 'themes' must map theme names to their definitions")
    written_from = data.get("written_from") or []
    if not isinstance(written_from, list) or not all(isinstance(d, str) and d for d in written_from):
        raise CodebookError(f"{source}: 'written_from' must be a list of the doc_ids the patterns were drawn from")
    if digest is None:
        digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode("utf-8")).hexdigest()
    return Codebook(tuple(_theme(name, spec, source) for name, spec in themes.items()), path=source, digest=digest,
                    written_from=tuple(written_from))


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
