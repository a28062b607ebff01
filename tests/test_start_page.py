"""The start page (findings from the run's results, figures, tables, provenance) and the KWIC explorer."""

import json
import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import pandas as pd
import pytest


from analysis.report.kwic_explorer import ROWS_PER_PAGE, kwic_payload
from analysis.report.provenance import finalize_report
from analysis.report.results import ResultStore
from analysis.report.start_page import (FIGURE_CAPTIONS, NO_DESCRIPTION, PAGE_DESCRIPTIONS, TABLE_DESCRIPTIONS,
                                        description_for)
from analysis.synthesis.robustness import robustness_summary

from conftest import NOTEBOOKS

FINGERPRINT = {"codebook": "c" * 64, "documents": 3, "fingerprint": "f" * 64, "metadata": "m" * 64, "texts": "t" * 64}
DOCUMENTS = {"D2010": 2010, "D2012": 2012, "D2013": 2013}
WORDS = {2010: 1000, 2012: 2000, 2013: 4000}


def made_by_notebooks(call: str) -> set[str]:
    """The names the notebooks give ``call`` (``export=`` or ``save_figure(fig,``), an f-string's
    fields written ``{}``."""
    pattern = {"export": r'export=(f?)"([^"]+)"', "figure": r'save_figure\(\s*\w+,\s*(f?)"([^"]+)"',
               "page": r'write_page\(\s*(f?)"([^"]+)\.html"'}[call]
    names = set()
    for notebook in sorted(NOTEBOOKS.glob("*.ipynb")):
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            for is_f, name in re.findall(pattern, "".join(cell["source"])):
                names.add(re.sub(r"\{[^}]*\}", "{}", name) if is_f else name)
    return names


@pytest.mark.parametrize("call, registry", [("export", TABLE_DESCRIPTIONS), ("figure", FIGURE_CAPTIONS),
                                            ("page", PAGE_DESCRIPTIONS)])
def test_every_table_figure_and_page_of_the_notebooks_has_its_line(call, registry):
    names = made_by_notebooks(call)
    assert len(names) >= {"export": 30, "figure": 14, "page": 1}[call]  # the scan finds them
    assert sorted(name for name in names if name not in registry) == []


def test_a_pattern_stands_for_the_names_made_in_a_loop():
    assert description_for("topic_terms_lda", FIGURE_CAPTIONS) == "The top terms of each topic of the LDA model."
    assert description_for("similarity_newmeasure", TABLE_DESCRIPTIONS).endswith("by the newmeasure measure.")
    assert description_for("nothing_like_it", TABLE_DESCRIPTIONS) is None


def kwic_rows() -> pd.DataFrame:
    """alpha: 2 mentions in 2010, 3 in 2012; beta: 2 in 2013 (one with a closing script tag in its context);
    gamma (in the codebook) none."""
    rows = [("D2010", "p01", "alpha", "alpha*", "in 2010 the ", "alpha", " came first"),
            ("D2010", "p02", "alpha", "alpha*", "again ", "alphas", ""),
            ("D2012", "p01", "alpha", "alpha*", "", "alpha", " in 2012"),
            ("D2012", "p01", "alpha", "alpha*", "more ", "alpha", " here"),
            ("D2012", "p03", "alpha", "alpha*", "last ", "alpha", " of 2012"),
            ("D2013", "p02", "beta", "beta", "a new ", "beta", " </script><b>not markup</b>"),
            ("D2013", "p04", "beta", "beta", "the ", "beta", " again")]
    return pd.DataFrame([{"doc_id": doc, "year": DOCUMENTS[doc], "paragraph_id": f"{doc}:{p}", "theme": theme,
                          "pattern": pattern, "left": left, "match": match, "right": right}
                         for doc, p, theme, pattern, left, match, right in rows])


