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

from ..errors import ParameterError
from ..io.tables import atomic_path

WIDTHS = {"single": 3.5, "double": 7.0}
FORMATS = ("pdf", "svg", "png")
PNG_DPI = 300
# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common form of
# colour blindness. Black last, for reference lines.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
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


def save_figure(fig, name: str, figures_dir: str | Path, on_save=None) -> list[Path]:
    """Write ``<figures_dir>/<name>.pdf|.svg|.png`` and return the paths.

    Each file is written to a temporary name and renamed, so a failed save never leaves a
    half-written figure behind. ``on_save(name, paths, figures_dir)`` is called afterwards (the
    notebook session records the figure's provenance through it).
    """
    figures_dir = Path(figures_dir)
    figures_dir.mkdir(parents=True, exist_ok=True)
    fig.draw_without_rendering()  # lay the figure out once, not once per format (twice as fast)
    fig.set_layout_engine("none")
    paths = []
    for fmt in FORMATS:
        target = figures_dir / f"{name}.{fmt}"
        with atomic_path(target) as temporary:
            fig.savefig(temporary, format=fmt, metadata=METADATA[fmt])
        paths.append(target)
    if on_save is not None:
        on_save(name, paths, figures_dir)
    return paths
