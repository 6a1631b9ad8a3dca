"""Issue 12 in Chromium: someone in crisis says no to calling, is offered a safety plan, builds it one
step per message (skipping one), and prints and downloads it: the page holds the plan and nothing else.

The tests share one page (the conversation carries on) and run in file order. Expected words are read
from domain.yml, settings.yml and the locale's crisis resources, never typed here.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from playwright.sync_api import expect

from bot.build import text_or_chat_lines
from bot.settings import PROJECT_ROOT, load_settings
from safety.resources import load_resources
from tests.browser.conftest import axe_script
from tests.browser.widget import Widget

pytestmark = [pytest.mark.browser, pytest.mark.servers]

RISK = "I want to kill myself"
REFUSAL = "no i dont want to call anyone"
WHY_HARD = "i hate talking on the phone"
ANSWERS = [  # one per step; step 2 is skipped with the button
    "I stop replying to texts and lie awake all night",
    None,
    "the dog park, or my cousin Jo",
    "my sister Ana 555 0100",
    "Dr Patel at the surgery",
    "I'll give my pills to my sister",
]


def domain() -> dict:
    return yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))


def response_texts(name: str) -> list[str]:
    return [v["text"] for v in domain()["responses"][name] if "text" in v]


def plan_card() -> dict:
    return domain()["responses"]["utter_plan_card"][0]["custom"]


def opening(text: str) -> str:
    """The words of a response before its first placeholder (enough to recognise it on screen)."""
    return text.split("{")[0].strip()


@pytest.fixture(scope="module")
def widget(page) -> Widget:
    found = Widget(page)
    found.launcher.click()
    expect(found.panel).to_be_visible()
    return found


def test_saying_no_to_calling_after_the_crisis_reply_keeps_the_assistant_here(widget: Widget):
    widget.say(RISK)
    widget.say(REFUSAL)
    reply = widget.bot_texts()[-1]
    settings = load_settings()
    resources = load_resources(settings.clinic.locale, settings.extra_resources_path)
    assert any(reply.startswith(opening(t)) for t in response_texts("utter_safety_stay_no")), reply
    assert "come back" not in reply.lower()  # no goodbye
    # the ways to reach a line without calling, listed once; the line not named again around them
    other_ways = text_or_chat_lines(resources)
    named = other_ways or resources.primary_line
    assert reply.count(named) == 1, reply
    assert resources.primary_line not in reply.replace(named, "")

    widget.say(WHY_HARD)
    offer = widget.bot_texts()[-1]
    assert offer.startswith(opening(response_texts("utter_safety_refusal_plan_offer")[-1]))
    assert offer != reply


def test_the_plan_is_built_one_step_per_message_with_a_skip(widget: Widget):
    offer_title = domain()["responses"]["utter_safety_refusal_plan_offer"][-1]["buttons"][0]["title"]
    before = widget.bot_items()
    widget.quick_replies.filter(has_text=offer_title).click()
    widget.wait_for_reply(before)
    questions = [opening(t) for t in response_texts("utter_ask_plan_warning_signs")]
    assert any(widget.bot_texts()[-1].startswith(q) for q in questions)
    skip_title = domain()["responses"]["utter_ask_plan_coping"][0]["buttons"][0]["title"]
    for step, answer in enumerate(ANSWERS, start=1):
        asked = widget.bot_texts()[-1]
        assert f"Step {step} of 6" in asked, asked  # one step per message, in order
        if answer is None:
            before = widget.bot_items()
            widget.quick_replies.filter(has_text=skip_title).click()
            widget.wait_for_reply(before)
        else:
            widget.say(answer)
    expect(widget.page.locator(".cw-log .cw-plan")).to_be_visible()


def test_the_plan_card_shows_their_words_and_the_lines_with_call_and_text_links(widget: Widget):
    card = widget.page.locator(".cw-log .cw-plan").last
    text = card.inner_text()
    for answer in ANSWERS:
        if answer:
            assert answer in text
    assert plan_card()["skipped"] in text
    assert card.locator('a[href^="tel:"]').count() >= 1
    resources = load_resources(load_settings().clinic.locale)
    if any(r.sms for r in resources.lines_for("crisis")):
        assert card.locator('a[href^="sms:"]').count() >= 1
    assert widget.axe_serious(axe_script()) == []


def _assert_only_the_plan(html: str) -> None:
    card, settings = plan_card(), load_settings()
    for answer in ANSWERS:
        if answer:
            assert answer.replace("'", "&#39;") in html or answer in html
    for section in card["sections"]:
        assert section["title"] in html
    assert settings.clinic.phone in html
    assert load_resources(settings.clinic.locale).primary_line in html
    # nothing else from the conversation: not the person's other messages, not the assistant's replies
    for other in (RISK, REFUSAL, WHY_HARD):
        assert other not in html
    for name in ("utter_crisis", "utter_safety_stay_no", "utter_ask_plan_coping", "utter_plan_card"):
        for text in response_texts(name):
            assert opening(text)[:40] not in html, name
    assert "<script" not in html.lower()


def test_download_gives_a_page_with_the_plan_and_nothing_else(widget: Widget, tmp_path: Path):
    card = plan_card()
    with widget.page.expect_download() as info:
        widget.page.locator(".cw-log .cw-plan .cw-plan-download").last.click()
    download = info.value
    assert download.suggested_filename == card["download_name"]
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    _assert_only_the_plan(saved.read_text(encoding="utf-8"))


def test_print_opens_a_clean_page_with_the_plan_that_prints(widget: Widget, screenshots):
    context = widget.page.context
    context.add_init_script("window.print = () => { window.__printed = true; };")
    with widget.page.expect_popup() as info:
        widget.page.locator(".cw-log .cw-plan .cw-plan-print").last.click()
    popup = info.value
    popup.wait_for_load_state()
    popup.wait_for_function("() => window.__printed === true")
    _assert_only_the_plan(popup.content())
    assert popup.locator("h1").inner_text() == plan_card()["title"]
    popup.emulate_media(media="print")
    screenshots.take(popup, "safety-plan-print.png", full_page=True)
    popup.close()


def test_show_my_safety_plan_brings_it_back(widget: Widget):
    cards = widget.page.locator(".cw-log .cw-plan")
    count = cards.count()
    widget.say("show my safety plan")
    expect(cards).to_have_count(count + 1)
    assert ANSWERS[0] in cards.last.inner_text()
