"""The coded sheets shipped in data/validation: complete, large enough, and scoring as the README says."""

import pandas as pd
import pytest

from analysis.report.codebook_sheet import check_sheet, read_sheet, score_frame
from conftest import DATA

VALIDATION = DATA / "validation"
FOCUS = ["cybercrime", "scam_compounds", "environmental_crime"]


@pytest.mark.parametrize("name", ["ungd_coded_v2.csv", "ungd_coded_v3.csv", "seeds_coded.csv"])
def test_every_passage_is_coded(name):
    sheet = read_sheet(VALIDATION / name)
    assert set(sheet["relevant"]) == {"0", "1"}
    assert sheet["row_id"].is_unique and set(sheet["theme"]) == set(FOCUS)


@pytest.mark.parametrize("name", ["ungd_coded_v2.csv", "ungd_coded_v3.csv"])
def test_at_least_150_un_passages_per_focus_theme(name):
    sizes = read_sheet(VALIDATION / name).groupby("theme").size()
    assert (sizes >= 150).all(), sizes.to_dict()


def test_the_seed_sheet_scores_as_the_readme_reports(index, codebook):
    # the README's in-sample table: matched paragraphs coded relevant / matched, and relevant
    # matched / all relevant (every paragraph of the frame is coded, so no weights)
    sheet = check_sheet(read_sheet(VALIDATION / "seeds_coded.csv"), index, codebook)
    scores, _ = score_frame(sheet, index, codebook)
    scores = scores.set_index("theme")
    assert scores.loc["cybercrime", ["tp", "fp", "fn"]].tolist() == [17, 1, 5]
    assert scores.loc["cybercrime", "precision"] == pytest.approx(17 / 18)
    assert scores.loc["cybercrime", "recall"] == pytest.approx(17 / 22)
    for theme, matched in (("scam_compounds", 7), ("environmental_crime", 5)):
        assert scores.loc[theme, ["tp", "fp", "fn"]].tolist() == [matched, 0, 0]
