"""The corpus index: everything the one pass over a corpus produced, saved and loaded as a whole.

A :class:`CorpusIndex` owns the data; every table and matrix later steps use is a view of it:

- ``documents``: one row per document: ``doc_id, date, year``, the corpus's metadata columns,
  ``paragraphs`` and ``word_tokens`` (runs of letters before stop words, the denominator of
  every rate);
- ``paragraphs``: ``doc_id, year, paragraph_id, position, kind, label, text, word_tokens``;
- ``kwic``: one row per codebook match (:data:`KWIC_COLUMNS`), the audit trail of every count;
- ``items`` and paragraph x item count matrices: ``words`` (every word), ``codebook_delta``
  (what joining codebook phrases changes), ``learned_delta`` (what joining the learned
  collocations then changes) and ``learned_only_delta`` (what joining only the learned
  collocations changes), the last two when collocations were learned. Any token setting
  (:class:`~analysis.text.tokens.Tokenizer`) is then a sum of these and a map from items to
  tokens: :meth:`CorpusIndex.dfm` builds the document- or paragraph-feature matrix without
  reading the text again.

On disk (:meth:`save`, :meth:`load`): Parquet tables, sparse matrices in ``.npz`` and a JSON
file with the key, the fingerprint and the settings.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from ..errors import AnalysisError
from ..io.tables import new_file_mode
from ..text.tokens import Tokenizer
from .dfm import DFM

KWIC_COLUMNS = ["doc_id", "year", "paragraph_id", "theme", "pattern", "left", "match", "right"]
PARAGRAPH_COLUMNS = ["doc_id", "year", "paragraph_id", "position", "kind", "label", "text", "word_tokens"]
FORMAT_VERSION = 2  # part of the cache key: bump when what is saved changes
UNITS = ("document", "paragraph")


@dataclass
class CorpusIndex:
    documents: pd.DataFrame
    paragraphs: pd.DataFrame
    kwic: pd.DataFrame
    items: np.ndarray
    words: sparse.csr_matrix
    codebook_delta: sparse.csr_matrix
    learned_delta: sparse.csr_matrix | None
    learned_only_delta: sparse.csr_matrix | None = None
    phrases: object = None  # gensim FrozenPhrases, when learned
    key: str = ""
    fingerprint: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)
    source: str = "built"  # "built" or "cache": how this object came to be

    def tokenizer(self, **params) -> Tokenizer:
        """A :class:`Tokenizer` with ``params``, fitted on this index: its codebook phrases and
        learned collocations are the index's, so it tokenizes any text as the index does. The
        phrase settings are the index's own; asking for others is an error."""
        for name in ("codebook_phrases", "phrase_min_count", "phrase_threshold"):
            own = self.settings.get(name)
            if name in params and params[name] != own and not (name == "codebook_phrases" and list(params[name]) == own):
                raise AnalysisError(f"{name}={params[name]!r}: this corpus index was built with {name}={own!r}; "
                                    "build an index with other phrase settings instead")
            params[name] = own
        tokenizer = Tokenizer(**params)
        if tokenizer.learns_phrases and self.learned_delta is None:
            raise AnalysisError(f"phrases={tokenizer.phrases!r} needs learned collocations, but this corpus index was "
                                "built without them (phrases 'codebook' or 'none' when it was built)")
        return tokenizer.fit(phrases_=self.phrases)

    def _check_tokenizer(self, tokenizer: Tokenizer) -> None:
        """The index can only re-map its items for a tokenizer with its own phrase settings."""
        same = (hasattr(tokenizer, "stop_words_") and list(tokenizer.codebook_phrases) == self.settings["codebook_phrases"]
                and tokenizer.phrase_min_count == self.settings["phrase_min_count"]
                and tokenizer.phrase_threshold == self.settings["phrase_threshold"]
                and (tokenizer.phrases_ is self.phrases or not tokenizer.learns_phrases))
        if not same:
            raise AnalysisError("this tokenizer was not made by this corpus index (its phrases differ); use "
                                "index.tokenizer(normalize=..., stopwords=..., domain_stopwords=..., phrases=...)")

    def item_streams(self, phrases: str) -> list[sparse.csr_matrix]:
        """The paragraph x item count matrices whose sum is the items a text has under the
        ``phrases`` setting: the words and the deltas of the phrases joined. The caller sums
        them once reduced (a sum of the paragraph matrices would copy and merge every entry of
        ``words`` to add the few of a delta)."""
        if phrases in ("gensim", "both") and self.learned_delta is None:
            raise AnalysisError(f"phrases={phrases!r}: the corpus index was built without learned collocations")
        deltas = {"codebook": [self.codebook_delta], "both": [self.codebook_delta, self.learned_delta],
                  "gensim": [self.learned_only_delta]}.get(phrases, [])
        return [self.words, *deltas]

    def dfm(self, unit: str = "document", tokenizer: Tokenizer | None = None) -> DFM:
        """The ``unit`` ("document" or "paragraph") x token matrix under ``tokenizer`` (default:
        the project's default settings); columns are the tokens used, sorted. Counts are summed
        in 32 bits (a count never exceeds a document's words) and returned in 64."""
        if unit not in UNITS:
            raise AnalysisError(f"unit={unit!r}: choose 'document' or 'paragraph'")
        tokenizer = tokenizer or self.tokenizer()
        self._check_tokenizer(tokenizer)
        tokens = np.array([tokenizer.token_of(item) for item in self.items], dtype=object)
        codes, features = pd.factorize(tokens, sort=True)
        kept = tokens != ""
        item_to_token = sparse.csr_matrix((np.ones(kept.sum(), dtype=np.int32), (np.flatnonzero(kept), codes[kept])),
                                          shape=(len(self.items), len(features)))
        streams = self.item_streams(tokenizer.phrases)
        if unit == "document":
            to_documents = self._paragraphs_to_documents()
            streams = [to_documents @ stream for stream in streams]  # fewer rows first (faster)
            docvars = self.documents
        else:
            docvars = self.paragraphs.drop(columns=["text"])
        reduced = [stream @ item_to_token for stream in streams]
        matrix = sparse.csr_matrix(sum(reduced[1:], reduced[0]), dtype=np.int64)
        matrix.eliminate_zeros()  # words seen only inside phrases cancel out
        used = np.flatnonzero(np.bincount(matrix.indices, minlength=len(features)) > 0)
        used = used[np.asarray(features, dtype=object)[used] != ""]
        matrix = matrix[:, used]
        matrix.sort_indices()
        settings = ", ".join(f"{k}={v!r}" for k, v in tokenizer.get_params().items()
                             if k in ("normalize", "stopwords", "domain_stopwords", "phrases", "min_length"))
        return DFM(matrix, np.asarray(features, dtype=object)[used], docvars.reset_index(drop=True),
                   (f"CorpusIndex({self.key[:12]}).dfm(unit={unit!r}, {settings})",))

    def _paragraphs_to_documents(self) -> sparse.csr_matrix:
        row_of = pd.Index(self.documents["doc_id"]).get_indexer(self.paragraphs["doc_id"])
        return sparse.csr_matrix((np.ones(len(row_of), dtype=np.int32), (row_of, np.arange(len(row_of)))),
                                 shape=(len(self.documents), len(self.paragraphs)))

    # -- on disk -----------------------------------------------------------------------------

    def save(self, folder: str | Path) -> Path:
        """Write the index to ``folder`` whole: into a temporary sibling, then renamed."""
        folder = Path(folder)
        folder.parent.mkdir(parents=True, exist_ok=True)
        temporary = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}."))
        try:
            self.documents.to_parquet(temporary / "documents.parquet", index=False)
            self.paragraphs.to_parquet(temporary / "paragraphs.parquet", index=False)
            self.kwic.to_parquet(temporary / "kwic.parquet", index=False)
            pd.DataFrame({"item": self.items.astype(str)}).to_parquet(temporary / "items.parquet", index=False)
            sparse.save_npz(temporary / "words.npz", self.words)
            sparse.save_npz(temporary / "codebook_delta.npz", self.codebook_delta)
            if self.learned_delta is not None:
                sparse.save_npz(temporary / "learned_delta.npz", self.learned_delta)
                sparse.save_npz(temporary / "learned_only_delta.npz", self.learned_only_delta)
                self.phrases.save(str(temporary / "phrases.gensim"))
            meta = {"format": FORMAT_VERSION, "key": self.key, "fingerprint": self.fingerprint,
                    "settings": self.settings}
            (temporary / "index.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
            os.chmod(temporary, 0o777 & ~(0o666 & ~new_file_mode()))  # mkdtemp gives 0700; like mkdir: 0755
            if folder.exists():
                shutil.rmtree(folder)
            os.replace(temporary, folder)
        finally:
            if temporary.exists():
                shutil.rmtree(temporary)
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> "CorpusIndex":
        folder = Path(folder)
        meta = json.loads((folder / "index.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT_VERSION:
            raise AnalysisError(f"{folder}: corpus index of format {meta.get('format')}, expected {FORMAT_VERSION}")
        learned = folder / "learned_delta.npz"
        phrases = None
        if learned.exists():
            from gensim.models.phrases import FrozenPhrases

            phrases = FrozenPhrases.load(str(folder / "phrases.gensim"))
        return cls(documents=pd.read_parquet(folder / "documents.parquet"),
                   paragraphs=pd.read_parquet(folder / "paragraphs.parquet"),
                   kwic=pd.read_parquet(folder / "kwic.parquet"),
                   items=pd.read_parquet(folder / "items.parquet")["item"].to_numpy(dtype=object),
                   words=sparse.load_npz(folder / "words.npz").tocsr(),
                   codebook_delta=sparse.load_npz(folder / "codebook_delta.npz").tocsr(),
                   learned_delta=sparse.load_npz(learned).tocsr() if learned.exists() else None,
                   learned_only_delta=(sparse.load_npz(folder / "learned_only_delta.npz").tocsr()
                                       if learned.exists() else None),
                   phrases=phrases, key=meta["key"], fingerprint=meta["fingerprint"], settings=meta["settings"],
                   source="cache")
