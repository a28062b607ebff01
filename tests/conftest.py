from pathlib import Path

import pytest

from analysis.text.codebook import load_codebook
from analysis.io.corpus import load_corpus
from analysis.text.segment import paragraphs

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
THEMES = DATA / "themes.yml"
NOTEBOOKS = ROOT / "notebooks"

DOC_2010 = "2010_ipu122_organized_crime"
DOC_2015 = "2015_appf23_human_trafficking"
DOC_2016 = "2016_arf_cross_border_criminals"
DOC_2023 = "2023_appf31_transnational_crimes"
DOC_2025 = "2025_uncongress15_apac_prep"


@pytest.fixture(scope="session")
def corpus():
    return load_corpus(DATA)


@pytest.fixture(scope="session")
def paras(corpus):
    return paragraphs(corpus)


@pytest.fixture(scope="session")
def codebook():
    return load_codebook(THEMES)


def raw_text(doc_id: str) -> str:
    return (DATA / "corpus" / f"{doc_id}.txt").read_text(encoding="utf-8")
