"""The demo clinic page, the privacy page, the widget config and the widget's files."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from markupsafe import escape

from safety.resources import load_resources

STATIC = Path(__file__).resolve().parents[2] / "bot" / "web" / "static"


class Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts.append(dict(attrs))


def noscript(html: str) -> str:
    [block] = re.findall(r"<noscript>(.*?)</noscript>", html, re.S)
    return block


def test_home_page_shows_the_clinic_from_settings(client_for, rasa_down, settings):
    response = client_for(rasa_down).get("/")
    assert response.status_code == 200
    html = response.text
    clinic = settings.clinic
    for value in (clinic.name, clinic.opening_hours, clinic.phone, clinic.email, clinic.address):
        assert value in html
    assert f'href="{clinic.privacy_url}"' in html
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_home_page_embeds_the_widget_with_one_script_tag(client_for, rasa_down):
    html = client_for(rasa_down).get("/").text
    parser = Scripts()
    parser.feed(html)
    [script] = parser.scripts
    assert script["src"].endswith("/static/widget.js")
    assert script["data-server"].startswith("http")
    assert {"data-title", "data-color", "data-locale", "data-open"} <= set(script)


def test_noscript_block_lists_the_crisis_resources_rendered_on_the_server(client_for, rasa_down, settings):
    block = noscript(client_for(rasa_down).get("/").text)
    resources = load_resources(settings.clinic.locale, settings.extra_resources_path)
    for kind in ("crisis", "emergency"):
        for resource in resources.as_payload(kind)["resources"]:
            assert str(escape(resource["name"])) in block
            if resource.get("phone"):
                assert 'href="tel:' in block


def test_privacy_page_states_the_retention_period(client_for, rasa_down, settings):
    response = client_for(rasa_down).get("/privacy")
    assert response.status_code == 200
    assert f"deleted after {settings.conversations.retention_days} days" in response.text
    assert "not a therapist" in response.text


def test_privacy_page_says_what_retention_keeps_and_for_how_long(client_for, rasa_down, settings):
    text = " ".join(client_for(rasa_down).get("/privacy").text.split())
    assert "kept until the clinic team has finished reviewing it" in text  # open cases keep the conversation
    assert f"deleted {settings.conversations.case_retention_days} days after the clinic team closes them" in text
    assert "does not contain a copy of your messages" in text
    assert "Conversations and safety records are deleted" not in text  # the old, untrue promise


def test_widget_config_carries_the_resources_and_the_notice(client_for, rasa_down, settings):
    config = client_for(rasa_down).get("/api/widget-config").json()
    resources = load_resources(settings.clinic.locale, settings.extra_resources_path)
    assert config["resources"] == resources.as_payload("crisis")
    assert config["emergency_resources"] == resources.as_payload("emergency")
    assert config["locale"] == settings.clinic.locale
    notice = config["notice"]
    assert "automated assistant" in notice and "not a therapist" in notice
    assert "not" in notice and "live" in notice
    assert f"{settings.conversations.retention_days} days" in notice
    assert config["privacy_url"].endswith(settings.clinic.privacy_url)
    assert config["privacy_url"].startswith("http")
    assert config["max_message_chars"] == 2000


def test_widget_config_falls_back_to_the_clinic_locale(client_for, rasa_down, settings):
    client = client_for(rasa_down)
    for locale in ("xx-YY", "../../etc", "en US"):
        assert client.get("/api/widget-config", params={"locale": locale}).json()["locale"] == settings.clinic.locale


def _preflight(client, origin: str):
    return client.options("/api/chat", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-chat-token",
    })


def test_the_api_accepts_calls_from_the_clinic_sites_listed_in_settings(tmp_path, rasa_down):
    from bot.db import migrate
    from bot.settings import load_settings
    from bot.web import create_app
    from fastapi.testclient import TestClient
    from tests.web.conftest import QUIET

    listed = load_settings(environ={"BOT_VAR_DIR": str(tmp_path / "var"),
                                    "BOT_ALLOWED_ORIGINS": "https://www.some-clinic.example"})
    migrate(listed)
    with TestClient(create_app(listed, options=QUIET, rasa_url=rasa_down)) as client:
        response = _preflight(client, "https://www.some-clinic.example")
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "https://www.some-clinic.example"
        assert response.headers["access-control-allow-credentials"] == "true"  # the conversation cookie
        assert "x-chat-token" in response.headers["access-control-allow-headers"].lower()
        assert _preflight(client, "https://evil.example").status_code == 400


def test_by_default_only_the_web_apps_own_origin_may_call_the_api(client_for, rasa_down, settings):
    client = client_for(rasa_down)
    own = settings.url("web")
    assert _preflight(client, own).headers["access-control-allow-origin"] == own
    refused = _preflight(client, "https://www.some-clinic.example")
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers
    simple = client.get("/api/widget-config", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers  # the browser hides the answer


def test_health_and_static_files(client_for, rasa_down):
    client = client_for(rasa_down)
    assert client.get("/healthz").json() == {"status": "ok"}
    script = client.get("/static/widget.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert client.get("/static/widget.css").status_code == 200


def test_the_widget_never_turns_text_into_markup():
    source = (STATIC / "widget.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in source, f"widget.js uses {sink}"
