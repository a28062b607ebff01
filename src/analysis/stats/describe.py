"""Descriptive statistics of a corpus index: what it holds, per document and per year."""

from __future__ import annotations

import pandas as pd

from ..text.segment import KINDS

METADATA_COLUMNS = ("body", "meeting", "doc_type")


def corpus_summary(documents: pd.DataFrame, paragraphs: pd.DataFrame, metadata_columns=METADATA_COLUMNS) -> pd.DataFrame:
    """One row per document (the index's ``documents`` and ``paragraphs``): metadata, word
    tokens, paragraphs, and paragraphs of each kind."""
    kinds = (paragraphs.groupby(["doc_id", "kind"]).size().unstack("kind")
             .reindex(columns=list(KINDS), fill_value=0).add_suffix("_paragraphs"))
    columns = ["doc_id", "date", "year"] + [c for c in metadata_columns if c in documents.columns]
    summary = documents[columns + ["word_tokens", "paragraphs"]].merge(kinds, left_on="doc_id", right_index=True,
                                                                       how="left")
    summary[list(kinds.columns)] = summary[list(kinds.columns)].fillna(0).astype("int64")
    return summary.rename(columns={"word_tokens": "words"}).reset_index(drop=True)


def paragraph_kinds(paragraphs: pd.DataFrame) -> pd.DataFrame:
    """Per kind of paragraph: how many, and their length in words (mean, median, min, max)."""
    described = paragraphs.groupby("kind")["word_tokens"].describe()
    described = described.reindex([k for k in KINDS if k in described.index])
    return (described[["count", "mean", "50%", "min", "max"]].rename(columns={"50%": "median"})
            .rename_axis("kind").reset_index())


def yearly_summary(summary: pd.DataFrame) -> pd.DataFrame:
    """Documents, words and paragraphs per year, every year from first to last included."""
    yearly = summary.groupby("year").agg(documents=("doc_id", "size"), words=("words", "sum"),
                                         paragraphs=("paragraphs", "sum"))
    years = range(int(yearly.index.min()), int(yearly.index.max()) + 1)
    return yearly.reindex(years, fill_value=0).rename_axis("year").reset_index()
