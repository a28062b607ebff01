"""The codebook validation workbench: ``python -m analysis codebook sample|score``.

Expected values are worked out by hand in the comments (Wilson intervals with z = 1.96, the
allocation, the stratified recall) or read from the seed documents' text. The sheet tests run on
a copy of data/ with the small codebook below, so that the counts read from the text do not move
when data/themes.yml is revised."""

import csv
import io
import re
import shutil

import pandas as pd
import pytest

from analysis.io.codebook import read_codebook
from analysis.report.cli import main
from analysis.report.codebook_sheet import (SHEET_COLUMNS, check_sheet, near_miss_words, open_index, read_sheet,
                                            score_frame, year_periods)
from analysis.stats.validation import allocate_sample, stratified_recall, wilson_interval

from conftest import DATA

FOCUS = ["cybercrime", "scam_compounds", "environmental_crime"]
CODEBOOK = """\
themes:
  cybercrime:
    group: focus
    description: Crimes committed against or through computer systems and ICT.
    include: ["cybercrime*", "cyber crime*", "hacking", "malware", "ransomware", "electronic evidence"]
  scam_compounds:
    group: focus
    description: Online fraud and scam operations run from compounds in South-East Asia.
    include: ["scam compound*", "scam", "scams", "online fraud*", "forced criminality"]
  environmental_crime:
    group: focus
    description: Crimes that affect the environment.
    include: ["environmental crime*", "crime* (that|which) affect* the environment",
              "illegal (logging|fishing|mining|deforestation)", "wildlife (trafficking|crime*|trade)"]
  drug_trafficking:
    description: Drug trafficking.
    include: ["drug*"]
"""
SEED_PERIODS = {2010: "2010", 2015: "2015-2016", 2016: "2015-2016", 2023: "2023", 2025: "2025"}


# -- the statistics ------------------------------------------------------------------------------

def test_wilson_interval_against_values_worked_out_by_hand():
    # 3 of 4, z = 1.96: centre (0.75 + 3.8416/8) / (1 + 3.8416/4) = 1.2302 / 1.9604 = 0.62753;
    # half 1.96 sqrt(0.75*0.25/4 + 3.8416/64) / 1.9604 = 1.96 * 0.326956 / 1.9604 = 0.32689
    low, high = wilson_interval(3, 4, z=1.96)
    assert low == pytest.approx(0.30064, abs=1e-4) and high == pytest.approx(0.95442, abs=1e-4)
    # 0 of 10: the upper bound is z^2 / (n + z^2) = 3.8416 / 13.8416
    assert wilson_interval(0, 10, z=1.96) == (0.0, pytest.approx(0.27754, abs=1e-4))
    assert wilson_interval(10, 10)[1] == 1.0
    assert all(value != value for value in wilson_interval(0, 0))  # NaN: nothing coded


def test_allocation_is_proportional_with_one_from_every_nonempty_cell():
    assert allocate_sample([10, 20, 30, 40], 10) == [1, 2, 3, 4]
    # the cell of 1 gets its one; 19 shared 100 : 10 = 17.27 : 1.73 -> 17 and 2
    assert allocate_sample([100, 10, 0, 1], 20) == [17, 2, 0, 1]
    assert allocate_sample([3, 2], 50) == [3, 2]  # fewer units than asked for: all of them
    assert allocate_sample([5, 5, 5], 2) == [1, 1, 1]  # every cell is represented
    # the seed corpus's cybercrime matches, 1, 1, 13, 5 a period, n = 10: the two cells of one get
    # 1 each, 8 shared 13 : 5 = 5.78 : 2.22 -> 5 + 1 (largest remainder) and 2
    assert allocate_sample([1, 1, 13, 5], 10) == [1, 1, 6, 2]


