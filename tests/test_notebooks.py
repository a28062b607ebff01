"""Every notebook runs headless on the default corpus, twice, with byte-identical tables and figures."""

import json

import pytest

from analysis.report.runner import notebooks_in, run_notebooks
from conftest import NOTEBOOKS

pytestmark = pytest.mark.notebooks


@pytest.fixture(scope="module")
def two_reports(tmp_path_factory):
    runs = []
    for name in ("first", "second"):
        base = tmp_path_factory.mktemp(name)
        run_notebooks(notebooks_in(NOTEBOOKS),
                      {"reports_dir": str(base / "reports"), "figures_dir": str(base / "figures")},
                      report_all=True, log=lambda *_: None)
        runs.append(base)
    return runs


def test_every_notebook_is_committed_clean_and_parameterized():
    for path in notebooks_in(NOTEBOOKS):
        nb = json.loads(path.read_text(encoding="utf-8"))
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), path.name
        assert sum("parameters" in c.get("metadata", {}).get("tags", []) for c in code) == 1, path.name


def test_every_notebook_executes_and_exports(two_reports):
    reports = two_reports[0] / "reports"
    for path in notebooks_in(NOTEBOOKS):
        assert (reports / f"{path.stem}.ipynb").exists()
        assert (reports / f"{path.stem}.html").stat().st_size > 10_000
        assert (reports / "parameters" / f"{path.stem}.json").exists()
    assert (reports / "tables" / "corpus_overview.csv").exists()
    assert (two_reports[0] / "figures" / "corpus_timeline.pdf").exists()


def test_tables_and_figures_are_byte_identical_across_runs(two_reports):
    first, second = two_reports
    for folder in ("reports/tables", "figures"):
        # the provenance records name the (different) output folders of the two runs
        files = sorted(p.relative_to(first) for p in (first / folder).iterdir() if p.is_file() and p.name != "manifest.json")
        assert files, folder
        assert files == sorted(p.relative_to(second) for p in (second / folder).iterdir()
                               if p.is_file() and p.name != "manifest.json")
        for relative in files:
            assert (first / relative).read_bytes() == (second / relative).read_bytes(), str(relative)
    browsers = sorted(p.name for p in (first / "reports").glob("topics_*.html"))
    assert browsers == ["topics_lda.html", "topics_nmf.html"]
    for name in browsers:
        assert (first / "reports" / name).read_bytes() == (second / "reports" / name).read_bytes(), name


def test_overview_table_matches_the_corpus(two_reports):
    import pandas as pd

    overview = pd.read_csv(two_reports[0] / "reports" / "tables" / "corpus_overview.csv")
    assert overview["paragraphs"].tolist() == [27, 37, 21, 46, 47]
    assert overview["operative_paragraphs"].tolist() == [17, 21, 12, 22, 13]


def test_every_theme_count_is_backed_by_kwic_rows(two_reports):
    import pandas as pd

    tables = two_reports[0] / "reports" / "tables"
    kwic = pd.read_csv(tables / "theme_kwic.csv")
    frequencies = pd.read_csv(tables / "theme_frequencies.csv")
    behind = kwic.groupby(["doc_id", "theme"]).size()
    assert frequencies["count"].sum() == len(kwic)
    for row in frequencies.itertuples():
        assert row.count == behind.get((row.doc_id, row.theme), 0)
    emergence = pd.read_csv(tables / "theme_emergence.csv").set_index("theme")
    assert emergence.loc["environmental_crime", "first_year"] == 2025
    keyness = pd.read_csv(tables / "keyness.csv")
    assert list(keyness.columns) == ["comparison", "term", "freq_target", "freq_reference", "g2", "p_value", "log_ratio"]


def test_executed_notebooks_show_their_figures(two_reports):
    reports = two_reports[0] / "reports"
    for path in notebooks_in(NOTEBOOKS):
        executed = json.loads((reports / f"{path.stem}.ipynb").read_text(encoding="utf-8"))
        images = sum("image/png" in output.get("data", {}) for cell in executed["cells"]
                     for output in cell.get("outputs", []))
        assert images >= 2, f"{path.name}: figures are saved but not shown in the report"


def test_topic_tables_are_consistent(two_reports):
    import pandas as pd

    tables = two_reports[0] / "reports" / "tables"
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


def test_report_has_an_index_and_a_manifest_of_every_figure(two_reports):
    import re

    reports, figures = two_reports[0] / "reports", two_reports[0] / "figures"
    manifest = json.loads((figures / "manifest.json").read_text(encoding="utf-8"))
    listed = {f["file"] for record in manifest["figures"] for f in record["files"]}
    assert listed == {p.name for p in figures.iterdir() if p.suffix in (".pdf", ".svg", ".png")}
    assert {record["notebook"] for record in manifest["figures"]} == {p.stem for p in notebooks_in(NOTEBOOKS)}
    page = (reports / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'(?:href|src)="([^"]+)"', page)
    assert all((reports / link).exists() for link in links)
    assert all(f"{p.stem}.html" in links for p in notebooks_in(NOTEBOOKS))
    assert "First recorded run" in (reports / "changes.md").read_text(encoding="utf-8")


def test_adding_a_document_is_reported_by_the_next_run(tmp_path):
    """Run notebook 01 on a copy of the corpus, add a 2019 document that names wildlife
    trafficking, run it again: the change report names the document and the new first year."""
    import shutil

    from conftest import DATA, THEMES

    corpus = tmp_path / "data"
    shutil.copytree(DATA, corpus)
    overrides = {"corpus": str(corpus), "themes": str(THEMES), "reports_dir": str(tmp_path / "reports"),
                 "figures_dir": str(tmp_path / "figures"), "n_boot": 10}
    notebook = [p for p in notebooks_in(NOTEBOOKS) if p.stem == "01_term_trends"]
    run_notebooks(notebook, overrides, log=lambda *_: None)
    (corpus / "corpus" / "2019_test_wildlife.txt").write_text(
        "Resolution on wildlife\n\n1. Calls on parliaments to end wildlife trafficking in the region.\n", encoding="utf-8")
    with open(corpus / "metadata.csv", "a", encoding="utf-8") as metadata:
        metadata.write("2019_test_wildlife,2019,2019,IPU,test,Wildlife,resolution,corpus/2019_test_wildlife.txt,\n")
    run_notebooks(notebook, overrides, log=lambda *_: None)
    changes = (tmp_path / "reports" / "changes.md").read_text(encoding="utf-8")
    assert "Documents added: 2019_test_wildlife." in changes
    assert "First year of environmental_crime: 2025 -> 2019." in changes
    assert "First year of environmental_crime" in (tmp_path / "reports" / "index.html").read_text(encoding="utf-8")
