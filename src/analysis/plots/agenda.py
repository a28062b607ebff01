"""Figures of how themes entered the agenda and spread across speakers: the entry year with its
interval (:func:`textplot_entry_years`), the diffusion across speakers (:func:`textplot_diffusion`)
and the two normalisations of a yearly count side by side (:func:`textplot_rate_and_share`).
Each returns a matplotlib figure made with :func:`analysis.plots.style.new_figure`."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

from .style import OKABE_ITO, new_figure
from ..stats.emergence import LEVEL

MARKERS = ("o", "s", "D", "^", "v", "P", "X", "*")
YEAR_STEPS = (1, 2, 5, 10, 20, 25, 50)
MAX_YEAR_TICKS = 10
RULE_WIDTH = 55  # characters per line of the rule above the single-column entry figure
FOCUS_COLOUR, OTHER_COLOUR = OKABE_ITO[5], OKABE_ITO[4]


def _year_axis(ax, years) -> None:
    """Whole years on the x axis: every year with data when there are few, else round years
    thinned to at most :data:`MAX_YEAR_TICKS` ticks; half a year of margin on each side."""
    years = sorted({int(y) for y in years})
    first, last = years[0], years[-1]
    if len(years) <= MAX_YEAR_TICKS:
        ticks = years
    else:
        step = next(s for s in YEAR_STEPS if (last - first) / s <= MAX_YEAR_TICKS)
        ticks = list(range(first + (-first) % step, last + 1, step))
    crowded = len(ticks) > 1 and min(np.diff(ticks)) < (last - first) / MAX_YEAR_TICKS
    ax.set_xticks(ticks, [str(t) for t in ticks], rotation=45 if crowded else 0, ha="right" if crowded else "center")
    ax.set_xlim(first - 0.5 - 0.02 * (last - first), last + 0.5 + 0.02 * (last - first))


def _style(i: int) -> dict:
    return {"color": OKABE_ITO[(4, 5, 2, 0, 6, 1, 7)[i % 7]], "marker": MARKERS[i % len(MARKERS)]}


def _first_mention_apart(row) -> bool:
    """Whether a theme's first mention is drawn apart from its entry year (the rule puts it later)."""
    return pd.notna(row.first_year) and (pd.isna(row.entry_year) or row.first_year != row.entry_year)


def textplot_entry_years(emergence: pd.DataFrame, labels: dict[str, str], focus: list[str], years):
    """Each theme's entry year (filled marker) with its interval (a line; an arrow to the right
    edge where there is no upper bound), and its first mention (open marker) where the rule puts
    the entry later. Themes by entry year, focus themes in colour; ``years`` are the corpus's."""
    table = emergence.sort_values(["entry_year", "first_year", "theme"], na_position="last").reset_index(drop=True)
    fig, ax = new_figure("single", height=1.1 + 0.2 * len(table))
    first_year, last_year = int(min(years)), int(max(years))
    right = last_year + 0.5 + 0.02 * (last_year - first_year)
    for row in table.itertuples():
        y = len(table) - 1 - row.Index
        colour = FOCUS_COLOUR if row.theme in focus else OTHER_COLOUR
        if pd.notna(row.entry_low):
            end = row.entry_high if pd.notna(row.entry_high) else right
            ax.plot([row.entry_low, end], [y, y], color=colour, linewidth=1.4, solid_capstyle="butt")
            if pd.isna(row.entry_high):
                ax.plot(end, y, marker=">", color=colour, markersize=4, clip_on=False)
        if _first_mention_apart(row):
            ax.plot(row.first_year, y, marker="o", markerfacecolor="white", color=colour, markersize=4,
                    linestyle="none")
        if pd.notna(row.entry_year):
            ax.plot(row.entry_year, y, marker="o", color=colour, markersize=5, linestyle="none")
        else:  # beside the first mention, on the side with more room
            mentioned = pd.notna(row.first_year)
            at = row.first_year if mentioned else first_year
            left_side = mentioned and at > (first_year + last_year) / 2
            ax.annotate("rule not met" if mentioned else "never mentioned", (at, y), xytext=(-6 if left_side else 6, 0),
                        textcoords="offset points", ha="right" if left_side else "left", va="center", fontsize=6,
                        color="0.35")
    ax.set_yticks(range(len(table)), [labels.get(t, t) for t in table["theme"][::-1]])
    for tick, theme in zip(ax.get_yticklabels(), table["theme"][::-1]):
        if theme in focus:
            tick.set_fontweight("bold")
    ax.set_ylim(-0.7, len(table) - 0.3)
    _year_axis(ax, years)
    ax.grid(axis="x", linewidth=0.3, alpha=0.5)
    ax.set_xlabel("Year")
    subtitle = []
    if table["entry_low"].notna().any():
        subtitle.append(f"line: {LEVEL:.0%} bootstrap interval")
    else:
        reasons = table["entry_interval_note"].dropna()
        reasons = reasons[reasons.str.startswith("one document")]
        subtitle.append("no interval" + (f" ({reasons.iloc[0].split(':')[0]})" if len(reasons) else ""))
    if (table["entry_low"].notna() & table["entry_high"].isna()).any():
        subtitle.append("arrow: no upper bound")
    if any(_first_mention_apart(row) for row in table.itertuples()):
        subtitle.append("open: first mention")
    ax.set_title("\n".join([textwrap.fill(f"Entry: {table['entry_rule'].iloc[0]}", RULE_WIDTH),
                            textwrap.fill("; ".join(subtitle), RULE_WIDTH)]),
                 fontsize=7, loc="right")  # right-aligned: the long lines extend over the labels, not off the page
    return fig


