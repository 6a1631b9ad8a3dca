"""A self-harm streak told, then taken back by a plan with no object ("i haven't self harmed in 2 weeks but tonight i'm
going to"): the negation belongs to the streak, the plan to tonight (sh_urge.streak_but_going_to, and the relapse
markers in tunables.yml after a recovery idiom). A Chromium walk found the first only asked about."""
from __future__ import annotations

import pytest

from safety import assess
from safety.assessment import Kind

ESCALATES = [
    "i haven't self harmed in 2 weeks but tonight i'm going to",
    "havent cut in a month but im going to again",
    "not hurt myself since june but tonight im going to",
    "i've been clean from sh for 40 days but i'm gonna tonight",
    "clean from self harm for a year but i will again",
    "havent self harmed in ages but tonight im going to. i cant anymore",
    "i haven't self harmed in 2 weeks but tonight i'm going to do it",
    "havent sh in 3 months but i think im going to tonight",
    "clean from self harm since june but honestly i'm going to again",
]

# The streak with an evening planned stays what it was before the rule: the negated mention asks, nothing escalates.
ASKS_AT_MOST = [
    "i haven't self harmed in 2 weeks but tonight i'm going to the cinema",
    "clean from sh for a month but today im going to treat myself",
    "been clean from sh for 3 months but i'm going to the gym tonight",
    "i haven't self harmed in a year but i'm going to keep going to therapy",
    "i havent self harmed in a year but im going to a party tonight",
    "clean from sh for a year but i think i'm going to celebrate tonight",
]

QUIET = [
    "i haven't cut my hair in months but today i'm going to",
    "no harm in asking but today i'm going to",
]


@pytest.mark.parametrize("text", ESCALATES)
def test_a_plan_after_a_streak_escalates(text: str) -> None:
    assert assess(text).escalate, text


@pytest.mark.parametrize("text", ASKS_AT_MOST)
def test_a_streak_with_an_evening_planned_is_not_a_crisis(text: str) -> None:
    assert not assess(text).escalate, text


@pytest.mark.parametrize("text", QUIET)
def test_ordinary_plans_stay_quiet(text: str) -> None:
    assert assess(text).kind is Kind.NONE, text
