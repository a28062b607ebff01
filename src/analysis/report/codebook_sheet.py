"""Validate the codebook against human coding: ``python -m analysis codebook sample|score``.

Dictionaries are validated by reading what they match and what they miss (Lexicoder, the
Comparative Agendas Project, R's oolong). :func:`sample_sheet` draws a coding sheet, a coder fills
in its ``relevant`` column, and :func:`score_sheet` turns the coded sheet into precision and
recall per theme.

**Unit of coding**: a paragraph of the corpus index x a theme. The coder decides whether the
paragraph mentions the theme as the theme's ``description`` in the codebook defines it
(``relevant`` 1) or not (0); a blank is "not coded yet".

**Strata.** For each theme two strata, each split by period:

- ``matched``: paragraphs with at least one match of the theme (the index's KWIC rows);
- ``near_miss``: paragraphs without a match of the theme that contain at least one of its
  near-miss words (below): the place where a relevant paragraph the patterns miss is likely.

*Periods* are at most :data:`N_PERIODS` runs of consecutive years holding about equal numbers of
the corpus's paragraphs: a year goes to period floor(4 x (paragraphs before it + half its own) /
all paragraphs). The five seed documents give 2010 | 2015-2016 | 2023 | 2025; the UN General
Debate (1946-2024) gives 1946-1978 | 1979-1994 | 1995-2007 | 2008-2024. The periods are the corpus's, so all themes and both
strata share them.

*Near-miss words* of a theme: the words of its include patterns (``cyber crime*`` gives
"cyber", "crime") of three letters or more that are neither general nor domain stop words
(:mod:`analysis.text.tokens`), and every word of the corpus that shares a Snowball stem with one
of them ("scam" -> "scams", "scamming"; "fishing" -> "fisheries"); a hyphenated word counts when
one of its parts does. Words found in more than ``common_share`` (default 2 %) of the corpus's
paragraphs are dropped, stem by stem (all words of the stem together; a hyphenated word goes
when one of its parts' stems does): they would flag a large part of the corpus. In the UN General
Debate that drops, for instance, world (20.1 % of paragraphs), new (9.8) and use (4.4) for
cybercrime, secur (13.6) and econom (11.2) for scam compounds, resourc (3.7), natur and trade for
environmental crime. On a small corpus that is all about crime, such as the five seed documents, the themes' own
words pass 2 % ("cyber", "online", "scam"), so their near-miss frames hold only the rarer words; a
larger ``common_share`` widens them. The words are read from the index's paragraph x word counts,
so nothing is matched again. Co-occurring words are not added: for a theme with few matches (scam
compounds in the UN corpus: one paragraph) co-occurrence is noise.

**Sample.** ``n`` paragraphs per theme from each stratum (``n_near_miss`` for the near misses,
default ``n``), spread over its periods proportionally to their sizes with at least one from
each non-empty period (:func:`~analysis.stats.validation.allocate_sample`). Within a
stratum x period cell the paragraphs are put in a random order seeded by ``seed`` and the
cell's name and the first ones taken: the same seed gives the same sheet, byte for byte, a
theme's sample does not depend on the other themes asked for, and where a larger ``n`` draws
more from a cell it keeps the paragraphs the smaller one drew. Rows are ordered by theme (codebook order), then corpus order;
``row_id`` is ``<theme>-<number>``.

**Sheet columns**: ``row_id, theme, stratum, period, stratum_size`` (the population of the
stratum x period cell), ``weight`` (stratum_size / sampled from the cell), ``doc_id, year``,
the speaker's ``country`` and ``body`` where the corpus has them, ``paragraph_id, patterns``
(the theme's patterns the paragraph matches), ``near_miss_words`` (the theme's near-miss words in
it), ``context_before`` (end of the previous paragraph), ``passage`` (the paragraph, matches
marked ``[[...]]``), ``context_after`` (start of the next), ``relevant`` and ``note`` (empty, for
the coder) and ``codebook_digest`` (:attr:`~analysis.text.codebook.Codebook.patterns_digest`: what decides
the matches). The CSV is written atomically, and an HTML copy beside it
shows each theme's definition and one card per row with its matches highlighted; it also codes:
1/0 buttons (or keys), a note, progress kept in the browser, and a button that downloads the
coded sheet as CSV.

**Score.** The sheet is checked first: required columns, ``relevant`` 0, 1 or blank, unique
row ids, known themes, doc and paragraph ids of the corpus index, one size per cell; an error
names the CSV line and column. Blank rows are reported as uncoded and left out. Each coded
paragraph is matched again with the *current* codebook, so an improved codebook can be scored on
an old sheet (with a warning when the digests differ: the sheet's strata are then not a random
sample of the new codebook's matches, and new matches outside the old frame are not seen).

- *precision*: the share of coded, matched paragraphs judged relevant, with the Wilson 95 %
  interval (:func:`~analysis.stats.validation.wilson_interval`); ``precision_weighted`` weights
  the cells by their populations.
- *recall*: estimated relevant matched paragraphs / (estimated relevant matched + estimated
  relevant unmatched), each a stratified estimate over the sheet's strata: a cell's coded rows
  stand for its population (:func:`~analysis.stats.validation.stratified_recall`). The interval
  combines each stratum's Wilson bounds (conservative). **The frame is the matched and
  near-miss paragraphs**: a relevant paragraph with no match and no near-miss word is outside
  it, so the recall is an upper bound on the recall over the whole corpus.
- ``tp, fp, fn, tn``: unweighted counts in the coded sample; ``false_positive_patterns``: for each
  pattern, the coded irrelevant paragraphs it matched.

**On the UN General Debate corpus** (``--n 150``, data/themes.yml as revised on 2026-11-23, 2-core
machine under load): 730 rows -- cybercrime 105 of 105 matched paragraphs + 150 of 52,243 near
misses, scam compounds 25 of 25 + 150 of 74,406, environmental crime 150 of 158 + 150 of 46,254 --
in 225 s with the index built (65 s of CPU), about 25 s with it cached. The near-miss frames are
large (the revised patterns' alternatives bring words such as "large", "public", "market"), so
the recall interval stays wide: with no relevant paragraph among 150 near misses of 52,243, the
upper Wilson bound (2.5 %) allows about 1,300 missed paragraphs against 105 matched. A smaller
``common_share`` narrows the frames (1 %: 25,665, 29,865, 23,351; 0.5 %: 7,970, 17,766, 12,080)
at the price of coverage; coding more near misses (``n_near_miss``) narrows the interval
without that price.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import re
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from ..checks import check_int, check_number
from ..errors import AnalysisError, ParameterError
from ..index.cache import cached_index
from ..index.corpus_index import CorpusIndex
from ..io.codebook import read_codebook
from ..io.corpus import corpus_root
from ..io.tables import FLOAT_FORMAT, atomic_write_text
from ..stats.validation import allocate_sample, stratified_recall, wilson_interval
from ..text.codebook import Codebook, Theme
from ..text.tokens import CODEBOOK_MARK, domain_stopwords, general_stopwords, stem

STRATA = ("matched", "near_miss")
N_PERIODS = 4
SPEAKER_COLUMNS = ("country", "body")
CONTEXT_CHARS = 160
SHEET_COLUMNS = ["row_id", "theme", "stratum", "period", "stratum_size", "weight", "doc_id", "year",
                 *SPEAKER_COLUMNS, "paragraph_id", "patterns", "near_miss_words", "context_before", "passage",
                 "context_after", "relevant", "note", "codebook_digest"]
REQUIRED_COLUMNS = ["row_id", "theme", "stratum", "period", "stratum_size", "doc_id", "paragraph_id", "relevant",
                    "codebook_digest"]
SCORE_COLUMNS = ["theme", "coded", "uncoded", "tp", "fp", "fn", "tn", "precision", "precision_low",
                 "precision_high", "precision_weighted", "recall", "recall_low", "recall_high",
                 "relevant_matched_est", "relevant_unmatched_est", "matched_population", "near_miss_population",
                 "false_positive_patterns"]
PATTERN_WORD = re.compile(r"[^\W\d_]+")
WORD_PARTS = re.compile(r"[-'’]")
MARK = re.compile(r"\[\[(.*?)\]\]", re.DOTALL)
WHITESPACE = re.compile(r"\s+")


# -- the corpus side -----------------------------------------------------------------------------

def open_index(corpus, codebook, *, text_column: str = "text", cache_dir=".cache/index") -> CorpusIndex:
    """The corpus index (built once and cached). Matching needs no learned collocations, so the
    index is the one the UN corpus's parameter file (``phrases: codebook``) uses."""
    return cached_index(corpus, codebook, cache_dir=cache_dir, text_column=text_column, learn_phrases=False)


