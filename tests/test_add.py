"""``python -m analysis add``: documents from PDF, Word, HTML and text files, generated here."""

import hashlib
import shutil

import pytest
from docx import Document
from fpdf import FPDF

from analysis.errors import CorpusError
from analysis.io.add import add_document
from analysis.io.corpus import read_corpus
from analysis.io.extract import extract_document, join_hyphenated
from analysis.report.cli import main
from conftest import DATA

HEADER = "Regional Preparatory Meeting - Draft report"
PAGE_1 = ["1. Member States noted that organized criminal groups exploit the gaps",
          "between national systems and harm the environ-",
          "mental resources on which coastal communities depend.",
          "",
          "2. Speakers called for cross-",
          "border cooperation among law enforcement agencies."]
PAGE_2 = ["3. Several delegations described online scam compounds that hold",
          "trafficked workers and defraud victims across the region.",
          "",
          "4. The meeting recommended joint training on cybercrime."]
# The paragraphs as a reader reads them, typed out independently of the extraction code.
EXPECTED_PARAGRAPHS = [
    "1. Member States noted that organized criminal groups exploit the gaps between national systems and harm "
    "the environmental resources on which coastal communities depend.",
    "2. Speakers called for cross-border cooperation among law enforcement agencies.",
    "3. Several delegations described online scam compounds that hold trafficked workers and defraud victims "
    "across the region.",
    "4. The meeting recommended joint training on cybercrime.",
]