def _line(few: bool, n_points: int) -> dict:
    """Few years: points only (nothing is observed between them); many: a line with a marker
    every few years, so that series stay apart in black and white."""
    if few:
        return {"linestyle": "none", "markersize": 4}
    return {"linewidth": 1.1, "markersize": 2.5, "markevery": max(1, n_points // 15)}


def _series_years(table: pd.DataFrame, themes: list[str], value: str) -> np.ndarray:
    """The years drawn: from two years before the first non-zero ``value`` of ``themes`` (or
    all years when none) to the last year."""
    years = np.sort(table["year"].unique())
    active = table[table["theme"].isin(themes) & (table[value] > 0)]
    start = int(active["year"].min()) - 2 if len(active) else years[0]
    return years[years >= start]


def textplot_diffusion(diffusion: pd.DataFrame, themes: list[str], labels: dict[str, str], speaker_column: str):
    """How ``themes`` spread across speakers: above, the share of each year's speakers that
    mention the theme; below, the share of the speakers heard so far that have ever mentioned
    it (labelled with the count at the last year). From the year before the first mention on."""
    shown = _series_years(diffusion, themes, "speakers_mentioning")
    few = len(shown) <= MAX_YEAR_TICKS
    fig, (top, bottom) = new_figure("double", height=4.2, nrows=2, sharex=True)
    ends = []
    for i, theme in enumerate(themes):
        part = diffusion[(diffusion["theme"] == theme) & diffusion["year"].isin(shown)].sort_values("year")
        style = _style(i)
        label = labels.get(theme, theme)
        top.plot(part["year"], 100 * part["speaker_share"], label=label, **_line(few, len(part)), **style)
        bottom.step(part["year"], 100 * part["cumulative_share"], where="post", color=style["color"], linewidth=1.3)
        if few:
            bottom.plot(part["year"], 100 * part["cumulative_share"], linestyle="none", **style, markersize=4)
        ends.append((100 * part["cumulative_share"].iloc[-1], style["color"],
                     f"{int(part['speakers_ever'].iloc[-1])} of {int(part['speakers_so_far'].iloc[-1])}"))
    top.set_ylabel("Share of the year's\nspeakers mentioning (%)")
    bottom.set_ylabel("Share of speakers so far\never mentioning (%)")
    for ax in (top, bottom):
        ax.set_ylim(bottom=0)
        ax.grid(axis="y", linewidth=0.3, alpha=0.5)
    _year_axis(bottom, shown)
    last_year = int(shown[-1])
    gap = 0.07 * bottom.get_ylim()[1]  # the counts at the right end, moved apart where lines end close together
    placed = -np.inf
    for value, colour, text in sorted(ends, key=lambda end: end[0]):
        placed = max(value, placed + gap)
        bottom.annotate(text, (last_year, value), xytext=(last_year + 0.01 * max(1, last_year - int(shown[0])) + 0.3,
                        placed), textcoords="data", va="center", fontsize=6, color=colour)
    bottom.set_xlim(right=last_year + 0.5 + 0.12 * max(1, last_year - int(shown[0])))  # room for the counts
    bottom.set_xlabel(f"Year (speakers: metadata column '{speaker_column}')")
    fig.legend(*top.get_legend_handles_labels(), loc="outside upper center", ncol=len(themes))
    return fig


def textplot_rate_and_share(shares: pd.DataFrame, themes: list[str], labels: dict[str, str]):
    """Two normalisations of the same mentions, side by side: the rate per 10,000 words of the
    year's documents pooled, and the share of the year's documents that mention the theme."""
    shown = _series_years(shares, themes, "count")
    few = len(shown) <= MAX_YEAR_TICKS
    fig, (left, right) = new_figure("double", height=2.8, ncols=2, sharex=True)
    for i, theme in enumerate(themes):
        part = shares[(shares["theme"] == theme) & shares["year"].isin(shown)].sort_values("year")
        style = _style(i)
        left.plot(part["year"], part["per_10k"], label=labels.get(theme, theme), **_line(few, len(part)), **style)
        right.plot(part["year"], 100 * part["document_share"], **_line(few, len(part)), **style)
    left.set_ylabel("Mentions per 10,000 words")
    right.set_ylabel("Documents mentioning it (%)")
    left.set_title("Share of the text", fontsize=8)
    right.set_title("Share of the speeches", fontsize=8)
    for ax in (left, right):
        ax.set_ylim(bottom=0)
        ax.grid(axis="y", linewidth=0.3, alpha=0.5)
        _year_axis(ax, shown)
        ax.set_xlabel("Year")
    fig.legend(*left.get_legend_handles_labels(), loc="outside upper center", ncol=len(themes))
    return fig
