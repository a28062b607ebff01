"""Document-feature matrices and the verbs on them, in quanteda's grammar: a verb's name says
what it takes and gives (``dfm_group`` takes a :class:`DFM` and gives a :class:`DFM`).

A :class:`DFM` carries its rows' document variables (``docvars``: ``doc_id``, ``year``,
``date``, the corpus's metadata, ``word_tokens``...) and the history of what was done to it, so
a table computed from it can say where its numbers come from.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import sparse

from ..checks import check_int, check_number
from ..errors import ParameterError


@dataclass(frozen=True)
class DFM:
    """``matrix`` (rows x features, counts) with its ``features`` (sorted names) and
    ``docvars`` (one row of variables per matrix row)."""

    matrix: sparse.csr_matrix
    features: np.ndarray
    docvars: pd.DataFrame
    history: tuple[str, ...] = ()

    def __post_init__(self):
        if self.matrix.shape != (len(self.docvars), len(self.features)):
            raise ValueError(f"DFM: matrix {self.matrix.shape} does not fit {len(self.docvars)} rows and "
                             f"{len(self.features)} features")

    @property
    def shape(self) -> tuple[int, int]:
        return self.matrix.shape

    def totals(self) -> pd.Series:
        """Each feature's total count (features never used are left out)."""
        totals = np.asarray(self.matrix.sum(axis=0)).ravel()
        keep = totals > 0
        return pd.Series(totals[keep], index=self.features[keep])

    def row_tokens(self) -> np.ndarray:
        return np.asarray(self.matrix.sum(axis=1)).ravel()

    def _with(self, step: str, **changes) -> "DFM":
        return replace(self, history=self.history + (step,), **changes)


def dfm_subset(x: DFM, rows) -> DFM:
    """The rows selected by a boolean mask or integer positions."""
    rows = np.asarray(rows)
    positions = np.flatnonzero(rows) if rows.dtype == bool else rows
    return x._with(f"dfm_subset({len(positions)} of {x.shape[0]} rows)", matrix=x.matrix[positions],
                   docvars=x.docvars.iloc[positions].reset_index(drop=True))


def dfm_group(x: DFM, by: str) -> DFM:
    """Rows pooled by the docvar ``by`` (groups in sorted order): counts summed; docvars keep
    ``by``, the number of rows pooled (``documents``) and the sums of ``word_tokens``."""
    if by not in x.docvars:
        raise ParameterError(f"dfm_group: by={by!r} is not a document variable ({', '.join(x.docvars.columns)})")
    groups, rows = np.unique(x.docvars[by].to_numpy(), return_inverse=True)
    indicator = sparse.csr_matrix((np.ones(len(rows), dtype=np.int64), (rows, np.arange(len(rows)))),
                                  shape=(len(groups), len(rows)))
    docvars = pd.DataFrame({by: groups, "documents": np.bincount(rows, minlength=len(groups))})
    if "word_tokens" in x.docvars:
        docvars["word_tokens"] = np.bincount(rows, weights=x.docvars["word_tokens"].to_numpy(),
                                             minlength=len(groups)).astype(np.int64)
    matrix = (indicator @ x.matrix).tocsr()
    matrix.sort_indices()
    return x._with(f"dfm_group(by={by!r})", matrix=matrix, docvars=docvars)


def dfm_trim(x: DFM, *, min_df: int = 1, max_df: float = 1.0, min_count: int = 1) -> DFM:
    """Features used in at least ``min_df`` rows and at most a share ``max_df`` of them, and
    at least ``min_count`` times in all."""
    check_int("min_df", min_df, 1)
    check_number("max_df", max_df, 0, 1, exclusive_minimum=True)
    check_int("min_count", min_count, 1)
    df = np.diff(x.matrix.tocsc().indptr)
    totals = np.asarray(x.matrix.sum(axis=0)).ravel()
    keep = (df >= min_df) & (df <= max_df * x.shape[0]) & (totals >= min_count)
    return x._with(f"dfm_trim(min_df={min_df}, max_df={max_df}, min_count={min_count})",
                   matrix=x.matrix[:, np.flatnonzero(keep)], features=x.features[keep])