def write_run(reports: Path, kwic: pd.DataFrame | None = None) -> None:
    """The results of a small run, as its notebooks store them."""
    kwic = kwic_rows() if kwic is None else kwic
    results = reports / "results"
    overview = pd.DataFrame({"doc_id": list(DOCUMENTS), "year": list(DOCUMENTS.values()),
                             "words": [WORDS[y] for y in DOCUMENTS.values()], "paragraphs": [4, 4, 4]})
    ResultStore(results, "key", "00_demo").put("corpus_overview", overview, export="corpus_overview")
    store = ResultStore(results, "key", "01_demo", parameters={"split_year": 2012})
    store.put("theme_kwic", kwic, export="theme_kwic")
    emergence = pd.DataFrame({"theme": ["alpha", "beta", "gamma"], "first_year": pd.array([2010, 2013, None], "Int64"),
                              "first_paragraph_id": ["D2010:p01", "D2013:p02", None],
                              "peak_year": pd.array([2010, 2013, None], "Int64"), "peak_per_10k": [20.0, 5.0, None],
                              "years_present": [2, 1, 0]})
    store.put("theme_emergence", emergence, export="theme_emergence")
    counts = {("alpha", 2010): 2, ("alpha", 2012): 3, ("beta", 2013): 2}
    trends = pd.DataFrame([{"theme": theme, "year": year, "count": counts.get((theme, year), 0),
                            "word_tokens": WORDS[year]} for theme in ("alpha", "beta", "gamma") for year in WORDS])
    store.put("theme_trends", trends.assign(per_10k=1e4 * trends["count"] / trends["word_tokens"]),
              export="theme_trends")
    store.put("mystery_table", pd.DataFrame({"x": [1]}), export="mystery_table")
    synthesis = ResultStore(results, "key", "04_demo")
    # alpha holds under all 8 perturbations; beta under 4 of 8 (leaving out D2013 breaks it, and
    # 3 codebook perturbations); gamma under 2 of 8, and 1 more could not be measured
    claims = (["alpha: first year 2010"] * 8 + ["beta: first year 2013"] * 8
              + ["gamma: rate rises (2012+ vs before)"] * 9)
    statuses = (["holds"] * 8 + ["holds"] * 4 + ["does not hold"] * 4
                + ["holds"] * 2 + ["does not hold"] * 6 + ["cannot be measured"])
    perturbations = ["codebook"] * 12 + ["document"] + ["codebook"] * 3 + ["codebook"] * 9
    specifications = [f"leave out D2013" if kind == "document" else f"spec {i}" for i, kind in enumerate(perturbations)]
    synthesis.put("robustness_summary", robustness_summary(pd.DataFrame({
        "claim": claims, "theme": [c.split(":")[0] for c in claims], "perturbation": perturbations,
        "specification": specifications, "status": statuses})), export="robustness_summary")
    synthesis.put("table_emergence", pd.DataFrame({"Theme": ["Alpha crime", "Beta crime", "Gamma crime"],
                                                   "First paragraph": ["D2010:p01", "D2013:p02", None],
                                                   "Peak year": pd.array([2010, 2013, None], "Int64")}))


