"""Prose generated from a run's results: every sentence that states a finding is built here from
the tables of that run, never written by hand in a notebook."""

from __future__ import annotations

import pandas as pd

def emergence_summary(emergence: pd.DataFrame, kwic: pd.DataFrame, labels: dict[str, str], themes: list[str],
                      n_years: int) -> str:
    """A Markdown paragraph per theme: where it first appears (quoted from its KWIC row), when it
    peaks, and in how many of the ``n_years`` years it is found."""
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
        lines.append(
            f"- **{label}** first appears in {row['first_year']} (`{row['first_paragraph_id']}`): {quote} "
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
        lines.append(f"**Topics:** the {best['model'].upper()} topic carrying most of its terms is {best['label']} "
                     f"({best['share']:.1%} of the topic's weight: {best['terms']}).")
    else:
        lines.append("**Topics:** no topic puts a noticeable weight on its terms.")
    brought = novel[novel["themes"].fillna("").str.split(";").apply(lambda found: theme in found)]
    if len(brought):
        first_new = brought.iloc[0]
        lines.append(f"**New paragraphs:** {len(brought)} paragraph{'s' if len(brought) > 1 else ''} mentioning it "
                     f"{'have' if len(brought) > 1 else 'has'} no close ancestor in earlier documents; the first is "
                     f"`{first_new['paragraph_id']}` (best earlier match "
                     f"{first_new['best_earlier_score']:.2f}).")
    claims = summary[summary["claim"].str.startswith(f"{theme}:")]
    lines.append("**Robustness:** " + "; ".join(f"{c.claim.split(': ', 1)[1]} holds under {c.holds} of "
                                                  f"{c.specifications} specifications" for c in claims.itertuples()) + ".")
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


def topic_choice_summary(selection: pd.DataFrame, stability: pd.DataFrame, chosen: dict, grid, set_by_user: bool) -> str:
    """Which K was chosen for each family, and whether it sits at the edge of the grid."""
    parts = []
    for family, k in chosen.items():
        sentence = f"**{family.upper()} K = {k}**"
        if not set_by_user and k in (min(grid), max(grid)) and len(grid) > 1:
            sentence += f" (at the {'upper' if k == max(grid) else 'lower'} edge of the grid: widen `n_topics_grid`)"
        parts.append(sentence)
    text = "Chosen: " + ", ".join(parts) + (" (set by `n_topics`)." if set_by_user else " (by the rule above).")
    undefined = int(selection["undefined_c_v"].sum())
    if undefined:
        text += (f" {undefined} topics had an undefined c_v (a top word absent from every window) and were left out "
                 "of their model's mean.")
    return text
