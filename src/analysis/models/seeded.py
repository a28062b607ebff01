"""A keyword-assisted (seeded) topic model: one topic per codebook theme, seeded with the theme's
terms, and a few free topics beside them, in the spirit of keyATM (Eshima, Imai & Sasaki 2024),
which exists only for R.

The model is LDA fitted by collapsed Gibbs sampling in tomotopy (``LDAModel``) with word priors
(``set_word_prior``): a seed word's prior weight is ``seed_prior`` on its theme's topic and
``eta / 100`` on every other topic, so it is drawn to its theme's topic while every other word
is free. A guided NMF (seed words zeroed outside their topic, multiplicative updates) was
measured beside it on the seed corpus: as fast to fit, it followed the themes' yearly rates less
closely (mean correlation 0.54 against 0.60 over five seeds).

Reproducibility: tomotopy with a fixed instruction set (:mod:`analysis.models.gibbs`), each fit on
one thread, so a seed fixes the result.

Uncertainty (:func:`seeded_prevalence`): the share of each year's modelled tokens in each topic,
over the fits of several seeds, and over a bootstrap of each year's documents (of its units when
the year has a single document): the band is the central ``level`` interval of all seeds x
replicates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..checks import check_int, check_number
from ..errors import ParameterError
from ..progress import track
from .gibbs import add_units, doc_topic, import_tomotopy, topic_term, train
from .topic_tables import theme_members
from .topics import TopicCorpus, _normalise_rows

FREE_TOPIC = "free {}"
PREVALENCE_COLUMNS = ["topic", "theme", "year", "share", "lower", "upper", "level", "seeds", "replicates"]


def seed_words(vocabulary: list[str], terms_by_theme: dict[str, set[str]], themes: list[str]) -> dict[str, list[str]]:
    """Per theme of ``themes`` (in order), its terms in the vocabulary (a theme's tokens and the
    learned phrases containing one, as :func:`~analysis.models.topic_tables.topic_theme_shares`
    counts them); themes none of whose terms is in the vocabulary are left out."""
    words = {theme: [vocabulary[i] for i in theme_members(vocabulary, terms_by_theme.get(theme, set()))]
             for theme in themes}
    return {theme: found for theme, found in words.items() if found}


class SeededTopicModel:
    """One topic per theme of ``seed_words`` (theme -> its seed terms), seeded, and
    ``n_free_topics`` free topics after them; seeded by ``random_state``.

    After :meth:`fit`: ``topic_names_`` (the themes, then "free 1", ...), ``topic_term_`` (topics
    x the corpus's vocabulary) and ``doc_topic_`` (units x topics), rows summing to one, as
    :class:`~analysis.models.topics.TopicModel` has them, so the tables of
    :mod:`~analysis.models.topic_tables` read either; ``log_likelihood_``, the chain's
    log-likelihood per word every 10 iterations.
    """

    family = "seeded"

    def __init__(self, seed_words: dict[str, list[str]], n_free_topics: int = 3, seed_prior: float = 1.0,
                 alpha: float = 0.1, eta: float = 0.01, iterations: int = 1000, random_state: int = 0):
        self.seed_words = seed_words
        self.n_free_topics = n_free_topics
        self.seed_prior = seed_prior
        self.alpha = alpha
        self.eta = eta
        self.iterations = iterations
        self.random_state = random_state

    def fit(self, data: TopicCorpus) -> "SeededTopicModel":
        check_int("n_free_topics", self.n_free_topics, 0)
        check_int("iterations", self.iterations, 1)
        check_int("random_state", self.random_state, 0)
        for name in ("seed_prior", "alpha", "eta"):
            check_number(name, getattr(self, name), 0, exclusive_minimum=True)
        vocabulary = data.vocabulary
        known = set(vocabulary)
        if not self.seed_words:
            raise ParameterError("seed_words: no theme has a seed term in the model's vocabulary")
        for theme, words in self.seed_words.items():
            missing = [w for w in words if w not in known]
            if not words or missing:
                raise ParameterError(f"seed_words: theme {theme!r} has seed terms that are not in the vocabulary: "
                                     f"{missing or '(none given)'}")
        self.topic_names_ = list(self.seed_words) + [FREE_TOPIC.format(i) for i in range(1, self.n_free_topics + 1)]
        self.n_topics = len(self.topic_names_)
        tomotopy = import_tomotopy()
        model = tomotopy.LDAModel(k=self.n_topics, alpha=self.alpha, eta=self.eta, seed=self.random_state)
        priors: dict[str, dict[int, float]] = {}
        for topic, words in enumerate(self.seed_words.values()):
            for word in words:
                priors.setdefault(word, {j: self.eta / 100 for j in range(self.n_topics)})[topic] = self.seed_prior
        for word, prior in priors.items():
            model.set_word_prior(word, prior)
        add_units(model, data.term_matrix().tocsr(), vocabulary)
        self.log_likelihood_ = train(model, self.iterations, 1, f"seeded topics, seed {self.random_state}")
        self.topic_term_ = _normalise_rows(topic_term(model, vocabulary))
        self.doc_topic_ = _normalise_rows(doc_topic(model))
        return self


def _fit_one(data: TopicCorpus, words: dict[str, list[str]], seed: int, options: dict) -> SeededTopicModel:
    return SeededTopicModel(words, random_state=seed, **options).fit(data)


def fit_seeded_topics(data: TopicCorpus, words: dict[str, list[str]], seeds, n_jobs: int = 1,
                      **options) -> list[SeededTopicModel]:
    """One :class:`SeededTopicModel` per seed, in ``n_jobs`` processes (each fit is seeded and
    single-threaded, so the result does not depend on ``n_jobs``)."""
    seeds = list(seeds)
    if not seeds:
        raise ParameterError("seeds: give at least one seed")
    check_int("n_jobs", n_jobs, 1)
    if n_jobs == 1:
        fits = (_fit_one(data, words, seed, options) for seed in seeds)
    else:
        from joblib import Parallel, delayed

        fits = Parallel(n_jobs=n_jobs, return_as="generator")(delayed(_fit_one)(data, words, seed, options)
                                                               for seed in seeds)
    return list(track(fits, len(seeds), "seeded topic models", "fits"))


def _year_totals(weighted: np.ndarray, units: pd.DataFrame, n_boot: int, rng: np.random.Generator):
    """Per year: its topic totals (topics) and ``n_boot`` bootstrap replicates of them
    (replicates x topics), resampling the year's documents, or its units when it has one."""
    for year, rows in units.groupby("year", sort=True).indices.items():
        part = weighted[rows]
        documents = units["doc_id"].to_numpy()[rows]
        if len(set(documents)) > 1:
            part = pd.DataFrame(part).groupby(documents, sort=True).sum().to_numpy()
        draws = rng.multinomial(len(part), np.full(len(part), 1 / len(part)), size=n_boot)
        yield year, part.sum(axis=0), draws @ part


def seeded_prevalence(fits: list[SeededTopicModel], data: TopicCorpus, n_boot: int = 200, level: float = 0.95,
                      random_state: int = 0) -> pd.DataFrame:
    """:data:`PREVALENCE_COLUMNS`: per topic and year, the share of the year's modelled tokens
    in the topic (each unit's topic proportions weighted by its tokens) -- the mean over the
    fits of ``fits`` (one per seed) -- and the central ``level`` interval over every fit and
    ``n_boot`` bootstrap replicates of the year's documents (units, in a year of one
    document). ``theme`` is the theme a topic is seeded with (empty for a free topic)."""
    check_int("n_boot", n_boot, 1)
    check_number("level", level, 0, 1, exclusive_minimum=True)
    if not fits:
        raise ParameterError("fits: give at least one fitted seeded model")
    names = fits[0].topic_names_
    rng = np.random.default_rng(random_state)
    tokens = data.units["n_tokens"].to_numpy()[:, None]
    points, replicates = {}, {}
    for fit in fits:
        for year, total, boot in _year_totals(fit.doc_topic_ * tokens, data.units, n_boot, rng):
            points.setdefault(year, []).append(total / total.sum())
            replicates.setdefault(year, []).append(boot / boot.sum(axis=1, keepdims=True))
    tail = (1 - level) / 2
    rows = []
    for year in sorted(points):
        point = np.mean(points[year], axis=0)
        pooled = np.concatenate(replicates[year])
        lower, upper = np.quantile(pooled, [tail, 1 - tail], axis=0)
        for topic, name in enumerate(names):
            rows.append((topic + 1, name if topic < len(fits[0].seed_words) else "", int(year), float(point[topic]),
                         float(lower[topic]), float(upper[topic]), level, len(fits), len(pooled)))
    return pd.DataFrame(rows, columns=PREVALENCE_COLUMNS).sort_values(["topic", "year"], ignore_index=True)


def seeded_terms_table(fits: list[SeededTopicModel], vocabulary: list[str], n_terms: int = 10) -> pd.DataFrame:
    """``topic, name, seed, rank, term, weight, is_seed``: each topic's ``n_terms`` heaviest
    terms in every fit, and whether the term is one of the topic's seed words."""
    rows = []
    for fit in fits:
        seeds = list(fit.seed_words.values())
        order = np.argsort(-fit.topic_term_, axis=1, kind="stable")[:, :n_terms]
        for topic, name in enumerate(fit.topic_names_):
            own = set(seeds[topic]) if topic < len(seeds) else set()
            rows += [(topic + 1, name, fit.random_state, rank, vocabulary[i], float(fit.topic_term_[topic, i]),
                      vocabulary[i] in own) for rank, i in enumerate(order[topic], 1)]
    return pd.DataFrame(rows, columns=["topic", "name", "seed", "rank", "term", "weight", "is_seed"])


def anchored_themes(terms: pd.DataFrame) -> list[str]:
    """The themes of :func:`seeded_terms_table` whose topic has one of its seed terms among its
    top terms in every fit: only their topics stand for the theme."""
    n_fits = terms["seed"].nunique()
    fits_with_seed = terms[terms["is_seed"]].groupby("name", sort=False)["seed"].nunique()
    return [name for name in dict.fromkeys(terms["name"]) if fits_with_seed.get(name, 0) == n_fits]


def seeded_findings(prevalence: pd.DataFrame, terms: pd.DataFrame, labels: dict[str, str], themes: list[str]) -> list[str]:
    """A sentence per theme of ``themes`` from :func:`seeded_prevalence` and
    :func:`seeded_terms_table`: whether its topic is anchored by its seeds (one of them among the
    topic's top terms in every fit) and, if so, the topic's share of the text in the first and
    last year and at its peak, each with its band. A topic whose seeds are not among its top
    terms is some other subject that happens to carry the theme's name: its share is not given."""
    lines = []
    n_fits = terms["seed"].nunique()
    n_terms = int(terms["rank"].max())
    for theme in themes:
        name = labels.get(theme, theme)
        part = prevalence[prevalence["theme"] == theme].sort_values("year")
        if part.empty:
            lines.append(f"{name}: none of its terms is in the model's vocabulary, so it has no seeded topic.")
            continue
        if theme not in anchored_themes(terms):
            anchored = terms.loc[(terms["name"] == theme) & terms["is_seed"], "seed"].nunique()
            top = terms[(terms["name"] == theme) & (terms["seed"] == terms["seed"].min())].sort_values("rank")
            lines.append(f"{name}: its seed terms are among its topic's top {n_terms} terms in {anchored} of {n_fits} "
                         f"fits, so the topic is not the theme (its top terms: {', '.join(top['term'].head(5))}) "
                         "and its share is not reported.")
            continue
        first, last = part.iloc[0], part.iloc[-1]
        peak = part.loc[part["share"].idxmax()]

        def shown(row) -> str:
            return f"{row['share']:.1%} in {int(row['year'])} (band {row['lower']:.1%}–{row['upper']:.1%})"

        overlap = first["upper"] >= last["lower"] and last["upper"] >= first["lower"]
        top = terms[(terms["name"] == theme) & (terms["seed"] == terms["seed"].min())].sort_values("rank")
        lines.append(f"{name}: its seeded topic (top terms: {', '.join(top['term'].head(5))}) holds {shown(first)} "
                     f"and {shown(last)}, peaking at {shown(peak)}; the first and last years' bands "
                     f"{'overlap' if overlap else 'do not overlap'}. This is the share of the topic, which holds "
                     "every word drawn to it, not of the theme's own words.")
    return lines
