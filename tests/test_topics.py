"""Topic models: units, vocabulary pruning, recovery of planted topics, seeds, stability, K."""

import math

import numpy as np
import pandas as pd
import pytest

from analysis._parallel import in_background
from analysis.errors import ParameterError
from analysis.models.topics import (TopicModel, check_n_topics, choose_n_topics, dynamic_findings, dynamic_topic_changes,
                                    dynamic_topic_terms, fit_chosen_models, fit_topic_grid, fitting_finding,
                                    convergence_findings, k_by_score, k_choice_findings, matched_topics,
                                    modelling_units, sample_by_year, topic_corpus, topic_diversity,
                                    topic_model_selection, topic_stability, representative_model)
from analysis.index.build import build_index
from analysis.io.codebook import codebook_from_dict

WORDS_A = "ransomware malware hacking phishing botnet darknet exploit spyware".split()
WORDS_B = "timber ivory pangolin logging poaching rhino mercury fishing".split()


PLAIN = dict(normalize="none", phrases="none", stopwords=False, domain_stopwords=False)


def planted_index(n_per_topic=30, length=12, seed=0):
    """Three documents (2000, 2001, 2002) whose paragraphs are written from one of two disjoint
    vocabularies: a topic model with K = 2 must separate them."""
    rng = np.random.default_rng(seed)
    paragraphs = {year: [] for year in (2000, 2001, 2002)}
    for i in range(2 * n_per_topic):
        words = WORDS_A if i % 2 == 0 else WORDS_B
        paragraphs[2000 + i % 3].append(" ".join(rng.choice(words, length)) + ".")
    corpus = pd.DataFrame({"doc_id": [f"d{year}" for year in paragraphs], "date": [str(y) for y in paragraphs],
                           "year": list(paragraphs), "text": ["\n\n".join(p) for p in paragraphs.values()]})
    return build_index(corpus, codebook_from_dict({"themes": {"none": {"include": ["zzz"]}}}), learn_phrases=False)


def planted_corpus(**options):
    index = planted_index()
    return topic_corpus(index, index.tokenizer(**PLAIN), **{"min_df": 2, "max_df": 1.0, "min_tokens": 1, **options})


@pytest.fixture(scope="module")
def planted():
    return planted_corpus()


@pytest.fixture(scope="module")
def seed_data(index):
    return topic_corpus(index, index.tokenizer())


def test_units_are_paragraphs_or_documents(paras):
    assert len(modelling_units(paras, "paragraph")) == 178
    documents = modelling_units(paras, "document")
    assert len(documents) == 5 and documents["unit_id"].tolist() == documents["doc_id"].tolist()
    with pytest.raises(ParameterError, match="unit='sentence'"):
        modelling_units(paras, "sentence")


def test_document_units_tokens_match_their_counts_across_paragraph_breaks():
    """A codebook phrase is matched within a paragraph: a document unit's tokens (for coherence)
    must not join "illegal" at the end of one paragraph with "fishing" at the start of the next."""
    text = "Boats were seized for fishing that was illegal\n\nFishing fleets and illegal fishing grew"
    corpus = pd.DataFrame({"doc_id": ["d1", "d2"], "date": ["2000", "2001"], "year": [2000, 2001],
                           "text": [text, "illegal fishing again and fishing boats"]})
    index = build_index(corpus, codebook_from_dict({"themes": {"env": {"include": ["illegal fishing"]}}}),
                        learn_phrases=False)
    tokenizer = index.tokenizer(normalize="none", phrases="codebook", stopwords=False, domain_stopwords=False)
    data = topic_corpus(index, tokenizer, "document", min_df=1, max_df=1.0, min_tokens=1)
    assert [len(tokens) for tokens in data.tokens] == data.units["n_tokens"].tolist()
    assert data.tokens[0].count("illegal_fishing") == 1 and "illegal" in data.tokens[0]


def test_vocabulary_is_pruned_by_document_frequency(paras, index, seed_data):
    tokens = index.tokenizer().transform(paras["text"])
    document_frequency = pd.Series([t for unit in tokens for t in set(unit)]).value_counts()
    expected = set(document_frequency[(document_frequency >= 2) & (document_frequency <= 0.5 * len(tokens))].index)
    assert set(seed_data.vocabulary) == expected
    kept_lengths = [sum(t in expected for t in unit) for unit in tokens]
    assert len(seed_data.units) == sum(n >= 5 for n in kept_lengths)
    assert len(seed_data.units) + len(seed_data.excluded) == 178
    assert seed_data.units["n_tokens"].tolist() == [n for n in kept_lengths if n >= 5]


