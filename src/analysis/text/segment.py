"""Split cleaned documents into paragraphs and tell each paragraph's kind.

After :func:`analysis.text.clean.clean_text` every non-blank line is one paragraph, except a line
that holds only a paragraph number (``(1)``, ``1.``), which is joined to the line after it.

Each paragraph gets a stable id ``<doc_id>:p<nn>`` (numbered from 1 in reading order, zero
padded to at least two digits), its enumerator (``label``: ``1.``, ``(a)``, ``- 3.``, ``II.``)
and a ``kind`` read from the text:

``heading``
    a short line without clause punctuation (titles, dates, "Summary of deliberations"), or a
    line of a few words ending in a colon ("RESOLVE TO:");
``preamble``
    a clause opening with a participle or adjective of the preambular formula ("Recalling",
    "Deeply concerned", "Aware that"), unnumbered or numbered ``(1)`` as the IPU does; a
    clause numbered ``1.`` is never preambular;
``operative``
    a numbered paragraph after the preamble, or a numbered item under a lead-in that ends in
    a colon ("The following recommendations ... were identified:");
``body``
    everything else: narrative paragraphs of reports and speeches, numbered or not.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .clean import CLAUSE_END_CONJUNCTION

KINDS = ("heading", "preamble", "operative", "body")
ENUMERATOR = re.compile(
    r"^(?P<label>(?:-\s*)?(?:\d{1,3}\.|\(\d{1,3}\)|\([a-z]{1,3}\)|[A-Z]\.|[IVXLC]{1,6}\.))(?:\s+|$)"
)
PARENTHESISED_NUMBER = re.compile(r"^\(\d{1,3}\)$")
HEADING_MAX_WORDS = 40
LEAD_IN_HEADING_MAX_WORDS = 6
CLAUSE_PUNCTUATION = ".;,:!?"
PREAMBLE_ADVERBS = frozenset(
    "also further furthermore deeply gravely strongly fully firmly seriously particularly again".split()
)
PREAMBLE_ADJECTIVES = frozenset(
    "aware cognizant mindful convinced concerned conscious alarmed determined committed desirous "
    "guided confident disturbed encouraged satisfied appreciative resolved".split()
)
PARTICIPLE_MIN_LENGTH = 6  # so that "bring" or "sing" are not taken for participles


class Segment(NamedTuple):
    label: str
    kind: str
    text: str


def segment_text(text: str) -> list[Segment]:
    """Split one cleaned document into labelled, typed paragraphs."""
    units = _units(text)
    segments = []
    seen_preamble = False
    in_list = False
    for label, body in units:
        kind = _kind(label, body, seen_preamble, in_list)
        seen_preamble = seen_preamble or kind == "preamble"
        if kind == "heading":
            in_list = body.endswith(":")
        elif body.endswith(":"):
            in_list = True
        segments.append(Segment(label, kind, body))
    return segments


def _units(text: str) -> list[tuple[str, str]]:
    units = []
    pending_label = ""
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        match = ENUMERATOR.match(line)
        label = match.group("label") if match else ""
        body = line[match.end():].strip() if match else line
        if not body:
            pending_label = label
            continue
        if pending_label and not label:
            label = pending_label
        pending_label = ""
        units.append((label, body))
    if pending_label:
        units.append((pending_label, ""))
    return units


def _first_word(body: str) -> str:
    words = [w.strip(",;:\"'()").casefold() for w in body.split(None, 4)[:4]]
    for word in words:
        if word not in PREAMBLE_ADVERBS:
            return word
    return ""


def _is_heading(body: str) -> bool:
    if not body:
        return True
    if body[-1] in CLAUSE_PUNCTUATION and body[-1] != ":":  # most paragraphs: no words to count
        return False
    n_words = len(body.split(None, HEADING_MAX_WORDS + 1))  # counting stops past the limit
    ends_clause = body[-1] in CLAUSE_PUNCTUATION or CLAUSE_END_CONJUNCTION.search(body)
    if not ends_clause and n_words <= HEADING_MAX_WORDS:
        return True
    return body.endswith(":") and n_words <= LEAD_IN_HEADING_MAX_WORDS


def _kind(label: str, body: str, seen_preamble: bool, in_list: bool) -> str:
    if _is_heading(body):
        return "heading"
    if not label or PARENTHESISED_NUMBER.match(label):
        word = _first_word(body)
        if word in PREAMBLE_ADJECTIVES or (word.endswith("ing") and len(word) >= PARTICIPLE_MIN_LENGTH):
            return "preamble"
    if label and (seen_preamble or in_list):
        return "operative"
    return "body"


def paragraph_ids(doc_id: str, count: int) -> list[str]:
    width = max(2, len(str(count)))
    return [f"{doc_id}:p{n:0{width}d}" for n in range(1, count + 1)]
