"""Live handoff in Chromium with two pages, the person's widget and a staff member's console, against the
real stack: a risk message, the case appears, the staff member joins, messages flow both ways (pushed,
no reload), a second risk message while the assistant is paused is flagged in the console at once,
hand back, and the assistant answers again. Screenshots go to var/screenshots/handoff-*.png.
"""
from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import get_engine
from bot.models import Case
from bot.web import texts
from bot.web.conversation import COOKIE_NAME, ConversationTokens, secret_key
from tests.browser.conftest import new_context
from tests.browser.test_console import axe_serious
from tests.browser.widget import HOST, REPLY_TIMEOUT_MS, Widget
from tests.web.console import add_account

pytestmark = [pytest.mark.browser, pytest.mark.servers]

STAFF = "handoff-sam@clinic.example"
PASSWORD = "kettle on the hob by the window"
PUSH_TIMEOUT_MS = 10_000  # "within a second or two", with room for a busy two-core test machine


def sender_of(chat: Page, settings) -> str:
    """The conversation the widget holds: only in its HttpOnly cookie, read here as the server would."""
    [token] = [c["value"] for c in chat.context.cookies() if c["name"] == COOKIE_NAME]
    return ConversationTokens(secret_key(settings)).conversation_id(token)


def case_of(settings, sender: str, timeout: float = 60.0) -> str:
    deadline = time.time() + timeout
    while time.time() < deadline:
        with Session(get_engine(settings), future=True) as db:
            found = db.execute(select(Case.public_id).where(Case.sender_id == sender).order_by(Case.id)).scalars().first()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError("no case was created for the risk message")


def type_without_reply(widget: Widget, text: str) -> None:
    """The person writes while a staff member is in: the gateway answers, the assistant does not."""
    widget.input.focus()
    widget.page.keyboard.type(text)
    widget.page.keyboard.press("Enter")
    widget.page.wait_for_function(
        f"() => {{ const t = document.querySelector('{HOST}').shadowRoot.querySelector('.cw-typing');"
        " return !t || t.hidden; }", timeout=REPLY_TIMEOUT_MS)


def test_staff_join_talk_see_a_flag_and_hand_back(browser, stack, screenshots):
    add_account(stack.settings, STAFF, password=PASSWORD)
    person, staff = new_context(browser, width=420, height=800), new_context(browser)
    try:
        chat = person.new_page()
        chat.set_default_timeout(20_000)
        chat.goto(stack.web_url + "/")
        widget = Widget(chat)
        widget.launcher.click()
        widget.say("hi")
        widget.say("I want to kill myself")
        expect(widget.cards.last).to_be_visible()
        case = case_of(stack.settings, sender_of(chat, stack.settings))

        console = staff.new_page()
        console.set_default_timeout(20_000)
        console.goto(stack.web_url + "/console/")
        console.get_by_label("E-mail address").fill(STAFF)
        console.get_by_label("Password").fill(PASSWORD)
        console.get_by_role("button", name="Sign in").click()
        expect(console.locator(f'a[href="/console/cases/{case}"]').first).to_be_visible(timeout=60_000)
        console.locator(f'a[href="/console/cases/{case}"]').first.click()
        console.get_by_label("Name the person will see").fill("Sam")
        console.get_by_role("button", name="Join the conversation").click()
        expect(console.locator("#handoff-state")).to_contain_text("You are in this conversation as Sam")

        # The person is told, and the widget header shows that a person is present; the crisis line stays.
        clinic = stack.settings.clinic.name
        presence = chat.locator(".cw-presence")
        expect(presence).to_have_text(texts.handoff("present", name="Sam", clinic_name=clinic), timeout=PUSH_TIMEOUT_MS)
        expect(chat.locator(".cw-msg--system").last).to_contain_text(
            texts.handoff("joined", name="Sam", clinic_name=clinic))
        expect(chat.locator(".cw-live-crisis")).to_be_visible()
        expect(chat.locator(".cw-live-crisis .cw-action").first).to_be_visible()

        # Staff -> person, pushed to the widget.
        console.get_by_label(re.compile("^Message to the person")).fill("Hi, I'm Sam from the clinic. I'm here with you now.")
        console.get_by_role("button", name="Send").click()
        staff_bubble = chat.locator(".cw-msg--staff").last
        expect(staff_bubble).to_contain_text("I'm here with you now.", timeout=PUSH_TIMEOUT_MS)
        expect(staff_bubble.locator(".cw-msg-name")).to_have_text(texts.handoff("staff_label", name="Sam",
                                                                                 clinic_name=clinic))
        expect(console.locator("ol.transcript .msg--staff").last).to_contain_text("I'm here with you now.",
                                                                                 timeout=PUSH_TIMEOUT_MS)

        # Person -> staff, pushed to the console; the assistant stays quiet.
        bots_before = len(widget.bot_texts())
        type_without_reply(widget, "thank you, I didn't think anyone would come")
        expect(console.locator("ol.transcript .msg--user").last).to_contain_text("anyone would come",
                                                                                timeout=PUSH_TIMEOUT_MS)

        # A second risk message while paused: flagged in the console at once, the crisis card in the widget.
        cards_before = widget.cards.count()
        type_without_reply(widget, "but I still want to kill myself tonight")
        flagged = console.locator("ol.transcript .msg--flagged").last
        expect(flagged).to_contain_text("but I still want to", timeout=PUSH_TIMEOUT_MS)
        expect(flagged.locator("mark.match").first).to_be_visible()
        expect(console.locator("#flag-alerts")).to_contain_text("Risk message")
        expect(widget.cards).to_have_count(cards_before + 1)
        assert len(widget.bot_texts()) == bots_before  # no assistant reply while Sam is in
        screenshots.take(chat, "handoff-widget.png")
        screenshots.take(console, "handoff-console.png", full_page=True)
        assert axe_serious(console) == []

        # Hand back: the person is told, the assistant says it is back, and answers again.
        console.get_by_role("button", name="Hand back to the assistant").click()
        expect(console.locator("#handoff-state")).to_contain_text("back with the assistant")
        expect(chat.locator(".cw-msg--system").last).to_have_text(texts.handoff("left", name="Sam"),
                                                                 timeout=PUSH_TIMEOUT_MS)
        expect(chat.locator(".cw-msg--bot").last).to_contain_text(texts.handoff("reentry").split(".")[0])
        expect(presence).to_be_hidden()
        before = len(widget.bot_texts())
        widget.say("can we try a breathing exercise")
        assert len(widget.bot_texts()) > before
        screenshots.take(chat, "handoff-widget-after.png")
        console.reload()
        expect(console.locator("ol.transcript")).to_contain_text(f"Sam ({STAFF}) handed back to the assistant")
    finally:
        person.close()
        staff.close()
