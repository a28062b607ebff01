"""The report's claims about each focus theme, recomputed under the perturbations that could
break them.

The claims are the ones the report states, computed by the functions that compute its headline
tables (:func:`~analysis.stats.rates.first_years`, :func:`~analysis.stats.rates.period_rates`):

- *mentioned*: the codebook finds the theme somewhere in the corpus;
- *first year Y*: the earliest year whose documents mention it is Y;
- *rate rises*: its rate per 10,000 words is higher from ``split_year`` on than before;
- *tracked by a topic* (optional): a topic carries the theme by both tests of
  :func:`~analysis.models.topic_tables.judge_topic_themes` (its weight on the theme's terms beats
  frequency-matched random terms, and its yearly share follows the theme's rate).

Counting is exact, so what can change a claim is which evidence enters, not how the text is
tokenized. The perturbations (``perturbation`` column) are:

- ``document``: leave out one document -- each document that mentions a focus theme (leaving
  out any other document cannot change whether or when a theme is mentioned, and moves a rate
  only through its share of the words);
- ``speaker``: leave out every document of one value of ``speaker_column`` (a body, a country);
- ``codebook``: the theme's codebook with one include pattern dropped (each pattern that matched
  in the corpus: dropping the others changes nothing), and with its exclude patterns off. Only the
  affected paragraphs are matched again;
- ``entry rule``: the first year with at least k mentions (``entry_min_mentions``), not one;
- ``normalization``: rates as the share of paragraphs that mention the theme, not per 10,000
  words;
- ``topic model``: other numbers of topics, seeds and model families (:func:`topic_claim_table`).

A perturbation is recorded only for the claims it can change. ``status`` is ``holds``,
``does not hold`` or ``cannot be measured`` (the perturbed corpus has no document in the year the
claim names, or none on one side of the split); ``holds`` is True, False or empty accordingly and
``value`` is what the perturbed corpus gives (the first year, the mentions, the change in rate).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from ..checks import check_int
from ..errors import ParameterError
from ..index.corpus_index import CorpusIndex
from ..models.topic_tables import carrying_topics, theme_terms, topic_theme_tests
from ..models.topics import TopicModel, topic_corpus
from ..progress import track
from ..stats.rates import first_years, period_rates, theme_frequencies, yearly_rates
from ..text.codebook import Codebook
from ..text.patterns import PatternSet

ROBUSTNESS_COLUMNS = ["claim", "theme", "perturbation", "specification", "status", "holds", "value"]
SUMMARY_COLUMNS = ["claim", "theme", "specifications", "holds", "does_not_hold", "not_measurable", "share",
                   "broken_by_documents", "broken_by_speakers", "broken_by_other"]
BASELINE = "baseline"
HOLDS, FAILS, UNMEASURABLE = "holds", "does not hold", "cannot be measured"


def _yearly(frequencies: pd.DataFrame) -> pd.DataFrame:
    """Frequencies pooled by year, in the shape the claim functions read (a year is one row)."""
    pooled = yearly_rates(frequencies)
    return pooled.assign(doc_id=pooled["year"].astype(str))[["doc_id", "year", "theme", "count", "word_tokens"]]


class ClaimSet:
    """The claims of the focus themes at baseline, and their verdict under a perturbed corpus."""

    def __init__(self, frequencies: pd.DataFrame, themes: list[str], split_year: int):
        self.themes, self.split_year = list(themes), split_year
        yearly = _yearly(frequencies)
        self.first = first_years(yearly, self.themes)
        self.change = period_rates(yearly, self.themes, split_year).set_index("theme")["change"]
        self.mentions = yearly.groupby("theme")["count"].sum().reindex(self.themes, fill_value=0)

    def names(self, theme: str) -> dict[str, str]:
        """The claims' names, as the table and the prose state them."""
        return {"mentioned": f"{theme}: mentioned",
                "first_year": f"{theme}: first year {self.first[theme]}",
                "rate_rises": f"{theme}: rate rises ({self.split_year}+ vs before)"}

    def judge(self, yearly: pd.DataFrame, theme: str, kinds=("mentioned", "first_year", "rate_rises"),
              min_mentions: int = 1, rate_scale: float = 1.0) -> list[tuple]:
        """``(claim, status, value)`` for ``theme``'s claims of ``kinds`` on a year-level frame."""
        names, rows = self.names(theme), []
        part = yearly[yearly["theme"] == theme]
        if "mentioned" in kinds and self.first[theme] is not None:
            mentions = int(part["count"].sum())
            rows.append((names["mentioned"], HOLDS if mentions > 0 else FAILS, mentions))
        if "first_year" in kinds and self.first[theme] is not None:
            year = first_years(part, [theme], min_mentions)[theme]
            observed = bool((part["year"] == self.first[theme]).any())
            earlier = year is not None and year < self.first[theme]
            status = HOLDS if year == self.first[theme] else (FAILS if observed or earlier else UNMEASURABLE)
            rows.append((names["first_year"], status, year))
        if "rate_rises" in kinds:
            change = period_rates(part, [theme], self.split_year)["change"].iloc[0]
            status = UNMEASURABLE if np.isnan(change) else (HOLDS if change > 0 else FAILS)
            rows.append((names["rate_rises"], status, None if np.isnan(change) else float(change) * rate_scale))
        return rows


