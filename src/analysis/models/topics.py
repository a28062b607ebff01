"""Topic models fitted on the project's shared tokens: LDA and NMF over a grid of K and seeds.

The pipeline, each step a function:

1. :func:`topic_corpus` -- the modelling units (paragraphs by default, or documents) with their
   counts from the corpus index (:meth:`~analysis.index.corpus_index.CorpusIndex.dfm`), pruned by
   document frequency; units left with fewer than ``min_tokens`` tokens (headings) are set aside.
2. :class:`TopicModel` -- ``family="lda"`` (``engine="gensim"``: gensim ``LdaModel``, single
   process, as gensim's ``LdaMulticore`` is not reproducible with a fixed seed, gensim issue 3218;
   ``engine="tomotopy"``: collapsed Gibbs sampling, :mod:`analysis.models.gibbs`) or ``"nmf"``
   (scikit-learn ``NMF`` on TF-IDF, random initialisation so that the seed matters), fitted with
   ``random_state``; it keeps the topic-term and unit-topic matrices, rows summing to one.
3. :func:`fit_topic_grid` fits every family x K x seed, in ``n_jobs`` processes.
4. :func:`topic_model_selection` scores each fit by coherence (c_v and c_npmi, as gensim's
   ``CoherenceModel`` defines them, see :mod:`analysis.models.coherence`) and topic diversity;
   :func:`topic_stability` matches topics across seeds (Hungarian matching on the
   cosine similarity of topic-term vectors) and picks the most representative seed;
   :func:`choose_n_topics` applies the documented selection rule (one standard error over
   seeds) and :func:`k_by_score` gives the K every score would pick.
5. :func:`dynamic_topic_terms` -- a dynamic topic model (tomotopy ``DTModel``) over yearly slices;
   :func:`dynamic_topic_changes` says whether, and which, top terms change.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import cached_property
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linear_sum_assignment

from ..checks import check_choice, check_int, check_number
from ..errors import ParameterError
from ..index.corpus_index import CorpusIndex
from ..index.dfm import dfm_subset, dfm_trim
from ..progress import track
from ..text.tokens import Tokenizer
from .coherence import topic_coherence

UNITS = ("paragraph", "document")
PARAGRAPH_JOIN = "\n\n"  # between a document unit's paragraphs, which are single lines (segment_text)
FAMILIES = ("lda", "nmf")
LDA_ENGINES = ("gensim", "tomotopy")
DYNAMIC_COLUMNS = ["topic", "year", "term", "rank", "weight"]
DYNAMIC_SETTINGS = {"phi_var": 0.01, "lr_a": 0.1}  # tomotopy DTModel: yearly drift variance, step size
STABILITY_COLUMNS = ["model", "k", "stability", "min_pair_similarity", "representative_seed"]


@dataclass
class TopicCorpus:
    """The units a topic model sees, their counts and the pruned vocabulary.

    The counts are a sparse matrix (units x vocabulary); gensim's bag-of-words lists and
    dictionary, which hold a Python tuple per count (about 1 GB on the UN corpus), are made only
    when a gensim model asks for them."""

    units: pd.DataFrame  # unit_id, doc_id, year, text, n_tokens (tokens in the vocabulary)
    counts: sparse.csr_matrix
    vocabulary: list[str]
    excluded: pd.DataFrame  # units set aside: too few tokens left
    tokenizer: Tokenizer | None = None  # gives the token order, which only coherence needs

    @cached_property
    def tokens(self) -> list[list[str]]:
        """Each unit's tokens in order, only those in the vocabulary: the sliding windows of
        coherence need the order, which the corpus index does not keep, so the units' cleaned
        text is tokenized here, once, and only when a coherence score asks for it."""
        known = set(self.vocabulary)
        paragraphs = [text.split(PARAGRAPH_JOIN) for text in self.units["text"]]  # a phrase never spans two
        tokens = iter(self.tokenizer.transform([p for unit in paragraphs for p in unit]))
        return [[t for _ in unit for t in next(tokens) if t in known] for unit in paragraphs]

    @cached_property
    def bow(self) -> list[list[tuple[int, int]]]:
        """gensim's bag of words: per unit, ``(term id, count)`` pairs."""
        counts = self.counts
        return [list(zip(counts.indices[a:b].tolist(), counts.data[a:b].astype(int).tolist()))
                for a, b in zip(counts.indptr[:-1], counts.indptr[1:])]

    @cached_property
    def dictionary(self):
        """gensim's ``Dictionary`` of the vocabulary (ids are column numbers)."""
        from gensim.corpora import Dictionary

        return Dictionary.from_corpus(self.bow, id2word=dict(enumerate(self.vocabulary)))

    def term_matrix(self) -> sparse.csr_matrix:
        """Units x vocabulary counts."""
        return self.counts.astype(np.float64)


