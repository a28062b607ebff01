import pandas as pd
import pytest

from analysis.text.spelling import spelling_key, spelling_variants


@pytest.mark.parametrize("british, american", [
    ("combatting", "combating"), ("travelled", "traveled"), ("focussed", "focused"), ("labour", "labor"),
    ("labourers", "laborers"), ("centre", "center"), ("programmes", "programs"), ("organisation", "organization"),
    ("recognised", "recognized"), ("analyse", "analyze"), ("defence", "defense"), ("dialogue", "dialog"),
    ("judgement", "judgment"), ("ageing", "aging"), ("harmonisation_of_laws", "harmonization_of_laws"),
])
def test_british_and_american_forms_share_a_key(british, american):
    assert spelling_key(british) == spelling_key(american)


@pytest.mark.parametrize("one, other", [("filling", "filing"), ("latter", "later"), ("four", "for"),
                                        ("your", "yor"), ("better", "beter")])
def test_different_words_keep_different_keys(one, other):
    assert spelling_key(one) != spelling_key(other)


def test_variants_map_to_the_most_frequent_form_and_only_when_two_forms_occur():
    totals = pd.Series({"combating": 2, "combatting": 5, "precise": 3, "labour": 1, "labor": 1})
    assert spelling_variants(totals) == {"combating": "combatting", "labour": "labor"}
