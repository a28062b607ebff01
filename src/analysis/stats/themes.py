"""Theme coding with an audit trail: every count is the number of keyword-in-context rows behind it.

:func:`theme_kwic` finds every codebook match in every paragraph and returns one row per match
with its context; :func:`theme_frequencies` counts those rows per document and theme (zeros
included) and normalises by the document's word tokens (:func:`analysis.describe.count_words`);
:func:`theme_emergence` reads, for each theme, the first year, document and paragraph that name
it and the year of its highest rate over the year's pooled tokens.
"""

from __future__ import annotations

import re

import pandas as pd

from ..text.codebook import Codebook
from ..stats.describe import count_words

KWIC_COLUMNS = ["doc_id", "year", "paragraph_id", "theme", "pattern", "left", "match", "right"]
CONTEXT_CHARS = 60
PER = 10_000


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def kwic_rows(doc_id: str, year: int, ids: list[str], texts: list[str], codebook: Codebook,
              context: int = CONTEXT_CHARS, vocabulary: set[str] | None = None,
              lower: str | None = None) -> list[tuple]:
    """KWIC rows (:data:`KWIC_COLUMNS`) for the paragraphs ``texts`` of one document
    (``vocabulary`` and ``lower`` as in :meth:`Codebook.find_all`)."""
    rows = []
    for paragraph_id, text, matches in zip(ids, texts, codebook.find_all(texts, vocabulary, lower)):
        for m in matches:
            rows.append((doc_id, int(year), paragraph_id, m.theme, m.pattern,
                         _squash(text[max(0, m.start - context):m.start]), _squash(text[m.start:m.end]),
                         _squash(text[m.end:m.end + context])))
    return rows


def theme_kwic(paragraphs: pd.DataFrame, codebook: Codebook, context: int = CONTEXT_CHARS) -> pd.DataFrame:
    """One row per theme match: ``doc_id, year, paragraph_id, theme, pattern, left, match, right``.

    ``left`` and ``right`` hold up to ``context`` characters of the paragraph on each side.
    """
    rows = []
    for doc_id, part in paragraphs.groupby("doc_id", sort=False):
        rows += kwic_rows(doc_id, part["year"].iloc[0], part["paragraph_id"].tolist(), part["text"].tolist(),
                          codebook, context)
    return pd.DataFrame(rows, columns=KWIC_COLUMNS)


def document_tokens(paragraphs: pd.DataFrame) -> pd.DataFrame:
    """Word tokens per document: ``doc_id, year, tokens``, in corpus order."""
    words = paragraphs["text"].map(count_words)
    return (paragraphs.assign(tokens=words).groupby("doc_id", sort=False)
            .agg(year=("year", "first"), tokens=("tokens", "sum")).reset_index())


def theme_frequencies(kwic: pd.DataFrame, documents: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """``doc_id, year, theme, count, tokens, per_10k``: every document x theme, zeros included.

    ``documents`` has ``doc_id, year, tokens`` (from :func:`document_tokens` or
    :func:`analysis.counts.count_corpus`); ``count`` is the number of KWIC rows.
    """
    grid = documents[["doc_id", "year", "tokens"]].merge(pd.DataFrame({"theme": codebook.names}), how="cross")
    counts = kwic.groupby(["doc_id", "theme"]).size().rename("count")
    grid = grid.merge(counts, left_on=["doc_id", "theme"], right_index=True, how="left")
    grid["count"] = grid["count"].fillna(0).astype("int64")
    grid["per_10k"] = PER * grid["count"] / grid["tokens"].where(grid["tokens"] > 0)
    return grid[["doc_id", "year", "theme", "count", "tokens", "per_10k"]]


def yearly_rates(frequencies: pd.DataFrame) -> pd.DataFrame:
    """``theme, year, count, tokens, per_10k`` with counts and tokens pooled over each year's documents."""
    pooled = frequencies.groupby(["theme", "year"], sort=False)[["count", "tokens"]].sum().reset_index()
    pooled["per_10k"] = PER * pooled["count"] / pooled["tokens"].where(pooled["tokens"] > 0)
    return pooled


def theme_emergence(frequencies: pd.DataFrame, kwic: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """``theme, first_year, first_doc_id, first_paragraph_id, peak_year, peak_per_10k, years_present``.

    The first document is the earliest in corpus order (by date) of the first year; the first
    paragraph is its earliest matching paragraph. The peak is the year with the highest rate
    over that year's pooled tokens (the earliest such year on a tie). A theme never found has
    empty first and peak columns and ``years_present`` 0.
    """
    doc_order = {doc: i for i, doc in enumerate(dict.fromkeys(frequencies["doc_id"]))}
    rates = yearly_rates(frequencies)
    rows = []
    for theme in codebook.names:
        hits = kwic[kwic["theme"] == theme]
        theme_rates = rates[(rates["theme"] == theme) & (rates["count"] > 0)]
        if hits.empty:
            rows.append((theme, None, None, None, None, None, 0))
            continue
        first = hits.assign(order=hits["doc_id"].map(doc_order)).sort_values(["year", "order", "paragraph_id"]).iloc[0]
        peak = theme_rates.sort_values(["per_10k", "year"], ascending=[False, True]).iloc[0]
        rows.append((theme, int(first["year"]), first["doc_id"], first["paragraph_id"],
                     int(peak["year"]), float(peak["per_10k"]), int(theme_rates["year"].nunique())))
    frame = pd.DataFrame(rows, columns=["theme", "first_year", "first_doc_id", "first_paragraph_id",
                                        "peak_year", "peak_per_10k", "years_present"])
    return frame.astype({"first_year": "Int64", "peak_year": "Int64"})


def emergence_summary(emergence: pd.DataFrame, kwic: pd.DataFrame, codebook: Codebook, themes: list[str],
                      n_years: int) -> str:
    """A Markdown paragraph per theme: where it first appears (quoted from its KWIC row), when it
    peaks, and in how many of the ``n_years`` years it is found."""
    lines = []
    table = emergence.set_index("theme")
    for theme in themes:
        label = codebook[theme].label
        row = table.loc[theme]
        if pd.isna(row["first_year"]):
            lines.append(f"- **{label}** is never mentioned.")
            continue
        first = kwic[(kwic["theme"] == theme) & (kwic["paragraph_id"] == row["first_paragraph_id"])].iloc[0]
        quote = f"…{first['left'][-40:]}**{first['match']}**{first['right'][:40]}…"
        lines.append(
            f"- **{label}** first appears in {row['first_year']} (`{row['first_paragraph_id']}`): {quote} "
            f"Its rate peaks in {row['peak_year']} at {row['peak_per_10k']:.1f} mentions per 10,000 tokens; "
            f"it is found in {row['years_present']} of the {n_years} years with documents.")
    return "\n".join(lines)


def theme_order(rates: pd.DataFrame, codebook: Codebook) -> list[str]:
    """Focus themes in codebook order, then the others by mean yearly rate, highest first
    (the row order of the emergence heatmap)."""
    others = rates[~rates["theme"].isin(codebook.focus)].groupby("theme")["per_10k"].mean()
    return codebook.focus + sorted(others.index, key=lambda t: (-others[t], t))
