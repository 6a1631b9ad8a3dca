"""The chat widget in Chromium, against the real stack, in the order a person would use it.

The tests in this module share one browser profile and page (the conversation carries on), so they
run in file order; the last one stops and restarts the Rasa server.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_script, new_context
from tests.browser.widget import Widget

pytestmark = [pytest.mark.browser, pytest.mark.servers]

RISK = "I want to kill myself"


@pytest.fixture(scope="module")
def widget(page) -> Widget:
    return Widget(page)


def test_open_by_keyboard_only_see_the_notice_and_chat(widget: Widget):
    expect(widget.launcher).to_be_visible()
    expect(widget.panel).to_be_hidden()
    widget.tab_to("cw-launcher")
    widget.page.keyboard.press("Enter")
    expect(widget.panel).to_be_visible()
    assert "cw-input" in widget.focused()["cls"]  # focus moved into the chat

    assert widget.log.get_attribute("role") == "log"
    assert widget.log.get_attribute("aria-live") == "polite"
    assert widget.launcher.get_attribute("aria-expanded") == "true"
    notice = widget.page.locator(".cw-notice")
    expect(notice).to_contain_text("automated assistant")
    expect(notice).to_contain_text("not a therapist")
    assert notice.locator("a").get_attribute("href").endswith("/privacy")

    widget.say("hello")
    assert widget.user_texts() == ["hello"]
    assert widget.bot_texts(), "the assistant did not reply"

    widget.page.keyboard.press("Escape")  # Esc closes, focus returns to the launcher
    expect(widget.panel).to_be_hidden()
    assert "cw-launcher" in widget.focused()["cls"]
    widget.page.keyboard.press("Enter")
    expect(widget.panel).to_be_visible()


def test_crisis_link_shows_the_resources_without_asking_the_assistant(widget: Widget):
    sent: list[str] = []
    widget.page.on("request", lambda r: sent.append(r.url) if "/api/chat" in r.url else None)
    widget.crisis_toggle.focus()
    widget.page.keyboard.press("Enter")
    expect(widget.crisis_region).to_be_visible()
    call = widget.crisis_region.locator('a[href^="tel:"]').first
    expect(call).to_be_visible()
    assert sent == []
    widget.page.keyboard.press("Enter")  # toggles closed again
    expect(widget.crisis_region).to_be_hidden()


def test_axe_finds_no_serious_problems_with_the_widget_open(widget: Widget):
    assert widget.axe_serious(axe_script()) == []


def test_quick_replies_are_reachable_by_keyboard_and_send_their_payload(widget: Widget):
    widget.say("can we do a breathing exercise")
    expect(widget.quick_replies.first).to_be_visible()
    titles = widget.quick_replies.all_inner_texts()
    widget.input.focus()
    widget.tab_to("cw-reply", key="Shift+Tab")  # keyboard reaches the quick replies
    before = widget.bot_items()
    first = widget.quick_replies.first
    chosen = first.inner_text()
    with widget.page.expect_request(lambda r: r.url.endswith("/api/chat")) as sent:
        first.click()
    widget.wait_for_reply(before)
    assert sent.value.post_data_json["message"].startswith("/")  # the payload was sent ...
    assert widget.user_texts()[-1] == chosen  # ... and the title is shown
    assert chosen in titles
    assert not any(t.startswith("/") for t in widget.user_texts())
    expect(widget.quick_replies.filter(has_text=chosen)).to_have_count(0)  # used replies go away


def test_a_risk_message_shows_a_crisis_card_with_a_focusable_call_link(widget: Widget, screenshots):
    widget.say(RISK)
    expect(widget.cards.last).to_be_visible(timeout=5_000)
    call = widget.cards.last.locator('a[href^="tel:"]').first
    expect(call).to_be_visible()
    call.focus()
    assert widget.focused()["href"].startswith("tel:")
    widget.assert_panel_intact()
    assert widget.axe_serious(axe_script()) == []
    screenshots.take(widget.page, "widget-crisis-1280.png")


def test_history_is_shown_again_after_a_reload(widget: Widget):
    users = widget.user_texts()
    cards = widget.cards.count()
    widget.page.reload()
    expect(widget.panel).to_be_visible()  # it was open before the reload
    expect(widget.page.locator(".cw-log .cw-msg--user")).to_have_count(len(users))
    assert widget.user_texts() == users
    assert widget.cards.count() == cards


def test_no_script_on_the_page_can_read_the_conversations_secret(widget: Widget, stack):
    """The conversation is held by an HttpOnly cookie of the web app: nothing in localStorage,
    sessionStorage or document.cookie names it, and no request URL carries it."""
    cookies = [c for c in widget.page.context.cookies() if c["name"] == "clinic_chat"]
    assert len(cookies) == 1 and cookies[0]["httpOnly"] and cookies[0]["path"] == "/api"
    stored = widget.page.evaluate(
        "() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage), document.cookie])"
    )
    conversation_id = stack.conversation_of(cookies[0]["value"])
    assert conversation_id and conversation_id not in stored
    assert cookies[0]["value"] not in stored
    urls: list[str] = []
    widget.page.on("request", lambda r: urls.append(r.url))
    widget.page.reload()
    expect(widget.panel).to_be_visible()
    expect(widget.page.locator(".cw-log .cw-msg--user").first).to_be_visible()
    assert any(u.endswith("/api/chat/history") for u in urls)
    assert not any(conversation_id in u for u in urls)


def test_rasa_down_shows_the_fallback_keeps_the_text_and_reconnects(widget: Widget, stack, screenshots):
    stack.stop_service("rasa")
    try:
        before = widget.bot_items()
        widget.input.focus()
        widget.page.keyboard.type("are you still there")
        widget.page.keyboard.press("Enter")
        widget.wait_for_reply(before)
        expect(widget.log).to_contain_text("isn't available")
        expect(widget.cards.last).to_be_visible()
        expect(widget.cards.last.locator('a[href^="tel:"]').first).to_be_in_viewport()
        widget.assert_panel_intact()
        expect(widget.input).to_have_value("are you still there")
        expect(widget.status).to_contain_text("unavailable")
        screenshots.take(widget.page, "widget-unavailable-1280.png")
    finally:
        stack.start_service("rasa")
    # A freshly started Rasa answers its first message slowly; let someone else's message warm it up.
    stack.say("warm-up", "hello")
    expect(widget.status).to_contain_text("Connected again", timeout=60_000)
    before = widget.bot_items()
    widget.input.focus()
    widget.page.keyboard.press("Enter")
    widget.wait_for_reply(before)
    expect(widget.input).to_have_value("")
    assert "isn't available" not in widget.bot_texts()[-1]


@pytest.mark.parametrize("width,height,scale,name", [
    (1280, 800, 1, "widget-1280.png"),
    (375, 812, 2, "widget-375.png"),
    (320, 640, 1, "widget-320.png"),
    (640, 400, 2, "widget-zoom200.png"),  # 1280x800 at 200% zoom
])
def test_layout_fits_desktop_phone_320px_and_200_percent_zoom(browser, stack, screenshots, width, height, scale, name):
    context = new_context(browser, width, height, device_scale_factor=scale)
    try:
        page = context.new_page()
        page.goto(stack.web_url + "/")
        widget = Widget(page)
        widget.launcher.click()
        expect(widget.panel).to_be_visible()
        widget.say("hello")
        widget.crisis_toggle.click()
        widget.crisis_toggle.click()
        widget.assert_panel_intact()
        for part in (".cw-close", ".cw-crisis-toggle", ".cw-input", ".cw-send"):
            box = page.locator(part).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= width + 1, f"{part} is cut off at {width}px"
            assert box["y"] >= 0 and box["y"] + box["height"] <= height + 1, f"{part} is cut off at {height}px"
        overflow = page.evaluate(
            "() => { const p = document.querySelector('#clinic-chat-widget').shadowRoot.querySelector('.cw-panel');"
            " return p.scrollWidth - p.clientWidth; }")
        assert overflow <= 0, "the panel scrolls sideways"
        screenshots.take(page, name)
    finally:
        context.close()


def test_reduced_motion_turns_the_animations_off(browser, stack):
    context = new_context(browser, reduced_motion="reduce")
    try:
        page = context.new_page()
        page.goto(stack.web_url + "/")
        page.locator(".cw-launcher").click()
        names = page.evaluate("""() => {
            const root = document.querySelector('#clinic-chat-widget').shadowRoot;
            const typing = document.createElement('div');  // as the widget shows it while waiting
            typing.className = 'cw-typing';
            typing.append(document.createElement('span'));
            root.querySelector('.cw-log').append(typing);
            return [getComputedStyle(root.querySelector('.cw-panel')).animationName,
                    getComputedStyle(typing.querySelector('span')).animationName];
        }""")
        assert names == ["none", "none"]
    finally:
        context.close()


def test_without_javascript_the_page_lists_the_crisis_resources(browser, stack):
    context = new_context(browser, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(stack.web_url + "/")
        expect(page.get_by_role("heading", name="If you need help now")).to_be_visible()
        expect(page.locator('.resource-list a[href^="tel:"]').first).to_be_visible()
    finally:
        context.close()
