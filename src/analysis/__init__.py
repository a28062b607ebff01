"""Comparative text analytics of policy agendas: corpus -> index -> document-feature matrices ->
statistics, models and figures. See the README for the pipeline and the notebooks for the story.

The names below are the public API; each is imported on first use, so ``import analysis`` stays
cheap (worker processes import the package too)::

    import analysis as aa
    corpus = aa.read_corpus("data")
    codebook = aa.read_codebook("data/themes.yml")
    index = aa.build_index(corpus, codebook)              # or aa.cached_index("data", "data/themes.yml", cache_dir=...)
    x = index.dfm("document", index.tokenizer())          # a DFM with docvars
    by_year = aa.dfm_group(x, by="year")
    keyness = aa.textstat_keyness(x, x.docvars["year"] >= 2020, "2020+ vs before")
    rates = aa.theme_frequencies(index.kwic, index.documents, codebook.names)
    model = aa.TopicModel("nmf", n_topics=6, random_state=1).fit(aa.topic_corpus(index, index.tokenizer()))
"""

from importlib import import_module

__version__ = "0.1.0"

_API = {
    "read_corpus": "io.corpus", "read_codebook": "io.codebook", "corpus_fingerprint": "io.corpus",
    "Codebook": "text.codebook", "Tokenizer": "text.tokens", "clean_text": "text.clean", "segment_text": "text.segment",
    "build_index": "index.build", "cached_index": "index.cache", "CorpusIndex": "index.corpus_index",
    "DFM": "index.dfm", "dfm_group": "index.dfm", "dfm_subset": "index.dfm", "dfm_trim": "index.dfm",
    "dfm_select": "index.dfm", "dfm_weight": "index.dfm", "dfm_from_tokens": "index.dfm",
    "per_10k": "stats.rates", "theme_frequencies": "stats.rates", "yearly_rates": "stats.rates",
    "first_years": "stats.rates", "theme_emergence": "stats.rates", "theme_trends": "stats.rates",
    "term_trends": "stats.rates", "period_rates": "stats.rates",
    "textstat_keyness": "stats.keyness", "keyness_table": "stats.keyness", "distinctive_terms": "stats.keyness",
    "emergent_terms": "stats.terms", "theme_entry": "stats.emergence", "theme_shares": "stats.diffusion",
    "theme_diffusion": "stats.diffusion", "first_speakers": "stats.diffusion", "dfm_with_words": "index.dfm",
    "dfm_merge": "index.dfm", "corpus_summary": "stats.describe",
    "tfidf_similarity": "stats.similarity", "paragraph_lineage": "stats.similarity",
    "shared_passages": "stats.similarity",
    "TopicModel": "models.topics", "topic_corpus": "models.topics",
    "fit_topic_grid": "models.topics", "sample_by_year": "models.topics", "topic_theme_shares": "models.topic_tables",
    "carrying_topics": "models.topic_tables", "topic_theme_tests": "models.topic_tables",
    "judge_topic_themes": "models.topic_tables", "k_by_score": "models.topics", "SeededTopicModel": "models.seeded",
    "fit_seeded_topics": "models.seeded", "seeded_prevalence": "models.seeded",
    "robustness_table": "synthesis.robustness", "robustness_summary": "synthesis.robustness",
    "new_figure": "plots.style", "save_figure": "plots.style", "textplot_keyness": "plots.textplot",
    "textplot_theme_heatmap": "plots.textplot", "textplot_theme_rates": "plots.textplot",
    "ResultStore": "report.results", "start_notebook": "report.session",
}
__all__ = sorted(_API)


def __getattr__(name: str):
    if name in _API:
        value = getattr(import_module(f".{_API[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")


def __dir__():
    return __all__
