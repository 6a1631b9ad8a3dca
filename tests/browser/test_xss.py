"""Script in what people type stays text: in the widget (live and after a reload, from the history), and in
the console (the case transcript, the unanswered list and message page). The browser context bypasses
the pages' Content-Security-Policy, so these tests see the escaping itself, not only the CSP.
"""
from __future__ import annotations

import time
import uuid

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bot import staff
from bot.db import get_engine
from bot.models import Case
from bot.web.unanswered import Kept, UnansweredStore
from tests.browser.conftest import new_context
from tests.browser.widget import HOST, Widget

pytestmark = [pytest.mark.browser, pytest.mark.servers]

PAYLOADS = [
    '<img src=x onerror="window.__xss=1">',
    "<script>window.__xss=2</script>",
    '"><svg onload="window.__xss=3">',
]
RISK = 'i want to kill myself <img src=x onerror="window.__xss=4">'
EMAIL = "xss-reviewer@clinic.example"
PASSWORD = "a tidy harbour of paper boats"


def assert_inert(page: Page) -> None:
    assert page.evaluate("() => window.__xss") is None, "a script in a message ran"
    injected = page.evaluate(f"""() => {{
        const roots = [document];
        const host = document.querySelector('{HOST}');
        if (host && host.shadowRoot) roots.push(host.shadowRoot);
        return roots.map(r => r.querySelectorAll('img[onerror], svg[onload], main script, .cw-log script').length)
                    .reduce((a, b) => a + b, 0);
    }}""")
    assert injected == 0, "markup from a message became elements"


def test_script_typed_into_the_widget_stays_text_live_and_after_a_reload(browser, stack):
    context = new_context(browser)
    dialogs: list[str] = []
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(stack.web_url + "/")
        widget = Widget(page)
        widget.launcher.click()
        for typed in [*PAYLOADS, RISK]:
            widget.say(typed)
        assert widget.user_texts()[-4:] == [*PAYLOADS, RISK]
        expect(widget.cards.first).to_be_visible()
        assert_inert(page)

        page.reload()
        Widget(page).launcher.click()
        expect(page.locator(".cw-log .cw-msg--user").last).to_contain_text("onerror", timeout=20_000)
        assert [t for t in Widget(page).user_texts() if "__xss" in t] == [*PAYLOADS, RISK]
        assert_inert(page)
    finally:
        context.close()
    assert dialogs == []
    # The conversation's id is in an HttpOnly cookie, out of the page's reach: find it by what was said.
    with get_engine(stack.settings).connect() as connection:
        stack_state["sender"] = connection.execute(
            text("SELECT sender_id FROM events WHERE type_name = 'user' AND data LIKE :marker"),
            {"marker": "%window.__xss=4%"}).scalars().first()


stack_state: dict[str, str] = {}


def test_script_in_messages_stays_text_in_the_console(browser, stack):
    with Session(get_engine(stack.settings), future=True) as db, db.begin():
        if staff.find(db, EMAIL) is None:
            staff.add(db, stack.settings, EMAIL, "reviewer", PASSWORD)
    UnansweredStore(stack.settings).keep(Kept(sender_id=str(uuid.uuid4()), received_at=time.time(),
                                              text=PAYLOADS[0] + PAYLOADS[2], reason="unreachable"))
    context = new_context(browser)
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(stack.web_url + "/console/login")
        page.get_by_label("E-mail address").fill(EMAIL)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Cases to review")).to_be_visible()

        page.goto(stack.web_url + "/console/unanswered")
        page.locator("#unanswered a", has_text="Read").first.click()
        expect(page.locator("#unanswered-text")).to_have_text(PAYLOADS[0] + PAYLOADS[2])
        assert_inert(page)

        sender = stack_state.get("sender")
        if sender:
            deadline = time.monotonic() + 60
            case_id = None
            while case_id is None and time.monotonic() < deadline:
                with Session(get_engine(stack.settings), future=True) as db:
                    case_id = db.execute(select(Case.public_id).where(Case.sender_id == sender)).scalars().first()
                if case_id is None:
                    time.sleep(1)
            assert case_id, "the risk message made no case"
            page.goto(f"{stack.web_url}/console/cases/{case_id}")
            expect(page.locator("main")).to_contain_text("window.__xss=4")
            for payload in PAYLOADS:
                expect(page.locator("main")).to_contain_text(payload)
            assert_inert(page)
    finally:
        context.close()
