"""Precision pass (issue 8): the rules' own false escalations, and the risk that must survive them.

Why it matters to the person: a student asking about self-harm for coursework, a parent asking how to talk to
their teenager about it, someone ten years past an attempt and well, or a reader of a headline is shown the
crisis lines and put in front of staff, which tells them the service did not listen. The frames below (a topic,
an event in someone else's story, a recovered past, an everyday verb) set aside only the word they frame:
first-person present risk said beside them still escalates. Every text is the helper's own phrasing of a shape.
"""
from __future__ import annotations

import pytest

from safety import assess
from safety.assessment import Kind


@pytest.mark.parametrize("text", [
    "im doing my dissertation on self harm in young people, where do i start",
    "why do teenagers self harm? its for my psychology coursework",
    "is self harm considered a mental illness",
    "how do i talk to my daughter about self harm without scaring her",
    "how can i support someone who self harms",
    "what are the signs of self harm in kids",
    "the show had a scene depicting self harm with no warning",
    "more young people are going to hospital for self harm than ever",
    "our school is doing a training session on spotting self harm",
])
def test_self_harm_as_a_topic_does_not_escalate(text):
    assert not assess(text).escalate


@pytest.mark.parametrize("text", [
    "im writing an essay on self harm because i want to cut again tonight",
    "my essay is on self harm and i self harm myself",
    "how do i stop self harming",
    "i want to self harm",
    "my self harm is getting worse",
    "my friend self harms and i dont know how to help her",
])
def test_first_person_or_someone_known_inside_a_topic_frame_still_escalates(text):
    assert assess(text).escalate


@pytest.mark.parametrize("text", [
    "im writing an essay on suicide because i want to die",
    "our podcast is about suicide and honestly i want to kill myself",
    "my lecturer talked about suicide today and now i cant stop thinking about killing myself",
])
def test_present_risk_beside_a_suicide_topic_escalates(text):
    assert assess(text).escalate


@pytest.mark.parametrize("text", [
    "pressure at that school pushed him to the brink of suicide",
    "the investigation says the bullying drove her to suicide",
    "police are treating it as a murder-suicide",
    "the singer was found dead at home in a suspected suicide",
    "a rare photo of the poet taken a month before his suicide, 1963",
    "these stats on teen suicides are horrifying",
    "my sociology seminar is on durkheim and suicide this week",
])
def test_suicide_told_as_an_event_or_a_topic_is_not_the_writers_risk(text):
    assert not assess(text).escalate


@pytest.mark.parametrize("text", [
    "work is driving me to suicide",
    "my bullies pushed me to the brink of suicide and i still want to die",
    "i found her suicide note on the kitchen table",
    "my brother's suicide attempt was last night and hes still in hospital",
])
def test_the_writer_or_someone_at_risk_now_is_not_an_event_frame(text):
    assert assess(text).escalate


def test_someones_suicide_named_as_theirs_is_grief_a_question_at_most():
    assert assess("my uncle's suicide still weighs on me every christmas").kind in (Kind.NONE, Kind.CHECK_IN)
    assert assess("wrote a song for my mate who commited suicide in 2009").kind in (Kind.NONE, Kind.CHECK_IN)


@pytest.mark.parametrize("text", [
    "its been a decade since my attempt and life is good",
    "i had an attempt years ago, im a dad now and happy",
    "i overdosed years back and now i volunteer with a peer support line",
    "six years since my attempt. last week i ran my first marathon",
    "i gave up self harming when i started uni",
])
def test_a_recovered_past_with_time_distance_is_not_escalated(text):
    assert not assess(text).escalate


@pytest.mark.parametrize("text", [
    "its been a decade since my attempt and life is good but tonight i want to die again",
    "i tried to kill myself last year",
    "i had an attempt years ago and im thinking about trying again",
    "i want to give up and self harm",
])
def test_a_past_attempt_without_recovery_or_with_present_risk_escalates(text):
    assert assess(text).escalate


@pytest.mark.parametrize("text", [
    "what are the warning signs that someone might be suicidal?",
    "does asking someone if theyre suicidal put the idea in their head",
    "do you help with eating disorders or should i go elsewhere",
    "my parents keep pushing me to get a weekend job",
    "my sister has been dragging me out for walks which helps",
    "i went to the party in an attempt to enjoy myself",
    "tried to take a panoramic picture of the skyline today",
    "ive been making myself sick with worry about the interview",
])
def test_questions_and_everyday_verbs_do_not_escalate(text):
    assert not assess(text).escalate


@pytest.mark.parametrize("text", [
    "my son might be suicidal, what do i do",
    "i need help with my eating disorder",
    "i make myself sick after every meal",
    "my dad pushed me down the stairs",
    "my uncle makes me do things i dont want to",
    "my attempt to kill myself failed",
    "i tried to take all my pills last night",
])
def test_their_risk_look_alikes_still_escalate(text):
    assert assess(text).escalate
