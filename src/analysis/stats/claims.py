"""The agenda-emergence synthesis: the headline claims about each focus theme, and how they
fare under other reasonable choices (the idea of preText, Denny & Spirling 2018).

Three claims per focus theme:

- *first year*: the earliest year whose documents use the theme's terms;
- *rate rises*: its rate per 10,000 tokens is higher from ``split_year`` on than before;
- *carried by a topic*: in an LDA topic model of the paragraphs, some topic puts at least
  ``min_share`` of its weight on the theme's terms.

:func:`robustness_table` recomputes them under a grid of preprocessing choices
(:func:`specification_grid`: normalisation, domain stop words, phrase joining, minimum document
frequency) and, for the topic claim, under other numbers of topics and seeds. Under a
specification, a theme's terms are the single tokens its codebook matches become (see
:func:`~analysis.topic_tables.theme_terms`), and counts come from the document-term matrix of
that specification's tokens, so a choice that merges, splits or drops the theme's words shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from pathlib import Path

import numpy as np
import pandas as pd

from ..text.codebook import Codebook
from ..index.build import count_corpus
from ..errors import AnalysisError
from ..text.segment import paragraphs as split_paragraphs
from ..text.tokens import Tokenizer
from ..models.topic_tables import theme_terms, topic_theme_shares
from ..models.topics import TopicModel, modelling_units, topic_corpus

ROBUSTNESS_COLUMNS = ["claim", "specification", "holds", "value"]
TABLE_SOURCES = {
    "theme_emergence": "01_term_trends", "theme_frequencies": "01_term_trends", "theme_kwic": "01_term_trends",
    "theme_trends": "01_term_trends", "keyness": "01_term_trends", "topic_labels": "02_topic_models",
    "topic_terms": "02_topic_models", "topic_prevalence": "02_topic_models", "topic_themes": "02_topic_models",
    "topic_stability": "02_topic_models", "topic_model_selection": "02_topic_models",
    "similarity_tfidf": "03_similarity", "novel_paragraphs": "03_similarity", "corpus_overview": "00_corpus_overview",
}


def read_table(name: str, reports_dir: str | Path) -> pd.DataFrame:
    """A table an earlier notebook wrote; the error names the notebook to run first."""
    path = Path(reports_dir) / "tables" / f"{name}.csv"
    if not path.exists():
        raise AnalysisError(f"{path}: not found; run notebook {TABLE_SOURCES.get(name, '01-03')} first")
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def first_mentions(kwic: pd.DataFrame, parts: pd.DataFrame, themes: list[str]) -> pd.DataFrame:
    """``theme, year, doc_id, paragraph_id, left, match, right, text``: the first mention of each
    theme in corpus order, with its context and the whole paragraph it stands in."""
    text = parts.set_index("paragraph_id")["text"]
    first = kwic[kwic["theme"].isin(themes)].drop_duplicates("theme")
    first = first.set_index("theme").reindex(themes).reset_index()
    first["text"] = first["paragraph_id"].map(text)
    return first[["theme", "year", "doc_id", "paragraph_id", "left", "match", "right", "text"]]


def period_rates(frequencies: pd.DataFrame, themes: list[str], split_year: int) -> pd.DataFrame:
    """``theme, per_10k_before, per_10k_after, change``: each theme's mentions per 10,000 word
    tokens pooled over the documents before ``split_year`` and from it on."""
    rows = []
    for theme in themes:
        part = frequencies[frequencies["theme"] == theme]
        after = part["year"] >= split_year
        rate = [part.loc[mask, "count"].sum() / max(part.loc[mask, "tokens"].sum(), 1) * 10_000
                for mask in (~after, after)]
        rows.append((theme, rate[0], rate[1], rate[1] - rate[0]))
    return pd.DataFrame(rows, columns=["theme", "per_10k_before", "per_10k_after", "change"])


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

    def tokenizer(self, codebook: Codebook) -> Tokenizer:
        return Tokenizer(normalize=self.normalize, domain_stopwords=self.domain_stopwords, phrases=self.phrases,
                         codebook=codebook)


def specification_grid(normalize=("lemma", "stem", "none"), domain_stopwords=(True, False), phrases=("both", "none"),
                       min_df=(1, 2)) -> list[Specification]:
    return [Specification(*values) for values in product(normalize, domain_stopwords, phrases, min_df)]


def theme_term_rates(counts, terms_by_theme: dict[str, set[str]], themes: list[str], min_df: int) -> pd.DataFrame:
    """``doc_id, year, theme, count, tokens`` from a document-term matrix: occurrences of the
    theme's terms, and all tokens, counting only terms used in at least ``min_df`` documents."""
    dtm = counts.dtm.tocsc()
    kept = np.asarray((dtm > 0).sum(axis=0)).ravel() >= min_df
    tokens = np.asarray(dtm[:, kept].sum(axis=1)).ravel()
    vocabulary = list(counts.vocabulary)
    rows = []
    for theme in themes:
        columns = [i for i, term in enumerate(vocabulary) if kept[i] and term in terms_by_theme.get(theme, set())]
        found = np.asarray(dtm[:, columns].sum(axis=1)).ravel() if columns else np.zeros(dtm.shape[0])
        rows.append(pd.DataFrame({"doc_id": counts.documents["doc_id"], "year": counts.documents["year"],
                                  "theme": theme, "count": found, "tokens": tokens}))
    return pd.concat(rows, ignore_index=True)


