"""Tables and the HTML browser of a chosen topic model (see :mod:`analysis.models.topics`).

Topics are numbered from 1 in every table, figure and in the browser, which is drawn with
pyLDAvis with ``sort_topics=False`` so that its numbers are the tables' numbers.
"""

from __future__ import annotations

import html
import re
import warnings
from importlib.resources import files

import numpy as np
import pandas as pd

from ..checks import check_int, check_number
from ..text.tokens import Tokenizer
from .topics import TopicCorpus, TopicModel, top_term_ids


def topic_labels(model: TopicModel, vocabulary: list[str], n_terms: int = 3) -> dict[int, str]:
    """A short label per topic: its number and top terms, "3: cybercrime / online / scam"."""
    return {topic: f"{topic}: " + " / ".join(vocabulary[i].replace("_", " ") for i in row)
            for topic, row in enumerate(top_term_ids(model, n_terms), 1)}


def topic_terms_table(model: TopicModel, vocabulary: list[str], n_terms: int = 10) -> pd.DataFrame:
    """``model, topic, rank, term, weight``: each topic's ``n_terms`` heaviest terms."""
    rows = [(model.family, topic, rank, vocabulary[i], model.topic_term_[topic - 1, i])
            for topic, row in enumerate(top_term_ids(model, n_terms), 1) for rank, i in enumerate(row, 1)]
    return pd.DataFrame(rows, columns=["model", "topic", "rank", "term", "weight"])


def doc_topics_table(model: TopicModel, data: TopicCorpus) -> pd.DataFrame:
    """``model, unit_id, doc_id, year, n_tokens, topic, share``: each unit's topic proportions
    (long form, one row per unit and topic) and its number of modelled tokens."""
    n_units, k = model.doc_topic_.shape
    units = data.units
    return pd.DataFrame({
        "model": model.family,
        "unit_id": np.repeat(units["unit_id"].to_numpy(), k),
        "doc_id": np.repeat(units["doc_id"].to_numpy(), k),
        "year": np.repeat(units["year"].to_numpy(), k),
        "n_tokens": np.repeat(units["n_tokens"].to_numpy(), k),
        "topic": np.tile(np.arange(1, k + 1), n_units),
        "share": model.doc_topic_.ravel(),
    })


def topic_prevalence(model: TopicModel, data: TopicCorpus, labels: dict[int, str]) -> pd.DataFrame:
    """``model, topic, label, year, share``: the share of a year's modelled tokens assigned to
    each topic -- each unit's topic proportions weighted by its number of tokens, pooled by year."""
    weighted = pd.DataFrame(model.doc_topic_ * data.units["n_tokens"].to_numpy()[:, None],
                            columns=range(1, model.n_topics + 1))
    by_year = weighted.groupby(data.units["year"].to_numpy()).sum()
    share = by_year.div(by_year.sum(axis=1), axis=0)
    long = share.stack().rename("share").reset_index()
    long.columns = ["year", "topic", "share"]
    long.insert(0, "model", model.family)
    long.insert(2, "label", long["topic"].map(labels))
    return long[["model", "topic", "label", "year", "share"]].sort_values(["topic", "year"], ignore_index=True)


def representative_units(model: TopicModel, data: TopicCorpus, labels: dict[int, str], n_units: int = 3) -> pd.DataFrame:
    """``model, topic, label, rank, unit_id, doc_id, year, share, text``: for each topic the
    ``n_units`` units with the highest proportion of it (ties: earlier unit first)."""
    rows = []
    for topic in range(model.n_topics):
        best = np.argsort(-model.doc_topic_[:, topic], kind="stable")[:n_units]
        for rank, i in enumerate(best, 1):
            unit = data.units.iloc[i]
            rows.append((model.family, topic + 1, labels[topic + 1], rank, unit["unit_id"], unit["doc_id"],
                         int(unit["year"]), model.doc_topic_[i, topic], unit["text"]))
    return pd.DataFrame(rows, columns=["model", "topic", "label", "rank", "unit_id", "doc_id", "year", "share", "text"])


