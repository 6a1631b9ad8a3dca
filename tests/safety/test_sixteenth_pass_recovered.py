"""Sixteenth pass: negated and recovered lines (blind set 14, opened as a read set after it was scored).

Why it matters to the person: someone five years past self-harm and proud of it, someone celebrating two years without
it, someone glad to be alive fifteen years after an attempt, or someone making a will with a solicitor was answered as
if their life were in danger; and someone who broke three months clean, or who bangs their head on the wall when the
baby cries, was only asked. Every text here is the helper's own phrasing of a shape seen in set 14, not a line of it;
the twins say what must still escalate.
"""
from __future__ import annotations

import pytest

from safety import assess
from safety.assessment import Kind
from safety.engine import explain


@pytest.mark.parametrize("text", [
    # a recovered past that ends on the writer being well (recovery markers)
    "four years since i last cut. the scars are still there but i'm proud of where i am",
    "i tried to end it when i was 17. i'm 40 now with a family and i'm so glad i'm still here",
    # a stretch of time without self-harm (idiom.sixteenth_quiet_time_without_self_harm)
    "eighteen months without self harm today, treating myself to a takeaway",
    "one year sober and one year without self harm this week!",
    # a question about figures (idiom.sixteenth_quiet_statistics_about_self_harm)
    "what are the latest statistics on self harm among university students?",
    # a will made with a solicitor (idiom.sixteenth_quiet_will_with_a_solicitor)
    "booked the solicitor to update my will today, we do it every few years",
])
def test_shape_does_not_escalate(text):
    assert not assess(text).escalate, text


@pytest.mark.parametrize("text", [
    # a relapse after the stretch of time or the recovery: the story ends on the relapse
    "two years without self harm and today i cut again",
    "two years without self harm and today i just broke it",
    "3 months clean from sh and i just broke it",
    "six months clean from self harm and i just broke it. i hate myself",
    "i used to self harm years ago, doing well now, i just broke it. so stupid",
    "five years since i last self harmed and i did it again last night",
    # a past attempt with present intent
    "five years since my last attempt and i'm planning another",
    "i attempted when i was 19 and i want to try again",
    "i attempted when i was 19. im 34 now and glad i'm still here but i want to die again",
    # a will because of what is coming
    "i'm writing my will because i won't be here much longer",
    "saw my solicitor to write my will because i won't be here much longer",
    # how, not how many
    "what's the best way to self harm",
    "what's the best way to self harm without anyone noticing",
    # a head banged on the wall as a habit (idiom.accident narrowed)
    "i bang my head on the wall when it all gets too much",
    "i keep banging my head on the floor until it hurts",
])
def test_twin_still_escalates(text):
    assert assess(text).escalate, text


@pytest.mark.parametrize("text", [
    # "can't go a week without" is no stretch of time without it
    "i can't go a week without self harm",
    "i can't last two weeks without cutting",
])
def test_not_set_aside_as_a_stretch_of_time(text):
    assert "idiom.sixteenth_quiet_time_without_self_harm" not in {rid for rid, _ in explain(text)["idiom_matches"]}, text
    assert assess(text).kind is not Kind.NONE, text


@pytest.mark.parametrize("text", [
    # an accident, told in the past, is still an accident
    "i banged my head on the wall getting up in the dark",
    "i hit my head on the cupboard door again",
    # a relapse marker with nothing recovered before it changes nothing
    "3 months clean from sh and i'm so proud of myself",
])
def test_still_quiet(text):
    assert not assess(text).escalate, text


def test_relapse_voids_only_a_recovery_idiom_before_it():
    # the relapse marker must come after the recovery idiom
    assert "idiom.recovery" in {rid for rid, _ in explain("i just broke it. but i'm 3 months clean from sh now")["idiom_matches"]}
    assert not assess("i just broke it, the vase. anyway 3 months clean from sh now").escalate


@pytest.mark.parametrize("text", [
    # a relapse denied is no relapse: the recovery still caps the past
    "i used to self harm years ago, doing well now and proud i haven't done it again",
    "i used to self harm years ago, i'm fine now and i haven't broken my streak",
])
def test_denied_relapse_keeps_the_recovery(text):
    assert not assess(text).escalate, text
