"""The configured crisis resources, as the widget, the fallback and the `<noscript>` block show them.

Why cached per locale: the resource files are read once; every page view and every fallback uses the
same payload that `bot build` put into the trained domain, so all three paths agree.
"""
from __future__ import annotations

import logging
import re
import threading
from typing import Any, Optional
from urllib.parse import quote

from bot.settings import Settings
from safety.resources import AUDIENCES, DEFAULT_SITUATION, SITUATIONS, load_resources

logger = logging.getLogger(__name__)

# A locale as the widget's data-locale attribute may give it ("en-US", "de", "pt-BR").
LOCALE_FORMAT = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
KINDS = ("crisis", "emergency")


class ResourceCatalog:
    """Crisis and emergency payloads for the clinic's locale, and for other locales a page asks for."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.default_locale = settings.clinic.locale
        self._cache: dict[str, dict[str, dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self._load(self.default_locale)  # fail at startup, not at the first person in crisis

    def _load(self, locale: str) -> dict[str, dict[str, Any]]:
        with self._lock:
            if locale not in self._cache:
                # The clinic's own entries only belong to the clinic's own locale.
                extra = self.settings.extra_resources_path if locale == self.default_locale else None
                resources = load_resources(locale, extra)
                self._cache[locale] = {kind: resources.as_payload(kind) for kind in KINDS}
                for situation in SITUATIONS:
                    if situation != DEFAULT_SITUATION:
                        self._cache[locale][situation] = resources.as_payload("crisis", situation)
                        for audience in AUDIENCES:
                            self._cache[locale][f"{situation}:{audience}"] = resources.as_payload("crisis", situation, audience)
            return self._cache[locale]

    def resolve(self, locale: Optional[str]) -> str:
        """The locale to use: the one asked for when resources exist for it, else the clinic's."""
        if not locale or locale == self.default_locale or not LOCALE_FORMAT.match(locale):
            return self.default_locale
        try:
            self._load(locale)
        except Exception as error:  # unknown locale or unreadable file: the clinic's own set is right
            logger.warning("no crisis resources for the requested locale (%s); using the default",
                           type(error).__name__)
            return self.default_locale
        return locale

    def payload(self, kind: str = "crisis", locale: Optional[str] = None, situation: str = DEFAULT_SITUATION,
                audience: Optional[str] = None) -> dict[str, Any]:
        """{"type": "crisis_resources", "kind": ..., "resources": [...]}; emergency for kind emergency;
        the lines for another situation (e.g. "abuse", see safety.situation) when asked for one, those
        for who is being hurt first (`audience`, safety.abuse_audience) when known."""
        payloads = self._load(self.resolve(locale))
        if situation != DEFAULT_SITUATION and f"{situation}:{audience}" in payloads:
            return payloads[f"{situation}:{audience}"]
        if situation != DEFAULT_SITUATION and situation in payloads:
            return payloads[situation]
        kind = "emergency" if kind == "emergency" else "crisis"
        return payloads[kind]


def _dial(number: str) -> str:
    return "".join(c for c in str(number) if c.isdigit() or c in "+*#")


def contact_links(resource: dict[str, Any]) -> list[dict[str, Any]]:
    """Call, text and web links of one resource, for the server-rendered list (the widget does the same)."""
    links: list[dict[str, Any]] = []
    if resource.get("phone"):
        links.append({"href": f"tel:{_dial(resource['phone'])}", "label": f"Call {resource['phone']}", "external": False})
    sms = resource.get("sms")  # {"number", "keyword"}: the keyword becomes the message body
    if isinstance(sms, dict):
        number, keyword = sms.get("number"), sms.get("keyword")
        if number:
            href = f"sms:{_dial(number)}" + (f"?&body={quote(keyword)}" if keyword else "")
            label = f"Text {keyword} to {number}" if keyword else f"Text {number}"
            links.append({"href": href, "label": label, "external": False})
    url = resource.get("url")
    if isinstance(url, str) and url.lower().startswith(("https://", "http://")):
        links.append({"href": url, "label": "Website", "external": True})
    return links
