"""Figures of the corpus (textplot_* in quanteda's vocabulary). Each returns a matplotlib figure
made with :func:`analysis.plots.style.new_figure`; save it with :func:`analysis.plots.style.save_figure`."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.ticker import MaxNLocator

from .labels import decimal_year, rate_text, short_names as short_doc_names, wrap_label
from .style import LINE_COLOURS, OKABE_ITO, SEQUENTIAL_CMAP, new_figure, set_category_axis, set_year_axis
from ..checks import check_number
from ..stats.describe import yearly_summary
from ..stats.similarity import order_by_similarity
from ..text.segment import KINDS

SMALL_CORPUS = 30  # up to this many documents, plots show each document by name
KIND_COLOURS = dict(zip(KINDS, (OKABE_ITO[7], OKABE_ITO[4], OKABE_ITO[5], OKABE_ITO[2])))
CLIP_PERCENTILE = 95.0  # the theme heatmap's colour scale ends at this percentile of its cells
MIN_NOTE_CELL = 0.22  # inches: the narrowest heatmap cell a number is printed in
MIN_HEATMAP_HEIGHT = 2.0  # inches: room for a colour bar's label beside a few rows
ROW_CHARS = 36  # heatmap row labels wrap after this many characters
LEGEND_CHARS = 26  # and legend entries after this many


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
    first, last = int(np.floor(x.min())), int(np.ceil(x.max()))
    ax.set_xlim(first - 1, last + 1)
    for xi, yi, name, words in zip(x, y, short_doc_names(summary["doc_id"]), summary["words"]):
        # labels near either end grow inwards, so they stay on the canvas
        where = (xi - (first - 1)) / (last - first + 2)
        align = "left" if where < 0.2 else "right" if where > 0.8 else "center"
        ax.annotate(f"{name}\n{words:,} words", (xi, yi), xytext=(0, 9), textcoords="offset points",
                    ha=align, va="bottom", fontsize=6)
    ax.set_yticks(range(len(groups)), groups)
    ax.set_ylim(-0.6, len(groups) - 0.1)
    set_year_axis(ax.xaxis)
    ax.set_xlabel("Date of the document (a document dated only by year is placed mid-year)")
    ax.grid(axis="x", linewidth=0.3, alpha=0.5)
    return fig


def _timeline_years(summary: pd.DataFrame):
    yearly = yearly_summary(summary)
    fig, (top, bottom) = new_figure("double", height=3.2, nrows=2, sharex=True)
    top.bar(yearly["year"], yearly["documents"], width=0.8, color=OKABE_ITO[4])
    top.set_ylabel("Documents")
    bottom.bar(yearly["year"], yearly["words"] / 1e6, width=0.8, color=OKABE_ITO[5])
    bottom.set_ylabel("Words (millions)")
    bottom.set_xlabel("Year")
    set_year_axis(bottom.xaxis, yearly["year"])
    return fig


def textplot_paragraph_lengths(lengths: pd.DataFrame):
    """Words per paragraph. Few documents: every paragraph as a dot, a row per document,
    coloured by kind. Many: a histogram on a logarithmic axis."""
    n_docs = lengths["doc_id"].nunique()
    if n_docs > SMALL_CORPUS:
        fig, ax = new_figure("single")
        words = lengths.loc[lengths["word_tokens"] > 0, "word_tokens"]
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
        ax.scatter(part["word_tokens"], y, s=9, color=KIND_COLOURS[kind], label=kind, alpha=0.85, linewidth=0)
    medians = lengths.groupby("doc_id")["word_tokens"].median()
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


def _figure_or_axes(ax, height: float):
    """The figure and axes to draw on: ``ax``'s figure, or a new double-column figure."""
    return (ax.figure, ax) if ax is not None else new_figure("double", height=height)


