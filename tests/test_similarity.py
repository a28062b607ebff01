"""Similarity matrices worked out by hand, paragraph lineage, verbatim reuse, and the check
against human similarity judgments (Lee, Pincombe & Welsh 2005)."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from analysis.errors import ParameterError
from analysis.index.dfm import dfm_from_tokens, tfidf_rows
from analysis.stats.similarity import (NOVELTY_THRESHOLD, calibrate_novelty, document_topics, jaccard_similarity,
                                       lee_background, lee_benchmark, lee_validation, non_content_reasons,
                                       novel_paragraphs, order_by_similarity, paragraph_lineage, passage_summary,
                                       profile_similarity, shared_passages, tfidf_similarity, theme_profiles,
                                       topic_similarity, validate_against_ratings)
from analysis.text.tokens import Tokenizer


def count_matrix(token_lists):
    """Rows of token counts over a sorted vocabulary (a DFM of the lists)."""
    x = dfm_from_tokens(token_lists)
    return x.matrix, x.features.tolist()


def test_jaccard_by_hand():
    counts, _ = count_matrix([["a", "b", "b"], ["b", "c"], ["d"]])
    matrix = jaccard_similarity(counts, ["x", "y", "z"])
    assert matrix.loc["x", "y"] == pytest.approx(1 / 3)  # {b} of {a, b, c}
    assert matrix.loc["x", "z"] == 0 and matrix.loc["z", "z"] == 1


def test_tfidf_cosine_by_hand():
    # idf (smoothed) = ln((1 + n) / (1 + df)) + 1; tf sublinear = 1 + ln(tf)
    counts, vocabulary = count_matrix([["a", "a", "b"], ["a", "c"]])
    idf = {"a": math.log(3 / 3) + 1, "b": math.log(3 / 2) + 1, "c": math.log(3 / 2) + 1}
    first = np.array([(1 + math.log(2)) * idf["a"], idf["b"], 0])
    second = np.array([idf["a"], 0, idf["c"]])
    expected = first @ second / np.linalg.norm(first) / np.linalg.norm(second)
    assert vocabulary == ["a", "b", "c"]
    assert tfidf_similarity(counts, ["p", "q"]).loc["p", "q"] == pytest.approx(expected)


def test_profile_and_topic_similarity():
    profiles = pd.DataFrame({"cyber": [3.0, 6.0, 0.0], "scam": [4.0, 8.0, 0.0]}, index=["a", "b", "c"])
    matrix = profile_similarity(profiles)
    assert matrix.loc["a", "b"] == pytest.approx(1.0)  # proportional profiles
    assert np.isnan(matrix.loc["a", "c"])  # a document without themes resembles nothing
    topics = pd.DataFrame([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]], index=["a", "b", "c"])
    similarity = topic_similarity(topics)
    assert similarity.loc["a", "b"] == pytest.approx(0.0)  # disjoint: JS distance 1 (base 2)
    # JS divergence of (1,0) and (.5,.5), base 2: 0.5 * KL((1,0)||(.75,.25)) + 0.5 * KL((.5,.5)||(.75,.25))
    kl = lambda p, q: sum(x * math.log2(x / y) for x, y in zip(p, q) if x > 0)
    divergence = 0.5 * kl([1, 0], [0.75, 0.25]) + 0.5 * kl([0.5, 0.5], [0.75, 0.25])
    assert similarity.loc["a", "c"] == pytest.approx(1 - math.sqrt(divergence))


def test_profiles_and_topic_shares_pool_by_year():
    frequencies = pd.DataFrame({"doc_id": ["a", "a", "b", "b"], "year": [2000, 2000, 2000, 2000],
                                "theme": ["t1", "t2", "t1", "t2"], "count": [1, 0, 3, 2], "word_tokens": [100, 100, 300, 300]})
    profile = theme_profiles(frequencies, "year")
    assert profile.loc[2000, "t1"] == pytest.approx(4 / 400 * 10_000)
    doc_topics = pd.DataFrame({"model": "lda", "unit_id": ["a:1", "a:1", "a:2", "a:2"], "doc_id": "a", "year": 2000,
                               "n_tokens": [10, 10, 30, 30], "topic": [1, 2, 1, 2], "share": [1.0, 0.0, 0.5, 0.5]})
    shares = document_topics(doc_topics, "lda")
    assert shares.loc["a", 1] == pytest.approx((10 * 1 + 30 * 0.5) / 40)
    with pytest.raises(ParameterError, match="model='nmf'"):
        document_topics(doc_topics, "nmf")


def test_clustering_order_groups_the_similar():
    matrix = pd.DataFrame([[1, 0.1, 0.9], [0.1, 1, 0.2], [0.9, 0.2, 1]], index=list("abc"), columns=list("abc"))
    _, leaves = order_by_similarity(matrix)
    assert abs(list(leaves).index(0) - list(leaves).index(2)) == 1


DATES = pd.Series({"old": "2000", "mid": "2005-06-01", "new": "2010"})


def lineage_fixture():
    parts = pd.DataFrame({
        "doc_id": ["old", "old", "new", "new", "mid"],
        "year": [2000, 2000, 2010, 2010, 2005],
        "paragraph_id": ["old:p1", "old:p2", "new:p1", "new:p2", "mid:p1"],
        "text": ["wildlife trafficking harms forest", "drug trafficking and money laundering",
                 "online scam compound forced criminality victims", "money laundering and drug trafficking",
                 "drug trafficking harms"],
    })
    tokens = [text.split() for text in parts["text"]]
    return parts, tokens


def test_lineage_looks_only_at_earlier_documents():
    parts, tokens = lineage_fixture()
    vectors = tfidf_rows(count_matrix(tokens)[0])
    lineage = paragraph_lineage(parts, vectors, DATES).set_index("paragraph_id")
    assert "old:p1" not in lineage.index  # the first document has nothing earlier
    assert lineage.loc["new:p2", "earlier_paragraph_id"] == "old:p2"
    assert lineage.loc["new:p2", "score"] == pytest.approx(1.0)  # the same words in another order
    assert lineage.loc["new:p1", "score"] == 0.0
    assert lineage.loc["mid:p1", "earlier_doc_id"] == "old"
    expected = (vectors[4] @ vectors[:2].T).toarray().max()
    assert lineage.loc["mid:p1", "score"] == pytest.approx(expected)


def test_lineage_in_blocks_equals_the_whole(monkeypatch):
    import analysis.stats.similarity as similarity

    rng = np.random.default_rng(0)
    docs = np.repeat([f"d{i}" for i in range(6)], 7)
    parts = pd.DataFrame({"doc_id": docs, "year": 2000, "paragraph_id": [f"p{i}" for i in range(len(docs))],
                          "text": ""})
    vectors = tfidf_rows(sparse.csr_matrix(rng.poisson(0.3, (len(docs), 30))))
    dates = pd.Series({f"d{i}": f"200{i}" for i in range(6)})
    whole = paragraph_lineage(parts, vectors, dates)
    monkeypatch.setattr(similarity, "BLOCK_ROWS", 3)
    assert paragraph_lineage(parts, vectors, dates).equals(whole)
    assert len(whole) == 5 * 7


def test_documents_of_the_same_date_are_not_ancestors():
    parts, tokens = lineage_fixture()
    vectors = tfidf_rows(count_matrix(tokens)[0])
    same_day = pd.Series({"old": "2000", "mid": "2010", "new": "2010"})
    lineage = paragraph_lineage(parts, vectors, same_day).set_index("paragraph_id")
    assert set(lineage["earlier_doc_id"]) == {"old"}
    with pytest.raises(ParameterError, match="no date for new"):
        paragraph_lineage(parts, vectors, same_day.drop("new"))


def test_novel_paragraphs_with_their_themes():
    parts, tokens = lineage_fixture()
    lineage = paragraph_lineage(parts, tfidf_rows(count_matrix(tokens)[0]), DATES)
    kwic = pd.DataFrame({"paragraph_id": ["new:p1", "new:p1"], "theme": ["scam_compounds", "human_trafficking"]})
    n_tokens = pd.Series([len(t) for t in tokens], index=parts["paragraph_id"])
    novel = novel_paragraphs(lineage, kwic, n_tokens, threshold=0.25, min_tokens=3)
    assert novel["paragraph_id"].tolist() == ["new:p1"]
    assert novel.loc[0, "themes"] == "scam_compounds;human_trafficking"
    with pytest.raises(ParameterError, match="threshold=0"):
        novel_paragraphs(lineage, kwic, n_tokens, threshold=0)
    from analysis.stats.similarity import novelty_by_document

    table = novelty_by_document(lineage, novel)
    assert table.to_dict("index") == {"mid": {"paragraphs": 1, "new": 0}, "new": {"paragraphs": 2, "new": 1}}


def test_shared_passages_are_maximal_runs():
    parts = pd.DataFrame({
        "doc_id": ["a", "b", "b"], "paragraph_id": ["a:p1", "b:p1", "b:p2"],
        "text": ["Recalling the United Nations Convention against Transnational Organized Crime, and more.",
                 "Nothing shared here at all.",
                 "We welcome the united nations convention against transnational organized crime today"],
    })
    passages = shared_passages(parts, ["a", "b"], n_words=5)
    assert len(passages) == 1
    row = passages.iloc[0]
    assert row["passage"] == "the united nations convention against transnational organized crime"
    assert (row["n_words"], row["paragraph_a"], row["paragraph_b"]) == (8, "a:p1", "b:p2")
    assert shared_passages(parts, ["a", "b"], n_words=9).empty
    summary = passage_summary(passages, pd.Series({"a": 11, "b": 16}))
    assert summary.loc[0, "share_of_b"] == 0.5
    with pytest.raises(ParameterError, match="n_words=1"):
        shared_passages(parts, ["a", "b"], n_words=1)


def test_treaty_names_show_up_as_shared_passages(paras):
    order = list(dict.fromkeys(paras["doc_id"]))
    passages = shared_passages(paras, order, n_words=8)
    assert "the protocol to prevent suppress and punish trafficking in persons especially women and children" in set(
        passages["passage"])


def test_tfidf_similarity_agrees_with_human_judgment():
    """Lee, Pincombe & Welsh (2005): with idf from the 300 background documents and stemmed
    tokens, the Pearson r over the 1,225 pairs reaches the human inter-rater level (0.6), and
    its bootstrap interval over documents is reported (and reproducible with its seed)."""
    texts, human = lee_benchmark()
    assert len(texts) == 50 and human.shape == (50, 50) and len(lee_background()) == 300
    result = lee_validation(Tokenizer(normalize="stem", phrases="none").fit(), "background", n_resamples=500,
                            random_state=7)
    assert result["n_pairs"] == 1225
    assert result["pearson_r"] >= 0.60
    assert result["r_low"] < result["pearson_r"] < result["r_high"]
    assert result["r_low"] < 0.60  # 50 documents cannot tell this from lower agreement
    again = lee_validation(Tokenizer(normalize="stem", phrases="none").fit(), "background", n_resamples=500,
                           random_state=7)
    assert (again["r_low"], again["r_high"]) == (result["r_low"], result["r_high"])
    with pytest.raises(ParameterError, match="idf='all'"):
        lee_validation(Tokenizer(phrases="none").fit(), "all")


def test_bootstrap_resamples_documents_of_an_upper_triangle():
    """Ratings filled only above the diagonal (as Lee's file is): a similarity that equals them
    agrees perfectly in every resample, so the interval is [1, 1]; pairs of a document with its
    own copy are left out instead of counting as perfect agreement."""
    rng = np.random.default_rng(3)
    human = np.triu(rng.uniform(size=(12, 12)), k=1)
    result = validate_against_ratings(human + human.T, human, n_resamples=200, random_state=1)
    assert result["pearson_r"] == pytest.approx(1.0)
    assert (result["r_low"], result["r_high"]) == (pytest.approx(1.0), pytest.approx(1.0))
    noisy = human + human.T + rng.normal(scale=0.3, size=(12, 12))
    noisy = (noisy + noisy.T) / 2
    result = validate_against_ratings(noisy, human, n_resamples=200, random_state=1)
    assert result["r_low"] < result["pearson_r"] < result["r_high"] < 1
    assert "r_low" not in validate_against_ratings(noisy, human)
    with pytest.raises(ParameterError, match="n_resamples=-1"):
        validate_against_ratings(noisy, human, n_resamples=-1)


def test_non_content_paragraphs_are_named():
    paragraphs = pd.DataFrame({"kind": ["heading", "heading", "body", "preamble", "body", "body", "body", "operative",
                                        "body", "operative"],
                               "text": ["14 January 2015",
                                        "(Sponsored by Canada)",
                                        "Sponsored by Malaysia, Canada, Russian Federation, Japan, and Philippines, "
                                        "and adopted by consensus today.",
                                        "Calling on all participants to take the following measures:",
                                        "Statements were made by the representatives of Thailand, France and Japan. "
                                        "A statement was also made by the observer for the World Bank.",
                                        "Malaysia, Canada, Russian Federation, Japan, Philippines and Thailand",
                                        "The 122nd Assembly of the Inter-Parliamentary Union,",
                                        "Combat the illegal manufacturing and trafficking in firearms, their parts "
                                        "and ammunition.",
                                        "Speakers noted that online fraud and scams constituted a rapidly growing "
                                        "form of organized crime in the region.",
                                        "Call on Member States to combat modern-day slavery."]})
    reasons = non_content_reasons(paragraphs).tolist()
    assert reasons == ["heading", "heading", "sponsor_or_signature", "lead_in", "name_list", "name_list", "short",
                       "", "", ""]
    assert non_content_reasons(paragraphs, min_words=9).iloc[9] == "short"  # 8 words
    with pytest.raises(ParameterError, match="min_words=0"):
        non_content_reasons(paragraphs, min_words=0)


def test_non_content_paragraphs_of_the_corpus(paras):
    reasons = non_content_reasons(paras).set_axis(paras["paragraph_id"])
    assert reasons["2015_appf23_human_trafficking:p03"] == "heading"  # "14 January 2015"
    assert reasons["2025_uncongress15_apac_prep:p12"] == "name_list"  # who made statements
    assert reasons["2023_appf31_transnational_crimes:p05"] == "lead_in"  # "We, the parliamentarians ...:"
    assert reasons["2016_arf_cross_border_criminals:p15"] == ""  # the firearms clause is content


def test_novelty_threshold_from_labelled_pairs():
    """Scores .1 .2 .3 .4 .5, labels new, new, restated, new, restated: calling new below .45
    gives 4 new of which 3 are (precision 3/4 >= .75); below .5+ 3 of 5; below .35 2 of 3."""
    result = calibrate_novelty([0.1, 0.2, 0.3, 0.4, 0.5], [0, 0, 1, 0, 1], min_precision=0.75)
    assert result["threshold"] == pytest.approx(0.45)
    assert (result["novel"], result["correct"], result["recall"]) == (4, 3, 1.0)
    z = 1.959963984540054  # Wilson interval of 3 / 4 by its formula
    centre, half = (0.75 + z * z / 8) / (1 + z * z / 4), z * math.sqrt(0.75 * 0.25 / 4 + z * z / 64) / (1 + z * z / 4)
    assert (result["precision_low"], result["precision_high"]) == (pytest.approx(centre - half),
                                                                   pytest.approx(centre + half))
    assert math.isnan(calibrate_novelty([0.1, 0.2], [1, 1])["threshold"])
    with pytest.raises(ParameterError, match="labels 0 or 1"):
        calibrate_novelty([0.1, 0.2], [0, 2])


def test_shipped_labels_choose_the_default_threshold():
    """data/validation/lineage_pairs.csv: at least 60 pairs read and labelled, many near the
    threshold; the default threshold is the one they choose (precision of "new" >= 0.8)."""
    from pathlib import Path

    pairs = pd.read_csv(Path(__file__).parents[1] / "data" / "validation" / "lineage_pairs.csv")
    assert list(pairs.columns) == ["pair_id", "doc_id", "paragraph_id", "earlier_doc_id", "earlier_paragraph_id",
                                   "score", "text", "earlier_text", "label", "note"]
    assert len(pairs) >= 60 and pairs["pair_id"].is_unique and set(pairs["label"]) == {0, 1}
    assert pairs["note"].str.len().min() > 0
    assert pairs["score"].between(0.1, 0.25).sum() >= 40
    calibration = calibrate_novelty(pairs["score"], pairs["label"], min_precision=0.8)
    assert round(calibration["threshold"], 3) == NOVELTY_THRESHOLD
    assert calibration["precision"] >= 0.8


def test_content_lineage_leaves_out_what_is_not_content(index):
    from analysis.stats.similarity import content_lineage, non_content_reasons

    dates = index.documents.set_index("doc_id")["date"]
    lineage, n_tokens, left_out = content_lineage(index.paragraphs, index.dfm("paragraph"), dates)
    reasons = non_content_reasons(index.paragraphs)
    assert left_out.to_dict() == reasons[reasons != ""].value_counts().to_dict()
    content = set(index.paragraphs.loc[(reasons == "").to_numpy(), "paragraph_id"])
    assert set(lineage["paragraph_id"]) <= content and set(n_tokens.index) == content
    # the earliest document has no ancestor: its paragraphs are not in the lineage
    assert not lineage["doc_id"].eq(index.documents["doc_id"].iloc[0]).any()
