"""Every notebook parameter, declared once with its check.

A notebook declares its parameters and their defaults in its cell tagged ``parameters``; this
table says what each name means and which values it accepts. The runner checks every parameter
of every notebook it is about to run against it -- type, range, existence of paths, and
``split_year`` against the corpus's years -- before any kernel starts, and a notebook run in
JupyterLab checks its own the same way (:func:`validate_parameters`). A name means the same
thing in every notebook; :data:`RENAMED` maps the names of earlier releases to today's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..checks import check_bool, check_choice, check_int, check_number
from ..errors import ParameterError
from ..io.corpus import corpus_root
from ..models.topics import FAMILIES, LDA_ENGINES, UNITS
from ..text.tokens import NORMALIZATIONS, PHRASE_SOURCES

COMPARE_BY = ("document", "year")
SCHEDULER_ADDRESS = re.compile(r"(?:[a-z][a-z0-9+.-]*://)?(?:\[[0-9a-fA-F:]+\]|[^\s/:\[\]]+):\d+")
RENAMED = {"themes": "codebook", "unit": "topic_unit", "models": "topic_families", "topic_model": "topic_family",
           "min_df": "topic_min_df", "max_df": "topic_max_df", "pool_by_year": "compare_by",
           "shingle_words": "passage_min_words", "emergent_min_count": "new_term_min_count",
           "n_distinctive": "n_distinctive_terms", "min_tokens": "topic_min_tokens' or 'novelty_min_tokens",
           "sample_per_year": "grid_sample_per_year"}


def _path(name, value):
    if not isinstance(value, (str, Path)) or not str(value).strip():
        raise ParameterError(f"{name}={value!r}: must be a path")
    return str(value)


def _existing(name, value):
    if not Path(_path(name, value)).exists():
        raise ParameterError(f"{name}={value!r}: no such file or folder")
    return str(value)


def _existing_file(name, value):
    if not Path(_path(name, value)).is_file():
        raise ParameterError(f"{name}={value!r}: no such file")
    return str(value)


def _folder(name, value):
    path = Path(_path(name, value)).absolute()
    existing = next(folder for folder in (path, *path.parents) if folder.exists())  # the root exists
    if not existing.is_dir():
        where = "" if existing == path else f"{str(existing)!r} "
        raise ParameterError(f"{name}={value!r}: {where}is a file, not a folder")
    return str(value)


def _text(name, value):
    if not isinstance(value, str) or not value.strip():
        raise ParameterError(f"{name}={value!r}: must be a non-empty text")
    return value


def _int(minimum, maximum=None):
    return lambda name, value: check_int(name, value, minimum, maximum)


def _optional(check):
    return lambda name, value: None if value is None else check(name, value)


def _share(exclusive_zero=True):
    return lambda name, value: check_number(name, value, 0, 1, exclusive_minimum=exclusive_zero)


def _choice(choices):
    return lambda name, value: check_choice(name, value, choices)


def _list_of(check, allow_empty=False):
    def checked(name, value):
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
            raise ParameterError(f"{name}={value!r}: must be a list, such as [a, b]")
        if not value and not allow_empty:
            raise ParameterError(f"{name}={value!r}: must name at least one value")
        return [check(f"{name}[{i}]", item) for i, item in enumerate(value)]
    return checked


def _domain_stopwords(name, value):
    if isinstance(value, bool):
        return value
    return _existing_file(name, value)


def _n_topics(name, value):
    if value is None:
        return None
    if isinstance(value, dict):
        for family, k in value.items():
            check_choice(f"{name} key", family, FAMILIES)
            check_int(f"{name}[{family}]", k, 2)
        return dict(value)
    return check_int(name, value, 2)


def _scheduler(name, value):
    if value is None:
        return None
    if not isinstance(value, str) or not SCHEDULER_ADDRESS.fullmatch(value.strip()):
        raise ParameterError(f"{name}={value!r}: must be None or the address of a Dask scheduler, such as "
                             "tcp://host:8786")
    return value.strip()


def _topic_family(name, value):
    return None if value is None else check_choice(name, value, FAMILIES)


@dataclass(frozen=True)
class Parameter:
    check: Callable
    meaning: str


PARAMETERS: dict[str, Parameter] = {
    # every notebook
    "corpus": Parameter(_existing, "a folder with metadata.csv, or a .csv/.jsonl table (optionally .gz)"),
    "text_column": Parameter(_text, "the text column of a table corpus"),
    "codebook": Parameter(_existing_file, "the theme codebook (YAML)"),
    "reports_dir": Parameter(_folder, "executed notebooks, tables/, results/"),
    "figures_dir": Parameter(_folder, "figures (PDF, SVG, PNG)"),
    "cache_dir": Parameter(_folder, "where the corpus index is cached"),
    "seed": Parameter(_int(0), "the seed of every random step"),
    "n_jobs": Parameter(_int(1), "worker processes"),
    "scheduler": Parameter(_scheduler, "a Dask scheduler (tcp://host:8786) that builds the corpus index "
                                       "(None: n_jobs local processes)"),
    "normalize": Parameter(_choice(NORMALIZATIONS), "tokens: lemma, stem or none"),
    "phrases": Parameter(_choice(PHRASE_SOURCES), "phrases joined: both, codebook, gensim or none"),
    "domain_stopwords": Parameter(_domain_stopwords, "the procedural stop words: true, false or a word list"),
    # 00
    "group_by": Parameter(_text, "metadata column giving the rows of the timeline"),
    # 01
    "terms": Parameter(_list_of(_text), "terms whose trends are drawn"),
    "split_year": Parameter(_int(1), "documents from this year on are compared with those before"),
    "period_length": Parameter(_int(1), "years per period for the distinctive terms"),
    "n_distinctive_terms": Parameter(_int(0), "distinctive terms per period added to the trend plots"),
    "n_boot": Parameter(_int(1), "bootstrap resamples of documents"),
    "keyness_by_document": Parameter(check_bool, "also compare each document with all others"),
    "keyness_min_count": Parameter(_int(1), "keyness: terms used fewer times are left out"),
    "new_term_min_count": Parameter(_int(1), "a new term must be used at least this often"),
    "kwic_examples": Parameter(_int(0), "keyword-in-context rows shown per focus theme"),
    "entry_min_mentions": Parameter(_int(1), "entry year: the first year with at least this many mentions"),
    "entry_min_rate": Parameter(_optional(lambda name, value: check_number(name, value, 0)),
                                "... and at least this many per 10,000 words (None: no rate threshold)"),
    "entry_min_share": Parameter(_optional(_share()), "... and at least this share of the year's documents (None: none)"),
    "speaker_column": Parameter(_optional(_text), "metadata column naming who speaks, for the diffusion (None: skip)"),
    "n_first_speakers": Parameter(_int(1), "first speakers to raise each theme, quoted"),
    # 02
    "topic_unit": Parameter(_choice(UNITS), "what a topic model sees: paragraph or document"),
    "grid_sample_per_year": Parameter(_optional(_int(1)), "documents per year in the K grid (None: all); the chosen "
                                      "K is then fitted on every document"),
    "topic_families": Parameter(_list_of(_choice(FAMILIES)), "topic model families"),
    "n_topics_grid": Parameter(_list_of(_int(2)), "numbers of topics K tried"),
    "n_seeds": Parameter(_int(1), "fits per family and K (seeds seed, seed + 1, ...)"),
    "n_topics": Parameter(_n_topics, "None (the rule chooses), a K, or {lda: K, nmf: K}"),
    "min_stability": Parameter(_share(False), "the rule's minimum stability across seeds"),
    "n_top_terms": Parameter(_int(2), "top terms per topic"),
    "topic_min_df": Parameter(_int(1), "a term must occur in at least this many units"),
    "topic_max_df": Parameter(_share(), "... and in at most this share of them"),
    "topic_min_tokens": Parameter(_int(1), "units with fewer tokens are not modelled"),
    "lda_passes": Parameter(_int(1), "gensim LdaModel passes"),
    "lda_iterations": Parameter(_int(1), "gensim LdaModel inference iterations"),
    "lda_engine": Parameter(_choice(LDA_ENGINES), "LDA fitted by gensim (variational) or tomotopy (Gibbs sampling)"),
    "gibbs_iterations": Parameter(_int(1), "tomotopy LDA: Gibbs sampling iterations per fit"),
    "dynamic_topics": Parameter(check_bool, "fit a dynamic topic model over the years"),
    "dynamic_iterations": Parameter(_int(1), "dynamic topic model: Gibbs sampling iterations"),
    "dynamic_period_length": Parameter(_int(1), "dynamic topic model: years per time slice"),
    "n_examples": Parameter(_int(1), "representative units shown per topic"),
    "carrier_alpha": Parameter(_share(), "a topic carries a theme when both tests (chance, years) pass at this level"),
    "null_draws": Parameter(_int(1), "random term sets and year permutations of the topic-theme tests"),
    "seeded_topics": Parameter(check_bool, "fit the seeded (keyword-assisted) topic model"),
    "seeded_free_topics": Parameter(_int(0), "seeded model: free topics beside the theme topics"),
    "seeded_seed_prior": Parameter(lambda name, value: check_number(name, value, 0, exclusive_minimum=True),
                                   "seeded model: a seed word's prior weight on its theme's topic"),
    "seeded_iterations": Parameter(_int(1), "seeded model: Gibbs sampling iterations"),
    "seeded_n_boot": Parameter(_int(1), "seeded model: bootstrap replicates of each year's documents"),
    "seeded_n_seeds": Parameter(_optional(_int(1)), "seeded model: fits, seeds seed, seed + 1, ... (None: n_seeds)"),
    # 03
    "compare_by": Parameter(_choice(COMPARE_BY), "compare documents, or years (documents pooled)"),
    "topic_family": Parameter(_topic_family, "notebook 02's family for topic similarity (or None)"),
    "lineage": Parameter(check_bool, "paragraph lineage and verbatim reuse"),
    "lineage_sample_per_year": Parameter(_optional(_int(1)), "documents per year in the lineage (None: all)"),
    "novelty_threshold": Parameter(_share(), "a paragraph whose best earlier match scores below this is new"),
    "novelty_min_tokens": Parameter(_int(1), "shorter paragraphs are never called new"),
    "lineage_min_words": Parameter(_int(1), "shorter paragraphs are neither ancestors nor new content"),
    "passage_min_words": Parameter(_int(2), "shortest shared passage, in words"),
    # 04
    "robustness_entry_min_mentions": Parameter(_list_of(_int(2), allow_empty=True),
                                               "robustness: entry rules 'first year with at least k mentions'"),
    "topic_claims": Parameter(check_bool, "recompute the topic claim under other K, seeds and model families"),
    "robustness_n_topics": Parameter(_optional(_list_of(_int(2))), "K for the topic claim (None: K chosen, K +/- 2)"),
    "n_keyness_terms": Parameter(_int(1), "rows of the LaTeX keyness table"),
}
PATH_PARAMETERS = frozenset({"corpus", "codebook", "reports_dir", "figures_dir", "cache_dir", "domain_stopwords"})


def unknown_parameter(name: str, accepted) -> ParameterError:
    hint = f" (renamed {RENAMED[name]!r})" if name in RENAMED else ""
    return ParameterError(f"unknown parameter {name!r}{hint}; accepted: {', '.join(sorted(accepted))}")


def validate_parameters(values: dict, where: str = "") -> dict:
    """Check every value against :data:`PARAMETERS`; returns the checked values. Paths are
    checked as given (relative to the working directory)."""
    prefix = f"{where}: " if where else ""
    checked = {}
    for name, value in values.items():
        if name not in PARAMETERS:
            raise ParameterError(prefix + str(unknown_parameter(name, PARAMETERS)))
        try:
            checked[name] = PARAMETERS[name].check(name, value)
        except ParameterError as error:
            raise ParameterError(prefix + str(error)) from None
    _check_outputs_outside_corpus(checked, prefix)
    return checked


def _check_outputs_outside_corpus(values: dict, prefix: str) -> None:
    """Outputs are never written into the corpus folder, and the corpus is not inside them."""
    if "corpus" not in values:
        return
    root = corpus_root(values["corpus"])
    for name in ("reports_dir", "figures_dir", "cache_dir"):
        if name in values:
            target = Path(values[name]).resolve()
            if target.is_relative_to(root) or root.is_relative_to(target):
                raise ParameterError(f"{prefix}{name}={values[name]!r} and the corpus folder {str(root)!r} overlap; "
                                     "outputs are never written into the corpus: choose another folder")


def check_against_corpus(values: dict, years, where: str = "") -> None:
    """Checks that need the corpus: ``split_year`` must leave documents on both sides."""
    prefix = f"{where}: " if where else ""
    if "split_year" in values:
        first, last = int(min(years)), int(max(years))
        if not first < values["split_year"] <= last:
            raise ParameterError(f"{prefix}split_year={values['split_year']!r}: the corpus runs from {first} to {last}; "
                                 f"choose a year from {first + 1} to {last} so that documents fall on both sides")


def check_across_notebooks(values_by_notebook: dict) -> None:
    """Checks that involve several parameters, possibly of different notebooks of one run
    (``{notebook name: its checked values}``), so that a run cannot fail halfway on them."""
    merged = {}
    for values in values_by_notebook.values():
        merged.update(values)
    for where, values in values_by_notebook.items():
        n_topics, grid = values.get("n_topics"), values.get("n_topics_grid")
        if n_topics is not None and grid is not None:
            for family, k in (n_topics.items() if isinstance(n_topics, dict) else [("", n_topics)]):
                if k not in grid:
                    raise ParameterError(f"{where}: n_topics={n_topics!r}: K={k} is not in n_topics_grid={grid!r}")
        if isinstance(n_topics, dict) and "topic_families" in values:
            missing = sorted(set(values["topic_families"]) - set(n_topics))
            if missing:
                raise ParameterError(f"{where}: n_topics={n_topics!r} gives no K for {', '.join(missing)}")
    families = merged.get("topic_families")
    if families is not None:
        for where, values in values_by_notebook.items():
            family = values.get("topic_family")
            if family is not None and family not in families:
                raise ParameterError(f"{where}: topic_family={family!r} is not among topic_families={families!r}")
            if values.get("topic_claims") and "lda" not in families:
                raise ParameterError(f"{where}: topic_claims=true needs an LDA model, but topic_families={families!r}; "
                                     "add 'lda' or set topic_claims to false")
