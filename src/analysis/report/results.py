"""Results handed from notebook to notebook through a store, checked for freshness on reading.

A notebook publishes what later notebooks need (tables, the chosen number of topics, ...) with
:meth:`ResultStore.put`; a later notebook reads it with :meth:`ResultStore.get` and gets the
value back exactly as it was put (a DataFrame with the same dtypes, index and floats to the
last bit; a JSON value with the same types). Every result records the notebook that made it,
the key of the corpus index it was made from and that notebook's parameters, and a reader is
refused a result made from another corpus, codebook or token settings, or with a parameter
that differs from its own, with a message naming the notebook to run again.

On disk, in ``<reports_dir>/results/``:

- ``<name>.parquet`` (a DataFrame) or ``<name>.json`` (a JSON value: int, float, str, bool,
  None, list, dict with str keys);
- ``<name>.meta.json``: ``name``, ``kind`` (``"table"`` or ``"value"``), ``producer``,
  ``index_key``, ``parameters``, ``file`` and ``sha256`` of the data file, and for tables
  ``rows``, ``columns`` and ``index`` (names and dtypes);
- ``<notebook>.run.json``: the index key and parameters of the notebook's last run and the
  results it put in it (see :meth:`ResultStore.begin` and :meth:`ResultStore.producers`).

Every file is written to a temporary name in the folder and renamed (the data file before its
sidecar), with the permissions the umask gives. The same DataFrame or value always gives the
same bytes. CSV (and LaTeX) copies for human readers are written with ``export=``; they are
never read back.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..io.tables import atomic_write_bytes

__all__ = ["ResultStore", "StaleResult", "MissingResult", "NEUTRAL_PARAMETERS"]

#: Parameters that do not change any result: where outputs go, how many workers (or which
#: cluster) compute them, where caches live and how many examples are shown. A difference in
#: these is not a conflict.
NEUTRAL_PARAMETERS = frozenset({"reports_dir", "figures_dir", "n_jobs", "scheduler", "cache_dir", "kwic_examples",
                                "n_examples"})

FORMAT_VERSION = 1
TABLE_SUFFIX = ".parquet"
VALUE_SUFFIX = ".json"
META_SUFFIX = ".meta.json"
RUN_SUFFIX = ".run.json"
#: Key of the Parquet schema metadata holding what pyarrow alone does not restore (object and
#: non-string categorical dtypes), so that a data file describes its own frame.
RESTORE_KEY = b"analysis.results"
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
JSON_SCALARS = (int, float, str, bool, type(None))


class MissingResult(AnalysisError):
    """A result that was never put (or whose files are incomplete); the message says what to run."""


class StaleResult(AnalysisError):
    """A result made from another corpus index or with conflicting parameters; the message names
    the notebook to run again and how."""


def _check_name(name: str, what: str = "result name") -> str:
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise AnalysisError(f"{what} {name!r}: use letters, digits, '_' and '-' only (it becomes a file name)")
    return name


def _jsonable(value):
    return json.loads(json.dumps(value, default=str))


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _short(key: str) -> str:
    return f"{key[:8]}…" if len(key) > 8 else key


def _cli_value(value) -> str:
    """``value`` as it is written after ``-p NAME`` (read as YAML), quoted for a shell if needed."""
    import shlex

    import yaml

    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if isinstance(value, str):
        try:
            plain = yaml.safe_load(value) == value
        except yaml.YAMLError:
            plain = False
        if not plain:
            text = json.dumps(value, ensure_ascii=False)
    return shlex.quote(text)


def _json_bytes(value, *, sort_keys: bool) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=sort_keys, ensure_ascii=False) + "\n").encode("utf-8")


# --- JSON values --------------------------------------------------------------------------------

def _check_json_value(name: str, value, path: str = "value", seen: frozenset = frozenset()) -> None:
    """Refuse anything that would not come back from JSON as the same type and value."""
    kind = type(value)
    if kind in JSON_SCALARS:
        return
    if id(value) in seen:
        raise AnalysisError(f"result {name!r}: {path} contains itself")
    if kind is list:
        for i, item in enumerate(value):
            _check_json_value(name, item, f"{path}[{i}]", seen | {id(value)})
        return
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                raise AnalysisError(f"result {name!r}: {path} has the key {key!r} ({type(key).__name__}); the keys of "
                                    "a dict must be str to come back from JSON as they were (use str(key))")
            _check_json_value(name, item, f"{path}[{key!r}]", seen | {id(value)})
        return
    hint = ""
    if isinstance(value, pd.Series):
        hint = " (put series.to_frame() to store it as a table)"
    elif isinstance(value, tuple):
        hint = " (a tuple would come back as a list: put list(...))"
    elif hasattr(value, "item") and hasattr(value, "dtype"):
        hint = " (a NumPy scalar: convert it with int(...), float(...) or bool(...))"
    raise AnalysisError(f"result {name!r}: {path} is a {kind.__module__}.{kind.__qualname__}; a result is a pandas "
                        f"DataFrame or a JSON value (int, float, str, bool, None, list, dict with str keys){hint}")


# --- tables -------------------------------------------------------------------------------------

def _dtype_spec(values) -> dict | None:
    """What pyarrow does not bring back by itself for one column or index level (else None):
    ``object`` dtype (pandas 3 reads strings back as ``str``, integers with a gap as ``float64``)
    and categories that are not strings (read back as plain values)."""
    dtype = values.dtype
    if dtype == object:
        missing = values[np.asarray(pd.isna(values), dtype=bool)]
        nan = len(missing) > 0 and all(type(v) is float for v in missing)
        return {"dtype": "object", "missing": "nan" if nan else "None"}
    if isinstance(dtype, pd.CategoricalDtype):
        categories = dtype.categories
        if categories.dtype == "str":
            return None
        listed = categories.tolist()
        if not all(type(c) in (int, float, str, bool) for c in listed):
            return None  # not JSON-able: the check after writing decides
        return {"dtype": "category", "categories": listed, "categories_dtype": str(categories.dtype),
                "ordered": bool(dtype.ordered)}
    return None


def _restore_values(values, spec: dict | None, column):
    """The column or index level ``values`` (as pyarrow read it, from the Arrow ``column``) as
    the array it was put, or None when it is right as it is."""
    if not spec:
        return None
    if spec["dtype"] == "object":
        items = column.to_pylist()  # the Python objects themselves: 1 stays 1 next to a None
        array = np.empty(len(items), dtype=object)
        array[:] = items
        if spec.get("missing") == "nan":
            array[[item is None for item in items]] = np.nan
        return array
    if spec["dtype"] == "category":
        dtype = pd.CategoricalDtype(pd.Index(spec["categories"], dtype=spec["categories_dtype"]), spec["ordered"])
        return None if values.dtype == dtype else pd.Categorical(values.to_numpy(), dtype=dtype)
    return None


def _as_index(array, name) -> pd.Index:
    if isinstance(array, pd.Categorical):
        return pd.CategoricalIndex(array, name=name)
    return pd.Index(array, dtype=object, name=name)


def _restore_frame(frame: pd.DataFrame, restore: dict, table) -> pd.DataFrame:
    """Give ``frame`` (``table.to_pandas()``) back the dtypes ``restore`` recorded."""
    stored = table.schema.pandas_metadata or {}
    index_fields = [field for field in stored.get("index_columns", []) if isinstance(field, str)]
    data_fields = [c["field_name"] for c in stored.get("columns", []) if c["field_name"] not in index_fields]
    for position, spec in enumerate(restore.get("columns", [])):
        if spec:
            array = _restore_values(frame.iloc[:, position], spec, table.column(data_fields[position]))
            if array is not None:  # a Series: an object ndarray of strings would be inferred as str
                frame.isetitem(position, pd.Series(array, index=frame.index, dtype=array.dtype, copy=False))
    if restore.get("column_labels") == "object" and frame.columns.dtype != object:
        frame.columns = frame.columns.astype(object)
    specs = restore.get("index", [])
    if any(specs) and index_fields:
        index = frame.index
        levels = [index.get_level_values(i) for i in range(index.nlevels)]
        arrays = [_restore_values(level, spec, table.column(field) if spec else None)
                  for level, spec, field in zip(levels, specs, index_fields)]
        levels = [level if array is None else _as_index(array, level.name) for level, array in zip(levels, arrays)]
        frame.index = pd.MultiIndex.from_arrays(levels, names=index.names) if isinstance(index, pd.MultiIndex) \
            else levels[0]
    return frame


def _column_records(index: pd.Index, dtypes) -> list[dict]:
    return [{"name": _jsonable(label), "dtype": str(dtype)} for label, dtype in zip(index, dtypes)]


def _index_levels(frame: pd.DataFrame) -> list:
    index = frame.index
    if isinstance(index, pd.MultiIndex):
        return [index.get_level_values(i) for i in range(index.nlevels)]
    return [index]


def _parquet_bytes(name: str, frame: pd.DataFrame) -> bytes:
    """The Parquet file of ``frame``: its index kept (a RangeIndex as metadata only), what
    pyarrow does not restore recorded in the schema metadata, and checked to read back equal."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    restore = {"format": FORMAT_VERSION,
               "columns": [_dtype_spec(frame.iloc[:, i]) for i in range(frame.shape[1])],
               "index": [_dtype_spec(level) for level in _index_levels(frame)],
               "column_labels": "object" if not isinstance(frame.columns, pd.MultiIndex)
               and frame.columns.dtype == object else None}
    try:
        table = pa.Table.from_pandas(frame, preserve_index=None)
    except (pa.ArrowException, ValueError, TypeError) as error:
        raise AnalysisError(f"result {name!r}: this DataFrame cannot be stored as Parquet: {error}") from None
    metadata = dict(table.schema.metadata or {})
    metadata[RESTORE_KEY] = json.dumps(restore, sort_keys=True).encode("utf-8")
    table = table.replace_schema_metadata(metadata)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="snappy", use_dictionary=True, write_statistics=True)
    data = sink.getvalue().to_pybytes()
    try:
        back = _frame_from_parquet(data)
        pd.testing.assert_frame_equal(frame, back, check_exact=True, check_index_type=True,
                                      check_column_type=True, check_categorical=True)
    except AssertionError as difference:
        detail = " ".join(str(difference).split())
        raise AnalysisError(f"result {name!r}: this DataFrame does not come back from Parquet exactly ({detail}); "
                            "convert what differs to a plain dtype (int64, float64, Int64, str, bool, category; "
                            "str or int column names) before putting it") from None
    return data


