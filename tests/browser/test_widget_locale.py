"""data-locale is the conversation's locale everywhere: the widget's "Get help now", the assistant's
opening, crisis reply and card, and the gateway's own cards (it used to change only the header)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from safety.resources import known_locales, load_resources
from tests.browser.conftest import new_context
from tests.browser.widget import Widget

pytestmark = [pytest.mark.browser, pytest.mark.servers]

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Another clinic page</title></head>
<body><h1>A clinic page</h1><script src="{server}/static/widget.js" data-locale="{locale}" data-open="true"></script>
</body></html>"""


def test_a_widget_with_data_locale_shows_that_locales_lines_in_every_part(browser, stack):
    other = next(locale for locale in known_locales() if locale != stack.settings.clinic.locale)
    theirs = load_resources(other)
    ours = load_resources(stack.settings.clinic.locale, stack.settings.extra_resources_path)
    context = new_context(browser)
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        # A page on the web app's own origin (allowed by default), embedding the widget with data-locale.
        page.route(stack.web_url + "/locale-test", lambda route: route.fulfill(
            status=200, content_type="text/html", body=PAGE.format(server=stack.web_url, locale=other)))
        page.goto(stack.web_url + "/locale-test")
        widget = Widget(page)
        expect(widget.panel).to_be_visible()
        widget.crisis_toggle.click()
        expect(widget.crisis_region).to_contain_text(theirs.primary.name)
        widget.crisis_toggle.click()

        widget.say("hi")
        opening = " ".join(widget.bot_texts())
        assert theirs.primary_contact in opening and ours.primary_line not in opening
        widget.say("I want to kill myself")
        expect(widget.cards.last).to_contain_text(theirs.primary.name)
        expect(widget.cards.last).not_to_contain_text(ours.primary.name)
    finally:
        context.close()
