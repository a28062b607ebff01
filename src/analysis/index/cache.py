"""The corpus index cached on disk, keyed by what it was built from.

:func:`cached_index` returns the index of a corpus under a codebook and phrase settings,
building it only when no index with the same key is cached. The key is a SHA-256 over the
codebook's digest, the settings, the bytes of ``metadata.csv`` and, for every text file it names
(or the single table file), its path, size and modification time -- so an unchanged corpus is
not read at all, and editing (which changes a file's modification time), adding or removing a
document changes the key -- and over the code and library versions the pass depends on
(:func:`code_state`). The index itself
records the SHA-256 of the texts it was built from (its ``fingerprint``) for provenance.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import time
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from ..errors import ParameterError
from ..io.codebook import read_codebook
from ..io.corpus import METADATA_FILE, corpus_root, scan_corpus
from ..text.tokens import general_stopwords
from .build import build_index
from .corpus_index import FORMAT_VERSION, CorpusIndex

KEEP_CACHED = 8  # indexes kept per cache folder, most recently used first


def _source_state(corpus: Path, text_column: str) -> dict:
    """What identifies the corpus's files without reading the texts."""
    def stat(path: Path):
        try:
            info = path.stat()
            return [info.st_size, info.st_mtime_ns]
        except OSError:
            return None

    if corpus.is_dir() or corpus.name == METADATA_FILE:
        folder = corpus if corpus.is_dir() else corpus.parent
        metadata = folder / METADATA_FILE
        try:
            data = metadata.read_bytes()
            rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
            files = sorted({row.get("file") or "" for row in rows})
        except (OSError, UnicodeDecodeError, csv.Error):
            return {"unreadable": str(metadata), "time": time.time_ns()}  # never matches: the build reports it
        return {"metadata": hashlib.sha256(data).hexdigest(),
                "files": {name: stat(folder / name) for name in files}}
    return {"table": str(corpus), "state": stat(corpus), "text_column": text_column}


@lru_cache(maxsize=1)
def code_state() -> dict:
    """What the index depends on besides its inputs: the source of the modules that clean,
    segment, match and count, the stop words that are the learned phrases' connector words, and
    the versions of the libraries involved. A change to any of them builds a new index."""
    package = Path(__file__).resolve().parents[1]
    sources = hashlib.sha256()
    for path in sorted([*package.glob("text/*.py"), *package.glob("index/*.py"), package / "io" / "corpus.py",
                        *package.glob("resources/*")]):
        sources.update(path.name.encode() + b"\x00" + path.read_bytes())
    sources.update("\x00".join(sorted(general_stopwords())).encode())
    versions = {}
    for name in ("gensim", "scikit-learn", "simplemma", "pandas", "numpy", "polars"):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return {"sources": sources.hexdigest(), "versions": versions}


def index_key(corpus: str | Path, codebook_digest: str, text_column: str = "text", **settings) -> str:
    state = _source_state(Path(corpus).resolve(), text_column)
    blob = json.dumps({"format": FORMAT_VERSION, "source": state, "codebook": codebook_digest, "code": code_state(),
                       "settings": settings}, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def cached_index(corpus: str | Path, codebook: str | Path, *, cache_dir: str | Path, text_column: str = "text",
                 learn_phrases: bool = True, phrase_min_count: int = 5, phrase_threshold: float = 0.5,
                 n_jobs: int = 1, scheduler: str | None = None, log=None) -> CorpusIndex:
    """The index of ``corpus`` under the codebook file ``codebook``: loaded from ``cache_dir``
    when cached under the same key, otherwise validated, built and saved there. The corpus is
    scanned (:func:`~analysis.io.corpus.scan_corpus`) and its texts handed to the workers a
    chunk at a time: ``n_jobs`` local processes, or the workers of the Dask cluster whose
    ``scheduler`` address is given. Neither is part of the key: the index is the same."""
    cache_dir = Path(cache_dir).resolve()
    root = corpus_root(corpus)
    _remove_unfinished(cache_dir)
    if cache_dir.is_relative_to(root):
        raise ParameterError(f"cache_dir={str(cache_dir)!r} lies inside the corpus folder {root}; the corpus is "
                             "never written to: choose a folder outside it")
    parsed = read_codebook(codebook)
    settings = {"learn_phrases": bool(learn_phrases), "phrase_min_count": phrase_min_count,
                "phrase_threshold": phrase_threshold}
    key = index_key(corpus, parsed.digest, text_column, **settings)
    folder = cache_dir / key[:24]
    if (folder / "index.json").exists():
        try:
            index = CorpusIndex.load(folder)
        except Exception as error:  # a damaged cache entry is rebuilt, never trusted
            if log:
                log(f"corpus index cache {folder} is unreadable ({type(error).__name__}); rebuilding it")
        else:
            os.utime(folder)
            if log:
                log(f"corpus index loaded from the cache ({len(index.documents):,} documents)")
            return index
    index = build_index(scan_corpus(corpus, text_column=text_column), parsed, learn_phrases=learn_phrases,
                        phrase_min_count=phrase_min_count, phrase_threshold=phrase_threshold, n_jobs=n_jobs,
                        scheduler=scheduler, key=key, log=log)
    index.save(folder)
    _evict(cache_dir)
    return index


def _remove_unfinished(cache_dir: Path) -> None:
    """Remove the temporary folders of saves that never finished (a process killed while saving)
    and are older than a minute (a save in progress elsewhere is younger)."""
    import shutil

    if not cache_dir.is_dir():
        return
    for path in cache_dir.glob(".*"):
        try:
            if path.is_dir() and time.time() - path.stat().st_mtime > 60:
                shutil.rmtree(path, ignore_errors=True)
        except OSError:
            pass


def _evict(cache_dir: Path) -> None:
    """Keep the :data:`KEEP_CACHED` most recently used indexes."""
    folders = sorted((p for p in cache_dir.iterdir() if p.is_dir() and (p / "index.json").exists()),
                     key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in folders[KEEP_CACHED:]:
        import shutil

        shutil.rmtree(old, ignore_errors=True)