def year_periods(years, n_periods: int = N_PERIODS) -> dict[int, str]:
    """Year -> period label (``2015-2016``): at most ``n_periods`` runs of consecutive years with
    about equal numbers of ``years`` (one entry per paragraph)."""
    counts = pd.Series(np.asarray(years, dtype=int)).value_counts().sort_index()
    before = counts.cumsum() - counts
    bins = np.minimum(n_periods - 1, (n_periods * (before + counts / 2) / counts.sum()).astype(int))
    labels = {}
    for _, members in counts.index.to_series().groupby(bins.to_numpy()):
        first, last = int(members.iloc[0]), int(members.iloc[-1])
        labels.update({int(year): str(first) if first == last else f"{first}-{last}" for year in members})
    return labels


def near_miss_words(theme: Theme, index: CorpusIndex, common_share: float = 0.02,
                    present=None) -> tuple[dict[int, str], dict]:
    """The theme's near-miss words as ``{item column: word}`` of the index's word counts, and
    the stems left out as too common, with the share of paragraphs they are found in (the rule
    is the module docstring's). ``present`` is :func:`word_presence` of the index, when known."""
    stops = general_stopwords() | domain_stopwords()
    stems = {stem(word) for pattern in theme.include for word in PATTERN_WORD.findall(pattern.lower())
             if len(word) >= 3 and word not in stops}
    starts = {s[:3] for s in stems}  # a Snowball stem begins like its word: the rest need no stemming
    columns_of = {}
    for column, item in enumerate(index.items):
        if item.startswith(CODEBOOK_MARK) or item in stops:
            continue
        for part in WORD_PARTS.split(item):
            if len(part) >= 3 and part[:3] in starts and stem(part) in stems:
                columns_of.setdefault(stem(part), []).append(column)
    present = word_presence(index) if present is None else present
    kept, common = {}, {}
    for word_stem, columns in sorted(columns_of.items()):
        share = np.count_nonzero(np.asarray(present[:, columns].sum(axis=1)).ravel()) / present.shape[0]
        if share > common_share:
            common[word_stem] = share
        else:
            kept.update({column: index.items[column] for column in columns})
    for word_stem in common:  # a hyphenated word with a too common part ("human-trafficking") goes too
        for column in columns_of[word_stem]:
            kept.pop(column, None)
    return dict(sorted(kept.items())), common


