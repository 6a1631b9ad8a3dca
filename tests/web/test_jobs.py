"""The web app's scheduled work: reconciling escalation cases, and never dying of a failed run."""
from __future__ import annotations

import logging
import time

from fastapi.testclient import TestClient

from bot.escalations import list_cases
from bot.web import create_app
from bot.web.jobs import Scheduler
from bot.web.options import WebOptions
from bot.web.unanswered import Kept, UnansweredStore
from tests.bot.conftest import user_event
from tests.web.conftest import SENDER

CRISIS = {"kind": "crisis", "escalate": True, "categories": ["active_ideation"],
          "spans": [{"start": 2, "end": 12, "category": "active_ideation", "rule_id": "active.kill_myself"}]}


def test_the_app_reconciles_at_startup_and_periodically(settings, tracker_writer, rasa_down):
    tracker_writer.save(SENDER, user_event("i want to die", "safety_crisis", CRISIS))
    app = create_app(settings, options=WebOptions(reconcile_every_seconds=0.2), rasa_url=rasa_down)
    with TestClient(app):
        deadline = time.monotonic() + 10
        while not list_cases(settings) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [c["source"] for c in list_cases(settings)] == ["reconciler"]
        later = "6b1d5f0e-3c2a-4e8b-9f7d-1a2b3c4d5e6f"
        tracker_writer.save(later, user_event("i want to die", "safety_crisis", CRISIS))
        deadline = time.monotonic() + 10
        while len(list_cases(settings)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(list_cases(settings)) == 2
        assert app.state.scheduler.runs >= 2


def test_a_failing_reconcile_is_logged_without_detail_and_retried(settings, caplog):
    def broken(_settings):
        raise RuntimeError("database locked while reading 'I want to die'")

    scheduler = Scheduler(settings, UnansweredStore(settings), 0.05, reconcile_fn=broken)
    scheduler.start()
    deadline = time.monotonic() + 30  # a loaded machine may run the thread late; the point is the retry
    while scheduler.runs < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    scheduler.stop()
    assert scheduler.runs >= 2
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors and all(e == "reconcile failed: RuntimeError" for e in errors)


def test_unanswered_messages_are_pruned_after_the_retention_period(settings):
    store = UnansweredStore(settings)
    now = time.time()
    for age_days, text in ((200, "old"), (1, "recent")):
        store.keep(Kept(sender_id=SENDER, received_at=now - age_days * 86400, text=text, reason="unreachable"))
    assert store.prune(settings.conversations.retention_days, now=now) == 1
    assert [r["text"] for r in store.read()] == ["recent"]
