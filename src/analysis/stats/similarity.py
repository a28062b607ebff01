"""Similarity between documents (or years), paragraph lineage and verbatim reuse.

- Matrices (square, symmetric, 1 on the diagonal): :func:`tfidf_similarity` (cosine of TF-IDF
  vectors of the shared tokens), :func:`jaccard_similarity` (of the sets of tokens used),
  :func:`profile_similarity` (cosine of theme-rate profiles) and :func:`topic_similarity`
  (1 - Jensen-Shannon distance, base 2, of topic distributions).
- :func:`non_content_reasons`: why a paragraph is not content (a heading, a sponsor or signature
  line, a lead-in, a list of names, too short); such paragraphs are neither ancestors nor new.
- :func:`paragraph_lineage`: for every paragraph, the most similar paragraph of any earlier
  document, computed block by block so that no matrix of all paragraph pairs is ever built;
  :func:`calibrate_novelty` chooses the novelty threshold from pairs people labelled.
- :func:`shared_passages`: word sequences that two documents share, found through word
  n-gram shingles and extended to their full length.
- :func:`validate_against_ratings`: agreement with human similarity ratings (Lee, Pincombe &
  Welsh 2005: :func:`lee_benchmark`, :func:`lee_background`), with a bootstrap interval over
  documents.
"""

from __future__ import annotations

import re
from collections import defaultdict

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.spatial.distance import jensenshannon

from ..checks import check_int, check_number
from ..errors import ParameterError
from ..index.dfm import tfidf_rows
from .rates import per_10k
from ..text.patterns import WORD, lower_same_length

LINEAGE_COLUMNS = ["doc_id", "year", "paragraph_id", "earlier_doc_id", "earlier_paragraph_id", "score", "text",
                   "earlier_text"]
PASSAGE_COLUMNS = ["doc_a", "doc_b", "paragraph_a", "paragraph_b", "passage", "n_words"]
BLOCK_ROWS = 2_000  # paragraphs compared at once in the lineage: bounds memory to a block x earlier strip
HUMAN_AGREEMENT = 0.60  # inter-rater correlation on the Lee (2005) ratings, the level a measure should reach
LINEAGE_MIN_WORDS = 8  # shorter paragraphs ("The 122nd Assembly of the Inter-Parliamentary Union,") are not content
SPONSOR_OR_SIGNATURE = re.compile(
    r"^\W*(?:(?:co-?)?sponsored|submitted|presented|proposed|signed)\s+by\b|^\W*(?:co-?)?rapporteurs?\b"
    r"|^\W*(?:signed|sgd\.?)\W*$", re.IGNORECASE)
ROLL_CALL = re.compile(r"\b(?:was|were)\s+(?:also\s+)?(?:made|delivered|given)\s+by\s+(?:the\s+|a\s+)?"
                       r"(?:representatives?|observers?|delegations?|delegates?|members?)\b", re.IGNORECASE)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
NOVELTY_THRESHOLD = 0.131  # chosen by calibrate_novelty on data/validation/lineage_pairs.csv (precision >= 0.8)
NAME_LIST_MIN_CAPITALISED = 0.7  # share of capitalised words in a list of names ("Malaysia, Canada, Japan")


def _as_frame(matrix: np.ndarray, labels) -> pd.DataFrame:
    labels = [str(label) for label in labels]
    return pd.DataFrame(np.asarray(matrix, dtype=float), index=pd.Index(labels, name="id"), columns=labels)


def tfidf_similarity(counts: sparse.spmatrix, labels) -> pd.DataFrame:
    """Cosine similarity of the rows' TF-IDF vectors."""
    vectors = tfidf_rows(counts)
    matrix = (vectors @ vectors.T).toarray()
    np.fill_diagonal(matrix, 1.0)
    return _as_frame(np.clip(matrix, 0, 1), labels)


def jaccard_similarity(counts: sparse.spmatrix, labels) -> pd.DataFrame:
    """|A ∩ B| / |A ∪ B| of the sets of terms each row uses."""
    present = sparse.csr_matrix(counts, dtype=np.float64)
    present.data[:] = 1
    shared = (present @ present.T).toarray()
    sizes = np.asarray(present.sum(axis=1)).ravel()
    union = sizes[:, None] + sizes[None, :] - shared
    with np.errstate(invalid="ignore", divide="ignore"):
        matrix = np.where(union > 0, shared / union, np.nan)
    return _as_frame(matrix, labels)


