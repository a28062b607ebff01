"""No input can hurt the user: hostile and careless input stops with a message naming the file,
row or parameter (never a traceback, never a hang, never a change to the user's files), and
lower-casing never moves an offset."""

import gzip
import json
import subprocess
import sys
import time
import warnings

import nbformat
import pandas as pd
import pytest

from analysis.errors import AnalysisError, CodebookError, CorpusError, ParameterError
from analysis.index.build import kwic_rows
from analysis.io.codebook import codebook_from_dict, read_codebook
from analysis.io.corpus import FIRST_YEAR, LAST_YEAR, read_corpus
from analysis.report.params import validate_parameters
from analysis.report.runner import check_run_record, parse_value, read_parameter_file
from analysis.text.codebook import OverlappingThemesWarning
from analysis.text.patterns import PatternSet, lower_same_length, pattern_regex
from conftest import DATA, ROOT, THEMES


def cli(*args):
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=ROOT, capture_output=True, text=True)


def refused(result, *phrases):
    """The command stopped with an ``error:`` line holding each phrase, exit 1, no traceback."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: "), result.stderr
    for phrase in phrases:
        assert phrase in result.stderr, result.stderr


def folder_corpus(folder, metadata: str, texts: dict) -> None:
    folder.mkdir(exist_ok=True)
    (folder / "metadata.csv").write_text(metadata, encoding="utf-8")
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")


# -- outputs never go into the corpus ---------------------------------------------------------

@pytest.mark.parametrize("name", ["reports_dir", "figures_dir", "cache_dir"])
def test_outputs_inside_the_corpus_folder_are_refused(tmp_path, name):
    folder_corpus(tmp_path / "c", "doc_id,year,file\na,2010,a.txt\n", {"a.txt": "Text."})
    with pytest.raises(ParameterError, match=rf"{name}=.* and the corpus folder .* overlap"):
        validate_parameters({"corpus": str(tmp_path / "c"), name: str(tmp_path / "c" / "out")})
    with pytest.raises(ParameterError, match="overlap"):  # ... and the corpus inside the outputs
        validate_parameters({"corpus": str(tmp_path / "c"), name: str(tmp_path)})


def test_report_into_the_corpus_folder_stops_before_writing(tmp_path):
    before = sorted(p for p in DATA.rglob("*"))
    refused(cli("report", "-p", "reports_dir", "data/reports"), "reports_dir=", "overlap")
    refused(cli("report", "-p", "figures_dir", str(DATA / "corpus" / "figures")), "figures_dir=", "overlap")
    assert sorted(p for p in DATA.rglob("*")) == before


# -- patterns: bounded cost ---------------------------------------------------------------------

@pytest.mark.parametrize("pattern, reason", [
    ("a*a*a*a*a* z", "'*' may only end a word"),
    ("cyber*crime", "'*' may only end a word"),
    ("(a*|b)*", "'*' may only end a word"),
    ("(a*|b)c", "'*' may only end a word"),
    ("(a|(b*|c)d) e", "'*' may only end a word"),
    ("a ( b|c)", "next to '(', '|' or ')'"),
    ("(a |b) c", "next to '(', '|' or ')'"),
    ("-a", "starts or ends with a space or hyphen"),
    ("a-", "starts or ends with a space or hyphen"),
    ("(a|b)" * 9, "can be read in 512 ways"),
])
def test_patterns_that_could_backtrack_without_bound_are_refused(pattern, reason):
    with pytest.raises(ValueError, match=reason.replace("(", r"\(").replace(")", r"\)").replace("|", r"\|")):
        pattern_regex(pattern)


def test_the_hanging_pattern_is_refused_at_load_naming_theme_and_pattern(tmp_path):
    path = tmp_path / "themes.yml"
    path.write_text('themes:\n  a:\n    include: ["a*a*a*a*a* z"]\n', encoding="utf-8")
    with pytest.raises(CodebookError, match=r"theme 'a', include: pattern 'a\*a\*a\*a\*a\* z' has '\*' inside a word"):
        read_codebook(path)
    refused(cli("validate", "--codebook", str(path)), "theme 'a'", "a*a*a*a*a* z")


@pytest.mark.parametrize("pattern", ["(a|b) (c|d)", "(a|(b|c)) d*", "(cyber|online)*", "(a*|b) c", "x (a|b)*"])
def test_patterns_within_the_rules_are_accepted(pattern):
    pattern_regex(pattern)


@pytest.mark.parametrize("patterns, text, expected", [
    # the worst the rules allow: wildcards, alternatives sharing starts, long repeated words
    (["a* z", "(a|aa|aaa)* z", "a a a a z"], "a" * 200_000 + " q", 0),
    (["a a a a z", "(a|b) (a|b) (a|b) z"], "a " * 100_000 + "q", 0),
    (["a* z"], "-" * 100_000 + "a" * 100_000 + " " * 100_000 + "z", 1),
])
def test_accepted_patterns_match_hostile_text_in_bounded_time(patterns, text, expected):
    started = time.perf_counter()
    found = PatternSet(patterns).find(text)
    fallback = list(PatternSet(patterns).regex.finditer(text))  # the single-regex path, too
    assert time.perf_counter() - started < 5
    assert len(found) == len(fallback) == expected


# -- YAML aliases -------------------------------------------------------------------------------

def alias_bomb() -> str:
    """Nine levels of nine aliases: 9**9 (387 million) strings from a few hundred bytes."""
    levels = ["&a [lol,lol,lol,lol,lol,lol,lol,lol,lol]"]
    for previous, name in zip("abcdefgh", "bcdefghi"):
        levels.append(f"&{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    return "[" + ", ".join(levels) + "]"


def test_a_yaml_alias_bomb_in_a_codebook_is_refused_at_once(tmp_path):
    path = tmp_path / "themes.yml"
    path.write_text("themes:\n  a:\n    include:\n      - " + alias_bomb() + "\n", encoding="utf-8")
    assert path.stat().st_size < 420
    started = time.perf_counter()
    with pytest.raises(CodebookError, match=r"themes\.yml: not valid YAML \(the alias \*a is not accepted"):
        read_codebook(path)
    assert time.perf_counter() - started < 2
    refused(cli("validate", "--codebook", str(path)), "alias *a is not accepted")


def test_yaml_aliases_are_refused_in_parameter_files_and_values(tmp_path):
    path = tmp_path / "params.yml"
    path.write_text("terms: " + alias_bomb() + "\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"--params .*params\.yml: not valid YAML \(the alias \*a"):
        read_parameter_file(path)
    path.write_text("seed: &s 5\nn_boot: *s\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="alias"):
        read_parameter_file(path)
    assert parse_value("[&a [x], *a]") == "[&a [x], *a]"  # not read as YAML: the text as given
    assert parse_value("[x, 5]") == ["x", 5]


# -- lower-casing keeps offsets -----------------------------------------------------------------

def test_lower_same_length_keeps_every_character_one_character_long():
    everything = "".join(map(chr, range(0x30000)))
    assert len(lower_same_length(everything)) == len(everything)
    assert lower_same_length("İSTANBUL") == "istanbul"  # "İ".lower() is "i" + a combining dot
    assert lower_same_length("STRAẞE İ ΣΑΣ Ǆ") == "straße i σασ ǆ"
    assert lower_same_length("Plain Text") == "plain text"


@pytest.mark.parametrize("text, pattern, matched", [
    ("Welcome to İstanbul, İSTANBUL and istanbul.", "istanbul", ["İstanbul", "İSTANBUL", "istanbul"]),
    ("İİİ Die STRAẞE, die Straße.", "straße", ["STRAẞE", "Straße"]),
    ("İ İ İ human trafficking, İ Human Trafficking", "human trafficking", ["human trafficking", "Human Trafficking"]),
])
def test_matches_after_length_changing_characters_quote_the_original(text, pattern, matched):
    codebook = codebook_from_dict({"themes": {"t": {"include": [pattern]}}})
    found = codebook.find(text)
    assert [text[m.start:m.end] for m in found] == matched
    rows = kwic_rows("d", 2010, ["d:p01"], [text], codebook)
    assert [row[6] for row in rows] == matched  # the KWIC passage quotes the exact characters
    assert [row[5] + row[6] for row in rows] == [text[:m.end] for m in found]


def test_counts_of_the_default_codebook_do_not_move_with_dotted_capitals():
    codebook = read_codebook(THEMES)
    plain = "Human trafficking and trafficking in persons. Scam compounds. Human trafficking."
    dotted = "İSTANBUL İİ: " + plain.replace(". ", ". İ ")
    themes = [m.theme for m in codebook.find(plain)]
    assert themes == ["human_trafficking", "human_trafficking", "scam_compounds", "human_trafficking"]
    assert [m.theme for m in codebook.find(dotted)] == themes


# -- overlapping themes -------------------------------------------------------------------------

def test_overlapping_themes_warn_naming_both():
    codebook = codebook_from_dict({"themes": {"wildlife": {"include": ["wildlife trafficking"]},
                                              "people": {"include": ["trafficking in persons"]},
                                              "drugs": {"include": ["drug*"]}}})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        codebook.find("Drugs and wildlife trafficking in persons.")
    messages = [str(w.message) for w in caught if issubclass(w.category, OverlappingThemesWarning)]
    assert messages == ["themes 'people' and 'wildlife' overlap: their patterns 'trafficking in persons' and "
                        "'wildlife trafficking' match the same words, which then count in both themes"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        codebook.find("Wildlife trafficking; trafficking in persons; drugs.")  # no shared words: no warning


def test_the_default_codebook_has_no_overlap_on_the_seed_corpus():
    codebook, corpus = read_codebook(THEMES), read_corpus(DATA)
    with warnings.catch_warnings():
        warnings.simplefilter("error", OverlappingThemesWarning)
        for text in corpus["text"]:
            codebook.find_all(text.split("\n"))


# -- corpus: years, dates, empty, stray quotes, repeated columns, compressed files --------------

@pytest.mark.parametrize("year", ["950", "-5", "99999", str(FIRST_YEAR - 1), str(LAST_YEAR + 1)])
def test_implausible_years_are_refused(tmp_path, year):
    folder_corpus(tmp_path / "c", f"doc_id,year,file\na,2010,a.txt\nb,{year},b.txt\n", {"a.txt": "A.", "b.txt": "B."})
    with pytest.raises(CorpusError, match=rf"metadata\.csv, row 2 \(doc_id 'b'\): year {int(year)} is not a plausible "
                                          rf"year \({FIRST_YEAR} to {LAST_YEAR}\)"):
        read_corpus(tmp_path / "c")


def test_years_are_integers_and_sort_as_numbers(tmp_path):
    rows = [("late", 2100), ("early", "1000"), ("mid", 1999.0)]  # JSON numbers or text
    path = tmp_path / "t.jsonl"
    path.write_text("".join(json.dumps({"doc_id": d, "year": y, "text": "x"}) + "\n" for d, y in rows), encoding="utf-8")
    corpus = read_corpus(path)
    assert corpus["year"].tolist() == [1000, 1999, 2100] and corpus["year"].dtype == "int64"
    assert corpus["doc_id"].tolist() == ["early", "mid", "late"]
    path.write_text(json.dumps({"doc_id": "a", "year": 2010.5, "text": "x"}) + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"t\.jsonl, row 1 \(doc_id 'a'\): year 2010\.5 is not a whole number"):
        read_corpus(path)


@pytest.mark.parametrize("date", ["2010-02-30", "2011-02-29", "2010-04-31"])
def test_impossible_dates_are_refused(tmp_path, date):
    folder_corpus(tmp_path / "c", f"doc_id,year,date,file\na,2010,2010-02-28,a.txt\nb,{date[:4]},{date},b.txt\n",
                  {"a.txt": "A.", "b.txt": "B."})
    with pytest.raises(CorpusError, match=rf"metadata\.csv, row 2 \(doc_id 'b'\): date '{date}' does not exist"):
        read_corpus(tmp_path / "c")


def test_a_leap_day_is_a_date(tmp_path):
    folder_corpus(tmp_path / "c", "doc_id,year,date,file\na,2012,2012-02-29,a.txt\n", {"a.txt": "A."})
    assert read_corpus(tmp_path / "c")["date"].tolist() == ["2012-02-29"]


def test_an_empty_corpus_is_refused(tmp_path):
    folder_corpus(tmp_path / "c", "doc_id,year,file\n", {})
    with pytest.raises(CorpusError, match=r"c/metadata\.csv: holds no documents"):
        read_corpus(tmp_path / "c")
    table = tmp_path / "t.csv.gz"
    table.write_bytes(gzip.compress(b"doc_id,year,text\n\n"))
    with pytest.raises(CorpusError, match=r"t\.csv\.gz: holds no documents"):
        read_corpus(table)
    refused(cli("validate", "--corpus", str(tmp_path / "c")), "metadata.csv: holds no documents")


@pytest.mark.parametrize("metadata, message", [
    # the quote opened before "Stray" closes only at "Other": three rows would become one
    ('doc_id,year,title,file\na,2010,"Stray title,a.txt\nb,2011,Fine,b.txt\nc,2012,"Other",c.txt\n',
     r"metadata\.csv, line 4: not a readable CSV table \(',' expected after '\"'; a stray quote\?\)"),
    # ... or at the end of a field: the row keeps four values, its title runs over three lines
    ('doc_id,year,title,file\na,2010,"Stray,a.txt\nb,2011,Fine",b.txt\nc,2012,Other,c.txt\n',
     r"metadata\.csv, row 1 \(line 3\): the 'title' value runs over several lines"),
    ('doc_id,year,title,file\na,2010,Title,x,a.txt\n', r"row 1 \(line 2\): 5 values, but the header names 4 columns"),
    ('doc_id,year,title,file\na,2010,a.txt\n', r"row 1 \(line 2\): 3 values, but the header names 4 columns"),
    ('doc_id,year,title,file\na,2010,"x\n', r"line 2: not a readable CSV table \(unexpected end of data"),
    ('doc_id,year,year,file\na,2010,2011,a.txt\n', r"column 'year' is named twice in the header \(columns 2 and 3\)"),
    ('doc_id,year,,file\na,2010,x,a.txt\n', r"column 3 of the header has no name"),
])
def test_stray_quotes_and_repeated_columns_are_refused(tmp_path, metadata, message):
    folder_corpus(tmp_path / "c", metadata, {"a.txt": "A.", "b.txt": "B.", "c.txt": "C."})
    with pytest.raises(CorpusError, match=message):
        read_corpus(tmp_path / "c")


def test_a_repeated_key_in_json_lines_is_refused(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text('{"doc_id": "a", "year": 2010, "text": "x"}\n{"doc_id": "b", "year": 2010, "year": 2011, '
                    '"text": "y"}\n', encoding="utf-8")
    with pytest.raises(CorpusError, match=r"t\.jsonl, line 2: the key 'year' is given twice"):
        read_corpus(path)


def test_a_table_csv_keeps_line_breaks_inside_quoted_texts(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('doc_id,year,text\na,2010,"First line,\nsecond ""quoted"" line"\n', encoding="utf-8")
    assert read_corpus(path)["text"].tolist() == ['First line,\nsecond "quoted" line']


def test_a_truncated_or_damaged_compressed_csv_is_named(tmp_path):
    whole = gzip.compress("doc_id,year,text\n".encode() + b"".join(f"d{i},2010,text {i}\n".encode() for i in range(5000)))
    path = tmp_path / "t.csv.gz"
    path.write_bytes(whole[:len(whole) // 2])
    with pytest.raises(CorpusError, match=r"t\.csv\.gz: could not be read \(Compressed file ended"):
        read_corpus(path)
    path.write_bytes(b"not gzip at all")
    with pytest.raises(CorpusError, match=r"t\.csv\.gz: could not be read \(Not a gzipped file"):
        read_corpus(path)
    path.write_bytes(whole[:len(whole) // 2])
    refused(cli("validate", "--corpus", str(path)), "t.csv.gz: could not be read")


def test_a_non_utf8_table_is_named(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("doc_id,year,text\na,2010,Résolution\n".encode("latin-1"))
    with pytest.raises(CorpusError, match=r"t\.csv: not UTF-8 text \(byte b'\\xe9'\)"):
        read_corpus(path)


def test_a_compressed_csv_is_streamed(tmp_path):
    """Reading a .csv.gz never holds its decompressed bytes: peak memory stays well below
    the frame plus the decompressed text (which the old reader held at once)."""
    text = "word " * 2_000_000  # 10 MB per document
    path = tmp_path / "big.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8", newline="") as stream:
        stream.write("doc_id,year,text\n" + "".join(f"d{i},2010,{text}\n" for i in range(10)))
    script = ("import resource, sys; from analysis.io.corpus import read_corpus; "
              "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss; frame = read_corpus(sys.argv[1]); "
              "print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) // 1024, len(frame))")
    growth_mb, documents = map(int, subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True,
                                                   text=True, check=True).stdout.split())
    assert documents == 10
    # the texts themselves are 100 MB; the old reader's peak was about 3x (bytes, str, frame)
    assert growth_mb < 180, growth_mb


# -- parameters, notebooks, run records ---------------------------------------------------------

def test_a_reports_dir_that_is_a_file_or_under_one_is_refused(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("mine\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"reports_dir=.*afile': is a file, not a folder"):
        validate_parameters({"reports_dir": str(afile)})
    with pytest.raises(ParameterError, match=r"reports_dir=.*afile/sub': '.*afile' is a file, not a folder"):
        validate_parameters({"reports_dir": str(afile / "sub")})
    refused(cli("report", "-p", "reports_dir", str(afile / "sub")), "reports_dir=", "is a file, not a folder")
    assert afile.read_text(encoding="utf-8") == "mine\n"


def test_a_non_utf8_parameter_file_is_named(tmp_path):
    path = tmp_path / "params.yml"
    path.write_bytes("seed: 1\nterms: [café]\n".encode("latin-1"))
    with pytest.raises(ParameterError, match=r"--params .*params\.yml: not UTF-8 text \(byte 19"):
        read_parameter_file(path)
    refused(cli("report", "--params", str(path)), "params.yml: not UTF-8 text")


@pytest.mark.parametrize("content", ['{"cells": [', '[1, 2]', '{"nbformat": 4, "cells": 3}', "{}",
                                     '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{}]}',
                                     '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}'])
def test_an_invalid_notebook_is_named(tmp_path, content):
    path = tmp_path / "broken.ipynb"
    path.write_text(content, encoding="utf-8")
    refused(cli("run", str(path)), str(path))


def test_a_damaged_run_record_stops_the_run_before_any_notebook(tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    check_run_record(reports)  # none yet: fine
    record = reports / "run_record.json"
    for damaged in ['{"corpus": {"texts": "ab', "[]", '{"documents": []}', b"\xff\xfe"]:
        (record.write_bytes if isinstance(damaged, bytes) else record.write_text)(damaged)
        with pytest.raises(AnalysisError, match=r"run_record\.json: the record of the last run is damaged"):
            check_run_record(reports)
    record.write_text('{"corpus": {"texts": "ab', encoding="utf-8")
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(f'corpus = {str(DATA)!r}\ncodebook = {str(THEMES)!r}\nreports_dir = {str(reports)!r}\n'
                                     f'figures_dir = {str(tmp_path / "f")!r}\ncache_dir = {str(tmp_path / "cache")!r}\nseed = 1')
    cell.metadata["tags"] = ["parameters"]
    notebook.cells = [cell]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, tmp_path / "n.ipynb")
    refused(cli("run", str(tmp_path / "n.ipynb")), "run_record.json: the record of the last run is damaged")
    assert not (tmp_path / "cache").exists()  # stopped before the corpus index was built
