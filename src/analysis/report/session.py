"""What a notebook does before its first analysis: check its parameters, record them, open the
corpus index and the result store. Notebooks stay thin::

    nb = start_notebook("01_term_trends", globals())   # right after the parameters cell
    x = nb.index.dfm("document", nb.tokenizer())
    nb.put("keyness", keyness_table(x, nb.params["split_year"]), export="keyness")
    nb.save_figure(fig, "keyness_split")

The parameters are the names of :data:`~analysis.report.params.PARAMETERS` defined in the
notebook's namespace (its parameters cell, with papermill's overrides), so they are declared
once, in that cell.
"""

from __future__ import annotations

import ast
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..index.cache import cached_index
from ..index.corpus_index import CorpusIndex
from ..io.codebook import read_codebook
from ..io.tables import atomic_write_text
from ..plots.style import save_figure
from ..text.codebook import Codebook
from .params import PARAMETERS, check_across_notebooks, check_against_corpus, validate_parameters
from .provenance import record_figure
from .results import ResultStore

# Which notebook produces each stored result: the store's messages name it.
RESULT_PRODUCERS = {
    **{name: "00_corpus_overview" for name in ("corpus_overview", "paragraph_kinds")},
    **{name: "01_term_trends" for name in ("theme_kwic", "theme_frequencies", "theme_emergence", "theme_trends",
                                           "keyness", "distinctive_terms", "term_trends", "emergent_terms",
                                           "theme_shares", "theme_diffusion", "first_speakers")},
    **{name: "02_topic_models" for name in ("topic_model_selection", "topic_stability", "topic_choice", "topic_settings",
                                            "topic_terms", "topic_labels", "doc_topics", "topic_prevalence",
                                            "topic_examples", "topic_themes", "topic_theme_carriers",
                                            "topic_evolution", "topic_k_by_score", "topic_evolution_changes",
                                            "seeded_prevalence", "seeded_terms", "topic_convergence",
                                            "seeded_convergence")},
    **{name: "03_similarity" for name in ("similarity_tfidf", "similarity_jaccard", "similarity_themes",
                                          "similarity_topics", "paragraph_reuse", "novel_paragraphs",
                                          "shared_passages", "shared_passage_pairs", "similarity_validation")},
}
PUBLISHED_REPORTS = "ANALYSIS_PUBLISHED_REPORTS_DIR"
PUBLISHED_FIGURES = "ANALYSIS_PUBLISHED_FIGURES_DIR"


