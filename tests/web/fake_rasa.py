"""A small stand-in for the Rasa server, for the handoff's API tests: it keeps conversations in Rasa's
own SQLTrackerStore (the same `events` table the console and widget read) and honours
ConversationPaused the way Rasa's processor does (the message is logged, no reply is predicted).

Its "NLU" knows one risk phrase, enough to see the safety data of a message logged while paused, and it
answers it without the resources card (a dialogue that did not route it), as the gateway's own check sees.
The real Rasa server is used by the end-to-end and browser tests.
"""
from __future__ import annotations

import asyncio
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional
from urllib.parse import parse_qs, urlparse

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, UserUttered
from sqlalchemy.engine import make_url

REPLY = "I'm here and listening."
RISK_PHRASE = "kill myself"


def _parse(text: str) -> dict[str, Any]:
    if RISK_PHRASE in text:
        start = text.index(RISK_PHRASE)
        safety = {"kind": "crisis", "escalate": True, "source": "rules", "categories": ["active_ideation"],
                  "spans": [{"start": start, "end": start + len(RISK_PHRASE), "category": "active_ideation",
                             "rule_id": "active.kill_myself"}]}
        return {"intent": {"name": "safety_crisis", "confidence": 1.0}, "entities": [], "text": text,
                "safety": safety}
    # Rasa's safety component stores its verdict with every message, "none" included.
    safety = {"kind": "none", "escalate": False, "categories": [], "spans": [], "source": "rules"}
    return {"intent": {"name": "chitchat", "confidence": 1.0}, "entities": [], "text": text, "safety": safety}


class FakeRasa:
    def __init__(self, database_url: str, token: str) -> None:
        url = make_url(database_url)
        self.store = SQLTrackerStore(Domain.empty(), dialect=url.get_backend_name(), host=url.host, port=url.port,
                                     db=url.database, username=url.username, password=url.password)
        self.token = token
        self.received: list[tuple[str, str, Any]] = []  # (path kind, sender, body)
        self.refuse = False  # answer 500 to the HTTP API, as a Rasa in trouble would
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"null")
                parsed = urlparse(self.path)
                status, answer = fake.handle(parsed.path, parse_qs(parsed.query), body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "FakeRasa":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _update(self, sender: str, events: list[Event]) -> Any:
        async def run() -> Any:
            tracker = await self.store.get_or_create_tracker(sender)
            for event in events:
                tracker.update(event)
            await self.store.save(tracker)
            return tracker
        return asyncio.run(run())

    def paused(self, sender: str) -> bool:
        return asyncio.run(self.store.get_or_create_tracker(sender)).is_paused()

    def handle(self, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
        with self._lock:
            if path == "/webhooks/rest/webhook":
                sender, text = body["sender"], body["message"]
                self.received.append(("message", sender, text))
                parse = _parse(text)
                metadata = body.get("metadata")  # what the gateway sent along (received_at, locale, ...)
                tracker = self._update(sender, [UserUttered(text, parse["intent"], [], parse, timestamp=time.time(),
                                                            metadata=metadata)])
                if tracker.is_paused():
                    return 200, []
                self._update(sender, [ActionExecuted("utter_listening"), BotUttered(REPLY, timestamp=time.time()),
                                      ActionExecuted("action_listen")])
                return 200, [{"recipient_id": sender, "text": REPLY}]
            if path.startswith("/conversations/") and path.endswith("/tracker/events"):
                if query.get("token") != [self.token]:
                    return 401, {"status": "failure", "reason": "NotAuthenticated"}
                if self.refuse:
                    return 500, {"status": "failure"}
                sender = path.split("/")[2]
                events = body if isinstance(body, list) else [body]
                self.received.append(("events", sender, events))
                self._update(sender, [e for e in (Event.from_parameters(p) for p in events) if e])
                return 200, {}
            return 404, {}

    def events_sent(self, sender: Optional[str] = None) -> list[dict[str, Any]]:
        return [e for kind, s, body in self.received if kind == "events" and (sender is None or s == sender)
                for e in body]
