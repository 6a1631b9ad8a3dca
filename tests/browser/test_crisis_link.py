"""The closed widget's "In crisis? Get help now" link, beside the launcher, in Chromium.

A person in crisis must see the crisis lines without opening a chat: the link is visible before
anything is opened, reachable by keyboard (first, before the launcher), announced as a button with its
name, at least 24x24 px, opens the configured resources at once without asking the assistant, and the
fixed bar never hides what has the keyboard focus on the page (WCAG 2.2: 2.4.11, 2.5.8), on a desktop,
a phone and at 200% zoom.
"""
from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import axe_script, new_context
from tests.browser.widget import Widget

pytestmark = [pytest.mark.browser, pytest.mark.servers]

NAME = "In crisis? Get help now"
BAR_RECT = """() => {
    const r = document.querySelector('#clinic-chat-widget').shadowRoot.querySelector('.cw-bar').getBoundingClientRect();
    return {x: r.x, y: r.y, width: r.width, height: r.height};
}"""
# The light-DOM element with the keyboard focus (not the widget's host), and its box.
FOCUSED_PAGE_ELEMENT = """() => {
    const el = document.activeElement;
    if (!el || el === document.body || el.id === 'clinic-chat-widget') return null;
    const r = el.getBoundingClientRect();
    return {text: (el.textContent || '').trim().slice(0, 40), x: r.x, y: r.y, width: r.width, height: r.height};
}"""


def configured_resources(web_url: str) -> dict:
    return httpx.get(web_url + "/api/widget-config", timeout=10).json()["resources"]


def overlaps(a: dict, b: dict) -> bool:
    return (a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
            and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"])


def open_page(browser, stack, width=1280, height=800, scale=1) -> Page:
    context = new_context(browser, width, height, device_scale_factor=scale)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(stack.web_url + "/")
    expect(page.locator(".cw-launcher")).to_be_visible()
    return page


def test_the_closed_widget_shows_the_crisis_link_beside_the_launcher(browser, stack):
    page = open_page(browser, stack)
    try:
        widget = Widget(page)
        link = page.get_by_role("button", name=NAME)  # announced as a button with this name
        expect(link).to_be_visible()
        expect(widget.panel).to_be_hidden()
        box, launcher = link.bounding_box(), widget.launcher.bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24
        assert not overlaps(box, launcher)
        assert abs((box["y"] + box["height"] / 2) - (launcher["y"] + launcher["height"] / 2)) < 4, "not beside it"
        assert box["x"] + box["width"] <= launcher["x"]
        assert widget.axe_serious(axe_script()) == []
    finally:
        page.context.close()


def test_by_keyboard_the_link_comes_first_and_opens_the_configured_resources(browser, stack):
    page = open_page(browser, stack)
    try:
        widget = Widget(page)
        sent: list[str] = []
        page.on("request", lambda r: sent.append(r.url) if "/api/chat" in r.url else None)
        widget.tab_to("cw-crisis-link")
        page.keyboard.press("Tab")
        assert "cw-launcher" in widget.focused()["cls"], "the crisis link should come just before the launcher"
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Enter")

        expect(widget.panel).to_be_visible()
        expect(widget.crisis_region).to_be_visible()
        assert "cw-crisis" in widget.focused()["cls"]  # the resources, not the message box, have the focus
        expect(widget.crisis_toggle).to_have_attribute("aria-expanded", "true")
        for resource in configured_resources(stack.web_url)["resources"]:
            expect(widget.crisis_region).to_contain_text(resource["name"])
            if resource.get("phone"):
                digits = "".join(c for c in resource["phone"] if c.isdigit() or c in "+*#")
                expect(widget.crisis_region.locator(f'a[href="tel:{digits}"]').first).to_be_visible()
        assert sent == [], "the resources must not depend on the assistant"
        assert widget.axe_serious(axe_script()) == []

        page.keyboard.press("Escape")  # closes; the focus goes back to the link that opened it
        expect(widget.panel).to_be_hidden()
        assert "cw-crisis-link" in widget.focused()["cls"]
    finally:
        page.context.close()


@pytest.mark.parametrize("width,height,scale,name", [
    (1280, 800, 1, "crisis-link-1280.png"),
    (375, 667, 2, "crisis-link-375.png"),
    (320, 568, 1, "crisis-link-320.png"),
    (640, 400, 2, "crisis-link-zoom200.png"),  # 1280x800 at 200% zoom
])
def test_phone_and_200_percent_zoom_the_link_fits_and_never_hides_the_focus(
        browser, stack, screenshots, width, height, scale, name):
    page = open_page(browser, stack, width, height, scale)
    try:
        widget = Widget(page)
        link = page.locator(".cw-crisis-link")
        for part in (link, widget.launcher):
            expect(part).to_be_in_viewport(ratio=1)
            box = part.bounding_box()
            assert box["width"] >= 24 and box["height"] >= 24
        assert not overlaps(link.bounding_box(), widget.launcher.bounding_box())

        # Every focusable element of the page, reached by Tab, is clear of the fixed bar.
        page.keyboard.press("Tab")
        seen = 0
        for _ in range(40):
            focused = page.evaluate(FOCUSED_PAGE_ELEMENT)
            if focused is None and seen:
                break  # left the page's own elements (into the widget)
            if focused is not None:
                seen += 1
                bar = page.evaluate(BAR_RECT)
                assert not overlaps(focused, bar), f"the chat bar hides the focused {focused['text']!r} at {width}px"
            page.keyboard.press("Tab")
        assert seen >= 5, "the page's links were not reached by Tab"
        screenshots.take(page, name)

        link.click()
        expect(widget.crisis_region).to_be_visible()
        expect(widget.crisis_region.locator('a[href^="tel:"]').first).to_be_in_viewport()
    finally:
        page.context.close()
