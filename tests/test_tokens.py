import pandas as pd
import pytest

from analysis.errors import ParameterError
from analysis.index.build import build_index
from analysis.text.patterns import count_words
from analysis.text.tokens import Tokenizer, domain_stopwords, lemmatize


def test_lemmas_are_readable_words():
    assert [lemmatize(w) for w in ["crimes", "cybercrimes", "women", "trafficking", "organized", "icts", "cross-borders"]] == \
        ["crime", "cybercrime", "woman", "trafficking", "organized", "ict", "cross-border"]


def codebook_tokenizer(codebook, **params):
    return Tokenizer(codebook_phrases=codebook.multiword_patterns(), phrases="codebook", **params).fit()


def test_codebook_phrases_become_single_tokens(codebook):
    tokens = codebook_tokenizer(codebook).transform(
        ["Victims trafficked into online scam compounds; trafficking in persons and money-laundering."])[0]
    assert "scam_compound" in tokens
    assert "trafficking_in_persons" in tokens
    assert "money_laundering" in tokens


def test_stop_words_general_and_procedural(codebook):
    text = "Recalling its resolutions, the Assembly urges Member States to counter serious crime in the UN system."
    with_domain = codebook_tokenizer(codebook).transform([text])[0]
    assert with_domain == ["assembly", "state", "counter", "serious", "crime", "un", "system"]
    without_domain = codebook_tokenizer(codebook, domain_stopwords=False).transform([text])[0]
    assert {"recalling", "resolution", "urge", "member"} <= set(without_domain)
    assert {"recall", "urge", "member", "resolution"} <= domain_stopwords()


def test_normalisation_choices(codebook):
    text = ["Transnational crimes and cybercrimes"]
    assert Tokenizer(phrases="none", normalize="none").fit().transform(text) == [["transnational", "crimes", "cybercrimes"]]
    assert Tokenizer(phrases="none", normalize="stem").fit().transform(text) == [["transnat", "crime", "cybercrim"]]
    assert Tokenizer(phrases="none").fit().transform(text) == [["transnational", "crime", "cybercrime"]]


def test_learned_phrases_on_the_corpus(paras, codebook, index):
    tokenizer = Tokenizer(codebook_phrases=codebook.multiword_patterns())  # defaults: codebook and gensim phrases
    tokens = tokenizer.fit_transform(paras["text"])
    vocabulary = {t for doc in tokens for t in doc}
    assert {"law_enforcement", "united_nations", "human_rights"} <= vocabulary
    assert not any(t.startswith(("such_", "as_")) or t.endswith("_that") for t in vocabulary)
    # the index learns the same collocations from the same paragraphs
    assert dict(tokenizer.phrases_.phrasegrams) == dict(index.phrases.phrasegrams)
    assert set(index.dfm("document", index.tokenizer()).features) == vocabulary


def test_own_stopword_file(tmp_path, codebook):
    words = tmp_path / "stop.txt"
    words.write_text("# mine\ncrime\n", encoding="utf-8")
    assert Tokenizer(phrases="none", domain_stopwords=words).fit().transform(["crime and punishment"]) == [["punishment"]]


@pytest.mark.parametrize("kwargs, message", [
    ({"normalize": "lemmas"}, "normalize='lemmas'"),
    ({"phrases": "spacy"}, "phrases='spacy'"),
    ({"phrases": "none", "min_length": 0}, "min_length=0"),
    ({"phrases": "none", "domain_stopwords": "/no/such/list.txt"}, "domain_stopwords='/no/such/list.txt'"),
    ({"phrases": "none", "phrase_threshold": 2}, "phrase_threshold=2"),
    ({"phrases": "none", "codebook_phrases": "money laundering"}, "codebook_phrases='money laundering'"),
])
def test_bad_options_name_the_parameter(kwargs, message):
    tokenizer = Tokenizer(**kwargs)  # scikit-learn style: the constructor only stores
    with pytest.raises(ParameterError, match=message):
        tokenizer.fit()


