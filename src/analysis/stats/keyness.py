"""Keyness: which terms are over-used in a target text relative to a reference.

The statistic is the log-likelihood G2 of Rayson & Garside (2000), after Dunning (1993): with
``a`` occurrences in a target of ``c`` tokens and ``b`` in a reference of ``d`` tokens,
``E1 = c(a+b)/(c+d)``, ``E2 = d(a+b)/(c+d)`` and ``G2 = 2 (a ln(a/E1) + b ln(b/E2))``, with
``0 ln 0 = 0``. G2 is signed negative where the term is relatively rarer in the target. The
p-value is that of chi-square with one degree of freedom; ``p_adjusted`` is the Benjamini-Hochberg
adjustment over all the terms of one comparison (a table tests hundreds of terms at once, so the
raw p-values say little). The effect size is Hardie's (2014) log ratio, ``log2((a/c) / (b/d))``;
a zero frequency is replaced by half an occurrence in the *larger* of the two texts, so a term
found in one text only gets a finite value whose sign always agrees with G2's (a half occurrence
in the smaller text could outweigh a real one in the larger).

Before testing, spelling variants of a term ("combatting"/"combating", "labour"/"labor") are
counted as one (:mod:`analysis.text.spelling`; ``variants`` lists the forms merged), and terms
that name the bodies and meetings of the corpus are flagged (``is_name``, :func:`name_words`):
a resolution of the APPF says "APPF" where an IPU text says "IPU", which is who speaks, not what
about.
"""

from __future__ import annotations

import re
from importlib import resources

import numpy as np
import pandas as pd
from scipy.stats import chi2, false_discovery_control

from ..checks import check_int
from ..errors import ParameterError
from ..index.dfm import DFM, dfm_merge, dfm_subset
from ..text.spelling import spelling_variants

COUNT_COLUMNS = ["comparison", "term", "freq_target", "freq_reference", "g2", "p_value", "p_adjusted", "log_ratio"]
KEYNESS_COLUMNS = ["comparison", "term", "variants", "freq_target", "freq_reference", "docs_target",
                   "docs_reference", "g2", "p_value", "p_adjusted", "log_ratio", "is_name"]
NAME_COLUMNS = ("body", "meeting")


def log_likelihood(a, b, c, d) -> np.ndarray:
    """Signed G2 for frequencies ``a`` (target, size ``c``) and ``b`` (reference, size ``d``)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    c, d = float(c), float(d)
    e1 = c * (a + b) / (c + d)
    e2 = d * (a + b) / (c + d)
    with np.errstate(divide="ignore", invalid="ignore"):
        term_a = np.where(a > 0, a * np.log(a / e1), 0.0)
        term_b = np.where(b > 0, b * np.log(b / e2), 0.0)
    g2 = 2 * (term_a + term_b)
    return np.where(a / c >= b / d, g2, -g2)


def log_ratio(a, b, c, d) -> np.ndarray:
    """Hardie's log ratio; a zero count becomes half an occurrence in the larger text."""
    c, d = float(c), float(d)
    floor = 0.5 / max(c, d)
    share_a = np.asarray(a, dtype=float) / c
    share_b = np.asarray(b, dtype=float) / d
    return np.log2(np.where(share_a == 0, floor, share_a) / np.where(share_b == 0, floor, share_b))


def keyness_of_counts(target_counts: pd.Series, reference_counts: pd.Series, comparison: str,
                      min_count: int = 1) -> pd.DataFrame:
    """Keyness of every term of ``target_counts`` and ``reference_counts`` (term -> frequency).

    Returns :data:`COUNT_COLUMNS`, sorted by G2 (most over-used first), then term. Terms with
    fewer than ``min_count`` occurrences in the two texts together are left out; ``p_adjusted``
    is Benjamini-Hochberg over the terms kept.
    """
    check_int("min_count", min_count, 1)
    counts = pd.concat([target_counts.rename("a"), reference_counts.rename("b")], axis=1).fillna(0)
    c, d = counts["a"].sum(), counts["b"].sum()
    counts = counts[(counts["a"] + counts["b"]) >= min_count]
    g2 = log_likelihood(counts["a"], counts["b"], c, d)
    frame = pd.DataFrame({
        "comparison": comparison,
        "term": counts.index.astype(str),
        "freq_target": counts["a"].astype("int64").to_numpy(),
        "freq_reference": counts["b"].astype("int64").to_numpy(),
        "g2": g2,
        "p_value": chi2.sf(np.abs(g2), df=1),
        "log_ratio": log_ratio(counts["a"], counts["b"], c, d),
    })
    frame.insert(6, "p_adjusted", false_discovery_control(frame["p_value"], method="bh") if len(frame) else [])
    return frame.sort_values(["g2", "term"], ascending=[False, True], kind="stable").reset_index(drop=True)


