"""The web app builds no MiniLM session while Rasa answers (issue 13: its memory), and still gives every
message it answers itself the full assessment, rules and learned model.

While Rasa answers, the gateway flags a message with the rules alone (Rasa's safety component assesses it
fully) and checks a reply without the resources card against the verdict Rasa stored with the message.
When Rasa is down or slow, or the gateway refuses a message, it assesses the message itself with
`safety.assess`, which builds the session the model reads."""
from __future__ import annotations

import dataclasses
import uuid

import pytest

import safety.embedding
from bot import transcript
from bot.db import get_engine as get_db_engine
from bot.web import fallback, gateway
from safety import assess, get_engine
from tests.chat_client import post_chat
from tests.web.conftest import QUIET, SENDER
from tests.web.fake_rasa import REPLY, FakeRasa

# Texts of tests/safety/corpus: ordinary, a rule's crisis, and one only the learned model escalates
# (a weak keyword it confirms), so its verdict needs the MiniLM embedding.
ORDINARY = ["what is cbt", "i had a long day at work", "can you help me sleep better"]
RULES_CRISIS = "i want to kill myself"
MODEL_CONFIRMED = "suicide. thats all i think about"


def rules_decide(text: str) -> bool:
    """The rules escalate the message by themselves (then the model is asked only to veto a few)."""
    return get_engine().rule_view(text).strong_kind.escalates


@pytest.fixture
def encoder_uses(monkeypatch) -> list[int]:
    """One entry each time anything asks for the MiniLM encoder (which builds it on first use)."""
    uses: list[int] = []
    real = safety.embedding.shared_encoder

    def spy():
        uses.append(1)
        return real()

    monkeypatch.setattr(safety.embedding, "shared_encoder", spy)
    return uses


@pytest.fixture
def fake_rasa(settings):
    with FakeRasa(settings.database_url, settings.rasa_api_token) as fake:
        yield fake


def test_while_rasa_answers_the_web_app_asks_no_minilm_encoder(client_for, fake_rasa, encoder_uses, settings):
    client = client_for(fake_rasa.url)
    with client:  # the app's start-up (which warms the safety rules) included
        for text in ORDINARY:
            reply = post_chat(client, SENDER, text).json()
            assert [m.get("text") for m in reply["messages"]] == [REPLY]
        # Rasa flagged it (its stored verdict) but its dialogue answered without the card: the card is added,
        # from Rasa's verdict, still without an encoder.
        crisis = post_chat(client, SENDER, RULES_CRISIS).json()
        [card] = [m["custom"] for m in crisis["messages"] if "custom" in m]
        assert card["type"] == "crisis_resources"
    assert encoder_uses == []


def test_the_rules_flag_goes_to_rasa_without_an_encoder(client_for, fake_rasa, encoder_uses, settings):
    client = client_for(fake_rasa.url)
    post_chat(client, SENDER, RULES_CRISIS)
    post_chat(client, SENDER, MODEL_CONFIRMED)  # a weak keyword: flagged by the rules, confirmed by the model
    post_chat(client, SENDER, "my mom is going to kill me when she sees my grades")
    with get_db_engine(settings).connect() as connection:
        sent = transcript.conversation(connection, SENDER, ("user",))
    assert [e.data["metadata"].get("at_risk", False) for e in sent] == [True, True, False]
    assert encoder_uses == []


def test_a_reply_without_the_card_and_no_verdict_from_rasa_gets_the_full_assessment(
    client_for, rasa_without_crisis_card, encoder_uses
):
    """Rasa's verdict cannot be read (this Rasa keeps no tracker): the gateway assesses the message itself,
    learned model included, so a message only the model escalates still leaves with the resources."""
    client = client_for(rasa_without_crisis_card)
    assert assess(MODEL_CONFIRMED).escalate and not rules_decide(MODEL_CONFIRMED)
    reply = post_chat(client, SENDER, MODEL_CONFIRMED).json()
    assert [m["custom"]["type"] for m in reply["messages"] if "custom" in m] == ["crisis_resources"]
    assert encoder_uses  # the full assessment asked for the embedding
    ordinary = post_chat(client, SENDER, "what is cbt").json()
    assert all("custom" not in m for m in ordinary["messages"])


