"""A person chatting over Rasa's REST channel with the real Rasa and action servers."""
import uuid

import httpx
from safety.resources import load_resources


def texts(messages):
    return " ".join(m.get("text", "") for m in messages)


def new_sender() -> str:
    return f"e2e-{uuid.uuid4().hex[:10]}"


def test_opening_says_automated_not_a_therapist_names_the_crisis_line_and_asks(stack):
    reply = texts(stack.say(new_sender(), "hi"))
    assert "automated" in reply
    assert "not a therapist" in reply
    locale = load_resources(stack.settings.clinic.locale, stack.settings.extra_resources_path)
    assert locale.primary_contact in reply  # the configured crisis line, worded from its channels
    assert "?" in reply


def test_grounding_steps_are_paced_and_the_rating_change_is_reflected(stack):
    sender = new_sender()
    stack.say(sender, "hello")
    ask_before = texts(stack.say(sender, "can we do a grounding exercise"))
    assert "0 to 10" in ask_before
    step_1 = texts(stack.say(sender, "about 8/10"))
    assert "5 things you can see" in step_1
    step_2 = texts(stack.say(sender, "next"))
    assert "4" in step_2 and step_2 != step_1
    reply = ""
    for _ in range(10):  # one step per message until the after-rating question
        reply = texts(stack.say(sender, "done"))
        if "0 to 10" in reply:
            break
    assert "0 to 10" in reply, "the exercise never reached the after-rating"
    reflection = texts(stack.say(sender, "six"))
    assert "8" in reflection and "6" in reflection


def test_a_rating_that_is_not_a_number_is_asked_again_kindly(stack):
    sender = new_sender()
    stack.say(sender, "hi")
    stack.say(sender, "box breathing please")
    again = texts(stack.say(sender, "banana"))
    assert "0 to 10" in again


def test_the_socketio_channel_is_served_beside_rest(stack):
    response = httpx.get(f"{stack.settings.url('rasa')}/socket.io/?EIO=4&transport=polling", timeout=10)
    assert response.status_code == 200
    assert '"sid"' in response.text  # an Engine.IO handshake


def test_after_a_rating_asked_again_the_first_step_comes_without_another_apology(stack):
    sender = new_sender()
    stack.say(sender, "hi")
    stack.say(sender, "can we do a grounding exercise")
    again = texts(stack.say(sender, "banana"))
    assert "0 to 10" in again and ("catch that" in again or "got that" in again)
    step_1 = texts(stack.say(sender, "7"))
    assert "5 things you can see" in step_1
    assert "catch that" not in step_1 and "got that" not in step_1