def dfm_select(x: DFM, features) -> DFM:
    """Columns for ``features`` in the order given; a feature the matrix lacks is all zeros."""
    if isinstance(features, str) or not all(isinstance(f, str) and f for f in features):
        raise ParameterError(f"terms={features!r}: must be a list of terms, such as [cybercrime, scam]")
    features = list(features)
    position = {f: i for i, f in enumerate(x.features)}
    present = [j for j, f in enumerate(features) if f in position]
    picker = sparse.csr_matrix((np.ones(len(present), dtype=np.int64),
                                ([position[features[j]] for j in present], present)),
                               shape=(len(x.features), len(features)))
    return x._with(f"dfm_select({len(features)} features)", matrix=(x.matrix @ picker).tocsr(),
                   features=np.array(features, dtype=object))


def dfm_merge(x: DFM, mapping: dict[str, str]) -> DFM:
    """Columns of ``mapping``'s keys added into the column of their value (a variant into its
    canonical form, which is created when the matrix lacks it); features stay sorted."""
    if not mapping:
        return x
    merged = np.array([mapping.get(f, f) for f in x.features], dtype=object)
    features, columns = np.unique(merged, return_inverse=True)
    combiner = sparse.csr_matrix((np.ones(len(columns), dtype=np.int64), (np.arange(len(columns)), columns)),
                                 shape=(len(merged), len(features)))
    matrix = (x.matrix @ combiner).tocsr()
    matrix.sort_indices()
    return x._with(f"dfm_merge({len(mapping)} variants into {len(set(mapping.values()))} forms)",
                   matrix=matrix, features=features)


def dfm_with_words(x: DFM, words: DFM) -> DFM:
    """``x``'s joined phrases (features with ``_``) beside every word of ``words`` (the same rows
    tokenized without joining phrases): a word used inside a phrase ("environment" in
    "crimes_that_affect_the_environment") is counted, and the phrase too. Only for per-feature
    views (trends, first uses): the rows' totals count such a word twice."""
    if list(x.docvars["doc_id"]) != list(words.docvars["doc_id"]):
        raise ParameterError("dfm_with_words: the two matrices must have the same rows in the same order")
    phrases = np.array(["_" in f for f in x.features]) & ~np.isin(x.features, words.features)
    features = np.concatenate([words.features, x.features[phrases]])
    order = np.argsort(features, kind="stable")
    matrix = sparse.hstack([words.matrix, x.matrix[:, np.flatnonzero(phrases)]], format="csr")[:, order]
    matrix.sort_indices()
    return x._with(f"dfm_with_words({len(words.features)} words, {phrases.sum()} phrases)", matrix=matrix,
                   features=features[order].astype(object))


def dfm_weight(x: DFM, scheme: str = "tfidf") -> sparse.csr_matrix:
    """Weighted rows: ``"prop"`` (shares of the row), or ``"tfidf"`` (scikit-learn, sublinear tf,
    smoothed idf, rows L2-normalised)."""
    if scheme == "prop":
        totals = x.row_tokens().astype(float)
        return sparse.diags(np.divide(1.0, totals, out=np.zeros_like(totals), where=totals > 0)) @ x.matrix
    if scheme == "tfidf":
        return tfidf_rows(x.matrix)
    raise ParameterError(f"scheme={scheme!r}: choose 'prop' or 'tfidf'")


def tfidf_rows(counts) -> sparse.csr_matrix:
    """Rows of counts as L2-normalised TF-IDF vectors (scikit-learn, sublinear tf, smoothed idf)."""
    from sklearn.feature_extraction.text import TfidfTransformer

    return TfidfTransformer(sublinear_tf=True).fit_transform(sparse.csr_matrix(counts, dtype=np.float64))


def dfm_from_tokens(token_lists: list[list[str]], docvars: pd.DataFrame | None = None) -> DFM:
    """A DFM of token counts over a sorted vocabulary, from lists of tokens (texts outside the
    corpus, such as a validation set)."""
    codes, features = pd.factorize(np.array([t for tokens in token_lists for t in tokens], dtype=object), sort=True)
    rows = np.repeat(np.arange(len(token_lists)), [len(tokens) for tokens in token_lists])
    matrix = sparse.csr_matrix((np.ones(len(codes), dtype=np.int64), (rows, codes)),
                               shape=(len(token_lists), len(features)))
    matrix.sum_duplicates()
    docvars = docvars if docvars is not None else pd.DataFrame({"doc_id": [str(i) for i in range(len(token_lists))]})
    return DFM(matrix, np.asarray(features, dtype=object), docvars.reset_index(drop=True), ("dfm_from_tokens",))