def _count_claims(rates: pd.DataFrame, themes: list[str], reference_years: dict, split_year: int) -> list[tuple]:
    rows = []
    changes = period_rates(rates, themes, split_year).set_index("theme")["change"]
    for theme in themes:
        part = rates[(rates["theme"] == theme) & (rates["count"] > 0)]
        first = int(part["year"].min()) if len(part) else None
        reference = reference_years.get(theme)
        rows.append((f"{theme}: first year {reference}", first == reference, first))
        rows.append((f"{theme}: rate rises ({split_year}+ vs before)", bool(changes[theme] > 0), float(changes[theme])))
    return rows


def _topic_claim(model: TopicModel, vocabulary: list[str], terms_by_theme: dict, themes: list[str],
                 min_share: float) -> list[tuple]:
    labels = {t: str(t) for t in range(1, model.n_topics + 1)}
    shares = topic_theme_shares(model, vocabulary, labels, terms_by_theme, themes)
    best = shares.groupby("theme", sort=False)["share"].max()
    return [(f"{theme}: carried by an LDA topic", bool(best[theme] >= min_share), float(best[theme])) for theme in themes]


def _claims_under(spec: Specification, docs: pd.DataFrame, codebook: Codebook, kwic: pd.DataFrame,
                  reference_years: dict, split_year: int, n_topics: int, random_state: int, topic_min_df: int,
                  min_share: float, topic_claims: bool) -> pd.DataFrame:
    parts = split_paragraphs(docs)
    tokenizer = spec.tokenizer(codebook)
    if tokenizer.learns_phrases:
        tokenizer.fit(parts["text"])
    terms = theme_terms(kwic, tokenizer)
    counts = count_corpus(docs, codebook, tokenizer)
    rows = _count_claims(theme_term_rates(counts, terms, codebook.focus, spec.min_df), codebook.focus,
                         reference_years, split_year)
    if topic_claims:
        data = topic_corpus(modelling_units(parts), tokenizer, min_df=topic_min_df)
        model = TopicModel("lda", n_topics, random_state=random_state).fit(data)
        rows += _topic_claim(model, data.vocabulary, terms, codebook.focus, min_share)
    return pd.DataFrame([(claim, spec.label, holds, value) for claim, holds, value in rows], columns=ROBUSTNESS_COLUMNS)


def _topic_claims_under(n_topics: int, random_state: int, data, terms: dict, themes: list[str],
                        min_share: float) -> pd.DataFrame:
    model = TopicModel("lda", n_topics, random_state=random_state).fit(data)
    label = f"K={n_topics}, seed={random_state} (reference preprocessing)"
    return pd.DataFrame([(claim, label, holds, value) for claim, holds, value in
                         _topic_claim(model, data.vocabulary, terms, themes, min_share)], columns=ROBUSTNESS_COLUMNS)


def robustness_table(docs: pd.DataFrame, codebook: Codebook, kwic: pd.DataFrame, specifications: list[Specification],
                     reference: Specification, split_year: int, n_topics: int, n_topics_grid: list[int],
                     seeds: list[int], topic_min_df: int = 2, min_share: float = 0.01, n_jobs: int = 1,
                     topic_claims: bool = True) -> pd.DataFrame:
    """``claim, specification, holds, value`` for every focus theme's three claims under every
    specification (the topic claim with ``n_topics`` topics and the first seed, once per
    preprocessing: ``min_df`` does not enter the topic model, whose vocabulary is pruned by
    ``topic_min_df``), and the topic claim under the reference preprocessing for every K in
    ``n_topics_grid`` and every seed. ``value`` is the first year found, the change in rate per
    10,000 tokens, or the largest share of a topic's weight on the theme's terms. Each
    specification is fitted in one of ``n_jobs`` processes; the result does not depend on it.
    ``topic_claims`` False skips every topic model (for corpora too large to refit)."""
    from joblib import Parallel, delayed

    reference_years = (kwic[kwic["theme"].isin(codebook.focus)].groupby("theme")["year"].min().astype(int).to_dict())
    seen_preprocessing = set()
    jobs = []
    for spec in [reference] + [s for s in specifications if s != reference]:
        preprocessing = (spec.normalize, spec.domain_stopwords, spec.phrases)
        jobs.append(delayed(_claims_under)(spec, docs, codebook, kwic, reference_years, split_year, n_topics,
                                           seeds[0], topic_min_df, min_share,
                                           topic_claims and preprocessing not in seen_preprocessing))
        seen_preprocessing.add(preprocessing)
    if not topic_claims:
        return pd.concat(Parallel(n_jobs=n_jobs)(jobs), ignore_index=True)
    parts = split_paragraphs(docs)
    tokenizer = reference.tokenizer(codebook)
    if tokenizer.learns_phrases:
        tokenizer.fit(parts["text"])
    data = topic_corpus(modelling_units(parts), tokenizer, min_df=topic_min_df)
    terms = theme_terms(kwic, tokenizer)
    jobs += [delayed(_topic_claims_under)(k, seed, data, terms, codebook.focus, min_share)
             for k in n_topics_grid for seed in seeds if (k, seed) != (n_topics, seeds[0])]
    return pd.concat(Parallel(n_jobs=n_jobs)(jobs), ignore_index=True)


