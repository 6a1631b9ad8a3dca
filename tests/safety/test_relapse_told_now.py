"""A relapse told now is never capped by a recovery that follows it (issue 8, session 14).

Why it matters to the person: "i used to self harm and im doing it again now, im fine now though" and "i attempted
yesterday, im fine now" were capped at the check-in question because a past marker ("used to", the attempt itself)
and a recovery marker ("im fine now") were in the message: the relapse or the attempt told as recent did not reach
the crisis lines or staff. Ongoing self-harm told with "still" ("still cutting tbh") got nothing at all. The
recovered past stays a question ("i used to cut when i was 15, im fine now") and the idioms stay quiet.
"""
from __future__ import annotations

import pytest

from safety import assess
from safety.assessment import Kind


@pytest.mark.parametrize("text", [
    "i used to self harm and im doing it again now, im fine now though",
    "i used to cut and i started again last night but im okay now",
    "i attempted yesterday, im fine now",
    "i tried to kill myself a few days ago but im ok now",
    "still cutting tbh",
    "i still cut sometimes",
    "i still cut sometimes but im doing well now",
])
def test_a_relapse_or_an_act_told_now_reaches_the_crisis_lines(text):
    assert assess(text).escalate


@pytest.mark.parametrize("text", [
    "i used to cut when i was 15, im fine now",
    "i used to self harm a few years ago but ive been fine for ages",
    "i attempted last year and im doing much better now",
    "when i was a teen i cut myself a lot. im doing well now",
    "i tried to end my life 3 years ago and today im in a good place",
])
def test_a_recovered_past_stays_the_question(text):
    assert assess(text).kind is Kind.CHECK_IN


@pytest.mark.parametrize("text", ["i still cut my own hair", "still cutting back on sugar", "still cutting class lol",
                                  "i still cut coupons every week"])
def test_still_with_an_everyday_cut_stays_quiet(text):
    assert assess(text).kind is Kind.NONE


@pytest.mark.parametrize("text", [
    "I had suicidal thoughts years ago but I've been fine for years. But last night they came back",
    "i used to self harm but ive been clean for 3 years. the urges are back",
    "i used to cut myself, been fine for ages, and now the urges have come back",
    "i attempted when i was 16 and have been well for years. i relapsed last week",
    "i used to cut myself but ive been fine for ages. i started again",
])
def test_a_relapse_told_after_the_recovery_reaches_the_crisis_lines(text):
    """The story ends on the relapse, not on being well (tunables `recovered.relapse_markers`)."""
    assert assess(text).escalate


@pytest.mark.parametrize("text", [
    "i tried to kill myself in 2015 but ive been fine for years now",
    "i used to cut but ive been fine for ages. my sister came back from uni today so im happy",
    "i used to cut but ive been fine for ages. the weather is back to normal",
    "i had suicidal thoughts years ago but ive been fine for years, started a new job and loving it",
    "i used to cut myself but ive been fine for ages, i returned to uni last month",
    "i used to cut myself but ive been fine for ages and its back to normal at home",
    "i used to cut myself but ive been fine for years. my parents are back from holiday",
])
def test_something_else_coming_back_leaves_the_recovered_past_a_question(text):
    assert assess(text).kind is Kind.CHECK_IN