def modelling_units(parts: pd.DataFrame, unit: str = "paragraph") -> pd.DataFrame:
    """``unit_id, doc_id, year, text`` from the paragraphs of a corpus index: the paragraphs
    themselves, or whole documents (their paragraphs joined)."""
    check_choice("unit", unit, UNITS)
    if unit == "paragraph":
        return parts.rename(columns={"paragraph_id": "unit_id"})[["unit_id", "doc_id", "year", "text"]]
    joined = parts.groupby("doc_id", sort=False).agg(year=("year", "first"), text=("text", PARAGRAPH_JOIN.join))
    joined = joined.reset_index()
    joined.insert(0, "unit_id", joined["doc_id"])
    return joined


def sample_by_year(corpus: pd.DataFrame, per_year: int | None, random_state: int = 0) -> pd.DataFrame:
    """At most ``per_year`` documents of each year, drawn at random (seeded); None keeps all.
    The corpus order (by date) is kept."""
    if per_year is None:
        return corpus
    check_int("per_year", per_year, 1)
    rng = np.random.default_rng(random_state)
    keep = []
    for _, rows in corpus.groupby("year", sort=True):
        index = rows.index.to_numpy()
        keep.extend(index if len(index) <= per_year else rng.choice(index, per_year, replace=False))
    return corpus.loc[sorted(keep)]


def topic_corpus(index: CorpusIndex, tokenizer: Tokenizer, unit: str = "paragraph", doc_ids=None, min_df: int = 2,
                 max_df: float = 0.5, min_tokens: int = 5) -> TopicCorpus:
    """The units a topic model sees (``unit``: paragraphs or whole documents, of the documents
    ``doc_ids`` or all), with their counts from the corpus index under ``tokenizer``.

    Terms in fewer than ``min_df`` units or in more than a share ``max_df`` of them are dropped
    (:func:`~analysis.index.dfm.dfm_trim`); units then left with fewer than ``min_tokens`` tokens
    are set aside in ``excluded``. The units' token sequences, which only coherence needs, are
    made from ``tokenizer`` when first asked for (:attr:`TopicCorpus.tokens`); their counts equal
    the index's (``tests/test_index.py``).
    """
    check_int("min_df", min_df, 1)
    check_int("min_tokens", min_tokens, 1)
    check_number("max_df", max_df, 0, 1, exclusive_minimum=True)
    x = index.dfm(unit, tokenizer)
    units = modelling_units(index.paragraphs, unit)
    units = units.set_index("unit_id").loc[x.docvars["paragraph_id" if unit == "paragraph" else "doc_id"]].reset_index()
    if doc_ids is not None:
        chosen = units["doc_id"].isin(set(doc_ids)).to_numpy()
        x, units = dfm_subset(x, chosen), units[chosen].reset_index(drop=True)
    trimmed = dfm_trim(x, min_df=min_df, max_df=max_df)
    lengths = trimmed.row_tokens()
    kept = lengths >= min_tokens
    if kept.sum() < 2:
        raise ParameterError(f"min_df={min_df}, max_df={max_df}, min_tokens={min_tokens}: "
                             f"only {int(kept.sum())} of {len(units)} units keep enough tokens to model")
    matrix = sparse.csr_matrix(trimmed.matrix[np.flatnonzero(kept)], dtype=np.int64)
    matrix.sort_indices()
    frame = units[kept].reset_index(drop=True).assign(n_tokens=lengths[kept])
    return TopicCorpus(units=frame, counts=matrix, vocabulary=trimmed.features.tolist(), tokenizer=tokenizer,
                       excluded=units[~kept].reset_index(drop=True).assign(n_tokens=lengths[~kept]))


