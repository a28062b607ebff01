"""The KWIC explorer: one self-contained HTML page to read every theme mention in its context.

The page holds the rows of the ``theme_kwic`` result (every codebook match of the corpus index)
as compact JSON -- themes, documents and patterns stored once and referred to by number -- and
plain JavaScript that filters them by theme, years, document and words of the context, and
shows them a page at a time. The filter is kept in the address (``kwic.html#theme=cybercrime&
from=2015``), so a view can be linked to. Nothing is fetched: it opens from the file system.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd

from ..errors import AnalysisError
from ..io.tables import atomic_write_text

PAGE = "kwic.html"
ROWS_PER_PAGE = 100
KWIC_COLUMNS = ("doc_id", "year", "paragraph_id", "theme", "pattern", "left", "match", "right")

STYLE = """
body { font-family: sans-serif; margin: 1em auto; max-width: 82em; padding: 0 1em; color: #222; }
form { display: flex; flex-wrap: wrap; gap: .6em 1.2em; align-items: end; margin: 1em 0; }
label { display: flex; flex-direction: column; font-size: 85%; color: #555; }
input, select, button { font-size: 100%; }
#years { display: flex; align-items: end; height: 3em; gap: 1px; margin: .5em 0 0; }
#years div { flex: 1; background: #0072b2; min-height: 1px; cursor: pointer; }
#year-axis { display: flex; justify-content: space-between; font-size: 75%; color: #666; }
#years div.empty { background: #ddd; }
#summary { margin: .4em 0; }
table { border-collapse: collapse; width: 100%; font-size: 90%; table-layout: fixed; }
col.where { width: 13em; } col.theme { width: 10em; } col.match { width: 12em; }
th, td { padding: 2px 6px; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
td.left { text-align: right; white-space: nowrap; overflow: hidden; direction: rtl; }
td.left span { direction: ltr; unicode-bidi: embed; }
td.match { font-weight: bold; text-align: center; }
td.right { white-space: nowrap; overflow: hidden; }
td.where { overflow-wrap: anywhere; font-size: 85%; }
td.where a { color: #0072b2; cursor: pointer; }
.pager { margin: .6em 0; display: flex; gap: .5em; align-items: center; }
.note { color: #555; font-size: 90%; }
"""

SCRIPT = """
"use strict";
const data = JSON.parse(document.getElementById("kwic-data").textContent);
const [THEME, DOC, PARA, PATTERN, LEFT, MATCH, RIGHT] = [0, 1, 2, 3, 4, 5, 6];
const docs = data.documents.map(([id, year]) => ({id, year}));
const docIds = new Set(docs.map(d => d.id));
const years = [...new Set(docs.map(d => d.year))].sort((a, b) => a - b);
const form = document.getElementById("filters");
const field = name => form.elements[name];

function paragraphId(row) {
  return data.paragraph_prefix ? docs[row[DOC]].id + ":" + row[PARA] : row[PARA];
}

function option(value, text) {
  const element = document.createElement("option");
  element.value = value;
  element.textContent = text;
  return element;
}

function fillSelects() {
  const counts = data.themes.map(() => 0);
  for (const row of data.rows) counts[row[THEME]] += 1;
  field("theme").append(option("", "all themes (" + data.rows.length.toLocaleString("en") + ")"));
  data.themes.forEach(([name, label], i) =>
    field("theme").append(option(name, label + " (" + counts[i].toLocaleString("en") + ")")));
  for (const year of years) {
    field("from").append(option(String(year), String(year)));
    field("to").append(option(String(year), String(year)));
  }
}

function readState() {
  const params = new URLSearchParams(location.hash.slice(1));
  return {theme: params.get("theme") || "", from: params.get("from") || String(years[0]),
          to: params.get("to") || String(years[years.length - 1]), doc: params.get("doc") || "",
          q: params.get("q") || "", page: Math.max(1, parseInt(params.get("page") || "1", 10) || 1)};
}

function writeState(state) {
  const params = new URLSearchParams();
  if (state.theme) params.set("theme", state.theme);
  if (state.from !== String(years[0])) params.set("from", state.from);
  if (state.to !== String(years[years.length - 1])) params.set("to", state.to);
  if (state.doc) params.set("doc", state.doc);
  if (state.q) params.set("q", state.q);
  if (state.page > 1) params.set("page", String(state.page));
  const hash = params.toString();
  history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search);
}

function matching(state) {
  const theme = data.themes.findIndex(([name]) => name === state.theme);
  const from = Number(state.from), to = Number(state.to);
  const doc = state.doc.toLowerCase(), exactDoc = docIds.has(state.doc);
  const words = state.q.toLowerCase();
  const found = [];
  for (let i = 0; i < data.rows.length; i++) {
    const row = data.rows[i];
    const d = docs[row[DOC]];
    if (state.theme && row[THEME] !== theme) continue;
    if (d.year < from || d.year > to) continue;
    if (doc && (exactDoc ? d.id !== state.doc : !d.id.toLowerCase().includes(doc))) continue;
    if (words && !(row[LEFT] + row[MATCH] + row[RIGHT]).toLowerCase().includes(words)) continue;
    found.push(i);
  }
  return found;
}

function cell(text, className) {
  const td = document.createElement("td");
  if (className) td.className = className;
  td.textContent = text;
  return td;
}

function renderYears(found, state) {
  const perYear = new Map(years.map(year => [year, 0]));
  for (const i of found) perYear.set(docs[data.rows[i][DOC]].year, perYear.get(docs[data.rows[i][DOC]].year) + 1);
  const most = Math.max(1, ...perYear.values());
  const bars = years.map(year => {
    const bar = document.createElement("div");
    const count = perYear.get(year);
    bar.style.height = (100 * count / most) + "%";
    bar.className = count ? "" : "empty";
    bar.title = year + ": " + count.toLocaleString("en") + " mention" + (count === 1 ? "" : "s");
    bar.addEventListener("click", () => update({...state, from: String(year), to: String(year), page: 1}));
    return bar;
  });
  document.getElementById("years").replaceChildren(...bars);
}

function render(state) {
  const found = matching(state);
  const pages = Math.max(1, Math.ceil(found.length / data.rows_per_page));
  const page = Math.min(state.page, pages);
  const first = (page - 1) * data.rows_per_page;
  const shown = found.slice(first, first + data.rows_per_page);
  const documentsFound = new Set(found.map(i => data.rows[i][DOC])).size;
  document.getElementById("summary").textContent = found.length
    ? "Mentions " + (first + 1).toLocaleString("en") + "–" + (first + shown.length).toLocaleString("en") + " of "
      + found.length.toLocaleString("en") + ", in " + documentsFound.toLocaleString("en") + " document"
      + (documentsFound === 1 ? "" : "s") + "."
    : "No mention matches these filters.";
  const rows = shown.map(i => {
    const row = data.rows[i];
    const tr = document.createElement("tr");
    tr.dataset.theme = data.themes[row[THEME]][0];
    tr.dataset.year = String(docs[row[DOC]].year);
    tr.dataset.doc = docs[row[DOC]].id;
    const where = cell("", "where");
    const link = document.createElement("a");
    link.textContent = paragraphId(row);
    link.title = "only this document";
    link.addEventListener("click", () => update({...state, doc: docs[row[DOC]].id, page: 1}));
    where.append(String(docs[row[DOC]].year) + " ", link);
    const left = cell("", "left");
    const inner = document.createElement("span");
    inner.textContent = row[LEFT];
    left.append(inner);
    const match = cell(row[MATCH], "match");
    match.title = data.themes[row[THEME]][1] + " · pattern " + data.patterns[row[PATTERN]];
    tr.append(where, cell(data.themes[row[THEME]][1]), left, match, cell(row[RIGHT], "right"));
    return tr;
  });
  document.getElementById("rows").replaceChildren(...rows);
  for (const pager of document.querySelectorAll(".pager")) {
    pager.querySelector(".page").textContent = "page " + page + " of " + pages;
    pager.querySelector(".previous").disabled = page <= 1;
    pager.querySelector(".next").disabled = page >= pages;
  }
  renderYears(found, state);
  current = {...state, page};
  writeState(current);
}

let current = null;

function update(state) {
  field("theme").value = state.theme;
  field("from").value = state.from;
  field("to").value = state.to;
  field("doc").value = state.doc;
  field("q").value = state.q;
  render(state);
}

function fromForm() {
  return {theme: field("theme").value, from: field("from").value, to: field("to").value,
          doc: field("doc").value.trim(), q: field("q").value, page: 1};
}

fillSelects();
form.addEventListener("input", () => render(fromForm()));
form.addEventListener("submit", event => event.preventDefault());
form.addEventListener("reset", event => {
  event.preventDefault();
  update({theme: "", from: String(years[0]), to: String(years[years.length - 1]), doc: "", q: "", page: 1});
});
for (const pager of document.querySelectorAll(".pager")) {
  pager.querySelector(".previous").addEventListener("click", () => render({...current, page: current.page - 1}));
  pager.querySelector(".next").addEventListener("click", () => render({...current, page: current.page + 1}));
}
window.addEventListener("hashchange", () => update(readState()));
update(readState());
"""

PAGER = ('<div class="pager"><button type="button" class="previous">‹ previous</button><span class="page"></span>'
         '<button type="button" class="next">next ›</button></div>')


def kwic_payload(kwic: pd.DataFrame, labels: dict[str, str] | None = None) -> dict:
    """The page's data: themes (name, label), documents (id, year), patterns, and one row per
    mention ``[theme, document, paragraph, pattern, left, match, right]`` (numbers index the
    lists), sorted by year and document, each document's mentions in the order of its text.
    Paragraph ids are stored without their document's id when every one starts with it."""
    missing = [column for column in KWIC_COLUMNS if column not in kwic.columns]
    if missing:
        raise AnalysisError(f"theme_kwic: the KWIC table lacks the column(s) {', '.join(missing)}; "
                            "re-run 01_term_trends")
    labels = labels or {}
    rows = kwic.loc[:, list(KWIC_COLUMNS)].copy()
    for column in ("left", "match", "right"):
        rows[column] = rows[column].fillna("").astype(str)
    rows = rows.sort_values(["year", "doc_id"], kind="stable")
    themes = list(dict.fromkeys(rows["theme"]))
    documents = rows[["doc_id", "year"]].drop_duplicates("doc_id")
    patterns = sorted(rows["pattern"].astype(str).unique())
    ids, doc_ids = rows["paragraph_id"].astype(str).tolist(), rows["doc_id"].astype(str).tolist()
    prefix = all(paragraph.startswith(f"{doc}:") for paragraph, doc in zip(ids, doc_ids))
    paragraphs = [paragraph[len(doc) + 1:] for paragraph, doc in zip(ids, doc_ids)] if prefix else ids
    theme_number = {theme: i for i, theme in enumerate(themes)}
    document_number = {doc: i for i, doc in enumerate(documents["doc_id"])}
    pattern_number = {pattern: i for i, pattern in enumerate(patterns)}
    return {
        "themes": [[theme, labels.get(theme, theme)] for theme in themes],
        "documents": [[doc, int(year)] for doc, year in documents.itertuples(index=False)],
        "patterns": patterns,
        "paragraph_prefix": prefix,
        "rows_per_page": ROWS_PER_PAGE,
        "rows": [[theme_number[theme], document_number[doc], paragraph, pattern_number[str(pattern)], left, match,
                  right]
                 for theme, doc, paragraph, pattern, left, match, right in zip(
                     rows["theme"], rows["doc_id"], paragraphs, rows["pattern"], rows["left"], rows["match"],
                     rows["right"])],
    }


def _script_json(value) -> str:
    """JSON to place inside a ``<script>`` element: compact, and no ``<`` that could close it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def kwic_explorer_html(kwic: pd.DataFrame, labels: dict[str, str] | None = None,
                       title: str = "Theme mentions in context") -> str:
    """The explorer page for the KWIC rows ``kwic`` (columns :data:`KWIC_COLUMNS`)."""
    payload = kwic_payload(kwic, labels)
    n_docs, years = len(payload["documents"]), sorted({year for _, year in payload["documents"]})
    span = f"{min(years)}–{max(years)}" if years else "no years"
    heading = html.escape(title)
    n_themes = len(payload["themes"])
    facts = (f"{len(payload['rows']):,} mentions of {n_themes} theme{'s' if n_themes != 1 else ''} "
             f"in {n_docs:,} document{'s' if n_docs != 1 else ''} ({span}).")
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">', f"<title>{heading}</title>",
        f"<style>{STYLE}</style>", "</head>", "<body>",
        f'<p><a href="index.html">← the report</a></p>', f"<h1>{heading}</h1>",
        f"<p>{html.escape(facts)}</p>",
        '<p class="note">Every match of the codebook in the corpus, with the text the corpus index recorded on each '
        'side of it: the rows every count of the report is made of (also in <a href="tables/theme_kwic.csv">'
        'tables/theme_kwic.csv</a>). Filter by theme, years, document (part of its id, or click a paragraph) or words '
        'of the context. The bars count the mentions per year under the filter, one bar for each year with a '
        'mention (click one to keep that year). '
        'The address keeps the filter, so a view can be linked to.</p>',
        '<form id="filters">',
        '<label>theme <select name="theme"></select></label>',
        '<label>from <select name="from"></select></label>', '<label>to <select name="to"></select></label>',
        '<label>document <input name="doc" type="search" placeholder="id or part of it"></label>',
        '<label>context contains <input name="q" type="search"></label>',
        '<button type="reset">show all</button>', "</form>",
        f'<div aria-hidden="true" style="max-width: {3 * len(years)}em"><div id="years"></div>'
        f'<div id="year-axis"><span>{years[0] if years else ""}</span><span>{years[-1] if years else ""}</span></div>'
        "</div>", '<p id="summary"></p>', PAGER,
        '<table><colgroup><col class="where"><col class="theme"><col><col class="match"><col></colgroup>'
        "<thead><tr><th>year · paragraph</th><th>theme</th><th>left</th><th>match</th><th>right</th></tr>"
        '</thead><tbody id="rows"></tbody></table>', PAGER,
        "<noscript>This page needs JavaScript to show the mentions; they are also in tables/theme_kwic.csv."
        "</noscript>",
        f'<script type="application/json" id="kwic-data">{_script_json(payload)}</script>',
        f"<script>{SCRIPT}</script>", "</body>", "</html>", ""])


def write_kwic_explorer(reports_dir: str | Path, kwic: pd.DataFrame, labels: dict[str, str] | None = None) -> Path:
    """``<reports_dir>/kwic.html``, written atomically."""
    return atomic_write_text(Path(reports_dir) / PAGE, kwic_explorer_html(kwic, labels))
