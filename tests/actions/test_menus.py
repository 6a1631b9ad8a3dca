"""A menu answered by typing: the number, an ordinal or words of one item pick it; anything else is
asked once more, briefly, with the same buttons."""
import pytest

from actions.menus import ActionPickMenuItem, parse_payload
from tests.actions.conftest import make_tracker, responses, user_event


def menu_event(domain, response):
    """The bot event Rasa stores when it says a menu response (its first variation's buttons)."""
    variation = domain["responses"][response][0]
    return {"event": "bot", "text": variation["text"], "data": {"buttons": variation["buttons"]}}


def after_menu(domain, response, text, intent="inform_rating"):
    events = [user_event("request_any_skill", text="an exercise please"), menu_event(domain, response),
              {"event": "action", "name": "action_listen"}, user_event(intent, text=text)]
    return make_tracker(domain, events=events)


def payload_for(domain, response, title_part):
    [button] = [b for b in domain["responses"][response][0]["buttons"] if title_part in b["title"]]
    return button["payload"]


@pytest.mark.parametrize("response, text, title_part", [
    ("utter_skill_menu", "5", "5-4-3-2-1"),  # "5" is 5-4-3-2-1 whichever way it was meant
    ("utter_skill_menu", "5-4-3-2-1", "5-4-3-2-1"),
    ("utter_skill_menu", "the first one", "Box breathing"),
    ("utter_skill_menu", "number 3 please", "mindful"),
    ("utter_skill_menu", "box", "Box breathing"),
    ("utter_skill_menu", "soothe", "Self-soothe"),
    ("utter_skill_menu", "the last one", "ACCEPTS"),
    ("utter_breathing_menu", "2", "Paced"),
    ("utter_breathing_menu", "paced pls", "Paced"),
    ("utter_distress_tolerance_menu", "tipp", "TIPP"),
    ("utter_therapy_options", "2", "DBT"),
    ("utter_therapy_options", "supportive", "Supportive"),
])
async def test_a_typed_number_or_short_form_picks_that_item(domain, dispatcher, response, text, title_part):
    # the menu shows the numbers it accepts
    assert all(b["title"].split(".")[0].isdigit() for b in domain["responses"][response][0]["buttons"])
    events = await ActionPickMenuItem().run(dispatcher, after_menu(domain, response, text), domain)
    assert dispatcher.messages == []
    rewind, listen, replay = events
    assert rewind["event"] == "rewind" and listen == {**listen, "event": "action", "name": "action_listen"}
    intent, entities = parse_payload(payload_for(domain, response, title_part))
    assert replay["event"] == "user" and replay["parse_data"]["intent"]["name"] == intent
    assert [(e["entity"], e["value"]) for e in replay["parse_data"]["entities"]] == \
        [(e["entity"], e["value"]) for e in entities]
    assert replay["text"] == ""  # the person's own words stay in the transcript once


@pytest.mark.parametrize("response, text, intent", [
    ("utter_skill_menu", "breathing", "nlu_fallback"),  # fits two items
    ("utter_skill_menu", "9", "inform_rating"),  # no such item
    ("utter_breathing_menu", "5", "inform_rating"),
    ("utter_skill_menu", "ok", "affirm"),
])
async def test_no_single_match_asks_once_more_with_the_same_buttons(domain, dispatcher, response, text, intent):
    events = await ActionPickMenuItem().run(dispatcher, after_menu(domain, response, text, intent), domain)
    assert events == []
    assert responses(dispatcher) == ["utter_menu_pick_unclear"]
    assert dispatcher.messages[0]["buttons"] == domain["responses"][response][0]["buttons"]


async def test_yes_to_a_one_button_offer_takes_it(domain, dispatcher):
    events = await ActionPickMenuItem().run(dispatcher, after_menu(domain, "utter_clinic_services", "yes", "affirm"),
                                            domain)
    assert events[-1]["parse_data"]["intent"]["name"] == "ask_therapy_options"


async def test_a_longer_unclear_message_is_not_taken_for_a_choice(domain, dispatcher):
    tracker = after_menu(domain, "utter_skill_menu", "i dont know what any of these mean honestly", "nlu_fallback")
    assert await ActionPickMenuItem().run(dispatcher, tracker, domain) == []
    assert responses(dispatcher) == ["utter_default"]