def check_n_topics(name: str, values, data: TopicCorpus) -> None:
    """Every K must be at least 2 and below both the number of units and of terms."""
    limit = min(len(data.units), len(data.vocabulary)) - 1
    for value in values:
        try:
            check_int(name, value, 2, limit)
        except ParameterError:
            raise ParameterError(f"{name}: {value!r} topics is impossible here; K must be a whole number from 2 to "
                                 f"{limit} ({len(data.units)} units, {len(data.vocabulary)} terms)") from None


def _normalise_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to sum to one; an all-zero row becomes uniform (the unit has no evidence)."""
    matrix = np.asarray(matrix, dtype=np.float64)
    totals = matrix.sum(axis=1, keepdims=True)
    uniform = np.full(matrix.shape[1], 1 / matrix.shape[1])
    return np.where(totals > 0, matrix / np.where(totals > 0, totals, 1), uniform)


class TopicModel:
    """One topic model: ``family`` "lda" or "nmf", ``n_topics`` topics, seeded by ``random_state``.

    After :meth:`fit`, ``topic_term_`` (K x vocabulary) and ``doc_topic_`` (units x K) hold
    row-normalised weights: for LDA the topic-word distributions and the units' inferred topic
    proportions; for NMF the factor matrices H and W scaled to sum to one.

    ``engine`` fits LDA with gensim (``passes`` and ``iterations``: the corpus is read in batches of
    up to 2,000 units) or tomotopy (``gibbs_iterations`` sweeps on one thread, with ``alpha``
    0.1 and ``eta`` 0.01, its log-likelihood per word every 10 sweeps in ``log_likelihood_``);
    ``max_iter`` is NMF's.
    """

    def __init__(self, family: str = "lda", n_topics: int = 8, random_state: int = 0, passes: int = 10,
                 iterations: int = 100, max_iter: int = 1000, engine: str = "gensim", gibbs_iterations: int = 200):
        self.family = family
        self.n_topics = n_topics
        self.random_state = random_state
        self.passes = passes
        self.iterations = iterations
        self.max_iter = max_iter
        self.engine = engine
        self.gibbs_iterations = gibbs_iterations

    def fit(self, data: TopicCorpus) -> "TopicModel":
        check_choice("family", self.family, FAMILIES)
        check_choice("engine", self.engine, LDA_ENGINES)
        check_int("random_state", self.random_state, 0)
        for name in ("passes", "iterations", "max_iter", "gibbs_iterations"):
            check_int(name, getattr(self, name), 1)
        check_n_topics("n_topics", [self.n_topics], data)
        if self.family == "nmf":
            fit = self._fit_nmf
        else:
            fit = self._fit_gensim_lda if self.engine == "gensim" else self._fit_tomotopy_lda
        topic_term, doc_topic = fit(data)
        self.topic_term_ = _normalise_rows(topic_term)
        self.doc_topic_ = _normalise_rows(doc_topic)
        return self

    def _fit_tomotopy_lda(self, data: TopicCorpus):
        from . import gibbs

        model = gibbs.import_tomotopy().LDAModel(k=self.n_topics, alpha=0.1, eta=0.01, seed=self.random_state)
        gibbs.add_units(model, data.term_matrix(), data.vocabulary)
        self.log_likelihood_ = gibbs.train(model, self.gibbs_iterations, 1,
                                           f"LDA, K = {self.n_topics}, seed {self.random_state}")
        return gibbs.topic_term(model, data.vocabulary), gibbs.doc_topic(model)

    def _fit_gensim_lda(self, data: TopicCorpus):
        from gensim.models import LdaModel

        model = LdaModel(data.bow, num_topics=self.n_topics, id2word=data.dictionary,
                         random_state=self.random_state, passes=self.passes, iterations=self.iterations,
                         chunksize=min(len(data.bow), 2000), eval_every=None)
        gamma, _ = model.inference(data.bow)
        return model.get_topics(), gamma

    def _fit_nmf(self, data: TopicCorpus):
        from sklearn.decomposition import NMF
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.feature_extraction.text import TfidfTransformer

        tfidf = TfidfTransformer().fit_transform(data.term_matrix())
        model = NMF(n_components=self.n_topics, init="random", random_state=self.random_state, max_iter=self.max_iter)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            doc_topic = model.fit_transform(tfidf)
        return model.components_, doc_topic


def _fit_one(data: TopicCorpus, family: str, n_topics: int, seed: int, options: dict) -> TopicModel:
    return TopicModel(family, n_topics, random_state=seed, **options).fit(data)


def fit_topic_grid(data: TopicCorpus, families=FAMILIES, n_topics_grid=range(4, 13), seeds=(0, 1, 2, 3, 4),
                   n_jobs: int = 1, **options) -> list[TopicModel]:
    """Every family x K x seed, ordered so; fitted in ``n_jobs`` processes (each fit is seeded,
    so the result does not depend on ``n_jobs``). ``options`` go to :class:`TopicModel`."""
    families, grid, seeds = list(families), list(n_topics_grid), list(seeds)
    for family in families:
        if family not in FAMILIES:
            raise ParameterError(f"families: {family!r} is not a model family; choose from 'lda', 'nmf'")
    if not families or not grid or not seeds:
        raise ParameterError("families, n_topics_grid and seeds must each name at least one value")
    check_n_topics("n_topics_grid", grid, data)
    check_int("n_jobs", n_jobs, 1)
    jobs = [(f, k, s) for f in families for k in grid for s in seeds]
    return _fit_all(data, jobs, options, n_jobs, "topic grid")


def _fit_all(data: TopicCorpus, jobs: list[tuple], options: dict, n_jobs: int, desc: str) -> list[TopicModel]:
    """``(family, K, seed)`` fits in order, in ``n_jobs`` processes, counted on a progress bar."""
    if n_jobs == 1:
        fits = (_fit_one(data, f, k, s, options) for f, k, s in jobs)
    else:
        from joblib import Parallel, delayed

        fits = Parallel(n_jobs=n_jobs, return_as="generator")(delayed(_fit_one)(data, f, k, s, options)
                                                               for f, k, s in jobs)
    return list(track(fits, len(jobs), desc, "fits"))


def fit_chosen_models(data: TopicCorpus, chosen: dict[str, int], stability: pd.DataFrame, n_jobs: int = 1,
                      **options) -> dict[str, TopicModel]:
    """Per family, the K ``chosen`` (from a grid fitted on a sample) fitted on ``data`` -- every
    unit -- with the grid's representative seed for that K, in ``n_jobs`` processes."""
    check_n_topics("n_topics", list(chosen.values()), data)
    check_int("n_jobs", n_jobs, 1)
    seeds = stability.set_index(["model", "k"])["representative_seed"]
    jobs = [(family, k, int(seeds[(family, k)])) for family, k in chosen.items()]
    return dict(zip(chosen, _fit_all(data, jobs, options, n_jobs, "chosen models on every unit")))


