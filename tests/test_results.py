"""The result store: exact round trips, stable bytes, refusal of stale results with the notebook to run."""

import json
import os
import stat
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

from analysis.errors import AnalysisError
from analysis.report import results as results_module
from analysis.report.results import NEUTRAL_PARAMETERS, MissingResult, ResultStore, StaleResult

KEY = "1a2b3c4d" + "0" * 56
OTHER_KEY = "9f8e7d6c" + "f" * 56
TRENDS = "01_term_trends"
SYNTHESIS = "04_agenda_synthesis"


def store(tmp_path, notebook=TRENDS, key=KEY, **parameters):
    defaults = {"corpus": "../data", "themes": "../data/themes.yml", "split_year": 2016, "normalize": "lemma",
                "reports_dir": "../reports", "n_jobs": 1}
    return ResultStore(tmp_path / "reports" / "results", index_key=key, notebook=notebook,
                       parameters={**defaults, **parameters})


def assert_exact(put, back):
    pd.testing.assert_frame_equal(put, back, check_exact=True, check_index_type=True, check_column_type=True)
    assert back.dtypes.to_dict() == put.dtypes.to_dict()


COLUMNS = {
    "int64": pd.Series(np.array([3, -1, 2**62], dtype="int64")),
    "float64": pd.Series([0.1 + 0.2, np.nan, 1e-310]),
    "Int64": pd.Series(pd.array([1, None, 2**40], dtype="Int64")),
    "str": pd.Series(["crime", None, "été"]),
    "object": pd.Series(["crime", None, "été"], dtype=object),
    "object_ints": pd.Series([1, None, 3], dtype=object),
    "bool": pd.Series([True, False, True]),
    "category": pd.Series(pd.Categorical(["lda", None, "nmf"], categories=["nmf", "lda", "unused"], ordered=True)),
    "category_int": pd.Series(pd.Categorical([2016, 2020, None], categories=[2020, 2016, 2024])),
}


@pytest.mark.parametrize("dtype", sorted(COLUMNS))
def test_table_round_trip_is_exact_for_each_dtype(tmp_path, dtype):
    frame = pd.DataFrame({"x": COLUMNS[dtype], "n": [1, 2, 3]})
    store(tmp_path).put("table", frame)
    back = store(tmp_path, notebook=SYNTHESIS).get("table", expected=pd.DataFrame)
    assert_exact(frame, back)
    assert [type(v) for v in back["x"]] == [type(v) for v in frame["x"]]  # None stays None, 1 stays an int


def test_table_round_trip_keeps_floats_index_and_all_dtypes_together(tmp_path):
    floats = [0.1 + 0.2, -0.0, 1e-310, np.inf, np.nextafter(1.0, 2.0), 1 / 3]
    frame = pd.DataFrame({name: pd.concat([column, column]).reset_index(drop=True) for name, column in COLUMNS.items()})
    frame["float64"] = floats
    filtered = frame.iloc[[5, 1, 3]]  # a filtered table keeps its row labels
    indexed = frame.set_index(pd.Index(list("abcdef"), dtype=object, name="term"))
    object_labels = frame.set_axis(pd.Index(frame.columns.tolist(), dtype=object), axis=1)
    year_columns = pd.DataFrame([[1.5, 2.5]], columns=pd.Index([2016, 2020], name="year"))
    s = store(tmp_path)
    for name, table in [("filtered", filtered), ("indexed", indexed), ("object_labels", object_labels),
                        ("year_columns", year_columns)]:
        s.put(name, table)
        assert_exact(table, s.get(name))
    assert [np.float64(v).tobytes() for v in s.get("filtered")["float64"]] == \
        [np.float64(v).tobytes() for v in filtered["float64"]]  # bit for bit, -0.0 included


def test_value_round_trip_is_exact(tmp_path):
    values = {"chosen_k": {"lda": 6, "nmf": 8}, "share": 0.1 + 0.2, "count": 2**70, "flag": True, "nothing": None,
              "label": "Trafficking — persons", "nested": [1, 2.5, "a", [True, None], {"k": [False]}], "empty": {}}
    s = store(tmp_path)
    for name, value in values.items():
        s.put(name, value)
    reader = store(tmp_path, notebook=SYNTHESIS)
    for name, value in values.items():
        back = reader.get(name)
        assert back == value and type(back) is type(value)
    assert type(reader.get("chosen_k")["lda"]) is int and type(reader.get("flag")) is bool
    assert json.loads((tmp_path / "reports" / "results" / "chosen_k.json").read_text()) == {"lda": 6, "nmf": 8}


