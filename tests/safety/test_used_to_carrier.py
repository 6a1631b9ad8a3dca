""""I used to self harm" is a past told as past; the words "self harm" inside it are not said again by themselves.

Why: `sh_act.used_to` (kind none) carries the phrase for the recovery cap and leaves the message to the model, but
the bare "self harm" inside it matched an urge rule, so "i used to self harm years ago, what therapy do you offer"
got the crisis reply and a case. A match inside a kind-none match now belongs to it; the same words said again
outside it, or a relapse, still escalate.
"""
from __future__ import annotations

import pytest

from safety import assess
from safety.assessment import Kind


@pytest.mark.parametrize("text", [
    "i used to self harm years ago, what therapy do you offer",
    "i used to self harm as a teenager and i'd like to understand why",
])
def test_a_past_told_as_past_is_not_a_crisis(text):
    assert not assess(text).escalate


@pytest.mark.parametrize("text", [
    "i used to self harm and i want to self harm again tonight",
    "i used to self harm and now its happening again",
    "i used to self harm. i cut myself last night",
])
def test_the_harm_said_again_still_escalates(text):
    assert assess(text).kind in (Kind.CRISIS, Kind.EMERGENCY)


def test_a_relapse_after_the_past_brings_it_back():
    """The carrier gives its words back when the story ends on a relapse (tunables `recovered.relapse_markers`)."""
    assert assess("i used to self harm years ago, doing well now, i just broke it. so stupid").escalate