def textplot_theme_heatmap(rates: pd.DataFrame, order: list[str], labels: dict[str, str], n_focus: int = 0, ax=None,
                           clip_percentile: float = CLIP_PERCENTILE):
    """Themes (rows, in ``order``; the first ``n_focus`` are set apart) x years at their true
    distance (a year without documents is a blank column): the colour and the number printed in
    a cell (up to 30 years) are the same quantity, mentions per 10,000 words of the year.

    The colour scale ends at the ``clip_percentile``-th percentile of the cells, so that one short
    document with a high rate (say 20 mentions in 677 words, 295 per 10,000) does not turn every
    other cell dark; cells above it take the top colour, are outlined, and print their own rate.
    """
    check_number("clip_percentile", clip_percentile, 50, 100)
    years = sorted(rates["year"].unique())
    rate = rates.pivot(index="theme", columns="year", values="per_10k").reindex(index=order, columns=years)
    rows = _row_labels([labels.get(t, t) for t in order])
    fig, ax = _figure_or_axes(ax, 1.0 + _row_height(rows) * len(order))
    values = rate.to_numpy(dtype=float)
    top = float(np.nanpercentile(values, clip_percentile)) if np.isfinite(values).any() else 0.0
    clipped = values > top if top > 0 else np.zeros(values.shape, dtype=bool)
    annotated = _year_heatmap(fig, ax, rate, rows, "Mentions per\n10,000 words", rate_text, vmin=0,
                              vmax=top if clipped.any() else None)
    ax.add_collection(_outline(clipped, years))
    if 0 < n_focus < len(order):
        ax.axhline(n_focus - 0.5, color="white", linewidth=2)
    notes = ["numbers: mentions per 10,000 words"] if annotated else []
    if years[-1] - years[0] + 1 > len(years):
        notes.append("blank: no documents")
    label = "Year" + (f" ({'; '.join(notes)})" if notes else "")
    if clipped.any():
        label += (f"\nOutlined cells lie above the colour scale, which ends at {rate_text(top)} "
                  f"(the {clip_percentile:g}th percentile of the cells)")
    ax.set_xlabel(label)
    return fig


def textplot_theme_rates(trends: pd.DataFrame, themes: list[str], labels: dict[str, str], ax=None):
    """Rates per 10,000 tokens of some themes by year (``theme_trends`` output)."""
    fig, ax = _figure_or_axes(ax, 2.6)
    points = _one_document_a_year(trends)
    for i, theme in enumerate(themes):
        part = trends[trends["theme"] == theme].sort_values("year")
        _draw_series(ax, part, LINE_COLOURS[i % len(LINE_COLOURS)], MARKERS[i % len(MARKERS)],
                     wrap_label(labels.get(theme, theme), LEGEND_CHARS), points)
    ax.set_xlabel("Year")
    ax.set_ylabel("Mentions per\n10,000 words")
    set_year_axis(ax.xaxis, trends["year"])
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))  # beside the plot: never over a point
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
        ax.set_title(wrap_label(terms[i].replace("_", " "), _panel_chars(ncols)), fontsize=7)
        ax.set_ylim(bottom=0)
        ax.tick_params(labelsize=6)
        set_year_axis(ax.xaxis, trends["year"])
    _label_bottom_panels(axes, len(terms))
    fig.supylabel("Per 10,000 words", fontsize=7)
    return fig


def _panel_chars(ncols: int) -> int:
    """Characters of a 7-point title that fit over one of ``ncols`` panels of a double-column figure."""
    return max(10, 88 // ncols)


def _label_bottom_panels(axes: np.ndarray, n_shown: int) -> None:
    """With shared x axes matplotlib labels only the last row; a panel with no panel below it
    (the last row is not full) gets its own labels."""
    nrows, ncols = axes.shape
    for i in range(max(0, n_shown - ncols), n_shown):
        if i + ncols >= n_shown:
            axes.flat[i].xaxis.set_tick_params(labelbottom=True)


def textplot_keyness(table: pd.DataFrame, comparison: str, n_terms: int = 12):
    """The terms most over- and under-used in ``comparison`` (signed G2, from ``keyness_table``),
    names of bodies and meetings left out; a pale bar is not significant once adjusted for the
    number of terms tested (Benjamini-Hochberg ``p_adjusted`` >= 0.05)."""
    part = table[table["comparison"] == comparison]
    if "is_name" in part:
        part = part[~part["is_name"].astype(bool)]
    top = part[part["g2"] > 0].nlargest(n_terms, "g2")
    bottom = part[part["g2"] < 0].nsmallest(n_terms, "g2")
    shown = pd.concat([top, bottom.iloc[::-1]])
    fig, ax = new_figure("double", height=0.8 + 0.13 * len(shown))
    significant = shown["p_adjusted"] < 0.05 if "p_adjusted" in shown else pd.Series(True, index=shown.index)
    colours = [(OKABE_ITO[5] if g > 0 else OKABE_ITO[4]) for g in shown["g2"]]
    bars = ax.barh(range(len(shown)), shown["g2"], color=colours)
    for bar, solid in zip(bars, significant):
        bar.set_alpha(1.0 if solid else 0.35)
    ax.set_yticks(range(len(shown)), [t.replace("_", " ") for t in shown["term"]], fontsize=6)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.6)
    ax.set_xlabel(wrap_label(f"Signed log-likelihood G² ({comparison}; right: more frequent in the target; pale: "
                             "not significant after Benjamini–Hochberg adjustment)", 95))
    return fig


