"""Descriptive statistics of a corpus: what it holds, per document and per year."""

from __future__ import annotations

import pandas as pd

from ..text.segment import KINDS
from ..text.patterns import WORD


def count_words(text: str) -> int:
    """Word tokens as the project counts them everywhere: runs of letters (with inner
    hyphens or apostrophes), numbers and punctuation excluded."""
    return len(WORD.findall(text))


def paragraph_lengths(paragraphs: pd.DataFrame) -> pd.DataFrame:
    """``paragraphs`` with a ``words`` column."""
    return paragraphs.assign(words=paragraphs["text"].map(count_words))


def corpus_summary(corpus: pd.DataFrame, paragraphs: pd.DataFrame,
                   metadata_columns=("body", "meeting", "doc_type")) -> pd.DataFrame:
    """One row per document: metadata, words, paragraphs, and paragraphs of each kind."""
    lengths = paragraph_lengths(paragraphs)
    per_doc = lengths.groupby("doc_id", sort=False).agg(words=("words", "sum"), paragraphs=("paragraph_id", "size"))
    kinds = (lengths.groupby(["doc_id", "kind"], observed=False).size().unstack("kind")
             .reindex(columns=list(KINDS), fill_value=0).add_suffix("_paragraphs"))
    columns = ["doc_id", "date", "year"] + [c for c in metadata_columns if c in corpus.columns]
    summary = corpus[columns].merge(per_doc, left_on="doc_id", right_index=True, how="left")
    summary = summary.merge(kinds, left_on="doc_id", right_index=True, how="left")
    count_columns = ["words", "paragraphs"] + list(kinds.columns)
    summary[count_columns] = summary[count_columns].fillna(0).astype("int64")
    return summary.reset_index(drop=True)


def yearly_summary(summary: pd.DataFrame) -> pd.DataFrame:
    """Documents, words and paragraphs per year, every year from first to last included."""
    yearly = summary.groupby("year").agg(documents=("doc_id", "size"), words=("words", "sum"),
                                         paragraphs=("paragraphs", "sum"))
    years = range(int(yearly.index.min()), int(yearly.index.max()) + 1)
    return yearly.reindex(years, fill_value=0).rename_axis("year").reset_index()