def text_of(page: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.fixture()
def run(tmp_path):
    reports, figures = tmp_path / "reports", tmp_path / "figures"
    write_run(reports)
    finalize_report(reports, figures, FINGERPRINT, "key", list(DOCUMENTS))
    return reports, figures


def test_the_page_opens_with_the_findings_of_the_run(run):
    reports, _ = run
    page = (reports / "index.html").read_text(encoding="utf-8")
    text = text_of(page)
    assert re.search(r"<h1>[^<]*agenda[^<]*</h1>", page)
    assert "This run: 3 documents from 2010 to 2013, 7,000 words; 3 codebook themes, 3 of them in focus: " \
           "Alpha crime, Beta crime, Gamma crime." in text
    # 2010 is the corpus's first year: no first appearance can be claimed for alpha
    assert ("Alpha crime is already mentioned in 2010, in D2010:p01: “…in 2010 the alpha came first…”. That is "
            "the corpus's first year, so this is no first appearance") in text
    assert "5 mentions in all, in 2 years." in text
    assert "Beta crime first appears in 2013, in D2013:p02" in text and "Gamma crime is never mentioned" in text
    # pooled rates: alpha 2 / 1000 words before 2012, 3 / (2000 + 4000) from 2012 on
    assert "Alpha crime: 20.0 mentions per 10,000 words before 2012, 5.0 from 2012 on" in text
    assert "Beta crime: no mention before 2012, 3.3 mentions per 10,000 words from 2012 on" in text
    assert "mentioned in 1 of the 3 years with documents" in text
    assert "Gamma crime: no mention in any year, so no trend." in text
    assert ("1 of 3 claims hold under at least 80% of the perturbations they could be measured under; 1 under "
            "fewer than 50%.") in text
    assert "Alpha crime — first year 2010: holds under 8 of 8 perturbations." in text
    assert ("Beta crime — first year 2013: holds under 4 of 8 perturbations; rests on one document: D2013; "
            "broken by spec 13, spec 14, spec 15.") in text
    assert "Gamma crime — rate rises (2012+ vs before): holds under 2 of 8 perturbations (1 could not be measured)" \
        in text
    order = [page.index(marker) for marker in ('id="findings"', 'id="figures"', 'id="tables"', 'id="provenance"',
                                               FINGERPRINT["fingerprint"])]
    assert order == sorted(order)


def test_tables_are_described_and_an_unknown_one_says_so(run):
    reports, _ = run
    page = (reports / "index.html").read_text(encoding="utf-8")
    rows = {re.search(r'href="tables/(\w+)\.csv"', row).group(1): text_of(row)
            for row in re.findall(r"<tr><td><a href=\"tables/.*?</tr>", page)}
    assert set(rows) == {"corpus_overview", "theme_kwic", "theme_emergence", "theme_trends", "mystery_table",
                         "robustness_summary"}
    assert rows["mystery_table"].endswith(f"1 {NO_DESCRIPTION} 01_demo")
    assert TABLE_DESCRIPTIONS["theme_kwic"] in unescape(rows["theme_kwic"]) and "7" in rows["theme_kwic"]


def test_a_stale_result_is_left_out_with_the_store_message(run):
    reports, figures = run
    ResultStore(reports / "results", "old-index", "04_demo").put(
        "robustness_summary",
        pd.DataFrame({"claim": ["alpha: x"], "specifications": [1], "holds": [1], "share": [1.0]}))
    finalize_report(reports, figures, FINGERPRINT, "key", list(DOCUMENTS))
    text = text_of((reports / "index.html").read_text(encoding="utf-8"))
    assert "Out of date" in text and "The claims, and how robust they are" not in text
    assert "Left out of these findings: result 'robustness_summary' was made by 04_demo from another corpus" in text


def test_pages_are_the_same_bytes_on_the_same_results(run):
    reports, figures = run
    before = {name: (reports / name).read_bytes() for name in ("index.html", "kwic.html")}
    finalize_report(reports, figures, FINGERPRINT, "key", list(DOCUMENTS))  # now "no change"
    second = {name: (reports / name).read_bytes() for name in ("index.html", "kwic.html")}
    assert second["kwic.html"] == before["kwic.html"]
    finalize_report(reports, figures, FINGERPRINT, "key", list(DOCUMENTS))
    assert {name: (reports / name).read_bytes() for name in second} == second


def test_no_kwic_rows_no_explorer(tmp_path):
    reports, figures = tmp_path / "reports", tmp_path / "figures"
    write_run(reports)
    finalize_report(reports, figures, FINGERPRINT, "key", list(DOCUMENTS))
    for suffix in (".parquet", ".meta.json"):
        (reports / "results" / f"theme_kwic{suffix}").unlink()
    finalize_report(reports, figures, FINGERPRINT, "key", list(DOCUMENTS))
    assert not (reports / "kwic.html").exists() and "kwic.html" not in (reports / "index.html").read_text("utf-8")


def test_the_explorer_data_gives_back_every_row():
    kwic = kwic_rows().sample(frac=1, random_state=3)  # any order in, year and document order out
    payload = kwic_payload(kwic, {"alpha": "Alpha crime"})
    assert payload["themes"] == [["alpha", "Alpha crime"], ["beta", "beta"]] and payload["paragraph_prefix"]
    back = [(payload["documents"][d][0], payload["documents"][d][1], f"{payload['documents'][d][0]}:{p}",
             payload["themes"][t][0], payload["patterns"][pattern], left, match, right)
            for t, d, p, pattern, left, match, right in payload["rows"]]
    assert sorted(back) == sorted(kwic_rows().itertuples(index=False, name=None))
    assert [row[1] for row in back] == sorted(row[1] for row in back)


# --- in a real browser ----------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def rendered(url: str) -> str:
    """The DOM of ``url`` after its scripts ran, from headless Chromium."""
    done = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=5000",
                           "--dump-dom", url], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def shown_rows(dom: str) -> list[dict]:
    return [dict(re.findall(r'data-(\w+)="([^"]*)"', row)) for row in re.findall(r"<tr [^>]*data-theme[^>]*>", dom)]


