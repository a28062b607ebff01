import gzip
import json
import shutil

import pandas as pd
import pytest

from analysis.io.corpus import read_corpus
from analysis.errors import CorpusError
from conftest import DATA, DOC_2010, DOC_2015, DOC_2025, raw_text


def test_default_corpus_is_the_five_seed_documents_in_date_order(corpus):
    assert list(corpus["doc_id"]) == [
        "2010_ipu122_organized_crime", "2015_appf23_human_trafficking", "2016_arf_cross_border_criminals",
        "2023_appf31_transnational_crimes", "2025_uncongress15_apac_prep"]
    assert list(corpus["year"]) == [2010, 2015, 2016, 2023, 2025]
    assert list(corpus["date"]) == ["2010", "2015-01-14", "2016", "2023-11-26", "2025-01-22"]
    assert {"body", "meeting", "title", "doc_type", "file"} <= set(corpus.columns)


def test_texts_are_read_unedited(corpus):
    for doc_id, text in zip(corpus["doc_id"], corpus["text"]):
        assert text == raw_text(doc_id)


def test_corpus_files_are_the_shared_seeds_byte_for_byte(corpus):
    seeds = DATA.parent.parent / "shared" / "seeds"
    if not seeds.is_dir():
        pytest.skip("shared/seeds is not beside the project")
    for row in corpus.itertuples():
        assert (DATA / row.file).read_bytes() == (seeds / row.source_file).read_bytes()


def test_metadata_file_path_loads_the_same_corpus(corpus):
    pd.testing.assert_frame_equal(read_corpus(DATA / "metadata.csv"), corpus)


def test_jsonl_gz_table_with_metadata(tmp_path):
    path = tmp_path / "speeches.jsonl.gz"
    records = [
        {"doc_id": "B_2001", "country": "B", "year": 2001, "text": "Second speech."},
        {"doc_id": "A_1999", "country": "A", "year": 1999, "text": "First speech."},
    ]
    with gzip.open(path, "wt", encoding="utf-8") as stream:
        stream.write("\n".join(json.dumps(r) for r in records) + "\n")
    corpus = read_corpus(path)
    assert list(corpus["doc_id"]) == ["A_1999", "B_2001"]
    assert list(corpus["country"]) == ["A", "B"]
    assert list(corpus["date"]) == ["1999", "2001"]


def test_csv_table_with_another_text_column(tmp_path):
    path = tmp_path / "docs.csv"
    path.write_text('doc_id,year,body\nd1,2020,"Hello, world."\n', encoding="utf-8")
    assert read_corpus(path, text_column="body")["text"].tolist() == ["Hello, world."]


@pytest.fixture
def corpus_copy(tmp_path):
    folder = tmp_path / "corpus_copy"
    shutil.copytree(DATA, folder)
    return folder


def edit_metadata(folder, change):
    frame = pd.read_csv(folder / "metadata.csv", dtype=str, keep_default_na=False)
    frame = change(frame)
    frame.to_csv(folder / "metadata.csv", index=False)


