"""The safety component's gate on the intent classifier's check-in question (issue 8).

The classifier's risk-family intents may only ask, and only with evidence beside them; its "danger
now" intent (`safety_emergency`) asks on its own word, because on chat-length plans ("going to the
bridge after work and not coming back") it was the only signal. These tests feed the component a
ranking directly, so they do not depend on how a trained classifier scores a sentence.
"""
from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.safety_component import ROUTING_INTENTS, SafetyComponent
from safety.assessment import Kind
from safety.engine import get_engine


def parsed(text: str, top: str, confidence: float, **config) -> Message:
    component = SafetyComponent({**SafetyComponent.get_default_config(), "embedding_featurizer": None, **config})
    ranking = [{"name": top, "confidence": confidence}, {"name": "mood_low", "confidence": 1 - confidence}]
    message = Message(data={"text": text, "intent": dict(ranking[0]), "intent_ranking": ranking})
    component.process([message])
    return message


QUIET_MESSAGE = "driving over to the station after my shift"  # a plan told as logistics: rules quiet, model below `ask`


def test_the_quiet_message_is_quiet_for_the_rules_and_the_risk_model():
    """The two tests below rely on it: a retrained risk model that asks about it needs another message here."""
    detail = get_engine().assess_detail(QUIET_MESSAGE)
    assert detail.assessment.kind is Kind.NONE and not detail.classifier_may_ask


def test_a_confident_danger_intent_asks_even_when_rules_and_model_are_quiet():
    message = parsed(QUIET_MESSAGE, "safety_emergency", 0.8)
    assert message.get("intent")["name"] == "safety_check_in"
    assert message.get("safety")["source"] == "classifier" and not message.get("safety")["escalate"]


def test_without_that_exception_the_same_message_would_get_no_question():
    message = parsed(QUIET_MESSAGE, "safety_emergency", 0.8, ask_without_evidence=[])
    assert message.get("intent")["name"] not in ROUTING_INTENTS
    assert message.get("safety")["classifier_not_asked"] == "safety_emergency"


@pytest.mark.parametrize("text", ["this traffic is killing me", "my mum is going to kill me when she sees my grades"])
def test_a_figure_of_speech_is_never_asked_about(text):
    assert parsed(text, "safety_emergency", 0.9).get("intent")["name"] != "safety_check_in"


def test_a_worried_friend_is_not_asked_about_themselves_on_the_classifier_alone():
    """Third-party worry stays gated: asking the writer "are you thinking about suicide?" is the wrong question."""
    message = parsed("my best friend is moving to australia in january and im gutted", "safety_third_party", 0.8)
    assert message.get("intent")["name"] not in ROUTING_INTENTS


WORRIED_ABOUT_BROTHER = "im worried about my brother, he says nothing matters anymore"


def test_worry_about_someone_else_that_may_be_asked_is_asked_about_them():
    """Where the gate lets the classifier's third-party reading ask, the question is about the brother
    (safety_check_in_other), not "are you thinking about suicide?" put to the writer."""
    message = parsed(WORRIED_ABOUT_BROTHER, "safety_third_party", 0.8)
    safety = message.get("safety")
    assert not safety.get("classifier_not_asked"), "premise: rules and model let the gate ask here (pick another message)"
    assert message.get("intent")["name"] == "safety_check_in_other"
    assert "third_party_risk" in safety["categories"] and not safety["escalate"]
    assert set(safety["categories"]) <= {"third_party_risk", "risk_language"}  # nothing said about the writer


def test_a_check_in_about_oneself_stays_a_question_about_oneself():
    """The classifier's own-risk reading of the same message asks the writer, as before."""
    message = parsed("i dont see the point anymore", "safety_check_in", 0.8)
    assert message.get("intent")["name"] == "safety_check_in"


# No rule names someone else's risk here; only the risk model asks (category risk_language).
WORRIED_ABOUT_FRIEND = "my best friend seems hopeless and keeps saying she is tired of it all"


def test_when_the_model_asks_and_the_classifier_reads_worry_about_someone_the_question_is_about_them():
    """worried_about_someone (no risk words, issue 12) reads the message as about someone else, as
    safety_third_party does: when only the risk model would ask, it asks about them, not the writer."""
    about_oneself = parsed(WORRIED_ABOUT_FRIEND, "mood_low", 0.8)
    # the test's premise (a retrained risk model that no longer asks here needs another message)
    assert about_oneself.get("intent")["name"] == "safety_check_in" and not get_engine().rule_hits(WORRIED_ABOUT_FRIEND)
    message = parsed(WORRIED_ABOUT_FRIEND, "worried_about_someone", 0.8)
    assert message.get("intent")["name"] == "safety_check_in_other"
    assert not message.get("safety")["escalate"]
