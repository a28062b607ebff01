import pytest

from analysis.errors import ParameterError
from analysis.text.tokens import Tokenizer, domain_stopwords, lemmatize


def test_lemmas_are_readable_words():
    assert [lemmatize(w) for w in ["crimes", "cybercrimes", "women", "trafficking", "organized", "icts", "cross-borders"]] == \
        ["crime", "cybercrime", "woman", "trafficking", "organized", "ict", "cross-border"]


def test_codebook_phrases_become_single_tokens(codebook):
    tokens = Tokenizer(codebook=codebook, phrases="codebook").transform(
        ["Victims trafficked into online scam compounds; trafficking in persons and money-laundering."])[0]
    assert "scam_compound" in tokens
    assert "trafficking_in_persons" in tokens
    assert "money_laundering" in tokens


def test_stop_words_general_and_procedural(codebook):
    text = "Recalling its resolutions, the Assembly urges Member States to counter serious crime in the UN system."
    with_domain = Tokenizer(codebook=codebook, phrases="codebook").transform([text])[0]
    assert with_domain == ["assembly", "state", "counter", "serious", "crime", "un", "system"]
    without_domain = Tokenizer(codebook=codebook, phrases="codebook", domain_stopwords=False).transform([text])[0]
    assert {"recalling", "resolution", "urge", "member"} <= set(without_domain)
    assert {"recall", "urge", "member", "resolution"} <= domain_stopwords()


def test_normalisation_choices(codebook):
    text = ["Transnational crimes and cybercrimes"]
    assert Tokenizer(phrases="none", normalize="none").transform(text) == [["transnational", "crimes", "cybercrimes"]]
    assert Tokenizer(phrases="none", normalize="stem").transform(text) == [["transnat", "crime", "cybercrim"]]
    assert Tokenizer(phrases="none").transform(text) == [["transnational", "crime", "cybercrime"]]


def test_learned_phrases_on_the_corpus(paras, codebook):
    tokenizer = Tokenizer(codebook=codebook)  # defaults: codebook and gensim phrases
    tokens = tokenizer.fit_transform(paras["text"])
    vocabulary = {t for doc in tokens for t in doc}
    assert {"law_enforcement", "united_nations", "human_rights"} <= vocabulary
    assert not any(t.startswith(("such_", "as_")) or t.endswith("_that") for t in vocabulary)


def test_own_stopword_file(tmp_path, codebook):
    words = tmp_path / "stop.txt"
    words.write_text("# mine\ncrime\n", encoding="utf-8")
    assert Tokenizer(phrases="none", domain_stopwords=words).transform(["crime and punishment"]) == [["punishment"]]


@pytest.mark.parametrize("kwargs, message", [
    ({"normalize": "lemmas"}, "normalize='lemmas'"),
    ({"phrases": "spacy"}, "phrases='spacy'"),
    ({"phrases": "codebook"}, "needs a codebook"),
    ({"phrases": "none", "min_length": 0}, "min_length=0"),
    ({"phrases": "none", "domain_stopwords": "/no/such/list.txt"}, "domain_stopwords='/no/such/list.txt'"),
])
def test_bad_options_name_the_parameter(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        Tokenizer(**kwargs)


def test_transform_before_fit_with_learned_phrases(codebook):
    with pytest.raises(ParameterError, match="call fit"):
        Tokenizer(codebook=codebook).transform(["text"])


def test_learned_phrases_never_join_two_paragraphs(paras, codebook):
    tokenizer = Tokenizer(codebook=codebook).fit(paras["text"])
    assert "law_enforcement" in tokenizer.transform(["law enforcement"])[0]
    assert tokenizer.transform(["the law\x00enforcement"])[0] == ["law", "enforcement"]


@pytest.mark.parametrize("phrases", ["codebook", "none"])
def test_weighted_words_count_the_token_sequence(paras, codebook, phrases):
    from collections import Counter

    tokenizer = Tokenizer(codebook=codebook, phrases=phrases)
    texts = paras["text"].tolist() + [
        "Anti-money-laundering and money laundering; trafficking-in-persons trafficking in persons.",
        "State’s drug trafficking, human-trafficking networks and cyber-crime."]
    for text in texts:
        tokens, n_words = tokenizer.tokenize(text)
        items, weights, n = tokenizer.weighted_words(text)
        counted = Counter()
        for item, weight in zip(items, weights or [1] * len(items)):
            if tokenizer.token_of(item):
                counted[tokenizer.token_of(item)] += weight
        assert (+counted, n) == (Counter(tokens), n_words), text[:60]


def test_lemmas_are_lower_case_even_for_names():
    from analysis.text.tokens import Tokenizer

    assert Tokenizer(phrases="none").tokenize("Asia and the Pacific")[0] == ["asia", "pacific"]
