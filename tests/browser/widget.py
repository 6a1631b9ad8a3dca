"""A page object for the chat widget: what a person sees and does, in Playwright terms.

Playwright's CSS locators pierce the widget's open shadow root, so `.cw-launcher` finds it.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect

HOST = "#clinic-chat-widget"
# Each bubble starts with a visually hidden "You: " or "Assistant: " for screen readers.
SPEAKER = re.compile(r"^(You|Assistant):\s*")
# Generous: the test machine may be busy (two cores, Rasa restarting); the widget itself gives up at 15 s.
REPLY_TIMEOUT_MS = 60_000


class Widget:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.launcher: Locator = page.locator(".cw-launcher")
        self.panel: Locator = page.locator(".cw-panel")
        self.log: Locator = page.locator(".cw-log")
        self.input: Locator = page.locator(".cw-input")
        self.status: Locator = page.locator(".cw-status")
        self.crisis_toggle: Locator = page.locator(".cw-crisis-toggle")
        self.crisis_region: Locator = page.locator(".cw-crisis")
        self.quick_replies: Locator = page.locator(".cw-log .cw-reply")
        self.cards: Locator = page.locator(".cw-log .cw-card")

    def focused(self) -> dict[str, Any]:
        """The element that has focus, looking inside the widget's shadow root."""
        return self.page.evaluate("""() => {
            let el = document.activeElement;
            while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
            return el ? {cls: el.className || '', tag: el.tagName, href: el.getAttribute('href') || ''} : {};
        }""")

    def tab_to(self, css_class: str, key: str = "Tab", limit: int = 60) -> None:
        """Press Tab (or Shift+Tab) until the element with this class has focus."""
        for _ in range(limit):
            if css_class in str(self.focused().get("cls", "")).split():
                return
            self.page.keyboard.press(key)
        raise AssertionError(f"{css_class} never received focus with {key}; last: {self.focused()}")

    def bot_items(self) -> int:
        return self.page.evaluate(
            f"() => document.querySelector('{HOST}').shadowRoot"
            ".querySelectorAll('.cw-log .cw-msg--bot, .cw-log .cw-card, .cw-log .cw-msg--system').length"
        )

    def wait_for_reply(self, before: int) -> None:
        self.page.wait_for_function(
            f"""n => {{
                const root = document.querySelector('{HOST}').shadowRoot;
                const typing = root.querySelector('.cw-typing');
                return (!typing || typing.hidden) &&
                    root.querySelectorAll('.cw-log .cw-msg--bot, .cw-log .cw-card, .cw-log .cw-msg--system').length > n;
            }}""",
            arg=before, timeout=REPLY_TIMEOUT_MS,
        )

    def say(self, text: str) -> None:
        """Type into the focused message box and press Enter; wait for the answer."""
        before = self.bot_items()
        self.input.focus()
        self.page.keyboard.type(text)
        self.page.keyboard.press("Enter")
        self.wait_for_reply(before)

    def bot_texts(self) -> list[str]:
        return [_visible(t) for t in self.page.locator(".cw-log .cw-msg--bot").all_inner_texts()]

    def user_texts(self) -> list[str]:
        """What the person's bubbles say (without the "Not answered" note)."""
        texts = self.page.locator(".cw-log .cw-msg--user").evaluate_all(
            "nodes => nodes.map(n => Array.from(n.childNodes)"
            ".filter(c => !(c.classList && c.classList.contains('cw-msg-note'))).map(c => c.textContent).join(''))"
        )
        return [_visible(t) for t in texts]

    def assert_panel_intact(self) -> None:
        """Header, crisis link and message box all inside the panel and the viewport: only the log scrolls."""
        panel = self.panel.bounding_box()
        assert panel, "the panel is not shown"
        for part in (".cw-close", ".cw-crisis-toggle", ".cw-input", ".cw-send"):
            expect(self.page.locator(part)).to_be_in_viewport()
            box = self.page.locator(part).bounding_box()
            assert box["y"] >= panel["y"] - 1 and box["y"] + box["height"] <= panel["y"] + panel["height"] + 1, (
                f"{part} lies outside the panel")

    def axe_serious(self, axe: Path) -> list[dict[str, Any]]:
        """axe-core's serious and critical violations on the whole page, widget included."""
        self.page.add_script_tag(path=str(axe))
        result = self.page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        return [
            {"id": v["id"], "impact": v["impact"], "help": v["help"],
             "targets": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")
        ]


def _visible(text: str) -> str:
    return SPEAKER.sub("", text).strip()