def theme_terms(kwic: pd.DataFrame, tokenizer: Tokenizer) -> dict[str, set[str]]:
    """Per codebook theme, the tokens its matches become under ``tokenizer`` when a match
    becomes a single token ("scam compounds" -> ``scam_compound``, "cybercrimes" ->
    ``cybercrime``): the theme's vocabulary in the topic models' terms. A match that splits into
    several tokens (a phrase when phrases are not joined) adds nothing: its words ("illegal",
    "crime") do not name the theme alone. Derived from the keyword-in-context rows, so it follows
    the codebook and the token settings."""
    terms: dict[str, set[str]] = {theme: set() for theme in dict.fromkeys(kwic["theme"])}
    for theme, match in kwic[["theme", "match"]].drop_duplicates().itertuples(index=False):
        tokens = tokenizer.transform([match])[0]
        if len(tokens) == 1:
            terms[theme].add(tokens[0])
    return terms


def _belongs(term: str, terms: set[str]) -> bool:
    """A term carries a theme when it is one of its tokens or a learned phrase containing one
    (``cybercrime_convention``)."""
    return term in terms or any(part in terms for part in term.split("_"))


def topic_theme_shares(model: TopicModel, vocabulary: list[str], labels: dict[int, str],
                       terms_by_theme: dict[str, set[str]], themes: list[str]) -> pd.DataFrame:
    """``model, topic, label, theme, share, terms``: the share of each topic's term weight that
    falls on each theme's terms, and those terms in order of weight."""
    rows = []
    for theme in themes:
        members = np.array([_belongs(term, terms_by_theme.get(theme, set())) for term in vocabulary])
        ids = np.flatnonzero(members)
        for topic in range(model.n_topics):
            weights = model.topic_term_[topic, ids]
            ordered = ids[np.argsort(-weights, kind="stable")]
            rows.append((model.family, topic + 1, labels[topic + 1], theme, float(weights.sum()),
                         " ".join(vocabulary[i] for i in ordered[:5] if model.topic_term_[topic, i] > 0)))
    return pd.DataFrame(rows, columns=["model", "topic", "label", "theme", "share", "terms"])


def topic_browser_html(model: TopicModel, data: TopicCorpus, title: str, n_terms: int = 30) -> str:
    """A self-contained HTML page (pyLDAvis, its JavaScript and CSS inlined, so it opens from the
    file system without a network) to browse the topics of ``model``. Topic numbers are the
    tables' numbers (``sort_topics=False``, ``start_index=1``). Term lists are precomputed for
    relevance weights lambda = 0, 0.1, ..., 1 (``lambda_step=0.1``: ten times faster than the
    default 0.01, and the page recomputes relevance for any lambda from them)."""
    import pyLDAvis
    from pyLDAvis import urls

    with warnings.catch_warnings():  # log(0) for terms with no weight in a topic (NMF): harmless
        warnings.simplefilter("ignore", RuntimeWarning)
        prepared = pyLDAvis.prepare(
            model.topic_term_, model.doc_topic_, data.units["n_tokens"].to_numpy(), data.vocabulary,
            np.asarray(data.term_matrix().sum(axis=0)).ravel(), R=n_terms, lambda_step=0.1, sort_topics=False,
            start_index=1, n_jobs=1,
        )
    visid = f"topics_{model.family}"
    body = pyLDAvis.prepared_data_to_html(prepared, visid=visid, template_type="general")
    body = re.sub(r"<link rel=\"stylesheet\"[^>]*>", "", body, count=1)  # the CSS is inlined below
    inline = {name: (files("pyLDAvis") / "js" / name).read_text(encoding="utf-8")
              for name in ("d3.v5.min.js", f"ldavis.v{urls.JS_VERSION}.js", f"ldavis.v{urls.CSS_VERSION}.css")}
    css = inline.pop(f"ldavis.v{urls.CSS_VERSION}.css")
    scripts = "\n".join(f"<script>\n{source}\n</script>" for source in inline.values())
    heading = html.escape(title)
    return (f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{heading}</title>\n"
            f"<style>\n{css}\nbody {{ font-family: sans-serif; margin: 1em; }}\n</style>\n{scripts}\n</head>\n<body>\n"
            f"<h1>{heading}</h1>\n<p>Topics are numbered as in the report's tables. {model.n_topics} "
            f"topics; {len(data.units):,} units; {len(data.vocabulary):,} terms.</p>\n{body}\n</body>\n</html>\n")


