"""Vocabulary that emerges: terms no earlier document uses, in any form.

A term's forms are the terms that share its Snowball stem word by word ("scam" and "scams",
"trafficked" and "trafficking"), so a term is not new in a year when an earlier document used
another form of it. Run it on :func:`analysis.index.dfm.dfm_with_words` to count words used
inside joined phrases too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..checks import check_int
from ..index.dfm import DFM
from ..text.tokens import stem
from .rates import per_10k

EMERGENT_COLUMNS = ["term", "first_year", "first_doc_id", "count_after", "per_10k_after", "documents_after",
                    "other_forms"]


def form_key(term: str) -> str:
    """The key shared by a term's forms: each word of a joined term stemmed."""
    return "_".join(stem(word) for word in term.split("_"))


def emergent_terms(x: DFM, min_count: int = 3) -> pd.DataFrame:
    """Terms absent from every document before some year and present from it on.

    ``x`` is a document-level DFM in corpus (date) order. Returns :data:`EMERGENT_COLUMNS`: the
    year and first document that use the term, its count and rate over the word tokens from that
    year on, and how many documents use it. Terms already used in the corpus's first year cannot
    be called emergent and are left out, as are terms used fewer than ``min_count`` times and
    terms another form of which (:func:`form_key`) an earlier year's document used;
    ``other_forms`` lists the term's other forms in the corpus (first used the same year or later).
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
    first_year = np.where(used_in > 0, years[np.maximum(first_row, 0)], np.iinfo(np.int64).max)
    keys = pd.Series([form_key(f) for f in x.features])
    group_first = pd.Series(first_year).groupby(keys).transform("min").to_numpy()
    keep &= first_year <= group_first
    used_forms = pd.Series(x.features[used_in > 0]).groupby(keys[used_in > 0].to_numpy()).agg(list)
    tokens_from = {year: tokens[years >= year].sum() for year in np.unique(years)}
    rows = [(x.features[j], int(years[first_row[j]]), documents["doc_id"].iloc[first_row[j]], int(totals[j]),
             float(per_10k(totals[j], tokens_from[years[first_row[j]]])), int(used_in[j]),
             " ".join(sorted(f for f in used_forms[keys[j]] if f != x.features[j])))
            for j in np.flatnonzero(keep)]
    frame = pd.DataFrame(rows, columns=EMERGENT_COLUMNS)
    return frame.sort_values(["first_year", "count_after", "term"], ascending=[True, False, True],
                             kind="stable").reset_index(drop=True)
