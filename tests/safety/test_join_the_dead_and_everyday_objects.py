"""Wanting to join someone who has died is passive ideation (passive.join_the_dead: "my mum died and i want to join
her" was quiet on main); the everyday look-alikes found beside it stay quiet, and the false alarms of session 23's walks
(a glass kept to drink from, a parcel's slow delivery, a grave visited) are set aside without losing their twins."""
from __future__ import annotations

import pytest

from safety import assess
from safety.assessment import Kind

ESCALATES = [
    "my mum died and i want to join her",
    "dad passed away in may. i just want to join him",
    "i wish i could join my nan in heaven",
    "since my husband died i'm ready to join him",
    "my mum died and i want to join her soon",
    "my mum died and i want to join her in the afterlife",
    "my wife died in june. i want to be with her",
    # twins of the idioms below
    "i kept the glass to cut with",
    "i won't be alive by the time you read this",
    "i won't be alive by the time the train comes",
    "i want to be in the grave with him",
    "i want to go to his grave and never come back",
]

QUIET = [
    "my sister passed her test and i want to join her on the trip",
    "i want to join her for lunch",
    "my dad died last year and i want to join a grief group",
    "my mum died and i want to join my dad for dinner tonight",
    "my grandad died and i'm going to join them at the funeral",
    "my wife died and i want to join her family for christmas",
    "my wife died in june and i want to be with her family at christmas",
    "i kept the glass to drink from",
    "i got a new glass of water",
]

# A grave visited is grief; with "want" beside it the model may still ask, never escalate.
NOT_A_CRISIS = [
    "dad died in march and i want to go to his grave",
    "i want to visit her grave on her birthday",
    "i won't be alive by the time the parcel comes lol",
    # an idiom that names the sentence end it crosses (crosses_breaks)
    "we got evicted. nowhere to go tonight",
    "the bailiffs came this morning... we have nowhere to stay",
]

# ... and a threat from a person beside the housing story keeps its match
ABUSE_KEPT = ["he hits me. i have nowhere to go", "got evicted last year. he hits me and i've got nowhere to go"]


@pytest.mark.parametrize("text", ABUSE_KEPT)
def test_a_threat_beside_an_eviction_still_escalates(text: str) -> None:
    assert assess(text).escalate, text


@pytest.mark.parametrize("text", ESCALATES)
def test_escalates(text: str) -> None:
    assert assess(text).escalate, text


@pytest.mark.parametrize("text", QUIET)
def test_stays_quiet(text: str) -> None:
    assert assess(text).kind is Kind.NONE, text


@pytest.mark.parametrize("text", NOT_A_CRISIS)
def test_asks_at_most(text: str) -> None:
    assert not assess(text).escalate, text