def test_stratified_recall_by_hand():
    # matched stratum, 40 paragraphs, 4 coded, 3 relevant -> 30 relevant found;
    # near-miss stratum, 200 paragraphs in two periods of 100: 1 of 2 and 0 of 3 coded relevant
    # -> (100 * 0.5 + 100 * 0) = 50 relevant missed; recall = 30 / 80
    estimate = stratified_recall(found=[1, 1, 1, 0, 0, 0, 0, 0, 0], missed=[0, 0, 0, 0, 1, 0, 0, 0, 0],
                                 stratum=["m"] * 4 + ["u"] * 5, cell=["all"] * 4 + ["a", "a", "b", "b", "b"],
                                 cell_size=[40] * 4 + [100] * 5)
    assert estimate.relevant_found == pytest.approx(30) and estimate.relevant_missed == pytest.approx(50)
    assert estimate.recall == pytest.approx(0.375)
    assert estimate.low < 0.375 < estimate.high
    # a third near-miss period of 100 with nothing coded counts at the stratum's share, 50 / 200:
    # 300 * 0.25 = 75 relevant missed; recall 30 / 105
    estimate = stratified_recall(found=[1, 1, 1, 0, 0, 0, 0, 0, 0], missed=[0, 0, 0, 0, 1, 0, 0, 0, 0],
                                 stratum=["m"] * 4 + ["u"] * 5, cell=["all"] * 4 + ["a", "a", "b", "b", "b"],
                                 cell_size=[40] * 4 + [100] * 5, stratum_sizes={"m": 40, "u": 300})
    assert estimate.relevant_missed == pytest.approx(75) and estimate.recall == pytest.approx(30 / 105)


def test_recall_interval_combines_the_wilson_bounds():
    # one cell a stratum (equal weights): the lower bound puts the matched stratum's found share
    # at its lower bound, Wilson(3, 4) = 0.30064, and the missed shares at their upper bounds,
    # Wilson(1, 5) = 0.62447 in the near misses and Wilson(0, 4) = 0.48990 in the matched:
    # 40 * 0.30064 / (40 * 0.30064 + 200 * 0.62447 + 40 * 0.48990) = 12.0254 / 156.516 = 0.07683
    estimate = stratified_recall(found=[1, 1, 1, 0, 0, 0, 0, 0, 0], missed=[0, 0, 0, 0, 1, 0, 0, 0, 0],
                                 stratum=["m"] * 4 + ["u"] * 5, cell=["p"] * 9, cell_size=[40] * 4 + [200] * 5,
                                 z=1.96)
    assert estimate.recall == pytest.approx(30 / 70)
    assert estimate.low == pytest.approx(0.07683, abs=1e-4)


def test_periods_suit_five_documents_and_seventy_eight_years():
    # the seed corpus: 27, 37, 21, 46, 47 paragraphs; a year's period is
    # floor(4 * (paragraphs before + half its own) / 178): 0.30, 1.02, 1.67, 2.43, 3.47
    years = [2010] * 27 + [2015] * 37 + [2016] * 21 + [2023] * 46 + [2025] * 47
    assert year_periods(years) == SEED_PERIODS
    # one paragraph a year 1946-2023: year i goes to floor(4 * (i + 0.5) / 78)
    periods = year_periods(range(1946, 2024))
    assert sorted(set(periods.values())) == ["1946-1964", "1965-1984", "1985-2003", "2004-2023"]


