import textwrap
from collections import Counter

import pytest

from analysis.io.codebook import codebook_from_dict, read_codebook
from analysis.errors import CodebookError
from conftest import DOC_2010, DOC_2015, DOC_2016, DOC_2023, DOC_2025

REQUIRED = {"cybercrime", "scam_compounds", "environmental_crime", "drug_trafficking", "human_trafficking",
            "migrant_smuggling", "terrorism", "money_laundering", "arms_trafficking", "corruption",
            "maritime_piracy", "organ_trafficking"}


def theme_counts(paras, codebook, doc_id):
    texts = paras.loc[paras["doc_id"] == doc_id, "text"]
    return Counter(m.theme for text in texts for m in codebook.find(text))


def test_default_codebook_has_the_study_themes(codebook):
    assert REQUIRED <= set(codebook.names)
    assert codebook.focus == ["cybercrime", "scam_compounds", "environmental_crime"]
    assert all(theme.include for theme in codebook.themes)


def one_theme(include, exclude=()):
    return codebook_from_dict({"themes": {"t": {"include": list(include), "exclude": list(exclude)}}})


def matched(codebook, text):
    return [text[m.start:m.end] for m in codebook.find(text)]


def test_pattern_syntax():
    book = one_theme(["cybercrime*", "cyber crime*", "illegal (logging|fishing)", "ICT"])
    text = "Cybercrimes, cyber-crime and cyber\ncrimes; illegal fishing, illegal mining; ICTs and ICT."
    assert matched(book, text) == ["Cybercrimes", "cyber-crime", "cyber\ncrimes", "illegal fishing", "ICT"]


def test_whole_words_only():
    assert matched(one_theme(["arms"]), "firearms and alarms; arms.") == ["arms"]


def test_longest_pattern_wins_and_matches_do_not_overlap():
    book = one_theme(["laundering", "money laundering"])
    found = book.find("anti-money-laundering authorities and money laundering")
    assert [m.pattern for m in found] == ["money laundering", "money laundering"]


def test_exclude_cancels_overlapping_matches(codebook):
    text = "the United Nations Office on Drugs and Crime (UNODC) and drug trafficking"
    assert [(m.theme, text[m.start:m.end]) for m in codebook.find(text)] == [("drug_trafficking", "drug")]


def test_environment_outside_a_crime_does_not_count(codebook, paras):
    assert not codebook["environmental_crime"].find("threats to infrastructure and environment")
    assert not codebook["environmental_crime"].find("the Wildlife Conservation Society")
    assert theme_counts(paras, codebook, DOC_2016)["environmental_crime"] == 0


def test_focus_theme_counts_on_the_seed_documents(paras, codebook):
    # Counted by hand in the texts: e.g. the 2025 report names crimes that affect the environment
    # in paragraphs 8, 9, 19 and recommendations (d), (e): 16 mentions ("crimes that affect the
    # environment" 7, "illegal fishing" 2, "illegal deforestation" 2, "illegal mining",
    # "illicit mining", "illegal logging", "illicit exploitation of natural resources",
    # "wildlife trafficking"); "such as waste product management" (para. 8) no longer counts on
    # its own since the codebook dropped that seed quote.
    assert theme_counts(paras, codebook, DOC_2025)["environmental_crime"] == 16
    assert theme_counts(paras, codebook, DOC_2025)["scam_compounds"] == 14
    assert theme_counts(paras, codebook, DOC_2023)["scam_compounds"] == 1  # "Casinos and Scam Operations"
    assert theme_counts(paras, codebook, DOC_2010)["cybercrime"] == 1      # "... trafficking in firearms, cybercrime and ..."
    assert theme_counts(paras, codebook, DOC_2016)["cybercrime"] == 1      # "... and cyber crimes, etc."
    assert theme_counts(paras, codebook, DOC_2015)["cybercrime"] == 0
    for doc_id in (DOC_2010, DOC_2015, DOC_2016, DOC_2023):
        assert theme_counts(paras, codebook, doc_id)["environmental_crime"] == 0


