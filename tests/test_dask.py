"""The corpus pass on a Dask distributed cluster (``scheduler``) gives the index of a local run,
table for table and matrix for matrix, whichever way the texts reach the workers."""

import gzip
import itertools
import json
import shutil

import numpy as np
import pandas as pd
import pytest

from analysis.errors import CorpusError, ParameterError
from analysis.index import build
from analysis.index.build import build_index
from analysis.index.cache import cached_index
from analysis.io.corpus import read_corpus, scan_corpus
from analysis.report.params import validate_parameters
from analysis.report.runner import run_notebooks
from conftest import DATA, NOTEBOOKS, ROOT, THEMES

UN = ROOT.parent / "shared" / "corpora" / "ungd" / "ungd_1946-2023.jsonl.gz"
UN_SAMPLE_EVERY = 250  # 44 speeches of 10,952, when the UN corpus is at hand
CHUNK = 8
COLUMNS = ["doc_id", "date", "year", "body", "text"]


@pytest.fixture(scope="module")
def scheduler():
    distributed = pytest.importorskip("distributed", reason="Dask distributed is not installed (pip install dask "
                                                            "distributed): the cluster tests are skipped")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def table(corpus):
    """The seed documents and, when available, a sample of UN speeches, in reverse order (the
    stream must put them back in the corpus's order)."""
    rows = corpus[COLUMNS].to_dict("records")
    if UN.exists():
        with gzip.open(UN, "rt", encoding="utf-8") as stream:
            for line in itertools.islice(stream, 0, None, UN_SAMPLE_EVERY):
                speech = json.loads(line)
                rows.append({"doc_id": speech["doc_id"], "date": str(speech["year"]), "year": speech["year"],
                             "body": speech["country"], "text": speech["text"]})
    return pd.DataFrame(rows[::-1])


@pytest.fixture(scope="module")
def inputs(table, tmp_path_factory):
    folder = tmp_path_factory.mktemp("inputs")
    lines = "".join(json.dumps(row) + "\n" for row in table.to_dict("records"))
    (folder / "t.jsonl").write_text(lines, encoding="utf-8")
    with gzip.open(folder / "t.jsonl.gz", "wt", encoding="utf-8") as stream:
        stream.write(lines)
    table.to_csv(folder / "t.csv", index=False)
    return {"folder": DATA, "jsonl": folder / "t.jsonl", "jsonl.gz": folder / "t.jsonl.gz", "csv": folder / "t.csv"}


def assert_identical(a, b):
    for name in ("documents", "paragraphs", "kwic"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True, obj=name)
    assert a.items.tolist() == b.items.tolist()
    for name in ("words", "codebook_delta", "learned_delta", "learned_only_delta"):
        left, right = getattr(a, name), getattr(b, name)
        assert (left is None) == (right is None), name
        if left is not None:
            assert left.shape == right.shape and left.dtype == right.dtype, name
            for part in ("indptr", "indices", "data"):
                assert np.array_equal(getattr(left, part), getattr(right, part)), (name, part)
    assert (a.phrases is None) == (b.phrases is None)
    if a.phrases is not None:
        assert dict(a.phrases.phrasegrams) == dict(b.phrases.phrasegrams)
    assert (a.settings, a.fingerprint) == (b.settings, b.fingerprint)


@pytest.mark.parametrize("kind", ["folder", "jsonl", "jsonl.gz", "csv"])
def test_the_index_built_on_the_cluster_is_the_local_one(inputs, codebook, scheduler, kind):
    """Folder and .jsonl: the workers read their documents; .jsonl.gz and .csv: streamed from
    here. Every table, matrix, learned phrase and the fingerprint are the same."""
    local = build_index(read_corpus(inputs[kind]), codebook, chunk_size=CHUNK)
    source = scan_corpus(inputs[kind])
    assert "text" not in source.documents.columns
    assert (source.reader is not None) == (kind in ("folder", "jsonl"))
    assert len(local.kwic) > 0 and local.learned_delta.nnz > 0
    assert_identical(build_index(source, codebook, chunk_size=CHUNK, scheduler=scheduler), local)


def test_the_cache_key_does_not_depend_on_the_scheduler(inputs, codebook, scheduler, tmp_path):
    on_cluster = cached_index(inputs["jsonl"], THEMES, cache_dir=tmp_path, scheduler=scheduler)
    again = cached_index(inputs["jsonl"], THEMES, cache_dir=tmp_path, n_jobs=2)
    assert (on_cluster.source, again.source) == ("built", "cache") and again.key == on_cluster.key
    assert_identical(again, build_index(read_corpus(inputs["jsonl"]), codebook, key=again.key))


def test_a_bad_text_read_by_a_worker_is_reported_as_read_corpus_reports_it(codebook, scheduler, tmp_path):
    folder = tmp_path / "corpus"
    shutil.copytree(DATA, folder)
    metadata = pd.read_csv(folder / "metadata.csv", dtype=str)
    (folder / metadata["file"].iloc[2]).write_text("  \n", encoding="utf-8")
    with pytest.raises(CorpusError) as expected:
        read_corpus(folder)
    with pytest.raises(CorpusError, match="is empty") as raised:
        build_index(scan_corpus(folder), codebook, chunk_size=1, scheduler=scheduler)
    assert str(raised.value) == str(expected.value)


def test_notebook_00_exports_the_same_tables_with_a_scheduler(scheduler, tmp_path):
    notebook = [NOTEBOOKS / "00_corpus_overview.ipynb"]
    tables = {}
    for name, extra in (("local", {}), ("dask", {"scheduler": scheduler})):
        base = tmp_path / name
        run_notebooks(notebook, {"reports_dir": str(base / "reports"), "figures_dir": str(base / "figures"),
                                 "cache_dir": str(base / "cache"), **extra}, log=lambda *_: None)
        tables[name] = {p.name: p.read_bytes() for p in sorted((base / "reports" / "tables").iterdir())}
    assert tables["local"] and tables["dask"] == tables["local"]


@pytest.mark.parametrize("value", ["tcp://host:8786", "host:8786", "tls://10.0.0.1:8786", "tcp://[::1]:8786", None])
def test_the_scheduler_parameter_is_an_address_or_none(value):
    assert validate_parameters({"scheduler": value}) == {"scheduler": value}


@pytest.mark.parametrize("value", ["tcp://host", "", "None", 8786, "two words:1"])
def test_a_scheduler_that_is_not_an_address_is_refused(value):
    with pytest.raises(ParameterError, match="the address of a Dask scheduler"):
        validate_parameters({"scheduler": value})


def test_a_scheduler_that_does_not_answer_is_named(codebook, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr(build, "DASK_CONNECT_TIMEOUT", "1s")
    with pytest.raises(ParameterError, match="no Dask scheduler answers"):
        build_index(scan_corpus(DATA), codebook, scheduler="tcp://127.0.0.1:9")
