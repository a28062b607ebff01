"""The anchor-based matcher must give exactly what one case-insensitive regex alternation gives."""

import pytest

from analysis.text.patterns import PatternSet, anchors


def reference(patterns: PatternSet, text: str):
    return [(int(m.lastgroup[1:]), m.start(), m.end()) for m in patterns.regex.finditer(text)]


def fast(patterns: PatternSet, text: str):
    return [(s.pattern, s.start, s.end) for s in patterns.find(text)]


def test_anchors_and_whether_they_are_whole_words():
    assert anchors("cybercrime*") == {"cybercrime": False}
    assert anchors("(illegal|illicit) (logging|fishing)") == {"illegal": True, "illicit": True}
    assert anchors("(modern|modernday|modern day) slavery") == {"modern": True, "modernday": True}
    assert anchors("ICT* for criminal purposes") == {"ict": False}
    assert anchors("money-laundering") == {"money": True}
    assert anchors("scam (centre|center)*") == {"scam": True}


TRICKY = [
    "anti-money-laundering, counter-terrorism, cyber-related threats; drugs-trafficking",
    "Anti-money-laundering rules; MONEY   LAUNDERING and money-\nlaundering.",
    "firearms, arms, alarms and Arms Trafficking; illegal arms sales",
    "Cybercrimes, cyber-crime, cyber\ncrimes, cybercrime-related, cyber crime.",
    "modernday slavery, modern day slavery, modern-day slavery, modern slavery",
    "illegal, illicit logging; illegal fishing; illicit  mining",
    "trafficking in persons and trafficking in human organs and trafficking in organs",
    "drugs, Drug-related, UNODC: Office on Drugs and Crimes; drugstore",
]


def test_same_matches_as_the_regex_on_the_codebook(codebook, paras):
    texts = TRICKY + paras["text"].tolist()
    for theme in codebook.themes:
        for patterns in filter(None, (theme.includes, theme.excludes)):
            for text in texts:
                assert fast(patterns, text) == reference(patterns, text), (theme.name, text[:80])


def test_same_matches_for_overlapping_and_nested_patterns():
    patterns = PatternSet(["trafficking", "trafficking in persons", "persons", "in persons for forced criminality",
                           "scam*", "scam compound*", "online scam*", "(online|cyber) (fraud|scam*)"])
    text = ("trafficking in persons for forced criminality in online scam compounds, cyber scams, "
            "scampi, online frauds and Online Scam Compounds")
    assert fast(patterns, text) == reference(patterns, text)
    # Worked by hand: leftmost match first, then the longest pattern string; scanning resumes
    # after a match, so "scam compounds" inside "online scam compounds" is not matched again;
    # "online frauds" fails because "fraud" has no wildcard.
    assert [patterns.patterns[i] for i, _, _ in fast(patterns, text)] == [
        "trafficking in persons", "(online|cyber) (fraud|scam*)", "(online|cyber) (fraud|scam*)", "scam*",
        "(online|cyber) (fraud|scam*)"]


@pytest.mark.parametrize("text", ["İstanbul drug trafficking", "ǅ drugs"])
def test_texts_whose_lower_case_changes_length_use_the_regex(text):
    patterns = PatternSet(["drug*", "drug trafficking"])
    assert fast(patterns, text) == reference(patterns, text)


def test_fast_word_split_equals_the_word_regex(paras):
    from analysis.text.patterns import WORD, words_of

    texts = [t.lower() for t in paras["text"]] + ["côte d’ivoire’s state-of-the-art", "plain ascii – with dashes’"]
    for text in texts:
        assert words_of(text) == WORD.findall(text)


def test_ordinal_suffixes_are_not_words():
    from analysis.text.patterns import ASCII_WORD, WORD

    text = "the 31st meeting, APPF31 and the 2nd Asia-Pacific forum"
    assert WORD.findall(text) == ["the", "meeting", "APPF", "and", "the", "Asia-Pacific", "forum"]
    assert ASCII_WORD.findall(text.lower()) == [w.lower() for w in WORD.findall(text)]


@pytest.mark.parametrize("text", ["m² of forest", "x²st and 3rd", "naïve cross-border 2nd", "plain 31st text_x"])
def test_fast_word_path_equals_the_unicode_definition(text):
    from analysis.text.patterns import WORD, words_of

    assert words_of(text.lower()) == WORD.findall(text.lower())
