"""Provenance: corpus fingerprint, figure records and manifest, index page, changes between runs."""

import json
import re
from pathlib import Path

import pandas as pd

from analysis.plots.style import new_figure, save_figure
from analysis.io.corpus import corpus_fingerprint
from analysis.report.provenance import (describe_changes, figure_records, finalize_report, record_figure, record_run,
                                        sha256_file)
from analysis.report.results import ResultStore

DIGEST = "0" * 64


def finish(reports, figures, fingerprint, documents=("a",)):
    return finalize_report(reports, figures, fingerprint, "key", list(documents))


def test_fingerprint_follows_texts_metadata_and_codebook(corpus, tmp_path):
    base = corpus_fingerprint(corpus, DIGEST)
    assert base == corpus_fingerprint(corpus.iloc[::-1], DIGEST)  # row order does not matter
    edited = corpus.copy()
    edited.loc[0, "text"] += " "
    changed = corpus_fingerprint(edited, DIGEST)
    assert changed["texts"] != base["texts"] and changed["metadata"] == base["metadata"]
    retitled = corpus.copy()
    retitled.loc[0, "title"] = "Another title"
    assert corpus_fingerprint(retitled, DIGEST)["metadata"] != base["metadata"]
    other = corpus_fingerprint(corpus, "1" * 64)
    assert other["codebook"] != base["codebook"] and other["fingerprint"] != base["fingerprint"]


def test_saved_figures_carry_their_notebook_parameters_and_hashes(tmp_path):
    fig, ax = new_figure()
    ax.plot([0, 1], [1, 0])
    paths = save_figure(fig, "line", tmp_path / "figures",
                        on_save=lambda *args: record_figure(*args, "99_test", {"seed": 7, "corpus": "../data"}))
    [record] = figure_records(tmp_path / "figures")
    assert record["notebook"] == "99_test" and record["parameters"] == {"seed": 7, "corpus": "../data"}
    assert {f["file"]: f["sha256"] for f in record["files"]} == {p.name: sha256_file(p) for p in paths}
    (tmp_path / "figures" / "line.svg").unlink()  # a figure with a missing file is not listed
    assert figure_records(tmp_path / "figures") == []


def write_key_tables(reports: Path, first_cyber: int, terms: list[str], labels: list[str]) -> None:
    store = ResultStore(reports / "results", index_key="key", notebook="01_demo")
    store.put("theme_emergence", pd.DataFrame({"theme": ["cybercrime", "piracy"], "first_year": [first_cyber, None]}))
    store.put("keyness", pd.DataFrame({"comparison": "2020+ vs before", "term": terms,
                                       "g2": list(range(len(terms), 0, -1))}))
    store.put("topic_labels", pd.DataFrame({"model": "lda", "topic": list(range(1, len(labels) + 1)), "label": labels}))


def test_a_new_document_is_reported_with_what_it_changed(corpus, tmp_path):
    reports = tmp_path / "reports"
    write_key_tables(reports, 2016, ["online", "scam"], ["1: crime / drug"])
    fingerprint = corpus_fingerprint(corpus, DIGEST)
    assert record_run(reports, fingerprint, ["a", "b"]) == ["First recorded run: nothing to compare with."]
    assert record_run(reports, fingerprint, ["a", "b"]) == ["No change in the corpus, the codebook or the key results."]
    write_key_tables(reports, 2012, ["online", "wildlife"], ["1: crime / drug", "2: wildlife / timber"])
    changes = record_run(reports, fingerprint, ["a", "b", "c"])
    assert changes == [
        "Documents added: c.",
        "First year of cybercrime: 2016 -> 2012.",
        "Top 10 keyness terms (2020+ vs before): new wildlife; gone scam.",
        "LDA topics: new wildlife / timber; gone none.",
    ]
    assert "Documents added: c." in (reports / "changes.md").read_text(encoding="utf-8")