@pytest.mark.skipif(CHROMIUM is None, reason="no headless browser: install Debian's chromium to check the pages")
def test_in_chromium_the_explorer_filters_and_pages(tmp_path):
    reports, figures = tmp_path / "reports", tmp_path / "figures"
    # 250 more mentions of alpha in 2012, 255 in all: pages of 100, 100 and 55 rows
    extra = pd.DataFrame([{"doc_id": "D2012", "year": 2012, "paragraph_id": f"D2012:p{i:03d}", "theme": "alpha",
                           "pattern": "alpha*", "left": "x ", "match": "alpha", "right": f" {i}"} for i in range(250)])
    write_run(reports, pd.concat([kwic_rows(), extra], ignore_index=True))
    finalize_report(reports, figures, FINGERPRINT, "key", list(DOCUMENTS))
    explorer = (reports / "kwic.html").as_uri()
    beta = shown_rows(rendered(explorer + "#theme=beta"))
    assert [row["theme"] for row in beta] == ["beta", "beta"] and {row["doc"] for row in beta} == {"D2013"}
    dom = rendered(explorer + "#theme=alpha&page=3")
    assert len(shown_rows(dom)) == 255 - 2 * ROWS_PER_PAGE and "Mentions 201–255 of 255, in 2 documents." in dom
    assert "not markup" in dom and "<b>not markup</b>" not in dom  # context is text, never markup
    early = shown_rows(rendered(explorer + "#to=2010"))
    assert len(early) == 2 and {row["year"] for row in early} == {"2010"}
    assert len(shown_rows(rendered(explorer + "#doc=D2013"))) == 2
    assert "This run: 3 documents" in rendered((reports / "index.html").as_uri())


def test_a_rare_theme_is_not_rounded_to_nothing():
    from analysis.report.story import theme_trend_sentences

    trends = pd.DataFrame({"theme": "rare", "year": [2000, 2001], "count": [0, 1], "word_tokens": [500_000, 1_500_000]})
    emergence = pd.DataFrame({"theme": ["rare"], "peak_year": [2001], "peak_per_10k": [1e4 / 1_500_000]})
    [sentence] = theme_trend_sentences(trends, emergence, {}, ["rare"], split_year=2001)
    # one mention in 1.5 million words: 0.00667 per 10,000 words
    assert sentence == ("rare: no mention before 2001, 0.0067 mentions per 10,000 words from 2001 on; highest in 2001 "
                        "(0.0067 per 10,000 words); mentioned in 1 of the 2 years with documents.")