@pytest.mark.parametrize("value", [np.int64(6), (1, 2), {6: "lda"}, pd.Series([1, 2]), {"k": {1.5}}])
def test_values_that_would_not_come_back_the_same_are_refused(tmp_path, value):
    with pytest.raises(AnalysisError, match="result 'chosen_k'"):
        store(tmp_path).put("chosen_k", value)
    assert not (tmp_path / "reports" / "results" / "chosen_k.json").exists()


def test_table_that_would_not_come_back_exactly_is_refused(tmp_path):
    with pytest.raises(AnalysisError, match="result 'odd'.*column name=\"x\""):
        store(tmp_path).put("odd", pd.DataFrame({"x": [{"a": 1}, {"b": 2}]}))  # dicts come back with both keys
    with pytest.raises(AnalysisError, match="result 'mixed'"):
        store(tmp_path).put("mixed", pd.DataFrame({"x": [1, "a"]}))


def frame_for_bytes():
    return pd.DataFrame({"term": ["b", "a", "c"] * 50, "g2": np.linspace(0, 1, 150) / 3, "n": np.arange(150),
                         "theme": pd.Categorical(["x", "y", "z"] * 50), "o": pd.Series(["p", None, "q"] * 50, dtype=object),
                         "year": pd.Categorical([2016, 2020, 2024] * 50), "I": pd.array([1, None, 2] * 50, dtype="Int64")})


