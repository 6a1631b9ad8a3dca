"""Shapes of message the sixth pass of issue 8 (H2) addressed, phrased by the helper from general
knowledge of how people write, not copied from any blind set.

Why each matters to the person: plans and preparation told as logistics ("paid off my loans so my parents
don't get stuck with them after") and death hoped for as an illness ("hoping the tests find something
terminal") got nothing; self-harm slang ("went to beans") and grooming told only by the adult's acts (a
coach's presents and secrets, a door locked after class) got nothing; while a recovered past ("four years
ago i was in hospital after an overdose ... i got offered the job") got the EMERGENCY reply, a breakup
("my gf finished things on snapchat") the crisis reply, and news, coursework and staff-training questions
about self-harm a page to staff.
"""
from __future__ import annotations

import pytest

from safety import assess
from safety.assessment import Kind
from safety.engine import get_engine


@pytest.mark.parametrize("text", [
    "cleared my overdraft so nobody is left paying it off after",
    "paid off my loans so my parents dont get stuck with them after",
    "made a will at 19. didnt tell the lawyer why",
    "im only 22 and i wrote a will",
    "part of me hopes the biopsy comes back bad",
    "honestly hoping the tests find something terminal",
    "i envy people who get to die in their sleep",
    "i get jealous reading the death notices in the paper",
    "i pray every night that i wont wake up",
    "cant picture myself being alive next year",
    "went to beans last night",
    "cut to styro for the first time",
    "my tutor buys me presents and says its our secret",
    "my coach calls me his favourite and says not to tell the others",
    "my form tutor keeps me behind at break and locks the classroom door",
    "my swim coach gives me gifts and tells me to keep our chats secret",
    "self deletion is all i think about",
])
def test_risk_told_without_the_usual_words_escalates(text):
    assert assess(text).escalate


@pytest.mark.parametrize("text", [
    "figured out which night everyone is away. thursday it is",
    "worked out when nobody will be home. sunday afternoon",
    "made sure the cat is going to my neighbour. last thing to sort",
    "nothing matters anymore",
    "back to day zero again",
    "relapsed. counter back to 0",
    "started again and its nearly shorts weather, no idea how to hide it",
    "a man online says im mature for 12 and wants me to meet him",
    "my teacher tells me im more mature than the other kids and texts me at night",
])
def test_ambiguous_logistics_slang_and_grooming_cues_are_at_least_asked(text):
    assert assess(text).kind is not Kind.NONE


@pytest.mark.parametrize("text", [
    "five years ago i overdosed and ended up in a&e. now i just finished my degree",
    "i was in intensive care after an overdose four years back. this morning i got offered the job",
    "i attempted when i was 17. im 28 now and honestly happier than ive ever been",
    "i tried to end my life back in 2016. these days i'm doing really well and i run a choir",
    "last time i cut was two years ago and i rarely even think about it now",
    "dying was on my mind constantly during my twenties. these days i'm doing great",
    "i'm in recovery from self harm and i'd love to mentor younger people",
    "i wanted to kill myself last year but i'm so glad i didn't",
])
def test_a_recovered_past_is_asked_about_not_escalated(text):
    a = assess(text)
    assert not a.escalate
    assert a.kind is not Kind.EMERGENCY


@pytest.mark.parametrize("text", [
    "i tried to kill myself last year",  # a past attempt said alone stays a crisis (a risk factor)
    "i attempted when i was 17. i'm doing well now but last night i cut again",  # present risk beside it
    "two years ago i overdosed. i was doing well but i want to die again",  # the well-being is before the risk
    "i'm in recovery from self harm but i cut again last night",
])
def test_a_past_attempt_without_recovery_after_it_still_escalates(text):
    assert assess(text).escalate


@pytest.mark.parametrize("text", [
    "my gf finished things on snapchat last night",
    "he ended it via a voice note, who does that",
    "bit of an overdose on cheese and boxsets this week",
    "staff briefing number four today, might jump out the window, luckily the office is ground floor",
    "if i have one more zoom call im jumping out the window",
    "the queue at the post office is enough to make you want to end it all",
    "for my psychology essay: why are self-harm rates rising in teenagers?",
    "im a school nurse. what training is there on responding to pupils who disclose self harm?",
    "the paper says self-harm referrals for under 16s have doubled",
    "im training teachers on how to respond when a student says they are suicidal, any resources?",
    "read a novel where the narrator overdoses, beautifully written",
])
def test_breakups_hyperbole_news_and_training_questions_do_not_escalate(text):
    assert not assess(text).escalate


@pytest.mark.parametrize("text", [
    "my sister says she wants to end it",
    "i self harm",
    "i want to self harm tonight",
    "it's enough to make me want to end it all",
    "my student told me she is suicidal, what do i do",
])
def test_the_new_idioms_leave_real_risk_alone(text):
    assert assess(text).escalate


def test_out_of_a_window_without_a_joke_beside_it_is_asked_about():
    assert assess("i'm on the 9th floor and i keep thinking about jumping out the window").kind is not Kind.NONE


LONG_INTRO = "i wanted to write because i think i am finally ready to give something back. " * 3


def test_a_long_post_that_ends_on_recovery_caps_the_model():
    detail = get_engine().assess_detail(LONG_INTRO + "four years ago i tried to end my life. "
                                        "i'm in a much better place now and i'd like to give something back by mentoring.")
    assert detail.view.negated
    assert not detail.assessment.escalate


def test_a_long_post_that_goes_on_after_the_recovery_is_left_to_the_model():
    """The rules are capped, but the model reads the rest: a present plan no rule sees may follow."""
    detail = get_engine().assess_detail("four years ago i tried to end my life. i'm in a much better place now. "
                                        + LONG_INTRO + "but it has all gone wrong again and i have nothing left.")
    assert detail.view.strong and all(h.kind is Kind.CHECK_IN and not h.recovered for h in detail.view.strong)
    assert not detail.view.negated
    assert detail.probability is not None


@pytest.mark.parametrize("text", ["i attempted last year but my liver was stronger than i thought",
                                  "i attempted last year and i've been doing really good things for others"])
def test_words_that_only_look_like_recovery_do_not_cap(text):
    assert not any(h.recovered for h in get_engine().rule_hits(text))
