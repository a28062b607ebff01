"""Offline tokenization shared by every analysis: one path from text to tokens.

:class:`Tokenizer` follows scikit-learn's fit/transform pattern. ``fit`` learns collocations
with gensim ``Phrases`` when asked; ``transform`` turns texts into lists of tokens by:

1. joining each match of the codebook's multiword patterns into one token (see
   :func:`phrase_token`: "trafficking in persons" -> ``trafficking_in_persons``, "scam
   compounds" matched by ``scam compound*`` -> ``scam_compound``), so that theme phrases
   survive stop-word removal;
2. splitting the rest into words (letters, with inner hyphens and apostrophes: "cross-border"
   stays one word), lower-cased, possessive ``'s`` dropped, numbers dropped;
3. joining learned collocations (``law_enforcement``, ``united_nations``) when ``phrases``
   includes ``"gensim"``; stop words may sit inside a learned phrase but never start or
   end one, so ``such_as`` or ``aware_that`` are never learned;
4. normalising single words: ``"lemma"`` (simplemma's English dictionary; words ending in
   -ing or -ed are kept as they are, because in resolutions they are mostly nouns and
   adjectives -- *trafficking*, *laundering*, *organized crime* -- and their verb lemmas read
   badly in figures; plurals unknown to the dictionary lose their -s: *cybercrimes*), or
   ``"stem"`` (NLTK's Snowball stemmer), or ``"none"``;
5. removing stop words: a general English list (scikit-learn's, minus content words this
   field needs, see :data:`GENERAL_STOPWORD_EXCEPTIONS`) and, when ``domain_stopwords`` is
   on, the procedural vocabulary of resolutions and reports (``resources/domain_stopwords.txt``);
   joined phrases are never removed; words shorter than ``min_length`` are dropped.

Nothing is downloaded: simplemma ships its dictionary, and the rest is code.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import simplemma
from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, Phrases
from nltk.stem.snowball import SnowballStemmer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from .codebook import WORD_GAP, Codebook, pattern_regex
from .errors import ParameterError

WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
POSSESSIVE = re.compile(r"['’]s$")
NORMALIZATIONS = ("lemma", "stem", "none")
PHRASE_SOURCES = ("codebook", "gensim", "both", "none")
# Content words in scikit-learn's general list that this field's texts use as content
# ("UN", "serious crime", "criminal justice system", "in the interest of", "ceasefire").
GENERAL_STOPWORD_EXCEPTIONS = frozenset(
    "un system serious interest fire bill computer amount detail part full found front side top bottom empty".split()
)
GENERAL_STOPWORDS = frozenset(ENGLISH_STOP_WORDS - GENERAL_STOPWORD_EXCEPTIONS)
_STEMMER = SnowballStemmer("english")


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
        lemma = simplemma.lemmatize(last, lang="en")
    elif last.endswith("s") and not last.endswith(("ss", "us", "is")) and len(last) > 3:
        lemma = last[:-1]
    else:
        lemma = last
    return f"{head}-{lemma}" if head else lemma


@lru_cache(maxsize=None)
def stem(word: str) -> str:
    return "-".join(_STEMMER.stem(part) for part in word.split("-"))


def phrase_token(pattern: str, matched: str) -> str:
    """The single token a codebook phrase match is joined into: the matched words, lower-cased
    and joined by ``_``; when the pattern ends in ``*`` the last word is lemmatised, so
    "scam compounds" matched by ``scam compound*`` becomes ``scam_compound``."""
    words = re.split(WORD_GAP, matched.casefold())
    if pattern.endswith("*"):
        words[-1] = lemmatize(words[-1])
    return "_".join(words)


class Tokenizer:
    """Text -> tokens, with every choice a parameter.

    Parameters
    ----------
    normalize : "lemma" (default), "stem" or "none"
    stopwords : remove the general English stop words (default True)
    domain_stopwords : True (default) for the shipped procedural list, False for none, or a
        path to a word list of your own
    phrases : "both" (default: codebook phrases, then collocations learned by gensim),
        "codebook", "gensim" or "none"
    codebook : the :class:`~analysis.codebook.Codebook` whose multiword patterns are joined
    min_length : shortest word kept (default 2)
    phrase_min_count, phrase_threshold : gensim ``Phrases`` settings (NPMI scoring; defaults
        5 and 0.5, chosen on the seed corpus, where lower values learn fragments of clauses)
    """

    def __init__(self, normalize="lemma", stopwords=True, domain_stopwords=True, phrases="both",
                 codebook: Codebook | None = None, min_length=2, phrase_min_count=5, phrase_threshold=0.5):
        if normalize not in NORMALIZATIONS:
            raise ParameterError(f"normalize={normalize!r}: choose one of {', '.join(NORMALIZATIONS)}")
        if phrases not in PHRASE_SOURCES:
            raise ParameterError(f"phrases={phrases!r}: choose one of {', '.join(PHRASE_SOURCES)}")
        if phrases in ("codebook", "both") and codebook is None:
            raise ParameterError(f"phrases={phrases!r} needs a codebook")
        if not isinstance(min_length, int) or min_length < 1:
            raise ParameterError(f"min_length={min_length!r}: must be a whole number of at least 1")
        if not -1 <= phrase_threshold <= 1:
            raise ParameterError(f"phrase_threshold={phrase_threshold!r}: NPMI scores lie between -1 and 1")
        self.normalize = normalize
        self.stopwords = stopwords
        self.domain_stopwords = domain_stopwords
        self.phrases = phrases
        self.codebook = codebook
        self.min_length = min_length
        self.phrase_min_count = phrase_min_count
        self.phrase_threshold = phrase_threshold
        self.phrases_ = None
        self._mwe_regex = self._compile_mwe() if phrases in ("codebook", "both") else None
        self._stop = self._stop_set()

    def get_params(self) -> dict:
        return {
            "normalize": self.normalize, "stopwords": self.stopwords,
            "domain_stopwords": str(self.domain_stopwords) if isinstance(self.domain_stopwords, Path)
            else self.domain_stopwords,
            "phrases": self.phrases, "min_length": self.min_length,
            "phrase_min_count": self.phrase_min_count, "phrase_threshold": self.phrase_threshold,
        }

    def _stop_set(self) -> frozenset[str]:
        stop = set(GENERAL_STOPWORDS) if self.stopwords else set()
        if self.domain_stopwords is True:
            stop |= domain_stopwords()
        elif self.domain_stopwords:
            path = Path(self.domain_stopwords)
            if not path.is_file():
                raise ParameterError(f"domain_stopwords={str(path)!r}: no such word list")
            stop |= read_wordlist(path)
        return frozenset(stop)

    def _compile_mwe(self) -> re.Pattern | None:
        patterns = self.codebook.multiword_patterns()
        if not patterns:
            return None
        self._mwe_patterns = patterns
        order = sorted(range(len(patterns)), key=lambda i: (-len(patterns[i]), i))
        body = "|".join(f"(?P<m{i}>{pattern_regex(patterns[i])})" for i in order)
        return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)

    def _words(self, text: str) -> list[str]:
        """Step 1 and 2: joined codebook phrases (as ``\x00``-marked tokens) and lower-cased words."""
        out = []
        position = 0
        matches = self._mwe_regex.finditer(text) if self._mwe_regex is not None else ()
        for match in matches:
            out += self._split(text[position:match.start()])
            pattern = self._mwe_patterns[int(match.lastgroup[1:])]
            out.append("\x00" + phrase_token(pattern, match.group(0)))
            position = match.end()
        out += self._split(text[position:])
        return out

    @staticmethod
    def _split(text: str) -> list[str]:
        return [POSSESSIVE.sub("", w) for w in WORD.findall(text.casefold())]

    def fit(self, texts) -> "Tokenizer":
        if self.phrases in ("gensim", "both"):
            sentences = [[w for w in self._words(t) if not w.startswith("\x00")] for t in texts]
            self.phrases_ = Phrases(
                sentences, min_count=self.phrase_min_count, threshold=self.phrase_threshold,
                scoring="npmi", connector_words=ENGLISH_CONNECTOR_WORDS | self._stop,
            ).freeze()
        return self

    def transform(self, texts) -> list[list[str]]:
        if self.phrases in ("gensim", "both") and self.phrases_ is None:
            raise ParameterError("phrases includes 'gensim': call fit() before transform()")
        return [self._tokens(text) for text in texts]

    def fit_transform(self, texts) -> list[list[str]]:
        texts = list(texts)
        return self.fit(texts).transform(texts)

    def _tokens(self, text: str) -> list[str]:
        words = self._words(text)
        if self.phrases_ is not None:
            words = self._apply_learned_phrases(words)
        normal = {"lemma": lemmatize, "stem": stem}.get(self.normalize)
        tokens = []
        for word in words:
            if word.startswith("\x00"):
                tokens.append(word[1:])
            elif "_" in word:
                tokens.append(word)
            elif len(word) >= self.min_length and word not in self._stop and lemmatize(word) not in self._stop:
                tokens.append(normal(word) if normal else word)
        return tokens

    def _apply_learned_phrases(self, words: list[str]) -> list[str]:
        """Apply gensim phrases within the runs of words between codebook phrases."""
        out, run = [], []
        for word in words + ["\x00"]:
            if word.startswith("\x00"):
                out += self.phrases_[run] if run else []
                if word != "\x00":
                    out.append(word)
                run = []
            else:
                run.append(word)
        return out