CONVERGENCE_COLUMNS = ["model", "k", "seed", "iteration", "ll_per_word"]
SETTLED_CHANGE = 0.005  # a chain has settled when its last quarter changed the log-likelihood by less than 0.5 %


def convergence_table(models) -> pd.DataFrame:
    """:data:`CONVERGENCE_COLUMNS`: the log-likelihood per word every 10 iterations of each
    Gibbs-sampled model of ``models`` (a dict or a list; variational LDA and NMF keep no trace)."""
    models = list(models.values()) if isinstance(models, dict) else list(models)
    rows = [(m.family, m.n_topics, m.random_state, i, ll) for m in models for i, ll in getattr(m, "log_likelihood_", [])]
    return pd.DataFrame(rows, columns=CONVERGENCE_COLUMNS)


def fitting_finding(on_sample: bool, n_units: int, unit: str) -> str:
    """Which units the models shown were fitted on: all of them, or all of them after a K grid
    explored on a sample."""
    where = f"all {n_units:,} {unit}s"
    return (f"The K grid was fitted on a sample; the chosen models were then fitted on {where}." if on_sample
            else f"The models were fitted on {where}.")


def convergence_findings(table: pd.DataFrame) -> list[str]:
    """Per traced chain of :func:`convergence_table`, how much its log-likelihood per word still
    moved over the last quarter of its iterations."""
    lines = []
    for (family, k, seed), trace in table.groupby(["model", "k", "seed"], sort=False):
        last, iterations = trace["ll_per_word"].iloc[-1], int(trace["iteration"].iloc[-1])
        earlier = trace[trace["iteration"] <= 0.75 * iterations]
        if earlier.empty:
            lines.append(f"{family.upper()} (K = {k}, seed {seed}): {iterations} iterations, too few to judge convergence.")
            continue
        before, at = earlier["ll_per_word"].iloc[-1], int(earlier["iteration"].iloc[-1])
        change = abs(last - before) / abs(before)
        verdict = ("it has settled" if change < SETTLED_CHANGE
                   else "it is still moving: give it more iterations before reading its topics")
        lines.append(f"{family.upper()} (K = {k}, seed {seed}): log-likelihood per word {before:.4f} after {at} "
                     f"iterations and {last:.4f} after {iterations}, a change of {change:.2%}; {verdict}.")
    return lines


