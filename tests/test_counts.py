"""Counting through the corpus index: one pass gives what the step-by-step path gives."""

import numpy as np
import pandas as pd
import pytest

from analysis.errors import AnalysisError
from analysis.index.build import build_index
from analysis.index.dfm import dfm_group
from analysis.text.patterns import count_words


def test_one_pass_equals_the_step_by_step_path(index, corpus, paras, codebook):
    kwic = [(pid, m.theme, m.pattern) for pid, text in zip(paras["paragraph_id"], paras["text"])
            for m in codebook.find(text)]
    assert list(index.kwic[["paragraph_id", "theme", "pattern"]].itertuples(index=False, name=None)) == kwic
    words = paras.assign(n=paras["text"].map(count_words)).groupby("doc_id", sort=False)["n"].sum()
    assert index.documents["word_tokens"].tolist() == words.reindex(corpus["doc_id"]).tolist()
    assert index.documents["paragraphs"].tolist() == [27, 37, 21, 46, 47]
    assert index.documents["doc_id"].tolist() == corpus["doc_id"].tolist()
    # the matrix holds exactly the tokenizer's tokens of each document's paragraphs
    tokenizer = index.tokenizer()
    x = index.dfm("document", tokenizer)
    for row, doc_id in enumerate(corpus["doc_id"]):
        tokens = [t for text in paras.loc[paras["doc_id"] == doc_id, "text"] for t in tokenizer.transform([text])[0]]
        cells = x.matrix[row]
        assert dict(zip(x.features[cells.indices], cells.data)) == dict(pd.Series(tokens).value_counts())
    assert list(x.features) == sorted(x.features)


def test_year_groups_pool_documents(index):
    x = index.dfm("document", index.tokenizer(phrases="codebook"))
    years = dfm_group(x, "year")
    assert years.docvars["year"].tolist() == [2010, 2015, 2016, 2023, 2025]
    assert np.array_equal(years.matrix.toarray(), x.matrix.toarray())  # one document per year
    assert years.docvars["word_tokens"].tolist() == index.documents["word_tokens"].tolist()


def test_documents_without_tokens_keep_their_rows(codebook):
    corpus = pd.DataFrame({"doc_id": ["a", "b", "c"], "date": ["2000", "2001", "2002"], "year": [2000, 2001, 2002],
                           "text": ["Cybercrime and money laundering.", "The 12 and the 13.", "Drugs, drugs."]})
    index = build_index(corpus, codebook, learn_phrases=False, chunk_size=3)
    x = index.dfm("document", index.tokenizer(phrases="codebook"))
    rows = [dict(zip(x.features[x.matrix[i].indices], x.matrix[i].data)) for i in range(3)]
    assert rows == [{"cybercrime": 1, "money_laundering": 1}, {}, {"drug": 2}]
    assert "laundering" not in x.features  # only ever inside the phrase: no empty column
    assert index.documents["word_tokens"].tolist() == [4, 3, 2]
    assert x.docvars["doc_id"].tolist() == ["a", "b", "c"]


def test_unknown_unit_and_missing_phrases_are_named(index_plain):
    with pytest.raises(AnalysisError, match="unit='sentence'"):
        index_plain.dfm("sentence")
    with pytest.raises(AnalysisError, match="phrases='gensim'"):
        index_plain.tokenizer(phrases="gensim")