def test_same_frame_gives_identical_bytes(tmp_path):
    folder = tmp_path / "reports" / "results"
    s = store(tmp_path)
    s.put("first", frame_for_bytes())
    first = (folder / "first.parquet").read_bytes()
    s.put("first", frame_for_bytes())
    s.put("second", frame_for_bytes())
    assert (folder / "first.parquet").read_bytes() == first == (folder / "second.parquet").read_bytes()
    s.put("value", {"lda": 6, "nmf": [1.5, None]})
    value = (folder / "value.json").read_bytes()
    s.put("value", {"lda": 6, "nmf": [1.5, None]})
    assert (folder / "value.json").read_bytes() == value
    # another process, with another hash seed, writes the same bytes
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {os.path.dirname(__file__)!r})
        from test_results import frame_for_bytes
        from analysis.report.results import ResultStore
        ResultStore(sys.argv[1], index_key="k", notebook="n").put("first", frame_for_bytes())
    """)
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "other")], check=True,
                   env={**os.environ, "PYTHONHASHSEED": "12345"})
    assert (tmp_path / "other" / "first.parquet").read_bytes() == first


def test_sidecar_records_producer_key_parameters_and_columns(tmp_path):
    frame = pd.DataFrame({"term": ["a"], "g2": [1.5], "n": pd.array([1], dtype="Int64")})
    store(tmp_path, seed=(1, 2)).put("keyness", frame)
    meta = json.loads((tmp_path / "reports" / "results" / "keyness.meta.json").read_text())
    assert meta["name"] == "keyness" and meta["kind"] == "table" and meta["producer"] == TRENDS
    assert meta["index_key"] == KEY and meta["parameters"]["split_year"] == 2016 and meta["parameters"]["seed"] == [1, 2]
    assert meta["columns"] == [{"name": "term", "dtype": "str"}, {"name": "g2", "dtype": "float64"},
                               {"name": "n", "dtype": "Int64"}]
    store(tmp_path).put("chosen_k", {"lda": 6})
    assert json.loads((tmp_path / "reports" / "results" / "chosen_k.meta.json").read_text())["kind"] == "value"


def test_data_file_is_written_before_its_sidecar_and_no_temporary_file_is_left(tmp_path, monkeypatch):
    replaced = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda src, dst: (replaced.append(os.path.basename(dst)), real_replace(src, dst)))
    store(tmp_path).put("keyness", pd.DataFrame({"a": [1]}))
    assert replaced[:2] == ["keyness.parquet", "keyness.meta.json"]
    assert sorted(os.listdir(tmp_path / "reports" / "results")) == \
        [f"{TRENDS}.run.json", "keyness.meta.json", "keyness.parquet"]


def test_result_from_another_index_is_refused_naming_the_producer(tmp_path):
    store(tmp_path).put("keyness", pd.DataFrame({"a": [1]}))
    with pytest.raises(StaleResult) as error:
        store(tmp_path, notebook=SYNTHESIS, key=OTHER_KEY).get("keyness")
    message = str(error.value)
    assert "'keyness' was made by 01_term_trends from another corpus, codebook or token settings" in message
    assert "1a2b3c4d…" in message and "9f8e7d6c…" in message and message.endswith("re-run 01_term_trends first")
    assert isinstance(error.value, AnalysisError)


def test_conflicting_parameter_is_refused_naming_parameter_values_and_notebooks(tmp_path):
    store(tmp_path, split_year=2016).put("keyness", pd.DataFrame({"a": [1]}))
    with pytest.raises(StaleResult) as error:
        store(tmp_path, notebook=SYNTHESIS, split_year=2020).get("keyness")
    assert str(error.value) == (
        "result 'keyness' was made by 01_term_trends with split_year=2016, but 04_agenda_synthesis runs with "
        "split_year=2020: re-run 01_term_trends with split_year=2020, or run this notebook with -p split_year 2016")


def test_conflicts_compare_types_and_strings_as_given(tmp_path):
    store(tmp_path, min_df=1, corpus="../data").put("counts", {"n": 1})
    with pytest.raises(StaleResult, match=r"min_df=1\b.*min_df=1\.0"):  # a count is not a proportion
        store(tmp_path, notebook=SYNTHESIS, min_df=1.0).get("counts")
    with pytest.raises(StaleResult, match=r"corpus='../data'.*corpus='data'.*-p corpus ../data"):
        store(tmp_path, notebook=SYNTHESIS, min_df=1, corpus="data").get("counts")


def test_neutral_or_unshared_parameters_do_not_conflict(tmp_path):
    assert {"reports_dir", "figures_dir", "n_jobs", "scheduler", "cache_dir", "kwic_examples",
            "n_examples"} <= NEUTRAL_PARAMETERS
    assert isinstance(NEUTRAL_PARAMETERS, frozenset)
    store(tmp_path, n_jobs=1, kwic_examples=6, figures_dir="../figures", cache_dir="a").put("keyness", {"k": 1})
    reader = store(tmp_path, notebook=SYNTHESIS, n_jobs=8, kwic_examples=2, figures_dir="/tmp/f", cache_dir="b",
                   reports_dir="/elsewhere", n_keyness_terms=15,  # only this notebook has n_keyness_terms
                   scheduler="tcp://cluster:8786")
    assert reader.get("keyness") == {"k": 1}


def test_own_earlier_result_is_checked_too(tmp_path):
    store(tmp_path, notebook=SYNTHESIS, split_year=2016).put("grid", {"k": 1})
    with pytest.raises(StaleResult, match="made by 04_agenda_synthesis .*split_year=2016"):
        store(tmp_path, notebook=SYNTHESIS, split_year=2020).get("grid")
    assert store(tmp_path, notebook=SYNTHESIS, split_year=2016).get("grid") == {"k": 1}


def test_missing_result_names_the_notebook_that_produces_it(tmp_path):
    folder = tmp_path / "reports" / "results"
    named = ResultStore(folder, index_key=KEY, notebook=SYNTHESIS, producers_of={"keyness": TRENDS})
    with pytest.raises(MissingResult) as error:
        named.get("keyness")
    assert str(error.value) == f"result 'keyness' not found in {folder}; run notebook 01_term_trends first"
    assert isinstance(error.value, AnalysisError)
    with pytest.raises(MissingResult, match="run the notebook that produces it first"):
        ResultStore(folder, index_key=KEY, notebook=SYNTHESIS).get("keyness")


def test_expected_type_is_checked(tmp_path):
    s = store(tmp_path)
    s.put("chosen_k", {"lda": 6})
    s.put("flag", True)
    assert s.get("chosen_k", expected=dict) == {"lda": 6}
    with pytest.raises(AnalysisError, match="result 'chosen_k' is a dict, not a DataFrame"):
        s.get("chosen_k", expected=pd.DataFrame)
    with pytest.raises(AnalysisError, match="result 'flag'"):
        s.get("flag", expected=int)


def test_begin_removes_this_notebooks_previous_results_only(tmp_path):
    folder = tmp_path / "reports" / "results"
    old = store(tmp_path, notebook=TRENDS)
    old.put("keyness", pd.DataFrame({"a": [1]}))
    old.put("dropped", {"k": 1})  # no longer produced by the next run
    other = store(tmp_path, notebook="02_topic_models")
    other.put("chosen_k", {"lda": 6})
    assert store(tmp_path).producers()[TRENDS]["results"] == ["dropped", "keyness"]

    ResultStore(folder, index_key=KEY, notebook=TRENDS)  # opening deletes nothing
    assert (folder / "dropped.json").exists()
    new = store(tmp_path, notebook=TRENDS, key=OTHER_KEY)
    assert new.begin() == ["dropped", "keyness"]
    assert not any((folder / f).exists() for f in ["keyness.parquet", "keyness.meta.json", "dropped.json",
                                                    "dropped.meta.json"])
    assert store(tmp_path, notebook=SYNTHESIS).get("chosen_k") == {"lda": 6}
    new.put("keyness", pd.DataFrame({"a": [2]}))
    producers = new.producers()
    assert producers[TRENDS] == {"index_key": OTHER_KEY, "parameters": new.parameters, "results": ["keyness"]}
    assert producers["02_topic_models"]["results"] == ["chosen_k"]


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600)])
def test_files_take_their_mode_from_the_umask(tmp_path, umask, mode):
    previous = os.umask(umask)
    try:
        s = store(tmp_path)
        s.put("keyness", pd.DataFrame({"a": [1.5]}))
        s.put("chosen_k", {"lda": 6})
        s.begin()
        s.put("keyness", pd.DataFrame({"a": [1.5]}))
    finally:
        os.umask(previous)
    files = list((tmp_path / "reports" / "results").iterdir())
    assert len(files) == 3
    assert {f.name: stat.S_IMODE(f.stat().st_mode) for f in files} == {f.name: mode for f in files}


def test_export_writes_a_csv_for_readers(tmp_path):
    frame = pd.DataFrame({"term": ["crime"], "g2": [12.3456789]})
    store(tmp_path).put("keyness_top", frame, export="keyness", latex=True, caption="Keyness")
    tables = tmp_path / "reports" / "tables"
    assert (tables / "keyness.csv").read_text() == "term,g2\ncrime,12.3457\n"
    assert (tables / "keyness.tex").exists()
    assert store(tmp_path).get("keyness_top")["g2"].iloc[0] == 12.3456789  # the store keeps every digit
    with pytest.raises(AnalysisError, match="only a DataFrame can be exported"):
        store(tmp_path).put("chosen_k", {"lda": 6}, export="chosen_k")


@pytest.mark.parametrize("damage", ["truncate", "garbage", "not_a_dict"])
def test_damaged_sidecar_names_the_file(tmp_path, damage):
    store(tmp_path).put("keyness", pd.DataFrame({"a": [1]}))
    sidecar = tmp_path / "reports" / "results" / "keyness.meta.json"
    text = sidecar.read_text()
    sidecar.write_text({"truncate": text[: len(text) // 2], "garbage": "\x00\xff", "not_a_dict": "[1]"}[damage])
    with pytest.raises(AnalysisError, match=f"{sidecar}"):
        store(tmp_path).get("keyness")


@pytest.mark.parametrize("name, value, suffix", [("keyness", pd.DataFrame({"a": range(100)}), ".parquet"),
                                                  ("chosen_k", {"lda": 6}, ".json")])
@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_damaged_data_file_names_the_file(tmp_path, name, value, suffix, damage):
    store(tmp_path).put(name, value)
    path = tmp_path / "reports" / "results" / f"{name}{suffix}"
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        del data[len(data) // 2:]
    else:
        data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(AnalysisError, match=f"{path}"):
        store(tmp_path).get(name)


def test_damaged_data_file_is_reported_even_with_a_matching_sidecar(tmp_path):
    """A file that cannot be parsed is an AnalysisError, not a traceback from pyarrow or json."""
    s = store(tmp_path)
    s.put("keyness", pd.DataFrame({"a": [1]}))
    folder = tmp_path / "reports" / "results"
    meta = json.loads((folder / "keyness.meta.json").read_text())
    (folder / "keyness.parquet").write_bytes(b"PAR1 not parquet")
    meta["sha256"] = results_module.hashlib.sha256(b"PAR1 not parquet").hexdigest()
    (folder / "keyness.meta.json").write_text(json.dumps(meta))
    with pytest.raises(AnalysisError, match=f"{folder / 'keyness.parquet'}: damaged or unreadable"):
        s.get("keyness")


def test_data_without_sidecar_and_damaged_run_record(tmp_path):
    s = store(tmp_path)
    s.put("keyness", pd.DataFrame({"a": [1]}))
    folder = tmp_path / "reports" / "results"
    (folder / "keyness.meta.json").unlink()
    with pytest.raises(MissingResult, match="keyness.parquet has no sidecar"):
        s.get("keyness")
    (folder / f"{TRENDS}.run.json").write_text("{")
    with pytest.raises(AnalysisError, match=f"{TRENDS}.run.json"):
        s.producers()


@pytest.mark.parametrize("name", ["../keyness", "a.b", "", "key ness"])
def test_result_names_must_be_plain_file_names(tmp_path, name):
    with pytest.raises(AnalysisError, match="result name"):
        store(tmp_path).put(name, 1)
