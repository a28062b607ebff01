"""The Polars corpus pass gives the index the reference pass gave, table for table.

The reference indexes under fixtures/index_reference/ were written by the pass before Polars
(commit 1bd716d, tests/fixtures/make_index_reference.py): the seed corpus, and a constructed
corpus (fixtures/edge_corpus.csv) with what the two regex engines could read differently --
letters outside ASCII ("Côte d’Ivoire", "İstanbul", a final sigma), digits and underscores next
to letters ("31st", "g77", "under_score"), gaps of Python-only white space ("cyber\\x1ccrime"),
words hyphenated across lines and paragraphs without words. On the UN General Debate corpus, the
benchmark's --check-against compares with the reference code itself.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest

from analysis.index.build import build_index
from analysis.index.corpus_index import CorpusIndex
from analysis.io.corpus import read_corpus
from analysis.text.patterns import ASCII_WORD_RUST, WORD, ascii_alnum, lower_same_length

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DATA = Path(__file__).resolve().parents[1] / "data"
CORPORA = {"seeds": DATA, "edge": FIXTURES / "edge_corpus.csv"}
MATRICES = ("words", "codebook_delta", "learned_delta", "learned_only_delta")


def assert_same_index(built: CorpusIndex, reference: CorpusIndex) -> None:
    for table in ("documents", "paragraphs", "kwic"):
        pd.testing.assert_frame_equal(getattr(built, table), getattr(reference, table), check_exact=True)
    assert built.items.tolist() == reference.items.tolist()
    for name in MATRICES:
        ours, theirs = getattr(built, name), getattr(reference, name)
        assert ours.shape == theirs.shape and ours.dtype == theirs.dtype, name
        assert ours.has_canonical_format, name
        assert (ours != theirs).nnz == 0, name


@pytest.mark.parametrize("name", sorted(CORPORA))
@pytest.mark.parametrize("n_jobs, chunk_size", [(1, 128), (2, 2)])
def test_index_equals_the_reference_pass(name, n_jobs, chunk_size, codebook, tmp_path):
    built = build_index(read_corpus(CORPORA[name]), codebook, n_jobs=n_jobs, chunk_size=chunk_size)
    reference = CorpusIndex.load(FIXTURES / "index_reference" / name)
    assert_same_index(CorpusIndex.load(built.save(tmp_path / name)), reference)  # both through Parquet
    assert built.paragraphs["word_tokens"].dtype == np.int64 and built.kwic["year"].dtype == np.int64


def test_without_learned_phrases_the_rest_is_the_same(codebook):
    corpus = read_corpus(CORPORA["edge"])
    plain, full = build_index(corpus, codebook, learn_phrases=False), build_index(corpus, codebook)
    assert plain.learned_delta is None and plain.learned_only_delta is None
    for table in ("documents", "paragraphs", "kwic"):
        pd.testing.assert_frame_equal(getattr(plain, table), getattr(full, table))
    words = pd.DataFrame.sparse.from_spmatrix(plain.words, columns=plain.items).sum()
    assert words[words > 0].to_dict() == pd.DataFrame.sparse.from_spmatrix(
        full.words, columns=full.items).sum().loc[lambda s: s > 0].to_dict()


def test_edge_corpus_counts_worked_by_hand(codebook):
    index = build_index(read_corpus(CORPORA["edge"]), codebook, learn_phrases=False)
    words = dict(zip(index.items, np.asarray(index.words.sum(axis=0)).ravel()))
    assert words["côte"] == 1 and words["d’ivoire"] == 1 and words["istanbul"] == 1  # "İ" lower-cased in place
    # "İ" lower-cases to two characters, so its document is lower-cased character by character,
    # all its paragraphs alike: no final sigma "ς" there
    assert words["οδοσ"] == 1 and words["σοφοσ"] == 1 and "οδος" not in words
    assert "st" not in words and "score" not in words  # "31st", "under_score": no word right after [0-9_]
    assert words["g"] == 1 and words["under"] == 1  # "g77": a word may end before a digit
    numbers = index.paragraphs.set_index("paragraph_id").loc[["numbers:p01", "numbers:p02"], "word_tokens"]
    assert numbers.tolist() == [0, 3]  # "The 1990s and the 2000s." -> the, and, the
    separators = index.kwic[index.kwic["doc_id"] == "separators"]
    assert separators["match"].tolist()[:3] == ["cyber crime", "scam compounds", "cyber crime"]  # \x1c, \xa0, \u2003
    assert separators["pattern"].tolist()[0] == "cyber crim*"


@pytest.fixture(scope="module")
def lowered(corpus):
    tricky = ["the 31st, APPF31, g77 and x_y; e-mail, e--mail, rock'n'roll’s -dash- 'quote'",
              "côte d’ivoire’s state-of-the-art", "plain ascii – with dashes’", "a1b c2 _d e_ f-", ""]
    return [lower_same_length(t) for t in tricky + corpus["text"].tolist()]


def test_rust_word_rule_equals_the_python_rule_where_words_are_ascii(lowered):
    ascii_texts = [t for t in lowered if ascii_alnum(t)]
    assert lowered[0] in ascii_texts and lowered[2] in ascii_texts and lowered[1] not in ascii_texts  # "côte"
    found = pl.Series(ascii_texts, dtype=pl.String).str.extract_all(ASCII_WORD_RUST).to_list()
    assert [words or [] for words in found] == [WORD.findall(t) for t in ascii_texts]


def test_prefilter_finds_every_paragraph_with_a_match(codebook, index):
    paragraphs = index.paragraphs["text"].tolist() + [
        "Cyber\x1ccrime", "CYBER-\n-CRIMES", "the Internet  for criminal\tpurposes", "İNTERNET crime"]
    lowers = [lower_same_length(text) for text in paragraphs]
    found = pl.Series(lowers, dtype=pl.String).str.contains(codebook.prefilter).to_list()
    matched = [bool(codebook.find(text)) for text in paragraphs]
    assert sum(matched) > 100 and all(m <= f for m, f in zip(matched, found))
    assert sum(found) < len(paragraphs)  # a filter, not every paragraph