def profile_similarity(profiles: pd.DataFrame) -> pd.DataFrame:
    """Cosine similarity of rows of non-negative profiles (theme rates per 10,000 tokens); a
    row that is all zeros (no theme found) is similar to nothing: NaN."""
    values = profiles.to_numpy(dtype=float)
    norms = np.linalg.norm(values, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        unit = values / norms[:, None]
        matrix = unit @ unit.T
    matrix[norms == 0, :] = np.nan
    matrix[:, norms == 0] = np.nan
    return _as_frame(matrix, profiles.index)


def topic_similarity(distributions: pd.DataFrame) -> pd.DataFrame:
    """1 - Jensen-Shannon distance (base 2, so between 0 and 1) between rows of topic shares."""
    values = distributions.to_numpy(dtype=float)
    n = len(values)
    matrix = np.ones((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            matrix[i, j] = matrix[j, i] = 1 - jensenshannon(values[i], values[j], base=2)
    return _as_frame(matrix, distributions.index)


def theme_profiles(frequencies: pd.DataFrame, by: str = "doc_id") -> pd.DataFrame:
    """Rows ``by`` (``doc_id`` or ``year``), columns themes: mentions per 10,000 word tokens,
    pooled over the rows' documents (from ``theme_frequencies``)."""
    pooled = frequencies.groupby([by, "theme"], sort=False)[["count", "word_tokens"]].sum()
    rates = pd.Series(per_10k(pooled["count"], pooled["word_tokens"]), index=pooled.index).fillna(0)
    return rates.unstack("theme")


def document_topics(doc_topics: pd.DataFrame, model: str, by: str = "doc_id") -> pd.DataFrame:
    """Rows ``by`` (``doc_id`` or ``year``), columns topics: the token-weighted topic shares of
    the rows' units (from notebook 02's ``doc_topics.csv``)."""
    part = doc_topics[doc_topics["model"] == model]
    if part.empty:
        raise ParameterError(f"model={model!r}: doc_topics has no rows for this model "
                             f"(it has {sorted(doc_topics['model'].unique())})")
    weighted = part.assign(weight=part["share"] * part["n_tokens"])
    table = weighted.pivot_table(index=by, columns="topic", values="weight", aggfunc="sum", sort=False)
    return table.div(table.sum(axis=1), axis=0)


def order_by_similarity(similarity: pd.DataFrame):
    """Average-linkage clustering on 1 - similarity (missing values as 0 similarity): the
    linkage matrix and the leaf order with optimal leaf ordering (deterministic)."""
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import squareform

    distance = 1 - similarity.fillna(0).to_numpy()
    np.fill_diagonal(distance, 0)
    tree = linkage(squareform(np.clip((distance + distance.T) / 2, 0, None), checks=False), method="average",
                   optimal_ordering=True)
    return tree, leaves_list(tree)


def non_content_reasons(paragraphs: pd.DataFrame, min_words: int = LINEAGE_MIN_WORDS) -> pd.Series:
    """Why each paragraph (``kind`` and ``text`` columns) is not content, or ``""`` if it is:
    ``heading`` (titles, dates, places, the short lines :mod:`analysis.text.segment` calls
    headings), ``sponsor_or_signature`` ("Sponsored by Canada", "Rapporteur: ..."), ``lead_in``
    (a line ending in a colon that introduces what follows), ``name_list`` (a roll-call of
    speakers, every sentence "... was made by the representatives of ...", or a comma-separated
    list of proper names), or ``short`` (fewer than ``min_words`` words). Such paragraphs match
    others on a date or a body's name, so they are never ancestors nor new content."""
    check_int("min_words", min_words, 1)
    reasons = []
    for kind, text in paragraphs[["kind", "text"]].itertuples(index=False):
        text = text.strip()
        words = WORD.findall(text)
        if kind == "heading":
            reasons.append("heading")
        elif SPONSOR_OR_SIGNATURE.search(text):
            reasons.append("sponsor_or_signature")
        elif text.endswith(":"):
            reasons.append("lead_in")
        elif _is_name_list(text, words):
            reasons.append("name_list")
        elif len(words) < min_words:
            reasons.append("short")
        else:
            reasons.append("")
    return pd.Series(reasons, index=paragraphs.index, name="non_content", dtype=object)


def _is_name_list(text: str, words: list[str]) -> bool:
    sentences = SENTENCE_END.split(text)
    if sum(bool(ROLL_CALL.search(sentence)) for sentence in sentences) * 2 > len(sentences):
        return True
    capitalised = sum(word[0].isupper() for word in words)
    return text.count(",") >= 2 and capitalised >= NAME_LIST_MIN_CAPITALISED * max(len(words), 1)


def paragraph_lineage(parts: pd.DataFrame, vectors: sparse.csr_matrix, dates: pd.Series) -> pd.DataFrame:
    """For each paragraph, its most similar paragraph (cosine of the L2-normalised rows of
    ``vectors``, one per row of ``parts``) in any document of an earlier date (``dates``:
    ``doc_id`` -> ISO date; documents of the same date are not each other's ancestors, and
    paragraphs of the earliest date are left out). Ties go to the earlier paragraph. Computed
    in blocks of paragraphs against the strip of earlier ones, keeping only each row's best."""
    missing = sorted(set(parts["doc_id"]) - set(dates.index))
    if missing:
        raise ParameterError(f"paragraph_lineage: no date for {', '.join(missing[:5])}")
    day = parts["doc_id"].map(dates.astype(str)).to_numpy()
    sorted_rows = np.argsort(day, kind="stable")
    vectors, frame = vectors[sorted_rows], parts.iloc[sorted_rows].reset_index(drop=True)
    days, first_of = np.unique(day[sorted_rows], return_index=True)  # first row of each date
    best_score = np.full(len(frame), np.nan)
    best_row = np.full(len(frame), -1)
    bounds = list(first_of) + [len(frame)]
    for group in range(1, len(days)):
        start, stop = bounds[group], bounds[group + 1]
        earlier = vectors[:start]
        for block in range(start, stop, BLOCK_ROWS):
            end = min(block + BLOCK_ROWS, stop)
            scores = (vectors[block:end] @ earlier.T).toarray()
            best_row[block:end] = scores.argmax(axis=1)
            best_score[block:end] = scores.max(axis=1)
    has = best_row >= 0
    result = frame.loc[has, ["doc_id", "year", "paragraph_id", "text"]].reset_index(drop=True)
    source = frame.iloc[best_row[has]].reset_index(drop=True)
    result.insert(3, "earlier_doc_id", source["doc_id"])
    result.insert(4, "earlier_paragraph_id", source["paragraph_id"])
    result.insert(5, "score", np.clip(best_score[has], 0, 1))
    result["earlier_text"] = source["text"]
    return result[LINEAGE_COLUMNS]


def novel_paragraphs(lineage: pd.DataFrame, kwic: pd.DataFrame, n_tokens: pd.Series,
                     threshold: float = NOVELTY_THRESHOLD, min_tokens: int = 5) -> pd.DataFrame:
    """``doc_id, year, paragraph_id, best_earlier_score, themes, text``: paragraphs of at least
    ``min_tokens`` tokens whose best earlier match scores below ``threshold`` -- text with no
    ancestor in earlier documents; ``themes`` lists the codebook themes found in it."""
    check_number("threshold", threshold, 0, 1, exclusive_minimum=True)
    check_int("min_tokens", min_tokens, 1)
    themes = kwic.groupby("paragraph_id", sort=False)["theme"].agg(lambda t: ";".join(dict.fromkeys(t)))
    long_enough = lineage["paragraph_id"].map(n_tokens).fillna(0) >= min_tokens
    novel = lineage[(lineage["score"] < threshold) & long_enough]
    return pd.DataFrame({
        "doc_id": novel["doc_id"], "year": novel["year"], "paragraph_id": novel["paragraph_id"],
        "best_earlier_score": novel["score"], "themes": novel["paragraph_id"].map(themes).fillna(""),
        "text": novel["text"],
    }).reset_index(drop=True)


def _words_with_paragraphs(parts: pd.DataFrame) -> dict[str, tuple[list[str], list[str]]]:
    """Per document: its lower-cased words in order, and the paragraph id of each."""
    out: dict[str, tuple[list[str], list[str]]] = {}
    for doc_id, paragraph_id, text in parts[["doc_id", "paragraph_id", "text"]].itertuples(index=False):
        words, where = out.setdefault(doc_id, ([], []))
        found = WORD.findall(lower_same_length(text))
        words += found
        where += [paragraph_id] * len(found)
    return out


def shared_passages(parts: pd.DataFrame, order: list[str], n_words: int = 8) -> pd.DataFrame:
    """Word sequences of at least ``n_words`` words found in two documents (case and punctuation
    ignored): ``doc_a, doc_b, paragraph_a, paragraph_b, passage, n_words``, ``doc_a`` the earlier
    in ``order``. Each maximal shared run is one row per place it starts in the later document;
    where the earlier document has it in several places, the longest run (then the first) is
    kept."""
    check_int("n_words", n_words, 2)
    documents = _words_with_paragraphs(parts)
    order = [doc for doc in order if doc in documents]
    places: dict[tuple, list[tuple[int, int]]] = defaultdict(list)
    for rank, doc in enumerate(order):
        words = documents[doc][0]
        for start in range(len(words) - n_words + 1):
            places[tuple(words[start:start + n_words])].append((rank, start))
    matches: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for found in places.values():
        if len({rank for rank, _ in found}) < 2:
            continue
        for i, (rank_a, start_a) in enumerate(found):
            for rank_b, start_b in found[i + 1:]:
                if rank_a != rank_b:
                    matches[(rank_a, rank_b)].append((start_b, start_a))
    rows = []
    for (rank_a, rank_b), pairs in sorted(matches.items()):
        words_a, where_a = documents[order[rank_a]]
        _, where_b = documents[order[rank_b]]
        chosen = set(pairs)
        longest: dict[int, tuple[int, int]] = {}  # start in b -> (length, start in a)
        for start_b, start_a in sorted(chosen):
            if (start_b - 1, start_a - 1) in chosen:
                continue  # inside a run that started earlier
            length = 1
            while (start_b + length, start_a + length) in chosen:
                length += 1
            if start_b not in longest or length > longest[start_b][0]:
                longest[start_b] = (length, start_a)
        for start_b, (length, start_a) in sorted(longest.items()):
            size = length + n_words - 1
            rows.append((order[rank_a], order[rank_b], where_a[start_a], where_b[start_b],
                         " ".join(words_a[start_a:start_a + size]), size))
    return pd.DataFrame(rows, columns=PASSAGE_COLUMNS)


def calibrate_novelty(scores, labels, min_precision: float = 0.8, confidence: float = 0.95) -> dict:
    """The novelty threshold from pairs people labelled (``scores``: each later paragraph's best
    earlier score; ``labels``: 1 if it restates its ancestor, 0 if it is new): the highest
    threshold (midway between two labelled scores) at which the paragraphs it calls new
    (``score < threshold``) are new with precision at least ``min_precision``. Returns the
    ``threshold``, how many pairs it calls ``novel``, how many of those are ``correct``, the
    ``precision`` with its Wilson interval (``precision_low``, ``precision_high``) and the
    ``recall`` of the new pairs; ``threshold`` is NaN when no threshold reaches the target."""
    check_number("min_precision", min_precision, 0, 1, exclusive_minimum=True)
    scores = np.asarray(scores, dtype=float)
    labels = np.asarray(labels)
    if len(scores) != len(labels) or not len(scores) or not np.isin(labels, (0, 1)).all():
        raise ParameterError("calibrate_novelty: scores and labels must be of the same non-zero length, labels 0 or 1")
    values = np.unique(scores)
    candidates = np.append((values[:-1] + values[1:]) / 2, values[-1] + 1e-9)
    counts = [_novelty_counts(scores, labels, t) for t in candidates]
    chosen = [t for t, (novel, correct) in zip(candidates, counts) if novel and correct >= min_precision * novel]
    threshold = max(chosen) if chosen else float("nan")
    return {"threshold": float(threshold), "min_precision": min_precision,
            **novelty_precision(scores, labels, threshold, confidence)}


def _novelty_counts(scores: np.ndarray, labels: np.ndarray, threshold: float) -> tuple[int, int]:
    called = scores < threshold
    return int(called.sum()), int((called & (labels == 0)).sum())


def novelty_precision(scores, labels, threshold: float, confidence: float = 0.95) -> dict:
    """How a novelty ``threshold`` does on labelled pairs (see :func:`calibrate_novelty`):
    ``novel``, ``correct``, ``precision`` with its Wilson interval, and ``recall``."""
    from scipy.stats import binomtest

    scores, labels = np.asarray(scores, dtype=float), np.asarray(labels)
    novel, correct = _novelty_counts(scores, labels, threshold) if np.isfinite(threshold) else (0, 0)
    interval = binomtest(correct, novel).proportion_ci(confidence, method="wilson") if novel else None
    return {"n_pairs": len(scores), "novel": novel, "correct": correct,
            "precision": correct / novel if novel else float("nan"),
            "precision_low": float(interval.low) if novel else float("nan"),
            "precision_high": float(interval.high) if novel else float("nan"),
            "recall": correct / max(int((labels == 0).sum()), 1)}


def validate_against_ratings(similarity: np.ndarray, human: np.ndarray, n_resamples: int = 0,
                             confidence: float = 0.95, random_state=None) -> dict:
    """Pearson r and Spearman rho between a similarity matrix and human ratings over all pairs
    of distinct items (the upper triangle). With ``n_resamples``, a percentile bootstrap
    interval for r (``r_low``, ``r_high``) that resamples the items, not the pairs: the pairs
    of one document are not independent, so resampling pairs would make it too narrow; a pair
    of a document with its own copy is left out."""
    from scipy.stats import bootstrap, pearsonr, spearmanr

    if similarity.shape != human.shape or similarity.shape[0] != similarity.shape[1]:
        raise ParameterError(f"similarity {similarity.shape} and human ratings {human.shape} must be the same square shape")
    check_int("n_resamples", n_resamples, 0)
    check_number("confidence", confidence, 0.5, 0.999)
    upper = np.triu_indices(len(human), k=1)
    result = {"pearson_r": float(pearsonr(similarity[upper], human[upper])[0]),
              "spearman_rho": float(spearmanr(similarity[upper], human[upper])[0]), "n_pairs": len(upper[0])}
    if n_resamples:
        def resampled_r(items):
            first, second = np.triu_indices(len(items), k=1)
            a, b = np.minimum(items[first], items[second]), np.maximum(items[first], items[second])
            distinct = a < b  # and (a, b) in the upper triangle, where the ratings are
            return np.corrcoef(similarity[a[distinct], b[distinct]], human[a[distinct], b[distinct]])[0, 1]

        interval = bootstrap((np.arange(len(human)),), resampled_r, n_resamples=n_resamples, vectorized=False,
                             confidence_level=confidence, method="percentile",
                             rng=np.random.default_rng(random_state)).confidence_interval
        result.update(r_low=float(interval.low), r_high=float(interval.high), n_resamples=n_resamples,
                      confidence=confidence)
    return result


def lee_validation(tokenizer, idf: str = "background", n_resamples: int = 2000, random_state=None) -> dict:
    """:func:`validate_against_ratings` of the TF-IDF cosine (:func:`tfidf_rows`) of the 50 Lee
    documents tokenized by ``tokenizer`` (fitted), with inverse document frequencies from the
    300 ``"background"`` documents (as gensim's test fits its model) or from the 50 ``"rated"``
    documents themselves; with the bootstrap interval over documents."""
    from sklearn.feature_extraction.text import TfidfTransformer

    from ..index.dfm import dfm_from_tokens

    if idf not in ("background", "rated"):
        raise ParameterError(f"idf={idf!r}: must be 'background' or 'rated'")
    texts, human = lee_benchmark()
    background = lee_background() if idf == "background" else []
    counts = sparse.csr_matrix(dfm_from_tokens(tokenizer.transform(background + texts)).matrix, dtype=np.float64)
    rated = counts[len(background):]
    idf_rows = counts[:len(background)] if background else rated
    vectors = TfidfTransformer(sublinear_tf=True).fit(idf_rows).transform(rated)
    return validate_against_ratings((vectors @ vectors.T).toarray(), human, n_resamples=n_resamples,
                                    random_state=random_state)


def _lee_file(name: str) -> str:
    from importlib.resources import files

    return (files("gensim") / "test" / "test_data" / name).read_text(encoding="latin-1")


def lee_benchmark() -> tuple[list[str], np.ndarray]:
    """The 50 news documents of Lee, Pincombe & Welsh (2005) and their mean human similarity
    ratings (50 x 50, upper triangle), as shipped with gensim's tests (Latin-1 text)."""
    from importlib.resources import files

    return _lee_file("lee.cor").splitlines(), np.loadtxt(files("gensim") / "test" / "test_data" / "similarities0-1.txt")


def lee_background() -> list[str]:
    """The 300 background news documents shipped with the Lee benchmark (gensim's tests fit
    their models on these): a corpus for inverse document frequencies that does not contain
    the 50 rated documents."""
    return _lee_file("lee_background.cor").splitlines()


def passage_summary(passages: pd.DataFrame, words_per_document: pd.Series) -> pd.DataFrame:
    """Per pair of documents sharing passages: ``doc_a, doc_b, passages, shared_words,
    share_of_b`` -- how much of the later document repeats the earlier one word for word
    (overlapping passages in ``doc_b`` are counted once per passage, so this is an upper bound)."""
    pairs = passages.groupby(["doc_a", "doc_b"], sort=False).agg(passages=("n_words", "size"),
                                                                  shared_words=("n_words", "sum")).reset_index()
    pairs["share_of_b"] = (pairs["shared_words"] / pairs["doc_b"].map(words_per_document)).clip(upper=1)
    return pairs.sort_values("share_of_b", ascending=False, ignore_index=True)


def novelty_by_document(lineage: pd.DataFrame, novel: pd.DataFrame) -> pd.DataFrame:
    """Per document (in lineage order): ``paragraphs`` compared with earlier documents and how
    many of them are ``new``."""
    compared = lineage.groupby("doc_id", sort=False).size()
    new = novel.groupby("doc_id", sort=False).size().reindex(compared.index, fill_value=0)
    return pd.DataFrame({"paragraphs": compared, "new": new}).astype(int)


def content_lineage(paragraphs: pd.DataFrame, counts, dates: pd.Series,
                    min_words: int = LINEAGE_MIN_WORDS) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """:func:`paragraph_lineage` of the content paragraphs of the documents in ``dates``
    (``doc_id`` -> ISO date): ``paragraphs`` are the index's, ``counts`` its paragraph-level
    :class:`~analysis.index.dfm.DFM` (one row per paragraph, same order). Returns the lineage,
    each compared paragraph's number of tokens (by ``paragraph_id``) and how many paragraphs were
    left out for each :func:`non_content_reasons` reason."""
    from ..index.dfm import dfm_subset

    in_sample = paragraphs["doc_id"].isin(set(dates.index)).to_numpy()
    parts = paragraphs[in_sample].reset_index(drop=True)
    reasons = non_content_reasons(parts, min_words=min_words)
    is_content = (reasons == "").to_numpy()
    chosen = in_sample.copy()
    chosen[in_sample] = is_content
    content_counts = dfm_subset(counts, chosen)
    content = parts[is_content].reset_index(drop=True)
    lineage = paragraph_lineage(content, tfidf_rows(content_counts.matrix), dates)
    n_tokens = pd.Series(content_counts.row_tokens(), index=content["paragraph_id"])
    return lineage, n_tokens, reasons[reasons != ""].value_counts().sort_index()


def novelty_calibration(labelled: pd.DataFrame, threshold: float, lineage: pd.DataFrame,
                        novel: pd.DataFrame) -> pd.DataFrame:
    """One row: how ``threshold`` does on the labelled pairs (``score``, ``label`` columns;
    :func:`novelty_precision`) and the share of the compared paragraphs it calls new."""
    return pd.DataFrame([{"threshold": threshold, **novelty_precision(labelled["score"], labelled["label"], threshold),
                          "share_called_new": len(novel) / max(len(lineage), 1)}])


def lee_validation_table(normalize: str, domain_stopwords=True, random_state=None) -> pd.DataFrame:
    """:func:`lee_validation` under the notebook's ``normalize`` with idf from the rated and the
    background documents, and under the project's chosen setting (stems, background idf), one row
    each, with whether r reaches the human inter-rater level (0.60) and whether its interval does."""
    from ..text.tokens import Tokenizer

    settings = dict.fromkeys([(normalize, "rated"), (normalize, "background"), ("stem", "background")])
    table = pd.DataFrame([
        {"dataset": "lee_pincombe_welsh_2005", "method": "tfidf_cosine", "normalize": form, "idf_from": idf,
         **lee_validation(Tokenizer(normalize=form, phrases="none", domain_stopwords=domain_stopwords).fit(), idf,
                          random_state=random_state)}
        for form, idf in settings])
    table["r_at_least_0.60"] = table["pearson_r"] >= HUMAN_AGREEMENT
    table["interval_above_0.60"] = table["r_low"] >= HUMAN_AGREEMENT
    return table