def _frame(rows: list[tuple], theme: str, perturbation: str, specification: str) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["claim", "status", "value"])
    frame.insert(1, "theme", theme)
    frame.insert(2, "perturbation", perturbation)
    frame.insert(3, "specification", specification)
    frame.insert(5, "holds", frame["status"].map({HOLDS: True, FAILS: False}).astype("boolean"))
    frame["value"] = frame["value"].astype(object)
    return frame


def theme_variants(codebook: Codebook, theme: str, matched_patterns) -> list[tuple[str, object]]:
    """``(label, theme)`` for the codebook perturbations of ``theme``: each matched include
    pattern dropped in turn (a theme left without patterns is skipped), and excludes off."""
    original = codebook[theme]
    variants = []
    for pattern in original.include:
        kept = tuple(p for p in original.include if p != pattern)
        if pattern in matched_patterns and kept:
            variants.append((f"{theme} without pattern '{pattern}'",
                             replace(original, include=kept, includes=PatternSet(kept))))
    if original.exclude:
        variants.append((f"{theme} with its {len(original.exclude)} exclude pattern(s) off",
                         replace(original, exclude=(), excludes=None)))
    return variants


def _paragraphs_to_rematch(index: CorpusIndex, theme, variant) -> pd.DataFrame:
    """The only paragraphs where ``variant`` of ``theme`` can match differently: those the theme
    matches now (dropping a pattern removes matches, or uncovers one it overlapped), and, when the
    variant drops exclude patterns, those an exclude pattern matches."""
    paragraphs = index.paragraphs
    touched = paragraphs["paragraph_id"].isin(set(index.kwic.loc[index.kwic["theme"] == theme.name, "paragraph_id"]))
    if variant.exclude != theme.exclude:
        excluded = theme.excludes.regex
        touched |= np.fromiter((excluded.search(text) is not None for text in paragraphs["text"]), bool,
                               len(paragraphs))
    return paragraphs[touched]


def _mentions_by_document(paragraphs: pd.DataFrame, variant) -> pd.Series:
    """Matches of a one-theme codebook in ``paragraphs``, counted per document."""
    codebook = Codebook((variant,))
    counts = {}
    for doc_id, part in paragraphs.groupby("doc_id", sort=False):
        counts[doc_id] = sum(len(found) for found in codebook.find_all(part["text"].tolist()))
    return pd.Series(counts, dtype="int64")


