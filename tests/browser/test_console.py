"""The staff review console in Chromium, the way a clinic uses it, against the real stack.

An admin (created with `bot staff add`) signs in and sets up two-step sign-in, then adds a reviewer;
the reviewer sets up two-step sign-in and signs in with a code; a risk message typed into the widget
in another page appears in the queue and reaches the local SMTP server as an alert; the reviewer
opens the case, sees the highlighted trigger, adds a note and resolves it; the admin's audit page
shows each step. axe-core checks every console page. Screenshots go to var/screenshots/console-*.png
(docs/staff-guide.md uses copies of them).

The tests share browser profiles and run in file order.
"""
from __future__ import annotations

import re
import subprocess
import sys
import time
from typing import Any

import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ACTION_TIMEOUT_MS, axe_script, new_context
from tests.browser.widget import Widget

pytestmark = [pytest.mark.browser, pytest.mark.servers]

ADMIN = "admin@clinic.example"
ADMIN_PASSWORD = "river stones and quiet mornings"
REVIEWER = "sam@clinic.example"
REVIEWER_PASSWORD = "lanterns over the harbour at dusk"
RISK = "I want to kill myself"
state: dict[str, Any] = {}


def axe_serious(page: Page) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(axe_script()))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"], "targets": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def code(secret: str, steps_ahead: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.at(time.time() + steps_ahead * totp.interval)


@pytest.fixture(scope="module")
def admin(browser, stack) -> Page:
    context = new_context(browser)
    page = context.new_page()
    page.set_default_timeout(ACTION_TIMEOUT_MS)
    yield page
    context.close()


@pytest.fixture(scope="module")
def reviewer(browser, stack) -> Page:
    context = new_context(browser)
    page = context.new_page()
    page.set_default_timeout(ACTION_TIMEOUT_MS)
    yield page
    context.close()


