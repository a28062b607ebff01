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


MARKERS = ("o", "s", "D", "^", "v", "P", "X", "*")
MAX_ANNOTATED_YEARS = 30


def _one_document_a_year(trends: pd.DataFrame) -> bool:
    return bool((trends["documents"] <= 1).all())


def _draw_series(ax, part: pd.DataFrame, colour: str, marker: str, label: str, points: bool) -> None:
    """Points when each year is one document (no trend between them is observed); otherwise a
    line with its bootstrap band."""
    if points:
        ax.plot(part["year"], part["per_10k"], linestyle="none", marker=marker, color=colour, label=label, markersize=5)
    else:
        ax.plot(part["year"], part["per_10k"], color=colour, label=label, linewidth=1.2)
        ax.fill_between(part["year"], part["low"], part["high"], color=colour, alpha=0.2, linewidth=0)


def textplot_theme_heatmap(rates: pd.DataFrame, order: list[str], labels: dict[str, str], n_focus: int = 0):
    """Themes (rows, in ``order``; the first ``n_focus`` are set apart) x years: colour is the
    rate per 10,000 tokens, the number in a cell is the count behind it (up to 30 years)."""
    years = sorted(rates["year"].unique())
    rate = rates.pivot(index="theme", columns="year", values="per_10k").reindex(index=order, columns=years)
    count = rates.pivot(index="theme", columns="year", values="count").reindex(index=order, columns=years)
    fig, ax = new_figure("double", height=0.9 + 0.24 * len(order))
    image = ax.imshow(rate.to_numpy(dtype=float), aspect="auto", cmap="viridis", interpolation="nearest")
    annotate = len(years) <= MAX_ANNOTATED_YEARS
    if annotate:
        top = np.nanmax(rate.to_numpy(dtype=float)) or 1
        for i in range(len(order)):
            for j in range(len(years)):
                value = count.iat[i, j]
                if pd.notna(value):
                    dark = rate.iat[i, j] < 0.6 * top
                    ax.text(j, i, f"{int(value)}", ha="center", va="center", fontsize=6,
                            color="white" if dark else "black")
        ax.set_xticks(range(len(years)), years)
    else:
        step = max(1, len(years) // 12)
        ax.set_xticks(range(0, len(years), step), years[::step])
    ax.set_yticks(range(len(order)), [labels.get(t, t) for t in order])
    if 0 < n_focus < len(order):
        ax.axhline(n_focus - 0.5, color="white", linewidth=2)
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.tick_params(length=0)
    bar = fig.colorbar(image, ax=ax, fraction=0.03, pad=0.01)
    bar.set_label("Mentions per 10,000 tokens")
    ax.set_xlabel("Year" + (" (numbers: mentions counted)" if annotate else ""))
    return fig


def textplot_theme_rates(trends: pd.DataFrame, themes: list[str], labels: dict[str, str]):
    """Rates per 10,000 tokens of some themes by year (``theme_trends`` output)."""
    fig, ax = new_figure("double", height=2.6)
    points = _one_document_a_year(trends)
    for i, theme in enumerate(themes):
        part = trends[trends["theme"] == theme].sort_values("year")
        _draw_series(ax, part, OKABE_ITO[i % 7], MARKERS[i % len(MARKERS)], labels.get(theme, theme), points)
    ax.set_xlabel("Year")
    ax.set_ylabel("Mentions per 10,000 tokens")
    ax.legend(loc="upper left")
    ax.grid(axis="y", linewidth=0.3, alpha=0.5)
    return fig


def textplot_term_trends(trends: pd.DataFrame, ncols: int = 4):
    """Small multiples, one per term, of its rate per 10,000 tokens by year (``term_trends``)."""
    terms = list(dict.fromkeys(trends["term"]))
    nrows = int(np.ceil(len(terms) / ncols))
    fig, axes = new_figure("double", height=0.4 + 1.35 * nrows, nrows=nrows, ncols=ncols, sharex=True, squeeze=False)
    points = _one_document_a_year(trends)
    for i, ax in enumerate(axes.flat):
        if i >= len(terms):
            ax.set_visible(False)
            continue
        part = trends[trends["term"] == terms[i]].sort_values("year")
        _draw_series(ax, part, OKABE_ITO[4], "o", terms[i], points)
        ax.set_title(terms[i].replace("_", " "), fontsize=7)
        ax.set_ylim(bottom=0)
        ax.tick_params(labelsize=6)
    fig.supylabel("Per 10,000 tokens", fontsize=7)
    return fig


def textplot_keyness(table: pd.DataFrame, comparison: str, n_terms: int = 12):
    """The terms most over- and under-used in ``comparison`` (signed G2, from ``keyness_table``)."""
    part = table[table["comparison"] == comparison]
    top = part[part["g2"] > 0].nlargest(n_terms, "g2")
    bottom = part[part["g2"] < 0].nsmallest(n_terms, "g2")
    shown = pd.concat([top, bottom.iloc[::-1]])
    fig, ax = new_figure("double", height=0.8 + 0.13 * len(shown))
    colours = [OKABE_ITO[5] if g > 0 else OKABE_ITO[4] for g in shown["g2"]]
    ax.barh(range(len(shown)), shown["g2"], color=colours)
    ax.set_yticks(range(len(shown)), [t.replace("_", " ") for t in shown["term"]], fontsize=6)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.6)
    ax.set_xlabel(f"Signed log-likelihood G² ({comparison}; right: more frequent in the target)")
    return fig
