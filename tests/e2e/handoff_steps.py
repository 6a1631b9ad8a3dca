"""Steps of a live handoff against real servers, shared by the single-process and two-replica tests:
the web app in-process (TestClient) in front of the real Rasa server of a `tests.servers.Stack`."""
from __future__ import annotations

from typing import Any

import httpx
from fastapi.testclient import TestClient

from bot.web.options import WebOptions
from tests.chat_client import start_conversation
from tests.web.console import add_account, csrf_of, page_csrf, sign_in

QUIET = WebOptions(reconcile_every_seconds=None, alerts=False, handoff_watch_every_seconds=None)


def new_person(client: TestClient) -> str:
    """Start a conversation through the API, as the widget does; the client then holds its secret."""
    sender, headers = start_conversation(client)
    client.headers.update(headers)
    return sender


def say(client: TestClient, sender: str, text: str) -> dict[str, Any]:
    response = client.post("/api/chat", json={"message": text})
    assert response.status_code == 200, response.text
    return response.json()


def bot_texts(answer: dict[str, Any]) -> list[str]:
    return [m["text"] for m in answer["messages"] if m.get("text")]


def rasa_tracker(stack, sender: str) -> dict[str, Any]:
    """The conversation as Rasa itself has it (its HTTP API, with the token)."""
    response = httpx.get(f"{stack.settings.url('rasa')}/conversations/{sender}/tracker",
                         params={"token": stack.settings.rasa_api_token, "include_events": "NONE"}, timeout=30)
    response.raise_for_status()
    return response.json()


def staff_client(client: TestClient, settings, email: str) -> None:
    add_account(settings, email)
    sign_in(client, email)


def join_from_list(client: TestClient, sender: str, name: str = "Sam") -> str:
    page = client.get("/console/live").text
    assert sender[:8] in page
    response = client.post("/console/live/join", data={"csrf_token": csrf_of(page), "sender_id": sender,
                                                       "display_name": name}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("/", 1)[-1]


def staff_says(client: TestClient, public_id: str, text: str) -> None:
    csrf = page_csrf(client, f"/console/handoffs/{public_id}")
    response = client.post(f"/console/handoffs/{public_id}/messages", data={"text": text},
                           headers={"X-CSRF-Token": csrf, "Accept": "application/json"})
    assert response.status_code == 200, response.text


def hand_back(client: TestClient, public_id: str) -> None:
    csrf = page_csrf(client, f"/console/handoffs/{public_id}")
    response = client.post(f"/console/handoffs/{public_id}/hand-back", data={"csrf_token": csrf},
                           follow_redirects=False)
    assert response.status_code == 303 and "problem" not in response.headers["location"]