def top_term_ids(model: TopicModel, n_terms: int) -> np.ndarray:
    """Per topic, the ids of its ``n_terms`` heaviest terms (ties: lower id first)."""
    return np.argsort(-model.topic_term_, axis=1, kind="stable")[:, :n_terms]


def top_terms(model: TopicModel, vocabulary: list[str], n_terms: int = 10) -> list[list[str]]:
    return [[vocabulary[i] for i in row] for row in top_term_ids(model, n_terms)]


def topic_diversity(topics: list[list[str]]) -> float:
    """Share of distinct words among the top words of all topics (Dieng et al. 2020)."""
    words = [w for topic in topics for w in topic]
    return len(set(words)) / len(words)


def topic_model_selection(models: list[TopicModel], data: TopicCorpus, n_terms: int = 10) -> pd.DataFrame:
    """``model, k, seed, c_v, c_npmi, diversity`` (and ``undefined_c_v``: topics with NaN c_v)
    per fitted model, from each topic's ``n_terms`` top terms."""
    vocabulary = data.vocabulary
    topics = [top_terms(m, vocabulary, n_terms) for m in models]
    c_v = topic_coherence(topics, data.tokens, "c_v")
    c_npmi = topic_coherence(topics, data.tokens, "c_npmi")
    return pd.DataFrame({
        "model": [m.family for m in models], "k": [m.n_topics for m in models],
        "seed": [m.random_state for m in models],
        "c_v": [score for score, _ in c_v], "c_npmi": [score for score, _ in c_npmi],
        "diversity": [topic_diversity(t) for t in topics],
        "undefined_c_v": [undefined for _, undefined in c_v],
    })


def cosine_similarity_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return a @ b.T


def matched_topics(a: TopicModel, b: TopicModel) -> tuple[np.ndarray, np.ndarray]:
    """The one-to-one pairing of ``a``'s topics with ``b``'s that maximises the summed cosine
    similarity of their topic-term vectors (Hungarian algorithm): ``(b_index_per_a_topic,
    similarity)``."""
    similarity = cosine_similarity_rows(a.topic_term_, b.topic_term_)
    rows, columns = linear_sum_assignment(similarity, maximize=True)
    return columns[np.argsort(rows)], similarity[rows, columns][np.argsort(rows)]


def topic_stability(models: list[TopicModel]) -> pd.DataFrame:
    """Per family and K: the mean matched topic similarity over all pairs of seeds, the lowest
    pair, and the representative seed -- the fit most similar on average to the others (ties:
    the smaller seed)."""
    rows = []
    groups: dict[tuple[str, int], list[TopicModel]] = {}
    for model in models:
        groups.setdefault((model.family, model.n_topics), []).append(model)
    for (family, k), fits in groups.items():
        fits = sorted(fits, key=lambda m: m.random_state)
        n = len(fits)
        pair = np.eye(n)
        for i, j in combinations(range(n), 2):
            pair[i, j] = pair[j, i] = matched_topics(fits[i], fits[j])[1].mean()
        if n == 1:
            stability, lowest, representative = float("nan"), float("nan"), fits[0].random_state
        else:
            off_diagonal = pair[~np.eye(n, dtype=bool)]
            mean_to_others = (pair.sum(axis=1) - 1) / (n - 1)
            stability, lowest = float(off_diagonal.mean()), float(off_diagonal.min())
            representative = fits[int(np.argmax(mean_to_others))].random_state
        rows.append((family, k, stability, lowest, representative))
    return pd.DataFrame(rows, columns=STABILITY_COLUMNS)


