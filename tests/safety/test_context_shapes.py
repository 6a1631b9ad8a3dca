"""Shapes of a message the rules read in context (issue 8, H2): a sign-off said alone, suicide as a
news or discussion topic, and danger now said as what comes next.

Why each matters to the person: a bare "bye" at the end of an ordinary chat was met with "are you
thinking about suicide?"; a pasted headline ("teen commits suicide after ...") showed the crisis lines
and put a case in front of staff; "i'm on the roof ... before i jump" and "doing it now. bye" got the
crisis reply instead of the emergency one (call the emergency number now).
"""
from __future__ import annotations

import pytest

from safety import assess
from safety.assessment import Kind
from safety.engine import get_engine

SIGN_OFFS = ["bye", "ok bye, thanks!", "goodnight", "goodbye", "gotta go, thanks for the chat",
             "thank you, see you tomorrow", "talk later x", "ok im off, thanks for helping"]


@pytest.mark.parametrize("text", SIGN_OFFS)
def test_a_sign_off_alone_is_not_asked_about(text):
    detail = get_engine().assess_detail(text)
    assert detail.assessment.kind is Kind.NONE
    assert not detail.classifier_may_ask, "the intent classifier must not ask the suicide question either"


@pytest.mark.parametrize("text", ["doing it now. bye", "bye everyone, i love you all", "bye forever",
                                  "i can't do this anymore. goodnight", "goodbye world"])
def test_a_goodbye_beside_risk_still_escalates(text):
    assert assess(text).escalate


@pytest.mark.parametrize("text", [
    "suicide bomber kills 12 in market",
    "Gay Minnesota teen commits suicide, friends blame bullying",
    "suicide rates among veterans are climbing, study finds",
    "judge strikes down ban on physician assisted suicide",
    "six police suicides this year in one city",
])
def test_suicide_as_a_news_topic_does_not_escalate(text):
    assert not assess(text).escalate


@pytest.mark.parametrize("text", ["i keep thinking about suicide", "i want to commit suicide",
                                  "suicide is the only way out for me"])
def test_first_person_suicide_still_escalates(text):
    assert assess(text).escalate


def test_a_known_persons_suicide_is_still_asked_about():
    assert assess("my brother committed suicide last year").kind is Kind.CHECK_IN


@pytest.mark.parametrize("text", ["i'm on the roof now, i wanted to say something before i jump",
                                  "im on the bridge. about to jump", "doing it now. bye",
                                  "i'm doing it now. bye", "goodbye. doing it now"])
def test_danger_said_as_what_comes_next_is_an_emergency(text):
    assert assess(text).kind is Kind.EMERGENCY


@pytest.mark.parametrize("text", ["stretch before i jump on the trampoline", "about to jump in the shower",
                                  "ok doing it now, thanks", "ok doing it now. bye", "bye! doing the homework now",
                                  "this is my last post before i go to sleep"])
def test_the_same_words_in_ordinary_life_are_not_an_emergency(text):
    assert assess(text).kind is not Kind.EMERGENCY
    assert not assess(text).escalate


@pytest.mark.parametrize("text", ["hit me with your best haiku", "my dad is strict but he'd never hurt me"])
def test_words_that_deny_or_joke_about_abuse_are_not_a_disclosure(text):
    assert not assess(text).escalate


@pytest.mark.parametrize("text", ["my dad hits me", "he hurts me", "my mom beats me when she's drunk"])
def test_an_abuse_disclosure_still_escalates(text):
    assert assess(text).escalate
