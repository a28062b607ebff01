import numpy as np
import pandas as pd

from analysis.index.build import count_corpus
from analysis.stats.themes import document_tokens, theme_kwic
from analysis.text.tokens import Tokenizer


def test_one_pass_equals_the_step_by_step_path(corpus, paras, codebook):
    tokenizer = Tokenizer(codebook=codebook).fit(paras["text"])
    counts = count_corpus(corpus, codebook, tokenizer)
    pd.testing.assert_frame_equal(counts.kwic, theme_kwic(paras, codebook))
    assert counts.documents["tokens"].tolist() == document_tokens(paras)["tokens"].tolist()
    assert counts.documents["paragraphs"].tolist() == [27, 37, 21, 46, 47]
    # the matrix holds exactly the tokenizer's tokens of each document's paragraphs
    for row, doc_id in enumerate(corpus["doc_id"]):
        tokens = [t for text in paras.loc[paras["doc_id"] == doc_id, "text"] for t in tokenizer.transform([text])[0]]
        cells = counts.dtm[row]
        assert dict(zip(counts.vocabulary[cells.indices], cells.data)) == dict(pd.Series(tokens).value_counts())
    assert list(counts.vocabulary) == sorted(counts.vocabulary)


def test_worker_processes_give_the_same_counts(corpus, codebook):
    tokenizer = Tokenizer(codebook=codebook, phrases="codebook")
    one = count_corpus(corpus, codebook, tokenizer, n_jobs=1)
    two = count_corpus(corpus, codebook, tokenizer, n_jobs=2, chunk_size=2)
    pd.testing.assert_frame_equal(one.kwic, two.kwic)
    assert (one.dtm != two.dtm).nnz == 0 and list(one.vocabulary) == list(two.vocabulary)


def test_year_term_matrix_pools_documents(corpus, codebook):
    counts = count_corpus(corpus, codebook, Tokenizer(codebook=codebook, phrases="codebook"))
    years, matrix = counts.year_term_matrix()
    assert years.tolist() == [2010, 2015, 2016, 2023, 2025]
    assert np.array_equal(matrix.toarray(), counts.dtm.toarray())  # one document per year


def test_documents_without_tokens_keep_their_rows(codebook):
    corpus = pd.DataFrame({"doc_id": ["a", "b", "c"], "date": ["2000", "2001", "2002"], "year": [2000, 2001, 2002],
                           "text": ["Cybercrime and money laundering.", "The 12 and the 13.", "Drugs, drugs."]})
    tokenizer = Tokenizer(codebook=codebook, phrases="codebook")
    counts = count_corpus(corpus, codebook, tokenizer, chunk_size=3)
    rows = [dict(zip(counts.vocabulary[counts.dtm[i].indices], counts.dtm[i].data)) for i in range(3)]
    assert rows == [{"cybercrime": 1, "money_laundering": 1}, {}, {"drug": 2}]
    assert "laundering" not in counts.vocabulary  # only ever inside the phrase: no empty column
