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

from ..text.codebook import PARAGRAPH_SEPARATOR, Codebook, vocabulary_of
from ..text.patterns import WORD, WORD_GAP, PatternSet, words_of
from ..errors import ParameterError

POSSESSIVE = re.compile(r"['’]s$")
NORMALIZATIONS = ("lemma", "stem", "none")
PHRASE_SOURCES = ("codebook", "gensim", "both", "none")
# Content words in scikit-learn's general list that this field's texts use as content
# ("UN", "serious crime", "criminal justice system", "in the interest of", "ceasefire").
GENERAL_STOPWORD_EXCEPTIONS = frozenset(
    "un system serious interest fire bill computer amount detail part full found front side top bottom empty".split()
)


@lru_cache(maxsize=None)
def general_stopwords() -> frozenset[str]:
    """scikit-learn's English list minus :data:`GENERAL_STOPWORD_EXCEPTIONS`. Imported on first
    use: importing scikit-learn takes over a second, which every worker process would pay."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS - GENERAL_STOPWORD_EXCEPTIONS)


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
    words = re.split(WORD_GAP, matched.lower())
    if pattern.endswith("*"):
        words[-1] = lemmatize(words[-1])
    return "_".join(words)


def _cuts_a_word(lower: str, start: int, end: int) -> bool:
    """Does a match at ``lower[start:end]`` begin or end inside a hyphenated word?"""
    joiners = "-'’"
    before = start >= 2 and lower[start - 1] in joiners and lower[start - 2].isalpha()
    after = end + 1 < len(lower) and lower[end] in joiners and lower[end + 1].isalpha()
    return before or after


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
        self._phrase_set = (PatternSet(codebook.multiword_patterns())
                            if phrases in ("codebook", "both") and codebook.multiword_patterns() else None)
        self._stop = self._stop_set()
        self._normal = {"lemma": lemmatize, "stem": stem}.get(normalize)
        self._cache: dict[str, str] = {}

    @property
    def learns_phrases(self) -> bool:
        """Whether :meth:`fit` must see the texts before :meth:`transform` (gensim phrases)."""
        return self.phrases in ("gensim", "both")

    def get_params(self) -> dict:
        return {
            "normalize": self.normalize, "stopwords": self.stopwords,
            "domain_stopwords": str(self.domain_stopwords) if isinstance(self.domain_stopwords, Path)
            else self.domain_stopwords,
            "phrases": self.phrases, "min_length": self.min_length,
            "phrase_min_count": self.phrase_min_count, "phrase_threshold": self.phrase_threshold,
        }

    def _stop_set(self) -> frozenset[str]:
        stop = set(general_stopwords()) if self.stopwords else set()
        if self.domain_stopwords is True:
            stop |= domain_stopwords()
        elif self.domain_stopwords:
            path = Path(self.domain_stopwords)
            if not path.is_file():
                raise ParameterError(f"domain_stopwords={str(path)!r}: no such word list")
            stop |= read_wordlist(path)
        return frozenset(stop)

    def _phrase_spans(self, text: str, lower: str, vocabulary: set[str] | None) -> list:
        """Where the codebook's multiword patterns match ``text`` (``lower`` is its lower case)."""
        if self._phrase_set is None:
            return []
        vocabulary = vocabulary_of(lower) if vocabulary is None else vocabulary
        return self._phrase_set.find(text, self._phrase_set.present_anchors(vocabulary), lower)

    def _phrase_item(self, text: str, span) -> str:
        return "\x00" + phrase_token(self._phrase_set.patterns[span.pattern], text[span.start:span.end])

    def _words(self, text: str, vocabulary: set[str] | None = None, words: list[str] | None = None,
               lower: str | None = None) -> tuple[list[str], int]:
        """Steps 1 and 2: lower-cased words in order, each codebook phrase as one ``\x00``-marked
        word (possessives are stripped later, per distinct word, in :meth:`_token`), and the
        number of word tokens of ``text`` (as ``count_words`` counts them).

        With learned phrases, paragraphs joined by ``\x00`` are kept apart by a ``\x00`` marker
        word, so that no phrase joins the last word of one paragraph to the first of the next.
        ``vocabulary`` (:func:`~analysis.codebook.vocabulary_of` the lower-cased text), ``words``
        (its :data:`~analysis.patterns.WORD` matches) and ``lower`` save scans when known.
        """
        if self.phrases_ is not None and PARAGRAPH_SEPARATOR in text:
            out, n_words = [], 0
            for part in text.split(PARAGRAPH_SEPARATOR):
                part_words, n = self._words(part)
                out += part_words + [PARAGRAPH_SEPARATOR]
                n_words += n
            return out[:-1], n_words
        lower = text.lower() if lower is None else lower
        words = words_of(lower) if words is None else words
        spans = self._phrase_spans(text, lower, vocabulary)
        if not spans:
            return words, len(words)
        out, position = [], 0
        for span in spans:
            out += WORD.findall(lower[position:span.start])
            out.append(self._phrase_item(text, span))
            position = span.end
        return out + WORD.findall(lower[position:]), len(words)

    def _ordered_items(self, text: str, vocabulary=None, words=None, lower=None) -> tuple[list[str], int]:
        """:meth:`_words` with the learned phrases joined: the items :meth:`tokenize` normalises."""
        items, n_words = self._words(text, vocabulary, words, lower)
        if self.phrases_ is not None:
            items = self._apply_learned_phrases([POSSESSIVE.sub("", w) for w in items])
        return items, n_words

    def fit(self, texts) -> "Tokenizer":
        if self.learns_phrases:
            from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, Phrases  # slow to import; only fit needs it

            sentences = [[POSSESSIVE.sub("", w) for w in self._words(t)[0] if not w.startswith("\x00")] for t in texts]
            self.phrases_ = Phrases(
                sentences, min_count=self.phrase_min_count, threshold=self.phrase_threshold,
                scoring="npmi", connector_words=ENGLISH_CONNECTOR_WORDS | self._stop,
            ).freeze()
        return self

    def transform(self, texts) -> list[list[str]]:
        if self.learns_phrases and self.phrases_ is None:
            raise ParameterError("phrases includes 'gensim': call fit() before transform()")
        return [self.tokenize(text)[0] for text in texts]

    def fit_transform(self, texts) -> list[list[str]]:
        texts = list(texts)
        return self.fit(texts).transform(texts)

    def tokenize(self, text: str, vocabulary: set[str] | None = None,
                 words: list[str] | None = None) -> tuple[list[str], int]:
        """The tokens of one text, and its number of word tokens, in one pass.

        ``vocabulary`` and ``words`` (see :meth:`_words`) save scans when the caller has them
        already.
        """
        items, n_words = self._ordered_items(text, vocabulary, words)
        for item in set(items).difference(self._cache):
            self._cache[item] = self._token(item)
        return [token for token in map(self._cache.__getitem__, items) if token], n_words

    def weighted_words(self, text: str, vocabulary: set[str] | None = None, words: list[str] | None = None,
                       lower: str | None = None) -> tuple[list[str], list[int] | None, int]:
        """The text as items to count before normalisation: ``(items, weights, n_words)``.

        Adding up each item's weight under its token (:meth:`token_of`) gives
        ``Counter(tokenize(text)[0])``; ``weights`` None means every weight is 1. Without learned
        phrases the items are the words of the whole text (counted once), minus the words inside
        codebook phrases (weight -1), plus the phrases; where a phrase boundary cuts a hyphenated
        word ("anti-|money laundering") that would not be exact, and the items are the words in
        order as :meth:`tokenize` sees them. ``vocabulary``, ``words`` and ``lower`` as in
        :meth:`_words`.
        """
        if self.phrases_ is not None:  # learned phrases depend on the word order
            items, n_words = self._ordered_items(text, vocabulary, words, lower)
            return items, None, n_words
        lower = text.lower() if lower is None else lower
        words = words_of(lower) if words is None else words
        spans = self._phrase_spans(text, lower, vocabulary)
        if not spans:
            return words, None, len(words)
        if any(_cuts_a_word(lower, span.start, span.end) for span in spans):
            items, n_words = self._words(text, vocabulary, words, lower)
            return items, None, n_words
        removed = [w for span in spans for w in WORD.findall(lower[span.start:span.end])]
        phrases = [self._phrase_item(text, span) for span in spans]
        return words + removed + phrases, [1] * len(words) + [-1] * len(removed) + [1] * len(phrases), len(words)

    def token_of(self, item: str) -> str:
        """The token an item of :meth:`weighted_words` counts as ("" when it is dropped)."""
        token = self._cache.get(item)
        if token is None:
            token = self._cache[item] = self._token(item)
        return token

    def _token(self, word: str) -> str:
        """Steps 4 and 5 for one distinct word: its token, or "" when it is dropped."""
        if word.startswith("\x00"):
            return word[1:]
        if "_" in word:
            return word
        word = POSSESSIVE.sub("", word)
        if len(word) < self.min_length or word in self._stop or lemmatize(word) in self._stop:
            return ""
        return self._normal(word) if self._normal else word

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
