"""Theme counts and rates: every count is a number of keyword-in-context rows, every rate is
:func:`per_10k` of it, and a theme's first year is :func:`first_years` -- one definition each.

Rates are mentions (or term occurrences) per 10,000 *word tokens* (runs of letters before stop
words are removed: the index's ``word_tokens``), pooled over the documents of a year. Where a year
has several documents, a seeded bootstrap over documents gives each yearly rate an uncertainty
band; with one document a year there is nothing to resample and the band is left empty.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..checks import check_int, check_number
from ..index.dfm import DFM, dfm_select

PER = 10_000
FREQUENCY_COLUMNS = ["doc_id", "year", "theme", "count", "word_tokens", "per_10k"]
EMERGENCE_COLUMNS = ["theme", "first_year", "first_doc_id", "first_paragraph_id", "peak_year", "peak_per_10k",
                     "years_present"]
TREND_COLUMNS = ["year", "count", "word_tokens", "documents", "per_10k", "low", "high"]


def per_10k(count, word_tokens):
    """THE rate of the project: ``count`` per 10,000 word tokens; NaN where there are no tokens
    (a rate of nothing is undefined, not zero). Works on numbers, arrays and Series."""
    count = np.asarray(count, dtype=float)
    tokens = np.asarray(word_tokens, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(tokens > 0, PER * count / np.where(tokens > 0, tokens, 1), np.nan)
    return rate if rate.ndim else float(rate)


def theme_frequencies(kwic: pd.DataFrame, documents: pd.DataFrame, themes: list[str]) -> pd.DataFrame:
    """``doc_id, year, theme, count, word_tokens, per_10k``: every document x theme, zeros
    included, in corpus order then ``themes`` order; ``count`` is the number of KWIC rows."""
    grid = documents[["doc_id", "year", "word_tokens"]].merge(pd.DataFrame({"theme": list(themes)}), how="cross")
    counts = kwic.groupby(["doc_id", "theme"]).size().rename("count")
    grid = grid.merge(counts, left_on=["doc_id", "theme"], right_index=True, how="left")
    grid["count"] = grid["count"].fillna(0).astype("int64")
    grid["per_10k"] = per_10k(grid["count"], grid["word_tokens"])
    return grid[FREQUENCY_COLUMNS]


def yearly_rates(frequencies: pd.DataFrame) -> pd.DataFrame:
    """``theme, year, count, word_tokens, documents, per_10k`` pooled over each year's documents."""
    pooled = (frequencies.groupby(["theme", "year"], sort=False)
              .agg(count=("count", "sum"), word_tokens=("word_tokens", "sum"), documents=("doc_id", "size"))
              .reset_index())
    pooled["per_10k"] = per_10k(pooled["count"], pooled["word_tokens"])
    return pooled


def period_rates(frequencies: pd.DataFrame, themes: list[str], split_year: int) -> pd.DataFrame:
    """``theme, per_10k_before, per_10k_after, change``: each theme's rate pooled over the
    documents before ``split_year`` and from it on."""
    rows = []
    for theme in themes:
        part = frequencies[frequencies["theme"] == theme]
        after = part["year"] >= split_year
        before_rate, after_rate = (per_10k(part.loc[mask, "count"].sum(), part.loc[mask, "word_tokens"].sum())
                                   for mask in (~after, after))
        rows.append((theme, before_rate, after_rate, after_rate - before_rate))
    return pd.DataFrame(rows, columns=["theme", "per_10k_before", "per_10k_after", "change"])


def first_years(frequencies: pd.DataFrame, themes: list[str], min_count: int = 1) -> dict[str, int | None]:
    """THE first year of each theme: the earliest year whose documents hold at least
    ``min_count`` mentions of it (None when no year does)."""
    check_int("min_count", min_count, 1)
    yearly = frequencies.groupby(["theme", "year"])["count"].sum()
    found = {}
    for theme in themes:
        counts = yearly[theme] if theme in yearly.index.get_level_values(0) else pd.Series(dtype=int)
        years = counts[counts >= min_count].index
        found[theme] = int(years.min()) if len(years) else None
    return found


