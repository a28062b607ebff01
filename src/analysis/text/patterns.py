"""Fast matching of codebook patterns: one scan of a text finds every pattern of a set.

The semantics are those of one regular expression ``(?<!\\w)(?:p1|p2|...)(?!\\w)`` applied
case-insensitively with ``finditer``, the patterns ordered longest first: scanning left to
right, the first position where some pattern matches as whole words wins, the longest pattern
matching there is taken, and scanning resumes after it.

Python's regex engine runs such an alternation slowly (it tries every pattern at every
character), about 5 MB/s for a theme of twenty patterns. :class:`PatternSet` instead takes each
pattern's *anchor*, the literal letters its first word starts with (``cybercrime*`` ->
``cybercrime``; ``(illegal|illicit) logging`` -> ``illegal``, ``illicit``), drops the whole-word
anchors that are not words of the text, finds where the others occur, and verifies the full
pattern there. On the UN General Debate corpus that took theme coding from 30 s to 2.9 s per
1,000 speeches; the result is the same (``tests/test_patterns.py`` compares both on real text).

Matching has bounded cost whatever the pattern and the text: :func:`pattern_regex` refuses the
patterns whose regular expression could backtrack without bound -- a ``*`` that does not end a
word (``a*a*a*a*a* z`` took 2.6 s on a token of 100 letters, over a minute on 200), a space or
hyphen next to ``(``, ``|`` or ``)`` or at either end (two gaps in a row), and more than
:data:`MAX_ALTERNATIVES` ways of reading the alternatives. Every ``\\w*`` is then followed by a
gap or the end of the pattern, every gap by a letter or digit, so each way of reading a pattern
is tried in time linear in the text it spans.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import filterfalse

WORD_GAP = r"[\s\-]+"
RUST_GAP = r"[\s\x1c-\x1f\-]+"  # WORD_GAP for Rust, whose \s lacks Python's \x1c-\x1f
UNSUPPORTED = set("?[]{}+\\^$.")
WORD_CHAR = re.compile(r"\w")
LITERAL_START = re.compile(r"\w+")
# A word, as counted everywhere in the project: letters, with inner hyphens or apostrophes, not
# right after another word character (so "31st" gives no word "st").
WORD = re.compile(r"(?<!\w)[^\W\d_]+(?:['’\-][^\W\d_]+)*")
# The same where the only word characters are ASCII (see words_of), where \w is [0-9a-z_].
ASCII_WORD = re.compile(r"(?<![0-9a-z_])[a-z]+(?:['’\-][a-z]+)*")
# ASCII_WORD in the syntax of Rust's regex crate (Polars), which has no look-behind: "not right
# after [0-9a-z_]" before a letter is an ASCII word boundary (upper-case letters, the only other
# ASCII word characters, do not occur in a lower-cased text).
ASCII_WORD_RUST = r"(?-u:\b)[a-z]+(?:['’\-][a-z]+)*"
NON_ASCII = re.compile(r"[^\x00-\x7f]")
PART_BOUNDARY = re.compile(r"[ '’\-]")
GAP_CHARS = " -"
# A pattern may be read in at most this many ways (the product of its alternatives: "(a|b) (c|d)"
# is read in 4); each way costs a scan of the text it spans. The codebooks use at most 6.
MAX_ALTERNATIVES = 256


def lower_same_length(text: str) -> str:
    """``text.lower()`` with every character kept one character long, so that offsets in the
    lower-cased text are offsets in ``text``: a character whose lower case is longer ("İ" ->
    "i" + combining dot) takes its one-character case fold, else that lower case without its
    combining marks ("İ" -> "i"), else stays as it is."""
    lower = text.lower()
    if len(lower) == len(text):
        return lower
    return "".join(map(_lower_char, text))


@lru_cache(maxsize=None)
def _lower_char(char: str) -> str:
    lower = char.lower()
    if len(lower) == 1:
        return lower
    folded = char.casefold()
    if len(folded) == 1:
        return folded
    base = [c for c in lower if not unicodedata.combining(c)]
    return base[0] if len(base) == 1 else char


def count_words(text: str) -> int:
    """Word tokens as the project counts them everywhere: runs of letters (with inner hyphens
    or apostrophes), numbers and punctuation excluded."""
    return len(WORD.findall(text))


def words_of(lower: str) -> list[str]:
    """``WORD.findall(lower)`` for a lower-cased text, faster when its letters and digits are
    all ASCII (the usual case in English text: a letter of ``WORD`` can then only be ``a-z``,
    and a word character only ``[0-9a-z_]``)."""
    return ASCII_WORD.findall(lower) if ascii_alnum(lower) else WORD.findall(lower)


def ascii_alnum(lower: str) -> bool:
    """Whether the letters and digits of ``lower`` are all ASCII, so that :data:`ASCII_WORD`
    (and :data:`ASCII_WORD_RUST`) find its words."""
    return lower.isascii() or not any(c.isalnum() for c in set(NON_ASCII.findall(lower)))


def vocabulary(words) -> set[str]:
    """The distinct ``words`` (lower case, from :data:`WORD`) and every part of the hyphenated
    ones ("anti-money-laundering" also gives "anti", "money", "laundering"): the words a
    whole-word anchor can be."""
    distinct = set(words)
    joined = list(filterfalse(str.isalpha, distinct))  # the few with a hyphen or apostrophe
    if joined:
        distinct.update(PART_BOUNDARY.split(" ".join(joined)))
    return distinct


def prefilter_regex(patterns) -> str:
    """A regular expression, in the syntax of Rust's regex crate (Polars), that finds a match
    in every lower-cased text (:func:`lower_same_length`) in which one of ``patterns`` matches
    as :class:`PatternSet` matches it, and maybe in a few more: the patterns lower-cased and
    without their word boundaries, ``\\w*`` widened to any run of characters other than a gap's
    and a gap to Python's white space as well as Rust's. Polars scans many texts with it in
    one call, and only the texts it finds go through the exact matcher.
    """
    widened = []
    for pattern in patterns:
        regex = pattern_regex(lower_same_length(pattern))
        widened.append(regex.replace(r"\w*", r"[^\s\-]*").replace(WORD_GAP, RUST_GAP))
    return "|".join(widened)


def pattern_regex(pattern: str) -> str:
    """Translate one codebook pattern into a regular expression (without word boundaries).

    Raises ValueError with the reason when the pattern is malformed.
    """
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
    _check_bounded(pattern)
    return "".join(parts)


def _check_bounded(pattern: str) -> None:
    """Refuse what could make matching backtrack without bound (see the module docstring).
    Called on a pattern whose parentheses balance."""
    if pattern[0] in GAP_CHARS or pattern[-1] in GAP_CHARS:
        raise ValueError("starts or ends with a space or hyphen")
    for i, char in enumerate(pattern):
        if char in GAP_CHARS and (pattern[i - 1] in "(|" or pattern[i + 1] in "|)"):
            raise ValueError("has a space or hyphen next to '(', '|' or ')'; write '(a|b) c', not '(a |b )c'")
        if char == "*" and not _ends_word(pattern, i + 1):
            raise ValueError("has '*' inside a word or before another '*' or a letter; "
                             "'*' may only end a word: 'crime*', 'cyber crime*'")
    ways = _ways(pattern)
    if ways > MAX_ALTERNATIVES:
        raise ValueError(f"can be read in {ways} ways (the product of its alternatives); "
                         f"at most {MAX_ALTERNATIVES} are allowed: split it into several patterns")


def _ends_word(pattern: str, position: int) -> bool:
    """Whether what follows ``position`` in every reading of ``pattern`` is a gap or the end:
    a ``)`` is stepped over, and a ``|`` skips the rest of its group."""
    depth = 0  # groups entered (at a '|') while skipping, not yet left
    skipping = False
    while position < len(pattern):
        char = pattern[position]
        if char == ")":
            if depth == 0:
                skipping = False
            else:
                depth -= 1
        elif skipping:
            depth += char == "("
        elif char == "|":
            skipping = True
        else:
            return char in GAP_CHARS
        position += 1
    return True


def _ways(pattern: str) -> int:
    """The number of readings of ``pattern``: alternatives add up, groups in a row multiply."""
    stack = [[1, 0]]  # per open group: [product of the current alternative, sum of the finished ones]
    for char in pattern:
        if char == "(":
            stack.append([1, 0])
        elif char == "|":
            stack[-1] = [1, stack[-1][0] + stack[-1][1]]
        elif char == ")":
            product, total = stack.pop()
            stack[-1][0] *= product + total
    return stack[0][0]


def anchors(pattern: str) -> dict[str, bool] | None:
    """The literal starts a match of ``pattern`` can begin with (lower case), each mapped to
    whether it is a whole word (followed by a gap or the end: ``money`` in ``money laundering``)
    or may be only the start of one (``drug`` in ``drug*``); None if the pattern starts with
    something that is not a literal word character."""
    pattern = lower_same_length(pattern)
    if pattern.startswith("("):
        depth, close = 0, None
        for i, char in enumerate(pattern):
            depth += {"(": 1, ")": -1}.get(char, 0)
            if depth == 0:
                close = i
                break
        alternatives, rest, found = _split_alternatives(pattern[1:close]), pattern[close + 1:], {}
        for alternative in alternatives:
            starts = anchors(alternative + rest)
            if starts is None:
                return None
            for anchor, whole in starts.items():
                found[anchor] = found.get(anchor, True) and whole
        return found
    match = LITERAL_START.match(pattern)
    if not match:
        return None
    rest = pattern[match.end():]
    return {match.group(0): rest == "" or rest[0] in " -"}


def _split_alternatives(body: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in body:
        if char == "|" and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        current += char
    return parts + [current]


def anchors_in(anchors: dict[str, bool], vocabulary: set[str]) -> set[str]:
    """The ``anchors`` (anchor -> whole word) that a text with this :func:`vocabulary` may hold.

    A whole-word anchor must be in the vocabulary. An anchor that may be only the start of a
    word, or that holds digits, is kept without a test: :meth:`PatternSet.find` looks for it
    in the text anyway, and a set lookup cannot test a prefix.
    """
    return {a for a, whole in anchors.items() if not whole or not a.isalpha() or a in vocabulary}


def merge_anchor_kinds(*kinds: dict[str, bool]) -> dict[str, bool]:
    """Anchor -> whole word, over several patterns: an anchor counts as a whole word only if
    every pattern that starts with it uses it so."""
    merged: dict[str, bool] = {}
    for table in kinds:
        for anchor, whole in table.items():
            merged[anchor] = merged.get(anchor, True) and whole
    return merged


def anchor_positions(anchors, lower: str) -> dict[str, list[int]]:
    """Where each anchor occurs in ``lower`` (word boundaries are checked later)."""
    positions = {}
    for anchor in anchors:
        found, position = [], lower.find(anchor)
        while position >= 0:
            found.append(position)
            position = lower.find(anchor, position + 1)
        positions[anchor] = found
    return positions


@dataclass(frozen=True)
class Span:
    pattern: int  # index into PatternSet.patterns
    start: int
    end: int


class PatternSet:
    """A list of patterns matched together (see the module docstring for the semantics)."""

    def __init__(self, patterns):
        self.patterns = tuple(patterns)
        self.order = sorted(range(len(self.patterns)), key=lambda i: (-len(self.patterns[i]), i))
        self.rank = {index: rank for rank, index in enumerate(self.order)}
        self.verifiers = [re.compile(pattern_regex(lower_same_length(p)) + r"(?!\w)") for p in self.patterns]
        self.regex = re.compile(
            r"(?<!\w)(?:" + "|".join(f"(?P<p{i}>{pattern_regex(self.patterns[i])})" for i in self.order) + r")(?!\w)",
            re.IGNORECASE,
        )
        by_anchor: dict[str, list[int]] = {}
        starts_of = [anchors(pattern) for pattern in self.patterns]
        self.unanchored = [index for index, starts in enumerate(starts_of) if starts is None]
        self.anchor_kinds = merge_anchor_kinds(*(starts for starts in starts_of if starts is not None))
        for index, starts in enumerate(starts_of):
            for anchor in starts or ():
                by_anchor.setdefault(anchor, []).append(index)
        self.by_anchor = {a: sorted(ix, key=self.rank.get) for a, ix in sorted(by_anchor.items())}
        self.anchor_list = list(self.by_anchor)

    def present_anchors(self, vocabulary: set[str]) -> list[str]:
        """The anchors a text with this :func:`vocabulary` may hold (see :func:`anchors_in`)."""
        found = anchors_in(self.anchor_kinds, vocabulary)
        return [a for a in self.anchor_list if a in found]

    def find(self, text: str, present: list[str] | None = None, lower: str | None = None,
             positions: dict[str, list[int]] | None = None) -> list[Span]:
        """Matches in ``text`` in order. ``present`` restricts the anchors looked for (from
        :meth:`present_anchors` over a vocabulary that includes this text's words); ``lower``
        is :func:`lower_same_length` of ``text`` and ``positions`` maps anchors to where they
        occur in it (:func:`anchor_positions`), when the caller has them already."""
        lower = lower_same_length(text) if lower is None else lower
        if len(lower) != len(text) or self.unanchored:
            return [Span(int(m.lastgroup[1:]), m.start(), m.end()) for m in self.regex.finditer(text)]
        if present is None:
            present = self.present_anchors(vocabulary(WORD.findall(lower)))
        if positions is None:
            positions = anchor_positions(present, lower)
        starts: dict[int, list[str]] = {}
        for anchor in present:
            for position in positions[anchor]:
                starts.setdefault(position, []).append(anchor)
        spans, end = [], 0
        for position in sorted(starts):
            if position < end or (position and WORD_CHAR.match(lower, position - 1)):
                continue
            found = starts[position]
            candidates = (self.by_anchor[found[0]] if len(found) == 1 else
                          sorted({i for a in found for i in self.by_anchor[a]}, key=self.rank.get))
            for index in candidates:
                match = self.verifiers[index].match(lower, position)
                if match:
                    spans.append(Span(index, position, match.end()))
                    end = match.end()
                    break
        return spans