def test_the_index_kwic_holds_the_hand_counted_mentions(index):
    rows = index.kwic.groupby(["doc_id", "theme"]).size()
    count = lambda doc_id, theme: int(rows.get((doc_id, theme), 0))
    assert count(DOC_2025, "environmental_crime") == 16  # hand count above
    assert count(DOC_2025, "scam_compounds") == 14
    assert count(DOC_2023, "scam_compounds") == 1
    assert count(DOC_2010, "cybercrime") == 1
    assert count(DOC_2016, "cybercrime") == 1
    assert count(DOC_2015, "cybercrime") == 0
    assert [count(d, "environmental_crime") for d in (DOC_2010, DOC_2015, DOC_2016, DOC_2023)] == [0, 0, 0, 0]


def write(tmp_path, text):
    path = tmp_path / "themes.yml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.mark.parametrize("text, message", [
    ("""\
     themes:
       cyber:
         include: ["cybercrime*"]
         synonyms: ["x"]
     """, r"theme 'cyber': unknown key\(s\) synonyms"),
    ("""\
     themes:
       cyber:
         label: Cyber
     """, r"theme 'cyber': has no include terms"),
    ("""\
     themes:
       cyber:
         include: []
     """, r"theme 'cyber': has no include terms"),
    ("""\
     themes:
       env:
         include: ["illegal (logging|fishing"]
     """, r"theme 'env', include: pattern 'illegal \(logging\|fishing' has an unbalanced '\('"),
    ("""\
     themes:
       env:
         include: ["illegal logging)"]
     """, r"theme 'env'.*unbalanced or empty '\)'"),
    ("""\
     themes:
       cyber:
         include: ["cybercrime*"]
       cyber:
         include: ["hacking"]
     """, r"line 4: 'cyber' is given twice"),
    ("""\
     themes:
       cyber:
         include: "cybercrime*"
     """, r"theme 'cyber', include: expected a list of patterns"),
    ("""\
     themes:
       cyber:
         include: ["cyber?crime"]
     """, r"theme 'cyber'.*uses '\?'"),
    ("""\
     themes:
       cyber:
         include: ["*crime"]
     """, r"theme 'cyber'.*'\*' that does not end a word"),
    ("""\
     themes:
       cyber:
         include: ["cybercrime"]
         group: main
     """, r"theme 'cyber': group 'main' is not one of focus, baseline"),
    ("""\
     themes:
       cyber:
         include: ["cybercrime"]
     thmes: {}
     """, r"unknown top-level key\(s\) thmes"),
    ("themes: [cybercrime]\n", r"'themes' must map theme names"),
    ("themes:\n  Cyber Crime:\n    include: [x]\n", r"theme 'Cyber Crime': a theme name must be"),
])
def test_malformed_codebook_names_the_theme(tmp_path, text, message):
    path = write(tmp_path, text)
    before = path.read_bytes()
    with pytest.raises(CodebookError, match=message):
        read_codebook(path)
    assert path.read_bytes() == before


def test_missing_codebook_file(tmp_path):
    with pytest.raises(CodebookError, match="no such codebook"):
        read_codebook(tmp_path / "none.yml")


def test_matching_a_document_at_once_equals_matching_each_paragraph(paras, codebook):
    for _, part in paras.groupby("doc_id"):
        texts = part["text"].tolist()
        assert codebook.find_all(texts) == [codebook.find_all([text])[0] for text in texts]


def test_a_phrase_never_spans_two_paragraphs(codebook):
    assert codebook.find_all(["money", "laundering of funds"]) == [[], [
        m for m in codebook.find_all(["laundering of funds"])[0]]]
    assert [m.pattern for m in codebook.find_all(["money", "laundering of funds"])[1]] == ["laundering"]


def test_patterns_digest_follows_the_patterns_only():
    from analysis.io.codebook import codebook_from_dict

    base = {"themes": {"cyber": {"label": "Cybercrime", "description": "Crimes online.", "include": ["cybercrime*"]}}}
    relabelled = {"written_from": ["doc_a"], "themes": {"cyber": {"label": "Cyber", "description": "Other words.",
                                                                   "include": ["cybercrime*"]}}}
    widened = {"themes": {"cyber": {"label": "Cybercrime", "include": ["cybercrime*", "hacking"]}}}
    digests = [codebook_from_dict(data).patterns_digest for data in (base, relabelled, widened)]
    assert digests[0] == digests[1] != digests[2]
    assert codebook_from_dict(relabelled).written_from == ("doc_a",)
    with pytest.raises(CodebookError, match="written_from"):
        codebook_from_dict({**base, "written_from": "doc_a"})
