"""A recovery told before the event it counts from ("i've been stable since my attempt five years ago").

Why: "an attempt five years ago and i've been stable since" was already read as a recovered past (asked about at
most), but the same story told the other way round escalated a person asking to start therapy again to the crisis
reply and a case. A relapse or a present danger told after it still escalates.
"""
from __future__ import annotations

import pytest

from safety import assess
from safety.assessment import Kind


@pytest.mark.parametrize("text", [
    "my scars have faded and i have been stable since my attempt five years ago. i want to start therapy again",
    "i've been stable since my attempt in 2019 and i'd like to see someone about anxiety",
    # "suicide" inside "my suicide attempt" is part of that past, not ideation said now (session 19)
    "i've been well since my suicide attempt",
    "i have been fine since my suicide attempt two years ago and want to talk about sleep",
    "i've been doing ok since my suicide attempt",
])
def test_a_recovery_counted_from_a_past_attempt_is_not_a_crisis(text):
    assert not assess(text).escalate


@pytest.mark.parametrize("text", [
    "i've been stable since my attempt five years ago but tonight i want to die",
    "been stable since my attempt. relapsed last night",
    "i've been clean since my last attempt but i have pills saved",
    # a new attempt told after the recovery (tunables `recovered.relapse_markers`, session 19)
    "i've been well since my suicide attempt but last night i tried again",
    "i've been well since my attempt but i tried again yesterday.",
])
def test_a_relapse_or_danger_after_it_still_escalates(text):
    assert assess(text).kind in (Kind.CRISIS, Kind.EMERGENCY)


def test_an_errand_tried_again_is_no_relapse():
    """"tried again" is a relapse only as the end of the thought, not "tried again to get a job"."""
    assert not assess("i've been well since my attempt. i tried again to get a job and got it").escalate
