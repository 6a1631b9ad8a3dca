"""Who is being hurt, read from an abuse disclosure, so the lines for that person come first.

Why it matters to the person: every disclosure was answered with the child-abuse line first, so an 84-year-old
whose son takes her pension, or a woman whose husband hits her, read a children's helpline before their own.
The guess only orders the lines; a message that says nothing about who gets every line, as before.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from safety import assess
from safety.abuse_audience import abuse_of_someone_else, audience_for, load_cues
from safety.errors import RuleError


@pytest.mark.parametrize("text, audience", [
    # an age the writer gives
    ("im 13 and my uncle makes me do things i dont want to", "child"),
    ("I am 15. he hits me when he's drunk", "child"),
    ("14yo, my coach touches me after practice", "child"),
    ("I'm 84 and my grandson takes money from my purse", "older_adult"),
    ("i'm 67 and my husband still hits me", "older_adult"),
    ("im 34 and my partner strangled me last night", "adult"),
    # who hurts them
    ("my stepdad hits me and says he'll do worse if i tell", "child"),
    ("my mum's boyfriend comes into my room at night", "child"),
    ("my foster carer locks me in my room without food", "child"),
    ("my carer shouts at me and won't let me phone anyone", "older_adult"),
    ("my son takes my pension and says i'm useless", "older_adult"),
    ("they hit me in the care home when nobody's around", "older_adult"),
    ("my husband threatened to kill me if i leave", "adult"),
    ("my boyfriend pushed me down the stairs", "adult"),
    ("my ex keeps turning up at my work and threatening me", "adult"),
    ("my sister's husband hits her", "adult"),
])
def test_who_is_being_hurt(text, audience):
    assert audience_for(text) == audience


@pytest.mark.parametrize("text", [
    "someone keeps hurting me and i'm scared",
    "i'm 30 weeks pregnant and scared of him",  # a quantity, not an age
    "i'm 5 minutes from home and he's following me",
    "i was raped",
])
def test_no_guess_without_a_cue(text):
    assert audience_for(text) is None


def test_an_age_outranks_the_relationship_words():
    """A teenager's boyfriend: the child's lines first."""
    assert audience_for("my boyfriend hurts me, im 15") == "child"


def test_a_100_kb_paste_is_read_only_at_its_start():
    assert audience_for("I'm 13. " + "word " * 20_000) == "child"
    assert audience_for("word " * 20_000 + "I'm 13.") is None


@pytest.mark.parametrize("body, problem", [
    ("adult_from: 18\nolder_from: 10\nage: []\nchild: []\nolder_adult: []\nadult: []\n", "adult_from first"),
    ("adult_from: 18\nolder_from: 65\nage: ['\\bi am \\d+']\nchild: []\nolder_adult: []\nadult: []\n", "capture"),
    ("adult_from: 18\nolder_from: 65\nage: []\nchild: ['(']\nolder_adult: []\nadult: []\n", "'child'"),
    ("adult_from: 18\nolder_from: 65\nage: []\nchild: []\nolder_adult: []\n", "'adult' must be a list"),
])
def test_a_malformed_cue_file_names_the_file_and_the_problem(tmp_path: Path, body, problem):
    path = tmp_path / "abuse_audience.yml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(RuleError, match=problem) as caught:
        load_cues(path)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize("text, someone_else", [
    ("my sister's husband hits her", True),
    ("my neighbour's kid is being beaten, i can hear it through the wall", True),
    ("my friend gets hit by her dad", True),
    ("my dad hits my mum", True),
    ("my grandad says his carer hits him", True),
    ("my dad hits my mum and me", False),  # the writer is hurt too
    ("my stepdad hits me", False),
    ("i was raped", False),
    ("my husband hit me again last night", False),
])
def test_whose_abuse_a_disclosure_tells_of(text, someone_else):
    """A report about someone else is answered as one, not with "what is happening is not your fault"."""
    assert abuse_of_someone_else(text) is someone_else


@pytest.mark.parametrize("text", ["my sister's husband hits her", "my grandad says his carer hits him",
                                  "my friend gets hit by her dad"])
def test_someone_elses_abuse_is_escalated_with_the_abuse_lines(text):
    """They were only asked about (the check-in about someone else) or got nothing."""
    verdict = assess(text)
    assert verdict.escalate and "abuse_or_unsafe" in verdict.categories


@pytest.mark.parametrize("text", ["my friend got hit by her dad's car", "her boyfriend beats her at every game"])
def test_an_accident_or_a_game_stays_quiet(text):
    assert not assess(text).escalate