def test_renumbered_topics_are_no_change():
    previous = {"corpus": {}, "documents": ["a"], "results": {"topics": {"nmf": ["1: drug / crime", "2: law / court"]}}}
    current = {"corpus": {}, "documents": ["a"], "results": {"topics": {"nmf": ["1: law / court", "2: drug / crime"]}}}
    assert describe_changes(previous, current) == ["No change in the corpus, the codebook or the key results."]
    current["results"]["topics"]["nmf"][1] = "2: drug / fraud"
    assert describe_changes(previous, current) == ["NMF topics: new drug / fraud; gone drug / crime."]


def test_a_new_theme_is_reported():
    previous = {"corpus": {"codebook": "x", "texts": "t"}, "documents": ["a"], "results": {"first_year": {"a": 2010}}}
    current = {"corpus": {"codebook": "y", "texts": "t"}, "documents": ["a"],
               "results": {"first_year": {"a": 2010, "b": None}}}
    assert describe_changes(previous, current) == ["The codebook changed.", "New theme b: first found in no year (never found)."]


def test_index_links_resolve_and_manifest_lists_every_figure(corpus, tmp_path):
    reports, figures = tmp_path / "reports", tmp_path / "out" / "figures"
    fig, ax = new_figure()
    save_figure(fig, "demo", figures, on_save=lambda *args: record_figure(*args, "00_demo", {"seed": 1}))
    ResultStore(reports / "results", index_key="key", notebook="00_demo").put(
        "demo_table", pd.DataFrame({"a": [1]}), export="demo_table", latex=True)
    for suffix in (".ipynb", ".html"):
        (reports / f"00_demo{suffix}").write_text("{}", encoding="utf-8")
    (reports / "topics_lda.html").write_text("<html></html>", encoding="utf-8")
    fingerprint = corpus_fingerprint(corpus, DIGEST)
    changes = finish(reports, figures, fingerprint)
    manifest = json.loads((figures / "manifest.json").read_text(encoding="utf-8"))
    assert [f["figure"] for f in manifest["figures"]] == ["demo"]
    assert manifest["corpus"]["documents"] == 5 and manifest["packages"]["gensim"]
    assert "Out of date" not in (reports / "index.html").read_text(encoding="utf-8")
    page = (reports / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'(?:href|src)="([^"]+)"', page)
    anchors = [link for link in links if link.startswith("#")]  # the contents, to sections of the page
    assert anchors and all(f'id="{anchor[1:]}"' in page for anchor in anchors)
    links = [link for link in links if link not in anchors]
    assert {"00_demo.html", "00_demo.ipynb", "topics_lda.html", "tables/demo_table.csv", "tables/demo_table.tex",
            "../out/figures/demo.pdf", "../out/figures/demo.png", "../out/figures/manifest.json"} <= set(links)
    assert all((reports / link).exists() for link in links), [l for l in links if not (reports / l).exists()]
    assert manifest["corpus"]["fingerprint"] in page and changes[0] in page
    before = (reports / "index.html").read_bytes(), (figures / "manifest.json").read_bytes()
    finish(reports, figures, fingerprint)
    assert (figures / "manifest.json").read_bytes() == before[1]
    second = (reports / "index.html").read_bytes()
    assert second != before[0]  # now it says "no change"
    finish(reports, figures, fingerprint)
    assert (reports / "index.html").read_bytes() == second


def test_index_page_names_notebooks_out_of_date(corpus, tmp_path):
    reports, figures = tmp_path / "reports", tmp_path / "figures"
    ResultStore(reports / "results", index_key="old", notebook="01_demo", parameters={"split_year": 2016}).put(
        "x", 1)
    ResultStore(reports / "results", index_key="key", notebook="04_demo", parameters={"split_year": 2020}).put(
        "y", 1)
    finish(reports, figures, corpus_fingerprint(corpus, DIGEST))
    page = (reports / "index.html").read_text(encoding="utf-8")
    assert "01_demo is out of date" in page and "04_demo is out of date" not in page
    assert "01_demo ran with split_year=2016 but 04_demo with split_year=2020" in page
