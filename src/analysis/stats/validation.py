"""Statistics for validating a dictionary against human coding of a stratified sample.

- :func:`wilson_interval`: the Wilson score interval of a proportion (Wilson 1927), which keeps
  sensible bounds at 0 of n and n of n, where the normal ("Wald") interval collapses to a point.
- :func:`allocate_sample`: how many units to draw from each cell of a stratum, proportionally to
  the cells' sizes with at least one from every non-empty cell.
- :func:`stratified_recall`: recall estimated from a stratified sample of matched and unmatched
  units, with an interval from the Wilson bounds of each stratum's proportions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..checks import check_int

Z_95 = 1.959963984540054  # the standard normal's 97.5 % quantile


def wilson_interval(successes: float, n: float, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of ``successes`` out of ``n`` (NaN, NaN when ``n`` is 0).
    ``successes`` and ``n`` may be fractional: a weighted share times an effective sample size."""
    if n <= 0:
        return math.nan, math.nan
    share, z2 = successes / n, z * z
    centre = (share + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(share * (1 - share) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    low = 0.0 if successes <= 0 else max(0.0, centre - half)
    high = 1.0 if successes >= n else min(1.0, centre + half)
    return low, high


def allocate_sample(sizes, n: int) -> list[int]:
    """Units to draw from cells of ``sizes``: ``n`` in all (or every unit, when there are fewer),
    proportionally to the sizes (largest remainder, ties to the earlier cell), with at least one
    from every non-empty cell and never more than a cell holds. A cell whose proportional share
    is below one gets one, and the others share the rest. When ``n`` is smaller than the number
    of non-empty cells each still gets one, so that every cell's population is known from the
    sample and the stratified estimators cover the whole stratum."""
    n = check_int("n", n, minimum=1)
    sizes = [int(size) for size in sizes]
    taken = [0] * len(sizes)
    free = [i for i, size in enumerate(sizes) if size > 0]
    budget = min(n, sum(sizes))
    while free:
        total = sum(sizes[i] for i in free)
        quotas = {i: budget * sizes[i] / total for i in free}
        pinned = {i: 1 for i in free if quotas[i] < 1} or {i: sizes[i] for i in free if quotas[i] > sizes[i]}
        if not pinned:
            break
        for i, count in pinned.items():
            taken[i] = count
            budget -= count
        free = [i for i in free if i not in pinned]
    if free:
        whole = {i: int(quotas[i]) for i in free}
        left = max(0, budget - sum(whole.values()))
        for i in sorted(free, key=lambda i: (-(quotas[i] - whole[i]), i))[:left]:
            whole[i] += 1
        for i, count in whole.items():
            taken[i] = count
    return taken


@dataclass(frozen=True)
class RecallEstimate:
    recall: float
    low: float
    high: float
    relevant_found: float  # estimated relevant units the dictionary matches, in the whole frame
    relevant_missed: float  # estimated relevant units it does not match


def effective_sample_size(weights) -> float:
    """Kish's effective sample size of weighted units: (sum w)^2 / sum w^2."""
    weights = np.asarray(weights, dtype=float)
    return float(weights.sum() ** 2 / (weights ** 2).sum()) if len(weights) else 0.0


def stratified_recall(found, missed, stratum, cell, cell_size, stratum_sizes: dict | None = None,
                      z: float = Z_95) -> RecallEstimate:
    """Recall = R_found / (R_found + R_missed) from coded units of a stratified sample.

    One entry per coded unit: ``found`` 1 when it is relevant and matched, ``missed`` 1 when it
    is relevant and not matched, its sampling ``stratum``, its ``cell`` (stratum x period) and
    that cell's population ``cell_size``. Within a stratum, a cell's coded units stand for its
    population (weight = cell size / coded units of the cell); the stratum's shares of found and
    missed units are these weighted means, and R_found = sum over strata of stratum size x share
    (likewise R_missed). The interval puts every stratum's found share at its Wilson bound (at
    Kish's effective sample size) on one side and its missed share at the other bound: a
    conservative interval, as the bounds are not reached together.
    """
    frame = pd.DataFrame({"found": np.asarray(found, dtype=float), "missed": np.asarray(missed, dtype=float),
                          "stratum": np.asarray(stratum), "cell": np.asarray(cell),
                          "cell_size": np.asarray(cell_size, dtype=float)})
    frame["weight"] = frame["cell_size"] / frame.groupby(["stratum", "cell"])["cell"].transform("size")
    totals = {(column, bound): 0.0 for column in ("found", "missed") for bound in ("point", "low", "high")}
    for name, units in frame.groupby("stratum", sort=True):
        size = (stratum_sizes or {}).get(name, units.drop_duplicates("cell")["cell_size"].sum())
        n_effective = effective_sample_size(units["weight"])
        for column in ("found", "missed"):
            share = float((units[column] * units["weight"]).sum() / units["weight"].sum())
            low, high = wilson_interval(share * n_effective, n_effective, z)
            for bound, value in (("point", share), ("low", low), ("high", high)):
                totals[column, bound] += size * value

    def ratio(a, b):
        return float(a / (a + b)) if a + b > 0 else math.nan

    return RecallEstimate(ratio(totals["found", "point"], totals["missed", "point"]),
                          ratio(totals["found", "low"], totals["missed", "high"]),
                          ratio(totals["found", "high"], totals["missed", "low"]),
                          float(totals["found", "point"]), float(totals["missed", "point"]))
