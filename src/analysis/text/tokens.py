"""Text -> tokens, every choice a parameter (a scikit-learn-style transformer).

The steps, in order:

1. words: runs of letters with inner hyphens or apostrophes, lower-cased
   (:data:`~analysis.text.patterns.WORD`);
2. codebook phrases: the codebook's multiword patterns joined into one token
   ("scam compounds" -> ``scam_compound``, see :func:`phrase_token`);
3. learned phrases: collocations learned by gensim ``Phrases`` (NPMI scoring) on the runs of
   words between codebook phrases, joined with ``_`` (``law_enforcement``). The general English
   and the shipped domain stop words are its connector words, so a phrase may hold a stop word
   inside but never start or end with one; they are the same whatever ``stopwords`` and
   ``domain_stopwords`` say, so the phrases learned depend only on the texts and
   ``phrase_min_count``/``phrase_threshold``;
4. single words normalised: ``"lemma"`` (simplemma, offline; words in -ing and -ed are kept as
   they are -- in resolutions they are mostly nouns and adjectives, *trafficking*, *organized
   crime*; plurals unknown to the dictionary lose their -s), ``"stem"`` (NLTK's Snowball
   stemmer) or ``"none"``;
5. stop words removed: a general English list (scikit-learn's, minus content words this field
   needs, :data:`GENERAL_STOPWORD_EXCEPTIONS`) and, with ``domain_stopwords``, the procedural
   vocabulary of resolutions and reports (``resources/domain_stopwords.txt``); joined phrases
   are never removed; words shorter than ``min_length`` are dropped.

Steps 1-3 produce *items* and do not depend on steps 4-5, which map each distinct item to its
token (:meth:`Tokenizer.token_of`). The corpus index (:mod:`analysis.index`) stores a text's
items once, as three count vectors -- its words, the change the codebook phrases make, the change
the learned phrases make -- so that any ``phrases``, ``normalize`` or stop-word setting is a
re-mapping of stored counts, not a new pass over the text.

Nothing is downloaded: simplemma ships its dictionary, and the rest is code.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections import Counter
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import simplemma

from ..checks import check_bool, check_choice, check_int, check_number
from ..errors import ParameterError
from .patterns import WORD, WORD_GAP, PatternSet, lower_same_length, words_of

POSSESSIVE = re.compile(r"['’]s$")
NORMALIZATIONS = ("lemma", "stem", "none")
PHRASE_SOURCES = ("both", "codebook", "gensim", "none")
CODEBOOK_MARK = "\x00"  # an item that starts with it is a joined codebook phrase
# Content words in scikit-learn's general list that this field's texts use as content
# ("UN", "serious crime", "criminal justice system", "in the interest of", "ceasefire").
GENERAL_STOPWORD_EXCEPTIONS = frozenset(
    "un system serious interest fire bill computer amount detail part full found front side top bottom empty".split()
)


@lru_cache(maxsize=None)
def general_stopwords() -> frozenset[str]:
    """scikit-learn's English list minus :data:`GENERAL_STOPWORD_EXCEPTIONS`. Read from the
    module that holds it alone, without importing scikit-learn (over a second, which a worker
    process or a corpus pass would pay) unless it is imported already."""
    module = sys.modules.get("sklearn.feature_extraction._stop_words")
    if module is None:
        spec = importlib.util.find_spec("sklearn")  # finds the package without importing it
        path = Path(spec.submodule_search_locations[0]) / "feature_extraction" / "_stop_words.py"
        spec = importlib.util.spec_from_file_location("_sklearn_stop_words", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return frozenset(module.ENGLISH_STOP_WORDS - GENERAL_STOPWORD_EXCEPTIONS)


def read_wordlist(path) -> frozenset[str]:
    """One word per line; ``#`` starts a comment."""
    words = set()
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].strip().casefold()
        if word:
            words.add(word)
    return frozenset(words)


