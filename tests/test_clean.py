import re

import pytest

from analysis.text.clean import clean_text, remove_download_footer, remove_emphasis, remove_repeated_title
from analysis.text.patterns import WORD, count_words
from conftest import DOC_2010, DOC_2015, DOC_2016, DOC_2023, DOC_2025, raw_text

ALL = [DOC_2010, DOC_2015, DOC_2016, DOC_2023, DOC_2025]


@pytest.mark.parametrize("doc_id", ALL)
def test_no_blank_runs_no_emphasis_and_idempotent(doc_id):
    cleaned = clean_text(raw_text(doc_id))
    assert "\n\n\n" not in cleaned
    assert "*" not in cleaned
    assert cleaned == cleaned.strip()
    assert clean_text(cleaned) == cleaned


@pytest.mark.parametrize("doc_id", [DOC_2010, DOC_2016, DOC_2023, DOC_2025])
def test_prose_intact_every_word_kept_in_order(doc_id):
    # These documents lose only markup and line breaks: the word sequence must not change.
    raw = raw_text(doc_id)
    assert WORD.findall(clean_text(raw)) == WORD.findall(raw)


def test_2015_title_copies_and_download_footer_removed():
    raw = raw_text(DOC_2015)
    cleaned = clean_text(raw)
    title = "Resolution on Combating Human Trafficking"
    assert raw.count(title) == 3 and cleaned.count(title) == 1
    assert cleaned.startswith(title)
    assert "KB" not in cleaned and "file(s)" not in cleaned
    assert cleaned.endswith("21. Call on APPF Member States to take all possible measures to combat modernday slavery.")
    # the prose keeps every other word, in order: raw words minus two title copies and the footer
    removed = 2 * len(WORD.findall(title)) + len(WORD.findall("157.21 KB 1 file(s)"))
    assert count_words(cleaned) == count_words(raw) - removed


def test_markdown_bold_markers_removed_words_kept():
    cleaned = clean_text(raw_text(DOC_2023))
    assert "and desiring to further enhance such regional cooperation" in cleaned
    assert "strongly criticizing the illegal and unethical acts" in cleaned
    assert "1. Affirm the importance of human rights" in cleaned
    assert "II. Recommendations (continued)" in clean_text(raw_text(DOC_2025))


@pytest.mark.parametrize("doc_id, joined", [
    (DOC_2016, "in charge of issuing travel documents and frontier inspection agencies"),
    (DOC_2023, "legal conventions on terrorism and transnational organized crime to effectively close"),
    (DOC_2025, "combat alongside with international terrorist groups"),
    (DOC_2025, "to erase traces. The recent adoption of the Convention against Cybercrime"),
    (DOC_2025, "conventions and increase international cooperation to counter clandestine labs"),
    (DOC_2015, "supplementing the United Nations Convention against Transnational Organized Crime;"),
    (DOC_2015, "corruption and discrimination – also make people vulnerable"),
])
def test_sentences_split_by_page_and_line_breaks_are_rejoined(doc_id, joined):
    assert joined in clean_text(raw_text(doc_id))


def test_clause_boundaries_are_not_joined():
    cleaned_2023 = clean_text(raw_text(DOC_2023))
    assert re.search(r"spillover to others; and\n+22\. Recognize", cleaned_2023)
    cleaned_2015 = clean_text(raw_text(DOC_2015))
    assert "akin to slavery;\nTaking note that human trafficking" in cleaned_2015
    assert "23rd Annual Meeting of the Asia-Pacific Parliamentary Forum\n14 January 2015" in cleaned_2015


def test_in_line_hyphens_kept():
    cleaned = clean_text(raw_text(DOC_2025))
    assert "gender- and child-responsive" in cleaned
    assert "cross-border" in clean_text(raw_text(DOC_2010))


def test_word_hyphenated_across_a_line_break_is_rejoined():
    text = "Measures against traffick-\ning in persons and cyber-\n\n\ncrime.\nCross-\nBorder stays."
    assert clean_text(text) == "Measures against trafficking in persons and cybercrime.\nCross-\nBorder stays."


def test_title_copy_with_other_spacing_and_case_is_removed():
    text = "Resolution on Combating  Crime\n\nBody of the text.\n\nRESOLUTION ON COMBATING CRIME"
    assert clean_text(text) == "Resolution on Combating  Crime\n\nBody of the text."


def test_title_copies_only_near_the_top_and_on_the_last_line():
    lines = ["  Title of it", "", "body one", "TITLE  OF IT"] + [f"line {n}" for n in range(2, 9)] + ["title of it", "end"]
    # the copy on the 4th line is among the first 10 non-blank lines; the one on the 12th is not
    assert remove_repeated_title("\n".join(lines)) == "\n".join(lines[:3] + lines[4:])
    # ... and a copy on the last non-blank line goes, however far down
    assert remove_repeated_title("\n".join(lines + ["Title of  it", " "])) == "\n".join(lines[:3] + lines[4:] + [" "])
    assert remove_repeated_title("Straße\nbody\nSTRASSE") == "Straße\nbody"  # compared case-folded
    for unchanged in ("", " \n\t\n", "Only one line", "Title\nTitled\nthe Title"):
        assert remove_repeated_title(unchanged) == unchanged


def test_download_footer_removed_only_on_the_last_line():
    assert remove_download_footer("Text.\n\n157.21 KB 1 file(s)\n \n") == "Text.\n"
    assert remove_download_footer("12 kB") == ""
    assert remove_download_footer("12 KB of data.\nText.  \n") == "12 KB of data.\nText."


def test_italic_markers_only_around_words_not_inside_them():
    assert remove_emphasis("*a* x*y* (*c*) **b** *d*e") == "a x*y* (c) b *d*e"
