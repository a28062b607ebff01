"""Load and validate a corpus.

A corpus is a pandas DataFrame with one row per document and at least the columns
``doc_id`` (unique string), ``year`` (int, from :data:`FIRST_YEAR` to :data:`LAST_YEAR`),
``date`` (ISO 8601, as precise as the source states: ``2010``, ``2015-01``, ``2015-01-14``; a
day that exists) and ``text`` (the raw text, exactly as read), plus any metadata columns the
source has. Rows are ordered by year, date, then ``doc_id``.

Two kinds of source are read:

* a folder holding ``metadata.csv`` whose ``file`` column names a text file per document,
  relative to the folder (the layout of ``data/``);
* a single table with the text inline: ``.csv`` or ``.jsonl`` (JSON Lines), optionally
  gzip-compressed (``.csv.gz``, ``.jsonl.gz``).

CSV is read strictly and streamed (a ``.csv.gz`` is decompressed as it is parsed, as a
``.jsonl.gz`` is): a quote that does not close where a field ends, a row with more or fewer
fields than the header, a column named twice or not at all, and, in ``metadata.csv``, a value
running over several lines (what an unclosed quote does) stop with the file and line named,
rather than shifting values into the wrong columns. A table with no documents is refused.

Nothing here writes anywhere: the corpus folder is only ever read.
"""

from __future__ import annotations

import csv
import datetime
import gzip
import hashlib
import json
import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import CorpusError

METADATA_FILE = "metadata.csv"
REQUIRED_FOLDER_COLUMNS = ("doc_id", "year", "file")
REQUIRED_TABLE_COLUMNS = ("doc_id", "year")
ISO_DATE = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?)?$")
TABLE_SUFFIXES = (".csv", ".csv.gz", ".jsonl", ".jsonl.gz")
# The years a document may have: a year outside them is a typing or conversion error (950,
# -5, 99999), and dates, which are ordered as text, need four-digit years.
FIRST_YEAR, LAST_YEAR = 1000, 2100
CSV_FIELD_LIMIT = 2**31 - 1  # the csv module's default, 131,072 characters, is shorter than a long speech
LOCATOR = "\x00locator"  # while scanning: where a document's text is, (row number, place in the input)


def corpus_root(corpus: str | Path) -> Path:
    """The corpus folder: the folder itself, or the folder that holds ``metadata.csv`` or the
    table file. Nothing is ever written there (outputs and caches are refused inside it)."""
    path = Path(corpus).resolve()
    return path if path.is_dir() else path.parent


def read_corpus(path: str | Path, text_column: str = "text") -> pd.DataFrame:
    """Read a corpus folder or table, validate it, and return it ordered by date.

    ``text_column`` names the column that holds the text in a single-table source.
    Raises :class:`CorpusError` naming the file, row or column when the input is unusable.
    """
    path, folder = _corpus_path(path)
    frame = _read_folder(folder) if folder else _read_table(path, text_column)
    return _finish(frame, path / METADATA_FILE if path.is_dir() else path)


def _corpus_path(path: str | Path) -> tuple[Path, Path | None]:
    """The corpus path, and the folder holding ``metadata.csv`` when it is a folder corpus; the
    read is traced (see :func:`trace`)."""
    path = Path(path)
    if not path.exists():
        raise CorpusError(f"{path}: no such corpus file or folder")
    if not (path.is_dir() or path.name == METADATA_FILE or path.name.lower().endswith(TABLE_SUFFIXES)):
        raise CorpusError(
            f"{path}: not a corpus; give a folder with {METADATA_FILE}, or a file ending in "
            + ", ".join(TABLE_SUFFIXES)
        )
    trace("read_corpus", path=str(path))
    return path, (path if path.is_dir() else path.parent if path.name == METADATA_FILE else None)


