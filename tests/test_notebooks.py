"""Every notebook runs headless on the default corpus, twice, with byte-identical tables and figures."""

import json
from pathlib import Path

import pytest

from analysis.report.runner import notebooks_in, run_notebooks
from conftest import NOTEBOOKS

pytestmark = pytest.mark.notebooks


def _events(path):
    return [json.loads(line)["event"] for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


@pytest.fixture(scope="module")
def report(tmp_path_factory, monkeypatch_module):
    """The whole report once, into a temporary folder, with a fresh index cache; every corpus
    read and codebook pass is traced."""
    base = tmp_path_factory.mktemp("report")
    trace = base / "trace.jsonl"
    monkeypatch_module.setenv("ANALYSIS_TRACE", str(trace))
    overrides = {"reports_dir": str(base / "reports"), "figures_dir": str(base / "figures"),
                 "cache_dir": str(base / "cache")}
    run_notebooks(notebooks_in(NOTEBOOKS), overrides, report_all=True, log=lambda *_: None)
    return base, overrides, trace


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_the_report_reads_and_matches_the_corpus_once(report):
    base, _, trace = report
    assert _events(trace) == ["read_corpus", "match_codebook"]
    assert "First recorded run" in (base / "reports" / "changes.md").read_text(encoding="utf-8")
    for path in notebooks_in(NOTEBOOKS):
        record = json.loads((base / "reports" / "parameters" / f"{path.stem}.json").read_text(encoding="utf-8"))
        assert record["index"]["source"] == "cache", path.name


def test_a_rerun_reads_nothing_and_writes_the_same_bytes(report):
    """Notebook 01 run again on unchanged input: the index comes from the cache (no corpus read,
    no codebook pass) and its tables and figures are byte-identical."""
    base, overrides, trace = report
    before = {p: p.read_bytes() for folder in ("reports/tables", "figures") for p in (base / folder).iterdir()
              if p.is_file() and p.name != "manifest.json"}
    events = len(_events(trace))
    notebook = [p for p in notebooks_in(NOTEBOOKS) if p.stem == "01_term_trends"]
    run_notebooks(notebook, overrides, log=lambda *_: None)
    assert len(_events(trace)) == events
    assert "No change in the corpus" in (base / "reports" / "changes.md").read_text(encoding="utf-8")
    after = {p: p.read_bytes() for folder in ("reports/tables", "figures") for p in (base / folder).iterdir()
             if p.is_file() and p.name != "manifest.json"}
    assert sorted(after) == sorted(before)
    changed = [p.name for p in before if before[p] != after[p]]
    assert not changed


def test_every_notebook_is_committed_clean_and_parameterized():
    for path in notebooks_in(NOTEBOOKS):
        nb = json.loads(path.read_text(encoding="utf-8"))
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), path.name
        assert sum("parameters" in c.get("metadata", {}).get("tags", []) for c in code) == 1, path.name


def test_every_notebook_executes_and_exports(report):
    reports = report[0] / "reports"
    for path in notebooks_in(NOTEBOOKS):
        assert (reports / f"{path.stem}.ipynb").exists()
        assert (reports / f"{path.stem}.html").stat().st_size > 10_000
        assert (reports / "parameters" / f"{path.stem}.json").exists()
    assert (reports / "tables" / "corpus_overview.csv").exists()
    assert (report[0] / "figures" / "corpus_timeline.pdf").exists()


def test_progress_stays_out_of_the_executed_notebooks(report):
    """Long steps report progress (analysis.progress) to the runner, never into a notebook's
    outputs, which would then change from run to run."""
    reports = report[0] / "reports"
    for path in notebooks_in(NOTEBOOKS):
        text = (reports / f"{path.stem}.ipynb").read_text(encoding="utf-8")
        assert "elapsed, about" not in text and "iterations [" not in text, path.name


def test_overview_table_matches_the_corpus(report):
    import pandas as pd

    overview = pd.read_csv(report[0] / "reports" / "tables" / "corpus_overview.csv")
    assert overview["paragraphs"].tolist() == [27, 37, 21, 46, 47]
    assert overview["operative_paragraphs"].tolist() == [17, 21, 12, 22, 13]


