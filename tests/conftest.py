from pathlib import Path

import pytest

from analysis.index.build import build_index
from analysis.io.codebook import read_codebook
from analysis.io.corpus import read_corpus

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
    return read_corpus(DATA)


@pytest.fixture(scope="session")
def codebook():
    return read_codebook(THEMES)


@pytest.fixture(scope="session")
def index(corpus, codebook):
    """The corpus index with learned collocations (the project's default)."""
    return build_index(corpus, codebook)


@pytest.fixture(scope="session")
def index_plain(corpus, codebook):
    """The corpus index without learned collocations (phrases "codebook" or "none" only)."""
    return build_index(corpus, codebook, learn_phrases=False)


@pytest.fixture(scope="session")
def paras(index):
    """One row per paragraph, as the index segments the corpus."""
    return index.paragraphs


def raw_text(doc_id: str) -> str:
    return (DATA / "corpus" / f"{doc_id}.txt").read_text(encoding="utf-8")
