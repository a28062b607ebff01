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
EMPHASIS_ITALIC = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])")
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
    """Drop a trailing line such as ``157.21 KB 1 file(s)`` left by a download page."""
    lines = text.rstrip().split("\n")
    if lines and DOWNLOAD_FOOTER.match(lines[-1]):
        lines.pop()
    return "\n".join(lines)


def _normalised(line: str) -> str:
    return " ".join(line.split()).casefold()


def remove_repeated_title(text: str) -> str:
    """Keep the first line; drop its copies among the next lines and on the last line."""
    first_words = text.lstrip().split("\n", 1)[0].split()
    if not first_words:
        return text
    longest = max(first_words, key=len).casefold()
    if text.casefold().count(longest) < 2:  # every copy holds this word: none here (the usual case)
        return text
    lines = text.split("\n")
    non_blank = [i for i, line in enumerate(lines) if line.strip()]
    if len(non_blank) < 2:
        return text
    title = _normalised(lines[non_blank[0]])
    repeats = {i for i in non_blank[1:TITLE_SEARCH_LINES] if _normalised(lines[i]) == title}
    if _normalised(lines[non_blank[-1]]) == title:
        repeats.add(non_blank[-1])
    return "\n".join(line for i, line in enumerate(lines) if i not in repeats)


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