def snapshot(folder):
    return {p.relative_to(folder): (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("change, message", [
    (lambda f: f.drop(columns=["year"]), r"metadata\.csv: missing required column\(s\) year"),
    (lambda f: f.drop(columns=["file"]), r"missing required column\(s\) file"),
    (lambda f: f.assign(doc_id=[DOC_2010, DOC_2010] + list(f.doc_id[2:])), rf"duplicate doc_id '{DOC_2010}' in rows 1, 2"),
    (lambda f: f.assign(doc_id=[""] + list(f.doc_id[1:])), r"row 1: missing doc_id"),
    (lambda f: f.assign(year=["", *f.year[1:]]), rf"row 1 \(doc_id '{DOC_2010}'\): missing year"),
    (lambda f: f.assign(year=[f.year[0], "2015a", *f.year[2:]]), r"row 2 .*: year '2015a' is not a whole number"),
    (lambda f: f.assign(date=[f.date[0], "14/01/2015", *f.date[2:]]), r"row 2 .*date '14/01/2015' is not ISO 8601"),
    (lambda f: f.assign(date=[f.date[0], "2016-01-14", *f.date[2:]]), r"row 2 .*does not fall in year 2015"),
    (lambda f: f.assign(file=["/etc/passwd", *f.file[1:]]), r"row 1 .*'/etc/passwd' is an absolute path"),
    (lambda f: f.assign(file=["../x.txt", *f.file[1:]]), r"row 1 .*'\.\./x\.txt' lies outside the corpus folder"),
    (lambda f: f.assign(file=["corpus/../../metadata.csv", *f.file[1:]]), r"lies outside the corpus folder"),
    (lambda f: f.assign(file=["corpus/missing.txt", *f.file[1:]]), r"row 1 .*'corpus/missing\.txt' does not exist"),
])
def test_bad_metadata_stops_naming_file_and_row(corpus_copy, change, message):
    edit_metadata(corpus_copy, change)
    before = snapshot(corpus_copy)
    with pytest.raises(CorpusError, match=message):
        read_corpus(corpus_copy)
    assert snapshot(corpus_copy) == before, "loading must never alter the corpus folder"


def test_non_utf8_text_names_the_file(corpus_copy):
    (corpus_copy / "corpus" / f"{DOC_2015}.txt").write_bytes("Résolution".encode("latin-1"))
    with pytest.raises(CorpusError, match=rf"doc_id '{DOC_2015}'.*{DOC_2015}\.txt' is not UTF-8 text \(byte 1"):
        read_corpus(corpus_copy)


def test_empty_text_names_the_file(corpus_copy):
    (corpus_copy / "corpus" / f"{DOC_2025}.txt").write_text(" \n\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=rf"row 5 \(doc_id '{DOC_2025}'\): file 'corpus/{DOC_2025}\.txt' is empty"):
        read_corpus(corpus_copy)


def test_folder_without_metadata(tmp_path):
    with pytest.raises(CorpusError, match="has no metadata.csv"):
        read_corpus(tmp_path)


def test_missing_path_and_unknown_format(tmp_path):
    with pytest.raises(CorpusError, match="no such corpus"):
        read_corpus(tmp_path / "nowhere")
    (tmp_path / "speeches.parquet").write_bytes(b"x")
    with pytest.raises(CorpusError, match="not a corpus"):
        read_corpus(tmp_path / "speeches.parquet")


def test_bad_jsonl_line_is_named(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text('{"doc_id": "a", "year": 2000, "text": "x"}\n{"doc_id": "b", "year": 2001,\n', encoding="utf-8")
    with pytest.raises(CorpusError, match=r"s\.jsonl, line 2: not valid JSON"):
        read_corpus(path)


def test_missing_text_column_in_table(tmp_path):
    path = tmp_path / "docs.csv"
    path.write_text("doc_id,year,content\nd1,2020,hello\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"docs\.csv: missing required column\(s\) text"):
        read_corpus(path)


def test_jsonl_gz_line_numbers_and_corrupt_file(tmp_path):
    path = tmp_path / "s.jsonl.gz"
    good = json.dumps({"doc_id": "a", "year": 2000, "text": "x" * 5_000_000})
    with gzip.open(path, "wt", encoding="utf-8") as stream:
        stream.write(good + "\n" + good.replace('"a"', '"b"') + "\n{not json}\n")
    with pytest.raises(CorpusError, match=r"s\.jsonl\.gz, line 3: not valid JSON"):
        read_corpus(path)
    broken = tmp_path / "broken.jsonl.gz"
    broken.write_bytes(path.read_bytes()[:200])
    with pytest.raises(CorpusError, match=r"broken\.jsonl\.gz: could not be read"):
        read_corpus(broken)