@pytest.mark.parametrize("family", ["lda", "nmf"])
def test_planted_topics_are_recovered(planted, family):
    model = TopicModel(family, 2, random_state=1, passes=20).fit(planted)
    top = [set(terms) for terms in np.array(planted.vocabulary)[np.argsort(-model.topic_term_, axis=1)[:, :6]]]
    assert sorted(len(t & set(WORDS_A)) for t in top) == [0, 6]
    assigned = model.doc_topic_.argmax(axis=1)
    truth = np.array([text.split()[0] in WORDS_A for text in planted.units["text"]], dtype=int)
    assert (assigned == truth).all() or (assigned == 1 - truth).all()
    assert np.allclose(model.topic_term_.sum(axis=1), 1) and np.allclose(model.doc_topic_.sum(axis=1), 1)


@pytest.mark.parametrize("family", ["lda", "nmf"])
def test_a_seed_fixes_the_fit_and_another_seed_changes_it(seed_data, family):
    first = TopicModel(family, 5, random_state=7).fit(seed_data)
    again = TopicModel(family, 5, random_state=7).fit(seed_data)
    other = TopicModel(family, 5, random_state=8).fit(seed_data)
    assert np.array_equal(first.topic_term_, again.topic_term_)
    assert np.array_equal(first.doc_topic_, again.doc_topic_)
    assert not np.allclose(first.topic_term_, other.topic_term_)


def test_grid_results_do_not_depend_on_the_number_of_processes(planted):
    one = fit_topic_grid(planted, ["lda", "nmf"], [2, 3], [0, 1], n_jobs=1)
    two = fit_topic_grid(planted, ["lda", "nmf"], [2, 3], [0, 1], n_jobs=2)
    assert [(m.family, m.n_topics, m.random_state) for m in one] == [(m.family, m.n_topics, m.random_state) for m in two]
    assert all(np.array_equal(a.topic_term_, b.topic_term_) for a, b in zip(one, two))


@pytest.mark.parametrize("bad", [1, 0, 200, 3.5, True])
def test_impossible_numbers_of_topics_are_refused(planted, bad):
    with pytest.raises(ParameterError, match="n_topics_grid"):
        fit_topic_grid(planted, ["lda"], [2, bad], [0])


def test_bad_parameters_name_themselves(planted):
    with pytest.raises(ParameterError, match="'lsa'"):
        fit_topic_grid(planted, ["lsa"], [2], [0])
    with pytest.raises(ParameterError, match="min_df"):
        planted_corpus(min_df=0)
    with pytest.raises(ParameterError, match="max_df"):
        planted_corpus(max_df=1.5)
    with pytest.raises(ParameterError, match="min_tokens"):
        planted_corpus(min_tokens=10_000)
    check_n_topics("n_topics", [2, 15], planted)


def test_diversity_is_the_share_of_distinct_top_words():
    assert topic_diversity([["a", "b"], ["a", "c"]]) == 0.75
    assert topic_diversity([["a", "b"], ["c", "d"]]) == 1.0


def test_selection_table_scores_every_fit(planted):
    fits = fit_topic_grid(planted, ["lda", "nmf"], [2, 3], [0, 1])
    table = topic_model_selection(fits, planted, n_terms=5)
    assert list(table.columns[:6]) == ["model", "k", "seed", "c_v", "c_npmi", "diversity"]
    assert len(table) == 8 and table[["c_v", "c_npmi"]].notna().all().all()
    two_topics = table[table["k"] == 2]
    # the planted topics share no word: every K = 2 fit has ten distinct top words
    assert (two_topics["diversity"] == 1.0).all()


class Fake:
    """Just what stability needs: a family, K, seed and topic-term matrix."""

    def __init__(self, topic_term, seed, family="lda"):
        self.topic_term_ = np.asarray(topic_term, dtype=float)
        self.n_topics, self.random_state, self.family = len(topic_term), seed, family


def test_matching_pairs_permuted_topics():
    a = Fake([[1, 0, 0], [0, 1, 0], [0, 0, 1]], 0)
    b = Fake([[0, 0, 1], [1, 0, 0], [0, 1, 0]], 1)
    pairs, similarity = matched_topics(a, b)
    assert pairs.tolist() == [1, 2, 0] and np.allclose(similarity, 1)


