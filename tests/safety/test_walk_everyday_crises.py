"""Everyday lines the Chromium walk of 6 December (session 14) showed as false crises, and their dangerous twins.

Why it matters to the person: "that errand made me want to die lol" and "im moving abroad next month so im giving
most of my stuff away" showed the crisis lines and paged staff; the thirteenth pass's idioms knew only the wordings
of blind set 11. Emoji reach the rules as words ("💀" is "skull", "😂" is "lol"), so an idiom that listed the emoji
themselves never matched them.
"""
from __future__ import annotations

import pytest

from safety import assess
from safety.assessment import Kind


@pytest.mark.parametrize("text", [
    "that errand made me want to die lol",
    "my boss's joke made me want to die 💀",
    "that meeting made me want to die 😂",
    "this group project makes me want to die lol",
    "im moving abroad next month so im giving most of my stuff away",
    "relocating interstate in june and giving away most of the furniture",
    # session 15 walk: a move to a named place
    "im moving to spain next month so im giving away most of my furniture",
    "we're moving to the uk in may and selling most of our things",
])
def test_everyday_lines_stay_quiet(text):
    assert assess(text).kind is Kind.NONE


@pytest.mark.parametrize("text", [
    "that errand made me want to die",
    "my life made me want to die lol",
    "i want to die 💀",
    "im moving on so im giving my stuff away",
    "moving to a better place soon, giving my things away",
    "moving to heaven soon so im giving my stuff away",
    "moving to the other side soon, giving my things away",
])
def test_their_dangerous_twins_still_escalate(text):
    assert assess(text).escalate
