"""The one pass over a corpus: clean, segment, match the codebook, count items.

:func:`build_index` runs every document once through the project's path -- clean
(:func:`~analysis.text.clean.clean_text`), segment (:func:`~analysis.text.segment.segment_text`),
match the codebook per paragraph with its keyword-in-context rows, and extract the paragraph's
items (:mod:`analysis.text.tokens`: words, codebook phrases, learned phrases) -- in ``n_jobs``
worker processes or on a Dask distributed cluster, and returns a :class:`~analysis.index.corpus_index.CorpusIndex`. Everything
later (rates, trends, keyness, topic models, similarity, robustness) is computed from the index.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from functools import partial

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
from scipy import sparse

from .._parallel import start_worker, worker_context
from ..checks import check_int, check_number
from ..errors import ParameterError
from ..io.corpus import CorpusSource, corpus_fingerprint, text_digest, trace
from ..progress import track
from ..text.clean import clean_text
from ..text.codebook import PARAGRAPH_SEPARATOR, Codebook
from ..text.patterns import (ASCII_WORD_RUST, WORD, PatternSet, Span, ascii_alnum, lower_same_length, vocabulary,
                              words_of)
from ..text.segment import paragraph_ids, segment_text
from ..text.tokens import (codebook_joined, item_deltas, fit_phrases, learned_joined, learned_only,
                           runs_between_phrases)
from .corpus_index import KWIC_COLUMNS, PARAGRAPH_COLUMNS, CorpusIndex

CONTEXT_CHARS = 60
WHITESPACE = re.compile(r"\s+")
_WORKER: dict = {}
IN_FLIGHT_PER_WORKER = 2  # chunks submitted per worker ahead of the one being merged
DASK_CONNECT_TIMEOUT = "30s"
_DASK_SETUP: dict = {}  # the setup of this Dask worker process (_index_part_on_worker)
_DASK_SETUP_LOCK = threading.Lock()


def kwic_rows(doc_id: str, year: int, ids: list[str], texts: list[str], codebook: Codebook,
              context: int = CONTEXT_CHARS, known: set[str] | None = None, lower: str | None = None) -> list[tuple]:
    """Keyword-in-context rows (:data:`KWIC_COLUMNS`) for the paragraphs ``texts`` of one
    document: one row per codebook match, with ``context`` characters of the paragraph on each
    side (whitespace runs shown as one space)."""
    rows = []
    for paragraph_id, text, matches in zip(ids, texts, codebook.find_all(texts, known, lower)):
        for m in matches:
            rows.append((doc_id, int(year), paragraph_id, m.theme, m.pattern,
                         WHITESPACE.sub(" ", text[max(0, m.start - context):m.start]),
                         WHITESPACE.sub(" ", text[m.start:m.end]), WHITESPACE.sub(" ", text[m.end:m.end + context])))
    return rows


def _start_worker(codebook: Codebook, keep_sequences: bool, context: int, in_worker: bool = False) -> None:
    if in_worker:
        start_worker()
    phrases = codebook.multiword_patterns()
    _WORKER.update(codebook=codebook, phrase_set=PatternSet(phrases) if phrases else None,
                   keep_sequences=keep_sequences, context=context)


def _index_chunk(chunk: list[tuple]) -> dict:
    """Index one chunk of documents: paragraphs (an Arrow table, which travels to the main
    process as a few buffers and becomes pandas columns without a copy), KWIC rows, and the
    paragraphs' word and codebook-phrase item counts against a vocabulary local to the chunk.

    Python cleans and segments each document; Polars then finds the words of all the chunk's
    paragraphs at once (:func:`_word_matrix`) and the few paragraphs in which a codebook
    pattern may match (:attr:`Codebook.prefilter <analysis.text.codebook.Codebook.prefilter>`);
    only those go through the exact matcher, for their KWIC rows and phrase items."""
    codebook, keep_sequences = _WORKER["codebook"], _WORKER["keep_sequences"]
    ids, kinds, labels, texts, lowers, documents = [], [], [], [], [], []
    for doc_id, year, text in chunk:
        segments = segment_text(clean_text(text))
        first = len(texts)
        texts += [s.text for s in segments]
        joined_lower = lower_same_length(PARAGRAPH_SEPARATOR.join(texts[first:]))  # lower-cased as the reference did
        documents.append((doc_id, int(year), first, len(segments)))
        offset = 0
        for segment in segments:
            lowers.append(joined_lower[offset:offset + len(segment.text)])
            offset += len(segment.text) + 1
        ids += paragraph_ids(doc_id, len(segments))
        kinds += [s.kind for s in segments]
        labels += [s.label for s in segments]
    names, words, word_tokens, sequences = _word_matrix(lowers, keep_sequences)
    if codebook.prefilter is None:
        candidates = np.ones(len(lowers), dtype=bool)
    else:
        candidates = pl.Series(lowers, dtype=pl.String).str.contains(codebook.prefilter).to_numpy()
    kwic, deltas = [], []
    for doc_id, year, first, count in documents:
        rows = first + np.flatnonzero(candidates[first:first + count])
        if len(rows):
            _match(doc_id, year, rows.tolist(), ids, texts, lowers, kwic, deltas, sequences)
    doc_ids, years, firsts, counts = zip(*documents)
    row_doc = np.repeat(np.arange(len(documents)), counts)
    paragraphs = pa.table([pa.array(doc_ids, pa.large_string()).take(row_doc),
                           np.array(years, dtype=np.int64)[row_doc],
                           pa.array(ids, pa.large_string()),
                           np.arange(1, len(texts) + 1, dtype=np.int64) - np.array(firsts, dtype=np.int64)[row_doc],
                           pa.array(kinds, pa.large_string()), pa.array(labels, pa.large_string()),
                           pa.array(texts, pa.large_string()), word_tokens], names=PARAGRAPH_COLUMNS)
    return {"paragraphs": paragraphs, "kwic": kwic, "words": (names, words), "codebook_delta": deltas,
            "sequences": sequences if keep_sequences else []}


def _word_matrix(lowers: list[str], keep_sequences: bool) -> tuple:
    """The words of each lower-cased paragraph of ``lowers`` (:func:`~analysis.text.patterns.words_of`),
    counted: the sorted distinct words, the paragraph x word count matrix, the number of words
    of each paragraph and, with ``keep_sequences``, each paragraph's words in order (else None).

    Polars finds them with :data:`~analysis.text.patterns.ASCII_WORD_RUST` where the letters and
    digits are all ASCII (nearly every paragraph); Python's :data:`~analysis.text.patterns.WORD`
    finds them in the others, whose word characters Rust and Python do not define alike."""
    unicode = {row: WORD.findall(lower) for row, lower in enumerate(lowers) if not ascii_alnum(lower)}
    rust_input = list(lowers)
    for row in unicode:
        rust_input[row] = ""
    found = pl.Series(rust_input, dtype=pl.String).str.extract_all(ASCII_WORD_RUST)
    del rust_input
    lengths = found.list.len().to_numpy().astype(np.int64)
    flat = found.explode().drop_nulls()
    order = None
    if unicode:
        rows = np.repeat(np.arange(len(lowers)), lengths)
        lengths[list(unicode)] = [len(words) for words in unicode.values()]
        extra = np.repeat(list(unicode), [len(words) for words in unicode.values()])
        flat = pl.concat([flat, pl.Series([w for words in unicode.values() for w in words], dtype=pl.String)])
        order = np.argsort(np.concatenate([rows, extra]), kind="stable")  # back to paragraph order
    names, codes = _sorted_codes(flat)
    if order is not None:
        codes = codes[order]
    indptr = np.zeros(len(lowers) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    matrix = sparse.csr_matrix((np.ones(len(codes), dtype=np.int32), codes, indptr), shape=(len(lowers), len(names)))
    matrix = matrix.tocsc().tocsr()  # sorts each row's columns by two counting passes, faster than sorting each row
    matrix.sum_duplicates()
    sequences = None
    if keep_sequences:
        sequences = [words or [] for words in found.to_list()]
        for row, words in unicode.items():
            sequences[row] = words
    return names, matrix, lengths, sequences


def _sorted_codes(words: pl.Series) -> tuple[pl.Series, np.ndarray]:
    """The distinct ``words`` sorted, and each word's position among them: the words are
    hashed once (a Polars categorical); only the distinct ones are sorted."""
    ids = words.cast(pl.Categorical).to_physical().to_numpy()
    size = int(ids.max()) + 1 if len(ids) else 0
    where = np.full(size, -1, dtype=np.int64)
    where[ids] = np.arange(len(ids))  # an occurrence of each id (any one: they hold the same word)
    present = np.flatnonzero(where >= 0)
    distinct = words.gather(where[present])
    order = distinct.arg_sort().to_numpy()
    rank = np.empty(size, dtype=np.int32)
    rank[present[order]] = np.arange(len(present), dtype=np.int32)
    return distinct.gather(order), rank[ids]


def _match(doc_id: str, year: int, rows: list[int], ids: list[str], chunk_texts: list[str], lowers: list[str],
           kwic: list, deltas: list, sequences: list | None) -> None:
    """Match the codebook in the paragraphs ``rows`` of one document (those the prefilter found;
    ``ids``, ``chunk_texts`` and ``lowers`` are the chunk's paragraphs'): their KWIC rows onto
    ``kwic``, the change the codebook phrases make to their items onto ``deltas`` and, when
    kept, their items with the phrases joined into ``sequences``."""
    codebook, phrase_set, context = _WORKER["codebook"], _WORKER["phrase_set"], _WORKER["context"]
    texts = [chunk_texts[row] for row in rows]
    joined_lower = PARAGRAPH_SEPARATOR.join(lowers[row] for row in rows)
    known = vocabulary(words_of(joined_lower))
    kwic += kwic_rows(doc_id, year, [ids[row] for row in rows], texts, codebook, context, known, joined_lower)
    spans = _spans_by_paragraph(PARAGRAPH_SEPARATOR.join(texts), joined_lower, texts, phrase_set, known)
    for row, text, found in zip(rows, texts, spans):
        if found:
            words = words_of(lowers[row])
            joined = codebook_joined(text, phrase_set, lowers[row], words, found)
            deltas.append((row, item_deltas(words, joined, None)[0]))
            if sequences is not None:
                sequences[row] = joined


def _spans_by_paragraph(joined: str, lower: str, texts: list[str], phrase_set: PatternSet | None,
                        known: set[str]) -> list[list]:
    """The codebook phrase matches of each paragraph, found in one scan of the document (no
    pattern crosses the separator between paragraphs), with offsets in the paragraph."""
    spans = [[] for _ in texts]
    if phrase_set is None:
        return spans
    present = phrase_set.present_anchors(known)
    if not present:
        return spans
    starts = np.cumsum([0] + [len(t) + 1 for t in texts[:-1]])
    for span in phrase_set.find(joined, present, lower):
        i = int(np.searchsorted(starts, span.start, side="right")) - 1
        spans[i].append(Span(span.pattern, span.start - starts[i], span.end - starts[i]))
    return spans


def build_index(corpus: pd.DataFrame | CorpusSource, codebook: Codebook, *, learn_phrases: bool = True,
                phrase_min_count: int = 5, phrase_threshold: float = 0.5, n_jobs: int = 1, chunk_size: int = 128,
                scheduler: str | None = None, key: str = "", log=None) -> CorpusIndex:
    """Index every document of ``corpus``: a frame from :func:`~analysis.io.corpus.read_corpus`,
    or a :class:`~analysis.io.corpus.CorpusSource` from :func:`~analysis.io.corpus.scan_corpus`,
    whose texts the workers read (or the input streams) a chunk at a time.

    ``learn_phrases`` also learns collocations (gensim ``Phrases``, with ``phrase_min_count``
    and ``phrase_threshold``) from the runs of words between codebook phrases, so that token
    settings with learned phrases can be derived from the index. The documents are indexed in
    chunks of ``chunk_size``, by ``n_jobs`` local worker processes or, given the address of a
    Dask distributed ``scheduler`` (``tcp://host:8786``), by that cluster's workers; the result
    does not depend on any of them. The index records the corpus fingerprint
    (:func:`~analysis.io.corpus.corpus_fingerprint`), from digests the workers compute.
    """
    check_int("n_jobs", n_jobs, 1)
    check_int("chunk_size", chunk_size, 1)
    check_int("phrase_min_count", phrase_min_count, 1)
    check_number("phrase_threshold", phrase_threshold, -1, 1)
    start = time.perf_counter()
    documents = corpus.documents if isinstance(corpus, CorpusSource) else corpus
    trace("match_codebook", documents=len(documents), codebook=codebook.digest)
    initargs = (codebook, learn_phrases, CONTEXT_CHARS)
    parts = _parts(corpus, chunk_size)
    digests = []

    def results(outputs):
        n_parts = -(-len(documents) // chunk_size)
        for part_digests, result in track(outputs, n_parts, "corpus pass", f"chunks of {chunk_size} documents"):
            digests.extend(part_digests)
            yield result

    with ExitStack() as stack:
        if scheduler is not None:
            outputs = _on_dask(stack, scheduler, parts, initargs)
        elif n_jobs == 1 or len(documents) <= chunk_size:
            _start_worker(*initargs)
            outputs = map(_index_part, parts)
        else:
            pool = stack.enter_context(ProcessPoolExecutor(n_jobs, mp_context=worker_context(),
                                                           initializer=_start_worker, initargs=(*initargs, True)))
            outputs = _in_order(partial(pool.submit, _index_part), parts, IN_FLIGHT_PER_WORKER * n_jobs)
        index = _assemble(documents if "text" in documents.columns else documents.assign(text=None),
                          results(outputs), learn_phrases, phrase_min_count, phrase_threshold,
                          codebook.multiword_patterns())
    index.fingerprint = corpus_fingerprint(documents, codebook.digest, digests)
    index.key = key
    index.settings = {"learn_phrases": learn_phrases, "phrase_min_count": phrase_min_count,
                      "phrase_threshold": phrase_threshold, "codebook_phrases": codebook.multiword_patterns(),
                      "context_chars": CONTEXT_CHARS}
    if log:
        log(f"corpus index built: {len(index.documents):,} documents, {len(index.paragraphs):,} paragraphs, "
            f"{len(index.kwic):,} theme mentions, {len(index.items):,} items in {time.perf_counter() - start:.1f} s")
    return index


def _parts(corpus: pd.DataFrame | CorpusSource, size: int):
    """The work of the pass, in document order: chunks of ``(doc_id, year, text)`` of a frame;
    of a scanned corpus, the ``(doc_id, year)`` of a chunk's documents with their
    :class:`~analysis.io.corpus.TextBatch`, whose texts the worker reads."""
    if isinstance(corpus, CorpusSource):
        keys = list(zip(corpus.documents["doc_id"], corpus.documents["year"].astype(int)))
        for start, batch in zip(range(0, len(keys), size), corpus.batches(size)):
            yield keys[start:start + size], batch
    else:
        documents = list(zip(corpus["doc_id"], corpus["year"].astype(int), corpus["text"]))
        for start in range(0, len(documents), size):
            yield documents[start:start + size]


def _index_part(part) -> tuple[list[bytes], dict]:
    """The digests of a part's texts (for the fingerprint) and :func:`_index_chunk` of it."""
    if isinstance(part, tuple):
        keys, batch = part
        part = [(doc_id, year, text) for (doc_id, year), text in zip(keys, batch.texts())]
    return [text_digest(text) for _, _, text in part], _index_chunk(part)


def _in_order(submit, parts, limit: int):
    """The results of ``submit(part)`` for every part, in order, with at most ``limit`` parts
    submitted and not yet handed on: a stream's backpressure, so the texts read ahead and the
    results waiting stay a few chunks whatever the corpus's size."""
    pending = deque()
    for part in parts:
        pending.append(submit(part))
        if len(pending) >= limit:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _on_dask(stack: ExitStack, scheduler: str, parts, initargs: tuple):
    """The parts indexed on the workers of the Dask distributed cluster at ``scheduler``, in
    order: the codebook is sent to every worker once, and each worker process sets itself up
    on its first part (:func:`_index_part_on_worker`)."""
    try:
        from distributed import Client
    except ImportError:
        raise ParameterError(f"scheduler={scheduler!r}: running on a Dask cluster needs the packages dask and "
                             "distributed (pip install dask distributed)") from None
    try:
        client = stack.enter_context(Client(scheduler, set_as_default=False, timeout=DASK_CONNECT_TIMEOUT))
    except OSError as error:
        raise ParameterError(f"scheduler={scheduler!r}: no Dask scheduler answers there ({error})") from None
    [setup] = client.scatter([initargs], broadcast=True, hash=False)
    threads = sum(client.nthreads().values()) or 1
    return _in_order(lambda part: client.submit(_index_part_on_worker, setup, part, pure=False), parts,
                     IN_FLIGHT_PER_WORKER * threads)


def _index_part_on_worker(initargs: tuple, part) -> tuple[list[bytes], dict]:
    """:func:`_index_part` in a Dask worker process, set up (:func:`_start_worker`) once per
    process and codebook: Dask reuses its workers across tasks and runs, so there is no
    initializer to give, and a worker may have served another codebook before."""
    state = (initargs[0].digest, *initargs[1:])
    with _DASK_SETUP_LOCK:
        if _DASK_SETUP.get("state") != state:
            _start_worker(*initargs)
            _DASK_SETUP["state"] = state
    return _index_part(part)


def _assemble(corpus: pd.DataFrame, results, learn: bool, min_count: int, threshold: float,
              patterns: list[str]) -> CorpusIndex:
    """Merge the chunks as they arrive: one sorted item vocabulary, global paragraph rows,
    learned phrases. The paragraphs stay Arrow tables and become the pandas frame without a
    copy of their texts; each chunk's word matrix is re-numbered into the one matrix and
    dropped."""
    paragraph_parts, kwic, word_parts, codebook_rows, sequences, offset = [], [], [], [], [], 0
    for r in results:
        paragraph_parts.append(r.pop("paragraphs"))
        kwic += r.pop("kwic")
        word_parts.append(r.pop("words"))
        codebook_rows += [(row + offset, delta) for row, delta in r.pop("codebook_delta")]
        sequences += r.pop("sequences")
        offset += paragraph_parts[-1].num_rows
    paragraphs = pa.concat_tables(paragraph_parts).to_pandas()
    kwic = pd.DataFrame(kwic, columns=KWIC_COLUMNS)
    del paragraph_parts
    learned_rows, learned_only_rows, phrases = [], [], None
    if learn:
        phrases = fit_phrases((run for s in sequences for run in runs_between_phrases(s)), min_count, threshold)
        boundaries = PatternSet(patterns) if patterns else None
        for row, (items, text) in enumerate(zip(sequences, paragraphs["text"])):
            delta = item_deltas(items, items, learned_joined(items, phrases))[1]
            if delta:
                learned_rows.append((row, delta))
            lower = lower_same_length(text)
            alone = item_deltas(words_of(lower), learned_only(text, boundaries, phrases, lower), None)[0]
            if alone:
                learned_only_rows.append((row, alone))
    del sequences
    delta_items = pl.Series(sorted({item for _, delta in codebook_rows + learned_rows + learned_only_rows
                                    for item in delta}), dtype=pl.String)
    items = pl.concat([names for names, _ in word_parts] + [delta_items]).unique().sort()
    # an item's code is its position among the sorted items
    position = dict(zip(delta_items.to_list(), items.search_sorted(delta_items).to_list()))
    shape = (len(paragraphs), len(items))
    word_matrix = _stack_renumbered(word_parts, items)
    items = items.to_numpy().astype(object)
    documents = corpus.drop(columns=["text"]).reset_index(drop=True)
    per_doc = paragraphs.groupby("doc_id", sort=False).agg(paragraphs=("paragraph_id", "size"),
                                                            word_tokens=("word_tokens", "sum"))
    documents = documents.join(per_doc, on="doc_id")
    documents[["paragraphs", "word_tokens"]] = documents[["paragraphs", "word_tokens"]].fillna(0).astype("int64")
    return CorpusIndex(documents=documents, paragraphs=paragraphs, kwic=kwic, items=items, words=word_matrix,
                       codebook_delta=_delta_matrix(codebook_rows, position, shape),
                       learned_delta=_delta_matrix(learned_rows, position, shape) if learn else None,
                       learned_only_delta=_delta_matrix(learned_only_rows, position, shape) if learn else None,
                       phrases=phrases)


def _stack_renumbered(parts: list, items: pl.Series) -> sparse.csr_matrix:
    """The chunks' word matrices, ``(local names, matrix)`` each, stacked into one matrix over
    ``items``, emptying ``parts`` as it goes. A chunk's sorted names keep their order among
    the sorted items, so each row's columns stay sorted."""
    n_rows = sum(matrix.shape[0] for _, matrix in parts)
    nnz = sum(matrix.nnz for _, matrix in parts)
    indices, data = np.empty(nnz, dtype=np.int32), np.empty(nnz, dtype=np.int32)
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    row = at = 0
    while parts:
        names, matrix = parts.pop(0)
        to_global = items.search_sorted(names).to_numpy().astype(np.int32)
        indices[at:at + matrix.nnz] = to_global[matrix.indices]
        data[at:at + matrix.nnz] = matrix.data
        indptr[row + 1:row + matrix.shape[0] + 1] = matrix.indptr[1:] + at
        row, at = row + matrix.shape[0], at + matrix.nnz
    matrix = sparse.csr_matrix((data, indices, indptr), shape=(n_rows, len(items)))
    matrix.has_sorted_indices = True
    return matrix


def _delta_matrix(rows: list[tuple[int, dict]], position: dict[str, int], shape) -> sparse.csr_matrix:
    entries = [(row, position[item], count) for row, delta in rows for item, count in delta.items()]
    if not entries:
        return sparse.csr_matrix(shape, dtype=np.int32)
    r, c, v = zip(*entries)
    matrix = sparse.csr_matrix((np.array(v, dtype=np.int32), (r, c)), shape=shape)
    matrix.sum_duplicates()
    matrix.sort_indices()
    return matrix


