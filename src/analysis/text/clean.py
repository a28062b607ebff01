"""Remove text-extraction artifacts while leaving the prose intact.

:func:`clean_text` is pure: it takes a document's raw text and returns a cleaned copy. The
steps, in order, each fix one artifact found in documents extracted from PDF or web pages:

1. line endings normalised and trailing spaces dropped;
2. markdown emphasis markers removed (``**desiring**`` -> ``desiring``, ``(*continued*)``);
3. a download footer on the last line removed (``157.21 KB 1 file(s)``);
4. a title repeated near the top or on the last line removed (the first copy is kept);
5. words hyphenated across a line break rejoined (``traffick-`` / ``ing`` -> ``trafficking``);
6. sentences split by a line or page break rejoined: a break is joined when the line before
   it ends without clause punctuation (nor ``; and``), the next line does not start with a
   paragraph number, and either the next line starts in lower case or the line before ends
   in a word that cannot end a clause (``the``, ``of``, ``and`` ...);
7. runs of blank lines collapsed to one blank line, which separates paragraphs.
"""

from __future__ import annotations

import re

EMPHASIS_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
# (?<![\w*]\*) after the opening "*" (a "*" not after a word character or "*") rather than
# (?<![\w*]) before it: the pattern then starts with a literal, which the engine skips ahead to.
EMPHASIS_ITALIC = re.compile(r"\*(?<![\w*]\*)(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])")
DOWNLOAD_FOOTER = re.compile(
    r"^\s*\d+(?:[.,]\d+)?\s*(?:[KMG]i?B|kB|bytes)\b(?:\s+\d+\s+files?(?:\(s\))?)?\s*$", re.IGNORECASE
)
# Each pattern starts with a literal character, so the regex engine skips ahead to it instead
# of trying every position: that keeps cleaning the 200 MB UN corpus to seconds.
LINE_BREAK_HYPHEN = re.compile(r"-(?<=[^\W\d_]-)[ \t]*\n[ \t\n]*(?=[a-z])")
# Only breaks after a character that does not end a clause can be joined (see _continues).
BREAK = re.compile(r"\n(?<=[^.;:!?\n]\n)(?:[ \t]*\n)*[ \t]*")
CLAUSE_END = ".;:!?"
CLAUSE_END_CONJUNCTION = re.compile(r"[;,]\s+(?:and|or)$")
ENUMERATOR_START = re.compile(r"^(?:-\s*)?(?:\d{1,3}\.|\(\w{1,4}\))(?:\s|$)")
CONNECTIVES = frozenset(
    "a an and as at between by for from in into its of on or than that the their to which with "
    "against among upon whose".split()
)
TITLE_SEARCH_LINES = 10
BLANK_RUN = re.compile(r"\n\n\n+")  # not \n{3,}: this form gives the engine a literal prefix to skip to


def clean_text(text: str) -> str:
    """Return ``text`` without the extraction artifacts listed in the module docstring."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    text = remove_emphasis(text)
    text = remove_download_footer(text)
    text = remove_repeated_title(text)
    text = LINE_BREAK_HYPHEN.sub("", text)
    text = join_broken_lines(text)
    return BLANK_RUN.sub("\n\n", text).strip()


def remove_emphasis(text: str) -> str:
    """Drop markdown bold and italic markers, keeping the words they wrap."""
    if "*" not in text:
        return text
    return EMPHASIS_ITALIC.sub(r"\1", EMPHASIS_BOLD.sub(r"\1", text))


def remove_download_footer(text: str) -> str:
    """Drop a trailing line such as ``157.21 KB 1 file(s)`` left by a download page (and the
    white space at the end of the text)."""
    text = text.rstrip()
    start = text.rfind("\n") + 1
    return text[:max(start - 1, 0)] if DOWNLOAD_FOOTER.match(text[start:]) else text


def _normalised(line: str) -> str:
    return " ".join(line.split()).casefold()


def remove_repeated_title(text: str) -> str:
    """Keep the first line; drop its copies among the next lines and on the last line.

    Only those lines are read -- the first :data:`TITLE_SEARCH_LINES` non-blank lines and the
    last one -- as ``(start, end)`` offsets in ``text``."""
    head, start = [], 0
    while len(head) < TITLE_SEARCH_LINES and start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if start < end and not text[start:end].isspace():
            head.append((start, end))
        start = end + 1
    if not head:
        return text
    end = len(text)
    while True:  # the last non-blank line: there is one, the first
        start = text.rfind("\n", 0, end) + 1
        if start < end and not text[start:end].isspace():
            break
        end = start - 1
    title = _normalised(text[slice(*head[0])])
    first_word = title.split(" ", 1)[0]  # compared first: most lines differ there

    def is_copy(line: str) -> bool:
        return line.split(None, 1)[0].casefold() == first_word and _normalised(line) == title

    repeats = sorted({line for line in (*head[1:], (start, end)) if line != head[0] and is_copy(text[slice(*line)])})
    for start, end in reversed(repeats):  # each with the line break before it
        text = text[:start - 1] + text[end:]
    return text


def _continues(before: str, after: str) -> bool:
    """Is the line break between ``before`` and ``after`` inside a sentence?"""
    if not before or before[-1] in CLAUSE_END or CLAUSE_END_CONJUNCTION.search(before):
        return False
    if ENUMERATOR_START.match(after):
        return False
    if after[:1].islower():
        return True
    last_word = before.rsplit(None, 1)[-1].casefold()
    return last_word in CONNECTIVES


def join_broken_lines(text: str) -> str:
    """Join lines (and page-break blank runs) that split a sentence."""

    def replace(match: re.Match) -> str:
        start, end = match.span()
        before = text[text.rfind("\n", 0, start) + 1:start]
        after_end = text.find("\n", end)
        after = text[end:after_end if after_end >= 0 else len(text)]
        return " " if _continues(before, after) else match.group(0)

    return BREAK.sub(replace, text)
