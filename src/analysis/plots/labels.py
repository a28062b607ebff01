"""Labels for crowded axes and dates placed on a continuous year axis."""

from __future__ import annotations


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
