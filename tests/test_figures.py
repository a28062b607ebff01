"""Figures: journal format, identical bytes, and every textplot_* figure readable (figure_checks) on
synthetic results shaped like the five-document corpus and like 79 years of UN General Debates."""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection

from analysis.errors import ParameterError
from analysis.plots import textplot as tp
from analysis.plots.labels import short_names
from analysis.plots.style import OKABE_ITO, freeze_layout, new_figure, save_figure, set_year_axis
from figure_checks import assert_figure_readable, readability_problems

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def draw(width):
    fig, ax = new_figure(width)
    for i, colour in enumerate(OKABE_ITO):
        ax.plot([0, 1, 2], [i, i + 1, i * 2], label=f"series {i}")
    ax.set_title("Agenda emergence")
    ax.legend()
    return fig


def test_regenerated_figures_are_byte_identical(tmp_path):
    first = save_figure(draw("single"), "f", tmp_path / "a")
    second = save_figure(draw("single"), "f", tmp_path / "b")
    assert [p.suffix for p in first] == [".pdf", ".svg", ".png"]
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_pdf_embeds_truetype_fonts_and_no_dates(tmp_path):
    pdf = save_figure(draw("double"), "f", tmp_path)[0].read_bytes()
    assert b"/FontFile2" in pdf and b"/Type3" not in pdf
    assert b"CreationDate" not in pdf


def test_journal_widths(tmp_path):
    assert new_figure("single")[0].get_size_inches()[0] == pytest.approx(3.5)
    assert new_figure("double", height=2)[0].get_size_inches().tolist() == pytest.approx([7.0, 2.0])
    with pytest.raises(ParameterError, match="width='wide'"):
        new_figure("wide")


def test_no_partial_files_left(tmp_path):
    calls = []
    paths = save_figure(draw("single"), "f", tmp_path, on_save=lambda *args: calls.append(args))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.pdf", "f.png", "f.svg"]
    # provenance is recorded by the caller (the notebook session), once the three files exist
    assert calls == [("f", paths, tmp_path)]


# --- synthetic results shaped like the real ones: the five-document corpus and 79 years of UN debates

FEW_YEARS = [2010, 2015, 2016, 2023, 2025]
LONG_YEARS = list(range(1945, 2024))  # 79 years, as in the UN General Debates run
THEMES = ["cybercrime", "scam_compounds", "environmental_crime", "terrorism", "human_trafficking",
          "drug_trafficking", "money_laundering", "arms_trafficking", "corruption", "organ_trafficking",
          "migrant_smuggling", "maritime_piracy"]
LABELS = {t: t.replace("_", " ").capitalize() for t in THEMES}
LONG_LABELS = {t: f"{LABELS[t]} and related transnational offences against people and property" for t in THEMES}
FOCUS = THEMES[:3]


