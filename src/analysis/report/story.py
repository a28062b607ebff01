"""Prose generated from a run's results: every sentence that states a finding is built here from
the tables of that run, never written by hand in a notebook."""

from __future__ import annotations

import math

import pandas as pd

from ..models.topic_tables import carrier_evidence
from ..synthesis.robustness import robustness_findings


def emergence_summary(emergence: pd.DataFrame, kwic: pd.DataFrame, labels: dict[str, str], themes: list[str],
                      n_years: int, corpus_first_year: int | None = None) -> str:
    """A Markdown paragraph per theme: where it first appears (quoted from its KWIC row), when it
    peaks, and in how many of the ``n_years`` years it is found. A theme already mentioned in
    ``corpus_first_year`` is not said to "first appear" there: the corpus cannot show earlier."""
    lines = []
    table = emergence.set_index("theme")
    for theme in themes:
        label = labels.get(theme, theme)
        row = table.loc[theme]
        if pd.isna(row["first_year"]):
            lines.append(f"- **{label}** is never mentioned.")
            continue
        first = kwic[(kwic["theme"] == theme) & (kwic["paragraph_id"] == row["first_paragraph_id"])].iloc[0]
        quote = f"…{first['left'][-40:]}**{first['match']}**{first['right'][:40]}…"
        opening = (f"is already mentioned in {row['first_year']}, the corpus's first year (no earlier year can be "
                   "observed)" if row["first_year"] == corpus_first_year else f"first appears in {row['first_year']}")
        lines.append(
            f"- **{label}** {opening} (`{row['first_paragraph_id']}`): {quote} "
            f"Its rate peaks in {row['peak_year']} at {row['peak_per_10k']:.1f} mentions per 10,000 words; "
            f"it is found in {row['years_present']} of the {n_years} years with documents.")
    return "\n".join(lines)



def corpus_limitations(summary: pd.DataFrame) -> list[str]:
    """Sentences on what the corpus can support, from notebook 00's ``corpus_overview``:
    documents per year, the mix of genres and bodies, and the spread of document lengths."""
    per_year = summary.groupby("year").size()
    lines = [f"{len(summary):,} documents over {per_year.size} years ({summary['year'].min()}-{summary['year'].max()}); "
             f"{(per_year == 1).sum()} years have a single document, the most in one year is {per_year.max()}."]
    for column, name in (("doc_type", "genres"), ("body", "bodies")):
        if column in summary:
            counts = summary[column].value_counts()
            lines.append(f"{counts.size} {name}: " + ", ".join(f"{k} ({v})" for k, v in counts.head(8).items())
                         + ("; ..." if counts.size > 8 else "") + ".")
    words = summary["words"]
    lines.append(f"Documents run from {words.min():,} to {words.max():,} words (median {int(words.median()):,}); "
                 "rates per 10,000 words let short and long documents be compared, but a short document gives a "
                 "noisy rate.")
    if (per_year == 1).all():
        lines.append("With one document a year, every change over time is also a change of document, and often of "
                     "body and genre: the corpus cannot separate the agenda's evolution from its sources.")
    return lines


def claim_limitations(frequencies: pd.DataFrame, documents: pd.DataFrame, focus: list[str],
                      labels: dict[str, str], written_from, speaker_column: str | None = None) -> list[str]:
    """What each focus theme's claims rest on, from ``theme_frequencies``: its mentions,
    documents, years and speakers, whether one document carries it all, whether its first year is
    the corpus's first (so it cannot be a first appearance), and whether the codebook was written
    from these same documents (``written_from``)."""
    lines = []
    in_sample = sorted(set(written_from) & set(documents["doc_id"]))
    if in_sample:
        lines.append(f"The codebook's patterns were written from {len(in_sample)} of these {len(documents):,} "
                     "documents: its counts on them are in-sample, and reading them cannot validate it "
                     "(the out-of-sample check is in `data/validation/`).")
    elif written_from:
        lines.append("None of these documents is among those the codebook was written from: its counts here are "
                     "out of sample.")
    else:
        lines.append("The codebook does not say which documents it was written from (`written_from`).")
    first_year = int(documents["year"].min())
    for theme in focus:
        found = frequencies[(frequencies["theme"] == theme) & (frequencies["count"] > 0)]
        label = labels.get(theme, theme)
        if found.empty:
            lines.append(f"{label}: never mentioned, so no claim rests on it.")
            continue
        n_docs, n_years = found["doc_id"].nunique(), found["year"].nunique()
        sentence = (f"{label}: {int(found['count'].sum()):,} mentions in {n_docs:,} document{'s' * (n_docs > 1)} "
                    f"over {n_years} year{'s' * (n_years > 1)}")
        if speaker_column and speaker_column in documents:
            speakers = documents.loc[documents["doc_id"].isin(set(found["doc_id"])), speaker_column].nunique()
            sentence += f", from {speakers} {speaker_column} value{'s' * (speakers > 1)}"
        if n_docs == 1:
            sentence += f"; every claim about it rests on one document ({found['doc_id'].iloc[0]})"
        if int(found["year"].min()) == first_year:
            sentence += (f"; its first year, {first_year}, is the corpus's first: the theme may have been on the "
                         "agenda before the corpus begins")
        lines.append(sentence + ".")
    return lines


