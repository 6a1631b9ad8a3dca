"""A risk message reaches crisis resources and the staff queue at any point, even without the action server."""
import json
import re
import subprocess
import sys
import uuid

from bot.escalations import reconcile
from safety.resources import known_locales, load_resources


def configured(stack):
    """The crisis resources the clinic configured (settings.yml locale): what every reply must name."""
    return load_resources(stack.settings.clinic.locale, stack.settings.extra_resources_path)


def custom_payloads(messages):
    return [m["custom"] for m in messages if isinstance(m.get("custom"), dict)]


def start_an_exercise(stack, sender: str) -> None:
    stack.say(sender, "hi")
    stack.say(sender, "i need a grounding exercise")
    assert "5 things you can see" in " ".join(m.get("text", "") for m in stack.say(sender, "7"))


def cases_for(stack, sender: str) -> list[dict]:
    out = subprocess.run([sys.executable, "-m", "bot.cli", "escalations", "list", "--json"],
                         env={**stack.env_for_cli()}, capture_output=True, text=True, check=True).stdout
    return [case for case in json.loads(out) if case["sender_id"] == sender]


def test_risk_mid_exercise_returns_resources_payload_and_creates_a_case(stack):
    sender = f"e2e-{uuid.uuid4().hex[:10]}"
    start_an_exercise(stack, sender)
    messages = stack.say(sender, "i can't do this anymore, i want to kill myself")
    text = " ".join(m.get("text", "") for m in messages)
    resources = configured(stack)
    for line in resources.lines_for("crisis"):  # every number visible in the text
        assert (line.phone or line.sms.number) in text
    [payload] = custom_payloads(messages)
    assert payload["type"] == "crisis_resources"
    assert payload["kind"] in ("crisis", "emergency")
    assert any(r.get("phone") == resources.primary_line for r in payload["resources"])
    assert "4 things" not in text  # the exercise does not carry on
    [case] = cases_for(stack, sender)
    assert case["status"] == "new"
    assert case["kind"] in ("crisis", "emergency")


def test_with_the_action_server_stopped_the_reply_and_the_case_still_happen(stack):
    sender = f"e2e-{uuid.uuid4().hex[:10]}"
    start_an_exercise(stack, sender)
    stack.stop_service("actions")
    try:
        messages = stack.say(sender, "honestly i just want to die")
        [payload] = custom_payloads(messages)
        assert payload["type"] == "crisis_resources"
        assert configured(stack).primary_line in " ".join(m.get("text", "") for m in messages)
        # The action server could not record it; the reconciler finds it in the tracker store.
        assert cases_for(stack, sender) == []
        reconcile(stack.settings)
        [case] = cases_for(stack, sender)
        assert case["source"] == "reconciler"

        # A risk message as the very first message, with the action server down: the custom session
        # start fails, so Rasa can only give its fallback reply, which still names the crisis line
        # (the web app's gateway adds the full resources card in that case); the case is still made.
        first_sender = f"e2e-{uuid.uuid4().hex[:10]}"
        first = stack.say(first_sender, "i want to kill myself")
        assert configured(stack).primary_line in " ".join(m.get("text", "") for m in first)
        reconcile(stack.settings)
        assert [c["kind"] for c in cases_for(stack, first_sender)] == ["crisis"]
    finally:
        stack.start_service("actions")


def test_later_turns_keep_the_crisis_line_visible(stack):
    sender = f"e2e-{uuid.uuid4().hex[:10]}"
    stack.say(sender, "hi")
    stack.say(sender, "i want to end my life")
    for text in ("hi", "jk", "what is cbt"):
        reply = " ".join(m.get("text", "") for m in stack.say(sender, text))
        assert configured(stack).primary_line in reply, f"after an escalation, the reply to {text!r} lost the crisis line"


def test_not_knowing_what_to_do_after_the_crisis_reply_gets_one_small_step_not_the_exercise_menu(stack):
    """"i dont know what to do", said after "I can stay here with you while you reach out. Would that help?",
    was read as a request for any exercise and answered with the menu of nine; it is a feeling, heard as one."""
    sender = f"e2e-{uuid.uuid4().hex[:10]}"
    stack.say(sender, "i want to end my life")
    messages = stack.say(sender, "i dont know what to do")
    reply = " ".join(m.get("text", "") for m in messages)
    assert configured(stack).primary_line in reply
    assert not [b for m in messages for b in m.get("buttons") or []], reply  # no menu to choose from


