"""Seams a supportive therapist would wince at, found reading 26 conversations end to end (issue 12, 6 Dec).

Each test is what the person reads over the REST channel with the real Rasa and action servers: the brother's
secret answered as his secret (not a question about the writer's own suicide), "what should i say to her"
answered, "another exercise" offered only after one, a "no" not answered with "what's on your mind?".
"""
import uuid


def texts(messages):
    return " ".join(m.get("text", "") for m in messages)


def new_sender() -> str:
    return f"e2e-{uuid.uuid4().hex[:10]}"


def test_a_brothers_secret_after_the_reply_about_him_is_not_a_question_about_the_writers_own_suicide(stack):
    sender = new_sender()
    stack.say(sender, "my brother said he wants to end his life")
    reply = texts(stack.say(sender, "he made me swear not to tell our parents"))
    assert "are you having thoughts of ending your life" not in reply, reply
    assert "thinking about suicide?" not in reply or "they might be" in reply, reply


def test_a_friends_secret_is_answered_as_hers_and_what_to_say_is_answered(stack):
    sender = new_sender()
    stack.say(sender, "my friend told me she wants to die")
    secret = texts(stack.say(sender, "she made me promise not to tell anyone"))
    assert "keeping them safe matters more than keeping the promise" in secret, secret
    what_to_say = texts(stack.say(sender, "what should i say to her"))
    assert "not sure I understood" not in what_to_say, what_to_say
    assert "ask them directly" in what_to_say, what_to_say


def test_another_exercise_is_offered_only_after_an_exercise(stack):
    sender = new_sender()
    stack.say(sender, "hello")
    reply = texts(stack.say(sender, "next"))
    assert "exercise" in reply and "another" not in reply, reply


def test_not_great_to_how_are_you_gets_sympathy_not_no_pressure(stack):
    sender = new_sender()
    stack.say(sender, "hi")
    reply = texts(stack.say(sender, "no not really"))
    assert "no pressure" not in reply and "sorry" in reply, reply


def test_a_no_is_not_answered_with_whats_on_your_mind(stack):
    sender = new_sender()
    stack.say(sender, "can we just talk")
    for _ in range(4):  # the reply is one of two variations, chosen at random
        reply = texts(stack.say(sender, "no"))
        assert "What's on your mind" not in reply, reply