def theme_emergence(frequencies: pd.DataFrame, kwic: pd.DataFrame, themes: list[str]) -> pd.DataFrame:
    """Per theme: its :func:`first_years` year, the first document (in corpus order) and
    paragraph of that year naming it, the peak year (highest pooled rate; the earliest on a
    tie) and the number of years it is found in. A theme never found has empty columns and
    ``years_present`` 0."""
    doc_order = {doc: i for i, doc in enumerate(dict.fromkeys(frequencies["doc_id"]))}
    firsts = first_years(frequencies, themes)
    rates = yearly_rates(frequencies)
    rows = []
    for theme in themes:
        year = firsts[theme]
        if year is None:
            rows.append((theme, None, None, None, None, None, 0))
            continue
        hits = kwic[(kwic["theme"] == theme) & (kwic["year"] == year)]
        first = hits.assign(order=hits["doc_id"].map(doc_order)).sort_values(["order", "paragraph_id"]).iloc[0]
        present = rates[(rates["theme"] == theme) & (rates["count"] > 0)]
        peak = present.sort_values(["per_10k", "year"], ascending=[False, True]).iloc[0]
        rows.append((theme, year, first["doc_id"], first["paragraph_id"], int(peak["year"]), float(peak["per_10k"]),
                     int(present["year"].nunique())))
    frame = pd.DataFrame(rows, columns=EMERGENCE_COLUMNS)
    return frame.astype({"first_year": "Int64", "peak_year": "Int64"})


def theme_order(rates: pd.DataFrame, focus: list[str]) -> list[str]:
    """Focus themes in codebook order, then the others by mean yearly rate, highest first
    (the row order of the emergence heatmap)."""
    others = rates[~rates["theme"].isin(focus)].groupby("theme")["per_10k"].mean()
    return list(focus) + sorted(others.index, key=lambda t: (-others[t], t))


def yearly_series(documents: pd.DataFrame, values: np.ndarray, names: list[str], n_boot: int = 1000,
                  random_state: int = 0, level: float = 0.95) -> pd.DataFrame:
    """Yearly :func:`per_10k` rates of several count series, with bootstrap bands.

    ``values`` is documents x series (counts); ``documents`` has ``year`` and ``word_tokens``
    in the same row order. Returns ``series`` and :data:`TREND_COLUMNS`; ``low``/``high`` are
    the bootstrap percentiles of the pooled rate when resampling the year's documents with
    replacement (``n_boot`` times, seeded by ``random_state``), empty for single-document years.
    """
    check_int("n_boot", n_boot, 1)
    check_number("level", level, 0, 1, exclusive_minimum=True)
    rng = np.random.default_rng(random_state)
    values = np.asarray(values, dtype=float)
    tokens = documents["word_tokens"].to_numpy(dtype=float)
    years = documents["year"].to_numpy()
    rows = []
    for year in np.unique(years):
        members = np.flatnonzero(years == year)
        total_tokens = tokens[members].sum()
        count = values[members].sum(axis=0)
        rate = per_10k(count, np.full(len(names), total_tokens))
        low = high = np.full(len(names), np.nan)
        if len(members) > 1:
            sampled = members[rng.integers(0, len(members), size=(n_boot, len(members)))]
            boot = per_10k(values[sampled].sum(axis=1), tokens[sampled].sum(axis=1)[:, None])
            low, high = np.nanpercentile(boot, [100 * (1 - level) / 2, 100 * (1 + level) / 2], axis=0)
        for j, name in enumerate(names):
            rows.append((name, int(year), int(count[j]), int(total_tokens), len(members), rate[j], low[j], high[j]))
    return pd.DataFrame(rows, columns=["series"] + TREND_COLUMNS)


def theme_trends(frequencies: pd.DataFrame, documents: pd.DataFrame, themes, n_boot: int = 1000,
                 random_state: int = 0) -> pd.DataFrame:
    """:func:`yearly_series` of theme mention counts."""
    wide = frequencies.pivot(index="doc_id", columns="theme", values="count").reindex(
        index=documents["doc_id"], columns=list(themes)).fillna(0)
    return yearly_series(documents, wide.to_numpy(), list(themes), n_boot, random_state).rename(
        columns={"series": "theme"})


def term_trends(x: DFM, terms, n_boot: int = 1000, random_state: int = 0) -> pd.DataFrame:
    """:func:`yearly_series` of chosen terms of a document-level DFM (a term absent is zeros)."""
    selected = dfm_select(x, terms)
    return yearly_series(x.docvars, selected.matrix.toarray(), list(terms), n_boot, random_state).rename(
        columns={"series": "term"})


def first_mentions(kwic: pd.DataFrame, paragraphs: pd.DataFrame, emergence: pd.DataFrame,
                   themes: list[str]) -> pd.DataFrame:
    """``theme, year, doc_id, paragraph_id, left, match, right, text``: each theme's first mention
    -- the first KWIC row of the first paragraph :func:`theme_emergence` names -- with its context
    and the whole paragraph it stands in (empty for a theme never found)."""
    text = paragraphs.set_index("paragraph_id")["text"]
    first = emergence.set_index("theme").reindex(themes)["first_paragraph_id"]
    rows = [kwic[(kwic["theme"] == theme) & (kwic["paragraph_id"] == first[theme])].head(1) for theme in themes]
    found = pd.concat(rows).set_index("theme").reindex(themes).reset_index()
    found["text"] = found["paragraph_id"].map(text)
    return found[["theme", "year", "doc_id", "paragraph_id", "left", "match", "right", "text"]]