def test_stability_and_the_representative_seed():
    fits = [Fake([[1, 0], [0, 1]], 0), Fake([[1, 1], [0, 1]], 1), Fake([[0, 1], [1, 1]], 2), Fake([[1, 0], [0, 1]], 3)]
    table = topic_stability(fits)
    cos45 = 1 / math.sqrt(2)
    # best one-to-one pairings: seeds 0/3 with 1 or 2: [1,0]~[1,1] and [0,1]~[0,1]; 1 with 2: identical
    # topics in another order; 0 with 3: identical
    with_mixed = (cos45 + 1) / 2
    pairs = {(0, 1): with_mixed, (0, 2): with_mixed, (0, 3): 1.0, (1, 2): 1.0, (1, 3): with_mixed, (2, 3): with_mixed}
    row = table.iloc[0]
    assert row["stability"] == pytest.approx(sum(pairs.values()) / 6)
    assert row["min_pair_similarity"] == pytest.approx(with_mixed)
    # every seed has mean (1 + 2 * with_mixed) / 3 to the others: the tie goes to the smallest seed
    assert row["representative_seed"] == 0
    table = topic_stability(fits[:3])  # now seeds 1 and 2 are closest to the others
    assert table.iloc[0]["representative_seed"] == 1


def _two_seed_selection():
    """Two seeds per K. Mean c_npmi: K=4 0.05 (SE 0), K=5 0.11 (sd 0.0283, SE 0.02), K=6 0.12
    (SE 0.02), K=7 0.30 (SE 0); c_v 0.5 everywhere; diversity falls with K."""
    c_npmi = {4: [0.05, 0.05], 5: [0.09, 0.13], 6: [0.10, 0.14], 7: [0.30, 0.30]}
    diversity = {4: 1.0, 5: 0.9, 6: 0.8, 7: 0.7}
    rows = [("lda", k, seed, 0.5, c_npmi[k][seed], diversity[k]) for k in c_npmi for seed in (0, 1)]
    selection = pd.DataFrame(rows, columns=["model", "k", "seed", "c_v", "c_npmi", "diversity"])
    stability = pd.DataFrame({"model": ["lda"] * 4, "k": [4, 5, 6, 7], "stability": [0.9, 0.8, 0.75, 0.5]})
    return selection, stability


def test_rule_takes_the_smallest_stable_k_within_one_standard_error_of_the_best():
    selection, stability = _two_seed_selection()
    # 7 is unstable; the best stable K is 6 (0.12, SE 0.02): 5 (0.11) is within 0.10, 4 (0.05) is not
    assert choose_n_topics(selection, stability, min_stability=0.7) == {"lda": 5}
    assert choose_n_topics(selection, stability, min_stability=0.95) == {"lda": 4}  # none stable: most stable
    assert choose_n_topics(selection, stability, n_topics=6) == {"lda": 6}
    assert choose_n_topics(selection, stability, n_topics={"lda": 7}) == {"lda": 7}
    with pytest.raises(ParameterError, match="n_topics"):
        choose_n_topics(selection, stability, n_topics=9)
    with pytest.raises(ParameterError, match="n_topics"):
        choose_n_topics(selection, stability, n_topics={"nmf": 5})
    with pytest.raises(ParameterError, match="min_stability"):
        choose_n_topics(selection, stability, min_stability=1.5)


def test_the_k_each_score_would_pick_and_the_edges_of_the_grid():
    selection, stability = _two_seed_selection()
    table = k_by_score(selection, stability).set_index("score")
    assert table.loc["c_npmi", ["best_k", "one_se_k", "at_edge"]].tolist() == [7, 7, "upper"]
    assert table.loc["c_npmi", "best_mean"] == pytest.approx(0.30) and table.loc["c_npmi", "best_se"] == 0
    assert table.loc["c_v", ["best_k", "one_se_k", "at_edge"]].tolist() == [4, 4, "lower"]  # a tie: the smallest K
    assert table.loc["diversity", "best_k"] == 4 and table.loc["stability", "best_k"] == 4
    chosen_by_rule = k_choice_findings(k_by_score(selection, stability), {"lda": 5}, [4, 5, 6, 7], False)[0]
    assert chosen_by_rule.startswith("LDA: K = 5 (by the rule). Best K by each score: c_npmi 7 (mean 0.3000 ± 0.0000)")
    assert "edge" not in chosen_by_rule
    at_edge = k_choice_findings(k_by_score(selection, stability), {"lda": 7}, [4, 5, 6, 7], True)[0]
    assert "K = 7 (set by `n_topics`), at the upper edge of the grid tried" in at_edge


