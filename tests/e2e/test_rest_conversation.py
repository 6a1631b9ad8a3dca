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
    again = stack.say(sender, "banana")
    assert len(again) == 1, "one short re-ask, not an apology plus the whole question"
    assert "0 to 10" in texts(again) and "how strong is the distress" not in texts(again)
    step_1 = texts(stack.say(sender, "7"))
    assert "5 things you can see" in step_1
    assert "catch" not in step_1 and "0 to 10" not in step_1


def test_a_first_hi_gets_one_greeting_only_and_then_the_question(stack):
    said = [m["text"] for m in stack.say(new_sender(), "hi") if m.get("text")]
    greetings = [t for t in said if t.lower().startswith(("hi", "hello"))]
    assert len(greetings) == 1, said
    assert said[-1].endswith("?"), said  # the question comes last, for the person to answer


def test_a_first_message_that_says_what_it_wants_is_not_asked_how_they_are_first(stack):
    said = " ".join(m.get("text", "") for m in stack.say(new_sender(), "can i try an exercise"))
    assert "automated" in said  # the opening still says what this is
    assert "How are you" not in said, said


def test_five_on_the_exercise_menu_starts_5_4_3_2_1_grounding(stack):
    sender = new_sender()
    stack.say(sender, "hi")
    menu = stack.say(sender, "can i try an exercise")
    assert any("5-4-3-2-1" in b["title"] for m in menu for b in m.get("buttons") or [])
    ask_before = texts(stack.say(sender, "5"))
    assert "0 to 10" in ask_before
    assert "5 things you can see" in texts(stack.say(sender, "7"))


def test_a_menu_button_sends_a_payload_rasa_reads_and_nothing_is_logged_as_an_error(stack):
    """Entity braces in a response are doubled in the domain: the person's widget gets
    /choose_skill{"skill": ...} and Rasa logs no placeholder error for each menu shown."""
    sender = new_sender()
    stack.say(sender, "hi")
    menu = stack.say(sender, "can i try an exercise")
    payloads = [b["payload"] for m in menu for b in m.get("buttons") or []]
    box = [p for p in payloads if '"box_breathing"' in p]
    assert box and box[0] == '/choose_skill{"skill":"box_breathing"}', payloads
    assert "0 to 10" in texts(stack.say(sender, box[0]))
    assert "interpolator" not in stack.log_path.read_text(encoding="utf-8", errors="replace")




def test_a_conversation_longer_than_rasas_window_keeps_every_message_and_its_state(stack):
    """Rasa loads only the last `tracker_window_turns` turns of a session (bot/tracker_store.py): past
    that, the exercise carries on, safety mode stays, and every message is still stored once."""
    from sqlalchemy import create_engine, text

    from safety.resources import load_resources

    settings = stack.settings
    line = load_resources(settings.clinic.locale, settings.extra_resources_path).primary_line
    sender = new_sender()
    said = ["hi", "i want to end my life"]
    for message in said:
        stack.say(sender, message)
    fillers = ["thanks", "what is cbt", "ok", "what is dbt"]
    for index in range(settings.conversations.tracker_window_turns + 2):
        said.append(fillers[index % len(fillers)])
        reply = texts(stack.say(sender, said[-1]))
        assert line in reply, f"message {len(said)} lost the crisis line after the escalation"
    said.append("can we do a grounding exercise")
    assert "0 to 10" in texts(stack.say(sender, said[-1]))
    said.append("7")
    assert "5 things you can see" in texts(stack.say(sender, said[-1]))
    for _ in range(settings.conversations.tracker_window_turns):
        said.append("next")
        reply = texts(stack.say(sender, said[-1]))
        if "0 to 10" in reply:
            break
        assert line in reply
    assert "0 to 10" in reply, "the exercise never reached its after-rating once past the window"

    engine = create_engine(settings.database_url, future=True)
    try:
        with engine.connect() as connection:
            stored = connection.execute(
                text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' ORDER BY id"),
                {"s": sender},
            ).scalars().all()
    finally:
        engine.dispose()
    import json

    assert [json.loads(data)["text"] for data in stored] == said
