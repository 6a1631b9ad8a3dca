"""Shapes of message the eighth pass of issue 8 (H2) addressed, phrased by the helper from general
knowledge of how people write, not copied from any blind set.

Why each matters to the person: a plan told as logistics ("i have it all planned", "it's going to be the
tablets.", "once the funeral is over i'm going to do it.", a date chosen because it "feels fitting"),
affairs put in order ("won't be needing them", passwords left "so he can shut everything down later",
possessions given away), medicine gathered from several chemists or kept instead of taken, a gun fetched
or borrowed without a reason, and last words sent from a bridge or a platform got only the question or
nothing, where the person needed the crisis lines and a member of staff. The other direction: the same
words about a party, a trip, a hobby, a commute or a pharmacy shortage must stay ordinary.
"""
from __future__ import annotations

import pytest

from safety import assess
from safety.assessment import Kind


@pytest.mark.parametrize("text", [
    "ive got it all planned now. nobody needs to know",
    "it's going to be the tablets. this month",
    "the rope. that's what i've decided",
    "my plan is the bridge by the retail park",
    "once the funeral is over i'm going to do it.",
    "after term ends i'll go through with it",
    "new year's day feels fitting somehow",
    "picked a date. after my brother's exams so it doesn't wreck them",
])
def test_a_plan_told_as_logistics_escalates(text):
    assert assess(text).escalate


@pytest.mark.parametrize("text", [
    "cancelled the gym and my phone contract. won't be needing them",
    "left my logins with my dad so he can shut everything down later",
    "been giving my xbox and games away to my cousins",
    "bought paracetamol at four different shops so nobody would notice",
    "stopped taking my lithium and kept it all in a shoebox",
    "took my dad's rifle out of the cabinet while he was at work",
    "on the railway bridge now. windy. i think this is it",
    "at the station right now. just wanted to tell someone",
])
def test_affairs_means_and_last_words_escalate(text):
    assert assess(text).escalate


@pytest.mark.parametrize("text", [
    "i've got it all planned for her surprise party",
    "we have it all planned, the flights are booked",
    "it's going to be the car that needs fixing first",
    "my plan is to get the train home after work",
    "once the rain is over i'm going to do the garden",
    "i'll tell her after the wedding so i don't ruin it",
    "i know which bridge you mean, the one by the canal",
    "i won't be needing a lift tomorrow, thanks",
    "gave my flatmate the wifi password so she can use it",
    "tried three different chemists and none had the vaccine in stock",
    "i stopped taking ibuprofen because it upset my stomach",
    "we took the guns out for clay shooting on sunday",
    "at the station now, be there in 5",
    "on the platform now, thanks for waiting for me",
])
def test_the_same_words_about_ordinary_things_do_not_escalate(text):
    assert not assess(text).escalate


def test_doing_it_right_now_then_goodbye_is_an_emergency():
    # "rn" is normalised to "right now", which the rule's "now|rn" never saw
    assert assess("doing it rn. bye").kind is Kind.EMERGENCY
    assert not assess("ok doing it right now, thanks").escalate


LONG_OPENING = ("Sorry, this got long. Work has been relentless since the merger and I'm covering two roles, the "
                "kids have had colds all month and the car needs a new clutch. My sister keeps ringing about "
                "Christmas plans and I keep putting her off. ")
LONG_CLOSING = (" Anyway, I mainly wanted to ask whether the clinic has evening appointments, because I can't get "
                "time off during the day and my manager watches the rota like a hawk.")


@pytest.mark.parametrize("sentence", [
    "Most nights I end up searching how many of my sleeping tablets it would take.",
    "The clinic in Switzerland is out of reach, so I've been thinking about doing it myself instead.",
    "I sat on the bridge on the way home for ages and thought how easy it would be.",
    "I keep thinking my life insurance would cover the mortgage and they'd all be better off.",
])
def test_a_risk_sentence_buried_in_a_long_post_escalates(sentence):
    assert assess(LONG_OPENING + sentence + LONG_CLOSING).escalate


@pytest.mark.parametrize("sentence", [
    "I looked up how many hours the drive would take.",
    "The plumber quoted far too much, so I'm thinking about doing it myself instead of waiting.",
    "We stood on the bridge for ages watching the boats.",
    "I finally switched my car insurance and we're better off by forty pounds a month.",
])
def test_the_same_words_in_an_ordinary_long_post_do_not_escalate(sentence):
    assert not assess(LONG_OPENING + sentence + LONG_CLOSING).escalate