def _heatmap_cells(ax, values: np.ndarray, notes: np.ndarray | None, rows: list, columns: list,
                   vmin: float | None = None, vmax: float | None = None, label_size: float | None = None):
    """A viridis heatmap of ``values`` with optional text ``notes`` in the cells (white on dark
    cells) and no frame; with many rows or columns only every n-th is labelled."""
    image = ax.imshow(values, aspect="auto", cmap=SEQUENTIAL_CMAP, interpolation="nearest", vmin=vmin, vmax=vmax)
    if notes is not None:
        _print_in_cells(ax, image, values, notes, range(values.shape[1]), label_size or 6)
    for axis, labels in ((ax.xaxis, columns), (ax.yaxis, rows)):
        set_category_axis(axis, [str(label) for label in labels])
        if label_size:
            axis.set_tick_params(labelsize=label_size)
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.tick_params(length=0)
    return image


def _print_in_cells(ax, image, values: np.ndarray, notes: np.ndarray, x_positions, size: float) -> None:
    """``notes`` in the cells at ``x_positions``: black on light cells, white on dark ones."""
    for i in range(values.shape[0]):
        for j, x in enumerate(x_positions):
            if notes[i, j]:
                red, green, blue, _ = image.cmap(image.norm(values[i, j]))
                light = 0.2126 * red + 0.7152 * green + 0.0722 * blue > 0.45  # relative luminance
                ax.text(x, i, notes[i, j], ha="center", va="center", fontsize=size,
                        color="black" if light else "white")


def _heatmap(fig, ax, values: np.ndarray, notes: np.ndarray | None, rows: list, columns: list,
             colour_label: str, vmin: float | None = None, vmax: float | None = None):
    """:func:`_heatmap_cells` with a colour bar."""
    image = _heatmap_cells(ax, values, notes, rows, columns, vmin, vmax)
    _colour_bar(fig, ax, image, colour_label)
    return image


def _colour_bar(fig, ax, image, label: str, extend: str = "neither"):
    bar = fig.colorbar(image, ax=ax, fraction=0.03, pad=0.01, extend=extend)
    bar.set_label(label, fontsize=7)
    bar.ax.tick_params(labelsize=6)
    return bar


def _outline(cells: np.ndarray, years: list[int]) -> LineCollection:
    """The outline of the marked ``cells`` (rows x ``years``): the sides a marked cell shares with
    an unmarked one or the edge, so a run of neighbouring cells gets one frame, not a grid."""
    marked = pd.DataFrame(cells, columns=years).reindex(columns=range(years[0], years[-1] + 1), fill_value=False)
    inside = np.pad(marked.to_numpy(dtype=bool), 1)
    segments = []
    for i, j in zip(*np.nonzero(inside)):
        x, y = years[0] + j - 1, i - 1  # the cell's centre
        for di, dj, side in ((-1, 0, [(x - .5, y - .5), (x + .5, y - .5)]), (1, 0, [(x - .5, y + .5), (x + .5, y + .5)]),
                             (0, -1, [(x - .5, y - .5), (x - .5, y + .5)]), (0, 1, [(x + .5, y - .5), (x + .5, y + .5)])):
            if not inside[i + di, j + dj]:
                segments.append(side)
    return LineCollection(segments, colors="black", linewidths=0.8)


