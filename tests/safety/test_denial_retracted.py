"""A denial taken back in the same message ("kill myself? never. but tonight i might").

Why: the denial negated the match, so a person who said they might do it tonight was only asked the check-in
question. An elliptical "but i might" takes the denied words back (tunables `negation.retraction_*`); a "but" that
goes on to another verb ("but i might cry") keeps the denial.
"""
from __future__ import annotations

import pytest

from safety import assess
from safety.assessment import Kind


@pytest.mark.parametrize("text", [
    "kill myself? never. but tonight i might",
    "i'd never kill myself, but i might",
    "i'm not going to kill myself. but i might tonight.",
    "i would never end my life... or maybe i will",
    "i won't hurt myself. though i could",
])
def test_a_denial_taken_back_escalates(text):
    assert assess(text).kind in (Kind.CRISIS, Kind.EMERGENCY)


@pytest.mark.parametrize("text", [
    "i would never kill myself, but i might cry tonight",
    "i'd never hurt myself, but i might need to talk to someone",
    "kill myself? never. but i might take a long bath tonight",
    "i would never kill myself. i might go for a walk though",
])
def test_a_denial_followed_by_something_else_stays_a_denial(text):
    assert not assess(text).escalate
