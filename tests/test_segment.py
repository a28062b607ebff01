from analysis.text.clean import clean_text
from analysis.text.segment import segment_text
from conftest import DOC_2010, DOC_2015, DOC_2016, DOC_2023, DOC_2025

# Established by reading each document (see the README, "Segmentation"):
# (heading, preamble, operative, body) paragraphs.
EXPECTED_KINDS = {
    DOC_2010: (3, 6, 17, 1),   # title lines; (1)-(6); 1.-17.; "The 122nd Assembly ...,"
    DOC_2015: (4, 12, 21, 0),  # title, meeting, date, sponsor; 12 clauses; 1.-21.
    DOC_2016: (1, 7, 12, 1),   # title; Condemning ... Calling; - 1. to - 12.; "In recent years"
    DOC_2023: (5, 18, 22, 1),  # 4 header lines + "RESOLVE TO:"; 18 clauses; 1.-22.; "We, the parliamentarians"
    DOC_2025: (13, 0, 13, 21),  # header block and section titles; (a)-(m); numbered report paragraphs
}


def test_paragraph_counts_and_kinds_per_document(paras, index):
    counts = paras.groupby(["doc_id", "kind"]).size().unstack(fill_value=0).reindex(
        columns=["heading", "preamble", "operative", "body"], fill_value=0)
    for doc_id, expected in EXPECTED_KINDS.items():
        assert tuple(counts.loc[doc_id, ["heading", "preamble", "operative", "body"]]) == expected, doc_id
    assert len(paras) == 27 + 37 + 21 + 46 + 47
    assert index.documents.set_index("doc_id")["paragraphs"].to_dict() == {
        DOC_2010: 27, DOC_2015: 37, DOC_2016: 21, DOC_2023: 46, DOC_2025: 47}
    assert paras["position"].tolist() == [n for count in (27, 37, 21, 46, 47) for n in range(1, count + 1)]


def test_paragraph_ids_are_stable_and_unique(paras):
    assert paras["paragraph_id"].is_unique
    first = paras[paras["doc_id"] == DOC_2010].iloc[4]
    assert first["paragraph_id"] == f"{DOC_2010}:p05"
    assert (first["label"], first["kind"]) == ("(1)", "preamble")
    assert first["text"].startswith("Cognizant of the fact that while globalization")


def test_operative_numbers_run_in_order(paras):
    operative = paras[(paras["doc_id"] == DOC_2023) & (paras["kind"] == "operative")]
    assert list(operative["label"]) == [f"{n}." for n in range(1, 23)]
    arf = paras[(paras["doc_id"] == DOC_2016) & (paras["kind"] == "operative")]
    assert list(arf["label"]) == [f"- {n}." for n in range(1, 13)]
    assert "issuing travel documents" in arf.iloc[6]["text"]


def test_report_paragraphs_and_recommendations(paras):
    report = paras[paras["doc_id"] == DOC_2025].set_index("label")
    assert report.loc["20.", "kind"] == "body"
    assert report.loc["20.", "text"].endswith("were identified:")
    assert report.loc["(a)", "kind"] == "operative"
    assert report.loc["(m)", "text"].startswith("Take decisive actions")
    assert report.loc["6.", "kind"] == "body"  # opens with "Noting" but is a numbered report paragraph
    headings = paras[(paras["doc_id"] == DOC_2025) & (paras["kind"] == "heading")]["text"].tolist()
    assert "Summary of deliberations" in headings and "Outcome of deliberations" in headings


def test_enumerator_on_its_own_line_joins_the_next_line():
    segments = segment_text(clean_text("(1)\nAware that crime evolves,\n\n1.\nUrges States to act;"))
    assert [(s.label, s.kind, s.text) for s in segments] == [
        ("(1)", "preamble", "Aware that crime evolves,"), ("1.", "operative", "Urges States to act;")]


def test_unstructured_speech_is_body_text():
    segments = segment_text("Mr. President, I congratulate you.\nWe face many threats, among them cybercrime.")
    assert [s.kind for s in segments] == ["body", "body"]


def test_ids_pad_to_the_paragraph_count():
    import pandas as pd

    from analysis.index.build import build_index
    from analysis.io.codebook import codebook_from_dict

    corpus = pd.DataFrame({"doc_id": ["long", "short"], "date": ["2000", "2001"], "year": [2000, 2001],
                           "text": ["\n".join(f"Sentence {i}." for i in range(120)), "One.\nTwo."]})
    book = codebook_from_dict({"themes": {"t": {"include": ["sentence"]}}})
    ids = build_index(corpus, book, learn_phrases=False).paragraphs["paragraph_id"]
    assert ids.iloc[0] == "long:p001" and ids.iloc[119] == "long:p120"
    assert ids.iloc[120:].tolist() == ["short:p01", "short:p02"]