def _frame_from_parquet(data: bytes) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(pa.BufferReader(data))
    raw = (table.schema.metadata or {}).get(RESTORE_KEY)
    frame = table.to_pandas()
    return _restore_frame(frame, json.loads(raw), table) if raw else frame


# --- the store ----------------------------------------------------------------------------------

class ResultStore:
    """The results of the notebooks of one report, in ``folder`` (``<reports_dir>/results``).

    ``index_key`` is the key of the corpus index this run works on, ``notebook`` the name of the
    running notebook and ``parameters`` its parameters; ``producers_of`` maps result names to the
    notebook that makes them, for the message when one is missing.
    """

    def __init__(self, folder: str | Path, index_key: str, notebook: str, parameters: Mapping | None = None,
                 producers_of: Mapping[str, str] | None = None):
        if not isinstance(index_key, str) or not index_key:
            raise AnalysisError(f"ResultStore: index_key must be a non-empty string, not {index_key!r}")
        self.folder = Path(folder)
        self.index_key = index_key
        self.notebook = _check_name(notebook, "notebook name")
        self.parameters = _jsonable(dict(parameters or {}))
        self.producers_of = dict(producers_of or {})
        self._put: set[str] = set()

    def __repr__(self) -> str:
        return f"ResultStore({str(self.folder)!r}, notebook={self.notebook!r}, index={_short(self.index_key)})"

    # paths
    def _meta_path(self, name: str) -> Path:
        return self.folder / f"{name}{META_SUFFIX}"

    def _data_path(self, name: str, kind: str) -> Path:
        return self.folder / f"{name}{TABLE_SUFFIX if kind == 'table' else VALUE_SUFFIX}"

    def _run_path(self, notebook: str) -> Path:
        return self.folder / f"{notebook}{RUN_SUFFIX}"

    # writing
    def put(self, name: str, value, *, export: str | None = None, caption: str = "", latex: bool = False) -> None:
        """Store ``value`` (a DataFrame or a JSON value) as result ``name`` of this notebook.

        With ``export``, a DataFrame is also written as ``<reports_dir>/tables/<export>.csv``
        (and ``.tex`` when ``latex``) for readers; those copies are never read back.
        """
        _check_name(name)
        if isinstance(value, pd.DataFrame):
            kind = "table"
            data = _parquet_bytes(name, value)
            described = {"rows": int(len(value)), "columns": _column_records(value.columns, value.dtypes),
                         "index": [{"name": _jsonable(level.name), "dtype": str(level.dtype)}
                                   for level in _index_levels(value)]}
        else:
            if export is not None or latex or caption:
                raise AnalysisError(f"result {name!r}: only a DataFrame can be exported as a table "
                                    f"(export={export!r}, latex={latex!r}, caption={caption!r}); this is a "
                                    f"{type(value).__name__}")
            _check_json_value(name, value)
            kind = "value"
            data = _json_bytes(value, sort_keys=False)
            described = {"type": type(value).__name__}
        data_path = self._data_path(name, kind)
        meta = {"name": name, "kind": kind, "producer": self.notebook, "index_key": self.index_key,
                "parameters": self.parameters, "file": data_path.name, "sha256": hashlib.sha256(data).hexdigest(),
                "format": FORMAT_VERSION, **described}
        atomic_write_bytes(data_path, data)
        atomic_write_bytes(self._meta_path(name), _json_bytes(meta, sort_keys=True))
        other = self._data_path(name, "value" if kind == "table" else "table")
        with contextlib.suppress(FileNotFoundError):
            other.unlink()
        self._put.add(name)
        self._write_run()
        if export is not None:
            from ..io.tables import write_table

            write_table(value, export, self.folder.parent, latex=latex, caption=caption)

    def _write_run(self) -> None:
        record = {"notebook": self.notebook, "index_key": self.index_key, "parameters": self.parameters,
                  "results": sorted(self._put), "format": FORMAT_VERSION}
        atomic_write_bytes(self._run_path(self.notebook), _json_bytes(record, sort_keys=True))

    def begin(self) -> list[str]:
        """Start this notebook's run: remove every result an earlier run of it put (those its
        ``.run.json`` lists and those whose sidecar names it as producer), so that none it no
        longer makes can linger; return their names. Other notebooks' results are kept."""
        previous: set[str] = set()
        with contextlib.suppress(AnalysisError, FileNotFoundError):
            record = self._read_json(self._run_path(self.notebook))
            if isinstance(record, dict) and isinstance(record.get("results"), list):
                previous = {r for r in record["results"] if isinstance(r, str) and NAME_PATTERN.fullmatch(r)}
        ours = set()
        for meta_path in sorted(self.folder.glob(f"*{META_SUFFIX}")):
            name = meta_path.name[: -len(META_SUFFIX)]
            try:
                meta = self._read_json(meta_path)
                producer = meta.get("producer") if isinstance(meta, dict) else None
            except AnalysisError:
                producer = None  # unreadable: removed only if our run record lists it
            if producer == self.notebook or (producer is None and name in previous):
                ours.add(name)
            elif name in previous:
                previous.discard(name)  # now made by another notebook: not ours to remove
        removed = sorted(previous | ours)
        for name in removed:
            for path in (self._meta_path(name), self._data_path(name, "table"), self._data_path(name, "value")):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
        self._put = set()
        self._write_run()
        return removed

    # reading
    def _read_json(self, path: Path):
        try:
            return json.loads(path.read_bytes().decode("utf-8"))
        except FileNotFoundError:
            raise
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise AnalysisError(f"{path}: damaged or unreadable ({type(error).__name__}: {error}); "
                                "run the notebook that wrote it again") from None

    def _read_meta(self, name: str) -> dict:
        path = self._meta_path(name)
        try:
            meta = self._read_json(path)
        except FileNotFoundError:
            present = [p for p in (self._data_path(name, "table"), self._data_path(name, "value")) if p.exists()]
            run = self._run_hint(name)
            if present:
                raise MissingResult(f"result {name!r}: {present[0]} has no sidecar {path.name} (an interrupted "
                                    f"write?); {run}") from None
            raise MissingResult(f"result {name!r} not found in {self.folder}; {run}") from None
        required = {"name": str, "kind": str, "producer": str, "index_key": str, "parameters": dict, "sha256": str}
        wrong = [key for key, kind in required.items()
                 if not isinstance(meta, dict) or not isinstance(meta.get(key), kind)]
        if wrong or meta["kind"] not in ("table", "value"):
            raise AnalysisError(f"{path}: not a result sidecar (missing or wrong {', '.join(wrong) or 'kind'}); "
                                f"{self._run_hint(name)}")
        return meta

    def _run_hint(self, name: str) -> str:
        producer = self.producers_of.get(name)
        return f"run notebook {producer} first" if producer else "run the notebook that produces it first"

    def _check_fresh(self, name: str, meta: dict) -> None:
        producer = meta["producer"]
        earlier = " (an earlier run of this notebook)" if producer == self.notebook else ""
        if meta["index_key"] != self.index_key:
            raise StaleResult(f"result {name!r} was made by {producer}{earlier} from another corpus, codebook or "
                              f"token settings (index {_short(meta['index_key'])}, this run "
                              f"{_short(self.index_key)}); re-run {producer} first")
        theirs = meta["parameters"]
        conflicts = [(key, theirs[key], self.parameters[key])
                     for key in sorted(set(theirs) & set(self.parameters) - NEUTRAL_PARAMETERS)
                     if _canonical(theirs[key]) != _canonical(self.parameters[key])]
        if conflicts:
            made = " and ".join(f"{key}={old!r}" for key, old, _ in conflicts)
            runs = " and ".join(f"{key}={new!r}" for key, _, new in conflicts)
            options = " ".join(f"-p {key} {_cli_value(old)}" for key, old, _ in conflicts)
            raise StaleResult(f"result {name!r} was made by {producer}{earlier} with {made}, but {self.notebook} "
                              f"runs with {runs}: re-run {producer} with {runs}, or run this notebook with {options}")

    def get(self, name: str, expected: type | tuple[type, ...] | None = None):
        """The value of result ``name``, exactly as it was put.

        Raises :class:`MissingResult` when it was never put, :class:`StaleResult` when it was
        made from another corpus index or with a parameter (other than those in
        :data:`NEUTRAL_PARAMETERS`) that differs from this notebook's, and
        :class:`~analysis.errors.AnalysisError` when its files are damaged or (with
        ``expected``) it is not of that type.
        """
        _check_name(name)
        meta = self._read_meta(name)
        self._check_fresh(name, meta)
        producer = meta["producer"]
        path = self._data_path(name, meta["kind"])
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise MissingResult(f"result {name!r}: {path} is missing (its sidecar is there); "
                                f"re-run {producer}") from None
        except OSError as error:
            raise AnalysisError(f"{path}: unreadable ({error}); re-run {producer}") from None
        if hashlib.sha256(data).hexdigest() != meta["sha256"]:
            raise AnalysisError(f"{path}: damaged, or changed after it was written (it does not match "
                                f"{self._meta_path(name).name}); re-run {producer}")
        try:
            value = _frame_from_parquet(data) if meta["kind"] == "table" else json.loads(data.decode("utf-8"))
        except Exception as error:  # noqa: BLE001 -- any parse failure is a damaged file
            raise AnalysisError(f"{path}: damaged or unreadable ({type(error).__name__}: {error}); "
                                f"re-run {producer}") from None
        if expected is not None and not _is_instance(value, expected):
            names = " or ".join(t.__name__ for t in (expected if isinstance(expected, tuple) else (expected,)))
            raise AnalysisError(f"result {name!r} is a {type(value).__name__}, not a {names} (made by {producer})")
        return value

    def producers(self) -> dict[str, dict]:
        """``{notebook: {"index_key", "parameters", "results"}}`` from every ``*.run.json``."""
        found = {}
        for path in sorted(self.folder.glob(f"*{RUN_SUFFIX}")):
            record = self._read_json(path)
            if not isinstance(record, dict) or not isinstance(record.get("results"), list):
                raise AnalysisError(f"{path}: not a run record of a notebook (no list of results)")
            notebook = path.name[: -len(RUN_SUFFIX)]
            found[notebook] = {"index_key": record.get("index_key"), "parameters": record.get("parameters", {}),
                               "results": list(record["results"])}
        return found


def _is_instance(value, expected) -> bool:
    types = expected if isinstance(expected, tuple) else (expected,)
    if isinstance(value, bool) and bool not in types and object not in types:
        return False  # True is not an int result
    return isinstance(value, types)
