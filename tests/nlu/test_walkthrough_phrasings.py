"""Phrasings from the issue 12 walk-through that got a reply a therapist would wince at (not training examples).

"i moved here last year for work" after a loneliness reflection got the clinic's address; an older man's "my
children live abroad" was not understood; "im so anxous i cant breth" was reflected as shame.
"""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("text", ["i moved here a year ago for my job and know nobody",
                                  "my children both live abroad now"])
def test_loneliness_told_as_circumstances_is_loneliness(pipeline, text):
    assert pipeline.parse(text)["intent"]["name"] == "mood_lonely"


def test_where_the_clinic_is_still_gets_the_address(pipeline):
    assert pipeline.parse("where is the clinic")["intent"]["name"] == "ask_clinic_location"


@pytest.mark.parametrize("text", ["im so anxous i cant breth", "soo anxious cant breathe properly"])
def test_anxiety_with_typos_is_anxiety(pipeline, text):
    assert pipeline.parse(text)["intent"]["name"] == "mood_anxious"


# Issue 12, seams from a Chromium walk (6 Dec): tiredness on the way home from work got the out-of-scope reply
# ("I can't help with that one"). A tired person is reflected (overwhelm: a lot at once), not turned away; the
# safety component does not ask about it either. Neither phrasing is a training example.
FEELINGS = {"mood_overwhelmed", "mood_low", "sleep_problems"}


@pytest.mark.parametrize("text", ["im taking the train home after work, so tired",
                                  "so tired today, work just never stops"])
def test_tired_after_work_is_a_feeling_not_out_of_scope(pipeline, text):
    assert pipeline.parse(text)["intent"]["name"] in FEELINGS


def test_missing_an_ex_told_as_such_is_low_mood(pipeline):
    """When the message itself says it is an ex, it is the breakup's sadness, not grief."""
    assert pipeline.parse("honestly i still miss my ex a lot")["intent"]["name"] == "mood_low"


# Walk of 7 December: answering 5-4-3-2-1 as asked ("name 5 things you can see") was read as a feeling, and the
# exercise paused with "it's okay if the feeling is still strong" at every step. An answer to a step moves on
# (exercise_next); a feeling said partway through still pauses. None of these texts is a training example.
@pytest.mark.parametrize("text", ["my keys, a lamp, the radiator, the window and a cup",
                                  "the sofa cushion, my socks, the remote",
                                  "i can hear cars outside and the dishwasher",
                                  "i smell coffee"])
def test_an_answer_to_a_grounding_step_moves_on(pipeline, text):
    assert pipeline.parse(text)["intent"]["name"] == "exercise_next"


@pytest.mark.parametrize("text, intents", [("im still really anxious", {"mood_anxious"}),
                                           ("my dog died last week", {"grief"})])
def test_feelings_and_losses_are_still_read_as_such(pipeline, text, intents):
    assert pipeline.parse(text)["intent"]["name"] in intents