def _quote(first: pd.Series, limit: int = 400) -> str:
    """The paragraph of a first mention, or, when it is long, the mention in its context."""
    text = " ".join(str(first["text"]).split())
    if len(text) <= limit:
        return text
    left, right = ("" if pd.isna(first[side]) else first[side] for side in ("left", "right"))
    return f"… {left} **{first['match']}** {right} …"


def focus_theme_story(theme: str, label: str, first: pd.Series, rates: pd.DataFrame, established: list[str],
                      carriers: pd.DataFrame, novel: pd.DataFrame, summary: pd.DataFrame, split_year: int) -> str:
    """The paragraph of the synthesis for one focus theme, in Markdown, from the tables."""
    lines = [f"### {label}"]
    if pd.isna(first["year"]):
        return "\n\n".join(lines + ["The codebook finds no mention of this theme in the corpus."])
    lines.append(f"**First appearance:** {int(first['year'])}, `{first['paragraph_id']}` (\"{first['match']}\"):\n\n"
                 f"> {_quote(first)}")
    rate = rates.set_index("theme")
    own = rate.loc[theme]
    others = rate.loc[[t for t in established if t in rate.index], "change"]
    lines.append(f"**Growth:** {own['per_10k_before']:.1f} mentions per 10,000 words before {split_year}, "
                 f"{own['per_10k_after']:.1f} from {split_year} on ({own['change']:+.1f}), against a median change "
                 f"of {others.median():+.1f} for the {len(others)} established crimes.")
    carrier = carriers[carriers["theme"] == theme]
    if len(carrier):
        best = carrier.iloc[0]
        lines.append(f"**Topics:** {best['model'].upper()} topic {best['label']} carries it ({best['terms']}): "
                     f"{carrier_evidence(best)}.")
    else:
        lines.append("**Topics:** no topic carries it by both tests (against chance, and over the years).")
    brought = novel[novel["themes"].fillna("").str.split(";").apply(lambda found: theme in found)]
    if len(brought):
        first_new = brought.iloc[0]
        lines.append(f"**New paragraphs:** {len(brought)} paragraph{'s' if len(brought) > 1 else ''} mentioning it "
                     f"{'have' if len(brought) > 1 else 'has'} no close ancestor in earlier documents; the first is "
                     f"`{first_new['paragraph_id']}` (best earlier match "
                     f"{first_new['best_earlier_score']:.2f}).")
    claims = summary[summary["claim"].str.startswith(f"{theme}:")]
    lines.append("**Robustness:** " + " ".join(robustness_findings(claims, {theme: label})))
    return "\n\n".join(lines)


def corpus_facts(summary: pd.DataFrame, yearly: pd.DataFrame, documents: pd.DataFrame, group_by: str,
                 codebook) -> str:
    """One paragraph of facts about the corpus of this run."""
    facts = (f"The corpus holds **{len(summary):,} documents** from **{summary['year'].min()} to "
             f"{summary['year'].max()}** ({int((yearly['documents'] > 0).sum())} of {len(yearly)} years have a "
             f"document), **{int(summary['words'].sum()):,} words** in **{int(summary['paragraphs'].sum()):,} "
             "paragraphs**.")
    if group_by in documents.columns:
        counts = documents[group_by].value_counts().sort_index()
        shown = ", ".join(f"{k} ({v})" for k, v in counts.head(12).items()) + (", ..." if len(counts) > 12 else "")
        facts += f" They come from {len(counts)} distinct values of `{group_by}`: {shown}."
    return facts + (f" The codebook defines {len(codebook.themes)} themes, {len(codebook.focus)} of them focus "
                    "themes.")


# --- the start page's findings (analysis.report.start_page) -------------------------------------

ROBUST_SHARE = 0.8  # the robustness figure's thresholds: green from here ...
MIXED_SHARE = 0.5   # ... orange from here, vermillion below


def _rate(value: float) -> str:
    """A rate per 10,000 words with one decimal, or two significant digits when smaller than 0.1
    (a theme mentioned once in millions of words is not "0.0")."""
    if value == 0 or value >= 0.1:
        return f"{value:.1f}"
    return f"{value:.{1 - math.floor(math.log10(value))}f}"


def _label(theme: str, labels: dict[str, str]) -> str:
    return labels.get(theme, theme)


def _context(row) -> str:
    left, right = ("" if pd.isna(row[side]) else " ".join(str(row[side]).split()) for side in ("left", "right"))
    return f"“…{left} {row['match']} {right}…”"


