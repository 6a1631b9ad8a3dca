"""Danger now is an emergency, not a crisis (issue 8, "emergencies never downgraded"; safety/rules/danger_now.yml).

Why it matters to the person: the emergency reply says "call the emergency number now ... if you are hurt, get
help now"; the crisis reply offers a crisis line. Someone bleeding heavily after self-harm, or about to swallow
the pills in front of them, needs the first. The same words in ordinary life (a nosebleed, a kitchen accident,
taking one's meds, agreeing to try an exercise) must not be raised by these rules.
"""
from __future__ import annotations

import pytest

from safety import assess
from safety.assessment import Kind
from safety.engine import get_engine

NEW_RULES = ("danger.bleeding_after_self_harm", "danger.taking_means_now", "danger.resolved_and_timed")


@pytest.mark.parametrize("text", [
    # serious injury beside the writer's self-harm
    "i just hurt myself really badly and theres a lot of blood",
    "i cut my wrist and theres loads of blood",
    "cut myself again, its deep and it won't stop",
    "i self harmed tonight and i think i need stitches",
    # taking the means now, with the means at hand
    "i have the pills in front of me and im going to take them now",
    "got a bottle of pills here. swallowing them now",
    # resolve and a time together, for an unnamed act
    "its happening tonight ive made up my mind",
    "everything is ready im doing it tonight",
    "my mind is made up. im doing it tomorrow",
    # the act now, then a goodbye (attempt.doing_it_now_goodbye)
    "im doing it right now bye",
    "everything is ready, i'm doing it now. bye",
])
def test_danger_now_is_an_emergency(text):
    assert assess(text).kind is Kind.EMERGENCY


@pytest.mark.parametrize("text", [
    "my friend cut herself and theres a lot of blood",
    "my brother hurt himself and he needs stitches",
])
def test_someone_elses_serious_injury_is_an_emergency_about_them(text):
    a = assess(text)
    assert a.kind is Kind.EMERGENCY
    assert "third_party_risk" in a.categories


@pytest.mark.parametrize("text", [
    # accidents and ordinary bleeding: no self-harm beside the blood
    "cut my finger cooking and there's a lot of blood",
    "i fell off my bike and needed stitches",
    "lots of blood in that horror film last night",
    "the dentist said there'd be a lot of blood but it was fine",
    # taking things now with no means at hand or plan
    "i'm going to take my meds now",
    "the dog is waiting, i'm going to take him out now",
    "i'm going to take them now, the bins go out tomorrow",
    # resolve with no risk beside it
    "i've made up my mind, i'm going to study law",
    "everything is ready for the party tonight",
    "nobody can stop me from getting this promotion",
    # answering an exercise offer, "i'm" or not
    "ok im doing it right now, bye",
    "ok im doing it now. bye",
    "ok doing it right now. bye",
    "sure, i'm doing it right now. bye",
    "doing it right now lol, bye",
])
def test_the_same_words_in_ordinary_life_are_not_an_emergency(text):
    assert assess(text).kind is not Kind.EMERGENCY


@pytest.mark.parametrize("text", [
    "cut my finger cooking and there's a lot of blood",
    "i fell off my bike and needed stitches",
    "i'm going to take my meds now",
    "everything is ready for the party tonight",
    "ok doing it right now. bye",
])
def test_the_new_rules_do_not_read_ordinary_life_at_all(text):
    fired = {hit.rule.id for hit in get_engine().rule_hits(text)}
    assert fired.isdisjoint(NEW_RULES), fired


@pytest.mark.parametrize("text", [
    "i cut myself last year and there was a lot of blood",  # a past marker: past_attempt, a crisis
    "i haven't made up my mind, i'm going to do it tomorrow or friday",  # negated resolve: the time alone
    "im going to do it tonight",  # the time alone: also said of an exercise put off to bedtime
])
def test_a_past_a_negated_resolve_or_a_time_alone_stays_a_crisis(text):
    assert assess(text).kind is Kind.CRISIS