def test_transform_before_fit_with_learned_phrases(codebook):
    with pytest.raises(ParameterError, match="call fit"):
        Tokenizer(codebook_phrases=codebook.multiword_patterns()).transform(["text"])


def test_learned_phrases_never_join_two_paragraphs(index, codebook):
    tokenizer = index.tokenizer()
    assert "law_enforcement" in tokenizer.transform(["law enforcement"])[0]
    assert tokenizer.transform(["the law", "enforcement"]) == [["law"], ["enforcement"]]
    # in the index each paragraph is its own text: a paragraph ending in "law" followed by one
    # starting with "Enforcement" gives no "law_enforcement"
    corpus = pd.DataFrame({"doc_id": ["a", "b"], "date": ["2000", "2001"], "year": [2000, 2001],
                           "text": ["Law enforcement cooperation.\n\nLaw enforcement agencies.\n\n"
                                    "Law enforcement training.\n\nLaw enforcement units.\n\nLaw enforcement.",
                                    "We uphold the law\n\nEnforcement of judgments matters."]})
    small = build_index(corpus, codebook, phrase_min_count=3)
    assert "law_enforcement" in small.tokenizer().transform(["law enforcement"])[0]
    x = small.dfm("paragraph", small.tokenizer(stopwords=False, domain_stopwords=False))
    last_two = [dict(zip(x.features[x.matrix[i].indices], x.matrix[i].data)) for i in (x.shape[0] - 2, x.shape[0] - 1)]
    assert last_two == [{"we": 1, "uphold": 1, "the": 1, "law": 1}, {"enforcement": 1, "of": 1, "judgment": 1,
                                                                     "matter": 1}]


@pytest.mark.parametrize("phrases", ["codebook", "none"])
def test_stored_item_counts_give_the_token_sequence(codebook, phrases):
    """The index stores items as counts (words, codebook-phrase change); mapped through
    token_of they must count exactly the tokens of the ordered token sequence."""
    from collections import Counter

    texts = ["Anti-money-laundering and money laundering; trafficking-in-persons trafficking in persons.",
             "State’s drug trafficking, human-trafficking networks and cyber-crime.",
             "The State’s money-\nlaundering and money\nlaundering; cyber crimes, cyber-crimes."]
    corpus = pd.DataFrame({"doc_id": ["a", "b", "c"], "date": ["2000", "2001", "2002"], "year": [2000, 2001, 2002],
                           "text": texts})
    small = build_index(corpus, codebook, learn_phrases=False)
    tokenizer = small.tokenizer(phrases=phrases)
    x = small.dfm("paragraph", tokenizer)
    for row, text in enumerate(small.paragraphs["text"]):
        counted = dict(zip(x.features[x.matrix[row].indices], x.matrix[row].data))
        assert counted == dict(Counter(tokenizer.transform([text])[0])), text[:60]
        assert small.paragraphs["word_tokens"].iloc[row] == count_words(text)


def test_lemmas_are_lower_case_even_for_names():
    assert Tokenizer(phrases="none").fit().transform(["Asia and the Pacific"])[0] == ["asia", "pacific"]


def test_general_stopwords_are_scikit_learns_without_importing_it():
    """The list is read from scikit-learn's own file, so a worker process does not pay for
    importing scikit-learn; it must stay scikit-learn's list minus the documented exceptions."""
    import subprocess
    import sys

    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from analysis.text.tokens import GENERAL_STOPWORD_EXCEPTIONS, general_stopwords

    assert general_stopwords() == frozenset(ENGLISH_STOP_WORDS - GENERAL_STOPWORD_EXCEPTIONS)
    probe = ("import sys; from analysis.text.tokens import general_stopwords; words = general_stopwords(); "
             "print(len(words), 'sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert out == [str(len(general_stopwords())), "False"]
