"""Spelling variants of one word (British and American, doubled consonants) mapped to one form.

Keyness and new-vocabulary tables compare texts written by different secretariats: "combating"
in one and "combatting" in the next must not land on opposite sides of a comparison. The rule:

1. Each word of a term gets a *spelling key* by the rewrites of :data:`REWRITES`, applied in
   order to the word's ending: ``-isation`` → ``-ization``, ``-ise``/``-ised``/``-ises``/``-ising``
   → ``-iz…``, ``-yse`` → ``-yze``, ``-our…`` → ``-or…`` (a stem of at least three letters, so
   "four" and "your" are untouched), ``-tre(s)`` → ``-ter(s)``, ``-ence`` → ``-ense`` for
   defence, offence, licence and pretence, ``-mme(s)`` → ``-m(s)``, ``-logue`` → ``-log``,
   ``-dgement`` → ``-dgment``, ``ageing`` → ``aging``, and a doubled ``l``, ``t`` or ``s`` before
   ``-ing``/``-ed``/``-er`` made single after a stem of two or more syllables ("travelled",
   "combatting", "focussed"; not "filling"/"filing" or "latter"/"later", whose stems have one).
2. Terms whose keys are equal form a group only when at least two of them occur; a key that no
   other term shares changes nothing ("precise" is never rewritten into a word the corpus lacks).
3. The group is counted under its most frequent form (ties: alphabetical first).
"""

from __future__ import annotations

import re

import pandas as pd

REWRITES = (
    (re.compile(r"isation(s?)$"), r"ization\1"),
    (re.compile(r"is(e|ed|es|ing)$"), r"iz\1"),
    (re.compile(r"ys(e|ed|es|ing)$"), r"yz\1"),
    (re.compile(r"(?<=\w{3})our(s|ed|ing|er|ers|able|ably|ful|ite|ites)?$"), r"or\1"),
    (re.compile(r"(?<=\w{2})tre(s?)$"), r"ter\1"),
    (re.compile(r"^(defen|offen|licen|preten)ce(s?)$"), r"\1se\2"),
    (re.compile(r"mme(s?)$"), r"m\1"),
    (re.compile(r"logue(s?)$"), r"log\1"),
    (re.compile(r"dgement(s?)$"), r"dgment\1"),
    (re.compile(r"^ageing$"), "aging"),
    (re.compile(r"^(.*[aeiou][^aeiou]+[aeiou])([lts])\2(ing|ed|er|ers)$"), r"\1\2\3"),
)


def spelling_key(term: str) -> str:
    """The key that spelling variants of ``term`` share (each word of a joined ``a_b`` term
    rewritten on its own)."""
    words = []
    for word in term.split("_"):
        for pattern, replacement in REWRITES:
            word = pattern.sub(replacement, word)
        words.append(word)
    return "_".join(words)


def spelling_variants(totals: pd.Series) -> dict[str, str]:
    """Variant → canonical form for the terms of ``totals`` (term → count) that share a
    :func:`spelling_key` with another term; the canonical form is the most frequent of its group
    (ties: alphabetical first). Terms without a variant are not in the mapping."""
    frame = pd.DataFrame({"term": totals.index.astype(str), "count": totals.to_numpy()})
    frame["key"] = frame["term"].map(spelling_key)
    frame = frame[frame.duplicated("key", keep=False)]
    frame = frame.sort_values(["key", "count", "term"], ascending=[True, False, True], kind="stable")
    canonical = frame.groupby("key", sort=False)["term"].transform("first")
    return {term: form for term, form in zip(frame["term"], canonical) if term != form}