def sign_in(page: Page, base: str, email: str, password: str) -> None:
    page.goto(base + "/console/")
    expect(page).to_have_url(re.compile(r"/console/login"))
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def set_up_two_step(page: Page) -> str:
    expect(page.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    secret = page.locator("#setup-key").get_attribute("data-secret")
    page.get_by_label("Code from the app").fill(code(secret))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    return secret


def test_the_first_admin_comes_from_the_command_line_and_sets_up_two_step_sign_in(admin, stack, screenshots):
    created = subprocess.run([sys.executable, "-m", "bot.cli", "staff", "add", ADMIN, "--role", "admin"],
                             input=ADMIN_PASSWORD + "\n", capture_output=True, text=True, env=stack.env_for_cli(),
                             cwd=str(stack.settings.root), timeout=120)
    assert created.returncode == 0, created.stderr
    admin.goto(stack.web_url + "/console/")
    expect(admin).to_have_url(re.compile(r"/console/login"))
    assert axe_serious(admin) == []
    screenshots.take(admin, "console-sign-in.png")
    sign_in(admin, stack.web_url, ADMIN, ADMIN_PASSWORD)
    screenshots.take(admin, "console-two-step-setup.png")
    assert axe_serious(admin) == []
    state["admin_secret"] = set_up_two_step(admin)
    admin.get_by_role("link", name=re.compile("continue")).click()
    expect(admin.get_by_role("heading", name="Cases to review")).to_be_visible()


def test_the_admin_adds_a_reviewer_who_must_use_two_step_sign_in(admin, stack, screenshots):
    admin.get_by_role("link", name="Staff").click()
    admin.get_by_label("E-mail address").fill(REVIEWER)
    admin.get_by_label(re.compile("^First password")).fill(REVIEWER_PASSWORD)
    admin.get_by_label(re.compile("Require two-step sign-in")).check()
    admin.get_by_role("button", name="Add account").click()
    expect(admin.locator("#staff-message")).to_contain_text(f"Account {REVIEWER} added")
    expect(admin.locator("table.accounts")).to_contain_text(REVIEWER)
    assert axe_serious(admin) == []
    screenshots.take(admin, "console-staff.png", full_page=True)


def test_the_reviewer_sets_up_two_step_sign_in_then_signs_in_with_a_code(reviewer, stack, screenshots):
    sign_in(reviewer, stack.web_url, REVIEWER, REVIEWER_PASSWORD)
    secret = set_up_two_step(reviewer)
    screenshots.take(reviewer, "console-recovery-codes.png")
    reviewer.get_by_role("link", name=re.compile("continue")).click()
    reviewer.get_by_role("button", name="Sign out").click()
    expect(reviewer.locator(".banner")).to_contain_text("You are signed out")

    sign_in(reviewer, stack.web_url, REVIEWER, REVIEWER_PASSWORD)
    expect(reviewer.get_by_role("heading", name="Enter your sign-in code")).to_be_visible()
    assert axe_serious(reviewer) == []
    # The set-up code's time step is used up; the next step's code is accepted (clock drift allowance).
    reviewer.get_by_label("Code").fill(code(secret, steps_ahead=1))
    reviewer.get_by_role("button", name="Continue").click()
    expect(reviewer.get_by_role("heading", name="Cases to review")).to_be_visible()
    expect(reviewer.locator("#no-cases")).to_be_visible()
    assert reviewer.get_by_role("link", name="Audit log").count() == 0  # reviewers see no admin pages


def test_a_risk_message_in_the_widget_appears_in_the_queue_and_alerts_by_email(browser, reviewer, stack, smtp, screenshots):
    person = new_context(browser)
    try:
        chat = person.new_page()
        chat.set_default_timeout(ACTION_TIMEOUT_MS)
        chat.goto(stack.web_url + "/")
        widget = Widget(chat)
        widget.launcher.click()
        widget.say(RISK)
        expect(widget.cards.first).to_be_visible()
    finally:
        person.close()

    # the open-case count in the header updates without a reload (the page polls a small JSON route)
    expect(reviewer.locator("#open-count")).to_have_text("1", timeout=60_000)
    expect(reviewer.locator("#queue-changed")).to_be_visible()
    reviewer.reload()
    row = reviewer.locator("table.cases tbody tr").first
    expect(row).to_contain_text("New")
    assert axe_serious(reviewer) == []
    screenshots.take(reviewer, "console-queue.png", full_page=True)

    deadline = time.time() + 60
    while not smtp.inbox.messages and time.time() < deadline:
        time.sleep(0.5)
    assert smtp.inbox.messages, "no alert reached the SMTP server"
    alert = smtp.inbox.messages[-1]
    body = alert.get_payload()
    link = re.search(r"(http://\S+/console/cases/\S+)", body).group(1)
    assert "kill" not in body.lower() and "kill" not in alert["Subject"].lower()
    state["case_url"] = link


def test_the_reviewer_opens_the_case_sees_the_trigger_adds_a_note_and_resolves_it(reviewer, stack, screenshots):
    reviewer.goto(state["case_url"])  # the link from the alert
    flagged = reviewer.locator("#flagged")
    expect(flagged).to_contain_text(RISK)
    mark = flagged.locator("mark.match").first
    expect(mark).to_be_visible()
    matched = mark.evaluate("m => m.firstChild.textContent")
    assert matched and matched.lower() in RISK.lower()
    assert mark.evaluate("m => getComputedStyle(m).backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")
    expect(reviewer.locator("ol.transcript")).to_contain_text("resources shown")
    assert axe_serious(reviewer) == []
    screenshots.take(reviewer, "console-case.png", full_page=True)

    reviewer.get_by_role("button", name="Assign to me").click()
    expect(reviewer.locator(".facts")).to_contain_text(REVIEWER)
    reviewer.get_by_label(re.compile("^Add a note")).fill("Phoned the clinic's duty worker; they will call back.")
    reviewer.get_by_role("button", name="Add note").click()
    expect(reviewer.locator("ol.notes")).to_contain_text("duty worker")
    reviewer.get_by_label("Status", exact=True).select_option("resolved")
    reviewer.get_by_role("button", name="Save status").click()
    expect(reviewer.locator("h1 .status")).to_have_text("Resolved")

    reviewer.get_by_role("link", name="Print or save this case").click()
    expect(reviewer.locator(".confidential")).to_be_visible()
    reviewer.emulate_media(media="print")
    screenshots.take(reviewer, "console-export-print.png", full_page=True)
    reviewer.emulate_media(media="screen")


def test_the_audit_page_shows_each_step(admin, stack, screenshots):
    admin.get_by_role("link", name="Audit log").click()
    table = admin.locator("table.audit")
    for words in ("added an account", "set up two-step sign-in", "signed in", "opened a case (transcript view)",
                  "assigned a case", "added a note", "changed a case's status", "printed or exported a case"):
        expect(table).to_contain_text(words)
    expect(table).to_contain_text(REVIEWER)
    assert axe_serious(admin) == []
    screenshots.take(admin, "console-audit.png", full_page=True)
    admin.get_by_label("What").select_option("note_added")
    admin.get_by_role("button", name="Show").click()
    expect(admin.locator("table.audit tbody tr")).to_have_count(1)
    expect(admin.locator("table.audit tbody tr")).to_contain_text(REVIEWER)


def test_the_other_console_pages_pass_axe_too(reviewer, stack):
    reviewer.goto(state["case_url"] + "/export")
    expect(reviewer.locator(".confidential")).to_be_visible()
    assert axe_serious(reviewer) == []
    reviewer.goto(stack.web_url + "/console/search?conversation=0000")
    expect(reviewer.get_by_role("heading", name="Find a conversation")).to_be_visible()
    assert axe_serious(reviewer) == []
    reviewer.goto(stack.web_url + "/console/account")
    expect(reviewer.get_by_role("heading", name="Your account")).to_be_visible()
    assert axe_serious(reviewer) == []


def test_the_case_page_fits_a_phone_without_sideways_scrolling(reviewer, screenshots):
    reviewer.set_viewport_size({"width": 320, "height": 700})
    try:
        reviewer.goto(state["case_url"])
        expect(reviewer.locator("#flagged")).to_be_visible()
        wide = reviewer.evaluate("""() => Array.from(document.querySelectorAll("body *")).filter(e => e.getBoundingClientRect().right > 321).slice(0, 6).map(e => e.tagName + "." + e.className + " " + e.textContent.slice(0, 40))""")
        assert reviewer.evaluate("document.documentElement.scrollWidth") <= 320, wide
        screenshots.take(reviewer, "console-case-320.png", full_page=True)
    finally:
        reviewer.set_viewport_size({"width": 1280, "height": 800})


def test_the_idle_warning_lets_the_reviewer_stay_signed_in(reviewer, stack, screenshots):
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import select, update

    from bot.db import get_engine
    from bot.models import Staff, StaffSession

    reviewer.goto(stack.web_url + "/console/cases")
    warning = reviewer.get_by_role("alertdialog", name="Are you still there?")
    expect(warning).to_be_hidden()
    # the reviewer has been away from the console for nearly the whole idle timeout
    almost = stack.settings.console.idle_timeout_minutes - stack.settings.console.idle_warning_minutes / 2
    engine = get_engine(stack.settings)
    with engine.begin() as connection:
        reviewer_id = connection.execute(select(Staff.id).where(Staff.email == REVIEWER)).scalar_one()
        connection.execute(update(StaffSession).where(StaffSession.staff_id == reviewer_id, StaffSession.ended_at.is_(None))
                           .values(last_seen_at=datetime.now(timezone.utc) - timedelta(minutes=almost)))
    reviewer.evaluate("window.dispatchEvent(new Event('focus'))")  # back to the tab
    expect(warning).to_be_visible()
    expect(reviewer.locator("#idle-stay")).to_be_focused()
    assert axe_serious(reviewer) == []
    screenshots.take(reviewer, "console-idle-warning.png")
    reviewer.keyboard.press("Enter")  # "Stay signed in"
    expect(warning).to_be_hidden()
    with engine.connect() as connection:
        seen = connection.execute(select(StaffSession.last_seen_at).where(
            StaffSession.staff_id == reviewer_id, StaffSession.ended_at.is_(None))).scalar_one()
    seen = seen if seen.tzinfo else seen.replace(tzinfo=timezone.utc)
    assert datetime.now(timezone.utc) - seen < timedelta(minutes=1)  # the server counted it as activity