def test_every_theme_count_is_backed_by_kwic_rows(report):
    import pandas as pd

    tables = report[0] / "reports" / "tables"
    kwic = pd.read_csv(tables / "theme_kwic.csv")
    frequencies = pd.read_csv(tables / "theme_frequencies.csv")
    assert list(frequencies.columns) == ["doc_id", "year", "theme", "count", "word_tokens", "per_10k"]
    behind = kwic.groupby(["doc_id", "theme"]).size()
    assert frequencies["count"].sum() == len(kwic)
    for row in frequencies.itertuples():
        assert row.count == behind.get((row.doc_id, row.theme), 0)
    emergence = pd.read_csv(tables / "theme_emergence.csv").set_index("theme")
    assert emergence.loc["environmental_crime", "first_year"] == 2025
    keyness = pd.read_csv(tables / "keyness.csv")
    assert list(keyness.columns) == ["comparison", "term", "variants", "freq_target", "freq_reference", "docs_target",
                                     "docs_reference", "g2", "p_value", "p_adjusted", "log_ratio", "is_name"]


def test_executed_notebooks_show_their_figures(report):
    reports = report[0] / "reports"
    for path in notebooks_in(NOTEBOOKS):
        executed = json.loads((reports / f"{path.stem}.ipynb").read_text(encoding="utf-8"))
        images = sum("image/png" in output.get("data", {}) for cell in executed["cells"]
                     for output in cell.get("outputs", []))
        assert images >= 2, f"{path.name}: figures are saved but not shown in the report"


def test_topic_tables_are_consistent(report):
    import pandas as pd

    tables = report[0] / "reports" / "tables"
    selection = pd.read_csv(tables / "topic_model_selection.csv")
    assert len(selection) == 2 * 9 * 5  # families x K x seeds
    stability = pd.read_csv(tables / "topic_stability.csv")
    assert set(stability["representative_seed"]) <= set(selection["seed"])
    doc_topics = pd.read_csv(tables / "doc_topics.csv")
    assert doc_topics.groupby(["model", "unit_id"])["share"].sum().round(4).eq(1).all()
    prevalence = pd.read_csv(tables / "topic_prevalence.csv")
    assert prevalence.groupby(["model", "year"])["share"].sum().round(4).eq(1).all()
    assert sorted(prevalence["year"].unique()) == [2010, 2015, 2016, 2023, 2025]
    terms = pd.read_csv(tables / "topic_terms.csv")
    labels = pd.read_csv(tables / "topic_labels.csv")
    for row in labels.itertuples():
        top = terms[(terms["model"] == row.model) & (terms["topic"] == row.topic)].nsmallest(3, "rank")["term"]
        assert row.label == f"{row.topic}: " + " / ".join(t.replace("_", " ") for t in top)
    examples = pd.read_csv(tables / "topic_examples.csv")
    assert (examples.groupby(["model", "topic"]).size() == 3).all()
    evolution = pd.read_csv(tables / "topic_evolution.csv")
    assert sorted(evolution["year"].unique()) == [2010, 2015, 2016, 2023, 2025]


def test_report_has_an_index_and_a_manifest_of_every_figure(report):
    import re

    reports, figures = report[0] / "reports", report[0] / "figures"
    manifest = json.loads((figures / "manifest.json").read_text(encoding="utf-8"))
    listed = {f["file"] for record in manifest["figures"] for f in record["files"]}
    assert listed == {p.name for p in figures.iterdir() if p.suffix in (".pdf", ".svg", ".png")}
    assert {record["notebook"] for record in manifest["figures"]} == {p.stem for p in notebooks_in(NOTEBOOKS)}
    page = (reports / "index.html").read_text(encoding="utf-8")
    links = [link for link in re.findall(r'(?:href|src)="([^"#]*)', page) if link]
    assert all((reports / link).exists() for link in links)
    assert all(f"{p.stem}.html" in links for p in notebooks_in(NOTEBOOKS))
    changes = (reports / "changes.md").read_text(encoding="utf-8").splitlines()[-1][2:]
    assert changes in {"First recorded run: nothing to compare with.",
                       "No change in the corpus, the codebook or the key results."}
    assert changes in page