def word_presence(index: CorpusIndex):
    """Paragraph x word: 1 where the paragraph holds the word (by columns, to slice words fast)."""
    return (index.words > 0).astype(np.int32).tocsc()


def _matched_rows(index: CorpusIndex, theme: str) -> np.ndarray:
    ids = index.kwic.loc[index.kwic["theme"] == theme, "paragraph_id"].unique()
    return np.flatnonzero(index.paragraphs["paragraph_id"].isin(ids).to_numpy())


def _cell_random(seed: int, *names: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32("\x00".join(names).encode("utf-8"))])


def _marked(text: str, spans) -> str:
    """``text`` with each span wrapped in ``[[...]]``, whitespace runs shown as one space."""
    pieces, position = [], 0
    for start, end in spans:
        pieces += [text[position:start], "[[", text[start:end], "]]"]
        position = end
    pieces.append(text[position:])
    return WHITESPACE.sub(" ", "".join(pieces)).strip()


def _head(text: str) -> str:
    text = WHITESPACE.sub(" ", text).strip()
    return text if len(text) <= CONTEXT_CHARS else text[:CONTEXT_CHARS].rsplit(" ", 1)[0] + " …"


def _tail(text: str) -> str:
    text = WHITESPACE.sub(" ", text).strip()
    return text if len(text) <= CONTEXT_CHARS else "… " + text[-CONTEXT_CHARS:].split(" ", 1)[-1]


def _found_words(index: CorpusIndex, row: int, words: dict[int, str]) -> str:
    counts = index.words[row]
    return "; ".join(sorted({words[column] for column, count in zip(counts.indices, counts.data)
                             if count and column in words}))


def _summary_line(theme: str, counts: list[str], words: dict[int, str], common: dict, present) -> str:
    """What was sampled for ``theme``, its 20 most frequent near-miss words and the stems left out."""
    frequency = np.asarray(present[:, list(words)].sum(axis=0)).ravel() if words else []
    frequent = [word for _, word in sorted(zip(-np.asarray(frequency), words.values()))[:20]]
    line = (f"{theme}: {', '.join(counts)} paragraphs; {len(words)} near-miss words, the most frequent: "
            f"{', '.join(frequent) or 'none'}")
    if common:
        line += "; stems too common, left out: " + ", ".join(
            f"{word_stem} ({share:.1%})" for word_stem, share in sorted(common.items(), key=lambda item: -item[1]))
    return line


# -- sample --------------------------------------------------------------------------------------

def _check_themes(themes, codebook: Codebook) -> list[str]:
    if themes is None:
        themes = codebook.focus
        if not themes:
            raise ParameterError(f"themes: the codebook {codebook.path} has no focus themes; name the themes to sample")
    themes = list(themes)
    if not themes:
        raise ParameterError("themes: give at least one theme")
    for name in themes:
        if name not in codebook.names:
            raise ParameterError(f"themes: {name!r} is not a theme of {codebook.path} "
                                 f"(its themes: {', '.join(codebook.names)})")
    return [name for name in codebook.names if name in themes]