def write_pdf(path, pages, header=None, page_numbers=False, columns=1):
    """A PDF with ``pages`` (lists of lines, "" a paragraph gap), each line placed at a fixed
    position, so the line breaks (and hyphens) are exactly those given."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_font("Helvetica", size=11)
    for number, lines in enumerate(pages, 1):
        pdf.add_page()
        if header:
            pdf.set_xy(20, 12)
            pdf.cell(0, 5, header)
        for column, column_lines in enumerate([lines] if columns == 1 else lines):
            y = 30
            for line in column_lines:
                if line:
                    pdf.set_xy(15 + 95 * column, y)
                    pdf.cell(85 if columns > 1 else 0, 5, line)
                y += 5 if line else 4
        if page_numbers:
            pdf.set_xy(100, 280)
            pdf.cell(10, 5, str(number))
    pdf.output(str(path))
    return path


@pytest.fixture
def corpus_copy(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(DATA / "corpus", folder / "corpus")
    shutil.copy(DATA / "metadata.csv", folder / "metadata.csv")
    return folder


def snapshot(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()} | {
        f"{p.relative_to(folder)}/": "dir" for p in folder.rglob("*") if p.is_dir()}


def paragraphs(text):
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def test_two_page_pdf_loses_header_and_page_numbers_and_rejoins_the_hyphenated_word(tmp_path):
    pdf = write_pdf(tmp_path / "report.pdf", [PAGE_1, PAGE_2], header=HEADER, page_numbers=True)
    extraction = extract_document(pdf)
    assert extraction.pages == 2
    assert paragraphs(extraction.text) == EXPECTED_PARAGRAPHS
    assert HEADER not in extraction.text
    assert "environmental" in extraction.text and "cross-border" in extraction.text


def test_two_columns_are_read_column_by_column(tmp_path):
    left = ["The left column opens the report", "and continues on this second line",
            "and ends the first paragraph here."]
    right = ["The right column holds the second", "paragraph, which a reader meets",
             "only after the whole left column."]
    extraction = extract_document(write_pdf(tmp_path / "columns.pdf", [[left, right]], columns=2))
    assert paragraphs(extraction.text) == [" ".join(left), " ".join(right)]


def test_hyphen_rule_follows_the_corpus_then_the_dictionary():
    boxes = [["harm the environ-\nmental resources"], ["for cross-\nborder work"], ["cyber-\ncrime grows"],
             ["the Asia-\nPacific region"]]
    text, joined, kept = join_hyphenated(boxes, frozenset())
    # dictionary: "environmental" is a word -> join; "crossborder" is not, "cross" and "border" are -> keep;
    # "cybercrime" is not in the dictionary, "cyber" and "crime" are -> kept without corpus evidence
    assert paragraphs(text) == ["harm the environmental resources", "for cross-border work", "cyber-crime grows",
                                "the Asia-Pacific region"]
    assert joined == ["environmental"] and kept == ["cross-border", "cyber-crime"]
    text, joined, kept = join_hyphenated([["cyber-\ncrime grows"]], frozenset({"cybercrime"}))  # the corpus says so
    assert text == "cybercrime grows\n" and joined == ["cybercrime"]
    text, _, _ = join_hyphenated([["a word broken at the page end: environ-"], ["mental harm"]], frozenset())
    assert text == "a word broken at the page end: environmental harm\n"


def test_add_pdf_through_the_command_line(corpus_copy, tmp_path, capsys):
    pdf = write_pdf(tmp_path / "report.pdf", [PAGE_1, PAGE_2], header=HEADER, page_numbers=True)
    original = pdf.read_bytes()
    code = main(["add", str(pdf), "--corpus", str(corpus_copy), "--doc-id", "2024_test_report", "--year", "2024",
                 "--date", "2024-05-02", "--body", "UN", "--title", "A report, with a comma", "--doc-type", "report"])
    assert code == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "added 2024_test_report (PDF, 2 pages)" in out
    words = sum(len(p.split()) for p in EXPECTED_PARAGRAPHS) - 4  # the four numbers "1." ... "4." are not words
    assert f"{words} words in 4 paragraphs" in out
    assert "environmental" in out and "cross-border" in out and "2 page numbers" in out
    assert (corpus_copy / "corpus" / "originals" / "2024_test_report.pdf").read_bytes() == original
    text = (corpus_copy / "corpus" / "2024_test_report.txt").read_text(encoding="utf-8")
    assert paragraphs(text) == EXPECTED_PARAGRAPHS
    metadata = (corpus_copy / "metadata.csv").read_text(encoding="utf-8")
    assert metadata.startswith((DATA / "metadata.csv").read_text(encoding="utf-8"))
    assert metadata.endswith('2024_test_report,2024-05-02,2024,UN,,"A report, with a comma",report,'
                             "corpus/2024_test_report.txt,report.pdf\n")
    corpus = read_corpus(corpus_copy)
    row = corpus.set_index("doc_id").loc["2024_test_report"]
    assert len(corpus) == 6 and row["year"] == 2024 and row["text"] == text


def test_add_docx_keeps_headings_paragraphs_and_table_rows(corpus_copy, tmp_path):
    document = Document()
    document.add_heading("Resolution on cybercrime", level=1)
    document.add_paragraph("Recalling the Convention against Transnational Organized Crime,")
    document.add_paragraph("1. Calls upon Member States to cooperate.")
    table = document.add_table(rows=2, cols=2)
    for r, values in enumerate([("Country", "Cases"), ("Thailand", "12")]):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    document.add_paragraph("2. Decides to remain seized of the matter.")
    path = tmp_path / "resolution.docx"
    document.save(path)
    summary = add_document(path, corpus_copy, doc_id="2024_docx", year="2024", date=None, body=None, meeting=None,
                           title=None, doc_type=None)
    assert "(Word)" in summary and "1 table(s)" in summary
    text = (corpus_copy / "corpus" / "2024_docx.txt").read_text(encoding="utf-8")
    assert paragraphs(text) == ["Resolution on cybercrime", "Recalling the Convention against Transnational "
                                "Organized Crime,", "1. Calls upon Member States to cooperate.", "Country | Cases",
                                "Thailand | 12", "2. Decides to remain seized of the matter."]
    assert (corpus_copy / "metadata.csv").read_text(encoding="utf-8").endswith(
        "2024_docx,2024,2024,,,,,corpus/2024_docx.txt,resolution.docx\n")


def test_add_html_strips_navigation_scripts_and_styles(corpus_copy, tmp_path):
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Site</title><style>p {color: red}</style></head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav><header>Portal banner</header>"
        "<h1>Statement on scam compounds</h1>\n<p>Member States <b>condemned</b> the\n   online scam compounds.</p>"
        "<script>track('visit')</script><ul><li>First point</li><li>Second point</li></ul>"
        "<footer>Copyright 2024</footer></body></html>", encoding="utf-8")
    add_document(path, corpus_copy, doc_id="2024_html", year="2024")
    text = (corpus_copy / "corpus" / "2024_html.txt").read_text(encoding="utf-8")
    assert paragraphs(text) == ["Statement on scam compounds", "Member States condemned the online scam compounds.",
                                "First point", "Second point"]


def test_add_utf8_text_keeps_it_as_is(corpus_copy, tmp_path):
    path = tmp_path / "speech.txt"
    path.write_bytes("Déclaration finale\n\nLes États membres.\n".encode("utf-8"))
    add_document(path, corpus_copy, doc_id="2024_txt", year="2024")
    assert (corpus_copy / "corpus" / "2024_txt.txt").read_text(encoding="utf-8") == \
        "Déclaration finale\n\nLes États membres.\n"


def scanned_pdf(path):
    from PIL import Image

    image = path.with_suffix(".png")
    Image.new("RGB", (200, 100), "white").save(image)
    pdf = FPDF()
    pdf.add_page()
    pdf.image(str(image), x=10, y=10, w=100)
    pdf.output(str(path))
    return path


def encrypted_pdf(path):
    pdf = FPDF()
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.cell(0, 5, "Confidential statement on cybercrime.")
    pdf.output(str(path))
    return path


def corrupt_pdf(path):
    path.write_bytes(b"%PDF-1.7\n1 0 obj <</Type /Catalog /Pages 2 0 R>>\nthis is not a PDF body\n%%EOF")
    return path


def corrupt_docx(path):
    path.write_bytes(b"PK\x03\x04 truncated zip")
    return path


def latin1_text(path):
    path.write_bytes("Déclaration des États membres\n".encode("latin-1"))
    return path


@pytest.mark.parametrize(("name", "make", "message"), [
    ("scan.pdf", scanned_pdf, "no text layer"),
    ("locked.pdf", encrypted_pdf, "encrypted"),
    ("broken.pdf", corrupt_pdf, "not a readable PDF"),
    ("broken.docx", corrupt_docx, "not a readable Word"),
    ("latin1.txt", latin1_text, "not UTF-8"),
])
def test_unreadable_files_are_refused_and_change_nothing(corpus_copy, tmp_path, capsys, name, make, message):
    path = make(tmp_path / name)
    before = snapshot(corpus_copy)
    code = main(["add", str(path), "--corpus", str(corpus_copy), "--doc-id", "2024_bad", "--year", "2024"])
    err = capsys.readouterr().err
    assert code == 1 and str(path) in err and message in err and "Traceback" not in err
    assert snapshot(corpus_copy) == before


@pytest.mark.parametrize(("arguments", "message"), [
    (["--doc-id", "2010_ipu122_organized_crime", "--year", "2010"], "already in"),
    (["--doc-id", "2024_new", "--year", "2024.5"], "year '2024.5' is not a whole number"),
    (["--doc-id", "2024_new", "--year", "2024", "--date", "2023-01-01"], "does not fall in year 2024"),
    (["--doc-id", "../escape", "--year", "2024"], "doc_id '../escape'"),
])
def test_bad_metadata_is_refused_and_changes_nothing(corpus_copy, tmp_path, capsys, arguments, message):
    pdf = write_pdf(tmp_path / "report.pdf", [PAGE_1, PAGE_2], header=HEADER, page_numbers=True)
    before = snapshot(corpus_copy)
    code = main(["add", str(pdf), "--corpus", str(corpus_copy), *arguments])
    err = capsys.readouterr().err
    assert code == 1 and str(pdf) in err and message in err
    assert snapshot(corpus_copy) == before


def test_an_existing_target_file_is_refused(corpus_copy, tmp_path):
    pdf = write_pdf(tmp_path / "report.pdf", [PAGE_1])
    (corpus_copy / "corpus" / "2024_orphan.txt").write_text("left over\n", encoding="utf-8")
    before = snapshot(corpus_copy)
    with pytest.raises(CorpusError, match="2024_orphan.txt exists already"):
        add_document(pdf, corpus_copy, doc_id="2024_orphan", year="2024")
    assert snapshot(corpus_copy) == before


def test_a_failure_while_publishing_leaves_the_folder_as_it_was(corpus_copy, tmp_path, monkeypatch):
    import analysis.io.add as add_module

    pdf = write_pdf(tmp_path / "report.pdf", [PAGE_1])
    before = snapshot(corpus_copy)
    real_write = add_module.atomic_write_bytes

    def fail_on_metadata(path, data):
        if path.name == "metadata.csv":
            raise OSError("disk full")
        return real_write(path, data)

    monkeypatch.setattr(add_module, "atomic_write_bytes", fail_on_metadata)
    with pytest.raises(OSError, match="disk full"):
        add_document(pdf, corpus_copy, doc_id="2024_full", year="2024")
    assert snapshot(corpus_copy) == before


def test_same_input_same_bytes(tmp_path):
    pdf = write_pdf(tmp_path / "report.pdf", [PAGE_1, PAGE_2], header=HEADER, page_numbers=True)
    assert extract_document(pdf) == extract_document(pdf)
