"""The entry year under its rule, and its bootstrap interval: values worked out by hand on small
synthetic corpora and from what the seed documents say."""

import re

import numpy as np
import pandas as pd
import pytest

from analysis.errors import ParameterError
from analysis.plots.agenda import textplot_entry_years
from analysis.stats.emergence import describe_entry, entry_rule_text, theme_entry
from analysis.stats.rates import theme_emergence, theme_frequencies
from figure_checks import assert_figure_readable

SEED = 20250122


def corpus(mentions: dict, tokens: int = 1000):
    """``mentions``: {(year, doc number): {theme: count}} -> (kwic, documents), every document
    ``tokens`` word tokens long, in year then document order."""
    documents = pd.DataFrame([(f"{year}_{n}", year, tokens) for year, n in sorted(mentions)],
                             columns=["doc_id", "year", "word_tokens"])
    rows = [(f"{year}_{n}", year, f"{year}_{n}:p01", theme) for (year, n), counts in sorted(mentions.items())
            for theme, count in counts.items() for _ in range(count)]
    return pd.DataFrame(rows, columns=["doc_id", "year", "paragraph_id", "theme"]), documents


def frequencies_of(mentions: dict, themes=("t", "never"), tokens: int = 1000):
    kwic, documents = corpus(mentions, tokens)
    return theme_frequencies(kwic, documents, list(themes))


# three speeches a year, 2001-2004, 1,000 words each; theme t:
#   2001: 1 mention in 1 of 3 speeches; 2002: 2 in 2 of 3; 2003: 5 in 3 of 3; 2004: 3 in 3 of 3
THREE_BY_FOUR = {(2001, 0): {"t": 1}, (2001, 1): {}, (2001, 2): {},
                 (2002, 0): {"t": 1}, (2002, 1): {"t": 1}, (2002, 2): {},
                 (2003, 0): {"t": 2}, (2003, 1): {"t": 2}, (2003, 2): {"t": 1},
                 (2004, 0): {"t": 1}, (2004, 1): {"t": 1}, (2004, 2): {"t": 1}}


@pytest.mark.parametrize("rule, year", [
    ({}, 2001),                                   # first mention
    ({"min_mentions": 2}, 2002),                  # 2001 has 1
    ({"min_mentions": 3}, 2003),                  # 2002 has 2
    ({"min_rate": 3.0}, 2001),                    # 2001: 1 / 3,000 words = 3.33 per 10,000
    ({"min_rate": 5.0}, 2002),                    # 2002: 2 / 3,000 = 6.67
    ({"min_share": 0.5}, 2002),                   # 1/3 of the speeches, then 2/3
    ({"min_share": 1.0}, 2003),                   # every speech first in 2003
    ({"min_mentions": 6}, None),                  # never more than 5 in a year
])
def test_entry_year_under_each_rule(rule, year):
    table = theme_entry(frequencies_of(THREE_BY_FOUR), ["t", "never"], n_boot=50, random_state=SEED, **rule)
    row = table.set_index("theme").loc["t"]
    assert (pd.isna(row["entry_year"]) if year is None else row["entry_year"] == year)
    never = table.set_index("theme").loc["never"]
    assert pd.isna(never["entry_year"]) and never["entry_interval_note"] == "the rule is never met"


def test_the_rule_in_words():
    assert entry_rule_text() == "first year with >= 1 mention"
    assert entry_rule_text(2, 0.5, 0.25) == ("first year with >= 2 mentions and >= 0.5 per 10,000 words and >= 25% "
                                             "of the year's documents")


def test_bootstrap_interval_by_hand():
    """2001: two speeches, one mentioning t; 2002: one speech mentioning it. A resample of 2001
    misses the mentioning speech with probability 1/2 x 1/2 = 1/4, so the entry year is 2001 in
    three resamples of four and 2002 in one: the 95 % interval is 2001-2002."""
    freq = frequencies_of({(2001, 0): {"t": 1}, (2001, 1): {}, (2002, 0): {"t": 3}})
    row = theme_entry(freq, ["t"], n_boot=2000, random_state=SEED).iloc[0]
    assert (row["entry_year"], row["entry_low"], row["entry_high"]) == (2001, 2001, 2002)
    assert row["entry_interval_note"] == ""
    # the same speeches in 2001 but both mentioning it: every resample enters in 2001
    freq = frequencies_of({(2001, 0): {"t": 1}, (2001, 1): {"t": 1}, (2002, 0): {"t": 3}})
    row = theme_entry(freq, ["t"], n_boot=2000, random_state=SEED).iloc[0]
    assert (row["entry_low"], row["entry_high"]) == (2001, 2001)


