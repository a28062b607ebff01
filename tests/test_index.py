"""The corpus index: its stored item-count algebra against an independent path (ordered token
streams), its word counts and KWIC rows, independence of worker processes and chunking, saving
and loading, and the on-disk cache."""

import json
import shutil
from collections import Counter
from itertools import product

import pandas as pd
import pytest

from analysis.errors import ParameterError
from analysis.index.build import build_index
from analysis.index.cache import cached_index
from analysis.index.corpus_index import CorpusIndex
from analysis.io.codebook import codebook_from_dict
from analysis.stats.rates import theme_frequencies
from analysis.text.clean import clean_text
from analysis.text.patterns import count_words
from analysis.text.segment import segment_text
from conftest import DATA, DOC_2010, DOC_2025, THEMES, raw_text

GRID = list(product(("none", "codebook", "both"), ("lemma", "stem"), (True, False)))
GRID += [("gensim", "lemma", True), ("gensim", "lemma", False)]  # learned phrases only, between codebook phrases


def row_counts(x, row: int) -> dict:
    cells = x.matrix[row]
    return dict(zip(x.features[cells.indices].tolist(), cells.data.tolist()))


# -- (a) the item-count algebra equals the token streams -------------------------------------------


@pytest.mark.parametrize("phrases, normalize, domain_stopwords", GRID)
def test_dfm_equals_the_counts_of_the_token_streams(index, phrases, normalize, domain_stopwords):
    params = dict(phrases=phrases, normalize=normalize, domain_stopwords=domain_stopwords)
    x = index.dfm("paragraph", index.tokenizer(**params))
    streams = index.tokenizer(**params).transform(index.paragraphs["text"])  # a fresh tokenizer: no shared cache
    assert len(streams) == x.shape[0] == len(index.paragraphs)
    assert x.features.tolist() == sorted({t for tokens in streams for t in tokens})  # no empty columns
    for row, tokens in enumerate(streams):
        assert row_counts(x, row) == dict(Counter(tokens)), index.paragraphs["paragraph_id"].iloc[row]
    assert x.docvars["paragraph_id"].tolist() == index.paragraphs["paragraph_id"].tolist()

    documents = index.dfm("document", index.tokenizer(**params))
    assert documents.docvars["doc_id"].tolist() == index.documents["doc_id"].tolist()
    summed = {doc_id: Counter() for doc_id in index.documents["doc_id"]}
    for doc_id, tokens in zip(index.paragraphs["doc_id"], streams):
        summed[doc_id].update(tokens)
    for row, doc_id in enumerate(documents.docvars["doc_id"]):
        assert row_counts(documents, row) == dict(summed[doc_id]), doc_id
    assert documents.features.tolist() == x.features.tolist()


def test_index_without_learned_phrases_gives_the_same_matrices(index, index_plain):
    for phrases in ("none", "codebook"):
        a = index.dfm("paragraph", index.tokenizer(phrases=phrases))
        b = index_plain.dfm("paragraph", index_plain.tokenizer(phrases=phrases))
        assert a.features.tolist() == b.features.tolist() and (a.matrix != b.matrix).nnz == 0
    with pytest.raises(Exception, match="built without them"):
        index_plain.tokenizer(phrases="both")


def test_the_index_refuses_a_tokenizer_it_cannot_honour(index):
    """Re-mapping stored items is only right for the index's own phrase settings: another
    phrase threshold, other codebook phrases or a tokenizer fitted elsewhere is refused."""
    from analysis.errors import AnalysisError
    from analysis.text.tokens import Tokenizer

    with pytest.raises(AnalysisError, match="phrase_threshold=0.99"):
        index.tokenizer(phrase_threshold=0.99)
    with pytest.raises(AnalysisError, match="codebook_phrases"):
        index.tokenizer(codebook_phrases=["scam compound*"])
    with pytest.raises(AnalysisError, match="not made by this corpus index"):
        index.dfm("document", Tokenizer(phrases="codebook").fit())


def test_gensim_phrases_next_to_a_codebook_phrase_count_as_transform_does():
    """``phrases="gensim"`` joins no codebook phrase, but learned collocations are joined only
    between codebook phrases (as they were learned): "anti money laundering" with "anti_money"
    learned keeps the codebook phrase's words apart; the index must give the same counts."""
    book = codebook_from_dict({"themes": {"ml": {"include": ["money laundering"]}}})
    learn = "\n\n".join(f"{who} anti money fund grew." for who in ("The", "An", "Our", "Their", "Some", "Any"))
    corpus = pd.DataFrame({"doc_id": ["a", "b"], "date": ["2000", "2001"], "year": [2000, 2001],
                           "text": [learn, "We fight anti money laundering today."]})
    index = build_index(corpus, book, phrase_min_count=3)
    params = dict(phrases="gensim", normalize="none", stopwords=False, domain_stopwords=False)
    tokens = index.tokenizer(**params).transform(index.paragraphs["text"])
    assert tokens[0][:2] == ["the", "anti_money"]
    assert tokens[-1] == ["we", "fight", "anti", "money", "laundering", "today"]
    x = index.dfm("paragraph", index.tokenizer(**params))
    assert row_counts(x, x.shape[0] - 1) == dict(Counter(tokens[-1]))


