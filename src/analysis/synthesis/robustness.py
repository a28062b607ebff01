"""The headline claims about each focus theme, and how they fare under other reasonable
preprocessing choices (the idea of preText, Denny & Spirling 2018).

Three claims per focus theme:

- *first year*: the earliest year whose documents use the theme's terms
  (:func:`~analysis.stats.rates.first_years`);
- *rate rises*: its rate per 10,000 tokens is higher from ``split_year`` on than before
  (:func:`~analysis.stats.rates.period_rates`);
- *carried by an LDA topic*: some topic puts at least ``min_share`` of its weight on the theme's
  terms (:func:`~analysis.models.topic_tables.carrying_topics`).

Under a specification the theme's terms are the single tokens its codebook matches become, and
counts come from that specification's document-term matrix -- derived from the corpus index by
re-mapping its item counts (:meth:`~analysis.index.corpus_index.CorpusIndex.dfm`), with no new
pass over the text.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np
import pandas as pd

from ..index.corpus_index import CorpusIndex
from ..index.dfm import DFM
from ..models.topic_tables import carrying_topics, theme_terms, topic_theme_shares
from ..models.topics import TopicModel, topic_corpus
from ..stats.rates import first_years, period_rates

ROBUSTNESS_COLUMNS = ["claim", "specification", "holds", "value"]


@dataclass(frozen=True)
class Specification:
    """One set of preprocessing choices."""

    normalize: str = "lemma"
    domain_stopwords: bool = True
    phrases: str = "both"
    min_df: int = 1

    @property
    def label(self) -> str:
        return (f"normalize={self.normalize}, domain_stopwords={'on' if self.domain_stopwords else 'off'}, "
                f"phrases={self.phrases}, min_df={self.min_df}")

    def tokenizer(self, index: CorpusIndex):
        return index.tokenizer(normalize=self.normalize, domain_stopwords=self.domain_stopwords, phrases=self.phrases)


def specification_grid(normalize=("lemma", "stem", "none"), domain_stopwords=(True, False), phrases=("both", "none"),
                       min_df=(1, 2)) -> list[Specification]:
    return [Specification(*values) for values in product(normalize, domain_stopwords, phrases, min_df)]


def theme_term_frequencies(x: DFM, terms_by_theme: dict[str, set[str]], themes: list[str], min_df: int) -> pd.DataFrame:
    """``doc_id, year, theme, count, word_tokens`` from a document-level DFM: occurrences of the
    theme's terms, counting only terms used in at least ``min_df`` documents, and the documents'
    word tokens (the one denominator of every rate, whatever the specification)."""
    matrix = x.matrix.tocsc()
    kept = np.diff(matrix.indptr) >= min_df
    tokens = x.docvars["word_tokens"].to_numpy()
    rows = []
    for theme in themes:
        columns = [j for j, term in enumerate(x.features) if kept[j] and term in terms_by_theme.get(theme, set())]
        found = np.asarray(matrix[:, columns].sum(axis=1)).ravel() if columns else np.zeros(x.shape[0])
        rows.append(pd.DataFrame({"doc_id": x.docvars["doc_id"], "year": x.docvars["year"], "theme": theme,
                                  "count": found, "word_tokens": tokens}))
    return pd.concat(rows, ignore_index=True)


def count_claims(frequencies: pd.DataFrame, themes: list[str], reference_years: dict, split_year: int) -> list[tuple]:
    """``(claim, holds, value)`` for the first-year and rate-rises claims of each theme."""
    firsts = first_years(frequencies, themes)
    changes = period_rates(frequencies, themes, split_year).set_index("theme")["change"]
    rows = []
    for theme in themes:
        rows.append((f"{theme}: first year {reference_years.get(theme)}", firsts[theme] == reference_years.get(theme),
                     firsts[theme]))
        rows.append((f"{theme}: rate rises ({split_year}+ vs before)", bool(changes[theme] > 0), float(changes[theme])))
    return rows


def topic_claims(model: TopicModel, vocabulary: list[str], terms_by_theme: dict, themes: list[str],
                 min_share: float) -> list[tuple]:
    labels = {t: str(t) for t in range(1, model.n_topics + 1)}
    shares = topic_theme_shares(model, vocabulary, labels, terms_by_theme, themes)
    carried = carrying_topics(shares, min_share).set_index("theme")["share"]
    best = shares.groupby("theme", sort=False)["share"].max()
    return [(f"{theme}: carried by an LDA topic", theme in carried.index, float(best[theme])) for theme in themes]


def _rows(label: str, claims: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame([(claim, label, holds, value) for claim, holds, value in claims], columns=ROBUSTNESS_COLUMNS)


def _topic_claims_under(n_topics: int, random_state: int, data, terms: dict, themes: list[str], min_share: float,
                        label: str, fit_options: dict) -> pd.DataFrame:
    model = TopicModel("lda", n_topics, random_state=random_state, **fit_options).fit(data)
    return _rows(label, topic_claims(model, data.vocabulary, terms, themes, min_share))


def robustness_table(index: CorpusIndex, focus: list[str], specifications: list[Specification],
                     reference: Specification, split_year: int, n_topics: int, n_topics_grid: list[int],
                     seeds: list[int], topic_settings: dict | None = None, min_share: float = 0.01,
                     n_jobs: int = 1, with_topic_claims: bool = True) -> pd.DataFrame:
    """``claim, specification, holds, value`` for every focus theme's claims under every
    specification (the topic claim with ``n_topics`` topics and the first seed, once per
    preprocessing: ``min_df`` does not enter the topic model), and the topic claim under the
    reference preprocessing for every K in
    ``n_topics_grid`` and every seed. ``value`` is the first year found, the change in rate per
    10,000 tokens, or the largest share of a topic's weight on the theme's terms. The topic models
    see the units notebook 02 modelled, with its settings (``topic_settings``: ``unit``,
    ``doc_ids``, ``min_df``, ``max_df``, ``min_tokens``, ``passes``, ``iterations``; defaults
    those of :func:`~analysis.models.topics.topic_corpus` and :class:`TopicModel`). They are
    fitted in ``n_jobs`` processes; the result does not depend on it."""
    settings = dict(topic_settings or {})
    corpus_options = {key: settings[key] for key in ("unit", "doc_ids", "min_df", "max_df", "min_tokens")
                      if key in settings}
    fit_options = {key: settings[key] for key in ("passes", "iterations") if key in settings}
    from joblib import Parallel, delayed

    reference_years = first_years(index.kwic.assign(count=1), focus)
    tables, jobs, seen = [], [], set()
    for spec in [reference] + [s for s in specifications if s != reference]:
        tokenizer = spec.tokenizer(index)
        terms = theme_terms(index.kwic, tokenizer)
        frequencies = theme_term_frequencies(index.dfm("document", tokenizer), terms, focus, spec.min_df)
        claims = count_claims(frequencies, focus, reference_years, split_year)
        tables.append(_rows(spec.label, claims))
        preprocessing = (spec.normalize, spec.domain_stopwords, spec.phrases)
        if with_topic_claims and preprocessing not in seen:
            data = topic_corpus(index, tokenizer, **corpus_options)
            jobs.append(delayed(_topic_claims_under)(n_topics, seeds[0], data, terms, focus, min_share, spec.label,
                                                     fit_options))
            if spec == reference:
                jobs += [delayed(_topic_claims_under)(k, seed, data, terms, focus, min_share,
                                                      f"K={k}, seed={seed} (reference preprocessing)", fit_options)
                         for k in n_topics_grid for seed in seeds if (k, seed) != (n_topics, seeds[0])]
        seen.add(preprocessing)
    topic_tables = Parallel(n_jobs=n_jobs)(jobs) if jobs else []
    return _merge(tables, topic_tables)


def _merge(count_tables: list[pd.DataFrame], topic_tables: list[pd.DataFrame]) -> pd.DataFrame:
    """Count claims and topic claims of the same specification side by side, specifications in
    grid order, then the K x seed rows."""
    by_label = {}
    for table in count_tables + topic_tables:
        label = table["specification"].iloc[0]
        by_label.setdefault(label, []).append(table)
    return pd.concat([part for parts in by_label.values() for part in parts], ignore_index=True)


def robustness_summary(robustness: pd.DataFrame) -> pd.DataFrame:
    """``claim, specifications, holds, share``: under how many specifications each claim holds."""
    summary = robustness.groupby("claim", sort=False)["holds"].agg(specifications="size", holds="sum").reset_index()
    summary["share"] = summary["holds"] / summary["specifications"]
    return summary
