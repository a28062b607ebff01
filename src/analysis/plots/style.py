"""Publication figures: one style, journal widths, a colour-blind-safe palette, identical bytes.

Use :func:`new_figure` to get a figure at single-column (3.5 in) or double-column (7.0 in)
width in the project style, and :func:`save_figure` to write it as PDF (TrueType fonts
embedded), SVG and 300-dpi PNG. Files carry no creation date, software version or random
ids, so regenerating a figure from the same data gives byte-identical files.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FuncFormatter, Locator, MaxNLocator, NullLocator

from ..errors import ParameterError
from ..io.tables import atomic_path

WIDTHS = {"single": 3.5, "double": 7.0}
FORMATS = ("pdf", "svg", "png")
PNG_DPI = 300
# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common form of
# colour blindness. Black last, for reference lines.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
# Lines and markers: Okabe-Ito without yellow (too faint on white) and black (kept for reference lines).
LINE_COLOURS = OKABE_ITO[:3] + OKABE_ITO[4:7]
SEQUENTIAL_CMAP = "viridis"  # perceptually uniform and colour-blind safe

STYLE = {
    "font.family": "DejaVu Sans",  # ships with matplotlib, so every machine draws the same glyphs
    "font.size": 8,
    "axes.titlesize": 9,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=OKABE_ITO),
    "image.cmap": SEQUENTIAL_CMAP,
    "figure.dpi": 100,
    "savefig.dpi": PNG_DPI,
    "savefig.bbox": None,  # a tight bounding box could change the page size between runs
    "pdf.fonttype": 42,  # TrueType, embedded (journals reject Type 3)
    "ps.fonttype": 42,
    "svg.fonttype": "path",
    "svg.hashsalt": "analysis",  # fixed ids inside SVG files
}
METADATA = {
    "pdf": {"Creator": None, "Producer": None, "CreationDate": None, "ModDate": None},
    "svg": {"Creator": None, "Date": None},
    "png": {"Software": None},
}


def set_style() -> None:
    """Apply the project's publication style to matplotlib."""
    matplotlib.rcParams.update(STYLE)


def new_figure(width: str = "single", height: float | None = None, **subplot_kw):
    """A figure (and axes) of journal width: ``width`` is ``"single"`` or ``"double"``.

    ``height`` is in inches (default: 0.62 of the width, near the golden ratio); other
    keywords go to :func:`matplotlib.pyplot.subplots` (``nrows``, ``ncols``, ``sharex``...).
    """
    if width not in WIDTHS:
        raise ParameterError(f"width={width!r}: choose 'single' ({WIDTHS['single']} in) or 'double' ({WIDTHS['double']} in)")
    set_style()
    inches = WIDTHS[width]
    return plt.subplots(figsize=(inches, height if height else round(inches * 0.62, 2)),
                        layout="constrained", **subplot_kw)


def freeze_layout(fig) -> None:
    """Lay ``fig`` out once, at the PNG resolution, and keep that layout for every format.

    Text is measured at the resolution it is laid out at, and hinted glyphs are wider at 300 dpi
    than at the 100 dpi of the screen: a label laid out at 100 dpi ran over the edge of the PNG
    ("nvironmental crime"). Laying out at 300 dpi also matches the unhinted widths of PDF and SVG.
    Doing it once, not once per format, halves the time of a save.
    """
    screen_dpi = fig.dpi
    fig.set_dpi(PNG_DPI)
    fig.draw_without_rendering()
    fig.set_layout_engine("none")
    fig.set_dpi(screen_dpi)