def test_gensim_phrases_keep_the_words_of_step_one(index):
    """Without joined codebook phrases a text's words are step 1's: a hyphenated word that holds
    a codebook phrase ("anti-money-laundering") stays one word, as with phrases="none"."""
    words = lambda phrases: index.tokenizer(phrases=phrases, stopwords=False, domain_stopwords=False).transform(
        ["the anti-money-laundering law"])[0]
    assert words("none") == ["the", "anti-money-laundering", "law"]
    assert words("gensim") == words("none")


# -- (b) word tokens ---------------------------------------------------------------------------------


def test_word_tokens_are_the_words_of_the_cleaned_paragraphs(index, corpus):
    expected = {doc_id: sum(count_words(s.text) for s in segment_text(clean_text(text)))
                for doc_id, text in zip(corpus["doc_id"], corpus["text"])}
    assert index.documents.set_index("doc_id")["word_tokens"].to_dict() == expected
    assert index.paragraphs["word_tokens"].tolist() == [count_words(t) for t in index.paragraphs["text"]]
    assert expected[DOC_2025] == 1997  # 1,997 words in the cleaned 2025 report
    assert count_words(clean_text(raw_text(DOC_2010))) == expected[DOC_2010]


# -- (c) theme counts and KWIC rows ------------------------------------------------------------------


def test_every_theme_count_equals_its_kwic_rows(index, codebook):
    frequencies = theme_frequencies(index.kwic, index.documents, codebook.names)
    assert len(frequencies) == len(index.documents) * len(codebook.names)
    rows_behind = index.kwic.groupby(["doc_id", "theme"]).size()
    for row in frequencies.itertuples():
        assert row.count == rows_behind.get((row.doc_id, row.theme), 0)
    assert frequencies["count"].sum() == len(index.kwic)


def test_kwic_rows_are_the_codebook_matches_of_each_paragraph(index, codebook):
    """Independent path: the codebook run on each paragraph alone."""
    expected = [(pid, m.theme, m.pattern, " ".join(text[m.start:m.end].split()))
                for pid, text in zip(index.paragraphs["paragraph_id"], index.paragraphs["text"])
                for m in codebook.find(text)]
    found = list(index.kwic[["paragraph_id", "theme", "pattern", "match"]].itertuples(index=False, name=None))
    assert found == expected
    assert (index.kwic["doc_id"] == index.kwic["paragraph_id"].str.split(":").str[0]).all()


# -- (d) workers and chunks ----------------------------------------------------------------------------


def assert_same_index(a: CorpusIndex, b: CorpusIndex) -> None:
    for table in ("documents", "paragraphs", "kwic"):
        pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table), obj=table)
    assert a.items.tolist() == b.items.tolist()
    for matrix in ("words", "codebook_delta", "learned_delta"):
        left, right = getattr(a, matrix), getattr(b, matrix)
        assert (left is None) == (right is None), matrix
        if left is not None:
            assert left.shape == right.shape and left.dtype == right.dtype, matrix
            assert (left != right).nnz == 0, matrix
    assert (a.phrases is None) == (b.phrases is None)
    if a.phrases is not None:
        assert dict(a.phrases.phrasegrams) == dict(b.phrases.phrasegrams)
    assert a.settings == b.settings
    for phrases in ("none", "codebook", "both" if a.learned_delta is not None else "codebook"):
        for unit in ("document", "paragraph"):
            x, y = a.dfm(unit, a.tokenizer(phrases=phrases)), b.dfm(unit, b.tokenizer(phrases=phrases))
            assert x.features.tolist() == y.features.tolist() and (x.matrix != y.matrix).nnz == 0
            pd.testing.assert_frame_equal(x.docvars, y.docvars)


@pytest.mark.parametrize("n_jobs, chunk_size", [(1, 1), (2, 1), (2, 2), (2, 128)])
def test_results_do_not_depend_on_workers_or_chunks(index, corpus, codebook, n_jobs, chunk_size):
    assert_same_index(build_index(corpus, codebook, n_jobs=n_jobs, chunk_size=chunk_size), index)


# -- (e) save and load ---------------------------------------------------------------------------------


@pytest.mark.parametrize("learned", [True, False])
def test_save_and_load_round_trip_is_exact(index, index_plain, tmp_path, learned):
    original = index if learned else index_plain
    original.save(tmp_path / "index")
    loaded = CorpusIndex.load(tmp_path / "index")
    assert (original.source, loaded.source) == ("built", "cache")
    assert_same_index(original, loaded)
    assert (loaded.key, loaded.fingerprint) == (original.key, original.fingerprint)
    assert loaded.items.dtype == original.items.dtype
    assert not [p.name for p in tmp_path.iterdir() if p.name != "index"]  # no temporary folder left
    if learned:
        text = ["Law enforcement and money laundering."]
        assert loaded.tokenizer().transform(text) == original.tokenizer().transform(text)