def _notes_fit(ax, n_columns: int, rows: list[str]) -> bool:
    """Whether numbers fit in the cells: at most 30 columns, each wide enough in the axes'
    width before layout less the room its row labels will take (a half-width panel of 16 years
    is too narrow)."""
    label_chars = max((len(line) for row in rows for line in str(row).split("\n")), default=0)
    inches = ax.get_window_extent().width / ax.figure.dpi - label_chars * 0.6 * 7 / 72
    return n_columns <= MAX_ANNOTATED_YEARS and inches / n_columns >= MIN_NOTE_CELL


def _row_labels(labels: list[str]) -> list[str]:
    return [wrap_label(label, ROW_CHARS) for label in labels]


def _row_height(rows: list[str]) -> float:
    """Inches per heatmap row: room for the longest wrapped label at 7 points."""
    lines = max(label.count("\n") + 1 for label in rows)
    return 0.24 if lines == 1 else 0.14 * lines


def _year_heatmap(fig, ax, table: pd.DataFrame, rows: list[str], colour_label: str, note, vmin=None, vmax=None):
    """Rows x years of ``table`` (columns: the years with data) with every year at its place on a
    year axis, so 2016 and 2023 are seven columns apart; the years between stay blank.
    ``note(value)`` is printed in each cell when it fits (:func:`_notes_fit`); returns whether."""
    years = np.asarray(table.columns, dtype=int)
    span = np.arange(years.min(), years.max() + 1)
    values = table.reindex(columns=span).to_numpy(dtype=float)
    mesh = ax.pcolormesh(np.r_[span - 0.5, span[-1] + 0.5], np.arange(len(rows) + 1) - 0.5,
                         np.ma.masked_invalid(values), cmap=SEQUENTIAL_CMAP, vmin=vmin, vmax=vmax)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    annotated = _notes_fit(ax, len(span), rows)
    if annotated:
        notes = np.vectorize(lambda v: "" if np.isnan(v) else note(v), otypes=[object])(values)
        _print_in_cells(ax, mesh, values, notes, span, 6)
    set_category_axis(ax.yaxis, rows)
    ax.yaxis.set_tick_params(labelsize=7 if max(r.count("\n") for r in rows) == 0 else 6)
    set_year_axis(ax.xaxis, years)
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    top = np.nanmax(values) if np.isfinite(values).any() else None
    _colour_bar(fig, ax, mesh, colour_label, extend="max" if vmax is not None and top is not None and top > vmax
                else "neither")
    return annotated


FAMILY_NAMES = {"lda": "LDA", "nmf": "NMF"}
SELECTION_PANELS = (("c_v", "Coherence c_v"), ("c_npmi", "Coherence c_npmi"), ("diversity", "Topic diversity"),
                    ("stability", "Stability across seeds"))


def textplot_topic_selection(selection: pd.DataFrame, stability: pd.DataFrame, chosen: dict[str, int]):
    """Model selection curves against K: coherence (c_v, c_npmi), diversity and seed stability,
    one line per model family (mean over seeds, band from lowest to highest seed; stability is
    the mean matched similarity over pairs of seeds, band down to the lowest pair). A ring
    marks the chosen K."""
    fig, axes = new_figure("double", height=2.1, ncols=len(SELECTION_PANELS), sharex=True)
    for f, family in enumerate(dict.fromkeys(selection["model"])):
        colour, marker = OKABE_ITO[[4, 5][f % 2]], MARKERS[f]
        scores = selection[selection["model"] == family].groupby("k")
        summary = {name: (scores[name].mean(), scores[name].min(), scores[name].max())
                   for name in ("c_v", "c_npmi", "diversity")}
        stable = stability[stability["model"] == family].set_index("k").sort_index()
        summary["stability"] = (stable["stability"], stable["min_pair_similarity"], stable["stability"])
        for ax, (name, title) in zip(axes, SELECTION_PANELS):
            mean, low, high = summary[name]
            ax.plot(mean.index, mean.to_numpy(), color=colour, marker=marker, markersize=3, linewidth=1,
                    label=FAMILY_NAMES.get(family, family))
            ax.fill_between(mean.index, low.to_numpy(), high.to_numpy(), color=colour, alpha=0.2, linewidth=0)
            k = chosen.get(family)
            if k in mean.index:
                ax.plot([k], [mean[k]], marker="o", markersize=8, markerfacecolor="none", color=colour)
            ax.set_title(title, fontsize=8)
            ax.set_xlabel("Topics (K)")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes[0].legend(loc="best")
    return fig


