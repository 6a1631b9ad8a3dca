"""Alerts when a case is created, and again when it waits too long; retried; failures visible."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.console.alerts import AlertWorker
from bot.db import get_engine
from bot.models import AlertDelivery, AuditEntry, Case
from bot.supervisor import free_port
from tests.receivers import SmtpServer, WebhookReceiver
from tests.web.console import add_account, new_case, sign_in

SECRET_WORDS = "I want to kill myself tonight"


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


def configure(settings, smtp=None, webhook=None, **alerts):
    configured = settings.copy(deep=True)
    values = {"retry_seconds": 1.0, "retry_attempts": 3, "escalate_in_opening_hours_only": False, **alerts}
    if smtp:
        values.update(smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_security="none",
                      email_from="console@clinic.example", email_to=["duty@clinic.example"])
    if webhook:
        values["webhook_url"] = webhook
    for key, value in values.items():
        setattr(configured.alerts, key, value)
    return configured


def deliveries(settings) -> list[AlertDelivery]:
    with Session(get_engine(settings)) as db:
        return list(db.execute(select(AlertDelivery).order_by(AlertDelivery.id)).scalars())


def test_a_new_case_is_alerted_by_email_and_webhook_with_kind_time_and_link_only(settings, smtp):
    with WebhookReceiver() as hook:
        configured = configure(settings, smtp=smtp, webhook=hook.url)
        case_id = new_case(configured, kind="emergency")
        worker = AlertWorker(configured)
        worker.run_once()
        worker.run_once()  # nothing is sent twice

        [mail] = smtp.inbox.messages
        assert smtp.inbox.envelopes == [["duty@clinic.example"]]
        body = mail.get_payload()
        assert "emergency" in mail["Subject"].lower()
        assert f"{configured.console_url}/cases/{case_id}" in body
        [posted] = hook.received
        assert posted["kind"] == "emergency" and posted["url"].endswith(f"/cases/{case_id}")
        assert posted["created_at"] and posted["text"]  # "text": what Slack and Teams show
        for words in (body, str(posted)):
            assert "kill" not in words and configured.clinic.name in (mail["Subject"] + posted["text"])
    assert {d.status for d in deliveries(configured)} == {"sent"}


def test_a_failing_channel_is_retried_then_marked_failed_visibly(settings, console):
    unreachable = f"http://127.0.0.1:{free_port()}/hook"
    configured = configure(settings, webhook=unreachable, retry_attempts=2)
    case_id = new_case(configured)
    worker = AlertWorker(configured)
    worker.run_once()
    [delivery] = deliveries(configured)
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert "webhook" in delivery.last_error
    later = datetime.now(timezone.utc) + timedelta(seconds=5)
    worker.run_once(now=later)
    [delivery] = deliveries(configured)
    assert (delivery.status, delivery.attempts) == ("failed", 2)
    with Session(get_engine(configured)) as db:
        assert db.execute(select(AuditEntry.action).where(AuditEntry.target == case_id)).scalars().all() == ["alert_failed"]

    add_account(settings, "reviewer@clinic.example")
    sign_in(console, "reviewer@clinic.example")
    assert console.get("/console/api/summary").json()["failed_alerts"] == 1
    assert console.get("/console/api/cases").json()["cases"][0]["alert_failed"] is True
    assert "Not delivered after 2 tries" in console.get(f"/console/cases/{case_id}").text


def test_a_webhook_that_fails_once_succeeds_on_retry(settings):
    with WebhookReceiver(iter([500])) as hook:
        configured = configure(settings, webhook=hook.url)
        new_case(configured)
        worker = AlertWorker(configured)
        worker.run_once()
        assert deliveries(configured)[0].last_error == "webhook: HTTP 500"
        worker.run_once(now=datetime.now(timezone.utc) + timedelta(seconds=2))
        assert len(hook.received) == 2
        assert deliveries(configured)[0].status == "sent"


def _age_case(settings, minutes: float) -> None:
    with get_engine(settings).begin() as connection:
        connection.execute(update(Case).values(created_at=datetime.now(timezone.utc) - timedelta(minutes=minutes)))


def test_a_case_left_new_too_long_alerts_the_escalation_contact_once(settings, smtp):
    configured = configure(settings, smtp=smtp, escalation_email_to=["manager@clinic.example"])
    new_case(configured)
    worker = AlertWorker(configured)
    worker.run_once()
    assert len(smtp.inbox.messages) == 1
    _age_case(configured, configured.alerts.escalate_after_minutes - 1)
    worker.run_once()
    assert len(smtp.inbox.messages) == 1  # not yet
    _age_case(configured, configured.alerts.escalate_after_minutes + 1)
    worker.run_once()
    worker.run_once()
    assert len(smtp.inbox.messages) == 2
    assert smtp.inbox.envelopes[1] == ["manager@clinic.example"]
    assert "Still not reviewed" in smtp.inbox.messages[1]["Subject"]


def test_a_case_someone_took_is_not_escalated(settings, smtp):
    configured = configure(settings, smtp=smtp, escalation_email_to=["manager@clinic.example"])
    new_case(configured)
    AlertWorker(configured).run_once()
    with get_engine(configured).begin() as connection:
        connection.execute(update(Case).values(status="in_review"))
    _age_case(configured, configured.alerts.escalate_after_minutes + 5)
    AlertWorker(configured).run_once()
    assert len(smtp.inbox.messages) == 1


def test_outside_opening_hours_the_wait_does_not_count(settings, smtp):
    configured = configure(settings, smtp=smtp, escalation_email_to=["manager@clinic.example"],
                           escalate_in_opening_hours_only=True)
    configured.clinic.opening_hours = "Mon-Fri 9:00-17:00"
    configured.clinic.timezone = "UTC"
    new_case(configured)
    worker = AlertWorker(configured)
    # a case created Saturday 10:00 UTC, looked at on Saturday evening: closed all day, no escalation
    saturday = datetime(2026, 12, 5, 10, 0, tzinfo=timezone.utc)
    with get_engine(configured).begin() as connection:
        connection.execute(update(Case).values(created_at=saturday, alerted_at=saturday))
    worker.run_once(now=saturday + timedelta(hours=8))
    assert len(smtp.inbox.messages) == 0
    # Monday 9:20: twenty open minutes have passed
    worker.run_once(now=datetime(2026, 12, 7, 9, 20, tzinfo=timezone.utc))
    assert len(smtp.inbox.messages) == 1 and smtp.inbox.envelopes[0] == ["manager@clinic.example"]


def test_without_alert_settings_cases_are_marked_and_nothing_is_sent(settings):
    new_case(settings)
    AlertWorker(settings).run_once()
    assert deliveries(settings) == []
    with Session(get_engine(settings)) as db:
        assert db.execute(select(Case.alerted_at)).scalar() is not None


def test_an_emergency_after_a_crisis_on_the_open_case_is_alerted_once_as_raised(settings, smtp):
    """One open case per conversation: an emergency after a crisis no longer makes a new case (and so no
    new-case alert); the case rises to emergency and the clinic is told once, with no message text."""
    import time

    from bot.escalations import record_escalation

    configured = configure(settings, smtp=smtp)
    at = time.time() - 60
    case_id = new_case(configured, kind="crisis", at=at)
    worker = AlertWorker(configured)
    worker.run_once()
    record_escalation(_sender_of(configured, case_id),
                      at + 30, "emergency", ["attempt_in_progress"], [], settings=configured)
    record_escalation(_sender_of(configured, case_id), at + 45, "crisis", ["active_ideation"], [],
                      settings=configured)  # not more urgent: no alert
    worker.run_once()
    worker.run_once()
    assert [d.reason for d in deliveries(configured)] == ["new_case", "raised"]
    subjects = [m["Subject"] for m in smtp.inbox.messages]
    assert len(subjects) == 2 and "escalated again" in subjects[1] and "emergency" in subjects[1].lower()
    assert SECRET_WORDS not in smtp.inbox.messages[1].get_payload()
    with Session(get_engine(configured)) as db:
        assert len(db.execute(select(Case)).scalars().all()) == 1


def _sender_of(settings, public_id: str) -> str:
    with Session(get_engine(settings)) as db:
        return db.execute(select(Case.sender_id).where(Case.public_id == public_id)).scalar_one()
