"""Text from PDF, Word (.docx), HTML and UTF-8 text files, without the artefacts of extraction.

Libraries, measured on PDFs generated with fpdf2 (2-core machine under load, 2026-11-23):
PDF text comes from pdfminer.six's layout analysis (the engine under pdfplumber). On a two-column
page it alone kept the reading order (33 of 33 adjacent word pairs; pypdf, plain or layout mode,
and pdfplumber interleave the columns line by line: 28 of 33), and it returns each paragraph as
its own text box. It is slower: 50 pages took 10.3-16.0 s, against 0.6-0.8 s for pypdf and
18.7-28.3 s for pdfplumber, which is fine for adding one document. Word files are read with
python-docx (paragraphs and tables in body order; page headers and footers live outside the body
and are not read), HTML with BeautifulSoup on lxml (1.7 MB: 2.7-5.5 s; html.parser 6.0-6.4 s).

Clean-up of a PDF works page by page, on the lines pdfminer gives:

1. at the top and bottom of a page (its first and last ``EDGE_LINES`` lines), a line that
   repeats there on at least half the pages (and at least two), digits ignored, and never
   away from the edges, is a running header or footer, and a line that is only a page number
   (``7``, ``- 7 -``, ``Page 7 of 9``, ``vii``) is a page number: both removed
   (:func:`remove_page_furniture`);
2. ligatures are spelled out (``ﬁ`` -> ``fi``) and a soft hyphen at a line end becomes a hyphen;
3. the lines of one text box are joined into one paragraph, except before a numbered or
   bulleted line and after a short line that ends a clause (the last line of a paragraph);
4. a word hyphenated at a line end (also at the end of a box or page) is rejoined by
   :func:`join_hyphenated`; boxes and pages are separated by a blank line, which
   :func:`analysis.text.clean.clean_text` bridges when a sentence runs on.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from ..errors import CorpusError
from ..text.clean import ENUMERATOR_START
from ..text.patterns import WORD

KINDS = {".pdf": "PDF", ".docx": "Word", ".html": "HTML", ".htm": "HTML", ".txt": "text"}
EDGE_LINES = 3
PAGE_NUMBER = re.compile(
    r"^(?:page\s+)?[-–—]?\s*(?:\d{1,3}|[ivxlc]{1,6})\s*[-–—]?(?:\s*(?:of|/)\s*\d{1,4})?$", re.IGNORECASE
)
BULLET_START = re.compile(r"^[•▪◦●‣∙·*–-]\s")
SHORT_LINE = 0.85  # a line ending before this share of its box's width, after . : ; ! or ?, ends a paragraph
LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
                           "\ufb05": "st", "\ufb06": "st"})
HYPHEN_END = re.compile(r"([^\W\d_]+)-$")
WORD_START = re.compile(r"^([^\W\d_]+)")
HTML_DROPPED = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "svg",
                "iframe", "button", "select", "head")
HTML_BLOCKS = ("address", "article", "blockquote", "br", "caption", "dd", "details", "div", "dl", "dt", "fieldset",
               "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "main", "ol", "p", "pre",
               "section", "summary", "table", "tr", "ul")
HTML_CELLS = ("td", "th")
BREAK_MARK = "\ue000"  # a private-use character: not whitespace, never in a document's text
CELL_MARK = "\ue001"


@dataclass(frozen=True)
class Extraction:
    """The text of a document and what extraction and clean-up did to get it."""

    text: str
    kind: str
    pages: int | None = None
    cleaning: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class _Line:
    text: str
    ends_short: bool  # ends well before its box's right edge (a paragraph's last line, a heading)


def extract_document(path: str | Path, vocabulary: frozenset[str] = frozenset()) -> Extraction:
    """Read ``path`` (``.pdf``, ``.docx``, ``.html``/``.htm``, ``.txt``) and return its text.

    ``vocabulary``: lower-case words of the corpus the document joins, the evidence for keeping
    or dropping a hyphen at a line end (see :func:`join_hyphenated`)."""
    path = Path(path)
    if not path.is_file():
        raise CorpusError(f"{path}: no such file")
    return extract_bytes(path.read_bytes(), path, vocabulary)


def extract_bytes(data: bytes, path: str | Path, vocabulary: frozenset[str] = frozenset()) -> Extraction:
    """The text of ``data``, the bytes of the file ``path`` (whose suffix says its format)."""
    path = Path(path)
    kind = KINDS.get(path.suffix.lower())
    if kind is None:
        raise CorpusError(f"{path}: cannot add a {path.suffix or 'suffix-less'} file; "
                          f"give one of {', '.join(KINDS)}")
    reader = {"PDF": _pdf, "Word": _docx, "HTML": _html, "text": _txt}[kind]
    extraction = reader(data, path, vocabulary)
    if not extraction.text.strip():
        raise CorpusError(f"{path}: the {kind} file holds no text")
    return extraction


def _txt(data: bytes, path: Path, vocabulary) -> Extraction:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CorpusError(f"{path} is not UTF-8 text (byte {error.start}: {data[error.start:error.start + 1]!r}); "
                          "convert it to UTF-8 first") from None
    return Extraction(text.replace("\r\n", "\n").replace("\r", "\n"), "text")


def _pdf(data: bytes, path: Path, vocabulary) -> Extraction:
    pages = read_pdf_lines(data, path)
    if not any(pages):
        raise CorpusError(f"{path}: the PDF has no text layer (a scanned image?); run OCR on it first")
    blank = [str(number) for number, page in enumerate(pages, 1) if not page]
    pages, running, page_numbers = remove_page_furniture(pages)
    paragraphs = [_paragraph(box) for page in pages for box in page]
    text, joined, kept = join_hyphenated(paragraphs, vocabulary)
    cleaning = []
    if running:
        cleaning.append("removed running header/footer " + ", ".join(
            f"{line!r} ({count} pages)" for line, count in running.items()))
    if page_numbers:
        cleaning.append(f"removed {page_numbers} page number{'s' * (page_numbers != 1)}")
    if joined:
        cleaning.append(f"joined {len(joined)} word(s) hyphenated at a line end: {', '.join(joined)}")
    if kept:
        cleaning.append(f"kept the hyphen of {', '.join(kept)}")
    if blank:
        cleaning.append(f"page(s) {', '.join(blank)} have no text layer (scanned images?) and gave no text")
    return Extraction(text, "PDF", len(pages), tuple(cleaning))


def read_pdf_lines(data: bytes, path: Path) -> list[list[list[_Line]]]:
    """Pages, each a list of text boxes in pdfminer's reading order, each a list of lines."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTTextBox
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    pages = []
    try:
        for page in extract_pages(BytesIO(data), laparams=LAParams()):
            boxes = []
            for box in page:
                if not isinstance(box, LTTextBox):
                    continue
                width = box.x1 - box.x0
                lines = [_Line(_pdf_line_text(line.get_text()), line.x1 < box.x0 + SHORT_LINE * width)
                         for line in box]
                lines = [line for line in lines if line.text]
                if lines:
                    boxes.append(lines)
            pages.append(boxes)
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise CorpusError(f"{path}: the PDF is encrypted; save an unencrypted copy and add that") from None
    except Exception as error:  # pdfminer raises many kinds of error on a damaged file
        raise CorpusError(f"{path}: not a readable PDF ({type(error).__name__}: {error})") from None
    return pages