SCORES = ("c_npmi", "c_v", "diversity", "stability")
K_CHOICE_COLUMNS = ["model", "score", "best_k", "best_mean", "best_se", "one_se_k", "at_edge"]


def _score_by_k(selection: pd.DataFrame, stability: pd.DataFrame) -> pd.DataFrame:
    """``model, k, score, mean, se, n``: each score's mean over seeds per family and K with its
    standard error (standard deviation over seeds / sqrt(seeds); 0 for one seed). Stability
    is one number per K (over all pairs of seeds), its spread the pairs' range."""
    long = selection.melt(id_vars=["model", "k"], value_vars=["c_npmi", "c_v", "diversity"], var_name="score")
    grouped = long.groupby(["model", "score", "k"], sort=False)["value"]
    table = grouped.agg(mean="mean", sd=lambda v: v.std(ddof=1) if len(v) > 1 else 0.0, n="count").reset_index()
    table["se"] = table["sd"] / np.sqrt(table["n"])
    stable = stability.assign(score="stability", mean=stability["stability"], se=0.0, n=1)
    return pd.concat([table[["model", "score", "k", "mean", "se", "n"]], stable[["model", "score", "k", "mean", "se", "n"]]],
                     ignore_index=True)


def _one_se_pick(rows: pd.DataFrame) -> tuple[pd.Series, int]:
    """The best K by mean and the smallest K whose mean is within one standard error of it
    (Breiman et al. 1984; Hastie et al., ESL 7.10): simpler models unless the data say otherwise."""
    rows = rows.sort_values("k")
    best = rows.loc[rows["mean"].idxmax()]
    within = rows[rows["mean"] >= best["mean"] - best["se"]]
    return best, int(within["k"].min())


def selection_summary(selection: pd.DataFrame, stability: pd.DataFrame) -> pd.DataFrame:
    """Per family and K: the mean and standard error over seeds of c_v, c_npmi and diversity,
    beside the stability of that K (the numbers the rule for K reads)."""
    scores = selection.groupby(["model", "k"])[["c_v", "c_npmi", "diversity"]].agg(["mean", "sem"])
    scores.columns = [f"{score} {stat}" for score, stat in scores.columns]
    return scores.join(stability.set_index(["model", "k"]))


def k_by_score(selection: pd.DataFrame, stability: pd.DataFrame) -> pd.DataFrame:
    """:data:`K_CHOICE_COLUMNS`: for every family and score (c_npmi, c_v, diversity, stability),
    the K with the best mean over seeds, its mean and standard error, the smallest K within one
    standard error of it, and whether that K sits at an edge of the grid tried ("lower",
    "upper" or "")."""
    table = _score_by_k(selection, stability)
    rows = []
    for family in dict.fromkeys(selection["model"]):
        grid = sorted(set(selection.loc[selection["model"] == family, "k"]))
        for score in SCORES:
            best, one_se = _one_se_pick(table[(table["model"] == family) & (table["score"] == score)])
            edge = "lower" if one_se == grid[0] and len(grid) > 1 else "upper" if one_se == grid[-1] and len(grid) > 1 else ""
            rows.append((family, score, int(best["k"]), float(best["mean"]), float(best["se"]), one_se, edge))
    return pd.DataFrame(rows, columns=K_CHOICE_COLUMNS)


