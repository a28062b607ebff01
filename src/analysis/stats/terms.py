"""Vocabulary that emerges: terms no earlier document uses."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..checks import check_int
from ..index.dfm import DFM
from .rates import per_10k

EMERGENT_COLUMNS = ["term", "first_year", "first_doc_id", "count_after", "per_10k_after", "documents_after"]


def emergent_terms(x: DFM, min_count: int = 3) -> pd.DataFrame:
    """Terms absent from every document before some year and present from it on.

    ``x`` is a document-level DFM in corpus (date) order. Returns :data:`EMERGENT_COLUMNS`: the
    year and first document that use the term, its count and rate over the word tokens from that
    year on, and how many documents use it. Terms already used in the corpus's first year cannot
    be called emergent and are left out, as are terms used fewer than ``min_count`` times.
    """
    check_int("min_count", min_count, 1)
    documents = x.docvars
    csc = x.matrix.tocsc()
    csc.sort_indices()
    used_in = np.diff(csc.indptr)
    totals = np.asarray(csc.sum(axis=0)).ravel()
    years = documents["year"].to_numpy()
    tokens = documents["word_tokens"].to_numpy()
    first_row = np.where(used_in > 0, csc.indices[np.minimum(csc.indptr[:-1], max(len(csc.indices) - 1, 0))], -1)
    keep = (used_in > 0) & (totals >= min_count)
    keep &= np.where(keep, years[first_row] > years.min(), False)
    tokens_from = {year: tokens[years >= year].sum() for year in np.unique(years)}
    rows = [(x.features[j], int(years[first_row[j]]), documents["doc_id"].iloc[first_row[j]], int(totals[j]),
             float(per_10k(totals[j], tokens_from[years[first_row[j]]])), int(used_in[j])) for j in np.flatnonzero(keep)]
    frame = pd.DataFrame(rows, columns=EMERGENT_COLUMNS)
    return frame.sort_values(["first_year", "count_after", "term"], ascending=[True, False, True],
                             kind="stable").reset_index(drop=True)