def sample_frame(index: CorpusIndex, codebook: Codebook, themes: list[str], *, n: int = 50,
                 n_near_miss: int | None = None, seed: int = 0,
                 common_share: float = 0.02) -> tuple[pd.DataFrame, list[str]]:
    """The coding sheet's rows (:data:`SHEET_COLUMNS`, speaker columns only where the corpus has
    them) and one summary line per theme."""
    paragraphs = index.paragraphs.reset_index(drop=True)
    period_of_year = year_periods(paragraphs["year"])
    periods = paragraphs["year"].map(period_of_year).to_numpy()
    period_order = list(dict.fromkeys(period_of_year[year] for year in sorted(period_of_year)))
    documents = index.documents.set_index("doc_id")
    speaker = [name for name in SPEAKER_COLUMNS if name in documents.columns]
    position_of = {key: row for row, key in enumerate(zip(paragraphs["doc_id"], paragraphs["position"]))}
    rows, summary, words_of, present = [], [], {}, word_presence(index)
    for theme_name in themes:
        words, common = near_miss_words(codebook[theme_name], index, common_share, present)
        words_of[theme_name] = words
        matched = _matched_rows(index, theme_name)
        has_word = (np.flatnonzero(np.asarray(present[:, list(words)].sum(axis=1)).ravel())
                    if words else np.array([], dtype=int))
        counts = []
        for stratum, members, size in (("matched", matched, n), ("near_miss", np.setdiff1d(has_word, matched),
                                                                  n_near_miss or n)):
            cells = [members[periods[members] == period] for period in period_order]
            allocation = allocate_sample([len(cell) for cell in cells], size)
            for period, cell, k in zip(period_order, cells, allocation):
                chosen = cell[_cell_random(seed, theme_name, stratum, period).permutation(len(cell))[:k]]
                rows += [(theme_name, stratum, period, len(cell), len(cell) / k, int(row)) for row in chosen]
            counts.append(f"{stratum.replace('_', ' ')} {sum(allocation)} of {len(members):,}")
        summary.append(_summary_line(theme_name, counts, words, common, present))
    theme_rank = {name: i for i, name in enumerate(themes)}
    rows.sort(key=lambda r: (theme_rank[r[0]], r[5], STRATA.index(r[1])))
    records, numbers = [], {}
    for theme_name, stratum, period, cell_size, weight, row in rows:
        theme = codebook[theme_name]
        paragraph = paragraphs.iloc[row]
        text = paragraph["text"]
        matches = theme.find(text) if stratum == "matched" else []
        before = position_of.get((paragraph["doc_id"], paragraph["position"] - 1))
        after = position_of.get((paragraph["doc_id"], paragraph["position"] + 1))
        numbers[theme_name] = numbers.get(theme_name, 0) + 1
        record = {"row_id": f"{theme_name}-{numbers[theme_name]:03d}", "theme": theme_name, "stratum": stratum,
                  "period": period, "stratum_size": cell_size, "weight": weight, "doc_id": paragraph["doc_id"],
                  "year": int(paragraph["year"])}
        record.update({name: documents.at[paragraph["doc_id"], name] for name in speaker})
        record.update({"paragraph_id": paragraph["paragraph_id"],
                       "patterns": "; ".join(dict.fromkeys(m.pattern for m in matches)),
                       "near_miss_words": _found_words(index, row, words_of[theme_name]),
                       "context_before": _tail(paragraphs.at[before, "text"]) if before is not None else "",
                       "passage": _marked(text, [(m.start, m.end) for m in matches]),
                       "context_after": _head(paragraphs.at[after, "text"]) if after is not None else "",
                       "relevant": "", "note": "", "codebook_digest": codebook.patterns_digest})
        records.append(record)
    columns = [name for name in SHEET_COLUMNS if name not in SPEAKER_COLUMNS or name in speaker]
    return pd.DataFrame(records, columns=columns), summary


