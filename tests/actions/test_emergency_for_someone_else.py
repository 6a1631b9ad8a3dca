"""An emergency about someone else (slot risk_about "someone_else", set by the safety component) is answered with
what to do for them, picked by the project's response generator from the built domain.

Why: "my friend just took a load of pills and wont wake up" was answered "I'm really worried about your safety
right now ... If you have taken something or you are hurt, get help now" and then offered company "while you reach
out": words for the writer's own danger, to a person standing beside someone else's."""
import pytest

from tests.actions.conftest import generated_text

#: words only the reply about the writer's own danger says
ABOUT_THE_WRITER = ("your safety", "you have taken something", "you feel okay")


@pytest.mark.parametrize("introduce", [True, None])
def test_an_emergency_about_someone_else_says_what_to_do_for_them(domain, introduce):
    for _ in range(6):  # variations are picked at random: the wrong one must never be among them
        text = generated_text(domain, "utter_emergency", risk_about="someone_else", introduce_in_reply=introduce,
                              emergency_line="999-TEST")
        assert "999-TEST" in text and "they have taken something" in text and "{" not in text
        assert not any(words in text for words in ABOUT_THE_WRITER)
        assert ("automated assistant" in text) == bool(introduce)


@pytest.mark.parametrize("introduce", [True, None])
def test_an_emergency_about_the_writer_is_unchanged(domain, introduce):
    for _ in range(6):
        text = generated_text(domain, "utter_emergency", risk_about="self", introduce_in_reply=introduce)
        assert "your safety" in text and "they have taken something" not in text
        assert ("automated assistant" in text) == bool(introduce)


def test_the_offer_to_stay_after_it_puts_the_call_for_them_first(domain):
    for risk_situation in (None, "abuse"):  # an abuse disclosure earlier in the conversation does not change it
        text = generated_text(domain, "utter_crisis_stay", risk_about="someone_else", risk_situation=risk_situation,
                              emergency_line="999-TEST", crisis_line="000-LINE")
        assert "999-TEST comes first" in text and "000-LINE is there for you too" in text
        assert "while you reach out" not in text
    text = generated_text(domain, "utter_crisis_stay", risk_about="self", risk_situation="abuse", abuse_lines="Line X")
    assert "Line X" in text


@pytest.mark.parametrize("response", ["utter_safety_stay_yes", "utter_safety_stay_no_emergency",
                                      "utter_safety_emergency_followup"])
def test_the_follow_ups_of_an_emergency_about_someone_else_speak_of_them(domain, response):
    """No safety plan offered, and no "you don't have to call anyone", while help comes for a friend."""
    for _ in range(6):
        text = generated_text(domain, response, risk_about="someone_else", safety_mode=True)
        assert not any(words in text for words in ABOUT_THE_WRITER) and "safety plan" not in text
        assert "{" not in text
    assert "your safety" in generated_text(domain, "utter_safety_emergency_followup", risk_about="self")


@pytest.mark.parametrize("introduce", [True, None])
def test_abuse_told_of_someone_else_is_answered_as_a_report(domain, introduce):
    """"my sister's husband hits her" heard "I believe you. What is happening is not your fault ... You deserve to
    be safe", words for the person being hurt."""
    for _ in range(6):
        text = generated_text(domain, "utter_abuse", risk_about="someone_else", introduce_in_reply=introduce,
                              abuse_resources_text="Line A: call 1")
        assert "take this seriously" in text and "Line A: call 1" in text
        assert "not your fault" not in text and "You deserve to be safe" not in text
        assert ("automated assistant" in text) == bool(introduce)
        stay = generated_text(domain, "utter_abuse_stay", risk_about="someone_else", abuse_lines="Line A")
        assert "their safety" in stay and "Line A" in stay
    assert "not your fault" in generated_text(domain, "utter_abuse", risk_about="self")


@pytest.mark.parametrize("kind", ["abuse", "third_party", "emergency", "crisis"])
@pytest.mark.parametrize("response", ["utter_worried_about_someone", "utter_worried_about_someone_more"])
def test_worry_after_telling_of_someone_else_in_danger_is_not_answered_as_low_mood(domain, kind, response):
    """"im just so worried about her" after "my sister's husband hits her" heard "it's hard to see someone you love
    feeling low ... If they ever talk about not wanting to live", and "what can i do" then "say what you've noticed ...
    a walk or a meal together": words for a friend who seems down."""
    for _ in range(8):
        text = generated_text(domain, response, safety_mode=True, risk_about="someone_else",
                              safety_kind=kind, abuse_lines="Line X", emergency_line="999-TEST")
        assert "feeling low" not in text and "not wanting to live" not in text and "{" not in text
        assert "walk" not in text and "seemed down" not in text
        assert "999-TEST" in text and ("Line X" in text) == (kind == "abuse")
    text = generated_text(domain, "utter_worried_about_someone", safety_mode=True, risk_about="self",
                          safety_kind="crisis")
    assert "feeling low" in text


def test_what_to_do_after_an_abuse_report_is_about_that_abuse(domain):
    """"what should i do" after "my sister's husband hits her" got the skill menu ("Here are some exercises")."""
    for _ in range(4):
        text = generated_text(domain, "utter_abuse_what_to_do", safety_mode=True, risk_about="someone_else",
                              safety_kind="abuse", abuse_lines="Line X", emergency_line="999-TEST")
        assert "confront" in text and "Line X" in text and "999-TEST" in text and "{" not in text
    text = generated_text(domain, "utter_abuse_what_to_do", safety_mode=True, risk_about="self", safety_kind="abuse",
                          abuse_lines="Line X", emergency_line="999-TEST")
    assert "stay safe" in text and "confront" not in text and "Line X" in text