def choose_n_topics(selection: pd.DataFrame, stability: pd.DataFrame, min_stability: float = 0.7,
                    n_topics=None) -> dict[str, int]:
    """K per family by the project's rule, unless ``n_topics`` (a number, or ``{"lda": k,
    "nmf": k}``) overrides it.

    Rule: among the K whose topics are stable across seeds (mean matched similarity at least
    ``min_stability``), take the K with the highest mean c_npmi over seeds, then choose the
    smallest stable K whose mean c_npmi is within one standard error (over seeds) of that best
    mean: a difference smaller than the seeds' own spread does not justify more topics. If no K
    is that stable, the most stable K. c_npmi rather than c_v, because c_v can rate topics of
    unrelated words highly (:func:`k_by_score` gives the K every score would pick).
    """
    check_number("min_stability", min_stability, 0, 1)
    families = list(dict.fromkeys(selection["model"]))
    if n_topics is not None:
        chosen = n_topics if isinstance(n_topics, dict) else {f: n_topics for f in families}
        unknown = sorted(set(chosen) - set(families))
        missing = [f for f in families if f not in chosen]
        if unknown or missing:
            raise ParameterError(f"n_topics={n_topics!r}: give a number or one K for each of {families}")
        for family, k in chosen.items():
            if k not in set(selection.loc[selection["model"] == family, "k"]):
                raise ParameterError(f"n_topics={n_topics!r}: K={k!r} for {family} is not in n_topics_grid")
        return {f: int(chosen[f]) for f in families}
    scores = _score_by_k(selection, stability)
    coherence = scores[scores["score"] == "c_npmi"].merge(stability, on=["model", "k"])
    chosen = {}
    for family in families:
        rows = coherence[coherence["model"] == family].sort_values("k")
        stable = rows[rows["stability"] >= min_stability]
        chosen[family] = (_one_se_pick(stable)[1] if len(stable)
                          else int(rows.loc[rows["stability"].idxmax(), "k"]))
    return chosen


def k_choice_findings(choices: pd.DataFrame, chosen: dict[str, int], grid, set_by_user: bool) -> list[str]:
    """A sentence per family from :func:`k_by_score` and the K chosen: the K, how (rule or
    ``n_topics``), whether it sits at an edge of ``grid``, and the K each score would pick."""
    grid = sorted(grid)
    lines = []
    for family, k in chosen.items():
        rows = choices[choices["model"] == family].set_index("score")
        text = f"{family.upper()}: K = {k} ({'set by `n_topics`' if set_by_user else 'by the rule'})"
        if len(grid) > 1 and k in (grid[0], grid[-1]):
            text += (f", at the {'lower' if k == grid[0] else 'upper'} edge of the grid tried: a K beyond it was "
                     "not tried, so widen `n_topics_grid` before reading much into it")
        picks = "; ".join(
            f"{score} {int(row.best_k)} (mean {row.best_mean:.4f} ± {row.best_se:.4f}), "
            f"{int(row.one_se_k)} within one standard error" for score, row in rows.iterrows())
        lines.append(f"{text}. Best K by each score: {picks}.")
    return lines


def representative_model(models: list[TopicModel], stability: pd.DataFrame, family: str, k: int) -> TopicModel:
    """The fit of ``family`` with ``k`` topics from the representative seed."""
    row = stability[(stability["model"] == family) & (stability["k"] == k)]
    seed = int(row["representative_seed"].iloc[0])
    return next(m for m in models if (m.family, m.n_topics, m.random_state) == (family, k, seed))


