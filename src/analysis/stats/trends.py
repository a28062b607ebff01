"""Term and theme trends over time, keyness between periods, and the vocabulary that emerges.

All rates are per 10,000 word tokens (:func:`analysis.describe.count_words`), with counts and
tokens pooled over each year's documents. Where a year has several documents, a seeded
bootstrap over documents gives each yearly rate an uncertainty band; with one document a
year there is nothing to resample and the band is left empty.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from ..index.build import CorpusCounts
from ..errors import ParameterError
from ..stats.keyness import KEYNESS_COLUMNS, textstat_keyness
from ..stats.themes import PER


def _check_positive(name: str, value, minimum: int = 1) -> None:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < minimum:
        raise ParameterError(f"{name}={value!r}: must be a whole number of at least {minimum}")


def term_columns(counts: CorpusCounts, terms) -> tuple[sparse.csr_matrix, list[str]]:
    """The document x term counts of ``terms`` (a term absent from the corpus is all zeros)."""
    if isinstance(terms, str) or not all(isinstance(t, str) and t for t in terms):
        raise ParameterError(f"terms={terms!r}: must be a list of terms, such as [cybercrime, scam]")
    index = {t: i for i, t in enumerate(counts.vocabulary)}
    columns = [index.get(t) for t in terms]
    matrix = sparse.lil_matrix((counts.dtm.shape[0], len(terms)), dtype=np.int64)
    for j, column in enumerate(columns):
        if column is not None:
            matrix[:, j] = counts.dtm[:, column]
    return matrix.tocsr(), list(terms)


def yearly_series(documents: pd.DataFrame, values: np.ndarray, names: list[str], n_boot: int = 1000,
                  random_state: int = 0, level: float = 0.95) -> pd.DataFrame:
    """Yearly rates per 10,000 tokens of several count series, with bootstrap bands.

    ``values`` is documents x series (counts); ``documents`` has ``year`` and ``tokens`` in the
    same row order. Returns ``series, year, count, tokens, documents, per_10k, low, high``;
    ``low``/``high`` are the bootstrap percentiles of the pooled rate when resampling the
    year's documents with replacement (``n_boot`` times, seeded by ``random_state``), and
    empty for years with a single document.
    """
    _check_positive("n_boot", n_boot)
    if not 0 < level < 1:
        raise ParameterError(f"level={level!r}: must lie between 0 and 1")
    rng = np.random.default_rng(random_state)
    values = np.asarray(values, dtype=float)
    tokens = documents["tokens"].to_numpy(dtype=float)
    years = documents["year"].to_numpy()
    rows = []
    for year in np.unique(years):
        members = np.flatnonzero(years == year)
        total_tokens = tokens[members].sum()
        count = values[members].sum(axis=0)
        rate = PER * count / total_tokens if total_tokens else np.full(len(names), np.nan)
        low = high = np.full(len(names), np.nan)
        if len(members) > 1:
            draws = rng.integers(0, len(members), size=(n_boot, len(members)))
            sampled = members[draws]
            boot = PER * values[sampled].sum(axis=1) / tokens[sampled].sum(axis=1)[:, None]
            low, high = np.percentile(boot, [100 * (1 - level) / 2, 100 * (1 + level) / 2], axis=0)
        for j, name in enumerate(names):
            rows.append((name, int(year), int(count[j]), int(total_tokens), len(members), rate[j], low[j], high[j]))
    return pd.DataFrame(rows, columns=["series", "year", "count", "tokens", "documents", "per_10k", "low", "high"])


def term_trends(counts: CorpusCounts, terms, n_boot: int = 1000, random_state: int = 0) -> pd.DataFrame:
    """:func:`yearly_series` of chosen terms (tokens as the tokenizer writes them)."""
    matrix, names = term_columns(counts, terms)
    return yearly_series(counts.documents, matrix.toarray(), names, n_boot, random_state).rename(columns={"series": "term"})


def theme_trends(frequencies: pd.DataFrame, documents: pd.DataFrame, themes, n_boot: int = 1000,
                 random_state: int = 0) -> pd.DataFrame:
    """:func:`yearly_series` of theme counts (from :func:`analysis.themes.theme_frequencies`)."""
    wide = frequencies.pivot(index="doc_id", columns="theme", values="count").reindex(
        index=documents["doc_id"], columns=list(themes)).fillna(0)
    return yearly_series(documents, wide.to_numpy(), list(themes), n_boot, random_state).rename(columns={"series": "theme"})


def period_of(years, period_length: int) -> np.ndarray:
    """First year of each year's period: periods of ``period_length`` years aligned to multiples of it."""
    _check_positive("period_length", period_length)
    years = np.asarray(years)
    return years - years % period_length