def _copy_of_report(report, tmp_path):
    import shutil

    base, overrides, _ = report
    copy = tmp_path / "copy"
    shutil.copytree(base / "reports", copy / "reports")
    shutil.copytree(base / "figures", copy / "figures")
    return {**overrides, "reports_dir": str(copy / "reports"), "figures_dir": str(copy / "figures")}


def test_adding_a_document_is_reported_by_the_next_run(report, tmp_path):
    """Add a 2019 document that names wildlife trafficking to a copy of the corpus and run
    notebook 01 on it, after the report: the change report names the document and the new first
    year, and the index page says which notebooks are now out of date."""
    import shutil

    from conftest import DATA

    corpus = tmp_path / "data"
    shutil.copytree(DATA, corpus)
    (corpus / "corpus" / "2019_test_wildlife.txt").write_text(
        "Resolution on wildlife\n\n1. Calls on parliaments to end wildlife trafficking in the region.\n", encoding="utf-8")
    with open(corpus / "metadata.csv", "a", encoding="utf-8") as metadata:
        metadata.write("2019_test_wildlife,2019,2019,IPU,test,Wildlife,resolution,corpus/2019_test_wildlife.txt,\n")
    overrides = {**_copy_of_report(report, tmp_path), "corpus": str(corpus)}
    run_notebooks([p for p in notebooks_in(NOTEBOOKS) if p.stem in ("00_corpus_overview", "01_term_trends")], overrides,
                  log=lambda *_: None)
    reports = Path(overrides["reports_dir"])
    changes = (reports / "changes.md").read_text(encoding="utf-8")
    assert "Documents added: 2019_test_wildlife." in changes
    assert "First year of environmental_crime: 2025 -> 2019." in changes
    page = (reports / "index.html").read_text(encoding="utf-8")
    assert "First year of environmental_crime" in page
    for stale in ("02_topic_models", "03_similarity", "04_agenda_synthesis"):
        assert f"{stale} is out of date" in page
    for fresh in ("00_corpus_overview", "01_term_trends"):
        assert f"{fresh} is out of date" not in page
    # the prose of the run follows its tables: six documents, environmental crime from 2019
    overview, trends = (_output_text(reports / f"{name}.ipynb") for name in ("00_corpus_overview", "01_term_trends"))
    assert "The corpus holds **6 documents** from **2010 to 2025**" in overview
    assert "five documents" not in overview + trends and "**5 documents**" not in overview
    assert "**Environmental crime** first appears in 2019 (`2019_test_wildlife:p02`)" in trends
    assert "**Cybercrime** is already mentioned in 2010, the corpus's first year" in trends
    assert "Environmental crime** first appears in 2025" not in trends


