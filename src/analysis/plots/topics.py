"""Figures of the seeded topic model (:mod:`analysis.models.seeded`): each theme topic's share of
the text by year with its uncertainty band (:func:`plot_seeded_prevalence`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ParameterError
from .style import OKABE_ITO, new_figure, set_year_axis

COLOURS = (OKABE_ITO[4], OKABE_ITO[5], OKABE_ITO[2], OKABE_ITO[0], OKABE_ITO[6], OKABE_ITO[1], OKABE_ITO[7])
MARKERS = ("o", "s", "D", "^", "v", "P", "X")


def plot_seeded_prevalence(prevalence: pd.DataFrame, themes: list[str], labels: dict[str, str], ncols: int = 3):
    """Small multiples, one per theme of ``themes``: its seeded topic's share of each year's
    text (``share`` of :func:`~analysis.models.seeded.seeded_prevalence`, in per cent) and the
    band from ``lower`` to ``upper``. Few years: points with error bars (nothing is observed
    between them); many: a line in a shaded band. Themes without a seeded topic are skipped."""
    shown = [t for t in themes if (prevalence["theme"] == t).any()]
    if not shown:
        raise ParameterError(f"themes: none of {themes!r} has a seeded topic in this prevalence table")
    ncols = min(ncols, len(shown))
    nrows = int(np.ceil(len(shown) / ncols))
    fig, axes = new_figure("double", height=0.5 + 1.9 * nrows, nrows=nrows, ncols=ncols, squeeze=False, sharex=True)
    years = np.sort(prevalence["year"].unique())
    few = len(years) <= 12
    for i, ax in enumerate(axes.flat):
        if i >= len(shown):
            ax.set_visible(False)
            continue
        part = prevalence[prevalence["theme"] == shown[i]].sort_values("year")
        x, share = part["year"].to_numpy(), part["share"].to_numpy() * 100
        lower, upper = part["lower"].to_numpy() * 100, part["upper"].to_numpy() * 100
        colour = COLOURS[i % len(COLOURS)]
        if few:
            ax.errorbar(x, share, yerr=[share - lower, upper - share], color=colour, marker=MARKERS[i % len(MARKERS)],
                        markersize=4, linestyle="none", capsize=2, elinewidth=0.8)
        else:
            ax.fill_between(x, lower, upper, color=colour, alpha=0.25, linewidth=0)
            ax.plot(x, share, color=colour, linewidth=1.0)
        ax.set_title(f"{labels.get(shown[i], shown[i])}: its seeded topic", fontsize=8)
        ax.set_ylim(0, max(upper.max() * 1.08, 0.1))
        margin = 0.5 + 0.02 * (years[-1] - years[0])
        ax.set_xlim(years[0] - margin, years[-1] + margin)
        set_year_axis(ax.xaxis, years if few else None)
        ax.tick_params(axis="x", labelbottom=True)
        if i % ncols == 0:
            ax.set_ylabel("Share of the year's text (%)")
    first = prevalence.iloc[0]
    fig.suptitle(f"Seeded topics: share of each year's text, with the {first['level']:.0%} band over "
                 f"{first['seeds']} seed{'' if first['seeds'] == 1 else 's'} x {first['replicates'] // first['seeds']} "
                 "bootstrap replicates", fontsize=8)
    return fig