@dataclass
class NotebookSession:
    name: str
    params: dict
    index: CorpusIndex
    codebook: Codebook
    store: ResultStore
    recorded: dict = field(default_factory=dict)

    @property
    def reports_dir(self) -> Path:
        return Path(self.params["reports_dir"])

    @property
    def figures_dir(self) -> Path:
        return Path(self.params["figures_dir"])

    @property
    def labels(self) -> dict[str, str]:
        return {theme.name: theme.label for theme in self.codebook.themes}

    def tokenizer(self, **overrides):
        """The notebook's token settings, fitted on the index (no new phrase learning)."""
        settings = {name: self.params[name] for name in ("normalize", "phrases", "domain_stopwords")
                    if name in self.params}
        return self.index.tokenizer(**{**settings, **overrides})

    def put(self, name: str, value, export: str | None = None, latex: bool = False, caption: str = "") -> None:
        self.store.put(name, value, export=export, latex=latex, caption=caption)
        if export:
            self._wrote(self.reports_dir / "tables" / f"{export}.csv")
            if latex:
                self._wrote(self.reports_dir / "tables" / f"{export}.tex")

    def get(self, name: str, expected=None):
        """A result of an earlier notebook (refused when stale, see :class:`ResultStore`); the
        notebook's record keeps the checksum of what it read, so a later change shows it stale."""
        value = self.store.get(name, expected)
        meta = json.loads((self.store.folder / f"{name}.meta.json").read_text(encoding="utf-8"))
        self._record("inputs", {**self._read_record("inputs"), name: meta["sha256"]})
        return value

    def save_figure(self, fig, name: str) -> list[Path]:
        def record(figure, paths, folder):
            provenance = record_figure(figure, paths, folder, self.name, self.recorded)
            for path in [*paths, provenance]:
                self._wrote(Path(path))

        return save_figure(fig, name, self.figures_dir, on_save=record)

    def write_page(self, file_name: str, html: str) -> Path:
        """An HTML page of the report (a topic browser) in ``reports_dir``."""
        return self._wrote(atomic_write_text(self.reports_dir / file_name, html))

    # what the notebook wrote and read, kept beside its results
    def _record_path(self, kind: str) -> Path:
        return self.store.folder / f"{self.name}.{kind}.json"

    def _read_record(self, kind: str):
        path = self._record_path(kind)
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    def _record(self, kind: str, value) -> None:
        atomic_write_text(self._record_path(kind), json.dumps(value, indent=1, sort_keys=True) + "\n")

    def _wrote(self, path: Path) -> Path:
        folders = {"reports": self.reports_dir.resolve(), "figures": self.figures_dir.resolve()}
        where = next(name for name, folder in folders.items() if Path(path).resolve().is_relative_to(folder))
        relative = Path(path).resolve().relative_to(folders[where]).as_posix()
        files = self._read_record("files")
        if relative not in files.get(where, []):
            files[where] = sorted(files.get(where, []) + [relative])
            self._record("files", files)
        return Path(path)

    def begin(self) -> None:
        """Remove what this notebook wrote in its last run, so that a table, figure or page it
        no longer makes does not linger in the report; forget what it read."""
        for where, relatives in self._read_record("files").items():
            folder = self.reports_dir if where == "reports" else self.figures_dir
            for relative in relatives:
                (folder / relative).unlink(missing_ok=True)
        self._record("files", {})
        self._record("inputs", {})
        self.store.begin()


def declared_parameters(name: str) -> list[str] | None:
    """The names in the parameters cell of ``<name>.ipynb`` in the working directory (where
    papermill and JupyterLab run a notebook), or None when there is no such file."""
    path = Path(f"{name}.ipynb")
    if not path.is_file():
        return None
    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    for cell in cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            source = "".join(cell.get("source", []))
            return [target.id for node in ast.parse(source).body if isinstance(node, (ast.Assign, ast.AnnAssign))
                    for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
                    if isinstance(target, ast.Name)]
    return None


def start_notebook(name: str, namespace: dict, log=None) -> NotebookSession:
    """Check the notebook's parameters (the names of its parameters cell, or else of
    :data:`PARAMETERS`, taken from ``namespace``), record
    them in ``<reports_dir>/parameters/<name>.json``, open the corpus index (built once and
    cached) and the result store, and clear this notebook's earlier results."""
    names = declared_parameters(name) or PARAMETERS
    values = {key: namespace[key] for key in names if key in namespace}
    params = validate_parameters(values, where=name)
    check_across_notebooks({name: params})
    codebook = read_codebook(params["codebook"])
    index = cached_index(params["corpus"], params["codebook"], cache_dir=params["cache_dir"],
                         text_column=params.get("text_column", "text"),
                         learn_phrases=params.get("phrases", "both") in ("both", "gensim"),
                         n_jobs=params.get("n_jobs", 1), scheduler=params.get("scheduler"), log=log)
    check_against_corpus(params, index.documents["year"], where=name)
    recorded = dict(params)
    recorded["reports_dir"] = os.environ.get(PUBLISHED_REPORTS, params["reports_dir"])
    recorded["figures_dir"] = os.environ.get(PUBLISHED_FIGURES, params["figures_dir"])
    record = {"notebook": name, "parameters": recorded, "index": {"key": index.key, "source": index.source,
                                                                   "fingerprint": index.fingerprint}}
    atomic_write_text(Path(params["reports_dir"]) / "parameters" / f"{name}.json",
                      json.dumps(record, indent=2, sort_keys=True, default=str) + "\n")
    store = ResultStore(Path(params["reports_dir"]) / "results", index_key=index.key, notebook=name,
                        parameters=recorded, producers_of=RESULT_PRODUCERS)
    session = NotebookSession(name, params, index, codebook, store, recorded)
    session.begin()
    return session
