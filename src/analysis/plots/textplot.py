"""Figures of the corpus (textplot_* in quanteda's vocabulary). Each returns a matplotlib figure
made with :func:`analysis.plots.style.new_figure`; save it with :func:`analysis.plots.style.save_figure`."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from .labels import decimal_year
from .style import OKABE_ITO, new_figure
from ..stats.describe import yearly_summary
from ..stats.similarity import order_by_similarity
from ..text.segment import KINDS

SMALL_CORPUS = 30  # up to this many documents, plots show each document by name
KIND_COLOURS = dict(zip(KINDS, (OKABE_ITO[7], OKABE_ITO[4], OKABE_ITO[5], OKABE_ITO[2])))


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


def textplot_theme_heatmap(rates: pd.DataFrame, order: list[str], labels: dict[str, str], n_focus: int = 0, ax=None):
    """Themes (rows, in ``order``; the first ``n_focus`` are set apart) x years: colour is the
    rate per 10,000 tokens, the number in a cell is the count behind it (up to 30 years)."""
    years = sorted(rates["year"].unique())
    rate = rates.pivot(index="theme", columns="year", values="per_10k").reindex(index=order, columns=years)
    count = rates.pivot(index="theme", columns="year", values="count").reindex(index=order, columns=years)
    fig, ax = _figure_or_axes(ax, 0.9 + 0.24 * len(order))
    annotate = len(years) <= MAX_ANNOTATED_YEARS
    notes = count.map(lambda v: "" if pd.isna(v) else f"{int(v)}").to_numpy() if annotate else None
    _heatmap(fig, ax, rate.to_numpy(dtype=float), notes, [labels.get(t, t) for t in order], years,
             "Mentions per 10,000 tokens")
    if 0 < n_focus < len(order):
        ax.axhline(n_focus - 0.5, color="white", linewidth=2)
    ax.set_xlabel("Year" + (" (numbers: mentions counted)" if annotate else ""))
    return fig


def textplot_theme_rates(trends: pd.DataFrame, themes: list[str], labels: dict[str, str], ax=None):
    """Rates per 10,000 tokens of some themes by year (``theme_trends`` output)."""
    fig, ax = _figure_or_axes(ax, 2.6)
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


def _heatmap_cells(ax, values: np.ndarray, notes: np.ndarray | None, rows: list, columns: list,
                   vmin: float | None = None, vmax: float | None = None, label_size: float | None = None):
    """A viridis heatmap of ``values`` with optional text ``notes`` in the cells (white on dark
    cells) and no frame; with many rows or columns only every n-th is labelled."""
    image = ax.imshow(values, aspect="auto", cmap="viridis", interpolation="nearest", vmin=vmin, vmax=vmax)
    if notes is not None:
        low, high = image.get_clim()
        for i in range(values.shape[0]):
            for j in range(values.shape[1]):
                if notes[i, j]:
                    dark = values[i, j] < low + 0.6 * (high - low)
                    ax.text(j, i, notes[i, j], ha="center", va="center", fontsize=label_size or 6,
                            color="white" if dark else "black")
    for axis, labels in ((ax.set_xticks, columns), (ax.set_yticks, rows)):
        step = max(1, len(labels) // 20)
        axis(range(0, len(labels), step), [labels[i] for i in range(0, len(labels), step)],
             **({"fontsize": label_size} if label_size else {}))
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.tick_params(length=0)
    return image


def _heatmap(fig, ax, values: np.ndarray, notes: np.ndarray | None, rows: list, columns: list,
             colour_label: str, vmin: float | None = None, vmax: float | None = None):
    """:func:`_heatmap_cells` with a colour bar."""
    image = _heatmap_cells(ax, values, notes, rows, columns, vmin, vmax)
    fig.colorbar(image, ax=ax, fraction=0.03, pad=0.01).set_label(colour_label)
    return image


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
        ax.barh(range(len(part)), part["weight"], color=OKABE_ITO[4])
        ax.set_yticks(range(len(part)), [t.replace("_", " ") for t in part["term"]], fontsize=5.5)
        ax.invert_yaxis()
        ax.set_title(f"Topic {topics[i]}", fontsize=7)
        ax.tick_params(axis="x", labelsize=5.5)
    fig.supxlabel("Weight of the term in the topic", fontsize=7)
    return fig


def textplot_topic_prevalence(prevalence: pd.DataFrame, ax=None):
    """Topics (rows, by label) x years: the share of each year's modelled text assigned to the
    topic, in per cent in the cells (up to 30 years)."""
    years = sorted(prevalence["year"].unique())
    share = prevalence.pivot(index="topic", columns="year", values="share").reindex(columns=years)
    labels = prevalence.drop_duplicates("topic").set_index("topic")["label"]
    values = share.to_numpy(dtype=float) * 100
    notes = np.vectorize(lambda v: f"{v:.0f}")(values) if len(years) <= MAX_ANNOTATED_YEARS else None
    fig, ax = _figure_or_axes(ax, 0.7 + 0.22 * len(share))
    _heatmap(fig, ax, values, notes, [labels[t] for t in share.index], years, "Share of the year's text (%)", vmin=0)
    ax.set_xlabel("Year")
    return fig


def textplot_topic_themes(shares: pd.DataFrame, labels: dict[str, str]):
    """Topics x focus themes: the share of each topic's term weight on the theme's terms, in per
    cent (``topic_theme_shares``)."""
    themes = list(dict.fromkeys(shares["theme"]))
    table = shares.pivot(index="topic", columns="theme", values="share").reindex(columns=themes)
    topic_labels = shares.drop_duplicates("topic").set_index("topic")["label"]
    values = table.to_numpy(dtype=float) * 100
    notes = np.vectorize(lambda v: f"{v:.1f}" if v >= 0.05 else "")(values)
    fig, ax = new_figure("double", height=0.7 + 0.22 * len(table))
    _heatmap(fig, ax, values, notes, [topic_labels[t] for t in table.index], [labels.get(t, t) for t in themes],
             "Share of the topic's weight (%)", vmin=0)
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
                    color=OKABE_ITO[j % 7], label=term.replace("_", " "))
        ax.set_title(f"Dynamic topic {topics[i]}", fontsize=7)
        ax.legend(fontsize=5, loc="upper left")
        ax.tick_params(labelsize=6)
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
    fig.colorbar(image, ax=[by_date, clustered], fraction=0.03, pad=0.01).set_label("Similarity")
    return fig




def textplot_similarity_by_date(similarity: pd.DataFrame, title: str, ax=None, labels: list[str] | None = None):
    """One similarity matrix in date order on a 0-1 scale, values in the cells of small ones."""
    fig, ax = _figure_or_axes(ax, 3.0)
    values = similarity.to_numpy(dtype=float)
    names = labels or list(similarity.index)
    notes = (np.vectorize(lambda v: "" if np.isnan(v) else f"{v:.2f}")(values)
             if len(names) <= MAX_ANNOTATED_CELLS else None)
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
    grid = fig.add_gridspec(3, 2, height_ratios=[1.4, 1.0, 1.3])
    panels = [fig.add_subplot(grid[0, :]), fig.add_subplot(grid[1, :]), fig.add_subplot(grid[2, 0]),
              fig.add_subplot(grid[2, 1])]
    textplot_theme_heatmap(rates, order, labels, n_focus, ax=panels[0])
    textplot_theme_rates(trends, focus, labels, ax=panels[1])
    textplot_topic_prevalence(prevalence, ax=panels[2])
    textplot_similarity_by_date(similarity, "TF-IDF similarity", ax=panels[3], labels=short_names)
    panels[2].set_title("Topic prevalence", fontsize=8)
    for letter, ax in zip("abcd", panels):
        ax.set_title(letter, loc="left", fontsize=10, fontweight="bold")
    return fig


def textplot_robustness(summary: pd.DataFrame):
    """Share of specifications under which each claim holds (``robustness_summary``)."""
    fig, ax = new_figure("double", height=0.6 + 0.22 * len(summary))
    colours = [OKABE_ITO[2] if share >= 0.8 else OKABE_ITO[0] if share >= 0.5 else OKABE_ITO[5]
               for share in summary["share"]]
    ax.barh(range(len(summary)), summary["share"] * 100, color=colours)
    ax.set_yticks(range(len(summary)), [c.replace("_", " ") for c in summary["claim"]], fontsize=6)
    ax.invert_yaxis()
    for i, row in enumerate(summary.itertuples()):
        ax.text(row.share * 100 + 1, i, f"{row.holds}/{row.specifications}", va="center", fontsize=6)
    ax.set_xlim(0, 112)
    ax.set_xlabel("Specifications under which the claim holds (%)")
    ax.axvline(50, color="black", linewidth=0.5, linestyle=":")
    return fig
