"""Worry about someone who seems low, and "cbt vs dbt", each get their own intent (issue 12 walk-through).

"my son seems really down" was reflected as the writer's own low mood; it is worried_about_someone, which the
dialogue answers with how to be there for them. Risk about someone else must stay with the safety component
(safety_third_party or the question about them), whatever the new intent learned. "cbt vs dbt" was answered
with CBT alone; it is ask_therapy_compare. These texts are not training examples (data/nlu has its own,
written differently).
"""
from __future__ import annotations

import pytest

WORRIED = ["my son seems really down", "i'm worried about my friend, she's been so low",
           "my wife has seemed really sad for a few weeks now", "how do i help my dad, he's so stressed"]
THIRD_PARTY_RISK = ["my friend told me she wants to kill herself", "my son said he doesnt want to live anymore",
                    "im worried about my sister, she says she wants to end her life"]
ROUTED_TO_SOMEONE_ELSE = {"safety_third_party", "safety_check_in_other"}


@pytest.mark.parametrize("text", WORRIED)
def test_worry_about_someone_is_not_the_writers_low_mood(pipeline, text):
    assert pipeline.parse(text)["intent"]["name"] == "worried_about_someone"


@pytest.mark.parametrize("text", WORRIED)
def test_worry_without_risk_words_is_not_escalated(pipeline, text):
    assert not (pipeline.parse(text).get("safety") or {}).get("escalate")


@pytest.mark.parametrize("text", THIRD_PARTY_RISK)
def test_risk_about_someone_else_stays_with_the_safety_component(pipeline, text):
    parsed = pipeline.parse(text)
    assert parsed["intent"]["name"] in ROUTED_TO_SOMEONE_ELSE
    assert parsed["intent"]["confidence"] == 1.0


def test_the_writers_own_low_mood_is_still_low_mood(pipeline):
    assert pipeline.parse("i've been feeling really down lately")["intent"]["name"] == "mood_low"


@pytest.mark.parametrize("text", ["cbt vs dbt", "what's the difference between cbt and dbt",
                                  "is dbt different from cbt"])
def test_a_comparison_of_therapies_is_a_comparison(pipeline, text):
    assert pipeline.parse(text)["intent"]["name"] == "ask_therapy_compare"


@pytest.mark.parametrize(("text", "intent"), [("what is cbt", "ask_therapy_cbt"), ("tell me about dbt", "ask_therapy_dbt")])
def test_one_therapy_is_still_that_therapy(pipeline, text, intent):
    assert pipeline.parse(text)["intent"]["name"] == intent
