"""The feeling a reply reflects ("It sounds like you're feeling {emotion}") is one the person named.

The `emotion` entity comes from a lookup table of feeling words. "down" and "low" are feelings only in
some company: "scared of letting people down" reflected as "feeling scared and down" tells the person
the assistant did not listen.
"""
from __future__ import annotations

import pytest


def emotions(pipeline, text: str) -> list[str]:
    return [e["value"] for e in pipeline.parse(text)["entities"] if e["entity"] == "emotion"]


@pytest.mark.parametrize("text, expected", [
    ("im really down today", ["down"]),
    ("feeling so low and tired", ["low"]),
    ("i feel down about everything", ["down"]),
    ("ive been low for weeks", ["low"]),
])
def test_down_and_low_said_as_feelings_are_reflected(pipeline, text, expected):
    assert emotions(pipeline, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("yeah i guess i'm scared of letting people down", ["scared"]),
    ("i cant calm down and i'm so anxious", ["anxious"]),
    ("my phone is on low battery and i'm stressed", ["stressed"]),
    ("my mum let me down again", []),
])
def test_down_and_low_in_other_senses_are_not_feelings(pipeline, text, expected):
    assert emotions(pipeline, text) == expected