def test_sampling_by_year_is_stratified_seeded_and_ordered():
    corpus = pd.DataFrame({"doc_id": [f"d{i:02d}" for i in range(20)], "year": [2000] * 12 + [2001] * 3 + [2002] * 5})
    sample = sample_by_year(corpus, 4, random_state=3)
    assert sample.groupby("year").size().tolist() == [4, 3, 4]
    assert sample.index.is_monotonic_increasing
    assert sample.equals(sample_by_year(corpus, 4, random_state=3))
    assert not sample.equals(sample_by_year(corpus, 4, random_state=4))
    assert sample_by_year(corpus, None) is corpus
    with pytest.raises(ParameterError, match="per_year=0"):
        sample_by_year(corpus, 0)


def test_dynamic_topics_follow_terms_through_the_years(planted):
    table = dynamic_topic_terms(planted, 2, random_state=0, n_terms=3, iterations=50)
    assert sorted(table["year"].unique()) == [2000, 2001, 2002]
    # every shown term has a rank and weight in every year
    per_term = table.groupby(["topic", "term"]).size()
    assert (per_term == 3).all()
    assert table.groupby(["topic", "year"])["rank"].min().eq(1).all()
    first = table[(table["topic"] == 1) & (table["rank"] <= 3)]
    assert len(set(first["term"]) & set(WORDS_A)) in (0, len(set(first["term"])))  # one planted vocabulary
    assert table.equals(dynamic_topic_terms(planted, 2, random_state=0, n_terms=3, iterations=50))


def test_dynamic_topics_by_period(planted):
    table = dynamic_topic_terms(planted, 2, random_state=0, n_terms=3, iterations=20, period_length=2)
    assert sorted(table["year"].unique()) == [2000, 2002]  # 2000-2001 and 2002
    with pytest.raises(ParameterError, match="one time slice of 5 year"):
        dynamic_topic_terms(planted, 2, period_length=5)


def test_dynamic_topics_see_a_vocabulary_drift():
    """A subject whose words shift year by year (four core words throughout, "exploit" and
    "spyware" replacing "botnet" and "darknet") beside a stable one: one topic keeps the
    drifting subject in every year and its words shift the planted way; the other stays the stable
    subject in every year (no topic trades places with another)."""
    rng = np.random.default_rng(1)
    core, old, new, stable = WORDS_A[:4], WORDS_A[4:6], WORDS_A[6:], WORDS_B
    documents = []
    for t, year in enumerate(range(2000, 2005)):
        paragraphs = [" ".join(rng.choice(core + (new if rng.random() < t / 4 else old), 12)) + "." for _ in range(30)]
        paragraphs += [" ".join(rng.choice(stable, 12)) + "." for _ in range(30)]
        documents.append((f"d{year}", str(year), year, "\n\n".join(paragraphs)))
    corpus = pd.DataFrame(documents, columns=["doc_id", "date", "year", "text"])
    index = build_index(corpus, codebook_from_dict({"themes": {"none": {"include": ["zzz"]}}}), learn_phrases=False)
    data = topic_corpus(index, index.tokenizer(**PLAIN), min_df=2, max_df=1.0, min_tokens=1)
    evolution = dynamic_topic_terms(data, 2, random_state=0, n_terms=4, iterations=200)
    top = evolution[evolution["rank"] <= 4].groupby(["topic", "year"])["term"].agg(set)
    kinds = {topic: {"a" if terms <= set(WORDS_A) else "b" if terms <= set(stable) else "mixed"
                     for terms in top[topic]} for topic in (1, 2)}
    assert sorted(map(sorted, kinds.values())) == [["a"], ["b"]]
    drifting = 1 if kinds[1] == {"a"} else 2
    change = dynamic_topic_changes(evolution, 4).set_index("topic").loc[drifting]
    assert set(change["entered"].split()) & set(new) and set(change["left"].split()) & set(old)
    assert set(change["entered"].split()) <= set(core + new) and set(change["left"].split()) <= set(core + old)


def test_chosen_models_are_refitted_with_the_representative_seed(planted):
    fits = fit_topic_grid(planted, ["lda", "nmf"], [2, 3], [0, 1, 2], passes=2, iterations=20)
    stability = topic_stability(fits)
    chosen = fit_chosen_models(planted, {"lda": 2, "nmf": 3}, stability, n_jobs=2, passes=2, iterations=20)
    for family, k in (("lda", 2), ("nmf", 3)):
        same = representative_model(fits, stability, family, k)  # fitted on the same units: the same model
        assert chosen[family].random_state == same.random_state
        assert np.array_equal(chosen[family].topic_term_, same.topic_term_)
    with pytest.raises(ParameterError, match="K must be"):
        fit_chosen_models(planted, {"lda": 500}, stability)


