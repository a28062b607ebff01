"""Add a document (PDF, Word, HTML or UTF-8 text) to a corpus folder: ``python -m analysis add``.

What lands in the corpus folder, all or nothing:

* ``corpus/originals/<doc_id><suffix>``: the file as received, byte for byte (never edited);
* ``corpus/<doc_id>.txt``: its text (:mod:`analysis.io.extract`), UTF-8, one paragraph per line;
* one row appended to ``metadata.csv`` (the rows before it keep their bytes): ``file`` names the
  text, ``source_file`` (if the table has it) the name the original arrived with.

Before anything is written, the corpus as it is and the corpus with the new row (in a temporary
copy: the texts hard-linked, the new text and metadata written) must pass
:func:`analysis.io.corpus.read_corpus`. The two files are then written, and ``metadata.csv``
replaced last by a rename; if any step fails, the files written so far are removed.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import tempfile
from pathlib import Path

from ..errors import CorpusError
from ..text.clean import clean_text
from ..text.patterns import count_words, lower_same_length, words_of
from ..text.segment import segment_text
from .corpus import METADATA_FILE, read_corpus
from .extract import extract_bytes
from .tables import atomic_write_bytes

DOC_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")
YEAR = re.compile(r"-?\d+")
TEXT_FOLDER = "corpus"
ORIGINALS_FOLDER = "corpus/originals"


def add_document(file: str | Path, corpus: str | Path = "data", *, doc_id: str, year: str, date: str | None = None,
                 body: str | None = None, meeting: str | None = None, title: str | None = None,
                 doc_type: str | None = None) -> str:
    """Add ``file`` to the corpus folder ``corpus`` and return a summary of what was added.

    Metadata values are strings (or None: left empty; ``date`` then is ``year``). Raises
    :class:`CorpusError` naming the file and changes nothing when the file cannot be read, the
    id or a target file exists already, the year is not a whole number, or the corpus with the
    new row would not load."""
    source, folder = Path(file), Path(corpus)
    if not source.is_file():
        raise CorpusError(f"{source}: no such file")
    if not (folder / METADATA_FILE).is_file():
        raise CorpusError(f"{folder}: not a corpus folder (it has no {METADATA_FILE}); "
                          "documents are added to a folder corpus only")
    doc_id = "" if doc_id is None else doc_id.strip()
    if not DOC_ID.fullmatch(doc_id):
        raise CorpusError(f"cannot add {source}: doc_id {doc_id!r} must be letters, digits, '_', '-' or '.', "
                          "starting with a letter or digit")
    year = "" if year is None else year.strip()
    if not YEAR.fullmatch(year):
        raise CorpusError(f"cannot add {source}: year {year!r} is not a whole number")

    existing = read_corpus(folder)
    if doc_id in set(existing["doc_id"]):
        raise CorpusError(f"cannot add {source}: doc_id {doc_id!r} is already in {folder / METADATA_FILE}")
    text_name = f"{TEXT_FOLDER}/{doc_id}.txt"
    original_name = f"{ORIGINALS_FOLDER}/{doc_id}{source.suffix.lower()}"
    for name in (text_name, original_name):
        if (folder / name).exists():
            raise CorpusError(f"cannot add {source}: {folder / name} exists already")

    data = source.read_bytes()
    vocabulary = frozenset(word for text in existing["text"] for word in words_of(lower_same_length(text)))
    extraction = extract_bytes(data, source, vocabulary)
    text_bytes = extraction.text.encode("utf-8")
    given = {"date": date, "body": body, "meeting": meeting, "title": title, "doc_type": doc_type}
    values = {"doc_id": doc_id, "year": year, "file": text_name, "source_file": source.name,
              **given, "date": year if date is None else date}
    metadata_path = folder / METADATA_FILE
    old_metadata = metadata_path.read_bytes()
    new_metadata = old_metadata + _metadata_row(old_metadata, values, given, source, metadata_path)

    _validate_staged(folder, list(existing["file"]), new_metadata, text_name, text_bytes, source)
    _publish(folder, metadata_path, old_metadata, new_metadata,
             [(folder / original_name, data), (folder / text_name, text_bytes)], source)

    cleaned = clean_text(extraction.text)
    pages = f", {extraction.pages} page{'s' * (extraction.pages != 1)}" if extraction.pages else ""
    lines = [f"added {doc_id} ({extraction.kind}{pages}) from {source} to {folder}:",
             f"  text      {folder / text_name}: {count_words(cleaned)} words in {len(segment_text(cleaned))} paragraphs",
             f"  original  {folder / original_name} (unchanged, {len(data)} bytes)",
             f"  metadata  {metadata_path}: row {len(existing) + 1}"]
    lines += [f"  cleaning  {step}" for step in extraction.cleaning]
    return "\n".join(lines)


def _metadata_row(old_metadata: bytes, values: dict, given: dict, source: Path, metadata_path: Path) -> bytes:
    """The CSV row for ``values`` in the columns of ``metadata.csv`` (its line ending, quoting as
    pandas and the csv module write it); a value ``given`` for a column the table lacks is an error."""
    header = next(csv.reader(io.StringIO(old_metadata.decode("utf-8-sig"))))
    missing = [name for name, value in given.items() if value is not None and name not in header]
    if missing:
        raise CorpusError(f"cannot add {source}: {metadata_path} has no column {', '.join(map(repr, missing))}; "
                          f"its columns are {', '.join(header)}")
    line_end = "\r\n" if b"\r\n" in old_metadata.split(b"\n", 1)[0] + b"\n" else "\n"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=line_end).writerow(
        ["" if values.get(column) is None else values[column].strip() for column in header])
    prefix = "" if old_metadata.endswith(b"\n") else line_end
    return (prefix + buffer.getvalue()).encode("utf-8")


def _validate_staged(folder: Path, text_files: list[str], new_metadata: bytes, text_name: str, text_bytes: bytes,
                     source: Path) -> None:
    """Load the corpus with the new row from a temporary copy (the existing ``text_files``
    hard-linked where the file system allows, else copied); a failure is reported against the
    real corpus folder."""
    with tempfile.TemporaryDirectory(prefix="analysis-add-") as staging:
        staged = Path(staging)
        for name in text_files:
            target = staged / name
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(folder / name, target)
            except OSError:
                shutil.copyfile(folder / name, target)
        (staged / text_name).parent.mkdir(parents=True, exist_ok=True)
        (staged / text_name).write_bytes(text_bytes)
        (staged / METADATA_FILE).write_bytes(new_metadata)
        try:
            read_corpus(staged)
        except CorpusError as error:
            message = str(error).replace(str(staged), str(folder))
            raise CorpusError(f"cannot add {source}: with the new row, {message}") from None


def _publish(folder: Path, metadata_path: Path, old_metadata: bytes, new_metadata: bytes,
             files: list[tuple[Path, bytes]], source: Path) -> None:
    """Write ``files`` (none of which exists), then replace ``metadata.csv``; on any failure
    remove what was written, so the corpus folder is as it was."""
    created: list[Path] = []
    try:
        for path, data in files:
            for parent in reversed(path.relative_to(folder).parents[:-1]):
                if not (folder / parent).exists():
                    (folder / parent).mkdir()
                    created.append(folder / parent)
            atomic_write_bytes(path, data)
            created.append(path)
        if metadata_path.read_bytes() != old_metadata:
            raise CorpusError(f"cannot add {source}: {metadata_path} changed while adding; try again")
        atomic_write_bytes(metadata_path, new_metadata)
    except BaseException:
        for path in reversed(created):
            if path.is_dir():
                path.rmdir()
            else:
                path.unlink(missing_ok=True)
        raise
