"""Count a whole corpus in one pass: theme matches with their context, word tokens and terms.

:func:`count_corpus` runs each document through the project's one path -- clean, segment,
match the codebook per paragraph, tokenize -- in ``n_jobs`` worker processes, and returns a
:class:`CorpusCounts`: the documents with their lengths, one keyword-in-context row per theme
match, and a sparse document-term matrix of the tokenizer's tokens. Everything later (rates,
emergence, trends, keyness) is computed from these, so a count is always a number of rows or
cells that can be listed.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from ..text.clean import clean_text
from ..text.codebook import PARAGRAPH_SEPARATOR, Codebook
from ..errors import ParameterError
from ..text.patterns import vocabulary, words_of
from ..text.segment import paragraph_ids, paragraph_texts
from ..stats.themes import CONTEXT_CHARS, KWIC_COLUMNS, kwic_rows
from ..text.tokens import Tokenizer


@dataclass
class CorpusCounts:
    documents: pd.DataFrame  # doc_id, date, year, paragraphs, tokens (word tokens)
    kwic: pd.DataFrame  # KWIC_COLUMNS, one row per theme match
    dtm: sparse.csr_matrix  # documents x vocabulary: counts of the tokenizer's tokens
    vocabulary: np.ndarray  # column names of dtm, sorted

    def year_term_matrix(self) -> tuple[np.ndarray, sparse.csr_matrix]:
        """Years (sorted) and the year x vocabulary matrix of pooled term counts."""
        years, rows = np.unique(self.documents["year"].to_numpy(), return_inverse=True)
        indicator = sparse.csr_matrix((np.ones(len(rows)), (rows, np.arange(len(rows)))),
                                      shape=(len(years), len(rows)))
        return years, (indicator @ self.dtm).tocsr()


_WORKER: dict = {}


def worker_context():
    """How worker processes start: from a small forkserver process, not as copies of this one,
    which may hold a large corpus (with fork, reference counting would copy its pages into
    each); spawn where there is no forkserver."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _start_worker(codebook: Codebook, tokenizer: Tokenizer, context: int) -> None:
    _WORKER.update(codebook=codebook, tokenizer=tokenizer, context=context)


def _count_chunk(chunk: list[tuple]) -> tuple:
    """Count one chunk of documents.

    Each document gives weighted items (:meth:`Tokenizer.weighted_words`); the chunk's items
    are numbered once (``pandas.factorize``, in C), summed into a document x item matrix and
    mapped to tokens by a sparse product, so no Python loop runs over every word. Terms come
    back against a vocabulary local to the chunk (``terms`` plus CSR arrays).
    """
    codebook, tokenizer, context = _WORKER["codebook"], _WORKER["tokenizer"], _WORKER["context"]
    items, weights, rows, n_paragraphs, n_words, kwic = [], [], [], [], [], []
    for row, (doc_id, year, text) in enumerate(chunk):
        texts = paragraph_texts(clean_text(text))
        joined = PARAGRAPH_SEPARATOR.join(texts)
        lower = joined.lower()
        words = words_of(lower)
        known = vocabulary(words)
        kwic += kwic_rows(doc_id, year, paragraph_ids(doc_id, len(texts)), texts, codebook, context, known, lower)
        doc_items, doc_weights, n = tokenizer.weighted_words(joined, known, words, lower)
        tally = Counter(doc_items)  # in C: the distinct items of the document, fewer to number below
        if doc_weights is not None:
            for item, weight in zip(doc_items, doc_weights):
                if weight != 1:
                    tally[item] += weight - 1
        items += tally.keys()
        weights.append(np.fromiter(tally.values(), dtype=np.int64, count=len(tally)))
        rows.append(np.full(len(tally), row))
        n_paragraphs.append(len(texts))
        n_words.append(n)
    codes, distinct = pd.factorize(np.array(items, dtype=object))
    token_codes, terms = pd.factorize(np.array([tokenizer.token_of(item) for item in distinct], dtype=object))
    item_to_token = sparse.csr_matrix((np.ones(len(distinct), dtype=np.int64), (np.arange(len(distinct)), token_codes)),
                                      shape=(len(distinct), len(terms)))
    doc_items = sparse.csr_matrix((np.concatenate(weights), (np.concatenate(rows), codes)),
                                  shape=(len(chunk), len(distinct)))
    doc_terms = (doc_items @ item_to_token).tocsr()
    doc_terms.eliminate_zeros()  # words seen only inside phrases cancel out
    # Terms without a cell, and "" (which collects the dropped words), are not sent: _assemble
    # gives a global number only to the terms named, and no cell refers to the others.
    used = (np.bincount(doc_terms.indices, minlength=len(terms)) > 0) & (terms != "")
    keep_cells = used[doc_terms.indices]
    row_of_cell = np.repeat(np.arange(len(chunk)), np.diff(doc_terms.indptr))
    indptr = np.concatenate([[0], np.cumsum(np.bincount(row_of_cell[keep_cells], minlength=len(chunk)))])
    names = np.where(used, terms, None)
    return (n_paragraphs, n_words, kwic, list(names), indptr.astype(np.int64),
            doc_terms.indices[keep_cells].astype(np.int32), doc_terms.data[keep_cells].astype(np.int32))


