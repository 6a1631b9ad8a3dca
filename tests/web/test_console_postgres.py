"""The console's database work on PostgreSQL: migrations, the append-only audit log, the queue and a
case with its transcript, alerts and retention."""
from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.console.alerts import AlertWorker
from bot.db import get_engine, migrate
from bot.retention import purge
from bot.settings import load_settings
from bot.web import create_app
from tests.bot.conftest import TrackerWriter, user_event
from tests.postgres import temporary_database
from tests.receivers import SmtpServer
from tests.web.conftest import QUIET
from tests.web.console import add_account, new_case, page_csrf, sign_in

pytestmark = pytest.mark.postgres
SAFETY = {"kind": "crisis", "escalate": True, "categories": ["active_ideation"],
          "spans": [{"start": 7, "end": 21, "category": "active_ideation", "rule_id": "active.kill_myself"}]}
PERSON = "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a"


@pytest.fixture
def pg_settings(tmp_path):
    with temporary_database() as url:
        settings = load_settings(environ={"BOT_VAR_DIR": str(tmp_path / "var"), "DATABASE_URL": url})
        migrate(settings)
        yield settings
        get_engine(settings).dispose()


def test_console_flow_on_postgresql(pg_settings, rasa_down):
    old = time.time() - (pg_settings.conversations.retention_days + 2) * 86400
    TrackerWriter(pg_settings.database_url).save(
        PERSON, user_event("hello", "greet", at=old), user_event("i want to kill myself", "safety_crisis", SAFETY, at=old + 5))
    case_id = new_case(pg_settings, sender=PERSON, at=old + 5)
    add_account(pg_settings, "reviewer@clinic.example")
    with TestClient(create_app(pg_settings, QUIET, rasa_down)) as client:
        sign_in(client, "reviewer@clinic.example")
        assert [c["id"] for c in client.get("/console/api/cases").json()["cases"]] == [case_id]
        page = client.get(f"/console/cases/{case_id}").text
        assert '<mark class="match" title="thoughts of suicide">to kill myself' in page
        client.post(f"/console/cases/{case_id}/notes", data={"csrf_token": page_csrf(client), "body": "Called."})
        # the idle conversation has an open case: retention keeps it
        assert purge(pg_settings)["kept_open"] == 1
        client.post(f"/console/cases/{case_id}/status", data={"csrf_token": page_csrf(client), "status": "resolved"})
        assert purge(pg_settings)["conversations"] == 1
        entries = client.get("/console/api/cases/" + case_id).json()
        assert entries["notes"][0]["body"] == "Called." and entries["transcript"] == []


def test_audit_log_is_append_only_on_postgresql(pg_settings):
    add_account(pg_settings, "reviewer@clinic.example")
    with pytest.raises(DBAPIError, match="append-only"):
        with get_engine(pg_settings).begin() as connection:
            connection.execute(text("UPDATE audit_log SET actor = 'x'"))
    with pytest.raises(DBAPIError, match="append-only"):
        with get_engine(pg_settings).begin() as connection:
            connection.execute(text("DELETE FROM audit_log"))


def test_alerts_are_sent_once_on_postgresql(pg_settings):
    with SmtpServer() as smtp:
        configured = pg_settings.copy(deep=True)
        for key, value in {"smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_security": "none",
                           "email_to": ["duty@clinic.example"]}.items():
            setattr(configured.alerts, key, value)
        new_case(configured)
        first, second = AlertWorker(configured), AlertWorker(configured)  # two web apps
        first.run_once()
        second.run_once()
        assert len(smtp.inbox.messages) == 1


def test_migrations_go_down_and_up_again_on_postgresql(pg_settings):
    from alembic import command

    from bot.db import alembic_config

    config = alembic_config(pg_settings.database_url)
    command.downgrade(config, "0001_create_cases")
    command.upgrade(config, "head")


def test_a_second_escalation_goes_on_the_open_case_on_postgresql(pg_settings):
    """The open case is read FOR UPDATE on PostgreSQL (two paths recording two messages of one
    conversation at once must not lose either's categories)."""
    from bot.escalations import list_cases, record_escalation

    at = time.time() - 60
    record_escalation(PERSON, at, "crisis", ["active_ideation"], ["a"], settings=pg_settings)
    record_escalation(PERSON, at + 20, "emergency", ["attempt_in_progress"], ["b"], settings=pg_settings,
                      source="reconciler")
    [case] = list_cases(pg_settings)
    assert (case["kind"], case["escalation_count"], case["categories"]) == (
        "emergency", 2, ["active_ideation", "attempt_in_progress"])