def textplot_topic_terms(terms: pd.DataFrame, labels: dict[int, str], n_terms: int = 8, ncols: int = 4):
    """Small multiples, one per topic, of its top terms' weights (``topic_terms_table``)."""
    topics = sorted(terms["topic"].unique())
    nrows = int(np.ceil(len(topics) / ncols))
    fig, axes = new_figure("double", height=0.3 + 1.25 * nrows, nrows=nrows, ncols=ncols, squeeze=False)
    for i, ax in enumerate(axes.flat):
        if i >= len(topics):
            ax.set_visible(False)
            continue
        part = terms[(terms["topic"] == topics[i]) & (terms["rank"] <= n_terms)].sort_values("rank")
        weights = part["weight"].to_numpy() * 100
        ax.barh(range(len(part)), weights, color=OKABE_ITO[1], height=0.85)
        # each term written on its bar, from the axis: the bars keep the panel's whole width
        # however long the terms are ("crimes that affect the environment")
        for y, term in enumerate(part["term"]):
            ax.text(0, y, " " + term.replace("_", " "), ha="left", va="center", fontsize=5.5)
        ax.set_yticks([])
        ax.set_ylim(len(part) - 0.5, -0.5)
        ax.set_xlim(0, weights.max() * 1.05 if len(weights) else 1)
        ax.set_title(f"Topic {topics[i]}", fontsize=7)
        ax.tick_params(axis="x", labelsize=5.5)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=3))
        ax.spines["left"].set_visible(False)
    fig.supxlabel("Weight of the term in the topic (%)", fontsize=7)
    return fig


def textplot_topic_prevalence(prevalence: pd.DataFrame, ax=None):
    """Topics (rows, by label) x years: the share of each year's modelled text assigned to the
    topic, in per cent in the cells (up to 30 years)."""
    years = sorted(prevalence["year"].unique())
    share = prevalence.pivot(index="topic", columns="year", values="share").reindex(columns=years) * 100
    labels = prevalence.drop_duplicates("topic").set_index("topic")["label"]
    rows = _row_labels([labels[t] for t in share.index])
    fig, ax = _figure_or_axes(ax, max(MIN_HEATMAP_HEIGHT, 0.8 + _row_height(rows) * len(share)))
    annotated = _year_heatmap(fig, ax, share, rows, "Share of the\nyear's text (%)", lambda v: f"{v:.0f}", vmin=0)
    notes = (["numbers: per cent"] if annotated else []) + (
        ["blank: no documents"] if years[-1] - years[0] + 1 > len(years) else [])
    ax.set_xlabel("Year" + (f" ({'; '.join(notes)})" if notes else ""))
    return fig