def _folder_metadata(folder: Path) -> tuple[pd.DataFrame, Path, Path]:
    """A folder corpus's metadata table, checked for its columns, its path and the folder."""
    metadata_path = folder / METADATA_FILE
    if not metadata_path.is_file():
        raise CorpusError(f"{folder}: the corpus folder has no {METADATA_FILE}")
    metadata = _read_csv(metadata_path, multiline_values=False)
    _require_columns(metadata, REQUIRED_FOLDER_COLUMNS, metadata_path)
    return metadata, metadata_path, folder.resolve()


def _read_folder(folder: Path) -> pd.DataFrame:
    metadata, metadata_path, root = _folder_metadata(folder)
    texts = []
    for row_number, (doc_id, file_name) in enumerate(zip(metadata["doc_id"], metadata["file"]), 1):
        where = f"{metadata_path}, row {row_number} (doc_id {doc_id!r})"
        texts.append(_read_text_file(root, file_name, where))
    return metadata.assign(text=texts)


def _read_text_file(root: Path, file_name: str, where: str) -> str:
    return _decode(_text_path(root, file_name, where).read_bytes(), f"{where}: file {file_name!r}")


def _text_path(root: Path, file_name: str, where: str) -> Path:
    """The text file ``file_name`` names, checked to exist inside the corpus folder ``root``."""
    if not file_name.strip():
        raise CorpusError(f"{where}: the 'file' column is empty")
    relative = Path(file_name)
    if relative.is_absolute():
        raise CorpusError(f"{where}: file {file_name!r} is an absolute path; give it relative to {root}")
    target = (root / relative).resolve()
    if not target.is_relative_to(root):
        raise CorpusError(f"{where}: file {file_name!r} lies outside the corpus folder {root}")
    if not target.is_file():
        raise CorpusError(f"{where}: file {file_name!r} does not exist in {root}")
    return target