def robustness_table(index: CorpusIndex, codebook: Codebook, focus: list[str], split_year: int, *,
                     speaker_column: str | None = None, entry_min_mentions=(2, 3)) -> pd.DataFrame:
    """:data:`ROBUSTNESS_COLUMNS` for the count claims of every focus theme, baseline first (see
    the module's docstring); :func:`topic_claim_table` gives the topic claims' rows."""
    check_int("split_year", split_year, 1)
    for k in entry_min_mentions:
        check_int("entry_min_mentions", k, 2)
    documents, kwic = index.documents, index.kwic[index.kwic["theme"].isin(focus)]
    if speaker_column is not None and speaker_column not in documents:
        raise ParameterError(f"speaker_column={speaker_column!r}: the corpus has no such column "
                             f"({', '.join(documents.columns)})")
    frequencies = theme_frequencies(kwic, documents, focus)
    claims = ClaimSet(frequencies, focus, split_year)
    yearly = _yearly(frequencies)
    tables = [_frame(claims.judge(yearly, theme), theme, BASELINE, BASELINE) for theme in focus]

    pooled = yearly.set_index(["theme", "year"])
    documents_per_year = documents.groupby("year").size()

    def without(doc_ids) -> pd.DataFrame:
        """The year-level frame with ``doc_ids`` left out: their counts and words subtracted
        from their years, and a year left without documents dropped."""
        removed = frequencies[frequencies["doc_id"].isin(set(doc_ids))]
        left = pooled.copy()
        left.loc[:, ["count", "word_tokens"]] = pooled[["count", "word_tokens"]].sub(
            removed.groupby(["theme", "year"])[["count", "word_tokens"]].sum(), fill_value=0).astype("int64")
        emptied = documents_per_year.sub(documents[documents["doc_id"].isin(set(doc_ids))].groupby("year").size(),
                                         fill_value=0)
        return left[~left.index.get_level_values("year").isin(emptied.index[emptied == 0])].reset_index()[
            ["doc_id", "year", "theme", "count", "word_tokens"]]

    mentioning = documents.loc[documents["doc_id"].isin(set(kwic["doc_id"])), "doc_id"]
    for doc_id in track(mentioning, len(mentioning), "robustness: leave one document out", "documents"):
        perturbed = without([doc_id])
        tables += [_frame(claims.judge(perturbed, theme), theme, "document", f"leave out {doc_id}") for theme in focus]
    if speaker_column is not None:
        speakers = documents.groupby(speaker_column, sort=True)
        for speaker, part in track(speakers, speakers.ngroups, f"robustness: leave one {speaker_column} out", "groups"):
            perturbed = without(part["doc_id"])
            tables += [_frame(claims.judge(perturbed, theme), theme, "speaker",
                              f"leave out {speaker_column} {speaker}") for theme in focus]
    for theme in focus:
        mentioned = kwic[kwic["theme"] == theme]
        for label, variant in theme_variants(codebook, theme, set(mentioned["pattern"])):
            paragraphs = _paragraphs_to_rematch(index, codebook[theme], variant)
            before = mentioned[mentioned["paragraph_id"].isin(set(paragraphs["paragraph_id"]))].groupby("doc_id").size()
            change = _mentions_by_document(paragraphs, variant).sub(before, fill_value=0)
            recounted = frequencies.copy()
            rows = recounted["theme"] == theme
            recounted.loc[rows, "count"] = (recounted.loc[rows, "count"]
                                            + recounted.loc[rows, "doc_id"].map(change).fillna(0)).astype("int64")
            tables.append(_frame(claims.judge(_yearly(recounted), theme), theme, "codebook", label))
        for k in entry_min_mentions:
            tables.append(_frame(claims.judge(yearly, theme, ("first_year",), min_mentions=k), theme, "entry rule",
                                 f"first year with at least {k} mentions"))
    shares = _paragraph_shares(index, kwic, focus)
    for theme in focus:
        tables.append(_frame(claims.judge(shares, theme, ("rate_rises",), rate_scale=1 / 100), theme,
                             "normalization", "share of paragraphs mentioning the theme (change in % points)"))
    return pd.concat(tables, ignore_index=True)[ROBUSTNESS_COLUMNS]


def _paragraph_shares(index: CorpusIndex, kwic: pd.DataFrame, focus: list[str]) -> pd.DataFrame:
    """Year-level frame whose ``count`` is the paragraphs mentioning each theme and whose
    ``word_tokens`` is the number of paragraphs: :func:`period_rates` then gives shares x 10,000."""
    paragraphs = index.paragraphs.groupby("doc_id").size()
    mentioning = kwic.groupby(["doc_id", "theme"])["paragraph_id"].nunique()
    frame = index.documents[["doc_id", "year"]].merge(pd.DataFrame({"theme": focus}), how="cross")
    frame["count"] = [int(mentioning.get((d, t), 0)) for d, t in zip(frame["doc_id"], frame["theme"])]
    frame["word_tokens"] = frame["doc_id"].map(paragraphs).fillna(0).astype("int64")
    return _yearly(frame)


def robustness_summary(robustness: pd.DataFrame) -> pd.DataFrame:
    """:data:`SUMMARY_COLUMNS`: per claim, the perturbations tried, how many it holds under, fails
    under and cannot be measured under, the share it holds under among those it could be measured
    under, and the perturbations that break it (``; ``-separated, in table order): documents left
    out, speakers left out, and the others."""
    rows = []
    for claim, part in robustness.groupby("claim", sort=False):
        measured = part[part["status"] != UNMEASURABLE]
        broken = part[part["status"] == FAILS]
        by_kind = {kind: "; ".join(broken.loc[broken["perturbation"] == kind, "specification"].str.removeprefix(
            "leave out ")) for kind in ("document", "speaker")}
        other = "; ".join(broken.loc[~broken["perturbation"].isin(["document", "speaker"]), "specification"])
        rows.append((claim, part["theme"].iloc[0], len(part), int((part["status"] == HOLDS).sum()),
                     int((part["status"] == FAILS).sum()), int((part["status"] == UNMEASURABLE).sum()),
                     float((measured["status"] == HOLDS).mean()) if len(measured) else float("nan"),
                     by_kind["document"], by_kind["speaker"], other))
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def _listed(items: list[str], shown: int = 5) -> str:
    return ", ".join(items[:shown]) + (f" and {len(items) - shown} more" if len(items) > shown else "")