def _pdf_line_text(text: str) -> str:
    """One line as pdfminer gives it: whitespace collapsed, ligatures spelled out, a soft
    hyphen at the end made a hyphen (so :func:`join_hyphenated` sees it)."""
    text = " ".join(text.translate(LIGATURES).split())
    return text[:-1] + "-" if text.endswith("\u00ad") else text.replace("\u00ad", "")


def _edge_and_body_lines(page: list[list[_Line]]) -> tuple[list[str], list[str]]:
    lines = [line.text for box in page for line in box]
    bottom = max(EDGE_LINES, len(lines) - EDGE_LINES)
    return lines[:EDGE_LINES] + lines[bottom:], lines[EDGE_LINES:bottom]


def _running_key(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.split()).casefold())


def _drop_edges(page, drop) -> list[list[_Line]]:
    """``page`` without the lines at its top and bottom for which ``drop(text)`` holds (a run
    from each edge, at most ``EDGE_LINES`` deep)."""
    flat = [(b, i) for b, box in enumerate(page) for i in range(len(box))]
    removed = set()
    for order in (flat[:EDGE_LINES], flat[::-1][:EDGE_LINES]):
        for b, i in order:
            if (b, i) in removed or not drop(page[b][i].text):
                break
            removed.add((b, i))
    kept = [[line for i, line in enumerate(box) if (b, i) not in removed] for b, box in enumerate(page)]
    return [box for box in kept if box]


