"""Labels for crowded axes and dates placed on a continuous year axis."""

from __future__ import annotations

import textwrap


def short_names(ids) -> list[str]:
    """Labels for crowded axes: "2010_ipu122_organized_crime" -> "2010 IPU122"; ids without
    underscores (years) as they are."""
    names = []
    for value in map(str, ids):
        parts = value.split("_")
        names.append(f"{parts[0]} {parts[1].upper()}" if len(parts) > 1 else value)
    return names


def decimal_year(date: str) -> float:
    """``2015-01-14`` -> 2015.04; a bare year sits mid-year, a bare month mid-month."""
    parts = [int(p) for p in date.split("-")]
    if len(parts) == 1:
        return parts[0] + 0.5
    month_start = (parts[1] - 1) / 12
    day = (parts[2] - 1) / 365 if len(parts) == 3 else 1 / 24
    return round(parts[0] + month_start + day, 4)


def wrap_label(text: str, width: int) -> str:
    """``text`` broken at spaces into lines of at most ``width`` characters (a longer word keeps
    its own line), so a long theme label or term wraps instead of running off the figure."""
    return "\n".join(textwrap.wrap(str(text), width, break_long_words=False, break_on_hyphens=False)) or str(text)


def rate_text(per_10k: float) -> str:
    """A rate per 10,000 words as printed in a cell: "0", "9.3" below 10, "132" from 10 on."""
    if per_10k == 0:
        return "0"
    return f"{per_10k:.1f}" if per_10k < 9.95 else f"{per_10k:.0f}"