class Case:
    """The inputs of every figure for one corpus shape."""

    def __init__(self, years, docs_per_year, labels, n_topics, seed=0):
        rng = np.random.default_rng(seed)
        self.years, self.labels = years, labels
        self.documents = pd.DataFrame(
            [{"doc_id": f"{y}_body{d}_{'resolution_on_transnational_crime'}", "year": y, "date": f"{y}-0{d + 1}-15",
              "body": ["IPU", "APPF", "ARF", "UN"][(y + d) % 4], "words": int(rng.integers(600, 2500))}
             for y in years for d in range(docs_per_year)])
        self.documents["paragraphs"] = self.documents["words"] // 40
        frequencies = pd.DataFrame([{"doc_id": doc.doc_id, "year": doc.year, "theme": theme,
                                     "count": int(rng.poisson(4)), "word_tokens": doc.words}
                                    for doc in self.documents.itertuples() for theme in THEMES])
        self.rates = rates_of(frequencies)
        self.trends = trends_of(self.rates, "theme", rng)
        terms = ["cybercrime", "scam", "online", "fraud", "environment", "wildlife", "trafficking_in_persons",
                 "terrorism", "ipu_member_parliaments", "crimes_that_affect_the_environment",
                 "combatting_transnational", "new", "appf_member_states", "trafficked_persons", "ipu", "combatting"]
        term_counts = pd.DataFrame([{"doc_id": doc.doc_id, "year": doc.year, "theme": term,
                                     "count": int(rng.poisson(4)), "word_tokens": doc.words}
                                    for doc in self.documents.itertuples() for term in terms])
        self.term_trends = trends_of(rates_of(term_counts).rename(columns={"theme": "term"}), "term", rng)
        self.paragraphs = pd.DataFrame([{"doc_id": doc.doc_id, "kind": kind, "word_tokens": int(rng.integers(1, 160))}
                                        for doc in self.documents.itertuples()
                                        for kind in ["heading", "preamble", "operative", "body"] * 6])
        self.keyness = pd.DataFrame({"comparison": "2020+ vs before", "term": terms + [f"{t}_x" for t in terms],
                                     "g2": np.r_[np.linspace(12, 1, 16), -np.linspace(15, 1, 16)]})
        ks = [4, 6, 8, 10, 12] if n_topics < 10 else [5, 10, 15, 20]
        self.selection = pd.DataFrame([{"model": m, "k": k, "seed": s, "c_v": rng.uniform(0.3, 0.6),
                                        "c_npmi": rng.uniform(-0.1, 0.1), "diversity": rng.uniform(0.6, 1)}
                                       for m in ("lda", "nmf") for k in ks for s in range(3)])
        self.stability = pd.DataFrame([{"model": m, "k": k, "stability": rng.uniform(0.6, 0.9),
                                        "min_pair_similarity": rng.uniform(0.5, 0.6)}
                                       for m in ("lda", "nmf") for k in ks])
        self.chosen = {"lda": ks[0], "nmf": ks[-1]}
        self.topic_labels = {t: f"{t}: international / transnational_organized_crime / cooperation"
                             for t in range(1, n_topics + 1)}
        self.topic_terms = pd.DataFrame([{"topic": t, "rank": r, "term": terms[(t + r) % 16],
                                          "weight": 0.04 / r} for t in self.topic_labels for r in range(1, 11)])
        self.shares = pd.DataFrame([{"topic": t, "label": label, "theme": theme, "share": rng.uniform(0, 0.015)}
                                    for theme in FOCUS for t, label in self.topic_labels.items()])
        self.prevalence = pd.DataFrame([{"topic": t, "label": label, "year": y, "share": rng.uniform(0, 1 / n_topics)}
                                        for t, label in self.topic_labels.items() for y in years])
        self.evolution = pd.DataFrame([{"topic": t, "year": y, "term": terms[(t + r) % 16], "rank": r,
                                        "weight": 0.03 / r + rng.uniform(0, 0.002)}
                                       for t in range(1, 5) for y in years for r in range(1, 11)])
        ids = self.documents["doc_id"].tolist() if docs_per_year == 1 and len(years) < 10 else list(years)
        values = rng.uniform(0.1, 0.4, (len(ids), len(ids)))
        values = (values + values.T) / 2
        np.fill_diagonal(values, 1.0)
        self.similarity = pd.DataFrame(values, index=pd.Index(ids, name="id"), columns=ids)
        self.robustness = pd.DataFrame([{"claim": f"{t}: {claim}", "specifications": 24, "holds": h,
                                         "share": h / 24}
                                        for t in FOCUS for claim, h in (("first year 2010", 24),
                                                                        ("rate rises (2020+ vs before)", 6),
                                                                        ("carried by an LDA topic", 15))])


def rates_of(frequencies):
    pooled = (frequencies.groupby(["theme", "year"], sort=False)
              .agg(count=("count", "sum"), word_tokens=("word_tokens", "sum"), documents=("doc_id", "size"))
              .reset_index())
    pooled["per_10k"] = pooled["count"] / pooled["word_tokens"] * 10_000
    return pooled


def trends_of(rates, key, rng):
    several = rates["documents"] > 1
    spread = rates["per_10k"] * rng.uniform(0.1, 0.3, len(rates))
    return rates.assign(low=(rates["per_10k"] - spread).where(several), high=(rates["per_10k"] + spread).where(several))


FEW = Case(FEW_YEARS, 1, LABELS, n_topics=4)
LONG = Case(LONG_YEARS, 3, LONG_LABELS, n_topics=20)
CASES = {"five documents": FEW, "79 years, long labels": LONG}


def order(case):
    return FOCUS + [t for t in THEMES if t not in FOCUS]