def test_fitting_finding_says_where_the_models_were_fitted():
    assert fitting_finding(True, 10952, "document") == ("The K grid was fitted on a sample; the chosen models were then "
                                                       "fitted on all 10,952 documents.")
    assert fitting_finding(False, 153, "paragraph") == "The models were fitted on all 153 paragraphs."


def test_convergence_findings_judge_the_last_quarter():
    table = pd.DataFrame({"model": "lda", "k": 5, "seed": 1, "iteration": [10, 20, 30, 40],
                          "ll_per_word": [-9.5, -9.2, -9.0, -8.9]})
    [line] = convergence_findings(table)  # -9.0 after 30, -8.9 after 40: 1.11 % > 0.5 %
    assert line == ("LDA (K = 5, seed 1): log-likelihood per word -9.0000 after 30 iterations and -8.9000 after 40, "
                    "a change of 1.11%; it is still moving: give it more iterations before reading its topics.")
    settled = table.assign(ll_per_word=[-9.5, -9.2, -9.0, -8.99])
    assert convergence_findings(settled)[0].endswith("a change of 0.11%; it has settled.")


def test_tomotopy_lda_recovers_planted_topics_reproducibly(planted):
    model = TopicModel("lda", 2, random_state=3, engine="tomotopy", gibbs_iterations=100).fit(planted)
    vocabulary = np.array(planted.vocabulary)
    tops = [set(vocabulary[np.argsort(-row)[:8]]) for row in model.topic_term_]
    assert sorted(map(sorted, tops)) == sorted([sorted(WORDS_A), sorted(WORDS_B)])
    assert [i for i, _ in model.log_likelihood_] == list(range(10, 101, 10))
    again = TopicModel("lda", 2, random_state=3, engine="tomotopy", gibbs_iterations=100).fit(planted)
    assert np.array_equal(model.topic_term_, again.topic_term_) and np.array_equal(model.doc_topic_, again.doc_topic_)
    with pytest.raises(ParameterError, match="engine"):
        TopicModel("lda", 2, engine="mallet").fit(planted)


def test_background_fit_gives_the_same_result(planted):
    assert in_background(topic_diversity, [["a", "b"], ["a", "c"]]).result() == 0.75


def _evolution():
    """Topic 1's top two terms: [a, b] in 2000 and 2001, [b, c] in 2002; topic 2: [x, y] always.
    Rank-3 rows are below the top two and must not count."""
    rows = []
    for year, terms in ((2000, "a b z"), (2001, "a b c"), (2002, "b c a")):
        rows += [(1, year, term, rank, 0.1) for rank, term in enumerate(terms.split(), 1)]
    for year in (2000, 2001, 2002):
        rows += [(2, year, term, rank, 0.1) for rank, term in enumerate("x y w".split(), 1)]
    return pd.DataFrame(rows, columns=["topic", "year", "term", "rank", "weight"])


def test_dynamic_changes_say_which_terms_entered_and_left():
    changes = dynamic_topic_changes(_evolution(), n_terms=2)
    assert changes[["topic", "n_years", "years_changed", "entered", "left"]].values.tolist() == [
        [1, 3, 1, "c", "a"], [2, 3, 0, "", ""]]
    lines = dynamic_findings(changes, 2)
    assert lines == ["Topic 1: its top 2 terms change in 1 of 2 steps from one time slice to the next; from 2000 to 2002, "
                     "c entered and a left.", "The other 1 topic(s) keep the same top 2 terms every year."]


def test_a_dynamic_model_whose_terms_never_move_says_so():
    still = _evolution()
    still = still[still["topic"] == 2]
    assert dynamic_findings(dynamic_topic_changes(still, 2), 2) == [
        "The dynamic model's top 2 terms are the same, in the same order, in every year for all 1 topics: it shows "
        "no change over time, so its table and figure are not shown."]


def test_selection_summary_gives_mean_and_standard_error_over_seeds():
    from analysis.models.topics import selection_summary

    selection = pd.DataFrame({"model": "lda", "k": [4, 4, 4], "seed": [1, 2, 3], "c_v": [0.3, 0.4, 0.5],
                              "c_npmi": [0.0, 0.1, 0.2], "diversity": [1.0, 1.0, 1.0]})
    stability = pd.DataFrame({"model": ["lda"], "k": [4], "stability": [0.8]})
    row = selection_summary(selection, stability).loc[("lda", 4)]
    # mean 0.1; sample sd 0.1, so the standard error is 0.1 / sqrt(3)
    assert row["c_npmi mean"] == pytest.approx(0.1) and row["c_npmi sem"] == pytest.approx(0.1 / 3 ** 0.5)
    assert row["diversity sem"] == 0 and row["stability"] == 0.8