def robustness_summary(robustness: pd.DataFrame) -> pd.DataFrame:
    """``claim, specifications, holds, share``: under how many specifications each claim holds."""
    summary = robustness.groupby("claim", sort=False)["holds"].agg(specifications="size", holds="sum").reset_index()
    summary["share"] = summary["holds"] / summary["specifications"]
    return summary


def corpus_limitations(summary: pd.DataFrame) -> list[str]:
    """Sentences on what the corpus can support, from notebook 00's ``corpus_overview``:
    documents per year, the mix of genres and bodies, and the spread of document lengths."""
    per_year = summary.groupby("year").size()
    lines = [f"{len(summary):,} documents over {per_year.size} years ({summary['year'].min()}-{summary['year'].max()}); "
             f"{(per_year == 1).sum()} years have a single document, the most in one year is {per_year.max()}."]
    for column, name in (("doc_type", "genres"), ("body", "bodies")):
        if column in summary:
            counts = summary[column].value_counts()
            lines.append(f"{counts.size} {name}: " + ", ".join(f"{k} ({v})" for k, v in counts.head(8).items())
                         + ("; ..." if counts.size > 8 else "") + ".")
    words = summary["words"]
    lines.append(f"Documents run from {words.min():,} to {words.max():,} words (median {int(words.median()):,}); "
                 "rates per 10,000 tokens let short and long documents be compared, but a short document gives a "
                 "noisy rate.")
    if (per_year == 1).all():
        lines.append("With one document a year, every change over time is also a change of document, and often of "
                     "body and genre: the corpus cannot separate the agenda's evolution from its sources.")
    return lines


def _quote(first: pd.Series, limit: int = 400) -> str:
    """The paragraph of a first mention, or, when it is long, the mention in its context."""
    text = " ".join(str(first["text"]).split())
    if len(text) <= limit:
        return text
    left, right = ("" if pd.isna(first[side]) else first[side] for side in ("left", "right"))
    return f"… {left} **{first['match']}** {right} …"


def focus_theme_story(theme: str, label: str, first: pd.Series, rates: pd.DataFrame, established: list[str],
                      carriers: pd.DataFrame, novel: pd.DataFrame, summary: pd.DataFrame, split_year: int) -> str:
    """The paragraph of the synthesis for one focus theme, in Markdown, from the tables."""
    lines = [f"### {label}"]
    if pd.isna(first["year"]):
        return "\n\n".join(lines + ["The codebook finds no mention of this theme in the corpus."])
    lines.append(f"**First appearance:** {int(first['year'])}, `{first['paragraph_id']}` (\"{first['match']}\"):\n\n"
                 f"> {_quote(first)}")
    rate = rates.set_index("theme")
    own = rate.loc[theme]
    others = rate.loc[[t for t in established if t in rate.index], "change"]
    lines.append(f"**Growth:** {own['per_10k_before']:.1f} mentions per 10,000 tokens before {split_year}, "
                 f"{own['per_10k_after']:.1f} from {split_year} on ({own['change']:+.1f}), against a median change "
                 f"of {others.median():+.1f} for the {len(others)} established crimes.")
    carrier = carriers[carriers["theme"] == theme]
    if len(carrier):
        best = carrier.iloc[0]
        lines.append(f"**Topics:** the {best['model'].upper()} topic carrying most of its terms is {best['label']} "
                     f"({best['share']:.1%} of the topic's weight: {best['terms']}).")
    else:
        lines.append("**Topics:** no topic puts a noticeable weight on its terms.")
    brought = novel[novel["themes"].fillna("").str.split(";").apply(lambda found: theme in found)]
    if len(brought):
        first_new = brought.iloc[0]
        lines.append(f"**New paragraphs:** {len(brought)} paragraph{'s' if len(brought) > 1 else ''} mentioning it "
                     f"{'have' if len(brought) > 1 else 'has'} no close ancestor in earlier documents; the first is "
                     f"`{first_new['paragraph_id']}` (best earlier match "
                     f"{first_new['best_earlier_score']:.2f}).")
    claims = summary[summary["claim"].str.startswith(f"{theme}:")]
    lines.append("**Robustness:** " + "; ".join(f"{c.claim.split(': ', 1)[1]} holds under {c.holds} of "
                                                  f"{c.specifications} specifications" for c in claims.itertuples()) + ".")
    return "\n\n".join(lines)


def short_names(ids) -> list[str]:
    """Labels for crowded axes: "2010_ipu122_organized_crime" -> "2010 IPU122"; ids without
    underscores (years) as they are."""
    names = []
    for value in map(str, ids):
        parts = value.split("_")
        names.append(f"{parts[0]} {parts[1].upper()}" if len(parts) > 1 else value)
    return names