def domain_stopwords() -> frozenset[str]:
    """The shipped list of procedural words of resolutions and meeting reports."""
    return read_wordlist(files("analysis") / "resources" / "domain_stopwords.txt")


@lru_cache(maxsize=None)
def lemmatize(word: str) -> str:
    head, _, last = word.rpartition("-")
    if last.endswith(("ing", "ed")) or len(last) < 3:
        return word
    if simplemma.is_known(last, lang="en"):
        lemma = simplemma.lemmatize(last, lang="en").lower()  # the dictionary capitalises names: "Asia"
    elif last.endswith("s") and not last.endswith(("ss", "us", "is")) and len(last) > 3:
        lemma = last[:-1]
    else:
        lemma = last
    return f"{head}-{lemma}" if head else lemma


@lru_cache(maxsize=None)
def _stemmer():
    from nltk.stem.snowball import SnowballStemmer  # importing nltk takes 1.7 s: only when stemming

    return SnowballStemmer("english")


@lru_cache(maxsize=None)
def stem(word: str) -> str:
    return "-".join(_stemmer().stem(part) for part in word.split("-"))


def phrase_token(pattern: str, matched: str) -> str:
    """The single token a codebook phrase match is joined into: the matched words, lower-cased
    and joined by ``_``; when the pattern ends in ``*`` the last word is lemmatised, so
    "scam compounds" matched by ``scam compound*`` becomes ``scam_compound``."""
    words = re.split(WORD_GAP, lower_same_length(matched))
    if pattern.endswith("*"):
        words[-1] = lemmatize(words[-1])
    return "_".join(words)


def codebook_joined(text: str, phrase_set: PatternSet | None, lower: str | None = None,
                    words: list[str] | None = None, spans: list | None = None) -> list[str]:
    """Step 2: the words of ``text`` in order, each codebook phrase match replaced by one item
    (:data:`CODEBOOK_MARK` + :func:`phrase_token`). ``lower`` and ``words`` save scans when known,
    and so do ``spans``, the phrase matches in ``text`` (``phrase_set.find``), when the caller
    matched a longer text at once."""
    lower = lower_same_length(text) if lower is None else lower
    if spans is None:
        spans = phrase_set.find(text, None, lower) if phrase_set is not None else []
    if not spans:
        return words_of(lower) if words is None else words
    out, position = [], 0
    for span in spans:
        out += WORD.findall(lower[position:span.start])
        out.append(CODEBOOK_MARK + phrase_token(phrase_set.patterns[span.pattern], text[span.start:span.end]))
        position = span.end
    return out + WORD.findall(lower[position:])


def runs_between_phrases(items: list[str]) -> list[list[str]]:
    """The runs of single words between codebook-phrase items, possessives stripped: what
    gensim ``Phrases`` learns from and joins (a learned phrase never spans a codebook phrase)."""
    runs, run = [], []
    for item in items:
        if item.startswith(CODEBOOK_MARK):
            if run:
                runs.append(run)
            run = []
        else:
            run.append(POSSESSIVE.sub("", item))
    return runs + [run] if run else runs


def learned_joined(items: list[str], phrases) -> list[str]:
    """Step 3: ``items`` (from :func:`codebook_joined`) with the learned ``phrases`` (a frozen
    gensim ``Phrases`` model) joined within the runs between codebook phrases."""
    out, run = [], []
    for item in items + [CODEBOOK_MARK]:
        if item.startswith(CODEBOOK_MARK):
            if run:
                out += phrases[run]
            if item != CODEBOOK_MARK:
                out.append(item)
            run = []
        else:
            run.append(POSSESSIVE.sub("", item))
    return out


