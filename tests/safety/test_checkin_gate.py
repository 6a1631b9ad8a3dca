"""When the general intent classifier may ask the check-in question, and questions about treatment.

Issue 8: on its own the classifier asked "are you thinking about suicide?" of one ordinary forum post
in five; now it needs evidence beside it (`safety.engine.classifier_may_ask`). A question about how
self-harm is treated is a topic, not a disclosure, unless the person also says they are hurting
themselves.
"""
from __future__ import annotations

import pytest

from safety import assess
from safety.assessment import Kind
from safety.engine import RuleView, classifier_may_ask, get_engine
from safety.risk_model import get_model

TREATMENT_QUESTIONS = [
    "does DBT work for self-harm?",
    "what therapy helps with self harm",
    "is there medication for self-harm",
    "how do you treat cutting",
]


def _view(**kw) -> RuleView:
    base = dict(strong=[], strong_kind=Kind.NONE, has_weak=False, weak_kind=Kind.NONE, vetoable=False)
    return RuleView(**{**base, **kw})


def test_the_classifier_may_ask_only_with_evidence_beside_it():
    quiet = _view()
    assert not classifier_may_ask(quiet, 0.01, floor=0.05)
    assert classifier_may_ask(quiet, 0.05, floor=0.05)
    assert not classifier_may_ask(quiet, None, floor=0.05)
    assert classifier_may_ask(_view(has_weak=True), 0.0, floor=0.05)  # a keyword the model did not confirm


def test_a_keyword_the_model_vetoed_is_no_evidence():
    """"suicide" in a coursework question or an article's statistic: the model is near-certain it is not about
    the writer (below the veto cut-off), so the classifier's risk intent may not ask on the strength of it."""
    assert not classifier_may_ask(_view(has_weak=True), 0.02, floor=0.1, veto=0.08)
    assert classifier_may_ask(_view(has_weak=True), 0.09, floor=0.1, veto=0.08)


@pytest.mark.parametrize("text", [
    "for my sociology essay im looking at how newspapers report suicide, any tips on sources?",
    "why do more men than women die by suicide? its for my politics class",
])
def test_suicide_as_a_topic_gives_the_classifier_nothing_to_ask_on(text):
    detail = get_engine().assess_detail(text)
    assert detail.assessment.kind is Kind.NONE and not detail.classifier_may_ask


@pytest.mark.parametrize("text", ["i keep reading about suicide and thinking it might be the answer for me",
                                  "been thinking about suicide a lot lately"])
def test_suicide_about_the_writer_is_still_heard(text):
    detail = get_engine().assess_detail(text)
    assert detail.assessment.kind is not Kind.NONE or detail.classifier_may_ask


def test_a_figure_of_speech_is_never_asked_about():
    assert not classifier_may_ask(_view(idiomatic=True), 0.99, floor=0.05)


def test_the_ask_cut_off_is_data_in_the_card_and_below_the_models_own_check_in():
    bands = get_model().thresholds
    for band in (bands.short, bands.long):
        assert 0.0 < band.ask <= band.check_in


@pytest.mark.parametrize("text", [
    "my mom is going to kill me when she sees my grades",
    "my dad'll kill me if he finds out i crashed the car",
    "my parents are literally gonna kill me",
])
def test_a_parent_who_will_kill_me_is_a_figure_of_speech(text):
    detail = get_engine().assess_detail(text)
    assert detail.assessment.kind is Kind.NONE
    assert detail.view.idiomatic and not detail.classifier_may_ask


@pytest.mark.parametrize("text", ["my dad said he will kill me", "my husband threatened to kill me if i leave"])
def test_a_reported_threat_is_not_a_figure_of_speech(text):
    detail = get_engine().assess_detail(text)
    assert not detail.view.idiomatic
    assert detail.assessment.escalate  # abuse: its own reply and lines


@pytest.mark.parametrize("text", TREATMENT_QUESTIONS)
def test_a_question_about_treating_self_harm_is_a_topic_not_a_crisis(text):
    detail = get_engine().assess_detail(text)
    assert detail.assessment.kind is Kind.NONE, detail.assessment
    assert not detail.classifier_may_ask


@pytest.mark.parametrize("text", [
    "does DBT work, I cut myself last night",
    "what therapy helps with self harm? i want to cut myself so bad right now",
    "is there medication for self-harm, i've been cutting again",
])
def test_first_person_self_harm_inside_a_treatment_question_still_escalates(text):
    assert assess(text).escalate


def test_my_own_self_harm_is_never_set_aside_as_a_treatment_topic():
    detail = get_engine().assess_detail("therapy isn't working for my self harm, i did it again tonight")
    assert not detail.view.idiomatic
    assert "self_harm_urge" in detail.assessment.categories
