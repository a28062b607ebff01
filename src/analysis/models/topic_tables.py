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


def carrying_topics(shares: pd.DataFrame, min_share: float = 0.01) -> pd.DataFrame:
    """THE rule for "a topic carries a theme": for each model and theme, the topic with the
    largest share of its term weight on the theme's terms, kept if that share is at least
    ``min_share`` (rows of :func:`topic_theme_shares`; ties: the lower topic number)."""
    best = (shares.sort_values(["model", "theme", "share", "topic"], ascending=[True, True, False, True])
            .drop_duplicates(["model", "theme"]))
    return best[best["share"] >= min_share].reset_index(drop=True)


def theme_carriers(shares: pd.DataFrame, prevalence: pd.DataFrame, min_share: float = 0.01) -> pd.DataFrame:
    """``model, theme, topic, label, theme_share, year, prevalence``: the :func:`carrying_topics`
    of each theme with its prevalence in every year -- which topic carries the theme, and when
    it rises."""
    best = carrying_topics(shares, min_share).rename(columns={"share": "theme_share"})
    table = best[["model", "theme", "topic", "label", "theme_share"]].merge(
        prevalence[["model", "topic", "year", "share"]].rename(columns={"share": "prevalence"}), on=["model", "topic"])
    order = {theme: i for i, theme in enumerate(dict.fromkeys(shares["theme"]))}
    return table.sort_values(["model", "theme", "year"], key=lambda c: c.map(order) if c.name == "theme" else c,
                             ignore_index=True)


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
