"""When a theme entered the agenda: its entry year under a stated rule, and how much that year
depends on which documents the corpus happens to hold.

**The rule.** A theme enters in the first year whose documents, pooled, meet every threshold that
is set: at least ``min_mentions`` mentions (KWIC rows), a rate of at least ``min_rate`` mentions
per 10,000 word tokens (:func:`~analysis.stats.rates.per_10k`), and at least ``min_share`` of the
year's documents mentioning it. With the defaults (one mention, no rate or share) the entry year
is :func:`~analysis.stats.rates.first_years`; the thresholds let a reader ask for a theme that is
*established*, not merely named once.

**Its uncertainty.** A bootstrap over documents within years: each year's documents are drawn
with replacement (as many as the year has, ``n_boot`` times, seeded by ``random_state``), the
rule is applied to every resampled corpus, and ``entry_low``/``entry_high`` are the 2.5th and
97.5th percentiles (:data:`LEVEL`) of the resulting entry years, years actually drawn, never
interpolated. It answers "would the entry year move if other speeches of the same years had been
given?", respects that mentions cluster in documents, and measures the quantity the rule defines.
With the first-mention rule a resample can only lose a year's mentions, so the interval starts at
the observed year. With higher thresholds a resample can also pass them earlier, by drawing a
mentioning document twice, so the interval can start before the observed year or even end
before it (UN corpus, arms trafficking, at least 2 mentions, 0.1 per 10,000 words and 5 % of the
speeches: entry 1996, interval 1947 to the early 1990s): the entry year then hinges on a few
documents near the thresholds.

It was chosen over change-point models of the yearly counts, measured (2026-11-23, with the
codebook of that release) on the UN General Debate corpus (cybercrime, 1946-2024) and the seeds:
ruptures (Dynp/Binseg, one break in the yearly rate) gives a year but no interval, and a different
one (2017: when the rate steps up, not when the theme enters); a Poisson change-point (Gamma priors
on the two rates, posterior over the change year) puts more than 99.9 % of its posterior on a
single year (2007), because it treats every mention as independent, where the bootstrap shows the
first-mention year hinging on single speeches (2000, interval 2000-2008); on the seed corpus it
still gives intervals (cybercrime 2016-2023) from five documents.

Where the entry year and every year before it have one document each there is nothing to resample:
the interval is left empty and ``entry_interval_note`` says why. Where the rule is not met in more
than 2.5 % of the resampled corpora, ``entry_high`` is empty and the note gives that share.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..checks import check_int, check_number
from .rates import per_10k

LEVEL = 0.95  # of the bootstrap interval
ENTRY_COLUMNS = ["entry_rule", "entry_year", "entry_low", "entry_high", "entry_interval_note"]


def _check_rule(min_mentions, min_rate, min_share) -> tuple[int, float | None, float | None]:
    return (check_int("entry_min_mentions", min_mentions, 1),
            None if min_rate is None else check_number("entry_min_rate", min_rate, 0),
            None if min_share is None else check_number("entry_min_share", min_share, 0, 1, exclusive_minimum=True))


def entry_rule_text(min_mentions: int = 1, min_rate: float | None = None, min_share: float | None = None) -> str:
    """The rule in words, as it stands in the table: ``first year with >= 1 mention``..."""
    min_mentions, min_rate, min_share = _check_rule(min_mentions, min_rate, min_share)
    parts = [f">= {min_mentions} mention{'s' if min_mentions > 1 else ''}"]
    if min_rate is not None:
        parts.append(f">= {min_rate:g} per 10,000 words")
    if min_share is not None:
        parts.append(f">= {min_share:.0%} of the year's documents")
    return "first year with " + " and ".join(parts)


def _rule_met(counts, tokens, mentioning, documents, min_mentions, min_rate, min_share) -> np.ndarray:
    """Where the rule holds; arrays broadcast over (..., years, themes)."""
    met = counts >= min_mentions
    if min_rate is not None:
        met &= np.nan_to_num(per_10k(counts, tokens), nan=0.0) >= min_rate
    if min_share is not None:
        met &= mentioning >= min_share * documents
    return met


def _first_met(met: np.ndarray, years: np.ndarray) -> np.ndarray:
    """The first year (along the years axis, second to last) where ``met`` holds; NaN where none."""
    found = met.any(axis=-2)
    return np.where(found, years[met.argmax(axis=-2)], np.nan)


def theme_entry(frequencies: pd.DataFrame, themes: list[str], min_mentions: int = 1, min_rate: float | None = None,
                min_share: float | None = None, n_boot: int = 1000, random_state: int = 0) -> pd.DataFrame:
    """Per theme, :data:`ENTRY_COLUMNS`: the rule in words, the entry year and its bootstrap
    interval (see the module's docstring), or the reason there is none.

    ``frequencies`` is :func:`~analysis.stats.rates.theme_frequencies` output (one row per
    document and theme, zeros included)."""
    min_mentions, min_rate, min_share = _check_rule(min_mentions, min_rate, min_share)
    check_int("n_boot", n_boot, 1)
    themes = list(themes)
    counts = frequencies.pivot(index="doc_id", columns="theme", values="count").reindex(columns=themes).fillna(0)
    documents = frequencies.drop_duplicates("doc_id").set_index("doc_id").loc[counts.index, ["year", "word_tokens"]]
    counts = counts.to_numpy(dtype=float)
    doc_years = documents["year"].to_numpy()
    doc_tokens = documents["word_tokens"].to_numpy(dtype=float)
    years = np.unique(doc_years)
    members = [np.flatnonzero(doc_years == year) for year in years]
    per_year = np.array([len(m) for m in members])

    def pooled(rows):  # counts, tokens and documents mentioning, summed over the chosen rows
        return counts[rows].sum(axis=-2), doc_tokens[rows].sum(axis=-1), (counts[rows] > 0).sum(axis=-2)

    observed = [pooled(m) for m in members]
    met = _rule_met(np.stack([o[0] for o in observed]), np.array([o[1] for o in observed])[:, None],
                    np.stack([o[2] for o in observed]), per_year[:, None], min_mentions, min_rate, min_share)
    entry = _first_met(met, years)

    rng = np.random.default_rng(random_state)
    drawn = [pooled(m[rng.integers(0, len(m), size=(n_boot, len(m)))]) for m in members]
    boot_met = _rule_met(np.stack([d[0] for d in drawn], axis=1), np.stack([d[1] for d in drawn], axis=1)[:, :, None],
                         np.stack([d[2] for d in drawn], axis=1), per_year[None, :, None],
                         min_mentions, min_rate, min_share)
    boot_entry = _first_met(boot_met, years)  # n_boot x themes
    tail = (1 - LEVEL) / 2

    rule = entry_rule_text(min_mentions, min_rate, min_share)
    rows = []
    for j, theme in enumerate(themes):
        year, low, high, note = entry[j], np.nan, np.nan, ""
        if np.isnan(year):
            note = "the rule is never met"
        elif (per_year == 1).all():
            note = "one document per year: nothing to resample, no interval"
        elif (per_year[years <= year] == 1).all():
            note = f"one document a year up to {int(year)}: nothing to resample, no interval"
        else:
            never = np.isnan(boot_entry[:, j]).mean()
            ordered = np.nan_to_num(boot_entry[:, j], nan=np.inf)
            low, high = (np.quantile(ordered, q, method="inverted_cdf") for q in (tail, 1 - tail))
            if np.isinf(high):
                low, high = (np.nan if np.isinf(low) else low), np.nan
                note = f"the rule is not met in {never:.0%} of resamples: no upper bound"
        rows.append((rule, year, low, high, note))
    table = pd.DataFrame(rows, columns=ENTRY_COLUMNS)
    table.insert(0, "theme", themes)
    return table.astype({column: "Int64" for column in ("entry_year", "entry_low", "entry_high")})


def describe_entry(emergence: pd.DataFrame, labels: dict[str, str], themes: list[str]) -> str:
    """A Markdown line per theme of ``themes``: its entry year under the rule, its interval or
    why there is none, and its first mention where the rule puts the entry later."""
    table = emergence.set_index("theme")
    lines = []
    for theme in themes:
        row, label = table.loc[theme], labels.get(theme, theme)
        if pd.isna(row["entry_year"]):
            found = "" if pd.isna(row["first_year"]) else f" (first mentioned in {row['first_year']})"
            lines.append(f"- **{label}** never meets the rule ({row['entry_rule']}){found}.")
            continue
        sentence = f"- **{label}** enters in **{row['entry_year']}** ({row['entry_rule']})"
        if row["first_year"] != row["entry_year"]:
            sentence += f"; first mentioned in {row['first_year']}"
        if pd.notna(row["entry_low"]) and pd.notna(row["entry_high"]):
            sentence += f"; {LEVEL:.0%} bootstrap interval {row['entry_low']}-{row['entry_high']}"
        elif pd.notna(row["entry_low"]):
            sentence += f"; {LEVEL:.0%} bootstrap interval from {row['entry_low']}, {row['entry_interval_note']}"
        else:
            sentence += f"; {row['entry_interval_note']}"
        lines.append(sentence + ".")
    return "\n".join(lines)