def first_appearances(emergence: pd.DataFrame, kwic: pd.DataFrame | None, labels: dict[str, str], themes: list[str],
                      corpus_first_year: int) -> list[str]:
    """A sentence per theme of ``themes``: the year and paragraph of its first mention, quoted
    from its KWIC row when ``kwic`` is given, and how many mentions follow. A first year that is
    the corpus's first year is said to be no first appearance: the corpus cannot show an earlier one."""
    table = emergence.set_index("theme")
    counts = kwic.groupby("theme").size() if kwic is not None else pd.Series(dtype=int)
    lines = []
    for theme in themes:
        label = _label(theme, labels)
        if theme not in table.index or pd.isna(table.loc[theme, "first_year"]):
            lines.append(f"{label} is never mentioned in the corpus.")
            continue
        row = table.loc[theme]
        year = int(row["first_year"])
        where = f"{year}, in {row['first_paragraph_id']}"
        if kwic is not None:
            first = kwic[(kwic["theme"] == theme) & (kwic["paragraph_id"] == row["first_paragraph_id"])]
            if len(first):
                where += f": {_context(first.iloc[0])}"
        if year == corpus_first_year:
            sentence = (f"{label} is already mentioned in {where}. That is the corpus's first year, so this is no "
                        "first appearance: the corpus cannot show an earlier one.")
        else:
            sentence = f"{label} first appears in {where}."
        if theme in counts.index:
            total = int(counts[theme])
            sentence += (f" {total:,} mention{'s' if total != 1 else ''} in all, in {int(row['years_present'])} "
                         f"year{'s' if int(row['years_present']) != 1 else ''}.")
        lines.append(sentence)
    return lines


def first_years_in_brief(emergence: pd.DataFrame, labels: dict[str, str], themes: list[str],
                         corpus_first_year: int) -> str:
    """One sentence listing the first year of each of ``themes`` (the themes outside the focus)."""
    table = emergence.set_index("theme")
    parts, at_start, never = [], [], []
    for theme in themes:
        label = _label(theme, labels)
        year = table.loc[theme, "first_year"] if theme in table.index else None
        if year is None or pd.isna(year):
            never.append(label)
        elif int(year) == corpus_first_year:
            at_start.append(label)
        else:
            parts.append(f"{label} {int(year)}")
    sentences = []
    if at_start:
        sentences.append(f"Already in the corpus's first year ({corpus_first_year}): {', '.join(at_start)}.")
    if parts:
        sentences.append(f"First appearing later: {', '.join(parts)}.")
    if never:
        sentences.append(f"Never mentioned: {', '.join(never)}.")
    return " ".join(sentences)


def theme_trend_sentences(trends: pd.DataFrame, emergence: pd.DataFrame, labels: dict[str, str], themes: list[str],
                          split_year: int | None) -> list[str]:
    """A sentence per theme on its rate: mentions per 10,000 words pooled over the years before
    ``split_year`` and from it on (from ``theme_trends``: counts over word tokens), and its peak
    year (from ``theme_emergence``)."""
    peaks = emergence.set_index("theme")
    lines = []
    for theme in themes:
        label = _label(theme, labels)
        own = trends[trends["theme"] == theme]
        if own.empty or own["count"].sum() == 0:
            lines.append(f"{label}: no mention in any year, so no trend.")
            continue
        parts, unit = [], "mentions per 10,000 words "
        if split_year is not None:
            for side, part in (("before", own[own["year"] < split_year]), ("from", own[own["year"] >= split_year])):
                words, count = part["word_tokens"].sum(), part["count"].sum()
                when = f"{side} {split_year}" + (" on" if side == "from" else "")
                if words > 0 and count:
                    parts.append(f"{_rate(1e4 * count / words)} {unit}{when}")
                    unit = ""
                elif words > 0:
                    parts.append(f"no mention {when}")
        sentence = f"{label}: " + ", ".join(parts)
        if theme in peaks.index and not pd.isna(peaks.loc[theme, "peak_year"]):
            peak = peaks.loc[theme]
            sentence += (f"{'; ' if parts else ''}highest in {int(peak['peak_year'])} "
                         f"({_rate(peak['peak_per_10k'])} per 10,000 words)")
        years = int((own["count"] > 0).sum())
        with_documents = int((own["word_tokens"] > 0).sum())
        lines.append(f"{sentence}; mentioned in {years} of the {with_documents} years with documents.")
    return lines


def claim_sentences(summary: pd.DataFrame, labels: dict[str, str]) -> list[str]:
    """A sentence per claim of ``robustness_summary``: under how many perturbations it holds and
    what breaks it (:func:`~analysis.synthesis.robustness.robustness_findings`), preceded by one
    sentence counting the robust claims."""
    if summary.empty:
        return ["No claim was tested."]
    robust = int((summary["share"] >= ROBUST_SHARE).sum())
    fragile = int((summary["share"] < MIXED_SHARE).sum())
    overview = (f"{robust} of {len(summary)} claim{'s' if len(summary) != 1 else ''} hold under at least "
                f"{ROBUST_SHARE:.0%} of the perturbations they could be measured under; {fragile} under fewer than "
                f"{MIXED_SHARE:.0%}.")
    return [overview, *robustness_findings(summary, labels)]