def _decode(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CorpusError(
            f"{where} is not UTF-8 text (byte {error.start}: {data[error.start:error.start + 1]!r}); "
            "convert it to UTF-8 first"
        ) from None


def _read_csv(path: Path, multiline_values: bool = True) -> pd.DataFrame:
    """A CSV table as text columns, read strictly (see the module docstring) as a stream.
    ``multiline_values`` False refuses a value with a line break."""
    rows = _csv_rows(path, multiline_values)
    header = next(rows)
    columns = [[] for _ in header]
    for row in rows:
        for column, value in zip(columns, row):
            column.append(value)
    return pd.DataFrame(dict(zip(header, columns)), dtype="str")


def _csv_rows(path: Path, multiline_values: bool = True):
    """The header of a CSV table, then its rows, checked as they are read."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    csv.field_size_limit(CSV_FIELD_LIMIT)
    reader = None
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as stream:
            reader = csv.reader(stream, strict=True)
            header = next(reader, None)
            if header is None:
                raise CorpusError(f"{path}: the file is empty")
            _check_header(header, path)
            yield header
            row_number = 0
            for row in reader:
                if not row:
                    continue
                row_number += 1
                where = f"{path}, row {row_number} (line {reader.line_num})"
                if len(row) != len(header):
                    raise CorpusError(f"{where}: {len(row)} values, but the header names {len(header)} columns "
                                      "(a stray quote or comma?)")
                if not multiline_values:
                    for name, value in zip(header, row):
                        if "\n" in value or "\r" in value:
                            raise CorpusError(f"{where}: the {name!r} value runs over several lines "
                                              "(a quote that is not closed?)")
                yield row
            if not row_number:
                raise CorpusError(f"{path}: holds no documents (nothing below the header)")
    except csv.Error as error:
        raise CorpusError(f"{path}, line {reader.line_num}: not a readable CSV table ({error}; a stray quote?)") from None
    except UnicodeDecodeError as error:
        raise CorpusError(f"{path}: not UTF-8 text (byte {error.object[error.start:error.start + 1]!r}); "
                          "convert it to UTF-8 first") from None
    except (OSError, EOFError, zlib.error) as error:
        raise CorpusError(f"{path}: could not be read ({error})") from None


def _check_header(header: list[str], path: Path) -> None:
    for number, name in enumerate(header, 1):
        if not name.strip():
            raise CorpusError(f"{path}: column {number} of the header has no name")
        if name in header[:number - 1]:
            raise CorpusError(f"{path}: column {name!r} is named twice in the header "
                              f"(columns {header.index(name) + 1} and {number})")


def _read_jsonl(path: Path) -> pd.DataFrame:
    records = [record for _, _, _, record in _jsonl_records(path)]
    if not records:
        raise CorpusError(f"{path}: the file holds no documents")
    return pd.DataFrame.from_records(records)


def _jsonl_records(path: Path):
    """``(line number, byte offset, byte length, record)`` of each JSON Lines record, in file
    order (offsets into the decompressed stream of a ``.gz``)."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as stream:
            offset = 0
            for line_number, line in enumerate(stream, 1):
                start, offset = offset, offset + len(line)
                if not line.strip():
                    continue
                yield line_number, start, len(line), _json_record(line, f"{path}, line {line_number}")
    except (OSError, EOFError, zlib.error) as error:
        raise CorpusError(f"{path}: could not be read ({error})") from None


def _json_record(line: bytes, where: str) -> dict:
    try:
        record = json.loads(_decode(line, where), object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as error:
        raise CorpusError(f"{where}: not valid JSON ({error.msg})") from None
    except _RepeatedKey as error:
        raise CorpusError(f"{where}: the key {error.args[0]!r} is given twice") from None
    if not isinstance(record, dict):
        raise CorpusError(f"{where}: expected a JSON object per line")
    return record


class _RepeatedKey(Exception):
    """A JSON object names a key twice (``json`` would keep the last value)."""


def _unique_keys(pairs: list[tuple]) -> dict:
    record = dict(pairs)
    if len(record) != len(pairs):
        seen = set()
        raise _RepeatedKey(next(key for key, _ in pairs if key in seen or seen.add(key)))
    return record


def _read_table(path: Path, text_column: str) -> pd.DataFrame:
    name = path.name.lower()
    frame = _read_jsonl(path) if name.endswith((".jsonl", ".jsonl.gz")) else _read_csv(path)
    _require_columns(frame, (*REQUIRED_TABLE_COLUMNS, text_column), path)
    if text_column != "text":
        if "text" in frame.columns:
            raise CorpusError(f"{path}: has a 'text' column besides the text column {text_column!r}")
        frame = frame.rename(columns={text_column: "text"})
    return frame


def _require_columns(frame: pd.DataFrame, required, path: Path, found=None) -> None:
    found = list(frame.columns) if found is None else found
    missing = [column for column in required if column not in found]
    if missing:
        raise CorpusError(
            f"{path}: missing required column(s) {', '.join(missing)} "
            f"(found: {', '.join(map(str, found))})"
        )


def _row_label(path: Path, row_number: int, doc_id) -> str:
    return f"{path}, row {row_number} (doc_id {doc_id!r})"


def _finish(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Check ids, years, dates and texts, add a date where missing, and order the rows."""
    frame = frame.reset_index(drop=True)
    doc_ids = frame["doc_id"].map(lambda value: "" if value is None else str(value).strip())
    for row_number, doc_id in enumerate(doc_ids, 1):
        if not doc_id:
            raise CorpusError(f"{path}, row {row_number}: missing doc_id")
    duplicated = doc_ids[doc_ids.duplicated(keep=False)]
    if not duplicated.empty:
        first = duplicated.iloc[0]
        rows = [str(i + 1) for i in duplicated.index[duplicated == first]]
        raise CorpusError(f"{path}: duplicate doc_id {first!r} in rows {', '.join(rows)}")
    years = [_parse_year(value, _row_label(path, n, d)) for n, (value, d) in
             enumerate(zip(frame["year"], doc_ids), 1)]
    if "date" in frame.columns:
        dates = [_parse_date(str(value), year, _row_label(path, n, d)) for n, (value, year, d) in
                 enumerate(zip(frame["date"], years, doc_ids), 1)]
    else:
        dates = [str(year) for year in years]
    if "text" in frame.columns:  # a scanned corpus's texts are checked as they are read (TextReader)
        files = frame["file"] if "file" in frame.columns else [None] * len(frame)
        for row_number, (text, doc_id, source) in enumerate(zip(frame["text"], doc_ids, files), 1):
            _check_text(text, _row_label(path, row_number, doc_id), source)
    frame = frame.assign(doc_id=doc_ids, year=pd.array(years, dtype="int64"), date=dates)
    leading = ["doc_id", "date", "year"]
    last = [c for c in ("text", LOCATOR) if c in frame.columns]
    frame = frame[leading + [c for c in frame.columns if c not in leading and c not in last] + last]
    return frame.sort_values(["year", "date", "doc_id"], kind="stable").reset_index(drop=True)


def _check_text(text, label: str, source_file: str | None = None) -> str:
    if not isinstance(text, str) or not text.strip():
        what = f"file {source_file!r} is empty" if source_file else "the text is empty"
        raise CorpusError(f"{label}: {what}")
    return text


def _parse_year(value, where: str) -> int:
    if value is None or (isinstance(value, float) and value != value) or not str(value).strip():
        raise CorpusError(f"{where}: missing year")
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise CorpusError(f"{where}: year {value!r} is not a whole number")
    text = str(int(value)) if isinstance(value, (int, float)) else str(value).strip()
    if not re.fullmatch(r"[+-]?\d+", text):
        raise CorpusError(f"{where}: year {text!r} is not a whole number")
    year = int(text)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise CorpusError(f"{where}: year {year} is not a plausible year ({FIRST_YEAR} to {LAST_YEAR})")
    return year


def _parse_date(value: str, year: int, where: str) -> str:
    value = value.strip()
    if not value:
        return str(year)
    match = ISO_DATE.match(value)
    if not match:
        raise CorpusError(f"{where}: date {value!r} is not ISO 8601 (YYYY, YYYY-MM or YYYY-MM-DD)")
    if int(match.group(1)) != year:
        raise CorpusError(f"{where}: date {value!r} does not fall in year {year}")
    if match.group(3):
        try:
            datetime.date(year, int(match.group(2)), int(match.group(3)))
        except ValueError:
            raise CorpusError(f"{where}: date {value!r} does not exist") from None
    return value


def trace(event: str, **details) -> None:
    """Append one line to the file named by ``ANALYSIS_TRACE`` (if set): every corpus read and
    every codebook pass leaves a line, so a test or a curious user can count them."""
    path = os.environ.get("ANALYSIS_TRACE")
    if path:
        with open(path, "a", encoding="utf-8") as stream:
            stream.write(json.dumps({"event": event, "pid": os.getpid(), **details}, sort_keys=True) + "\n")


def text_digest(text: str) -> bytes:
    """The SHA-256 of one text, the part of :func:`corpus_fingerprint` a worker can compute."""
    return hashlib.sha256(text.encode("utf-8")).digest()


def corpus_fingerprint(corpus: pd.DataFrame, codebook_digest: str, text_digests=None) -> dict:
    """SHA-256 of the texts (over each document's ``doc_id`` and :func:`text_digest`, in
    ``doc_id`` order), of the metadata (every other column, as CSV) and of the codebook, and one
    over the three; with the number of documents. ``text_digests`` (one per row, in row order)
    stand in for the texts of a corpus whose texts were never held in one place
    (:func:`scan_corpus`)."""
    if text_digests is None:
        text_digests = [text_digest(text) for text in corpus["text"]]
    order = corpus["doc_id"].to_numpy().argsort(kind="stable")
    ordered = corpus.iloc[order]
    texts = hashlib.sha256()
    for doc_id, digest in zip(ordered["doc_id"], (text_digests[i] for i in order)):
        texts.update(doc_id.encode("utf-8") + b"\x00" + digest)
    metadata = ordered.drop(columns=["text"], errors="ignore").to_csv(index=False, lineterminator="\n").encode("utf-8")
    parts = {"texts": texts.hexdigest(), "metadata": hashlib.sha256(metadata).hexdigest(), "codebook": codebook_digest}
    return {"fingerprint": hashlib.sha256("".join(parts.values()).encode()).hexdigest(), **parts,
            "documents": len(corpus)}


# -- a corpus scanned without its texts ---------------------------------------------------------


@dataclass(frozen=True)
class TextReader:
    """Reads the texts of some documents of a scanned corpus where they lie -- text files of a
    folder corpus, lines of an uncompressed ``.jsonl`` -- so that a worker process, on this
    machine or another that sees the same path, reads its own documents. Small to send."""

    path: str  # the corpus folder or the table file, absolute
    kind: str  # "folder" or "jsonl"
    text_column: str
    label: str  # the path messages name, as the user gave it

    def read(self, refs) -> list[str]:
        """The texts of ``refs``, ``(row number, doc_id, place)`` each (a file name, or the line
        number, byte offset and length of a JSON Lines record), checked as :func:`read_corpus`
        checks them."""
        if self.kind == "folder":
            root = Path(self.path)
            texts = []
            for row_number, doc_id, file_name in refs:
                where = _row_label(Path(self.label), row_number, doc_id)
                texts.append(_check_text(_read_text_file(root, file_name, where), where, file_name))
            return texts
        texts = []
        try:
            with open(self.path, "rb") as stream:
                for row_number, doc_id, (line_number, offset, length) in refs:
                    stream.seek(offset)
                    record = _json_record(stream.read(length), f"{self.label}, line {line_number}")
                    texts.append(_check_text(record.get(self.text_column), _row_label(Path(self.label), row_number, doc_id)))
        except OSError as error:
            raise CorpusError(f"{self.label}: could not be read ({error})") from None
        return texts


@dataclass(frozen=True)
class TextBatch:
    """The texts of consecutive documents of a scanned corpus: read where they lie by ``reader``
    (in the process that indexes them), or already read (``texts_read``) from a stream."""

    reader: TextReader | None = None
    refs: tuple = ()
    texts_read: tuple = ()

    def texts(self) -> list[str]:
        return self.reader.read(self.refs) if self.reader else list(self.texts_read)


@dataclass
class CorpusSource:
    """A corpus read and validated without its texts (:func:`scan_corpus`): ``documents`` is
    :func:`read_corpus`'s frame without the ``text`` column; :meth:`batches` hands the texts on
    in the same order, a batch at a time, so no process holds them all."""

    documents: pd.DataFrame
    locators: list  # per row of documents: (row number in the input, where its text is)
    reader: TextReader | None  # None: the texts are streamed from the input, in its order
    path: Path
    text_column: str = "text"

    def batches(self, size: int):
        """:class:`TextBatch` es of ``size`` documents, in the order of ``documents``. A folder or
        an uncompressed ``.jsonl`` gives references its workers read; another table is read here
        as a stream, holding only the texts that arrive before their batch is complete (none when
        the input is in the corpus's order, by year, date and doc_id, as ``read_corpus`` orders it)."""
        doc_ids = self.documents["doc_id"].tolist()
        if self.reader is not None:
            for start in range(0, len(doc_ids), size):
                yield TextBatch(self.reader, tuple((row, doc_id, place) for doc_id, (row, place) in
                                                   zip(doc_ids[start:start + size], self.locators[start:start + size])))
            return
        position_of = {row: position for position, (row, _) in enumerate(self.locators)}
        waiting, next_position = {}, 0
        for row, text in self._texts_in_input_order():
            position = position_of[row]
            waiting[position] = _check_text(text, _row_label(self.path, row, doc_ids[position]))
            while next_position + size <= len(doc_ids) and all(next_position + k in waiting for k in range(size)):
                yield TextBatch(texts_read=tuple(waiting.pop(next_position + k) for k in range(size)))
                next_position += size
        if next_position < len(doc_ids):
            yield TextBatch(texts_read=tuple(waiting.pop(p) for p in range(next_position, len(doc_ids))))

    def _texts_in_input_order(self):
        """``(row number, text)`` of every record, in the order of the input."""
        if self.path.name.lower().endswith((".jsonl", ".jsonl.gz")):
            for row, (_, _, _, record) in enumerate(_jsonl_records(self.path), 1):
                yield row, record.get(self.text_column)
        else:
            rows = _csv_rows(self.path)
            column = next(rows).index(self.text_column)
            for row, values in enumerate(rows, 1):
                yield row, values[column]


def scan_corpus(path: str | Path, text_column: str = "text") -> CorpusSource:
    """Read and validate a corpus as :func:`read_corpus` does, but keep only where each text is:
    the texts are read later, a batch at a time (:meth:`CorpusSource.batches`), by the workers
    that index them when they lie in files or byte ranges (a folder, an uncompressed
    ``.jsonl``), else streamed from the input. A text that is empty or not UTF-8 is reported
    when its batch is read."""
    path, folder = _corpus_path(path)
    if folder:
        frame, metadata_path, root = _folder_metadata(folder)
        for row_number, (doc_id, file_name) in enumerate(zip(frame["doc_id"], frame["file"]), 1):
            _text_path(root, file_name, f"{metadata_path}, row {row_number} (doc_id {doc_id!r})")
        frame[LOCATOR] = list(enumerate(frame["file"], 1))
        reader, label = TextReader(str(root), "folder", "text", str(metadata_path)), metadata_path
    else:
        frame, has_text = _scan_table(path, text_column)
        found = [c for c in frame.columns if c != LOCATOR] + ([text_column] if has_text else [])
        _require_columns(frame, (*REQUIRED_TABLE_COLUMNS, text_column), path, found)
        if text_column != "text" and "text" in frame.columns:
            raise CorpusError(f"{path}: has a 'text' column besides the text column {text_column!r}")
        plain_jsonl = path.name.lower().endswith(".jsonl")
        reader = TextReader(str(path.resolve()), "jsonl", text_column, str(path)) if plain_jsonl else None
        label = path
    frame = _finish(frame, label)
    locators = frame.pop(LOCATOR).tolist()
    return CorpusSource(frame, locators, reader, label, text_column)


def _scan_table(path: Path, text_column: str) -> tuple[pd.DataFrame, bool]:
    """A table's columns but its text column, with each row's :data:`LOCATOR`; and whether
    the text column was there."""
    if path.name.lower().endswith((".jsonl", ".jsonl.gz")):
        records, has_text = [], False
        for row, (line_number, offset, length, record) in enumerate(_jsonl_records(path), 1):
            has_text = has_text or text_column in record
            record = {key: value for key, value in record.items() if key != text_column}
            record[LOCATOR] = (row, (line_number, offset, length))
            records.append(record)
        if not records:
            raise CorpusError(f"{path}: the file holds no documents")
        return pd.DataFrame.from_records(records), has_text
    rows = _csv_rows(path)
    header = next(rows)
    keep = [i for i, name in enumerate(header) if name != text_column]
    columns = [[] for _ in keep]
    for values in rows:
        for column, i in zip(columns, keep):
            column.append(values[i])
    frame = pd.DataFrame({header[i]: column for i, column in zip(keep, columns)}, dtype="str")
    frame[LOCATOR] = [(row, row) for row in range(1, len(frame) + 1)]
    return frame, text_column in header