@pytest.mark.parametrize("text", [*ORDINARY, RULES_CRISIS, MODEL_CONFIRMED, "i'm going to jump in the shower"])
def test_with_rasa_down_the_fallback_keeps_the_full_verdict(client_for, rasa_down, encoder_uses, monkeypatch, text):
    kept = []
    real = gateway.keep_unanswered

    def spy(*args, **kwargs):
        kept.append(kwargs["verdict"])
        return real(*args, **kwargs)

    monkeypatch.setattr(gateway, "keep_unanswered", spy)
    reply = post_chat(client_for(rasa_down), SENDER, text).json()
    assert reply["assistant_unavailable"] is True
    expected = assess(text)
    [verdict] = kept
    assert (verdict.kind, verdict.escalate, verdict.categories) == (
        expected.kind.value, expected.escalate, list(expected.categories))
    assert verdict == fallback.assess_text(text)
    if not rules_decide(text):
        assert encoder_uses  # the model read it: the session was asked for


def test_a_refused_message_gets_the_full_assessment(client_for, fake_rasa, encoder_uses, settings):
    client = client_for(fake_rasa.url, dataclasses.replace(QUIET, sender_limit=1))
    post_chat(client, SENDER, "hello")
    reply = post_chat(client, SENDER, MODEL_CONFIRMED)  # rate-limited: never reaches Rasa
    assert reply.status_code == 429
    assert reply.json()["resources"]["type"] == "crisis_resources"
    assert encoder_uses


@pytest.mark.servers
def test_with_the_real_rasa_a_reply_is_checked_against_its_stored_verdict(live, encoder_uses, monkeypatch):
    """The real Rasa stores its safety verdict with every message the person typed, so the gateway finds
    it for each reply that came without the card; a button payload (no NLU in Rasa, so no verdict) is
    words of the domain's. Neither needs the encoder."""
    found = []
    real = fallback.rasa_verdict

    def spy(*args, **kwargs):
        verdict = real(*args, **kwargs)
        found.append(verdict)
        return verdict

    monkeypatch.setattr(gateway, "rasa_verdict", spy)
    sender = str(uuid.uuid4())
    for text in ["hello", "what is cbt", '/choose_skill{"skill":"box_breathing"}', "i had a long day at work"]:
        reply = post_chat(live, sender, text)
        assert reply.status_code == 200 and not reply.json().get("assistant_unavailable")
    crisis = post_chat(live, sender, RULES_CRISIS).json()
    assert any(m.get("custom", {}).get("type") == "crisis_resources" for m in crisis["messages"])
    # typed, typed, the button (Rasa stored no verdict), typed; the crisis reply carried its card
    assert [verdict is not None for verdict in found] == [True, True, False, True]
    assert encoder_uses == []


def test_no_button_payload_of_the_domain_is_a_risk_message(settings):
    """Why a button press needs no assessment of its own when Rasa stored none (it skips NLU for a payload):
    every payload the assistant offers (the domain's; actions only offer those again, actions/menus.py)
    is "none" to the full assessment and to the rules."""
    from bot.web.payloads import PayloadGuard

    payloads = PayloadGuard(settings).domain_payloads()
    assert len(payloads) > 10
    assert [p for p in payloads if assess(p).kind.value != "none" or fallback.flagged_by_rules(p)] == []


def test_a_button_press_builds_no_encoder(client_for, rasa_without_crisis_card, encoder_uses):
    client = client_for(rasa_without_crisis_card)
    reply = post_chat(client, SENDER, '/choose_skill{"skill":"box_breathing"}').json()
    assert all("custom" not in m for m in reply["messages"])
    assert encoder_uses == []