def sample_sheet(corpus, codebook, *, out, themes=None, n: int = 50, seed: int = 0, text_column: str = "text",
                 n_near_miss: int | None = None, common_share: float = 0.02, cache_dir=".cache/index") -> str:
    """Write the coding sheet ``out`` (CSV) and its HTML copy beside it; return a summary."""
    n = check_int("n", n, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    if n_near_miss is not None:
        n_near_miss = check_int("n_near_miss", n_near_miss, minimum=1)
    common_share = check_number("common_share", common_share, minimum=0, maximum=1, exclusive_minimum=True)
    out = Path(out)
    if out.suffix.lower() != ".csv":
        raise ParameterError(f"out={str(out)!r}: the coding sheet is a .csv file")
    if Path(corpus).exists() and out.resolve().is_relative_to(corpus_root(corpus)):
        raise ParameterError(f"out={str(out)!r} lies inside the corpus folder {corpus_root(corpus)}; the corpus is "
                             "never written to: choose a file outside it")
    parsed = read_codebook(codebook)
    themes = _check_themes(themes, parsed)
    index = open_index(corpus, codebook, text_column=text_column, cache_dir=cache_dir)
    sheet, summary = sample_frame(index, parsed, themes, n=n, n_near_miss=n_near_miss, seed=seed,
                                  common_share=common_share)
    text = sheet.to_csv(index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
    page = out.with_suffix(".html")
    cells = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)  # the page holds the CSV's cells
    atomic_write_text(out, text)
    atomic_write_text(page, sheet_html(cells, parsed, title=out.name))
    return "\n".join([*summary, f"wrote {len(sheet)} rows to {out} and {page}"])


# -- score ---------------------------------------------------------------------------------------

def read_sheet(path) -> pd.DataFrame:
    """A coding sheet as strings, with ``line`` (the CSV line where each row starts) added.
    Stops with a message naming the file and line when it is not a CSV with the sheet's columns."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise AnalysisError(f"{path}: no such coding sheet") from None
    except (OSError, UnicodeDecodeError) as error:
        raise AnalysisError(f"{path}: cannot be read as UTF-8 text ({error})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if not header:
            raise AnalysisError(f"{path}: empty file; expected a coding sheet with columns "
                                f"{', '.join(REQUIRED_COLUMNS)}")
        header = [name.strip() for name in header]
        missing = [name for name in REQUIRED_COLUMNS if name not in header]
        if missing:
            raise AnalysisError(f"{path}, line 1: missing column(s) {', '.join(missing)}")
        records, line = [], reader.line_num + 1
        for values in reader:
            if any(value.strip() for value in values):
                if len(values) != len(header):
                    raise AnalysisError(f"{path}, line {line}: {len(values)} values for {len(header)} columns")
                records.append([line, *values])
            line = reader.line_num + 1
    except csv.Error as error:
        raise AnalysisError(f"{path}, line {reader.line_num}: not a valid CSV ({error})") from None
    return pd.DataFrame(records, columns=["line", *header])


def _where(path, row) -> str:
    return f"{path}, line {row['line']} (row_id {row['row_id']!r})"


def check_sheet(sheet: pd.DataFrame, index: CorpusIndex, codebook: Codebook, path="sheet") -> pd.DataFrame:
    """The sheet with ``relevant`` as 0, 1 or NaN and ``stratum_size`` as a number; stops at
    the first bad row with a message naming its line and column."""
    paragraph_doc = dict(zip(index.paragraphs["paragraph_id"], index.paragraphs["doc_id"]))
    known_docs = set(index.documents["doc_id"])
    seen, cell_sizes = {}, {}
    relevant, sizes = [], []
    for _, row in sheet.iterrows():
        where = _where(path, row)
        row_id = row["row_id"].strip()
        if not row_id:
            raise AnalysisError(f"{path}, line {row['line']}, column row_id: empty")
        if row_id in seen:
            raise AnalysisError(f"{where}, column row_id: {row_id!r} is also the row_id of line {seen[row_id]}")
        seen[row_id] = row["line"]
        value = row["relevant"].strip()
        if value not in ("0", "1", ""):
            raise AnalysisError(f"{where}, column relevant: {row['relevant']!r} is not 0, 1 or blank")
        relevant.append(float(value) if value else np.nan)
        if row["theme"] not in codebook.names:
            raise AnalysisError(f"{where}, column theme: {row['theme']!r} is not a theme of {codebook.path}")
        if row["stratum"] not in STRATA:
            raise AnalysisError(f"{where}, column stratum: {row['stratum']!r} is not one of {', '.join(STRATA)}")
        if row["doc_id"] not in known_docs:
            raise AnalysisError(f"{where}, column doc_id: {row['doc_id']!r} is not a document of the corpus")
        if paragraph_doc.get(row["paragraph_id"]) != row["doc_id"]:
            raise AnalysisError(f"{where}, column paragraph_id: {row['paragraph_id']!r} is not a paragraph of "
                                f"document {row['doc_id']!r} in the corpus")
        try:
            size = int(row["stratum_size"])
            if size < 1:
                raise ValueError
        except ValueError:
            raise AnalysisError(f"{where}, column stratum_size: {row['stratum_size']!r} is not a positive whole "
                                "number") from None
        cell = (row["theme"], row["stratum"], row["period"])
        first = cell_sizes.setdefault(cell, (size, row["line"]))
        if first[0] != size:
            raise AnalysisError(f"{where}, column stratum_size: {size} for {' / '.join(cell)}, but line {first[1]} "
                                f"gives {first[0]}")
        sizes.append(size)
    return sheet.assign(relevant=relevant, stratum_size=sizes)


def score_frame(sheet: pd.DataFrame, index: CorpusIndex, codebook: Codebook) -> tuple[pd.DataFrame, list[str]]:
    """Scores per theme (:data:`SCORE_COLUMNS`) from a checked sheet, and notes for the reader."""
    texts = dict(zip(index.paragraphs["paragraph_id"], index.paragraphs["text"]))
    notes = []
    digests = sorted(set(sheet["codebook_digest"]) - {codebook.patterns_digest})
    if digests:
        notes.append(f"warning: the sheet was sampled with another codebook (digest {digests[0][:12]}, now "
                     f"{codebook.patterns_digest[:12]}); its strata are not a random sample of the current matches, and "
                     "paragraphs the current codebook matches outside the old strata are not in the frame")
    results = []
    for theme_name in [name for name in codebook.names if name in set(sheet["theme"])]:
        theme = codebook[theme_name]
        rows = sheet[sheet["theme"] == theme_name]
        coded = rows[rows["relevant"].notna()].copy()
        uncoded = rows.loc[rows["relevant"].isna(), "row_id"].tolist()
        if uncoded:
            notes.append(f"{theme_name}: {len(uncoded)} uncoded row(s) left out: {', '.join(uncoded[:10])}"
                         + (" ..." if len(uncoded) > 10 else ""))
        found = [theme.find(texts[pid]) for pid in coded["paragraph_id"]]
        coded["matched_now"] = [bool(m) for m in found]
        changed = int((coded["matched_now"] != (coded["stratum"] == "matched")).sum())
        if changed:
            notes.append(f"{theme_name}: {changed} coded row(s) change stratum under the current codebook")
        relevant = coded["relevant"] == 1
        matched = coded["matched_now"]
        tp, fp = int((relevant & matched).sum()), int((~relevant & matched).sum())
        fn, tn = int((relevant & ~matched).sum()), int((~relevant & ~matched).sum())
        precision_low, precision_high = wilson_interval(tp, tp + fp)
        false_positives = {}
        for matches, is_false in zip(found, ~relevant & matched):
            if is_false:
                for pattern in dict.fromkeys(m.pattern for m in matches):
                    false_positives[pattern] = false_positives.get(pattern, 0) + 1
        population = rows.drop_duplicates(["stratum", "period"]).groupby("stratum")["stratum_size"].sum()
        if len(coded):
            cell = coded["period"]
            recall = stratified_recall(relevant & matched, relevant & ~matched, coded["stratum"], cell,
                                       coded["stratum_size"], stratum_sizes=population.to_dict())
            matched_est = stratified_recall(matched, ~matched, coded["stratum"], cell, coded["stratum_size"],
                                            stratum_sizes=population.to_dict())
            matched_total = matched_est.relevant_found
            precision_weighted = recall.relevant_found / matched_total if matched_total else np.nan
        else:
            recall, precision_weighted = None, np.nan
        results.append({
            "theme": theme_name, "coded": len(coded), "uncoded": len(uncoded), "tp": tp, "fp": fp, "fn": fn, "tn": tn,
            "precision": tp / (tp + fp) if tp + fp else np.nan, "precision_low": precision_low,
            "precision_high": precision_high, "precision_weighted": precision_weighted,
            "recall": recall.recall if recall else np.nan, "recall_low": recall.low if recall else np.nan,
            "recall_high": recall.high if recall else np.nan,
            "relevant_matched_est": recall.relevant_found if recall else np.nan,
            "relevant_unmatched_est": recall.relevant_missed if recall else np.nan,
            "matched_population": int(population.get("matched", 0)),
            "near_miss_population": int(population.get("near_miss", 0)),
            "false_positive_patterns": "; ".join(f"{pattern} ({count})" for pattern, count in
                                                 sorted(false_positives.items(), key=lambda item: (-item[1], item[0]))),
        })
    notes.append("recall is over the sampling frame (matched and near-miss paragraphs): relevant paragraphs "
                 "without a match or a near-miss word are outside it")
    return pd.DataFrame(results, columns=SCORE_COLUMNS), notes


def readable_scores(table: pd.DataFrame) -> pd.DataFrame:
    """The score table for the screen: estimates with their intervals, counts, populations."""
    def interval(point, low, high):
        return "" if point != point else f"{point:.3f} [{low:.3f}, {high:.3f}]"

    return pd.DataFrame({
        "theme": table["theme"], "coded": table["coded"], "uncoded": table["uncoded"],
        "TP/FP/FN/TN": [f"{r.tp}/{r.fp}/{r.fn}/{r.tn}" for r in table.itertuples()],
        "precision [95% CI]": [interval(r.precision, r.precision_low, r.precision_high) for r in table.itertuples()],
        "recall [95% CI]": [interval(r.recall, r.recall_low, r.recall_high) for r in table.itertuples()],
        "relevant matched / unmatched (est.)": [
            "" if r.relevant_matched_est != r.relevant_matched_est
            else f"{r.relevant_matched_est:,.1f} / {r.relevant_unmatched_est:,.1f}" for r in table.itertuples()],
        "population matched / near miss": [f"{r.matched_population:,} / {r.near_miss_population:,}"
                                           for r in table.itertuples()]})


def score_sheet(sheet, corpus, codebook, *, out=None, text_column: str = "text", cache_dir=".cache/index") -> str:
    """Check the coded ``sheet``, score each theme; return the notes and the table as text
    (and write the table to ``out`` as CSV when given)."""
    if out is not None and Path(out).suffix.lower() != ".csv":
        raise ParameterError(f"out={str(out)!r}: the scores are written as a .csv file")
    parsed = read_codebook(codebook)
    frame = read_sheet(sheet)
    index = open_index(corpus, codebook, text_column=text_column, cache_dir=cache_dir)
    table, notes = score_frame(check_sheet(frame, index, parsed, path=sheet), index, parsed)
    if out is not None:
        atomic_write_text(out, table.to_csv(index=False, float_format=FLOAT_FORMAT, lineterminator="\n"))
    shown = readable_scores(table).to_string(index=False)
    patterns = [f"{row.theme}: false positives by pattern: {row.false_positive_patterns}"
                for row in table.itertuples() if row.false_positive_patterns]
    return "\n".join([*notes, "", shown, *patterns] + ([f"wrote {out}"] if out is not None else []))


# -- the HTML copy -------------------------------------------------------------------------------

def _highlighted(passage: str, near_words: str) -> str:
    """The passage as HTML: ``[[matches]]`` in <mark>, near-miss words underlined."""
    spans, plain, position = [], [], 0
    for found in MARK.finditer(passage):
        plain.append(passage[position:found.start()])
        start = sum(map(len, plain))
        plain.append(found.group(1))
        spans.append((start, start + len(found.group(1)), "mark"))
        position = found.end()
    plain.append(passage[position:])
    text = "".join(plain)
    words = [w for w in near_words.split("; ") if w]
    if words:
        pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, sorted(words, key=len, reverse=True)))
                             + r")(?!\w)", re.IGNORECASE)
        for found in pattern.finditer(text):
            if not any(s < found.end() and found.start() < e for s, e, _ in spans):
                spans.append((found.start(), found.end(), "near"))
    pieces, position = [], 0
    for start, end, kind in sorted(spans):
        tag = "mark" if kind == "mark" else 'span class="near"'
        pieces += [html.escape(text[position:start]), f"<{tag}>", html.escape(text[start:end]),
                   f"</{tag.split()[0]}>"]
        position = end
    pieces.append(html.escape(text[position:]))
    return "".join(pieces)


PAGE_STYLE = """
body{font:17px/1.55 Georgia,'DejaVu Serif',serif;color:#222;background:#f4f1ea;margin:0}
main{max-width:52em;margin:0 auto;padding:1em 1.2em 6em}
h1{font-size:1.4em;margin:.6em 0 .2em}
h2{font-size:1.15em;margin:2em 0 .4em;border-bottom:2px solid #bbb;scroll-margin-top:3em}
.help,.definition{font-family:system-ui,sans-serif;font-size:.85em;color:#444}
.definition{background:#fff;border-left:4px solid #0072b2;padding:.5em .8em;margin:.5em 0}
summary{cursor:pointer;color:#0072b2}
.bar{position:sticky;top:0;z-index:1;background:#333;color:#fff;font:14px system-ui,sans-serif;padding:.5em 1.2em;
 display:flex;gap:1em;align-items:center}
.bar button{font:inherit;padding:.2em .8em;cursor:pointer} .bar a{color:#ffe08a}
.card{background:#fff;border:1px solid #ccc;border-radius:6px;padding:.8em 1em;margin:1em 0;scroll-margin-top:4em}
.card.focus{outline:3px solid #e69f00}.card.is1{border-left:8px solid #009e73}.card.is0{border-left:8px solid #d55e00}
.meta{font:13px system-ui,sans-serif;color:#555;display:flex;flex-wrap:wrap;gap:.3em .9em}
.meta b{color:#000}.stratum{padding:0 .4em;border-radius:3px;background:#eee}
.context{color:#777;font-size:.9em;margin:.4em 0}
.passage{margin:.4em 0;padding:.3em .6em;background:#fbfaf6;border-radius:4px}
mark{background:#ffe08a;padding:0 .1em} .near{text-decoration:underline dotted #0072b2 2px}
.found{font:13px system-ui,sans-serif;color:#555}
.code{font:14px system-ui,sans-serif;display:flex;gap:.6em;align-items:center;margin-top:.5em}
.code button{font:inherit;padding:.25em .9em;cursor:pointer;border:1px solid #888;border-radius:4px;background:#f6f6f6}
.code button.on1{background:#009e73;color:#fff}.code button.on0{background:#d55e00;color:#fff}
.code input{flex:1;font:inherit;padding:.25em}
"""

PAGE_SCRIPT = """
const rows = JSON.parse(document.getElementById('sheet').textContent);
const columns = JSON.parse(document.getElementById('columns').textContent);
const key = 'coding:' + document.body.dataset.sheet;  // the sheet's checksum: another sheet keeps its own codes
const saved = JSON.parse(localStorage.getItem(key) || '{}');
const cards = [...document.querySelectorAll('.card')];
let current = 0;
function save() { localStorage.setItem(key, JSON.stringify(saved)); }
function show(card) {
  const value = (saved[card.id] || {}).relevant || '';
  card.classList.toggle('is1', value === '1'); card.classList.toggle('is0', value === '0');
  card.querySelector('.b1').classList.toggle('on1', value === '1');
  card.querySelector('.b0').classList.toggle('on0', value === '0');
  document.getElementById('progress').textContent =
    Object.values(saved).filter(v => v.relevant).length + ' of ' + rows.length + ' coded';
}
function focusCard(i) {
  if (i < 0 || i >= cards.length) return;
  cards[current].classList.remove('focus'); current = i; cards[i].classList.add('focus');
  cards[i].scrollIntoView({block: 'center'});
}
function code(card, value, toggle) {
  const entry = saved[card.id] || {}; entry.relevant = toggle && entry.relevant === value ? '' : value;
  saved[card.id] = entry; save(); show(card);
}
cards.forEach((card, i) => {
  const entry = saved[card.id] || {};
  card.querySelector('input').value = entry.note || '';
  card.querySelector('.b1').onclick = () => { focusCard(i); code(card, '1', true); };
  card.querySelector('.b0').onclick = () => { focusCard(i); code(card, '0', true); };
  card.querySelector('input').oninput = e => { (saved[card.id] = saved[card.id] || {}).note = e.target.value; save(); };
  card.onclick = () => { if (current !== i) focusCard(i); };
  show(card);
});
document.addEventListener('keydown', e => {
  if (e.target.tagName === 'INPUT') { if (e.key === 'Escape') e.target.blur(); return; }
  if (e.key === '1' || e.key === '0') { code(cards[current], e.key); focusCard(current + 1); }
  else if (e.key === 'j') focusCard(current + 1);
  else if (e.key === 'k') focusCard(current - 1);
  else if (e.key === 'n') { e.preventDefault(); cards[current].querySelector('input').focus(); }
  else if (e.key === 'u') {
    const next = cards.findIndex((card, i) => i > current && !(saved[card.id] || {}).relevant);
    focusCard(next >= 0 ? next : cards.findIndex(card => !(saved[card.id] || {}).relevant));
  }
  else return;
  e.preventDefault();
});
function cell(value) {
  value = value === null || value === undefined ? '' : String(value);
  return /[",\\r\\n]/.test(value) ? '"' + value.replace(/"/g, '""') + '"' : value;
}
document.getElementById('download').onclick = () => {
  const lines = [columns.join(',')].concat(rows.map(row => columns.map(name => {
    const entry = saved[row.row_id] || {};
    if (name === 'relevant' && entry.relevant !== undefined) return entry.relevant;
    if (name === 'note' && entry.note !== undefined) return cell(entry.note);
    return cell(row[name]);
  }).join(',')));
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([lines.join('\\n') + '\\n'], {type: 'text/csv'}));
  link.download = document.title.replace(/\\.csv$/, '') + '.coded.csv';
  link.click();
};
if (cards.length) cards[0].classList.add('focus');  // no scrolling: a link to a theme (#theme-...) is kept
"""


def sheet_html(sheet: pd.DataFrame, codebook: Codebook, title: str = "coding sheet") -> str:
    """A page to read and code the sheet: each theme's definition, then one card per row."""
    themes = list(dict.fromkeys(sheet["theme"]))
    speaker = [name for name in SPEAKER_COLUMNS if name in sheet.columns]
    labels = {name: codebook[name].label for name in themes}
    body = [f"<h1>Coding sheet <code>{html.escape(title)}</code></h1>",
            "<p class='help'>For each passage decide whether it <b>mentions the theme as its definition below "
            "defines it</b>: <b>1</b> relevant, <b>0</b> not. Judge the passage (grey text is context). "
            "<mark>Highlighted</mark> words are what the codebook matched; <span class='near'>underlined</span> "
            "words are near-miss words (related, not matched). Keys: 1 / 0 code the passage in focus and move "
            "on (a button pressed again clears its code), j / k next / previous, u next uncoded, n write a "
            "note. Your codes stay in this browser; <b>Download</b> saves the coded sheet as CSV for "
            "<code>python -m analysis codebook score</code>.</p>"]
    for name in themes:
        body.append(f"<div class='definition'><b>{html.escape(labels[name])}</b>: "
                    f"{html.escape(codebook[name].description)}</div>")
    for name in themes:
        body.append(f"<h2 id='theme-{html.escape(name)}'>{html.escape(labels[name])}</h2>")
        body.append(f"<details open class='definition'><summary>Definition (click to fold)</summary>"
                    f"{html.escape(codebook[name].description)}</details>")
        for row in sheet[sheet["theme"] == name].itertuples(index=False):
            row = row._asdict()
            meta = [f"<b>{html.escape(row['row_id'])}</b>", html.escape(str(row["doc_id"])), str(row["year"]),
                    *(html.escape(str(row[column])) for column in speaker if str(row[column]) not in ("", "nan")),
                    html.escape(row["paragraph_id"].rsplit(":", 1)[-1]),
                    f"<span class='stratum'>{'matched' if row['stratum'] == 'matched' else 'near miss'}</span>"]
            found = []
            if row["patterns"]:
                found.append(f"patterns: {html.escape(row['patterns'])}")
            if row["near_miss_words"]:
                found.append(f"near-miss words: {html.escape(row['near_miss_words'])}")
            body.append(
                f"<div class='card' id='{html.escape(row['row_id'])}'><div class='meta'>{' · '.join(meta)}</div>"
                + (f"<div class='context'>{html.escape(row['context_before'])}</div>" if row["context_before"] else "")
                + f"<div class='passage'>{_highlighted(row['passage'], row['near_miss_words'])}</div>"
                + (f"<div class='context'>{html.escape(row['context_after'])}</div>" if row["context_after"] else "")
                + f"<div class='found'>{' · '.join(found)}</div>"
                + "<div class='code'><button class='b1'>1 relevant</button><button class='b0'>0 not</button>"
                + "<input placeholder='note'></div></div>")
    data = json.dumps(sheet.astype(object).where(sheet.notna(), "").to_dict("records"), ensure_ascii=False,
                      default=str).replace("</", "<\\/")
    return ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title><style>{PAGE_STYLE}</style></head>"
            f"<body data-sheet='{hashlib.sha256(data.encode('utf-8')).hexdigest()[:16]}'>"
            "<div class='bar'><span id='progress'></span><button id='download'>Download coded sheet (CSV)</button>"
            + "".join(f"<a href='#theme-{html.escape(name)}'>{html.escape(labels[name])}</a>" for name in themes)
            + "</div><main>" + "\n".join(body) + "</main>"
            f"<script type='application/json' id='sheet'>{data}</script>"
            f"<script type='application/json' id='columns'>{json.dumps(list(sheet.columns))}</script>"
            f"<script>{PAGE_SCRIPT}</script></body></html>\n")