THEME_TEST_COLUMNS = ["model", "topic", "label", "theme", "share", "terms", "null_mean", "null_p", "agreement",
                      "agreement_p"]


def theme_members(vocabulary: list[str], terms: set[str]) -> np.ndarray:
    """Ids of the vocabulary terms that carry a theme (:func:`_belongs`)."""
    return np.flatnonzero([_belongs(term, terms) for term in vocabulary])


def matched_random_terms(frequencies: np.ndarray, members: np.ndarray, n_draws: int, rng: np.random.Generator,
                         n_neighbours: int = 10) -> np.ndarray:
    """``n_draws`` x len(members) ids of random terms: each member is replaced by a term drawn
    from a pool of itself and the ``n_neighbours`` non-member terms nearest to it in corpus
    frequency. Term sets as frequent as the theme's, so that a topic's weight on them is what
    chance and frequency alone give; the member's own place in its pool makes the observed set
    one of the possible draws, so that (1 + draws at least as heavy) / (1 + draws) is a valid
    p-value even for a theme of one term (no smaller than about 1 / (n_neighbours + 1))."""
    by_frequency = np.argsort(frequencies, kind="stable")
    others = by_frequency[~np.isin(by_frequency, members)]
    rank_of = np.empty(len(frequencies), dtype=np.int64)
    rank_of[by_frequency] = np.arange(len(frequencies))
    width = min(n_neighbours, len(others))
    where = np.searchsorted(rank_of[others], rank_of[members])
    first = np.clip(where - width // 2, 0, len(others) - width)
    pick = rng.integers(0, width + 1, size=(n_draws, len(members)))
    neighbours = others[np.minimum(first[None, :] + pick, len(others) - 1)]
    return np.where(pick == width, members[None, :], neighbours)


def _ranks(values: np.ndarray) -> np.ndarray:
    from scipy.stats import rankdata

    return rankdata(values, axis=-1)


def _correlation(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Pearson correlation of ``x`` with each row of ``y`` (NaN when either is constant)."""
    x = x - x.mean()
    y = y - y.mean(axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (y @ x) / np.sqrt((x @ x) * (y * y).sum(axis=-1))


def yearly_theme_rates(data: TopicCorpus, terms_by_theme: dict[str, set[str]], themes: list[str]) -> pd.DataFrame:
    """Years x themes: the share of each year's modelled tokens that are the theme's terms."""
    matrix = data.term_matrix()
    years = data.units["year"].to_numpy()
    totals = pd.Series(np.asarray(matrix.sum(axis=1)).ravel()).groupby(years).sum()
    rates = {}
    for theme in themes:
        members = theme_members(data.vocabulary, terms_by_theme.get(theme, set()))
        counts = np.asarray(matrix[:, members].sum(axis=1)).ravel()
        rates[theme] = pd.Series(counts).groupby(years).sum() / totals
    return pd.DataFrame(rates, columns=themes)


def topic_theme_tests(model: TopicModel, data: TopicCorpus, labels: dict[int, str], terms_by_theme: dict[str, set[str]],
                      themes: list[str], n_draws: int = 1000, random_state: int = 0) -> pd.DataFrame:
    """:data:`THEME_TEST_COLUMNS`: for every topic and theme, the two tests :func:`carrying_topics`
    judges by.

    - ``share``, ``terms``: as :func:`topic_theme_shares`; ``null_mean`` is the topic's mean share on
      ``n_draws`` frequency-matched random term sets (:func:`matched_random_terms`) and ``null_p``
      the share of draws at least as heavy as the theme's terms (with the observed set counted
      in: (1 + hits) / (1 + draws));
    - ``agreement``: Spearman correlation over years between the topic's prevalence
      (:func:`topic_prevalence`) and the theme's rate (:func:`yearly_theme_rates`);
      ``agreement_p`` its one-sided permutation p-value (the years' rates shuffled ``n_draws``
      times; NaN when the theme's rate or the topic's prevalence does not vary).

    Every random draw comes from ``random_state``.
    """
    check_int("n_draws", n_draws, 1)
    check_int("random_state", random_state, 0)
    rng = np.random.default_rng(random_state)
    vocabulary = data.vocabulary
    shares = topic_theme_shares(model, vocabulary, labels, terms_by_theme, themes)
    frequencies = np.asarray(data.term_matrix().sum(axis=0)).ravel()
    prevalence = topic_prevalence(model, data, labels).pivot(index="year", columns="topic", values="share")
    rates = yearly_theme_rates(data, terms_by_theme, themes).loc[prevalence.index]
    prevalence_ranks = _ranks(prevalence.to_numpy().T)  # topics x years
    columns = {name: [] for name in ("null_mean", "null_p", "agreement", "agreement_p")}
    for theme in themes:
        members = theme_members(vocabulary, terms_by_theme.get(theme, set()))
        observed = model.topic_term_[:, members].sum(axis=1)
        if len(members):
            null = model.topic_term_[:, matched_random_terms(frequencies, members, n_draws, rng)].sum(axis=2)
            null_mean, null_p = null.mean(axis=1), (1 + (null >= observed[:, None] - 1e-12).sum(axis=1)) / (1 + n_draws)
        else:
            null_mean, null_p = np.zeros(model.n_topics), np.ones(model.n_topics)
        rate_ranks = _ranks(rates[theme].to_numpy())
        shuffled = _ranks(rng.permuted(np.tile(rates[theme].to_numpy(), (n_draws, 1)), axis=1))
        agreement = np.array([_correlation(rate_ranks, row[None, :])[0] for row in prevalence_ranks])
        permuted = np.array([_correlation(row, shuffled) for row in prevalence_ranks])  # topics x draws
        with np.errstate(invalid="ignore"):
            agreement_p = (1 + (permuted >= agreement[:, None] - 1e-12).sum(axis=1)) / (1 + n_draws)
        agreement_p = np.where(np.isnan(agreement), np.nan, agreement_p)
        for name, values in zip(columns, (null_mean, null_p, agreement, agreement_p)):
            columns[name].extend(values.tolist())
    return shares.assign(**columns)[THEME_TEST_COLUMNS]


def judge_topic_themes(tests: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """THE rule for "a topic carries a theme", applied to every row of :func:`topic_theme_tests`:
    ``carries`` is True when both tests say so --

    1. the topic's share on the theme's terms beats frequency-matched random term sets:
       ``null_p`` x K (Bonferroni over a model's K topics) at most ``alpha``; and
    2. over the years, the topic's prevalence rises and falls with the theme's rate:
       ``agreement`` positive with ``agreement_p`` x m at most ``alpha``, m the number of the
       model's topics that passed test 1 for the theme (Bonferroni over those tested).

    Adds ``null_p_adjusted``, ``agreement_p_adjusted`` and ``carries``."""
    check_number("alpha", alpha, 0, 1, exclusive_minimum=True)
    table = tests.copy()
    groups = table.groupby(["model", "theme"], sort=False)
    table["null_p_adjusted"] = np.minimum(1.0, table["null_p"] * groups["topic"].transform("size"))
    passed = table["null_p_adjusted"] <= alpha
    tested = passed.groupby([table["model"], table["theme"]], sort=False).transform("sum").clip(lower=1)
    table["agreement_p_adjusted"] = np.minimum(1.0, table["agreement_p"] * tested)
    table["carries"] = passed & (table["agreement"] > 0) & (table["agreement_p_adjusted"] <= alpha)
    return table


def carrying_topics(tests: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Per model and theme, the topic that carries it by :func:`judge_topic_themes` (if several
    do, the one with the largest share on its terms; ties: the lower topic number); themes that
    no topic carries have no row."""
    judged = judge_topic_themes(tests, alpha)
    order = {theme: i for i, theme in enumerate(dict.fromkeys(tests["theme"]))}
    best = (judged[judged["carries"]]
            .sort_values(["model", "theme", "share", "topic"], ascending=[True, True, False, True],
                         key=lambda c: c.map(order) if c.name == "theme" else c)
            .drop_duplicates(["model", "theme"]))
    return best.reset_index(drop=True)


def theme_carriers(tests: pd.DataFrame, prevalence: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """``model, theme, topic, label, theme_share, agreement, year, prevalence``: the
    :func:`carrying_topics` of each theme with its prevalence in every year -- which topic
    carries the theme, and when it rises."""
    best = carrying_topics(tests, alpha).rename(columns={"share": "theme_share"})
    table = best[["model", "theme", "topic", "label", "theme_share", "agreement"]].merge(
        prevalence[["model", "topic", "year", "share"]].rename(columns={"share": "prevalence"}), on=["model", "topic"])
    order = {theme: i for i, theme in enumerate(dict.fromkeys(tests["theme"]))}
    return table.sort_values(["model", "theme", "year"], key=lambda c: c.map(order) if c.name == "theme" else c,
                             ignore_index=True)


def weight_share(value: float) -> str:
    """A share of a topic's weight as a percentage: one decimal from 1 % up, two significant
    digits below (a rare theme's 0.02 % is not 0.0 %)."""
    return f"{value:.1%}" if value >= 0.01 or value == 0 else f"{value * 100:.2g}%"


def carrier_evidence(row) -> str:
    """The two tests behind "this topic carries the theme", in words (a row of
    :func:`judge_topic_themes`)."""
    return (f"{weight_share(row['share'])} of its weight on the theme's terms against "
            f"{weight_share(row['null_mean'])} for "
            f"frequency-matched random terms, adjusted p = {row['null_p_adjusted']:.3f}; its yearly share follows "
            f"the theme's rate, Spearman {row['agreement']:+.2f}, adjusted p = {row['agreement_p_adjusted']:.3f}")


def carrier_findings(judged: pd.DataFrame, labels: dict[str, str], alpha: float = 0.05) -> list[str]:
    """A sentence per model and theme from :func:`judge_topic_themes`: the topic that carries it
    and the evidence, or which test fails (``alpha`` as given to :func:`judge_topic_themes`)."""
    lines = []
    for (model, theme), part in judged.groupby(["model", "theme"], sort=False):
        name = labels.get(theme, theme)
        carriers = part[part["carries"]].sort_values(["share", "topic"], ascending=[False, True])
        if len(carriers):
            row = carriers.iloc[0]
            lines.append(f"{model.upper()}: {name} is carried by topic {row['label']} ({carrier_evidence(row)}).")
            continue
        if part["share"].max() == 0:
            lines.append(f"{model.upper()}: {name}: none of its terms is in the model's vocabulary, so no topic "
                         "can carry it.")
            continue
        reasons = []
        if not part["null_p_adjusted"].le(alpha).any():
            row = part.sort_values(["null_p_adjusted", "share", "topic"], ascending=[True, False, True]).iloc[0]
            reasons.append(f"no topic's weight on its terms beats matched random terms (best: topic {row['label']}, "
                           f"{weight_share(row['share'])} against {weight_share(row['null_mean'])}, adjusted p = "
                           f"{row['null_p_adjusted']:.3f})")
        else:
            passed = part[part["null_p_adjusted"] <= alpha]
            best = passed.sort_values("agreement", ascending=False, na_position="last").iloc[0]
            agreement = "undefined" if pd.isna(best["agreement"]) else f"{best['agreement']:+.2f}"
            reasons.append(f"{len(passed)} topic(s) weigh its terms beyond chance, but none rises and falls with "
                           f"its yearly rate (best: topic {best['label']}, Spearman {agreement}, adjusted p = "
                           f"{best['agreement_p_adjusted']:.3f})")
        lines.append(f"{model.upper()}: no topic carries {name}: " + "; ".join(reasons) + ".")
    return lines


def topic_summary_table(terms: pd.DataFrame, labels: pd.DataFrame, n_terms: int = 8) -> pd.DataFrame:
    """``model, topic, label, top_terms``: one row per topic, its ``n_terms`` top terms joined
    (from ``topic_terms.csv`` and ``topic_labels.csv``), for a paper's topic table."""
    top = (terms[terms["rank"] <= n_terms].sort_values(["model", "topic", "rank"])
           .groupby(["model", "topic"])["term"].agg(" ".join).rename("top_terms").reset_index())
    return top.merge(labels, on=["model", "topic"])[["model", "topic", "label", "top_terms"]]


def topic_label_table(labels: dict[str, dict[int, str]]) -> pd.DataFrame:
    """``model, topic, label`` from the labels of each family's topics."""
    return pd.DataFrame([(m, t, label) for m in labels for t, label in labels[m].items()],
                        columns=["model", "topic", "label"])
