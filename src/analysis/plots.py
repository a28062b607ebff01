"""Figures of the corpus (textplot_* in quanteda's vocabulary). Each returns a matplotlib figure
made with :func:`analysis.figures.new_figure`; save it with :func:`analysis.figures.save_figure`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .figures import OKABE_ITO, new_figure
from .segment import KINDS

SMALL_CORPUS = 30  # up to this many documents, plots show each document by name
KIND_COLOURS = dict(zip(KINDS, (OKABE_ITO[7], OKABE_ITO[4], OKABE_ITO[5], OKABE_ITO[2])))


def decimal_year(date: str) -> float:
    """``2015-01-14`` -> 2015.04; a bare year sits mid-year, a bare month mid-month."""
    parts = [int(p) for p in date.split("-")]
    if len(parts) == 1:
        return parts[0] + 0.5
    month_start = (parts[1] - 1) / 12
    day = (parts[2] - 1) / 365 if len(parts) == 3 else 1 / 24
    return round(parts[0] + month_start + day, 4)


def textplot_timeline(summary: pd.DataFrame, group: str = "body"):
    """When the documents were issued. Few documents: one labelled marker each, a row per
    ``group``, marker area proportional to length. Many: documents and words per year."""
    if len(summary) <= SMALL_CORPUS:
        return _timeline_documents(summary, group)
    return _timeline_years(summary)


def _timeline_documents(summary: pd.DataFrame, group: str):
    groups = list(dict.fromkeys(summary[group])) if group in summary else ["corpus"]
    fig, ax = new_figure("double", height=0.9 + 0.35 * len(groups))
    x = summary["date"].map(decimal_year)
    y = summary[group].map(groups.index) if group in summary else pd.Series(0, index=summary.index)
    sizes = 20 + 180 * summary["words"] / summary["words"].max()
    ax.scatter(x, y, s=sizes, color=OKABE_ITO[4], alpha=0.8, edgecolor="black", linewidth=0.5, zorder=3)
    for xi, yi, row in zip(x, y, summary.itertuples()):
        ax.annotate(f"{row.doc_id}\n{row.words:,} words", (xi, yi), xytext=(0, 9),
                    textcoords="offset points", ha="center", va="bottom", fontsize=6)
    ax.set_yticks(range(len(groups)), groups)
    ax.set_ylim(-0.6, len(groups) - 0.1)
    first, last = int(np.floor(x.min())), int(np.ceil(x.max()))
    ax.set_xlim(first - 1, last + 1)
    ax.set_xticks(range(first - first % 5 if first % 5 else first, last + 2, max(1, (last - first) // 8 or 1)))
    ax.set_xlabel("Date of the document (a document dated only by year is placed mid-year)")
    ax.grid(axis="x", linewidth=0.3, alpha=0.5)
    return fig


def _timeline_years(summary: pd.DataFrame):
    from .describe import yearly_summary

    yearly = yearly_summary(summary)
    fig, (top, bottom) = new_figure("double", height=3.2, nrows=2, sharex=True)
    top.bar(yearly["year"], yearly["documents"], width=0.8, color=OKABE_ITO[4])
    top.set_ylabel("Documents")
    bottom.bar(yearly["year"], yearly["words"] / 1e6, width=0.8, color=OKABE_ITO[5])
    bottom.set_ylabel("Words (millions)")
    bottom.set_xlabel("Year")
    return fig


def textplot_paragraph_lengths(lengths: pd.DataFrame):
    """Words per paragraph. Few documents: every paragraph as a dot, a row per document,
    coloured by kind. Many: a histogram on a logarithmic axis."""
    n_docs = lengths["doc_id"].nunique()
    if n_docs > SMALL_CORPUS:
        fig, ax = new_figure("single")
        words = lengths.loc[lengths["words"] > 0, "words"]
        bins = np.logspace(0, np.log10(words.max() + 1), 40)
        ax.hist(words, bins=bins, color=OKABE_ITO[4])
        ax.set_xscale("log")
        ax.set_xlabel("Words per paragraph")
        ax.set_ylabel("Paragraphs")
        return fig
    docs = list(dict.fromkeys(lengths["doc_id"]))
    fig, ax = new_figure("double", height=0.8 + 0.32 * n_docs)
    rng = np.random.default_rng(0)  # fixed vertical jitter, the same on every run
    for kind in KINDS:
        part = lengths[lengths["kind"] == kind]
        if part.empty:
            continue
        y = part["doc_id"].map(docs.index) + rng.uniform(-0.25, 0.25, len(part))
        ax.scatter(part["words"], y, s=9, color=KIND_COLOURS[kind], label=kind, alpha=0.85, linewidth=0)
    medians = lengths.groupby("doc_id")["words"].median()
    ax.scatter([medians[d] for d in docs], range(len(docs)), marker="|", s=120, color="black",
               label="median", zorder=3)
    ax.set_yticks(range(len(docs)), docs)
    ax.invert_yaxis()
    ax.set_xlabel("Words per paragraph")
    ax.legend(ncols=5, loc="lower center", bbox_to_anchor=(0.5, 1.0))
    return fig
