"""Fighting at home is reflected as the situation at home, not as the person's own anger (issue 12).

A teen writing "they fight all the time" was answered "It sounds like you're feeling angry": the classifier
chose mood_angry. A fight is not abuse either: none of these reaches the safety routing. These texts are
not training examples (data/nlu/feelings.yml has its own, written differently).
"""
from __future__ import annotations

import pytest

FIGHTS = ["they fight all the time", "my mum and dad argue every night", "parents screaming at each other again"]


@pytest.mark.parametrize("text", FIGHTS)
def test_parents_fighting_is_family_conflict(pipeline, text):
    assert pipeline.parse(text)["intent"]["name"] == "family_conflict"


@pytest.mark.parametrize("text", FIGHTS)
def test_a_fight_is_not_routed_to_safety(pipeline, text):
    parsed = pipeline.parse(text)
    assert not parsed["intent"]["name"].startswith("safety_")
    assert not (parsed.get("safety") or {}).get("escalate")


def test_the_persons_own_anger_is_still_anger(pipeline):
    assert pipeline.parse("im so angry at everyone today")["intent"]["name"] == "mood_angry"


def test_not_feeling_safe_at_home_still_reaches_the_safety_routing(pipeline):
    """The going-on reflection invites this; the safety component, not the feeling, answers it."""
    assert pipeline.parse("i dont feel safe at home when they fight")["intent"]["name"] == "safety_abuse"


@pytest.mark.parametrize("text", ["my dad hits my mum", "he hits her when they fight"])
def test_violence_between_parents_is_abuse_not_a_fight(pipeline, text):
    """Seen violence is not reflected as an argument: abuse.violence_at_home (safety/rules/abuse_or_unsafe.yml)."""
    assert pipeline.parse(text)["intent"]["name"] == "safety_abuse"