def dynamic_topic_terms(data: TopicCorpus, n_topics: int, random_state: int = 0, n_terms: int = 10,
                        iterations: int = 200, period_length: int = 1) -> pd.DataFrame:
    """A dynamic topic model (Blei & Lafferty 2006) over yearly time slices, fitted by Gibbs
    sampling (tomotopy ``DTModel``, ``iterations`` sweeps on one thread; 50x faster than gensim's
    ``LdaSeqModel`` on the same data, README). Its defaults let a topic's words jump so far
    from one year to the next that topics trade places (seen on planted data); a smaller variance
    of the yearly drift (:data:`DYNAMIC_SETTINGS`) keeps each topic itself while its words shift.
    Returns ``topic, year, term, rank, weight`` for every term
    among a topic's ``n_terms`` top terms in some year, with its rank and weight in every year,
    so a reader sees the words shift. Topics are numbered from 1 and are this model's own, not the
    LDA topics of the other tables. With ``period_length`` > 1 a time slice is that many years
    from the first year (``year`` is then the slice's first year): a few documents a year make
    noisy yearly slices."""
    from . import gibbs

    check_n_topics("n_topics", [n_topics], data)
    check_int("iterations", iterations, 1)
    check_int("period_length", period_length, 1)
    first = int(data.units["year"].min())
    unit_years = first + (data.units["year"].to_numpy() - first) // period_length * period_length
    years = np.unique(unit_years)
    if len(years) < 2:
        raise ParameterError(f"dynamic_topics: the units span one time slice of {period_length} year(s); a dynamic "
                             "model needs two or more")
    model = gibbs.import_tomotopy().DTModel(k=n_topics, t=len(years), seed=random_state, **DYNAMIC_SETTINGS)
    gibbs.add_units(model, data.term_matrix(), data.vocabulary, timepoints=np.searchsorted(years, unit_years))
    gibbs.train(model, iterations, 1, f"dynamic topics, K = {n_topics}")
    vocabulary = np.array(data.vocabulary)
    rows = []
    for topic in range(n_topics):
        weights = np.stack([gibbs.topic_term(model, data.vocabulary, timepoint=t)[topic] for t in range(len(years))],
                           axis=1)  # vocabulary x years
        weights /= weights.sum(axis=0, keepdims=True)
        ranks = np.argsort(np.argsort(-weights, axis=0, kind="stable"), axis=0, kind="stable") + 1
        shown = np.flatnonzero((ranks <= n_terms).any(axis=1))
        rows += [(topic + 1, int(year), vocabulary[i], int(ranks[i, t]), float(weights[i, t]))
                 for t, year in enumerate(years) for i in shown]
    return pd.DataFrame(rows, columns=DYNAMIC_COLUMNS).sort_values(["topic", "year", "rank"], ignore_index=True)


DYNAMIC_CHANGE_COLUMNS = ["topic", "first_year", "last_year", "n_years", "years_changed", "entered", "left"]


def dynamic_topic_changes(evolution: pd.DataFrame, n_terms: int = 10) -> pd.DataFrame:
    """:data:`DYNAMIC_CHANGE_COLUMNS` from :func:`dynamic_topic_terms`: per topic, its years, the
    number of years whose ordered top ``n_terms`` differ from the year before, and the terms in the last
    year's top ``n_terms`` but not the first's (``entered``) and the reverse (``left``),
    space-separated in rank order."""
    check_int("n_terms", n_terms, 1)
    top = evolution[evolution["rank"] <= n_terms].sort_values(["topic", "year", "rank"])
    rows = []
    for topic, part in top.groupby("topic", sort=True):
        by_year = part.groupby("year", sort=True)["term"].agg(tuple)
        changed = sum(a != b for a, b in zip(by_year.iloc[:-1], by_year.iloc[1:]))
        first, last = by_year.iloc[0], by_year.iloc[-1]
        rows.append((int(topic), int(by_year.index[0]), int(by_year.index[-1]), len(by_year), int(changed),
                     " ".join(t for t in last if t not in first), " ".join(t for t in first if t not in last)))
    return pd.DataFrame(rows, columns=DYNAMIC_CHANGE_COLUMNS)


def dynamic_findings(changes: pd.DataFrame, n_terms: int) -> list[str]:
    """What changed in the dynamic model, from :func:`dynamic_topic_changes`: a sentence per
    topic whose top terms move, or one sentence saying that none do."""
    moving = changes[changes["years_changed"] > 0]
    if moving.empty:
        return [f"The dynamic model's top {n_terms} terms are the same, in the same order, in every year for all "
                f"{len(changes)} topics: it shows no change over time, so its table and figure are not shown."]
    lines = []
    for row in moving.itertuples():
        text = (f"Topic {row.topic}: its top {n_terms} terms change in {row.years_changed} of "
                f"{row.n_years - 1} steps from one time slice to the next")
        if row.entered or row.left:
            text += (f"; from {row.first_year} to {row.last_year}, {row.entered.replace(' ', ', ') or 'no term'} "
                     f"entered and {row.left.replace(' ', ', ') or 'no term'} left")
        else:
            text += f"; {row.first_year} and {row.last_year} have the same terms in another order"
        lines.append(text + ".")
    if len(moving) < len(changes):
        lines.append(f"The other {len(changes) - len(moving)} topic(s) keep the same top {n_terms} terms every year.")
    return lines
