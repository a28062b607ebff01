"""The start page of a report, ``<reports_dir>/index.html``: the story first, the evidence after.

From the top: the study's question and this run's corpus; the key findings of the run (first
appearances, the focus themes' rates, the claims and how robust they are), every sentence made
by :mod:`analysis.report.story` from the run's results; links to the notebooks and the
interactive pages (the KWIC explorer among them); the figures as linked thumbnails with a
one-line caption; the tables with a one-line description; and at the bottom the provenance:
what changed since the last run, the corpus fingerprint, each notebook's parameters, the
software versions.

Results are read through the result store: one that is missing leaves its part out, one made
from another corpus index is left out with the store's message. Captions and descriptions are
written here, once per figure and table the notebooks make (a name with ``{}`` stands for the
names a notebook makes in a loop); an unknown one still appears, marked "no description".
Nothing here records a time, and every list is sorted, so the same run gives the same page.
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from ..errors import AnalysisError
from ..io.tables import atomic_write_text
from . import story
from .kwic_explorer import PAGE as KWIC_PAGE, write_kwic_explorer
from .results import MissingResult, ResultStore

TITLE = "How do new issues enter the agenda?"
NO_DESCRIPTION = "no description"

# One line per table the notebooks export (tables/<name>.csv): what a row is, what it holds.
TABLE_DESCRIPTIONS = {
    "corpus_overview": "One row per document: date, body, type, words, and paragraphs by kind.",
    "paragraph_kinds": "Paragraph lengths in word tokens for each kind of paragraph (heading, preamble, operative, "
                       "body).",
    "theme_kwic": "Every codebook match: document, paragraph, theme, pattern and the text either side — what every "
                  "count is made of.",
    "theme_frequencies": "Mentions of each theme in each document (zeros included), with word tokens and the rate per "
                         "10,000 words.",
    "theme_emergence": "Each theme's first year, document and paragraph, its peak year and rate, and how many years "
                       "it is found in.",
    "theme_trends": "Each theme's mentions and rate per 10,000 words by year, with a bootstrap 95 % interval where "
                    "a year has several documents.",
    "theme_diffusion": "Per theme and year: the speakers heard, those who mention the theme, their share, and the "
                       "cumulative share that ever has.",
    "first_speakers": "The first speakers to raise each theme, in the order they did, with the passage.",
    "theme_shares": "Per theme and year: the rate per 10,000 words and the share of the year's documents that "
                    "mention it.",
    "distinctive_terms": "The most distinctive terms of each period against all other years (G², p-value, log ratio).",
    "term_trends": "Relative frequency by year of the chosen terms and of each period's distinctive terms.",
    "keyness": "Log-likelihood keyness (G², p-value, log ratio) of every term: the later period against the earlier, "
               "and each document against the others.",
    "emergent_terms": "Terms no earlier document uses: the year and document that first use them, and their use from "
                      "then on.",
    "topic_model_selection": "Coherence (c_v, c_npmi) and diversity of every topic model fitted, by family, number "
                             "of topics and seed.",
    "topic_stability": "How alike the topics of different seeds are, by family and number of topics, and the seed "
                       "that represents them.",
    "topic_terms": "The top terms of each topic of the chosen models, with their weights.",
    "topic_labels": "The label (top terms) of each topic of the chosen models.",
    "doc_topics": "The share of each topic in each modelled unit (paragraph or document).",
    "topic_prevalence": "The share of each year's text in each topic.",
    "topic_examples": "The units most representative of each topic, with their text.",
    "topic_themes": "Each topic's share on each focus theme's terms, with the test against random terms and the "
                    "agreement with the theme's yearly rate.",
    "topic_theme_carriers": "The topic that carries each focus theme, and its share of the text by year.",
    "topic_evolution": "The top terms of each topic year by year, from the dynamic topic model.",
    "similarity_{}": "Similarity of every pair of documents (or years) by the {} measure.",
    "paragraph_reuse": "Each paragraph's closest paragraph in an earlier document (TF-IDF cosine).",
    "novel_paragraphs": "Paragraphs with no close match in any earlier document, with the themes they mention.",
    "shared_passages": "Word-for-word passages two documents share.",
    "shared_passage_pairs": "For each pair of documents: how many passages and words they share.",
    "similarity_validation": "TF-IDF cosine against human similarity ratings (Lee, Pincombe & Welsh 2005).",
    "novelty_calibration": "The novelty threshold on hand-labelled paragraph pairs: precision (Wilson interval) "
                           "and recall of \"new\", and the share of paragraphs it calls new.",
    "topic_k_by_score": "The number of topics each score would pick, within one standard error over seeds, and "
                        "whether it is at the edge of the grid.",
    "topic_evolution_changes": "Per dynamic topic: in how many years its top terms change, and which terms entered "
                               "and left.",
    "seeded_prevalence": "The share of each year's text in each seeded (theme) topic, with its band over seeds and a "
                         "bootstrap of documents.",
    "seeded_terms": "The top terms of each seeded topic in every fit, seed words marked.",
    "topic_convergence": "The log-likelihood per word of each Gibbs-sampled topic model every 10 iterations: "
                         "whether its chain had settled.",
    "seeded_convergence": "The log-likelihood per word of each seeded fit every 10 iterations.",
    "robustness": "Every claim under every perturbation that could break it: holds, does not hold or cannot be "
                  "measured, and the value the perturbed corpus gives.",
    "robustness_summary": "Each claim: under how many perturbations it holds, fails or cannot be measured, and "
                          "what breaks it.",
    "table_emergence": "For a paper: the first and peak year of each theme.",
    "table_keyness": "For a paper: the terms most over-used from the split year on.",
    "table_topics": "For a paper: the topics of the chosen models and their top terms.",
}

# One line per figure the notebooks save (figures/<name>.png).
FIGURE_CAPTIONS = {
    "corpus_timeline": "Documents and words per year.",
    "paragraph_lengths": "The length of every paragraph in word tokens, by document and kind.",
    "agenda_emergence_heatmap": "Every theme's rate per 10,000 words by year, colour and number alike, years at "
                                "their true distance; focus themes on top.",
    "focus_theme_rates": "The focus themes' rates per 10,000 words by year.",
    "theme_entry_years": "Each theme's first mention and entry year, with the bootstrap interval of the entry year.",
    "theme_diffusion": "The share of speakers that mention each focus theme, by year and cumulated.",
    "theme_rate_and_share": "Each focus theme's rate per 10,000 words beside the share of documents mentioning it, "
                            "by year.",
    "term_trends": "Relative frequency by year of the chosen terms and each period's most distinctive terms.",
    "keyness_split": "The terms most over- and under-used from the split year on (log-likelihood G²).",
    "topic_selection": "Coherence, diversity and stability of the topic models by number of topics; the chosen "
                       "number marked.",
    "topic_terms_{}": "The top terms of each topic of the {} model.",
    "topic_themes_{}": "The share of each topic of the {} model on the focus themes' terms.",
    "topic_prevalence_{}": "The share of each year's text in each topic of the {} model.",
    "topic_evolution": "The top terms of each topic over the years (dynamic topic model).",
    "similarity_{}": "Similarity between documents (or years) by the {} measure, in date order.",
    "seeded_prevalence": "Each seeded theme topic's share of the text by year, with its uncertainty band.",
    "robustness": "The share of the perturbations each claim could be measured under that it survives.",
    "agenda_summary": "The summary: rates of every theme and of the focus themes by year, topic shares by year, "
                      "and document similarity.",
}

# One line per interactive page.
PAGE_DESCRIPTIONS = {
    KWIC_PAGE[:-len(".html")]: "Every theme mention in its context, filtered by theme, year and document.",
    "topics_{}": "A browser of the {} topics and their terms (pyLDAvis).",
}

METHOD = ("How to read this: a mention is one match of a codebook pattern in a paragraph (each is a row of the KWIC "
          "explorer); rates are mentions per 10,000 word tokens of the documents of a year or period. A claim is "
          "recomputed with each document and each speaker left out, each codebook pattern dropped, stricter entry "
          "rules, another normalisation and, for the topic claim, other numbers of topics, seeds and model families: "
          f"robust when it holds under at least {story.ROBUST_SHARE:.0%} of those it can be measured under, fragile "
          f"under fewer than {story.MIXED_SHARE:.0%}.")

STYLE = """
body { font-family: sans-serif; max-width: 72em; margin: 1em auto; padding: 0 1em; color: #222; line-height: 1.4; }
header p.lede { font-size: 110%; color: #444; }
nav { margin: .5em 0 1.5em; } nav a { margin-right: 1em; }
h2 { border-bottom: 1px solid #ddd; padding-bottom: .2em; margin-top: 1.8em; }
.warning { background: #fff3e0; border-left: 4px solid #e69f00; padding: .3em 1em; }
.method, .note { color: #555; font-size: 90%; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(15em, 1fr)); gap: 1.2em; }
figure { margin: 0; } figure img { width: 100%; height: 11em; object-fit: contain; border: 1px solid #eee; }
figcaption { font-size: 90%; } figcaption .files { color: #666; font-size: 90%; }
table { border-collapse: collapse; } td, th { border-bottom: 1px solid #e4e4e4; padding: 3px 8px; text-align: left;
vertical-align: top; } td.number { text-align: right; } code { font-size: 85%; word-break: break-all; }
.unknown { color: #b00; } details { margin: .3em 0; }
"""


# How the part of a name that ``{}`` stands for is written in a line (other parts: as they are).
NAME_PARTS = {"lda": "LDA", "nmf": "NMF", "tfidf": "TF-IDF cosine", "jaccard": "Jaccard token overlap",
              "themes": "theme-profile cosine", "topics": "topic-share (1 − Jensen-Shannon distance)"}


def description_for(name: str, registry: dict[str, str]) -> str | None:
    """The registry's line for ``name``: its own entry, or that of a pattern with ``{}`` (the
    part ``{}`` stands for is put into the line); None when there is none."""
    if name in registry:
        return registry[name]
    for key, line in sorted(registry.items()):
        if "{}" in key:
            prefix, suffix = key.split("{}", 1)
            found = re.fullmatch(re.escape(prefix) + r"(.+)" + re.escape(suffix), name)
            if found:
                return line.format(NAME_PARTS.get(found.group(1), found.group(1)))
    return None


class RunResults:
    """The results of a run that the start page reads, through the result store (which checks
    their checksums and that they come from this run's corpus index). A missing result is None;
    a stale or damaged one is None too, and its message kept in ``notes``."""

    def __init__(self, reports_dir: str | Path, index_key: str):
        self.store = ResultStore(Path(reports_dir) / "results", index_key=index_key, notebook="start_page")
        self.notes: list[str] = []
        self._read: dict[str, pd.DataFrame | None] = {}

    def table(self, name: str) -> pd.DataFrame | None:
        if name not in self._read:
            try:
                self._read[name] = self.store.get(name, pd.DataFrame)
            except MissingResult:
                self._read[name] = None
            except AnalysisError as error:
                self.notes.append(str(error))
                self._read[name] = None
        return self._read[name]

    def parameter(self, name: str, parameter: str):
        """A parameter of the notebook that made result ``name``, from its sidecar."""
        try:
            meta = json.loads((self.store.folder / f"{name}.meta.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return meta.get("parameters", {}).get(parameter)


def theme_labels(emergence: pd.DataFrame | None, table_emergence: pd.DataFrame | None) -> dict[str, str]:
    """Theme names to the codebook's labels. Only the paper table ``table_emergence`` (notebook
    04) carries the labels, row for row with ``theme_emergence``; the rows are matched by their
    first paragraph and peak year, and when they do not match the names are used."""
    if emergence is None or table_emergence is None or len(emergence) != len(table_emergence):
        return {}
    same = (emergence["first_paragraph_id"].fillna("").astype(str).to_numpy()
            == table_emergence["First paragraph"].fillna("").astype(str).to_numpy()).all() and (
        emergence["peak_year"].fillna(-1).astype(int).to_numpy()
        == table_emergence["Peak year"].fillna(-1).astype(int).to_numpy()).all()
    return dict(zip(emergence["theme"], table_emergence["Theme"].astype(str))) if same else {}


def focus_themes(summary: pd.DataFrame | None, topic_themes: pd.DataFrame | None) -> list[str]:
    """The focus themes of the run: those whose claims were tested (``robustness_summary``), or
    else those whose topic shares were measured (``topic_themes``), in the order found."""
    if summary is not None and len(summary):
        return list(dict.fromkeys(claim.partition(": ")[0] for claim in summary["claim"]))
    if topic_themes is not None and len(topic_themes):
        return list(dict.fromkeys(topic_themes["theme"]))
    return []


def _list(lines: list[str]) -> list[str]:
    return ["<ul>"] + [f"<li>{html.escape(line)}</li>" for line in lines] + ["</ul>"]


def findings(results: RunResults) -> tuple[list[str], str, dict[str, str]]:
    """The findings section's HTML lines, the lede (this run's corpus in one sentence) and the
    theme labels, all from the run's results."""
    overview = results.table("corpus_overview")
    emergence = results.table("theme_emergence")
    trends = results.table("theme_trends")
    kwic = results.table("theme_kwic")
    summary = results.table("robustness_summary")
    labels = theme_labels(emergence, results.table("table_emergence"))
    focus = focus_themes(summary, results.table("topic_themes"))
    parts = ['<section id="findings">', "<h2>Key findings of this run</h2>"]
    if overview is not None and len(overview):
        first_year = int(overview["year"].min())
        lede = (f"This run: {len(overview):,} documents from {first_year} to {int(overview['year'].max())}, "
                f"{int(overview['words'].sum()):,} words")
        parts += ["<h3>The corpus</h3>", *_list(story.corpus_limitations(overview))]
    elif trends is not None and len(trends):
        first_year = int(trends["year"].min())
        lede = f"This run: documents from {first_year} to {int(trends['year'].max())}"
    else:
        first_year, lede = None, "This run"
    if emergence is not None:
        themes = emergence["theme"].tolist()
        shown = [t for t in focus if t in themes] or themes
        lede += (f"; {len(themes)} codebook themes" + (f", {len(focus)} of them in focus: "
                 + ", ".join(labels.get(t, t) for t in focus) if focus else "") + ".")
        sentences = story.first_appearances(emergence, kwic, labels, shown, first_year)
        mentioned = set() if kwic is None else set(kwic["theme"])
        parts += ["<h3>First appearances</h3>", "<ul>"]
        parts += [f"<li>{html.escape(sentence)}"
                  + (f' <a href="{KWIC_PAGE}#theme={quote(theme)}">Read the mentions.</a>' if theme in mentioned
                     else "") + "</li>" for theme, sentence in zip(shown, sentences)]
        parts.append("</ul>")
        others = [t for t in themes if t not in shown]
        if others:
            brief = story.first_years_in_brief(emergence, labels, others, first_year)
            parts.append(f"<p>The other themes. {html.escape(brief)}</p>")
        if trends is not None:
            split_year = results.parameter("theme_trends", "split_year")
            parts += [f"<h3>{'The focus themes' if focus else 'The themes'} over time</h3>",
                      *_list(story.theme_trend_sentences(trends, emergence, labels, shown, split_year))]
    else:
        lede += "."
        parts.append('<p class="note">No theme results in this report (no <code>theme_emergence</code>).</p>')
    if summary is not None:
        parts += ["<h3>The claims, and how robust they are</h3>", *_list(story.claim_sentences(summary, labels))]
    if results.notes:
        parts += ['<p class="note">Left out of these findings:</p>', *_list(results.notes)]
    parts += [f'<p class="method">{html.escape(METHOD)}</p>', "</section>"]
    return parts, lede, labels


def _href(target: Path, base: Path) -> str:
    return html.escape(Path(os.path.relpath(target, base)).as_posix())


def _link(target: Path, base: Path, text: str | None = None) -> str:
    return f'<a href="{_href(target, base)}">{html.escape(text or target.name)}</a>'


def _describe(name: str, registry: dict[str, str]) -> str:
    line = description_for(name, registry)
    return html.escape(line) if line else f'<span class="unknown">{NO_DESCRIPTION}</span>'


def _notebook_title(executed: Path) -> str:
    """The first heading of a notebook's first Markdown cell ("01 · When did ..."), or its name."""
    try:
        cells = json.loads(executed.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return executed.stem
    for cell in cells:
        if cell.get("cell_type") == "markdown":
            source = "".join(cell.get("source", []))
            heading = next((line[2:].strip() for line in source.splitlines() if line.startswith("# ")), None)
            return heading or executed.stem
    return executed.stem


def explore(reports: Path) -> list[str]:
    """The notebooks (HTML and ipynb) and the interactive pages."""
    parts = ['<section id="explore">', "<h2>Read further</h2>", "<ul>"]
    for executed in sorted(reports.glob("[0-9]*.ipynb")):
        if executed.name.endswith(".failed.ipynb"):
            continue
        parts.append(f"<li>{_link(executed.with_suffix('.html'), reports, _notebook_title(executed))} "
                     f"({_link(executed, reports, 'ipynb')})</li>")
    for page in sorted(p for p in reports.glob("*.html") if not p.name[0].isdigit() and p.name != "index.html"):
        parts.append(f"<li>{_link(page, reports)}: {_describe(page.stem, PAGE_DESCRIPTIONS)}</li>")
    return parts + ["</ul>", "</section>"]


def figures_section(records: list[dict], reports: Path, figures: Path) -> list[str]:
    """The figures in the order of the notebooks that made them, as linked thumbnails."""
    parts = ['<section id="figures">', "<h2>Figures</h2>", '<div class="figures">']
    for record in sorted(records, key=lambda r: (str(r["notebook"]), r["figure"])):
        name = html.escape(record["figure"])
        png = next((f["file"] for f in record["files"] if f["file"].endswith(".png")), None)
        files = " · ".join(_link(figures / f["file"], reports, f["file"].rsplit(".", 1)[1].upper())
                           for f in record["files"])
        image = (f'<a href="{_href(figures / png, reports)}"><img src="{_href(figures / png, reports)}" alt="{name}" '
                 'loading="lazy"></a>' if png else "")
        parts.append(f"<figure>{image}<figcaption><strong>{name}</strong>: "
                     f"{_describe(record['figure'], FIGURE_CAPTIONS)} <span class=\"files\">{files} · "
                     f"{html.escape(str(record['notebook']))}</span></figcaption></figure>")
    parts += ["</div>", f"<p>{_link(figures / 'manifest.json', reports, 'manifest.json')}: every figure with its "
                        "notebook, parameters and file hashes.</p>", "</section>"]
    return parts


def tables_section(reports: Path) -> list[str]:
    """The exported tables in the order of the notebooks that made them (as their results'
    sidecars say; a table without one comes last), with their rows and description."""
    found = []
    for table in (reports / "tables").glob("*.csv"):
        try:
            meta = json.loads((reports / "results" / f"{table.stem}.meta.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {}
        found.append((str(meta.get("producer", "~")), table.name, table, meta.get("rows")))
    parts = ['<section id="tables">', "<h2>Tables</h2>",
             "<table><tr><th>table</th><th>rows</th><th>what it holds</th><th>made by</th></tr>"]
    for producer, _, table, rows in sorted(found):
        tex = table.with_suffix(".tex")
        links = _link(table, reports) + (f" · {_link(tex, reports)}" if tex.exists() else "")
        parts.append(f"<tr><td>{links}</td><td class=\"number\">{f'{rows:,}' if isinstance(rows, int) else ''}</td>"
                     f"<td>{_describe(table.stem, TABLE_DESCRIPTIONS)}</td>"
                     f"<td>{html.escape(producer if producer != '~' else '')}</td></tr>")
    return parts + ["</table>", "</section>"]


def provenance_section(reports: Path, fingerprint: dict, versions: dict, changes: list[str]) -> list[str]:
    esc = html.escape
    parts = ['<section id="provenance">', "<h2>Provenance</h2>", "<h3>Changes since the last run</h3>",
             *_list(changes), "<h3>Corpus fingerprint</h3>", "<table>"]
    parts += [f"<tr><th>{esc(k)}</th><td><code>{esc(str(v))}</code></td></tr>" for k, v in fingerprint.items()]
    parts += ["</table>", "<h3>Parameters of each notebook</h3>"]
    for executed in sorted(reports.glob("[0-9]*.ipynb")):
        if executed.name.endswith(".failed.ipynb"):
            continue
        record_file = reports / "parameters" / f"{executed.stem}.json"
        record = json.loads(record_file.read_text(encoding="utf-8")) if record_file.exists() else {}
        rows = "".join(f"<tr><th>{esc(k)}</th><td><code>{esc(json.dumps(v, default=str))}</code></td></tr>"
                       for k, v in sorted(record.get("parameters", {}).items()))
        parts.append(f"<details><summary>{esc(executed.stem)}</summary><table>{rows}</table></details>")
    parts += ["<h3>Software</h3>", "<table>"]
    parts += [f"<tr><th>{esc(k)}</th><td>{esc(str(v))}</td></tr>" for k, v in versions.items()]
    return parts + ["</table>", "</section>"]


def write_start_page(reports_dir: str | Path, figures_dir: str | Path, index_key: str, figures: list[dict],
                     fingerprint: dict, versions: dict, changes: list[str], stale: list[str] = ()) -> Path:
    """Write the KWIC explorer (when the run stored its KWIC rows; an old one is removed when it
    did not) and ``<reports_dir>/index.html``; ``figures`` are the figure records of the run."""
    reports, figures_folder = Path(reports_dir).resolve(), Path(figures_dir).resolve()
    results = RunResults(reports, index_key)
    found, lede, labels = findings(results)
    kwic = results.table("theme_kwic")
    if kwic is not None:
        write_kwic_explorer(reports, kwic, labels)
    else:
        (reports / KWIC_PAGE).unlink(missing_ok=True)
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{html.escape(TITLE)}</title>", f"<style>{STYLE}</style>", "</head>", "<body>",
             f"<header><h1>{html.escape(TITLE)}</h1><p class=\"lede\">{html.escape(lede)}</p></header>",
             '<nav><a href="#findings">Findings</a><a href="#explore">Notebooks and pages</a>'
             '<a href="#figures">Figures</a><a href="#tables">Tables</a><a href="#provenance">Provenance</a></nav>']
    if stale:
        parts += ['<div class="warning"><p><strong>Out of date: parts of this report do not agree with each other.'
                  "</strong></p>", *_list(list(stale)), "</div>"]
    parts += found + explore(reports) + figures_section(figures, reports, figures_folder) + tables_section(reports)
    parts += provenance_section(reports, fingerprint, versions, changes) + ["</body>", "</html>"]
    return atomic_write_text(reports / "index.html", "\n".join(parts) + "\n")
