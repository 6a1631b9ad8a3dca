"""Someone else in danger now is an emergency about them, not about the writer.

Why it matters to the person: "my brother left a note and he's missing" was answered "if you can, stay with them or
keep in touch", and a friend who "has taken something and is logging off for good" the same, when the right step is
to call the emergency number now. The verdict must carry only the someone-else category, so the emergency reply
speaks about them ("if they have taken something"), not to the writer (bot/nlu/safety_component.py: risk_about).
"""
from __future__ import annotations

import pytest

from safety import assess

SOMEONE_ELSE_IN_DANGER_NOW = [
    "my brother left a note and he's missing",
    "my wife hasn't come home and left her wedding ring and a note",
    "dad left a letter this morning and now he has disappeared",
    "a girl in my group said she's taken something and is logging off for good",
    "my friend just took a load of pills and wont wake up",
    "my mum said goodbye and drove off, she said she's going to end it tonight",
]


@pytest.mark.parametrize("text", SOMEONE_ELSE_IN_DANGER_NOW)
def test_someone_else_in_danger_now_is_an_emergency_about_them(text):
    verdict = assess(text)
    assert verdict.kind.value == "emergency" and verdict.categories == ["third_party_risk"]


@pytest.mark.parametrize("text", [
    "my son left a note saying he's at football",
    "my brother left a note and we can't find the remote",
])
def test_an_everyday_note_stays_quiet(text):
    assert not assess(text).escalate


@pytest.mark.parametrize("text", [
    "my friend took a load of pills and i've taken some too",
    "my friend took pills and so did i",
    "we both took pills",
    "she swallowed her tablets and i took some as well",
])
def test_the_writer_in_danger_too_is_about_the_writer(text):
    """Else the reply would speak only of the friend (it also says "if you ... have taken something too" for the
    shapes still read as someone else's alone, such as "me and my friend both took pills")."""
    verdict = assess(text)
    assert verdict.kind.value == "emergency" and set(verdict.categories) != {"third_party_risk"}


@pytest.mark.parametrize("text", ["we have both taken pills for years", "we both take tablets every morning",
                                  "my friend and i both took ibuprofen for the hangover", "we both took the bus"])
def test_two_peoples_everyday_medicine_stays_quiet(text):
    assert not assess(text).escalate
