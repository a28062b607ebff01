"""How a theme spread across the speakers of a corpus (member states, bodies...).

A *speaker* is the value of a metadata column (``speaker_column``: ``country`` in the UN General
Debate corpus, ``body`` in the seed corpus). Per theme and year, :func:`theme_diffusion` counts
the speakers with a document that year, those whose documents mention the theme, and how many
have ever mentioned it by then. The cumulative share is taken over the speakers that have spoken
at least once up to that year (a member that joins later cannot have raised the theme before),
so it can dip when new speakers arrive. :func:`first_speakers` quotes the first speakers to raise
a theme; :func:`theme_shares` puts the share of a year's documents mentioning a theme beside its
rate per 10,000 words, since the two normalisations answer different questions (how much of the
text, how many of the speeches) and part ways when documents differ in length or number.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..checks import check_int
from ..errors import CorpusError, ParameterError
from .rates import yearly_rates

SHARE_COLUMNS = ["theme", "year", "documents", "documents_mentioning", "document_share", "count", "word_tokens",
                 "per_10k"]
DIFFUSION_COLUMNS = ["theme", "year", "speakers", "speakers_mentioning", "speaker_share", "new_speakers",
                     "speakers_ever", "speakers_so_far", "cumulative_share"]
FIRST_SPEAKER_COLUMNS = ["theme", "rank", "speaker", "year", "doc_id", "paragraph_id", "left", "match", "right",
                         "text"]


def theme_shares(frequencies: pd.DataFrame) -> pd.DataFrame:
    """:data:`SHARE_COLUMNS` per theme and year: the pooled rate per 10,000 words
    (:func:`~analysis.stats.rates.yearly_rates`) beside the share of the year's documents that
    mention the theme at least once."""
    pooled = yearly_rates(frequencies)
    mentioning = (frequencies.assign(mentions=frequencies["count"] > 0)
                  .groupby(["theme", "year"], sort=False)["mentions"].sum().rename("documents_mentioning"))
    table = pooled.merge(mentioning, left_on=["theme", "year"], right_index=True)
    table["documents_mentioning"] = table["documents_mentioning"].astype("int64")
    table["document_share"] = table["documents_mentioning"] / table["documents"]
    return table.sort_values(["theme", "year"], kind="stable", key=_theme_key(frequencies))[SHARE_COLUMNS] \
        .reset_index(drop=True)


def _theme_key(frequencies: pd.DataFrame):
    """Sort key keeping themes in the order they first appear in ``frequencies`` (codebook order)."""
    order = {theme: i for i, theme in enumerate(dict.fromkeys(frequencies["theme"]))}
    return lambda column: column.map(order) if column.name == "theme" else column


def speaker_column_problem(documents: pd.DataFrame, speaker_column: str | None) -> str:
    """Why the diffusion across speakers cannot be computed ("" when it can): the notebook shows
    this instead of the tables."""
    if speaker_column is None:
        return "`speaker_column` is None: the diffusion across speakers is skipped."
    if speaker_column not in documents.columns:
        columns = ", ".join(f"`{c}`" for c in documents.columns if c not in ("paragraphs", "word_tokens"))
        return (f"The metadata has no column `{speaker_column}` (`speaker_column`): the diffusion across speakers "
                f"is skipped. Columns available: {columns}.")
    return ""


def _speakers(documents: pd.DataFrame, speaker_column: str) -> pd.Series:
    """The speaker of every document, indexed by ``doc_id``; refuses a missing column or value."""
    problem = speaker_column_problem(documents, speaker_column)
    if problem:
        raise ParameterError(problem.replace("`", "'"))
    speakers = documents.set_index("doc_id")[speaker_column]
    empty = speakers.isna() | (speakers.astype(str).str.strip() == "")
    if empty.any():
        shown = ", ".join(map(str, speakers.index[empty][:5])) + (", ..." if empty.sum() > 5 else "")
        raise CorpusError(f"speaker_column={speaker_column!r} is empty for {int(empty.sum())} documents ({shown}): "
                          "fill it in the metadata, or set speaker_column to another column or None")
    return speakers.astype(str)


def theme_diffusion(frequencies: pd.DataFrame, documents: pd.DataFrame, speaker_column: str) -> pd.DataFrame:
    """:data:`DIFFUSION_COLUMNS` per theme (in ``frequencies`` order) and year with documents:
    speakers with a document that year, those mentioning the theme and their share; speakers
    mentioning it for the first time, how many ever have by then, how many have spoken by then,
    and the cumulative share (ever mentioned / spoken so far)."""
    speakers = _speakers(documents, speaker_column)
    frame = frequencies[["doc_id", "year", "theme", "count"]].assign(speaker=frequencies["doc_id"].map(speakers))
    years = np.sort(frame["year"].unique())
    present = frame.drop_duplicates(["year", "speaker"])
    speakers_by_year = present.groupby("year")["speaker"].size().reindex(years)
    first_seen = present.groupby("speaker")["year"].min()
    spoken_so_far = first_seen.value_counts().reindex(years, fill_value=0).cumsum()
    rows = []
    for theme, part in frame[frame["count"] > 0].groupby("theme", sort=False):
        mentioning = part.drop_duplicates(["year", "speaker"]).groupby("year")["speaker"].size()
        first_mention = part.groupby("speaker")["year"].min().value_counts()
        for year in years:
            new = int(first_mention.get(year, 0))
            rows.append((theme, int(year), int(mentioning.get(year, 0)), new))
    found = pd.DataFrame(rows, columns=["theme", "year", "speakers_mentioning", "new_speakers"])
    grid = pd.MultiIndex.from_product([list(dict.fromkeys(frame["theme"])), years], names=["theme", "year"])
    table = (found.set_index(["theme", "year"]).reindex(grid, fill_value=0).reset_index()
             .astype({"speakers_mentioning": "int64", "new_speakers": "int64"}))
    table["speakers"] = table["year"].map(speakers_by_year).astype("int64")
    table["speaker_share"] = table["speakers_mentioning"] / table["speakers"]
    table["speakers_ever"] = table.groupby("theme", sort=False)["new_speakers"].cumsum().astype("int64")
    table["speakers_so_far"] = table["year"].map(spoken_so_far).astype("int64")
    table["cumulative_share"] = table["speakers_ever"] / table["speakers_so_far"]
    return table[DIFFUSION_COLUMNS]


def first_speakers(kwic: pd.DataFrame, documents: pd.DataFrame, paragraphs: pd.DataFrame, themes: list[str],
                   speaker_column: str, n_first: int = 5) -> pd.DataFrame:
    """:data:`FIRST_SPEAKER_COLUMNS`: per theme, the first ``n_first`` speakers to mention it, in
    the order they first did (year, then corpus order), each with the first mention's context and
    the whole paragraph it stands in."""
    check_int("n_first_speakers", n_first, 1)
    speakers = _speakers(documents, speaker_column)
    doc_order = pd.Series(np.arange(len(documents)), index=documents["doc_id"])
    text = paragraphs.set_index("paragraph_id")["text"]
    hits = kwic[kwic["theme"].isin(themes)]
    hits = hits.assign(speaker=hits["doc_id"].map(speakers), order=hits["doc_id"].map(doc_order))
    # a stable sort keeps the KWIC rows of a document in text order
    first = hits.sort_values(["year", "order"], kind="stable").drop_duplicates(["theme", "speaker"])
    table = pd.concat([first[first["theme"] == theme].head(n_first).assign(
        rank=lambda part: np.arange(1, len(part) + 1)) for theme in themes], ignore_index=True)
    table["text"] = table["paragraph_id"].map(text)
    return table[FIRST_SPEAKER_COLUMNS].astype({"rank": "int64", "year": "int64"})


def _percent(share: float) -> str:
    """A share in per cent, with a decimal below 10 % so that one speaker in 200 is not "0%"."""
    return f"{share:.1%}" if 0 < share < 0.1 else f"{share:.0%}"


def describe_diffusion(diffusion: pd.DataFrame, first: pd.DataFrame, labels: dict[str, str], themes: list[str]) -> str:
    """Markdown per theme of ``themes``: how many speakers had mentioned it by the last year and
    how many did in that year, then each of its :func:`first_speakers`, quoted."""
    blocks = []
    for theme in themes:
        label = labels.get(theme, theme)
        part = diffusion[diffusion["theme"] == theme].sort_values("year")
        last = part.iloc[-1]
        raised = first[first["theme"] == theme]
        if raised.empty:
            blocks.append(f"**{label}**: no speaker mentions it.")
            continue
        lines = [f"**{label}**: by {last['year']}, {last['speakers_ever']} of the {last['speakers_so_far']} speakers "
                 f"heard so far ({_percent(last['cumulative_share'])}) had mentioned it; in {last['year']} itself, "
                 f"{last['speakers_mentioning']} of {last['speakers']} ({_percent(last['speaker_share'])}) did. "
                 "The first to raise it: " + ", ".join(f"{r.speaker} ({r.year})" for r in raised.itertuples()) + "."]
        for r in raised.itertuples():
            lines.append(f"> {r.speaker}, {r.year} (`{r.paragraph_id}`): …{r.left}**{r.match}**{r.right}…")
        blocks.append("\n\n".join(lines))
    return "\n\n".join(blocks)
