"""Being bullied is reflected as what is being done to the person, not as their own anger (issue 12).

"people at school keep bullying me" was answered "It sounds like you're feeling angry": the classifier chose
mood_angry. Bullying is not routed to safety by itself. "i keep checking my phone" was answered with the
clinic's phone number; it is worry. These texts are not training examples (data/nlu has its own, written
differently).
"""
from __future__ import annotations

import pytest

BULLYING = ["people at school keep bullying me", "the kids in my class bully me every day",
            "my coworkers pick on me all the time"]


@pytest.mark.parametrize("text", BULLYING)
def test_being_bullied_is_bullying(pipeline, text):
    assert pipeline.parse(text)["intent"]["name"] == "bullying"


@pytest.mark.parametrize("text", BULLYING)
def test_bullying_is_not_routed_to_safety(pipeline, text):
    parsed = pipeline.parse(text)
    assert not parsed["intent"]["name"].startswith("safety_")
    assert not (parsed.get("safety") or {}).get("escalate")


def test_the_persons_own_anger_is_still_anger(pipeline):
    assert pipeline.parse("im so angry at everyone today")["intent"]["name"] == "mood_angry"


@pytest.mark.parametrize("text", ["i keep checking my phone", "i cant stop checking my phone"])
def test_checking_a_phone_is_not_a_question_about_the_clinic(pipeline, text):
    assert pipeline.parse(text)["intent"]["name"] == "mood_anxious"


def test_asking_for_the_clinics_phone_number_still_is(pipeline):
    assert pipeline.parse("whats the clinic's phone number")["intent"]["name"] == "ask_clinic_contact"