def count_corpus(corpus: pd.DataFrame, codebook: Codebook, tokenizer: Tokenizer, n_jobs: int = 1,
                 chunk_size: int = 128, context: int = CONTEXT_CHARS) -> CorpusCounts:
    """Count themes, word tokens and terms in every document of ``corpus``.

    ``tokenizer`` must be fitted already if it learns phrases. ``n_jobs`` worker processes
    share the documents in chunks of ``chunk_size``; the result does not depend on either.
    """
    if not isinstance(n_jobs, int) or n_jobs < 1:
        raise ParameterError(f"n_jobs={n_jobs!r}: must be a whole number of at least 1")
    if tokenizer.learns_phrases and tokenizer.phrases_ is None:
        raise ParameterError("the tokenizer learns phrases: fit it before counting")
    documents = list(zip(corpus["doc_id"], corpus["year"].astype(int), corpus["text"]))
    chunks = [documents[i:i + chunk_size] for i in range(0, len(documents), chunk_size)]
    if n_jobs == 1:
        _start_worker(codebook, tokenizer, context)
        return _assemble(corpus, map(_count_chunk, chunks))
    with ProcessPoolExecutor(n_jobs, mp_context=worker_context(), initializer=_start_worker,
                             initargs=(codebook, tokenizer, context)) as pool:
        return _assemble(corpus, pool.map(_count_chunk, chunks))


def _assemble(corpus: pd.DataFrame, chunk_results) -> CorpusCounts:
    """Merge chunk results into one matrix; columns are re-numbered in sorted term order."""
    vocabulary: dict[str, int] = {}
    indptr, indices, data, n_paragraphs, n_words, kwic = [np.zeros(1, dtype=np.int64)], [], [], [], [], []
    offset = 0
    for paragraphs, words, rows, terms, chunk_indptr, chunk_indices, chunk_data in chunk_results:
        to_global = np.fromiter((-1 if t is None else vocabulary.setdefault(t, len(vocabulary)) for t in terms),
                                dtype=np.int32, count=len(terms))
        indices.append(to_global[chunk_indices])
        data.append(chunk_data)
        indptr.append(chunk_indptr[1:] + offset)
        offset += len(chunk_indices)
        n_paragraphs += paragraphs
        n_words += words
        kwic += rows
    terms = np.array(list(vocabulary), dtype=object)
    order = np.argsort(terms, kind="stable")
    remap = np.empty(len(order), dtype=np.int32)
    remap[order] = np.arange(len(order), dtype=np.int32)
    column = remap[np.concatenate(indices)]
    del indices
    dtm = sparse.csr_matrix((np.concatenate(data), column, np.concatenate(indptr)), shape=(len(n_words), len(vocabulary)))
    dtm.sort_indices()
    documents = corpus[["doc_id", "date", "year"]].assign(paragraphs=n_paragraphs, tokens=n_words).reset_index(drop=True)
    return CorpusCounts(documents, pd.DataFrame(kwic, columns=KWIC_COLUMNS), dtm, terms[order])