def name_words(docvars: pd.DataFrame) -> frozenset[str]:
    """Lower-case words that name the corpus's bodies and meetings: every word of the ``body``
    column, the upper-case acronyms of ``meeting`` (with any digits: "APPF31" gives "appf31" and
    "appf"), the venue standing alone between commas there ("…, Bangkok, 21-23 January") and the
    bodies listed in ``resources/body_names.txt``."""
    words = set(resources.files("analysis").joinpath("resources/body_names.txt").read_text(encoding="utf-8").split())
    if "body" in docvars:
        words.update(w.lower() for value in docvars["body"].dropna().astype(str) for w in re.findall(r"\w+", value))
    if "meeting" in docvars:
        for value in docvars["meeting"].dropna().astype(str):
            for acronym in re.findall(r"\b[A-Z][A-Z0-9]*[A-Z][A-Z0-9]*\b", value):
                words.update({acronym.lower(), re.sub(r"\d+$", "", acronym).lower()})
            words.update(part.strip().lower() for part in value.split(",")[1:]
                         if re.fullmatch(r"[A-Z][a-z]+", part.strip()))
    return frozenset(words)


def _is_name(terms: pd.Series, names: frozenset[str]) -> np.ndarray:
    return terms.map(lambda term: any(word in names for word in term.split("_"))).to_numpy(dtype=bool)


def textstat_keyness(x: DFM, target, comparison: str = "target vs reference", min_count: int = 1) -> pd.DataFrame:
    """Keyness of the rows selected by ``target`` (a boolean mask over the rows of ``x``)
    against all the other rows: :data:`KEYNESS_COLUMNS`, most over-used first. Spelling variants
    are merged first; ``docs_target``/``docs_reference`` count the rows that use the term."""
    target = np.asarray(target, dtype=bool)
    if target.shape != (x.shape[0],):
        raise ParameterError(f"textstat_keyness: target has {target.shape} entries for {x.shape[0]} rows")
    if target.all() or not target.any():
        raise ParameterError(f"textstat_keyness: {comparison!r} needs rows on both sides")
    variants = spelling_variants(x.totals())
    merged = dfm_merge(x, variants)
    inside, outside = dfm_subset(merged, target), dfm_subset(merged, ~target)
    table = keyness_of_counts(inside.totals(), outside.totals(), comparison, min_count)
    used = {name: pd.Series(np.asarray((part.matrix > 0).sum(axis=0)).ravel(), index=part.features)
            for name, part in (("docs_target", inside), ("docs_reference", outside))}
    forms = pd.Series(variants).reset_index().groupby(0)["index"].agg(lambda v: " ".join(sorted(v)))
    table["variants"] = table["term"].map(forms.to_dict()).astype(object).where(lambda v: v.notna(), "")
    for name, counts in used.items():
        table[name] = table["term"].map(counts).astype("int64")
    table["is_name"] = _is_name(table["term"], name_words(x.docvars))
    return table[KEYNESS_COLUMNS]


def keyness_table(x: DFM, split_year: int, by_document: bool = True, min_count: int = 3) -> pd.DataFrame:
    """:data:`KEYNESS_COLUMNS` for ``split_year``-and-after against the years before, and
    (``by_document``) each document against all the others (never itself)."""
    years = x.docvars["year"].to_numpy()
    target = years >= split_year
    if target.all() or not target.any():
        raise ParameterError(f"split_year={split_year!r}: the corpus has documents only on one side "
                             f"({years.min()}-{years.max()})")
    tables = [textstat_keyness(x, target, f"{split_year}+ vs before", min_count)]
    if by_document:
        for row, doc_id in enumerate(x.docvars["doc_id"]):
            tables.append(textstat_keyness(x, np.arange(len(years)) == row, f"{doc_id} vs rest", min_count))
    return pd.concat(tables, ignore_index=True)[KEYNESS_COLUMNS]


def period_of(years, period_length: int) -> np.ndarray:
    """First year of each year's period: periods of ``period_length`` years aligned to multiples of it."""
    check_int("period_length", period_length, 1)
    years = np.asarray(years)
    return years - years % period_length


def distinctive_terms(x: DFM, period_length: int, n_terms: int = 5, min_count: int = 3) -> pd.DataFrame:
    """The ``n_terms`` most over-used terms (highest positive G2) of each period against all
    other years, names of bodies and meetings left out: ``period`` and :data:`KEYNESS_COLUMNS`
    but ``comparison``."""
    check_int("n_terms", n_terms, 1)
    periods = period_of(x.docvars["year"], period_length)
    rows = []
    for period in np.unique(periods):
        inside = periods == period
        if inside.all():
            break
        table = textstat_keyness(x, inside, str(period), min_count)
        rows.append(table[(table["g2"] > 0) & ~table["is_name"]].head(n_terms).assign(period=int(period)))
    if not rows:
        return pd.DataFrame(columns=["period"] + KEYNESS_COLUMNS[1:])
    return pd.concat(rows, ignore_index=True)[["period"] + KEYNESS_COLUMNS[1:]]