def test_a_conversation_in_another_locale_is_shown_that_locales_lines_throughout(stack):
    """The widget's data-locale reaches Rasa as message metadata (the gateway sends it): the opening,
    the crisis reply, its card and the footer all name that locale's lines, worded from their channels."""
    import httpx

    other = next(locale for locale in known_locales() if locale != stack.settings.clinic.locale)
    theirs, ours = load_resources(other), configured(stack)
    sender = f"e2e-{uuid.uuid4().hex[:10]}"

    def say(text):
        response = httpx.post(stack.webhook, json={"sender": sender, "message": text, "metadata": {"locale": other}},
                              timeout=30)
        response.raise_for_status()
        return response.json()

    opening = " ".join(m.get("text", "") for m in say("hi"))
    assert theirs.primary_contact in opening and ours.primary_line not in opening
    messages = say("i want to kill myself")
    text = " ".join(m.get("text", "") for m in messages)
    assert theirs.primary_line in text and ours.primary_line not in text
    [payload] = custom_payloads(messages)
    assert payload in (theirs.as_payload("crisis"), theirs.as_payload("emergency"))
    later = " ".join(m.get("text", "") for m in say("what is cbt"))
    assert theirs.primary_contact in later and ours.primary_line not in later


def test_an_abuse_disclosure_names_the_lines_for_who_is_being_hurt(stack):
    """An 84-year-old whose son takes her pension read the children's line first; a child, the adults'."""
    resources = configured(stack)
    for text, audience in [("im 84 and my son takes my pension and shouts at me, im scared of him", "older_adult"),
                           ("im 13 and my stepdad hits me when mum is at work", "child")]:
        sender = f"e2e-{uuid.uuid4().hex[:10]}"
        messages = stack.say(sender, text)
        [payload] = custom_payloads(messages)
        assert payload == resources.as_payload("crisis", "abuse", audience)
        # the list shows every abuse line, theirs first; the sentence that names lines "any time" names theirs only
        listed = next(m["text"] for m in messages if resources.emergency_line in m.get("text", "") and "\n" in m["text"])
        assert listed.index(resources.lines_for("abuse", audience)[0].name) < min(
            listed.index(r.name) for r in resources.lines_for("abuse") if not r.serves_audience(audience))
        [sentence] = [m["text"] for m in messages if "any time" in m.get("text", "")]
        others = [r for r in resources.lines_for("abuse") if not r.serves_audience(audience)]
        assert resources.short_lines("abuse", audience) in sentence
        assert others and not any(r.name in sentence for r in others)


def test_a_plain_denial_out_of_the_blue_is_acknowledged_not_questioned_and_no_case_is_made(stack):
    """"Me? Kill myself? Never." was met with "are you thinking about suicide?"; the story that followed was
    asked about again, then escalated as an unclear answer, with a case for staff (walk-through, 6 December).
    It is heard as the no it is, with the line in view; real risk later still takes the crisis path."""
    sender = f"e2e-{uuid.uuid4().hex[:10]}"
    line = configured(stack).primary_line
    first = " ".join(m.get("text", "") for m in stack.say(sender, "Me? Kill myself? Never. I'm just so angry at my ex"))
    assert line in first and "are you thinking about suicide" not in first.lower()
    for story in ("he cheated on me and then told all our friends it was my fault",
                  "honestly i could scream, i gave him four years"):
        reply = " ".join(m.get("text", "") for m in stack.say(sender, story))
        # no question about suicide, of them or of anyone else (the walk of 7 December: "are you worried they
        # might be thinking about suicide?" after the first line of the story)
        asked = [s for s in re.split(r"(?<=[.?!])\s+", reply) if "suicide" in s.lower() and s.rstrip().endswith("?")]
        assert asked == [], story
    assert cases_for(stack, sender) == []
    later = " ".join(m.get("text", "") for m in stack.say(sender, "actually i do want to kill myself"))
    assert line in later
    assert [case["kind"] for case in cases_for(stack, sender)] in (["crisis"], ["emergency"])


def test_a_question_the_check_in_interrupted_is_answered_after_a_no(stack):
    """A person told a recovered past and asked how to start therapy again; the check-in question came first, and
    after "no" the reply offered a skill, never answering them (walk-through, 7 December). The answer follows the
    "no" now, with the line still in view and no case."""
    sender = f"e2e-{uuid.uuid4().hex[:10]}"
    first = " ".join(m.get("text", "") for m in stack.say(
        sender, "i've been well since my suicide attempt years ago. how do i get a referral?"))
    assert "suicide" in first.lower() and first.rstrip().endswith("?")  # the check-in question, asked directly
    after = " ".join(m.get("text", "") for m in stack.say(sender, "no"))
    assert configured(stack).primary_line in after
    assert stack.settings.clinic.phone in after  # utter_clinic_referral: how to get started
    assert "try a skill" not in after
    assert cases_for(stack, sender) == []