FIGURES = {
    "timeline": lambda c: tp.textplot_timeline(c.documents),
    "paragraph_lengths": lambda c: tp.textplot_paragraph_lengths(c.paragraphs),
    "theme_heatmap": lambda c: tp.textplot_theme_heatmap(c.rates, order(c), c.labels, n_focus=3),
    "theme_rates": lambda c: tp.textplot_theme_rates(c.trends, FOCUS, c.labels),
    "term_trends": lambda c: tp.textplot_term_trends(c.term_trends),
    "keyness": lambda c: tp.textplot_keyness(c.keyness, "2020+ vs before"),
    "topic_selection": lambda c: tp.textplot_topic_selection(c.selection, c.stability, c.chosen),
    "topic_terms": lambda c: tp.textplot_topic_terms(c.topic_terms, c.topic_labels),
    "topic_themes": lambda c: tp.textplot_topic_themes(c.shares, c.labels),
    "topic_prevalence": lambda c: tp.textplot_topic_prevalence(c.prevalence),
    "topic_evolution": lambda c: tp.textplot_topic_evolution(c.evolution),
    "similarity": lambda c: tp.textplot_similarity(c.similarity, "TF-IDF cosine"),
    "robustness": lambda c: tp.textplot_robustness(c.robustness),
    "agenda_summary": lambda c: tp.textplot_agenda_summary(
        c.rates, order(c), c.labels, 3, c.trends, FOCUS, c.prevalence, c.similarity, short_names(c.similarity.index)),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("figure", FIGURES)
def test_every_figure_is_readable(figure, case):
    assert_figure_readable(FIGURES[figure](CASES[case]))


def test_checker_finds_each_kind_of_fault():
    fig, ax = new_figure("single")
    ax.plot([2010, 2015], [0, 1])  # default ticks on a narrow axis: 2010.0, 2010.5, ...
    ax.set_xticks(np.linspace(2010, 2015, 11))
    fig.text(0.98, 0.5, "runs off the right edge")
    ax.set_title("Topic prevalence in every year of the five documents")
    ax.set_title("c", loc="left", fontsize=10)  # a panel letter inside a title wider than its axes
    problems = "\n".join(readability_problems(fig))
    assert "overlap: tick label '2010.0' and tick label '2010.5'" in problems
    assert "clipped figure text 'runs off the right edge'" in problems
    assert "year axis x" in problems and "'2012.5'" in problems
    assert any(line.startswith("overlap: title") and "'c'" in line and "Topic prevalence" in line
               for line in problems.splitlines())


def heatmap_rates(cells):
    """``yearly_rates`` rows from (theme, year, count, words)."""
    rows = pd.DataFrame(cells, columns=["theme", "year", "count", "word_tokens"])
    return rows.assign(documents=1, per_10k=rows["count"] / rows["word_tokens"] * 10_000)


def cell_texts(ax):
    return {(round(t.get_position()[0]), round(t.get_position()[1])): t.get_text() for t in ax.texts}


def test_heatmap_prints_the_rate_its_colour_shows_at_true_year_distances():
    # 1 mention in 1,073 words is 9.3 per 10,000; 24 in 1,815 is 132.2; 24 in 10,000 is 24.0
    rates = heatmap_rates([("a", 2010, 1, 1073), ("a", 2016, 0, 677), ("a", 2023, 24, 1815),
                           ("b", 2010, 24, 10_000), ("b", 2016, 3, 1000), ("b", 2023, 0, 1815)])
    fig = tp.textplot_theme_heatmap(rates, ["a", "b"], {"a": "Theme A", "b": "Theme B"}, clip_percentile=100)
    ax = fig.axes[0]
    assert cell_texts(ax) == {(2010, 0): "9.3", (2016, 0): "0", (2023, 0): "132",
                              (2010, 1): "24", (2016, 1): "30", (2023, 1): "0"}
    mesh = ax.collections[0]
    colours = mesh.get_array()  # rows x the 14 years 2010..2023, years without documents masked
    assert colours.shape == (2, 14)
    assert colours[0, 13] == pytest.approx(24 / 1815 * 10_000) and colours[1, 0] == pytest.approx(24.0)
    assert colours.mask[:, 1:6].all() and colours.mask[:, 7:13].all() and not colours.mask[:, [0, 6, 13]].any()
    assert "mentions per 10,000 words" in ax.get_xlabel() and "blank: no documents" in ax.get_xlabel()
    assert_figure_readable(fig)


def test_heatmap_colour_scale_ends_at_the_95th_percentile_and_outlines_the_cells_above():
    # rates 1, 2, ..., 20 per 10,000: the 95th percentile (linear) is 19 + 0.05 * (20 - 19) = 19.05
    rates = heatmap_rates([("a", 2000 + i, i, 10_000) for i in range(1, 21)])
    fig = tp.textplot_theme_heatmap(rates, ["a"], {"a": "Theme A"})
    ax = fig.axes[0]
    assert ax.collections[0].get_clim() == pytest.approx((0, 19.05))
    (outline,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    corners = sorted({tuple(point) for segment in outline.get_segments() for point in segment})
    assert corners == [(2019.5, -0.5), (2019.5, 0.5), (2020.5, -0.5), (2020.5, 0.5)]  # the 2020 cell alone
    assert cell_texts(ax)[(2020, 0)] == "20"  # the outlined cell prints its own rate
    assert "ends at 19 (the 95th percentile of the cells)" in ax.get_xlabel()
    with pytest.raises(ParameterError, match="clip_percentile=20"):
        tp.textplot_theme_heatmap(rates, ["a"], {"a": "Theme A"}, clip_percentile=20)


def test_clipped_cells_next_to_each_other_share_one_frame():
    # themes a and b, years 2000-2003: a is high in 2001 and 2002 (neighbours), b in 2000
    rates = heatmap_rates([("a", 2000, 1, 10_000), ("a", 2001, 90, 10_000), ("a", 2002, 95, 10_000),
                           ("a", 2003, 1, 10_000), ("b", 2000, 80, 10_000), ("b", 2001, 2, 10_000),
                           ("b", 2002, 3, 10_000), ("b", 2003, 2, 10_000)])
    fig = tp.textplot_theme_heatmap(rates, ["a", "b"], {"a": "A", "b": "B"}, clip_percentile=60)
    (outline,) = [c for c in fig.axes[0].collections if isinstance(c, LineCollection)]
    # the 60th percentile of (1, 1, 2, 2, 3, 80, 90, 95) is 3 + 0.2 * 77 = 18.4: three cells lie
    # above it; the pair of neighbours gets 6 sides (none between them), the single cell 4
    assert len(outline.get_segments()) == 10


def year_ticks(years, width, span):
    fig, ax = new_figure("single", height=1.5)
    fig.set_size_inches(width, 1.5)
    ax.set_xlim(span[0] - 0.5, span[1] + 0.5)
    set_year_axis(ax.xaxis, years)
    freeze_layout(fig)
    return ax.xaxis.get_majorticklocs().tolist()


def test_year_axis_ticks_whole_years_and_thins_them_to_fit():
    observed = [2010, 2015, 2016, 2023, 2025]
    assert year_ticks(observed, 7.0, (2010, 2025)) == observed  # room for every year with data
    # a 1.5-inch figure (an axis of about an inch, 72 points, for 16 years): "2015" and "2016"
    # (7-point labels, 18 points wide) would touch, so a few round years instead
    narrow = year_ticks(observed, 1.5, (2010, 2025))
    assert 2 <= len(narrow) <= 3 and all(t % 5 == 0 for t in narrow) and 2016 not in narrow
    long = year_ticks(LONG_YEARS, 7.0, (1945, 2023))
    assert all(t == int(t) for t in long) and 5 <= len(long) <= 17
    assert len(set(np.diff(long))) == 1 and np.diff(long)[0] in (5, 10)


def test_panel_letters_stand_left_of_each_panel_and_its_labels():
    fig = FIGURES["agenda_summary"](FEW)
    assert_figure_readable(fig)
    renderer = fig.canvas.get_renderer()
    letters = {t.get_text(): (t, ax) for ax in fig.axes for t in ax.texts if t.get_text() in ("a", "b", "c", "d")}
    assert sorted(letters) == ["a", "b", "c", "d"]
    for letter, (text, ax) in letters.items():
        box = text.get_window_extent(renderer)
        assert box.x1 <= ax.yaxis.get_tightbbox(renderer).x0, letter
        assert box.y0 >= ax.get_window_extent(renderer).y1, letter


def test_a_textplot_figure_regenerates_byte_identical(tmp_path):
    first = save_figure(FIGURES["agenda_summary"](FEW), "f", tmp_path / "a")
    second = save_figure(FIGURES["agenda_summary"](FEW), "f", tmp_path / "b")
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a.name
    pdf = first[0].read_bytes()
    assert b"/FontFile2" in pdf and b"/Type3" not in pdf


def test_keyness_figure_leaves_out_names_and_pales_what_the_adjustment_rejects():
    table = pd.DataFrame({"comparison": "2020+ vs before", "term": ["appf", "cybercrime", "online", "treaty"],
                          "g2": [20.0, 12.0, 6.0, -5.0], "p_adjusted": [0.001, 0.004, 0.2, 0.03],
                          "is_name": [True, False, False, False]})
    fig = tp.textplot_keyness(table, "2020+ vs before")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["cybercrime", "online", "treaty"]
    assert [bar.get_alpha() for bar in ax.patches] == [1.0, 0.35, 1.0]