def test_no_upper_bound_when_the_rule_often_fails():
    """One speech of 100 mentions t, in the only year: a resample misses it with probability
    0.99 ** 100 = 0.366, far above 2.5 %, so there is no upper bound."""
    freq = frequencies_of({(2001, n): ({"t": 1} if n == 0 else {}) for n in range(100)})
    row = theme_entry(freq, ["t"], n_boot=2000, random_state=SEED).iloc[0]
    assert row["entry_low"] == 2001 and pd.isna(row["entry_high"])
    share = int(re.fullmatch(r"the rule is not met in (\d+)% of resamples: no upper bound",
                             row["entry_interval_note"]).group(1))
    assert 33 <= share <= 40


def test_one_document_a_year_up_to_the_entry_gives_no_interval():
    freq = frequencies_of({(2001, 0): {}, (2002, 0): {"t": 1}, (2003, 0): {"t": 1}, (2003, 1): {}})
    row = theme_entry(freq, ["t"], n_boot=100, random_state=SEED).iloc[0]
    assert row["entry_year"] == 2002 and pd.isna(row["entry_low"]) and pd.isna(row["entry_high"])
    assert row["entry_interval_note"] == "one document a year up to 2002: nothing to resample, no interval"


def test_bootstrap_is_reproducible_with_its_seed():
    freq = frequencies_of({(2001, n): ({"t": 1} if n == 0 else {}) for n in range(100)} | {(2002, 0): {"t": 1}})
    first = theme_entry(freq, ["t"], n_boot=300, random_state=7)
    pd.testing.assert_frame_equal(first, theme_entry(freq, ["t"], n_boot=300, random_state=7))


def test_seed_corpus_entry_years_and_no_interval(index_plain, codebook):
    """Cybercrime is named in 2010 and 2016 once each, then 24 and 16 times (2023, 2025); scam
    compounds once in 2023 (APPF: "Casinos and Scam Operations"), then in 2025; environmental crime
    only in 2025. One document a year: no interval, and the table says why."""
    freq = theme_frequencies(index_plain.kwic, index_plain.documents, codebook.names)
    focus = ["cybercrime", "scam_compounds", "environmental_crime"]
    first = theme_entry(freq, focus, n_boot=200, random_state=SEED).set_index("theme")
    assert first["entry_year"].tolist() == [2010, 2023, 2025]
    assert first["entry_low"].isna().all() and first["entry_high"].isna().all()
    assert (first["entry_interval_note"] == "one document per year: nothing to resample, no interval").all()
    twice = theme_entry(freq, focus, min_mentions=2, n_boot=200, random_state=SEED).set_index("theme")
    assert twice["entry_year"].tolist() == [2023, 2025, 2025]
    # 2010: 1 mention in 1,073 words = 9.3 per 10,000; 2016: 1 in 677 = 14.8; 2023: 24 in 1,815 = 132
    by_rate = theme_entry(freq, ["cybercrime"], min_rate=10, n_boot=200, random_state=SEED).iloc[0]
    assert by_rate["entry_year"] == 2016
    table = theme_emergence(freq, index_plain.kwic, focus).merge(first.reset_index(), on="theme")
    text = describe_entry(table, {"cybercrime": "Cybercrime"}, ["cybercrime"])
    assert text == ("- **Cybercrime** enters in **2010** (first year with >= 1 mention); one document per year: "
                    "nothing to resample, no interval.")


def test_bad_rule_parameters_are_named():
    freq = frequencies_of(THREE_BY_FOUR)
    for rule, name in (({"min_mentions": 0}, "entry_min_mentions"), ({"min_rate": -1}, "entry_min_rate"),
                       ({"min_share": 0}, "entry_min_share"), ({"min_share": 1.5}, "entry_min_share")):
        with pytest.raises(ParameterError, match=name):
            theme_entry(freq, ["t"], n_boot=10, **rule)


def test_entry_figure_has_whole_year_ticks_and_an_arrow_without_upper_bound():
    mentions = {(year, n): ({"t": 1} if (year, n) == (1950, 0) else {"u": 1} if year >= 1990 else {})
                for year in range(1946, 2025) for n in range(3)}
    freq = frequencies_of(mentions, themes=("t", "u", "never"))
    entry = theme_entry(freq, ["t", "u", "never"], n_boot=200, random_state=SEED)
    kwic, documents = corpus(mentions)
    table = theme_emergence(freq, kwic, ["t", "u", "never"]).merge(entry, on="theme")
    fig = textplot_entry_years(table, {}, ["t"], documents["year"])
    ax = fig.axes[0]
    ticks = [int(label.get_text()) for label in ax.get_xticklabels()]
    assert ticks == list(range(1950, 2021, 10)) and np.all(np.diff(ticks) > 0)
    assert "arrow: no upper bound" in ax.get_title(loc="right")
    assert_figure_readable(fig)