# -- (f) the cache ---------------------------------------------------------------------------------------


def events(trace) -> Counter:
    if not trace.exists():
        return Counter()
    return Counter(json.loads(line)["event"] for line in trace.read_text(encoding="utf-8").splitlines())


@pytest.fixture
def corpus_copy(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder)
    return folder


def test_cached_index_builds_once_and_rebuilds_after_an_edit(corpus_copy, tmp_path, monkeypatch):
    trace = tmp_path / "trace.jsonl"
    monkeypatch.setenv("ANALYSIS_TRACE", str(trace))
    cache = tmp_path / "cache"
    get = lambda: cached_index(corpus_copy, corpus_copy / "themes.yml", cache_dir=cache)

    first = get()
    assert first.source == "built"
    assert events(trace) == Counter({"read_corpus": 1, "match_codebook": 1})
    second = get()
    assert second.source == "cache"
    assert events(trace) == Counter({"read_corpus": 1, "match_codebook": 1})  # not read again
    assert_same_index(first, second)
    assert second.key == first.key and second.fingerprint == first.fingerprint

    path = corpus_copy / "corpus" / f"{DOC_2010}.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\n\nCybercrime keeps growing.\n", encoding="utf-8")
    third = get()
    assert third.source == "built" and third.key != first.key
    assert events(trace) == Counter({"read_corpus": 2, "match_codebook": 2})
    assert third.fingerprint["texts"] != first.fingerprint["texts"]
    words = lambda ix: ix.documents.set_index("doc_id").loc[DOC_2010, "word_tokens"]
    assert words(third) == words(first) + 3
    mentions = lambda ix: ((ix.kwic["doc_id"] == DOC_2010) & (ix.kwic["theme"] == "cybercrime")).sum()
    assert mentions(third) == mentions(first) + 1
    assert get().source == "cache" and events(trace)["read_corpus"] == 2


def snapshot(folder):
    return {str(p.relative_to(folder)): (p.is_dir(), p.read_bytes() if p.is_file() else b"", p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*"))}


@pytest.mark.parametrize("inside", ["cache", ".", "corpus/cache", "link"])
def test_cache_dir_inside_the_corpus_folder_is_refused(corpus_copy, tmp_path, monkeypatch, inside):
    trace = tmp_path / "trace.jsonl"
    monkeypatch.setenv("ANALYSIS_TRACE", str(trace))
    if inside == "link":  # outside by name, inside once resolved
        (tmp_path / "link").symlink_to(corpus_copy / "corpus", target_is_directory=True)
        cache_dir = tmp_path / "link"
    else:
        cache_dir = corpus_copy / inside
    before = snapshot(corpus_copy)
    with pytest.raises(ParameterError, match=r"cache_dir=.*inside the corpus folder"):
        cached_index(corpus_copy, corpus_copy / "themes.yml", cache_dir=cache_dir)
    with pytest.raises(ParameterError, match=r"cache_dir="):
        cached_index(corpus_copy / "metadata.csv", corpus_copy / "themes.yml", cache_dir=cache_dir)
    assert snapshot(corpus_copy) == before, "nothing may be written into the corpus folder"
    assert events(trace) == Counter()  # refused before anything is read


def test_cache_dir_beside_a_table_corpus_is_refused(tmp_path):
    folder = tmp_path / "tables"
    folder.mkdir()
    table = folder / "docs.csv"
    table.write_text("doc_id,year,text\nd1,2020,Cybercrime.\n", encoding="utf-8")
    themes = tmp_path / "themes.yml"
    shutil.copy(DATA / "themes.yml", themes)
    with pytest.raises(ParameterError, match="cache_dir="):
        cached_index(table, themes, cache_dir=folder / "cache")
    assert sorted(p.name for p in folder.iterdir()) == ["docs.csv"]
    index = cached_index(table, themes, cache_dir=tmp_path / "cache", learn_phrases=False)
    assert index.documents["word_tokens"].tolist() == [1]


def test_a_damaged_cache_entry_is_rebuilt(tmp_path):
    first = cached_index(DATA, THEMES, cache_dir=tmp_path)
    [folder] = [p for p in tmp_path.iterdir() if p.is_dir()]
    (folder / "words.npz").unlink()
    messages = []
    again = cached_index(DATA, THEMES, cache_dir=tmp_path, log=messages.append)
    assert again.source == "built" and any("unreadable" in m for m in messages)
    assert (again.dfm().matrix != first.dfm().matrix).nnz == 0
    assert cached_index(DATA, THEMES, cache_dir=tmp_path).source == "cache"