def _output_text(notebook: Path) -> str:
    """Everything an executed notebook shows as text or Markdown."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    parts = []
    for cell in cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            for kind in ("text/markdown", "text/plain"):
                if kind in data:
                    parts.append("".join(data[kind]))
            parts.append("".join(output.get("text", "")))
    return "\n".join(parts)


def test_results_from_other_parameters_are_refused(report, tmp_path):
    """Notebook 04 run with another split year than notebook 01 used: it refuses 01's results,
    naming the parameter and the notebook to re-run, instead of reporting an empty table."""
    from analysis.report.runner import NotebookFailed

    overrides = _copy_of_report(report, tmp_path)
    before = {p: p.read_bytes() for p in Path(overrides["reports_dir"]).rglob("*") if p.is_file()}
    with pytest.raises(NotebookFailed, match=r"made by 01_term_trends with split_year=2020.*split_year=2016"):
        run_notebooks([p for p in notebooks_in(NOTEBOOKS) if p.stem == "04_agenda_synthesis"],
                      {**overrides, "split_year": 2016}, log=lambda *_: None)
    after = {p: p.read_bytes() for p in Path(overrides["reports_dir"]).rglob("*") if p.is_file()}
    assert {p.name for p in set(after) - set(before)} == {"04_agenda_synthesis.failed.ipynb"}
    assert all(after[p] == before[p] for p in before), "a failed run changed the published report"


@pytest.mark.parametrize("name, value, message", [
    ("split_year", 3000, "split_year=3000: the corpus runs from 2010 to 2025"),
    ("split_year", "twenty", "split_year='twenty': must be a whole number"),
    ("terms", "cybercrime", "terms='cybercrime': must be a list"),
    ("n_topics_grid", "abc", "n_topics_grid='abc': must be a list"),
    ("themes", "data/themes.yml", "unknown parameter 'themes' \\(renamed 'codebook'\\)"),
])
def test_bad_parameters_stop_before_any_kernel(tmp_path, name, value, message):
    from analysis.errors import ParameterError

    overrides = {"reports_dir": str(tmp_path / "reports"), "figures_dir": str(tmp_path / "figures"),
                 "cache_dir": str(tmp_path / "cache"), name: value}
    with pytest.raises(ParameterError, match=message):
        run_notebooks(notebooks_in(NOTEBOOKS), overrides, report_all=True, log=lambda *_: None)
    assert not (tmp_path / "reports").exists() or not any((tmp_path / "reports").glob("*.ipynb"))


def test_topics_grid_on_a_sample_then_models_on_every_document(report, tmp_path):
    """Notebook 02 with the K grid on one document a year (of a corpus with two documents in some
    years) and tomotopy LDA: the chosen models are fitted on every document, and the tables say so."""
    import shutil

    import pandas as pd

    from conftest import DATA

    corpus = tmp_path / "data"
    shutil.copytree(DATA, corpus)
    metadata = pd.read_csv(corpus / "metadata.csv", dtype=str, keep_default_na=False)
    copies = metadata.iloc[[0, -1]].assign(doc_id=lambda m: m["doc_id"] + "_copy")
    for row in copies.itertuples():
        source = corpus / metadata.loc[metadata["doc_id"] == row.doc_id[:-5], "file"].iloc[0]
        target = source.with_name(f"{row.doc_id}.txt")
        target.write_text(source.read_text(encoding="utf-8") + "\n\nA closing paragraph of the copy.\n", encoding="utf-8")
        copies.loc[row.Index, "file"] = target.relative_to(corpus).as_posix()
    pd.concat([metadata, copies]).to_csv(corpus / "metadata.csv", index=False)
    overrides = {**_copy_of_report(report, tmp_path), "corpus": str(corpus), "grid_sample_per_year": 1,
                 "lda_engine": "tomotopy", "gibbs_iterations": 50, "n_topics_grid": [3, 4], "n_seeds": 2,
                 "seeded_iterations": 50, "seeded_n_seeds": 1, "seeded_n_boot": 20, "dynamic_iterations": 20,
                 "null_draws": 50}
    run_notebooks([p for p in notebooks_in(NOTEBOOKS) if p.stem == "02_topic_models"], overrides, log=lambda *_: None)
    tables = Path(overrides["reports_dir"]) / "tables"
    doc_topics = pd.read_csv(tables / "doc_topics.csv")
    assert doc_topics["doc_id"].nunique() == 7  # every document, not the 5 of the grid's sample
    assert set(pd.read_csv(tables / "topic_model_selection.csv")["k"]) == {3, 4}
    convergence = pd.read_csv(tables / "topic_convergence.csv")
    assert set(convergence["model"]) == {"lda"} and convergence["iteration"].max() == 50
    text = _output_text(Path(overrides["reports_dir"]) / "02_topic_models.ipynb")
    assert "K grid on a sample of 5 documents (at most 1 a year)" in text
    assert "The K grid was fitted on a sample; the chosen models were then fitted on all" in text
