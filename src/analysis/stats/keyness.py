"""Keyness: which terms are over-used in a target text relative to a reference.

The statistic is the log-likelihood G2 of Rayson & Garside (2000), after Dunning (1993): with
``a`` occurrences in a target of ``c`` tokens and ``b`` in a reference of ``d`` tokens,
``E1 = c(a+b)/(c+d)``, ``E2 = d(a+b)/(c+d)`` and ``G2 = 2 (a ln(a/E1) + b ln(b/E2))``, with
``0 ln 0 = 0``. G2 is signed negative where the term is relatively rarer in the target. The
p-value is that of chi-square with one degree of freedom. The effect size is Hardie's (2014)
log ratio, ``log2((a/c) / (b/d))``, with a zero frequency replaced by 0.5 so that terms found
in one text only get a finite value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import chi2

from ..checks import check_int
from ..errors import ParameterError
from ..index.dfm import DFM, dfm_subset

KEYNESS_COLUMNS = ["comparison", "term", "freq_target", "freq_reference", "g2", "p_value", "log_ratio"]


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
    a = np.where(np.asarray(a, dtype=float) == 0, 0.5, a)
    b = np.where(np.asarray(b, dtype=float) == 0, 0.5, b)
    return np.log2((a / float(c)) / (b / float(d)))


def keyness_of_counts(target_counts: pd.Series, reference_counts: pd.Series, comparison: str,
                      min_count: int = 1) -> pd.DataFrame:
    """Keyness of every term of ``target_counts`` and ``reference_counts`` (term -> frequency).

    Returns :data:`KEYNESS_COLUMNS`, sorted by G2 (most over-used first), then term. Terms with
    fewer than ``min_count`` occurrences in the two texts together are left out.
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
    return frame.sort_values(["g2", "term"], ascending=[False, True], kind="stable").reset_index(drop=True)


def textstat_keyness(x: DFM, target, comparison: str = "target vs reference", min_count: int = 1) -> pd.DataFrame:
    """Keyness of the rows selected by ``target`` (a boolean mask over the rows of ``x``)
    against all the other rows: :data:`KEYNESS_COLUMNS`, most over-used first."""
    target = np.asarray(target, dtype=bool)
    if target.shape != (x.shape[0],):
        raise ParameterError(f"textstat_keyness: target has {target.shape} entries for {x.shape[0]} rows")
    if target.all() or not target.any():
        raise ParameterError(f"textstat_keyness: {comparison!r} needs rows on both sides")
    return keyness_of_counts(dfm_subset(x, target).totals(), dfm_subset(x, ~target).totals(), comparison, min_count)


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
    other years: ``period, term, freq_target, freq_reference, g2, p_value, log_ratio``."""
    check_int("n_terms", n_terms, 1)
    periods = period_of(x.docvars["year"], period_length)
    rows = []
    for period in np.unique(periods):
        inside = periods == period
        if inside.all():
            break
        table = textstat_keyness(x, inside, str(period), min_count)
        rows.append(table[table["g2"] > 0].head(n_terms).assign(period=int(period)))
    if not rows:
        return pd.DataFrame(columns=["period"] + KEYNESS_COLUMNS[1:])
    return pd.concat(rows, ignore_index=True)[["period"] + KEYNESS_COLUMNS[1:]]