def learned_only(text: str, boundaries: PatternSet | None, phrases, lower: str | None = None) -> list[str]:
    """The items of ``phrases="gensim"``: step 1's words, with the learned ``phrases`` joined
    within the runs of words that no codebook phrase match (``boundaries``) touches; a word a
    match touches stays as it is (so "anti-money-laundering" stays one word)."""
    lower = lower_same_length(text) if lower is None else lower
    spans = [(span.start, span.end) for span in boundaries.find(text, None, lower)] if boundaries is not None else []
    out, run, next_span = [], [], 0
    for match in WORD.finditer(lower):
        while next_span < len(spans) and spans[next_span][1] <= match.start():
            next_span += 1
        touched = next_span < len(spans) and spans[next_span][0] < match.end()
        if touched:
            out += phrases[run] if run else []
            out.append(match.group())
            run = []
        else:
            run.append(POSSESSIVE.sub("", match.group()))
    return out + (phrases[run] if run else [])


def fit_phrases(runs, min_count: int = 5, threshold: float = 0.5):
    """A frozen gensim ``Phrases`` model (NPMI) learned from runs of words."""
    from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, Phrases  # slow to import: only here

    return Phrases(runs, min_count=min_count, threshold=threshold, scoring="npmi",
                   connector_words=ENGLISH_CONNECTOR_WORDS | general_stopwords() | domain_stopwords()).freeze()


def item_deltas(words: list[str], joined: list[str], learned: list[str] | None) -> tuple[Counter, Counter]:
    """How codebook phrases (``joined`` against ``words``) and learned phrases (``learned``
    against ``joined``) change a text's item counts: two Counters of +/- counts."""
    codebook = Counter(joined)
    codebook.subtract(Counter(words)) if joined is not words else codebook.clear()
    learned_delta = Counter()
    if learned is not None:
        learned_delta.update(learned)
        learned_delta.subtract(Counter(item if item.startswith(CODEBOOK_MARK) else POSSESSIVE.sub("", item)
                                       for item in joined))
    return (Counter({k: v for k, v in codebook.items() if v}),
            Counter({k: v for k, v in learned_delta.items() if v}))