# -- the sheet -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A copy of data/ with :data:`CODEBOOK` to run the commands in (the index cache goes to its
    .cache/index)."""
    folder = tmp_path_factory.mktemp("codebook")
    shutil.copytree(DATA, folder / "data")
    (folder / "data" / "themes.yml").write_text(CODEBOOK, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def codebook(workdir):
    return read_codebook(workdir / "data" / "themes.yml")


def run(folder, *argv):
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        return main(list(argv))


@pytest.fixture(scope="module")
def sheet_path(workdir):
    assert run(workdir, "codebook", "sample", "--n", "10", "--seed", "3", "--out", "sheets/sheet.csv") == 0
    return workdir / "sheets" / "sheet.csv"


@pytest.fixture(scope="module")
def sheet(sheet_path):
    return pd.read_csv(sheet_path, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def index(workdir):
    return open_index(workdir / "data", workdir / "data" / "themes.yml", cache_dir=workdir / ".cache" / "index")


def test_sheet_and_page_are_written_and_reproducible(workdir, sheet_path):
    page = sheet_path.with_suffix(".html")
    first, first_page = sheet_path.read_bytes(), page.read_bytes()
    assert run(workdir, "codebook", "sample", "--n", "10", "--seed", "3", "--out", "sheets/again.csv") == 0
    assert (workdir / "sheets" / "again.csv").read_bytes() == first
    assert run(workdir, "codebook", "sample", "--n", "10", "--seed", "4", "--out", "sheets/other.csv") == 0
    assert (workdir / "sheets" / "other.csv").read_bytes() != first
    again_page = (workdir / "sheets" / "again.html").read_text(encoding="utf-8")
    assert again_page.replace("again.csv", "sheet.csv").encode("utf-8") == first_page
    text = first_page.decode("utf-8")
    assert "http" not in text.replace("http://www.w3", "")  # no external resources
    assert "Crimes committed against or through computer systems and ICT." in text  # the definition
    assert text.count("class='card'") == len(pd.read_csv(sheet_path))


def test_sheet_columns_strata_and_periods(sheet):
    assert list(sheet.columns) == [c for c in SHEET_COLUMNS if c != "country"]  # the seed corpus has body
    assert list(dict.fromkeys(sheet["theme"])) == FOCUS
    assert set(sheet["stratum"]) == {"matched", "near_miss"}
    assert all(SEED_PERIODS[int(year)] == period for year, period in zip(sheet["year"], sheet["period"]))
    assert sheet["row_id"].is_unique and sheet["row_id"].iloc[0] == "cybercrime-001"
    assert (sheet["relevant"] == "").all() and (sheet["note"] == "").all()
    # paragraphs with cybercrime, cyber crime, hacking, malware, ransomware or electronic evidence
    # in the seed texts: 1 in 2010 (its list of "other forms of organized crime"), 1 in the 2016
    # statement, 9 in the 2023 resolution, 3 in the 2025 report (its lines 52 and 54 are one
    # paragraph, "10.", broken by a page break). n = 10: the two periods of one paragraph get
    # 1 each, 8 shared 9 : 3 -> 6 and 2
    matched = sheet[(sheet["theme"] == "cybercrime") & (sheet["stratum"] == "matched")]
    sizes = matched.groupby("period")["stratum_size"].first().astype(int).to_dict()
    assert sizes == {"2010": 1, "2015-2016": 1, "2023": 9, "2025": 3}
    assert matched["period"].value_counts().to_dict() == {"2023": 6, "2025": 2, "2010": 1, "2015-2016": 1}
    weights = matched.groupby("period")["weight"].first().astype(float)
    assert weights["2023"] == 1.5 and weights["2025"] == 1.5
    for _, rows in sheet.groupby(["theme", "stratum", "period"]):
        assert len(rows) <= int(rows["stratum_size"].iloc[0])


def test_matched_rows_hold_a_match_and_near_misses_do_not(sheet, index, codebook):
    kwic = index.kwic
    for row in sheet.itertuples():
        theme_matches = kwic[(kwic["theme"] == row.theme) & (kwic["paragraph_id"] == row.paragraph_id)]
        marked = re.findall(r"\[\[(.*?)\]\]", row.passage)
        if row.stratum == "matched":
            assert row.patterns and sorted(marked) == sorted(theme_matches["match"]), row.row_id
            assert set(row.patterns.split("; ")) == set(theme_matches["pattern"])
        else:
            assert theme_matches.empty and not marked and not row.patterns, row.row_id
            assert row.near_miss_words, row.row_id
        for word in filter(None, row.near_miss_words.split("; ")):
            assert re.search(rf"(?<!\w){re.escape(word)}(?!\w)", row.passage, re.IGNORECASE), (row.row_id, word)
    assert (sheet["codebook_digest"] == codebook.patterns_digest).all()


def test_near_miss_words_follow_the_stem_rule(index, codebook):
    words, common = near_miss_words(codebook["environmental_crime"], index)
    words = set(words.values())
    # the seed texts' words sharing a Snowball stem with a pattern's word: "logging", "fishing",
    # "mining" (illegal (logging|fishing|mining|...)), "wildlife", "trade", "deforestation" ...
    assert {"logging", "fishing", "mining", "wildlife", "trade", "deforestation"} <= words
    # ... but not "crime": 64 of the 178 paragraphs (36 %) hold "crime" or "crimes", over 2 %;
    # nor "illegal" (8 paragraphs, 4.5 %); nor "drug" (no pattern word of the theme)
    assert common["crime"] == pytest.approx(64 / 178) and common["illeg"] == pytest.approx(8 / 178)
    assert not words & {"crime", "crimes", "illegal", "drug", "drugs"}
    cyber, _ = near_miss_words(codebook["cybercrime"], index, common_share=0.5)
    assert {"cybercrime", "cyber", "electronic", "evidence-based"} <= set(cyber.values())  # a larger share


def test_context_is_the_neighbouring_paragraphs(sheet, index):
    paragraphs = index.paragraphs.set_index("paragraph_id")
    row = sheet.iloc[0]
    doc, number = row["paragraph_id"].rsplit(":p", 1)
    previous = paragraphs.loc[f"{doc}:p{int(number) - 1:02d}", "text"]
    following = paragraphs.loc[f"{doc}:p{int(number) + 1:02d}", "text"]
    assert previous.strip().endswith(row["context_before"].removeprefix("… ").strip())
    assert following.startswith(row["context_after"].removesuffix(" …"))


# -- the score -----------------------------------------------------------------------------------

def write_sheet(frame, path):
    path.write_text(frame.to_csv(index=False, lineterminator="\n"), encoding="utf-8")
    return path


def coded_by_hand(sheet):
    """Cybercrime coded: in 2023 the first three of six matched rows relevant, in 2025 both,
    2010 relevant, 2015-2016 not; of the two near misses the first relevant. The other themes
    left blank."""
    coded = sheet.copy()
    cyber = coded["theme"] == "cybercrime"
    for (stratum, period), rows in coded[cyber].groupby(["stratum", "period"]):
        if stratum == "matched":
            relevant = {"2023": 3, "2025": 2, "2010": 1, "2015-2016": 0}[period]
            coded.loc[rows.index, "relevant"] = ["1"] * relevant + ["0"] * (len(rows) - relevant)
    near = coded[cyber & (coded["stratum"] == "near_miss")].index
    coded.loc[near, "relevant"] = ["1"] + ["0"] * (len(near) - 1)
    return coded


def test_score_of_a_sheet_coded_by_hand(workdir, sheet, index, codebook):
    near = sheet[(sheet["theme"] == "cybercrime") & (sheet["stratum"] == "near_miss")]
    assert len(near) == 2 and (near["weight"].astype(float) == 1).all()  # every near miss sampled
    path = write_sheet(coded_by_hand(sheet), workdir / "coded.csv")
    table, notes = score_frame(check_sheet(read_sheet(path), index, codebook), index, codebook)
    cyber = table.set_index("theme").loc["cybercrime"]
    assert (cyber["tp"], cyber["fp"], cyber["fn"], cyber["tn"]) == (6, 4, 1, 1)
    # precision 6 / 10; Wilson(6, 10), z = 1.96: centre (0.6 + 0.19208) / 1.38416 = 0.57224,
    # half 1.96 sqrt(0.024 + 0.009604) / 1.38416 = 0.25958
    assert cyber["precision"] == pytest.approx(0.6)
    assert cyber["precision_low"] == pytest.approx(0.31267, abs=1e-4)
    assert cyber["precision_high"] == pytest.approx(0.83182, abs=1e-4)
    # relevant matched: 9 * 3/6 + 3 * 2/2 + 1 * 1 + 1 * 0 = 8.5 of 14; relevant near misses,
    # both sampled (weight 1): 1; recall 8.5 / 9.5
    assert cyber["relevant_matched_est"] == pytest.approx(8.5)
    assert cyber["relevant_unmatched_est"] == pytest.approx(1)
    assert cyber["precision_weighted"] == pytest.approx(8.5 / 14)
    assert cyber["recall"] == pytest.approx(8.5 / 9.5)
    assert cyber["recall_low"] < cyber["recall"] < cyber["recall_high"] <= 1
    assert (cyber["matched_population"], cyber["near_miss_population"]) == (14, 2)
    false_rows = coded_by_hand(sheet).query("theme == 'cybercrime' and stratum == 'matched' and relevant == '0'")
    expected = {}
    for patterns in false_rows["patterns"]:
        for pattern in patterns.split("; "):
            expected[pattern] = expected.get(pattern, 0) + 1
    shown = dict(re.findall(r"(.+?) \((\d+)\)(?:; |$)", cyber["false_positive_patterns"]))
    assert {pattern: int(count) for pattern, count in shown.items()} == expected
    scam = table.set_index("theme").loc["scam_compounds"]
    assert scam["coded"] == 0 and scam["uncoded"] == len(sheet[sheet["theme"] == "scam_compounds"])
    assert any(note.startswith("scam_compounds: 8 uncoded") for note in notes)  # 7 matched + 1 near miss


def test_score_command_prints_and_writes_the_table(workdir, sheet, capsys):
    path = write_sheet(coded_by_hand(sheet), workdir / "coded_cli.csv")
    capsys.readouterr()
    assert run(workdir, "codebook", "score", str(path), "--out", "scores.csv") == 0
    printed = capsys.readouterr().out
    assert "cybercrime" in printed and "outside" in printed and "false positives by pattern" in printed
    scores = pd.read_csv(workdir / "scores.csv")
    assert scores.loc[scores["theme"] == "cybercrime", "precision"].item() == pytest.approx(0.6)


def test_score_warns_when_the_codebook_changed(workdir, sheet, capsys):
    codebook = (workdir / "data" / "themes.yml").read_text(encoding="utf-8")
    changed = workdir / "themes_internet.yml"
    changed.write_text(codebook.replace('"ransomware"', '"ransomware", "internet"'), encoding="utf-8")
    path = write_sheet(coded_by_hand(sheet), workdir / "coded_changed.csv")
    capsys.readouterr()
    assert run(workdir, "codebook", "score", str(path), "--codebook", str(changed)) == 0
    printed = capsys.readouterr().out
    assert "warning: the sheet was sampled with another codebook" in printed
    # the 2015 near miss, "... using the Internet and electronic communications", now matches
    assert "cybercrime: 1 coded row(s) change stratum" in printed


@pytest.mark.parametrize("change, line, column", [
    (lambda s: s.drop(columns=["relevant"]), 1, "relevant"),
    (lambda s: s.assign(relevant=["", "", "yes"] + [""] * (len(s) - 3)), 4, "column relevant"),
    (lambda s: s.assign(row_id=["cybercrime-001"] * 2 + list(s["row_id"][2:])), 3, "column row_id"),
    (lambda s: s.assign(doc_id=list(s["doc_id"][:4]) + ["no_such_doc"] + list(s["doc_id"][5:])), 6,
     "column doc_id"),
    (lambda s: s.assign(paragraph_id=list(s["paragraph_id"][:1]) + ["2010_ipu122_organized_crime:p99"]
                        + list(s["paragraph_id"][2:])), 3, "column paragraph_id"),
    (lambda s: s.assign(theme=list(s["theme"][:2]) + ["cybercrimes"] + list(s["theme"][3:])), 4, "column theme"),
    (lambda s: s.assign(stratum_size=list(s["stratum_size"][:1]) + ["many"] + list(s["stratum_size"][2:])), 3,
     "column stratum_size"),
])
def test_bad_sheets_stop_naming_the_row_and_column(workdir, sheet, capsys, change, line, column):
    path = write_sheet(change(sheet.copy()), workdir / "bad.csv")
    capsys.readouterr()
    assert run(workdir, "codebook", "score", str(path)) == 1
    error = capsys.readouterr().err
    assert f"line {line}" in error and column in error, error
    assert "Traceback" not in error


def test_line_numbers_count_quoted_line_breaks(workdir, sheet, capsys):
    bad = sheet.copy()
    bad.loc[0, "note"] = "first line\nsecond line"
    bad.loc[1, "relevant"] = "2"
    path = write_sheet(bad, workdir / "multiline.csv")
    capsys.readouterr()
    assert run(workdir, "codebook", "score", str(path)) == 1
    assert "line 4" in capsys.readouterr().err  # header, row 1 over two lines, then row 2


def test_bad_sample_parameters_stop_with_a_message(workdir, capsys):
    assert run(workdir, "codebook", "sample", "--themes", "cyber", "--out", "x.csv") == 1
    assert "'cyber' is not a theme" in capsys.readouterr().err
    assert run(workdir, "codebook", "sample", "--n", "0", "--out", "x.csv") == 1
    assert "n=0" in capsys.readouterr().err
    assert run(workdir, "codebook", "sample", "--out", "data/sheet.csv") == 1
    assert "inside the corpus folder" in capsys.readouterr().err
    assert not (workdir / "data" / "sheet.csv").exists() and not (workdir / "x.csv").exists()


def test_themes_option_and_the_sheet_read_back(workdir):
    assert run(workdir, "codebook", "sample", "--themes", "scam_compounds", "--n", "3", "--out", "scam.csv") == 0
    rows = list(csv.DictReader(io.StringIO((workdir / "scam.csv").read_text(encoding="utf-8"))))
    assert {row["theme"] for row in rows} == {"scam_compounds"}
    # scam compounds match 1 paragraph in 2023 and 6 in 2025: n = 3 takes 1 and 2 of them
    matched = [row["period"] for row in rows if row["stratum"] == "matched"]
    assert sorted(matched) == ["2023", "2025", "2025"]
