"""A menu answered by typing: the number, an ordinal or words of one item pick it; anything else is
asked once more, briefly, with the same buttons."""
import pytest

from actions.menus import ActionPickMenuItem, parse_payload
from bot.content.project import payload_as_sent
from tests.actions.conftest import make_tracker, responses, user_event


def shown_buttons(domain, response):
    """A menu response's buttons as Rasa sends and stores them (the domain doubles entity braces)."""
    return [{**b, "payload": payload_as_sent(b["payload"])} for b in domain["responses"][response][0]["buttons"]]


def menu_event(domain, response):
    """The bot event Rasa stores when it says a menu response (its first variation's buttons)."""
    variation = domain["responses"][response][0]
    return {"event": "bot", "text": variation["text"], "data": {"buttons": shown_buttons(domain, response)}}


def after_menu(domain, response, text, intent="inform_rating"):
    events = [user_event("request_any_skill", text="an exercise please"), menu_event(domain, response),
              {"event": "action", "name": "action_listen"}, user_event(intent, text=text)]
    return make_tracker(domain, events=events)


def payload_for(domain, response, title_part):
    [button] = [b for b in shown_buttons(domain, response) if title_part in b["title"]]
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
    assert dispatcher.messages[0]["buttons"] == shown_buttons(domain, response)


async def test_yes_to_a_one_button_offer_takes_it(domain, dispatcher):
    events = await ActionPickMenuItem().run(dispatcher, after_menu(domain, "utter_clinic_services", "yes", "affirm"),
                                            domain)
    assert events[-1]["parse_data"]["intent"]["name"] == "ask_therapy_options"


async def test_a_longer_unclear_message_is_not_taken_for_a_choice(domain, dispatcher):
    tracker = after_menu(domain, "utter_skill_menu", "i dont know what any of these mean honestly", "nlu_fallback")
    assert await ActionPickMenuItem().run(dispatcher, tracker, domain) == []
    assert responses(dispatcher) == ["utter_default"]


@pytest.mark.parametrize("text, intent, expected", [
    ("idk", "inform_rating", "utter_menu_pick_unsure"),
    ("you choose", "nlu_fallback", "utter_menu_pick_unsure"),
    ("skip", "nlu_fallback", "utter_menu_pick_let_go"),
    ("none of them", "nlu_fallback", "utter_menu_pick_let_go"),
])
async def test_not_sure_hears_there_is_no_wrong_choice_and_none_hears_no_pressure(domain, dispatcher, text, intent,
                                                                                   expected):
    events = await ActionPickMenuItem().run(dispatcher, after_menu(domain, "utter_skill_menu", text, intent), domain)
    assert events == []
    assert responses(dispatcher) == [expected]
    assert dispatcher.messages[0]["buttons"]  # the menu stays there to tap later


async def test_a_second_reply_that_picks_nothing_is_let_go_not_asked_a_third_time(domain, dispatcher):
    reask = {"event": "bot", "text": "Which one?", "metadata": {"utter_action": "utter_menu_pick_unclear"},
             "data": {"buttons": shown_buttons(domain, "utter_skill_menu")}}
    events = [user_event("request_any_skill", text="an exercise"), menu_event(domain, "utter_skill_menu"),
              user_event("nlu_fallback", text="hmm"), reask, user_event("nlu_fallback", text="umm")]
    assert await ActionPickMenuItem().run(dispatcher, make_tracker(domain, events=events), domain) == []
    assert responses(dispatcher) == ["utter_menu_pick_let_go"]


async def test_the_first_one_classified_as_choose_skill_picks_from_the_menu_just_shown(domain, dispatcher):
    tracker = after_menu(domain, "utter_distress_tolerance_menu", "the first one", "choose_skill")
    events = await ActionPickMenuItem().run(dispatcher, tracker, domain)
    assert events[-1]["parse_data"]["entities"] == [{"entity": "skill", "value": "tipp"}]


@pytest.mark.parametrize("intent, expected", [("choose_skill", "utter_skill_menu"), ("nlu_fallback", "utter_default"),
                                              ("affirm", "utter_listen")])
async def test_without_a_menu_just_before_it_says_what_the_usual_rules_would(domain, dispatcher, intent, expected):
    events = [user_event("mood_low", text="meh"), {"event": "bot", "text": "I'm sorry.", "data": {}},
              user_event(intent, text="that one")]
    assert await ActionPickMenuItem().run(dispatcher, make_tracker(domain, events=events), domain) == []
    assert responses(dispatcher) == [expected]