def textplot_topic_themes(shares: pd.DataFrame, labels: dict[str, str]):
    """Topics x focus themes: the share of each topic's term weight on the theme's terms, in per
    cent (``topic_theme_shares``)."""
    themes = list(dict.fromkeys(shares["theme"]))
    table = shares.pivot(index="topic", columns="theme", values="share").reindex(columns=themes)
    topic_labels = shares.drop_duplicates("topic").set_index("topic")["label"]
    values = table.to_numpy(dtype=float) * 100
    notes = np.vectorize(lambda v: f"{v:.1f}" if v >= 0.05 else "")(values)
    rows = _row_labels([topic_labels[t] for t in table.index])
    columns = [wrap_label(labels.get(t, t), max(10, 42 // len(themes))) for t in themes]
    fig, ax = new_figure("double", height=max(MIN_HEATMAP_HEIGHT, 0.9 + _row_height(rows) * len(table)))
    _heatmap(fig, ax, values, notes, rows, columns, "Share of the\ntopic's weight (%)", vmin=0)
    return fig


def textplot_topic_evolution(evolution: pd.DataFrame, n_terms: int = 4, ncols: int = 3):
    """Small multiples, one per dynamic topic, of the weight by year of the terms that are among
    its ``n_terms`` top terms in some year (``dynamic_topic_terms``)."""
    topics = sorted(evolution["topic"].unique())
    nrows = int(np.ceil(len(topics) / ncols))
    fig, axes = new_figure("double", height=0.3 + 1.6 * nrows, nrows=nrows, ncols=ncols, squeeze=False, sharex=True)
    for i, ax in enumerate(axes.flat):
        if i >= len(topics):
            ax.set_visible(False)
            continue
        part = evolution[evolution["topic"] == topics[i]]
        shown = list(dict.fromkeys(part.loc[part["rank"] <= n_terms].sort_values(["rank", "year"])["term"]))[:6]
        for j, term in enumerate(shown):
            series = part[part["term"] == term].sort_values("year")
            ax.plot(series["year"], series["weight"], marker=MARKERS[j % len(MARKERS)], markersize=3, linewidth=1,
                    color=LINE_COLOURS[j % len(LINE_COLOURS)], label=term.replace("_", " "))
        ax.set_title(f"Dynamic topic {topics[i]}", fontsize=7)
        top = part.loc[part["term"].isin(shown), "weight"].max()
        ax.set_ylim(0, top * 1.6)  # headroom: the legend's two columns sit above the lines, not on them
        ax.legend(fontsize=5, loc="upper center", ncol=2, frameon=False, columnspacing=1.0, handlelength=1.5)
        ax.tick_params(labelsize=6)
        set_year_axis(ax.xaxis, evolution["year"])
    _label_bottom_panels(axes, len(topics))
    fig.supylabel("Weight in the topic", fontsize=7)
    return fig


MAX_ANNOTATED_CELLS = 12  # similarity heatmaps print their values up to this many rows


def textplot_similarity(similarity: pd.DataFrame, title: str, labels: list[str] | None = None):
    """Two views of one similarity matrix on one colour scale (0 to 1): rows and columns in date
    order (left) and in the order of an average-linkage clustering, with its dendrogram (right).
    Values are printed in the cells of small matrices."""
    from scipy.cluster.hierarchy import dendrogram

    names = labels or list(similarity.index)
    n = len(names)
    tree, leaves = order_by_similarity(similarity)
    fig, default_axes = new_figure("double", height=min(7.5, 2.2 + 0.16 * n))
    default_axes.remove()
    grid = fig.add_gridspec(2, 2, height_ratios=[1, 4])
    by_date, dendro, clustered = fig.add_subplot(grid[:, 0]), fig.add_subplot(grid[0, 1]), fig.add_subplot(grid[1, 1])
    values = similarity.to_numpy(dtype=float)
    annotate = n <= MAX_ANNOTATED_CELLS
    for ax, order, heading in ((by_date, np.arange(n), "by date"), (clustered, leaves, "clustered")):
        shown = values[np.ix_(order, order)]
        notes = np.vectorize(lambda v: "" if np.isnan(v) else f"{v:.2f}")(shown) if annotate else None
        ordered = [names[i] for i in order]
        image = _heatmap_cells(ax, shown, notes, ordered, ordered, vmin=0, vmax=1, label_size=5)
        ax.tick_params(axis="x", labelrotation=90)
        if ax is by_date:
            ax.set_title(f"{title}, {heading}", fontsize=8)
    dendrogram(tree, ax=dendro, no_labels=True, color_threshold=0, above_threshold_color="black",
               link_color_func=lambda _: "black")
    heights = tree[:, 2]
    dendro.set_ylim(max(0.0, heights.min() - 0.1 * (heights.max() - heights.min() + 1e-9)), heights.max() * 1.02)
    dendro.set_axis_off()
    dendro.set_title(f"{title}, clustered (average linkage)", fontsize=8)
    _colour_bar(fig, [by_date, clustered], image, "Similarity")
    return fig


def textplot_similarity_by_date(similarity: pd.DataFrame, title: str, ax=None, labels: list[str] | None = None,
                                annotate: bool = True):
    """One similarity matrix in date order on a 0-1 scale, values in the cells of small ones
    (``annotate=False``: colour only, for a small panel)."""
    fig, ax = _figure_or_axes(ax, 3.0)
    values = similarity.to_numpy(dtype=float)
    names = labels or list(similarity.index)
    notes = (np.vectorize(lambda v: "" if np.isnan(v) else f"{v:.2f}")(values)
             if annotate and len(names) <= MAX_ANNOTATED_CELLS and _notes_fit(ax, len(names), names) else None)
    _heatmap(fig, ax, values, notes, names, names, "Similarity", vmin=0, vmax=1)
    ax.tick_params(axis="x", labelrotation=90)
    ax.set_title(title, fontsize=8)
    return fig


def textplot_agenda_summary(rates: pd.DataFrame, order: list[str], labels: dict[str, str], n_focus: int,
                            trends: pd.DataFrame, focus: list[str], prevalence: pd.DataFrame,
                            similarity: pd.DataFrame, short_names: list[str]):
    """The summary figure: (a) agenda emergence heatmap, (b) focus themes' rates, (c) topic
    prevalence, (d) document similarity (TF-IDF cosine), with panel letters."""
    fig, default_axes = new_figure("double", height=7.5)
    default_axes.remove()
    # one sub-figure per row, each laid out on its own: a colour bar or legend of one row does
    # not take room from the panels of another
    top, middle, bottom = fig.subfigures(3, 1, height_ratios=[1.4, 1.0, 1.3])
    panels = [top.subplots(), middle.subplots(), *bottom.subplots(1, 2, width_ratios=[3, 2])]
    textplot_theme_heatmap(rates, order, labels, n_focus, ax=panels[0])
    textplot_theme_rates(trends, focus, labels, ax=panels[1])
    textplot_topic_prevalence(prevalence, ax=panels[2])
    textplot_similarity_by_date(similarity, "TF-IDF similarity", ax=panels[3], labels=short_names, annotate=False)
    titles = ("Agenda emergence", "Focus themes", "Topic prevalence", "TF-IDF similarity")
    for letter, title, ax in zip("abcd", titles, panels):
        ax.set_title(title, fontsize=8)
        _panel_letter(ax, letter)
    return fig


def _panel_letter(ax, letter: str) -> None:
    """``letter`` in bold at the panel's top left: level with its title, left of its tick labels
    and axis label, so it never runs into either ("cTopic prevalence"). It is part of the panel's
    extent, so the constrained layout makes room for it."""
    def left_of_labels(renderer):
        box = ax.yaxis.get_tightbbox(renderer)
        return box if box is not None else ax.get_window_extent(renderer)

    ax.annotate(letter, xy=(0, 1), xycoords=(left_of_labels, "axes fraction"), xytext=(-2, matplotlib.rcParams["axes.titlepad"]),
                textcoords="offset points", ha="right", va="baseline", fontsize=10, fontweight="bold")


def textplot_robustness(summary: pd.DataFrame):
    """Share of the perturbations each claim could be measured under that it survives
    (``robustness_summary``), with the counts behind it ("holds/measured, n not measurable")."""
    fig, ax = new_figure("double", height=0.6 + 0.22 * len(summary))
    colours = [OKABE_ITO[2] if share >= 0.8 else OKABE_ITO[0] if share >= 0.5 else OKABE_ITO[5]
               for share in summary["share"]]
    ax.barh(range(len(summary)), summary["share"] * 100, color=colours)
    ax.set_yticks(range(len(summary)), [c.replace("_", " ") for c in summary["claim"]], fontsize=6)
    ax.invert_yaxis()
    for i, row in enumerate(summary.itertuples()):
        measured = row.holds + getattr(row, "does_not_hold", row.specifications - row.holds)
        unmeasured = getattr(row, "not_measurable", 0)
        ax.text(row.share * 100 + 1, i, f"{row.holds}/{measured}" + (f", {unmeasured} n/m" if unmeasured else ""),
                va="center", fontsize=6)
    ax.set_xlim(0, 118)
    ax.set_xlabel(wrap_label("Perturbations under which the claim holds (% of those it could be measured under; "
                             "n/m: not measurable)", 60))
    ax.axvline(50, color="black", linewidth=0.5, linestyle=":")
    return fig
