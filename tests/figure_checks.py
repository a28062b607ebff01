"""Checks that a drawn matplotlib Figure is readable, for the tests of every figure module.

``assert_figure_readable(fig)`` lays the figure out exactly as ``save_figure`` does (at the PNG
resolution, where text is widest) and then fails, listing every problem, when

- a text (title, panel letter, axis or tick label, legend entry, annotation) leaves the canvas;
- two texts overlap: tick labels of one axis running together, a panel letter inside a title,
  a title over a tick label, two annotations on top of each other;
- an axis of years (its label names years, or its tick labels are numbers from 1800 to 2200)
  shows anything but whole years ("2012.5", "2010.0", an offset such as "+2e3").

``readability_problems(fig)`` returns the same findings as strings, for tests that expect some.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from matplotlib.axis import Axis
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from analysis.plots.style import PNG_DPI, freeze_layout

TOLERANCE_PX = 0.5  # overlaps: at 300 dpi, a ninth of a typographic point; the canvas allows none
YEAR_RANGE = (1800, 2200)
WHOLE_YEAR = re.compile(r"^\d{4}$")


@dataclass
class Label:
    """One drawn, non-empty text with what it is (for messages) and its box in pixels."""

    kind: str
    text: str
    box: Bbox


def readability_problems(fig: Figure) -> list[str]:
    """Every problem found in ``fig`` (empty when it is readable). The figure is laid out and
    frozen as :func:`analysis.plots.style.save_figure` does, so it saves as it was checked."""
    freeze_layout(fig)
    fig.set_dpi(PNG_DPI)  # measure where text is widest: the PNG
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    labels = drawn_texts(fig, renderer)
    return outside_canvas(fig, labels) + overlapping(labels) + fractional_years(fig)


def assert_figure_readable(fig: Figure) -> None:
    """Fail with every problem :func:`readability_problems` finds in ``fig``."""
    problems = readability_problems(fig)
    assert not problems, f"{len(problems)} readability problems:\n" + "\n".join(problems)


def drawn_texts(fig: Figure, renderer) -> list[Label]:
    """The texts the figure actually draws: visible, not empty, in a visible axes, and (for tick
    labels) belonging to a tick inside the axis's view."""
    labels = []
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        tick_labels = {id(text) for axis in (ax.xaxis, ax.yaxis)
                       for tick in axis.get_major_ticks() + axis.get_minor_ticks() for text in (tick.label1, tick.label2)}
        drawn_ticks = {id(text) for axis in (ax.xaxis, ax.yaxis) for text in drawn_tick_labels(axis)}
        for text in ax.findobj(Text):
            if id(text) in tick_labels:
                if id(text) in drawn_ticks and is_drawn(text):
                    labels.append(Label("tick label", text.get_text(), text.get_window_extent(renderer)))
            elif is_drawn(text):
                labels.append(Label(kind_of(ax, text), text.get_text(), text.get_window_extent(renderer)))
    for text in figure_texts(fig):
        if is_drawn(text):
            labels.append(Label("figure text", text.get_text(), text.get_window_extent(renderer)))
    return labels


def figure_texts(figure):
    """Texts of the figure itself and of its sub-figures (titles, super-labels), not of axes."""
    for child in figure.get_children():
        if isinstance(child, SubFigure):
            yield from figure_texts(child)
        elif not isinstance(child, Axes):
            yield from child.findobj(Text)


def drawn_tick_labels(axis: Axis) -> list[Text]:
    """Labels of the major and minor ticks inside the view interval (matplotlib draws no others)."""
    low, high = sorted(axis.get_view_interval())
    span = high - low
    shown = []
    for ticks, locations in ((axis.get_major_ticks(), axis.get_majorticklocs()),
                             (axis.get_minor_ticks(), axis.get_minorticklocs())):
        for tick, location in zip(ticks, locations):
            if low - 1e-9 * span <= location <= high + 1e-9 * span and tick.get_visible():
                shown += [label for label in (tick.label1, tick.label2) if label.get_visible()]
    return shown


def is_drawn(text: Text) -> bool:
    if not text.get_visible() or not text.get_text().strip():
        return False
    parent = text.axes.get_legend() if text.axes is not None else None
    return parent is None or text not in parent.texts or parent.get_visible()


def kind_of(ax, text: Text) -> str:
    if text in (ax.title, ax._left_title, ax._right_title):
        return "title"
    if text in (ax.xaxis.label, ax.yaxis.label):
        return "axis label"
    if text in (ax.xaxis.offsetText, ax.yaxis.offsetText):
        return "axis offset"
    legend = ax.get_legend()
    if legend is not None and text in legend.texts:
        return "legend"
    return "text"


def outside_canvas(fig: Figure, labels: list[Label]) -> list[str]:
    canvas = fig.bbox
    problems = []
    for label in labels:
        box = label.box
        if box.x0 < canvas.x0 or box.y0 < canvas.y0 or box.x1 > canvas.x1 or box.y1 > canvas.y1:
            problems.append(f"clipped {label.kind} {label.text!r}: box {describe(box)} outside the canvas "
                            f"{describe(canvas)}")
    return problems


def overlapping(labels: list[Label]) -> list[str]:
    """Pairs of texts whose boxes, each shrunk by the tolerance, still intersect."""
    if len(labels) < 2:
        return []
    boxes = np.array([[b.box.x0, b.box.y0, b.box.x1, b.box.y1] for b in labels]) + [TOLERANCE_PX, TOLERANCE_PX,
                                                                                   -TOLERANCE_PX, -TOLERANCE_PX]
    x_overlap = (boxes[:, None, 0] < boxes[None, :, 2]) & (boxes[None, :, 0] < boxes[:, None, 2])
    y_overlap = (boxes[:, None, 1] < boxes[None, :, 3]) & (boxes[None, :, 1] < boxes[:, None, 3])
    first, second = np.nonzero(np.triu(x_overlap & y_overlap, k=1))
    return [f"overlap: {labels[i].kind} {labels[i].text!r} and {labels[j].kind} {labels[j].text!r}"
            for i, j in zip(first, second)]


def fractional_years(fig: Figure) -> list[str]:
    problems = []
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        for axis in (ax.xaxis, ax.yaxis):
            texts = [t.get_text() for t in drawn_tick_labels(axis) if t.get_text().strip()]
            if not is_year_axis(axis, texts):
                continue
            bad = [t for t in texts if not WHOLE_YEAR.match(t)]
            if bad:
                problems.append(f"year axis {axis.axis_name} of {ax.get_title() or 'an axes'!r} labelled {bad}")
            if axis.offsetText.get_visible() and axis.offsetText.get_text().strip():
                problems.append(f"year axis {axis.axis_name} has the offset {axis.offsetText.get_text()!r}")
    return problems


def is_year_axis(axis: Axis, texts: list[str]) -> bool:
    if axis.label.get_text().lower().startswith("year"):  # "Year", "Year (numbers: ...)"
        return True
    numbers = [as_number(t) for t in texts]
    numbers = [n for n in numbers if n is not None]
    return bool(numbers) and all(YEAR_RANGE[0] <= n <= YEAR_RANGE[1] for n in numbers)


def as_number(text: str) -> float | None:
    try:
        return float(text.replace("\u2212", "-"))
    except ValueError:
        return None


def describe(box: Bbox) -> str:
    return f"({box.x0:.0f}, {box.y0:.0f})-({box.x1:.0f}, {box.y1:.0f}) px"
