"""Tenth pass (issue 8): plain first-person risk the rules used to leave to a question, and topics that escalated.

Why it matters to the person: "whats even the point of me still being here" or "would it be so bad if i just
stopped existing" got "are you thinking about suicide?" at best, nothing at worst, where a clinician would show the
crisis lines at once; "im going to jump" said alone got the crisis reply, where a clinician asks where you are now
(the emergency reply). A pupil asking why Romeo and Juliet both kill themselves, or a student writing a dissertation
on self-harm, was shown the crisis lines and put a case in front of staff. Every text here is the helper's own
phrasing of a shape, not a line of a blind set; the look-alikes say what must stay quiet.
"""
from __future__ import annotations

import pytest

from safety import assess, get_engine
from safety.assessment import Kind


@pytest.mark.parametrize("text", [
    "whats even the point of me still being here",
    "honestly whats the point of me. like at all",
    "my friends lives would be so much easier without me in them",
    "they'd all be lighter without me.",
    "would it really be so bad if i just stopped existing",
    "if i didnt wake up tomorrow i honestly wouldnt mind",
    "i stopped looking both ways when i cross the road now",
    "it wouldnt be the worst thing if a bus didnt stop for me",
    "secretly hoping i dont make it to 30",
    "cant see myself living past my next birthday",
    "i'd be ok with dying tbh",
    "id rather not be around to see how it ends",
    "i won't be a burden for much longer",
    "sewer slide thoughts are so loud today",
    "fresh ones on my arm again, nobody knows",
    "i keep taking the blade out of my pencil sharpener",
    "its all sorted, i have a plan and a date now",
    "sorry for everything. love you all",
])
def test_plain_first_person_shapes_escalate(text):
    assert assess(text).escalate


@pytest.mark.parametrize("text", [
    "my brother said last night that we'd all be better off without him",
    "my housemate is standing on the roof and wont come back inside",
    "my dad keeps talking about not being around much longer",
])
def test_someone_elses_risk_gets_the_lines_for_helping_them(text):
    a = assess(text)
    assert a.escalate and "third_party_risk" in a.categories


@pytest.mark.parametrize("text", [
    "my stepdad hits me with his belt when hes drunk",
    "our mum leaves us on our own for days",
    "i lock my bedroom door at night because of my uncle",
])
def test_abuse_told_by_what_is_done_is_routed_as_abuse(text):
    a = assess(text)
    assert a.escalate and "abuse_or_unsafe" in a.categories


@pytest.mark.parametrize("text", ["im going to jump", "I'm going to jump.", "im gonna jump"])
def test_im_going_to_jump_said_alone_is_an_emergency(text):
    assert assess(text).kind is Kind.EMERGENCY


@pytest.mark.parametrize("text", [
    "i drank something from under the sink on purpose",
    "swallowed something from under the bathroom sink",
])
def test_a_harmful_drink_taken_is_an_emergency(text):
    assert assess(text).kind is Kind.EMERGENCY


@pytest.mark.parametrize("text", [
    "im going to jump in the lake later",
    "ok im going to jump",  # an answer to the exercise's jumping jacks
    "im going to jump on a call in five",
])
def test_jump_with_more_said_is_not_an_emergency(text):
    assert assess(text).kind is not Kind.EMERGENCY


@pytest.mark.parametrize("text", [
    # situations and chores, not being alive
    "what's the point of me going to the party if she isnt coming",
    "whats the point of me being here today if the lecturer is off",
    "the move was much easier without me driving",
    "would it be so bad if i stopped going to the gym",
    "i always look both ways when i cross the road",
    "hoping i dont make it to the station late again",
    "id rather not be around when they argue",
    "i wont be a bother, just a quick question about fees",
    "we have a plan and a budget for the wedding",
    "sorry for everything you had to sort out at the party, love you all",
    # literal uses
    "i cut myself a big slice of birthday cake",
    "the blade fell off my pencil sharpener",
    "my sister nearly killed herself laughing at the video",
    "the cat is on the roof and wont come down",
    "i wish i was never born in january, my birthday is always skint",
    "i lock my door at night because of burglars",
    # topics
    "in romeo and juliet why do they both kill themselves",
    "is hamlet really contemplating suicide in the to be or not to be speech",
    "im writing my dissertation on self-harm in young carers",
    "a survey says 1 in 5 students self harm, is that right",
    "do you have groups for parents of teenagers who self harm",
    "as a teacher what signs show a pupil might be self-harming",
    # recovered, or the thoughts gone
    "i used to self harm at school but ive been free of it for 5 years",
    "i tried to end my life in 2012. im in a really good place now",
    "i overdosed in 2018. now im training to be a mental health nurse",
    "the thoughts of hurting myself havent come back since therapy",
    "my gp asked if i had thoughts of hurting myself and i said no",
])
def test_ordinary_look_alikes_do_not_escalate(text):
    assert not assess(text).escalate


@pytest.mark.parametrize("text", ["broke my streak, 40 days gone", "lost my streak. 12 days down the drain"])
def test_a_streak_lost_in_days_is_asked_about(text):
    assert assess(text).kind is Kind.CHECK_IN


def test_whole_message_risk_rules_need_the_message_to_be_only_them():
    """The engine setting behind "im going to jump" alone: the rule counts only when nothing else is said."""
    engine = get_engine()
    alone = {h.rule.id for h in engine.rule_hits("im going to jump!!")}
    more = {h.rule.id for h in engine.rule_hits("im going to jump off the bridge")}
    assert "attempt.jump_said_alone" in alone
    assert "attempt.jump_said_alone" not in more