def _counts_series(matrix, vocabulary) -> pd.Series:
    totals = np.asarray(matrix.sum(axis=0)).ravel()
    keep = totals > 0
    return pd.Series(totals[keep], index=vocabulary[keep])


def keyness_table(counts: CorpusCounts, split_year: int, by_document: bool = True, min_count: int = 3) -> pd.DataFrame:
    """:data:`~analysis.keyness.KEYNESS_COLUMNS` for ``split_year``-and-after against the years
    before, and (``by_document``) each document against all the others."""
    _check_positive("keyness_min_count", min_count)
    years = counts.documents["year"].to_numpy()
    target = years >= split_year
    if target.all() or not target.any():
        raise ParameterError(f"split_year={split_year!r}: the corpus has documents only on one side "
                             f"({years.min()}-{years.max()})")
    tables = [textstat_keyness(_counts_series(counts.dtm[target], counts.vocabulary),
                               _counts_series(counts.dtm[~target], counts.vocabulary),
                               f"{split_year}+ vs before", min_count)]
    if by_document:
        for row, doc_id in enumerate(counts.documents["doc_id"]):
            others = np.ones(len(years), dtype=bool)
            others[row] = False
            tables.append(textstat_keyness(_counts_series(counts.dtm[[row]], counts.vocabulary),
                                           _counts_series(counts.dtm[others], counts.vocabulary),
                                           f"{doc_id} vs rest", min_count))
    return pd.concat(tables, ignore_index=True)[KEYNESS_COLUMNS]


def distinctive_terms(counts: CorpusCounts, period_length: int, n_terms: int = 5, min_count: int = 3) -> pd.DataFrame:
    """The ``n_terms`` most over-used terms (highest G2) of each period against all other years:
    ``period, term, freq_target, freq_reference, g2, p_value, log_ratio``."""
    _check_positive("n_terms", n_terms)
    periods = period_of(counts.documents["year"], period_length)
    rows = []
    for period in np.unique(periods):
        inside = periods == period
        if inside.all():
            break
        table = textstat_keyness(_counts_series(counts.dtm[inside], counts.vocabulary),
                                 _counts_series(counts.dtm[~inside], counts.vocabulary), str(period), min_count)
        rows.append(table[table["g2"] > 0].head(n_terms).assign(period=int(period)))
    if not rows:
        return pd.DataFrame(columns=["period"] + KEYNESS_COLUMNS[1:])
    return pd.concat(rows, ignore_index=True)[["period"] + KEYNESS_COLUMNS[1:]]


def emergent_terms(counts: CorpusCounts, min_count: int = 3) -> pd.DataFrame:
    """Terms absent from every document before some year and present from it on.

    ``term, first_year, first_doc_id, count_after, per_10k_after, documents_after``: the year
    and first document (in corpus order) that use the term, its count and rate over the
    tokens from that year on, and how many documents use it. Terms already used in the
    corpus's first year cannot be called emergent and are left out, as are terms used fewer
    than ``min_count`` times.
    """
    _check_positive("min_count", min_count)
    documents = counts.documents
    csc = counts.dtm.tocsc()
    csc.sort_indices()
    used_in = np.diff(csc.indptr)  # documents using each term
    totals = np.asarray(csc.sum(axis=0)).ravel()
    years = documents["year"].to_numpy()
    tokens = documents["tokens"].to_numpy()
    # rows are in date order, so a term's first row is its first document
    first_row = np.where(used_in > 0, csc.indices[np.minimum(csc.indptr[:-1], len(csc.indices) - 1)], -1)
    keep = (used_in > 0) & (totals >= min_count)
    keep &= np.where(keep, years[first_row] > years.min(), False)
    tokens_from = {year: tokens[years >= year].sum() for year in np.unique(years)}
    rows = [(counts.vocabulary[j], int(years[first_row[j]]), documents["doc_id"].iloc[first_row[j]], int(totals[j]),
             PER * totals[j] / tokens_from[years[first_row[j]]], int(used_in[j])) for j in np.flatnonzero(keep)]
    frame = pd.DataFrame(rows, columns=["term", "first_year", "first_doc_id", "count_after", "per_10k_after",
                                        "documents_after"])
    return frame.sort_values(["first_year", "count_after", "term"], ascending=[True, False, True],
                             kind="stable").reset_index(drop=True)