def robustness_findings(summary: pd.DataFrame, labels: dict[str, str]) -> list[str]:
    """One sentence per claim: how often it holds and what breaks it, naming a single document
    or speaker when one is enough ("rests on one document: ...")."""
    sentences = []
    for row in summary.itertuples():
        claim = row.claim.split(": ", 1)[1]
        text = (f"{labels.get(row.theme, row.theme)} — {claim}: holds under {row.holds} of "
                f"{row.holds + row.does_not_hold} perturbations")
        if row.not_measurable:
            text += f" ({row.not_measurable} could not be measured)"
        documents = [b for b in row.broken_by_documents.split("; ") if b]
        speakers = [b for b in row.broken_by_speakers.split("; ") if b]
        others = [b for b in row.broken_by_other.split("; ") if b]
        if documents:
            text += (f"; rests on one document: {documents[0]}" if len(documents) == 1 else
                     f"; broken by leaving out any of {len(documents)} documents ({_listed(documents)})")
        if speakers:
            text += ("; rests on one {}: {}".format(*speakers[0].split(" ", 1)) if len(speakers) == 1 else
                     f"; broken by leaving out any of: {_listed(speakers)}")
        if others:
            text += f"; broken by {_listed(others)}"
        sentences.append(text + ".")
    return sentences


def _topic_rows(family: str, n_topics: int, random_state: int, data, terms: dict, themes: list[str],
                alpha: float, fit_options: dict) -> list[tuple]:
    """Whether a topic of this fit carries each theme by THE rule
    (:func:`~analysis.models.topic_tables.carrying_topics`: against frequency-matched random
    terms and over the years, both at ``alpha``; the tests' draws seeded by ``random_state``),
    and the largest share of a topic's weight on the theme's terms."""
    model = TopicModel(family, n_topics, random_state=random_state, **fit_options).fit(data)
    labels = {t: str(t) for t in range(1, model.n_topics + 1)}
    tests = topic_theme_tests(model, data, labels, terms, themes, random_state=random_state)
    carried = set(carrying_topics(tests, alpha)["theme"])
    best = tests.groupby("theme", sort=False)["share"].max()
    return [(theme, family, n_topics, random_state, theme in carried, float(best[theme])) for theme in themes]


def refit_grid(chosen: dict[str, int], n_topics: list[int] | None = None) -> dict[str, list[int]]:
    """The numbers of topics the topic claim is refitted with, per family: the K notebook 02
    chose (first: the baseline) and K - 2, K + 2 (at least 2), or ``n_topics`` for every family."""
    return {family: list(n_topics) if n_topics else [k] + [j for j in (k - 2, k + 2) if j >= 2]
            for family, k in chosen.items()}


def topic_claim_table(index: CorpusIndex, tokenizer, focus: list[str], *, n_topics: dict[str, list[int]],
                      seeds: list[int], topic_settings: dict | None = None, carrier_alpha: float = 0.05,
                      n_jobs: int = 1) -> pd.DataFrame:
    """The *tracked by a topic* claim of each focus theme under every family and K of
    ``n_topics`` (family -> numbers of topics) and every seed, on the units notebook 02 modelled
    with its settings (``topic_settings``), as :data:`ROBUSTNESS_COLUMNS`. The baseline is the
    first family with its first K and the first seed. The models are fitted in ``n_jobs``
    processes; the result does not depend on it."""
    from joblib import Parallel, delayed

    settings = dict(topic_settings or {})
    data = topic_corpus(index, tokenizer, **{key: settings[key] for key in ("unit", "doc_ids", "min_df", "max_df",
                                                                           "min_tokens") if key in settings})
    fit_options = {key: settings[key] for key in ("passes", "iterations") if key in settings}
    terms = theme_terms(index.kwic, tokenizer)
    grid = [(family, k, seed) for family, ks in n_topics.items() for k in ks for seed in seeds]
    fitted = Parallel(n_jobs=n_jobs)(delayed(_topic_rows)(family, k, seed, data, terms, focus, carrier_alpha,
                                                          fit_options) for family, k, seed in grid)
    rows = []
    baseline = {theme: holds for theme, *_, holds, _ in fitted[0]}
    for result in fitted:
        for theme, family, k, seed, holds, share in result:
            claim = f"{theme}: {'tracked' if baseline[theme] else 'not tracked'} by a topic"
            label = BASELINE if (family, k, seed) == grid[0] else f"{family.upper()} K={k}, seed={seed}"
            rows.append((claim, theme, BASELINE if label == BASELINE else "topic model", label,
                         HOLDS if holds == baseline[theme] else FAILS, share))
    frame = pd.DataFrame(rows, columns=["claim", "theme", "perturbation", "specification", "status", "value"])
    frame.insert(5, "holds", frame["status"].map({HOLDS: True, FAILS: False}).astype("boolean"))
    return frame.sort_values("theme", key=lambda c: c.map({t: i for i, t in enumerate(focus)}), kind="stable")
