"""Which dialogue intent a safety verdict routes to (bot.nlu.safety_component.intent_for)."""
from __future__ import annotations

import pytest

from bot.nlu.safety_component import intent_for
from safety import assess


@pytest.mark.parametrize("text", [
    "im 12 and someone makes me do sexual things and told me not to tell",
    "my stepdad hits me and i'm scared to go home",
    "he said he'd kill me if i leave",
    "my husband threatened to kill me if i leave",
    "my partner controls all my money and won't let me see my friends",
])
def test_a_disclosure_of_abuse_routes_to_the_abuse_path(text):
    assert intent_for(assess(text)) == "safety_abuse"


@pytest.mark.parametrize("text", [
    "my mum is going to kill me when she sees my grades",
    "the abuse of power in this government",
    "the abuse trial of the former coach starts on monday",
])
def test_figurative_and_news_uses_of_abuse_do_not_route_anywhere(text):
    assert intent_for(assess(text)) is None


def test_the_writers_own_suicide_risk_outranks_abuse():
    verdict = assess("my dad hits me and i want to kill myself")
    assert "abuse_or_unsafe" in verdict.categories
    assert intent_for(verdict) in ("safety_crisis", "safety_emergency")


def test_other_verdicts_route_as_before():
    assert intent_for(assess("i want to kill myself")) == "safety_crisis"
    assert intent_for(assess("i took all my pills just now")) == "safety_emergency"
    assert intent_for(assess("im going to do it")) == "safety_check_in"
    assert intent_for(assess("hello there")) is None