def save_figure(fig, name: str, figures_dir: str | Path, on_save=None) -> list[Path]:
    """Write ``<figures_dir>/<name>.pdf|.svg|.png`` and return the paths.

    Each file is written to a temporary name and renamed, so a failed save never leaves a
    half-written figure behind. ``on_save(name, paths, figures_dir)`` is called afterwards (the
    notebook session records the figure's provenance through it).
    """
    figures_dir = Path(figures_dir)
    figures_dir.mkdir(parents=True, exist_ok=True)
    freeze_layout(fig)
    paths = []
    for fmt in FORMATS:
        target = figures_dir / f"{name}.{fmt}"
        with atomic_path(target) as temporary:
            fig.savefig(temporary, format=fmt, metadata=METADATA[fmt])
        paths.append(target)
    if on_save is not None:
        on_save(name, paths, figures_dir)
    return paths


class ReadableLocator(Locator):
    """Ticks on whole numbers (years, or the rows and columns of a heatmap), never closer than
    their labels are long.

    ``positions`` (the years with data, the cells of a heatmap) are ticked themselves when every
    pair of neighbours leaves room for their labels at the axis's drawn length; otherwise the
    ticks are thinned to round steps (1, 2, 5, 10, 25, 50 ...), as many as fit. The room is
    measured when the axis is drawn, so one locator suits a wide figure and a narrow panel.
    """

    EM = 0.64  # width of a digit, and about the mean width of a character, in DejaVu Sans (em)
    GAP = 1.2  # ems of white space kept between two labels

    def __init__(self, positions=None):
        self.positions = None if positions is None else np.unique(np.asarray(positions, dtype=int))

    def __call__(self):
        low, high = self.axis.get_view_interval()
        return self.tick_values(low, high)

    def tick_values(self, vmin, vmax):
        low, high = sorted((vmin, vmax))
        points_per_unit = self._axis_points() / max(high - low, 1e-9)
        if self.positions is not None:
            shown = self.positions[(self.positions >= low) & (self.positions <= high)]
            if len(shown) == 1 or (len(shown) > 1 and np.diff(shown).min() * points_per_unit >= self._spacing(shown)):
                return shown.astype(float)
        ticks = np.arange(np.ceil(low), np.floor(high) + 1)
        n_intervals = max(1, int(points_per_unit * (high - low) // self._spacing(ticks)))
        ticks = MaxNLocator(nbins=n_intervals, integer=True, steps=[1, 2, 2.5, 5, 10]).tick_values(low, high)
        return ticks[(ticks >= low) & (ticks <= high)]

    def _axis_points(self) -> float:
        box = self.axis.axes.get_window_extent()
        pixels = box.width if self.axis.axis_name == "x" else box.height
        return pixels * 72 / self.axis.figure.dpi

    def _spacing(self, ticks) -> float:
        """Points from one tick to the next that its labels need: their width along an x axis,
        their height along a y axis or when turned upright."""
        label = self.axis.get_major_ticks(1)[0].label1
        size = label.get_fontsize()
        across = self.axis.axis_name == "y" or abs(label.get_rotation() % 180 - 90) < 45
        if across:
            lines = max((self.axis.major.formatter(t).count("\n") + 1 for t in ticks), default=1)
            return size * (1.2 * lines + 0.3)
        chars = max((len(line) for t in ticks for line in self.axis.major.formatter(t).split("\n")), default=4)
        return size * (self.EM * chars + self.GAP)


def set_year_axis(axis, observed=None) -> None:
    """Make ``axis`` (``ax.xaxis``) an axis of whole years: :class:`ReadableLocator` ticks,
    labelled "2016" (never "2016.0", "2012.5" or an offset)."""
    axis.set_major_locator(ReadableLocator(observed))
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:.0f}"))
    axis.set_minor_locator(NullLocator())


def set_category_axis(axis, labels: list[str]) -> None:
    """Label ``axis`` at 0, 1, ... with ``labels``, leaving out as many as needed (every 2nd,
    5th, ...) for the rest to stay apart: the 79 years of a similarity matrix stay readable."""
    axis.set_major_locator(ReadableLocator(range(len(labels))))
    axis.set_major_formatter(FuncFormatter(
        lambda value, _: labels[int(round(value))] if 0 <= round(value) < len(labels) else ""))
    axis.set_minor_locator(NullLocator())