def remove_page_furniture(pages):
    """Drop running headers and footers and page numbers from the top and bottom of each page.

    A running line is an edge line repeated, digits ignored, on at least half the pages (and
    on two or more) and never found away from the edges (that would be body text); a page number is an edge line that is only a number (``7``, ``- 7 -``,
    ``Page 7 of 9``, ``vii``). Returns the pages, {running line: pages it was removed from}
    and the number of page numbers removed."""
    edge_keys, body_keys = Counter(), set()
    for page in pages:
        edge, body = _edge_and_body_lines(page)
        edge_keys.update({_running_key(line) for line in edge if not PAGE_NUMBER.match(line)})
        body_keys.update(_running_key(line) for line in body)
    threshold = max(2, (len(pages) + 1) // 2)
    running_keys = {key for key, count in edge_keys.items() if count >= threshold and key not in body_keys}
    running: dict[str, list] = {}  # key -> [its first wording, pages]
    page_numbers = 0

    def drop(text: str) -> bool:
        nonlocal page_numbers
        if PAGE_NUMBER.match(text):
            page_numbers += 1
            return True
        key = _running_key(text)
        if key in running_keys:
            running.setdefault(key, [text, 0])[1] += 1
            return True
        return False

    pages = [_drop_edges(page, drop) for page in pages]
    return pages, dict(running.values()), page_numbers


def _paragraph(box: list[_Line]) -> list[str]:
    """The lines of a text box joined where they continue one paragraph: a line break stays
    before a numbered or bulleted line and after a short line ending a clause."""
    paragraphs = [[box[0].text]]
    for before, line in zip(box, box[1:]):
        starts_item = ENUMERATOR_START.match(line.text) or BULLET_START.match(line.text)
        ends_paragraph = before.ends_short and before.text[-1] in ".:;!?"
        if starts_item or ends_paragraph:
            paragraphs.append([line.text])
        else:
            paragraphs[-1].append(line.text)
    return ["\n".join(lines) for lines in paragraphs]


def join_hyphenated(boxes: list[list[str]], vocabulary: frozenset[str]) -> tuple[str, list[str], list[str]]:
    """Join the paragraphs of every box into one text, rejoining words hyphenated at a line end.

    ``boxes``: per text box, its paragraphs with their line breaks ("\\n"). A line (or box, or
    page) ending in ``letters-`` before a line starting with a lower-case word is a break in
    ``first-second``; the hyphen goes (``environ-``/``mental`` -> ``environmental``) unless
    the evidence says the word is hyphenated, in this order:

    1. the document and ``vocabulary`` (the corpus) use one form, ``firstsecond`` or
       ``first-second``, elsewhere and not the other: that form;
    2. otherwise the dictionary (simplemma's English word list): ``firstsecond`` known -> join;
       both ``first`` and ``second`` known (``cross``, ``border``) -> keep the hyphen; else join.

    A line starting with a capital (``Asia-``/``Pacific``) keeps the hyphen. Returns the text
    (paragraphs one per line, separated by a blank line), the words joined and those kept.
    """
    from simplemma import is_known

    paragraphs = [paragraph for box in boxes for paragraph in box]
    evidence = Counter(word.lower() for paragraph in paragraphs for word in WORD.findall(paragraph))
    joined_words, kept_words = [], []

    def join(left: str, right: str) -> str:
        """``left`` ends a line in ``letters-``; ``right`` is the next line: the two as one."""
        first, tail = HYPHEN_END.search(left).group(1), WORD_START.match(right)
        if not tail or not tail.group(1)[0].islower():  # Asia-/Pacific, COVID-/19
            return left + right
        second = tail.group(1)
        closed, hyphenated = (first + second).lower(), f"{first}-{second}".lower()
        seen_closed = evidence[closed] + (closed in vocabulary)
        seen_hyphenated = evidence[hyphenated] + (hyphenated in vocabulary)
        if bool(seen_closed) != bool(seen_hyphenated):
            keep = bool(seen_hyphenated)
        else:
            keep = not is_known(closed, lang="en") and is_known(first.lower(), lang="en") \
                and is_known(second.lower(), lang="en")
        (kept_words if keep else joined_words).append(f"{first}-{second}" if keep else first + second)
        return left + right if keep else left[:-1] + right

    merged: list[str] = []
    for paragraph in paragraphs:
        lines = paragraph.split("\n")
        if merged and HYPHEN_END.search(merged[-1]) and lines[0][:1].islower():
            lines[0] = join(merged.pop(), lines[0])  # a word broken across boxes or pages
        text = lines[0]
        for line in lines[1:]:
            text = join(text, line) if HYPHEN_END.search(text) else f"{text} {line}"
        merged.append(text)
    return "\n\n".join(merged) + "\n", joined_words, kept_words


def _docx(data: bytes, path: Path, vocabulary) -> Extraction:
    from docx import Document
    from docx.table import Table

    try:
        document = Document(BytesIO(data))
    except Exception as error:  # python-docx raises zip, XML and package errors on a damaged file
        raise CorpusError(f"{path}: not a readable Word .docx file ({type(error).__name__}: {error})") from None
    paragraphs, tables = [], 0
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            tables += 1
            paragraphs.extend(_table_rows(item))
        else:
            paragraphs.append(" ".join(item.text.split()))
    cleaning = (f"{tables} table(s): one line per row, cells separated by ' | '",) if tables else ()
    return Extraction("\n\n".join(p for p in paragraphs if p) + "\n", "Word", None, cleaning)


def _table_rows(table) -> list[str]:
    rows = []
    for row in table.rows:
        cells = []
        for cell in row.cells:  # a merged cell is returned once per grid column it spans
            text = " ".join(cell.text.split())
            if text and (not cells or cells[-1] != text):
                cells.append(text)
        rows.append(" | ".join(cells))
    return rows


def _html(data: bytes, path: Path, vocabulary) -> Extraction:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(data, "lxml")
    dropped = Counter()
    for tag in soup.find_all(HTML_DROPPED):
        if tag.decomposed:
            continue
        dropped[tag.name] += 1
        tag.decompose()
    for tag in soup.find_all("pre"):
        for string in tag.find_all(string=True):
            string.replace_with(string.replace("\n", BREAK_MARK))
    for tag in soup.find_all(HTML_BLOCKS + HTML_CELLS):
        mark = CELL_MARK if tag.name in HTML_CELLS else BREAK_MARK
        tag.insert_before(mark)
        tag.insert_after(mark)
    flat = " ".join(soup.get_text().split())
    paragraphs = []
    for block in flat.split(BREAK_MARK):
        cells = [" ".join(cell.split()) for cell in block.split(CELL_MARK)]
        paragraphs.append(" | ".join(cell for cell in cells if cell))
    cleaning = ("removed " + ", ".join(f"{count} <{name}>" for name, count in sorted(dropped.items())),) \
        if dropped else ()
    return Extraction("\n\n".join(p for p in paragraphs if p) + "\n", "HTML", None, cleaning)