class Tokenizer:
    """Text -> tokens, with every choice a parameter (see the module docstring).

    Parameters
    ----------
    normalize : "lemma" (default), "stem" or "none"
    stopwords : remove the general English stop words (default True)
    domain_stopwords : True (default) for the shipped procedural list, False for none, or a
        path to a word list of your own
    phrases : "both" (default: codebook phrases, then learned collocations), "codebook",
        "gensim" or "none"
    codebook_phrases : the multiword patterns joined as codebook phrases
        (:meth:`Codebook.multiword_patterns <analysis.text.codebook.Codebook.multiword_patterns>`)
    min_length : shortest word kept (default 2)
    phrase_min_count, phrase_threshold : gensim ``Phrases`` settings (NPMI scoring; defaults 5
        and 0.5, chosen on the seed corpus, where lower values learn fragments of clauses)

    Fitted attributes: ``stop_words_``, ``phrase_set_`` (the compiled codebook phrases, or None)
    and ``phrases_`` (the learned phrases, or None).
    """

    def __init__(self, normalize="lemma", stopwords=True, domain_stopwords=True, phrases="both",
                 codebook_phrases=(), min_length=2, phrase_min_count=5, phrase_threshold=0.5):
        self.normalize = normalize
        self.stopwords = stopwords
        self.domain_stopwords = domain_stopwords
        self.phrases = phrases
        self.codebook_phrases = codebook_phrases
        self.min_length = min_length
        self.phrase_min_count = phrase_min_count
        self.phrase_threshold = phrase_threshold

    def get_params(self) -> dict:
        """The constructor's parameters (what a result records about its tokens)."""
        return {"normalize": self.normalize, "stopwords": self.stopwords,
                "domain_stopwords": str(self.domain_stopwords) if isinstance(self.domain_stopwords, Path)
                else self.domain_stopwords,
                "phrases": self.phrases, "codebook_phrases": list(self.codebook_phrases),
                "min_length": self.min_length, "phrase_min_count": self.phrase_min_count,
                "phrase_threshold": self.phrase_threshold}

    @property
    def learns_phrases(self) -> bool:
        """Whether :meth:`fit` learns collocations from the texts."""
        return self.phrases in ("gensim", "both")

    def fit(self, texts=(), y=None, phrases_=None) -> "Tokenizer":
        """Validate the parameters, build the stop-word set and, if ``phrases`` asks for them,
        learn collocations from ``texts`` -- or take the already learned ``phrases_`` (as the
        corpus index does, which learns them once per corpus)."""
        self._validate()
        stop = set(general_stopwords()) if self.stopwords else set()
        if self.domain_stopwords is True:
            stop |= domain_stopwords()
        elif self.domain_stopwords:
            stop |= read_wordlist(self.domain_stopwords)
        self.stop_words_ = frozenset(stop)
        codebook_set = PatternSet(self.codebook_phrases) if len(self.codebook_phrases) else None
        self.phrase_set_ = codebook_set if self.phrases in ("codebook", "both") else None
        self._boundaries = codebook_set  # learned phrases never span a codebook phrase, joined or not
        self.phrases_ = None
        if self.learns_phrases:
            if phrases_ is None:
                runs = [run for text in texts for run in runs_between_phrases(codebook_joined(text, self._boundaries))]
                phrases_ = fit_phrases(runs, self.phrase_min_count, self.phrase_threshold)
            self.phrases_ = phrases_
        self._tokens: dict[str, str] = {}
        return self

    def _validate(self) -> None:
        check_choice("normalize", self.normalize, NORMALIZATIONS)
        check_choice("phrases", self.phrases, PHRASE_SOURCES)
        check_int("min_length", self.min_length, 1)
        check_int("phrase_min_count", self.phrase_min_count, 1)
        check_number("phrase_threshold", self.phrase_threshold, -1, 1)
        check_bool("stopwords", self.stopwords)
        if not isinstance(self.domain_stopwords, bool):
            if not isinstance(self.domain_stopwords, (str, Path)) or not Path(self.domain_stopwords).is_file():
                raise ParameterError(f"domain_stopwords={str(self.domain_stopwords)!r}: give true, false or the path "
                                     "of a word list that exists")
        if isinstance(self.codebook_phrases, str):
            raise ParameterError(f"codebook_phrases={self.codebook_phrases!r}: must be a list of patterns")

    def _check_fitted(self) -> None:
        if not hasattr(self, "stop_words_"):
            raise ParameterError("the Tokenizer is not fitted: call fit() first")

    def items(self, text: str) -> list[str]:
        """Steps 1-3: the items of ``text`` in order, before normalisation and stop words."""
        self._check_fitted()
        if self.phrases == "gensim":
            return learned_only(text, self._boundaries, self.phrases_)
        items = codebook_joined(text, self.phrase_set_)
        return learned_joined(items, self.phrases_) if self.phrases_ is not None else items

    def token_of(self, item: str) -> str:
        """Steps 4-5 for one item: its token, or "" when it is dropped."""
        token = self._tokens.get(item)
        if token is None:
            token = self._tokens[item] = self._token(item)
        return token

    def _token(self, item: str) -> str:
        if item.startswith(CODEBOOK_MARK):
            return item[1:]
        if "_" in item:  # a learned phrase
            return item
        word = POSSESSIVE.sub("", item)
        if len(word) < self.min_length or word in self.stop_words_ or lemmatize(word) in self.stop_words_:
            return ""
        if self.normalize == "lemma":
            return lemmatize(word)
        return stem(word) if self.normalize == "stem" else word

    def transform(self, texts) -> list[list[str]]:
        """The tokens of each text."""
        self._check_fitted()
        return [[token for token in map(self.token_of, self.items(text)) if token] for text in texts]

    def fit_transform(self, texts, y=None) -> list[list[str]]:
        texts = list(texts)
        return self.fit(texts).transform(texts)
