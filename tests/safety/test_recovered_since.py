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
])
def test_a_recovery_counted_from_a_past_attempt_is_not_a_crisis(text):
    assert not assess(text).escalate


@pytest.mark.parametrize("text", [
    "i've been stable since my attempt five years ago but tonight i want to die",
    "been stable since my attempt. relapsed last night",
    "i've been clean since my last attempt but i have pills saved",
])
def test_a_relapse_or_danger_after_it_still_escalates(text):
    assert assess(text).kind in (Kind.CRISIS, Kind.EMERGENCY)
