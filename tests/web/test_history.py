"""History comes from Rasa's tracker store, written here by Rasa's own SQLTrackerStore."""
from __future__ import annotations

import time

from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet

from tests.bot.conftest import user_event
from tests.web.conftest import SENDER
from tests.chat_client import get_history, post_chat

OTHER = "0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"
BUTTONS = [
    {"title": "Box breathing", "payload": '/choose_skill{"skill":"box_breathing"}'},
    {"title": "Paced breathing", "payload": '/choose_skill{"skill":"paced_breathing"}'},
]
CARD = {"type": "crisis_resources", "kind": "crisis",
        "resources": [{"name": "Crisis line", "phone": "988", "sms": None, "url": None, "hours": "24/7"}]}


def bot(text=None, **data) -> BotUttered:
    return BotUttered(text, data=data, timestamp=time.time())


def test_history_is_the_user_and_bot_messages_in_order(client_for, rasa_down, tracker_writer):
    tracker_writer.save(
        SENDER,
        ActionExecuted("action_session_start", timestamp=time.time()),
        SessionStarted(timestamp=time.time()),
        user_event("hi", "greet"),
        ActionExecuted("utter_greet", timestamp=time.time()),
        bot("Hello, I'm here to listen.\n\nHow are you feeling?"),
        user_event("can we do breathing", "request_breathing"),
        bot("Which would you like?", buttons=BUTTONS),
        SlotSet("exercise", None),
        user_event('/choose_skill{"skill":"box_breathing"}', "choose_skill"),
        bot("Let's start.", custom=None, image="http://example.org/x.png"),
        user_event("i want to die", "safety_crisis"),
        bot(None, custom=CARD),
    )
    tracker_writer.save(OTHER, user_event("someone else's words", "greet"))

    response = get_history(client_for(rasa_down), SENDER)
    assert response.status_code == 200
    messages = [{k: v for k, v in m.items() if k != "timestamp"} for m in response.json()["messages"]]
    assert messages == [
        {"sender": "user", "text": "hi"},
        {"sender": "bot", "text": "Hello, I'm here to listen."},  # split like the REST channel does
        {"sender": "bot", "text": "How are you feeling?"},
        {"sender": "user", "text": "can we do breathing"},
        {"sender": "bot", "text": "Which would you like?", "buttons": BUTTONS},
        {"sender": "user", "text": "Box breathing"},  # the payload shown as its button's title
        {"sender": "bot", "text": "Let's start."},  # images and other extras are dropped
        {"sender": "user", "text": "i want to die"},
        {"sender": "bot", "custom": CARD},
    ]
    assert all(isinstance(m["timestamp"], float) for m in response.json()["messages"])


def test_history_of_an_unknown_sender_is_empty(client_for, rasa_down, tracker_writer):
    tracker_writer.save(OTHER, user_event("hello", "greet"))
    assert get_history(client_for(rasa_down), SENDER).json() == {"messages": []}


def test_history_before_rasa_ever_ran_is_empty(client_for, rasa_down):
    assert get_history(client_for(rasa_down), SENDER).json() == {"messages": []}


def test_a_payload_an_action_offered_this_sender_passes_the_slash_guard(client_for, rasa_down, tracker_writer):
    dynamic = [{"title": "Tomorrow", "payload": "/pick_time"}]
    tracker_writer.save(SENDER, user_event("hi", "greet"), bot("When?", buttons=dynamic))
    client = client_for(rasa_down)
    offered = post_chat(client, SENDER, "/pick_time")
    assert offered.status_code == 200  # reached the (down) assistant: fallback
    not_offered = post_chat(client, OTHER, "/pick_time")
    assert not_offered.status_code == 400
