"""Pills had, said beside a wish to die, are means at hand: the emergency reply (safety/rules/access_to_means.yml,
means.pills_beside_a_wish). Session 17: "i want to die, i have pills" was a crisis, and "i want to go to sleep
tonight and never wake up, ive got the pills" an emergency only through its time word."""
from __future__ import annotations

import pytest

from safety import assess
from safety.assessment import Kind


@pytest.mark.parametrize("text", ["i want to die, i have pills", "i want to sleep and never wake up. ive got the pills",
                                  "i want to kill myself, i have my meds in my bag"])
def test_a_wish_to_die_with_pills_at_hand_is_an_emergency(text):
    assert assess(text).kind is Kind.EMERGENCY, text


@pytest.mark.parametrize("text", ["i have pills for my headache", "i've got my pills with me for the trip",
                                  "remind me, do i have the pills for the dog"])
def test_pills_had_without_a_wish_never_escalate(text):
    """The rule counts only beside a wish (needs_context); the risk model alone may still ask."""
    assert not assess(text).escalate, text
