"""Properties of `safety.assess` over generated text (hypothesis): it never raises on any string, and its
verdict does not change with whitespace around the message or with letter case.

Why: assess runs on every message anyone types (and on what the gateway refuses), so an exception is
a message without a safety check, and a verdict that flips on "I want to die " vs "i want to die" is a
person missed. Speed on 100 kB (linear growth) is measured in `make bench` (safety/bench.py), not here.
"""
from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from safety import assess

# Phrases from the rules' own domain, so generated messages reach the matchers, not only the fast path.
RISK_PHRASES = [
    "i want to kill myself", "i want to die", "i'm going to end it tonight", "i cut myself again",
    "i have the pills ready", "nobody would miss me", "he hits me", "i don't want to die",
    "this traffic is killing me", "i could die of embarrassment", "k1ll mys3lf", "i wanna diiiie",
]
ANY_CHARACTER = st.characters(codec=None, exclude_categories=())  # surrogates and controls included
CHAT_CHARACTERS = st.characters(min_codepoint=32, max_codepoint=126)  # case maps one to one
PROFILE = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def verdict(text: str) -> tuple:
    result = assess(text)
    return result.kind, result.escalate, tuple(sorted(result.categories))


messages = st.lists(st.one_of(st.text(CHAT_CHARACTERS, max_size=40), st.sampled_from(RISK_PHRASES)),
                    min_size=1, max_size=4).map(" ".join)
whitespace = st.text(st.sampled_from(" \t\n\r\u00a0\u2003"), max_size=6)


@PROFILE
@given(st.text(ANY_CHARACTER, max_size=300))
@example("\ud800")  # a lone surrogate (valid in JSON): spaCy's hashing raised on it
@example("i want to kill myself \udfff")
def test_never_raises_on_any_string(text):
    result = assess(text)
    assert result.kind is not None
    for span in result.spans:
        assert 0 <= span.start <= span.end <= len(text)


@PROFILE
@given(st.lists(st.one_of(st.text(ANY_CHARACTER, max_size=20), st.sampled_from(RISK_PHRASES)), max_size=5)
       .map("".join))
def test_never_raises_on_risk_phrases_among_any_characters(text):
    assess(text)


@PROFILE
@given(messages, whitespace, whitespace)
def test_surrounding_whitespace_changes_nothing(text, before, after):
    assert verdict(before + text + after) == verdict(text)


@PROFILE
@given(messages, st.sampled_from([str.upper, str.lower, str.title, str.swapcase, str.capitalize]))
def test_letter_case_changes_nothing(text, change):
    assert verdict(change(text)) == verdict(text)


def test_the_properties_can_fail():
    """The comparison sees a real difference (a risk message vs an ordinary one)."""
    assert verdict("i want to kill myself") != verdict("i want to make soup")
