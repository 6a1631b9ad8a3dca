"""Alerts: nobody watches the console live, so the clinic is told when a case is created.

- A new case: one e-mail (SMTP) and/or one webhook POST (JSON with a "text" field, which Slack and
  Teams incoming webhooks accept), to the addresses in settings.yml `alerts`.
- A case whose kind rose because a later message of the same conversation was more urgent (one open case
  per conversation, bot/escalations.py: an emergency after a crisis): one alert per rise, to the same
  addresses as a new case ("raised"), since that used to be a new case and its own alert.
- A case still `new` after `alerts.escalate_after_minutes` (counted in opening hours by default):
  a second alert to the escalation contact.
- Alerts never hold message text: only the kind of case, the time and a link to the console.
- Each delivery is a row (alert_deliveries), retried with doubling waits; one that keeps failing is
  marked failed, audited, and shown in the console's header and on the case.

Why rows in the database rather than sending inline: the case may be created by the action server,
the reconciler or the gateway, in any process; the web app's worker finds every un-alerted case, and
with several web apps the claim (an UPDATE that only one wins) keeps alerts from going out twice.
"""
from __future__ import annotations

import logging
import smtplib
import ssl
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Optional
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bot import audit
from bot.periodic import PeriodicThread
from bot.console.cases import kind_words, triage_kind
from bot.db import get_engine
from bot.hours import open_minutes_between, parse_opening_hours
from bot.models import AlertDelivery, Case
from bot.settings import Settings
from bot.staff import aware, utcnow

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0
# While one worker sends a delivery, others leave it alone for this long.
LEASE_SECONDS = 60


class DeliveryError(Exception):
    """A delivery failed; the message is short and holds no message text (it is stored and shown)."""


def channels(settings: Settings, reason: str) -> list[str]:
    alerts = settings.alerts
    found = []
    if reason in ("new_case", "raised"):
        if alerts.email_configured:
            found.append("email")
        if alerts.webhook_url:
            found.append("webhook")
    else:
        if alerts.smtp_host and alerts.escalation_email_to:
            found.append("email")
        if alerts.escalation_webhook_url:
            found.append("webhook")
    return found


def alert_text(settings: Settings, case: Case, reason: str) -> tuple[str, str]:
    """(subject, body) of an alert: kind, time and link only."""
    zone = ZoneInfo(settings.clinic.timezone)
    when = aware(case.created_at).astimezone(zone).strftime("%d %b %Y, %H:%M %Z")
    kind = kind_words(triage_kind(case))
    link = f"{settings.console_url}/cases/{case.public_id}"
    if reason == "escalation":
        minutes = settings.alerts.escalate_after_minutes
        subject = f"Still not reviewed after {minutes} min: {kind} case"
        lead = (f"A {kind.lower()} case flagged at {when} has waited more than {minutes} minutes "
                f"without anyone taking it.")
    elif reason == "raised":
        subject = f"Case now {kind.lower()}: escalated again"
        lead = (f"A case the chat assistant flagged at {when} was escalated again by a later message: it is now "
                f"{kind.lower()}.")
    else:
        subject = f"New {kind.lower()} case to review"
        lead = f"The chat assistant flagged a conversation at {when}: {kind.lower()}."
    body = (f"{lead}\n\nOpen it in the review console (sign-in needed):\n{link}\n\n"
            "This alert never contains what the person wrote.")
    return f"[{settings.clinic.name}] {subject}", body


def send_email(settings: Settings, recipients: list[str], subject: str, body: str) -> None:
    alerts = settings.alerts
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = alerts.email_from or f"review-console@{settings.services.host}"
    message["To"] = ", ".join(recipients)
    message.set_content(body)
    try:
        if alerts.smtp_security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(alerts.smtp_host or "", alerts.smtp_port, timeout=TIMEOUT_SECONDS,
                                                     context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(alerts.smtp_host or "", alerts.smtp_port, timeout=TIMEOUT_SECONDS)
        with client:
            if alerts.smtp_security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if alerts.smtp_username:
                client.login(alerts.smtp_username, alerts.smtp_password or "")
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise DeliveryError(f"e-mail: {type(error).__name__}: {str(error)[:120]}") from None


def send_webhook(url: str, subject: str, body: str, case: Case, reason: str, settings: Settings) -> None:
    payload = {
        # Slack and Teams incoming webhooks show "text"; other receivers can read the fields below.
        "text": f"{subject}\n{body}",
        "event": reason,
        "kind": triage_kind(case),
        "created_at": aware(case.created_at).isoformat(),
        "url": f"{settings.console_url}/cases/{case.public_id}",
    }
    try:
        response = httpx.post(url, json=payload, timeout=TIMEOUT_SECONDS)
    except httpx.HTTPError as error:
        raise DeliveryError(f"webhook: {type(error).__name__}") from None
    if not 200 <= response.status_code < 300:
        raise DeliveryError(f"webhook: HTTP {response.status_code}")


class AlertWorker(PeriodicThread):
    """Queues alerts for new cases, escalates cases left new, sends and retries deliveries."""

    thread_name = "alerts"

    def __init__(self, settings: Settings, every: Optional[float] = None) -> None:
        super().__init__(every or settings.alerts.check_every_seconds)
        self.settings = settings
        self.hours = parse_opening_hours(settings.clinic.opening_hours)
        self.zone = ZoneInfo(settings.clinic.timezone)

    def run_once(self, now: Optional[datetime] = None) -> None:
        now = now or utcnow()
        engine = get_engine(self.settings)
        with Session(engine, future=True) as db, db.begin():
            self._queue_new_cases(db, now)
            self._queue_raised_cases(db, now)
            self._escalate_waiting_cases(db, now)
        self._send_due(now)

    def _claim(self, db: Session, case_id: int, column: str, now: datetime) -> bool:
        """Mark a case alerted (or escalated); False when another worker did it first."""
        result = db.execute(
            update(Case).where(Case.id == case_id, getattr(Case, column).is_(None)).values({column: now})
        )
        return result.rowcount == 1

    def _queue_new_cases(self, db: Session, now: datetime) -> None:
        for case_id in db.execute(select(Case.id).where(Case.alerted_at.is_(None))).scalars().all():
            if self._claim(db, case_id, "alerted_at", now):
                for channel in channels(self.settings, "new_case"):
                    db.add(AlertDelivery(case_id=case_id, reason="new_case", channel=channel, next_attempt_at=now,
                                         created_at=now))

    def _queue_raised_cases(self, db: Session, now: datetime) -> None:
        """One alert per rise of a case's kind (raised_at newer than raised_alerted_at); claimed like the others,
        by an UPDATE only one worker wins. A case not yet announced at all gets its new-case alert instead
        (which already names the risen kind)."""
        due = or_(Case.raised_alerted_at.is_(None), Case.raised_alerted_at < Case.raised_at)
        rows = db.execute(select(Case.id, Case.raised_at, Case.alerted_at)
                          .where(Case.raised_at.is_not(None), due)).all()
        for case_id, raised, announced in rows:
            claimed = db.execute(
                update(Case).where(Case.id == case_id, due).values(raised_alerted_at=now)
            ).rowcount == 1
            if claimed and announced is not None and aware(announced) < aware(raised):
                for channel in channels(self.settings, "raised"):
                    db.add(AlertDelivery(case_id=case_id, reason="raised", channel=channel, next_attempt_at=now,
                                         created_at=now))

    def waited_minutes(self, case: Case, now: datetime) -> float:
        start = aware(case.created_at)
        threshold = self.settings.alerts.escalate_after_minutes
        if not self.settings.alerts.escalate_in_opening_hours_only or not self.hours:
            return (now - start).total_seconds() / 60
        return open_minutes_between(self.hours, start, now, self.zone, stop_at=threshold)

    def _escalate_waiting_cases(self, db: Session, now: datetime) -> None:
        threshold = self.settings.alerts.escalate_after_minutes
        earliest = now - timedelta(minutes=threshold)
        waiting = db.execute(
            select(Case).where(Case.status == "new", Case.escalated_at.is_(None), Case.alerted_at.is_not(None),
                               Case.created_at <= earliest)
        ).scalars().all()
        for case in waiting:
            if self.waited_minutes(case, now) < threshold:
                continue
            if self._claim(db, case.id, "escalated_at", now):
                for channel in channels(self.settings, "escalation"):
                    db.add(AlertDelivery(case_id=case.id, reason="escalation", channel=channel,
                                         next_attempt_at=now, created_at=now))

    def _send_due(self, now: datetime) -> None:
        engine = get_engine(self.settings)
        with Session(engine, future=True) as db:
            due = db.execute(
                select(AlertDelivery.id, AlertDelivery.next_attempt_at)
                .where(AlertDelivery.status == "pending", AlertDelivery.next_attempt_at <= now)
                .order_by(AlertDelivery.id)
            ).all()
        for delivery_id, attempt_at in due:
            with Session(engine, future=True) as db, db.begin():
                leased = db.execute(
                    update(AlertDelivery)
                    .where(AlertDelivery.id == delivery_id, AlertDelivery.next_attempt_at == attempt_at,
                           AlertDelivery.status == "pending")
                    .values(next_attempt_at=now + timedelta(seconds=LEASE_SECONDS))
                ).rowcount
            if leased:
                self._deliver(delivery_id, now)

    def _deliver(self, delivery_id: int, now: datetime) -> None:
        engine = get_engine(self.settings)
        with Session(engine, future=True) as db, db.begin():
            delivery = db.get(AlertDelivery, delivery_id)
            case = db.get(Case, delivery.case_id)
            subject, body = alert_text(self.settings, case, delivery.reason)
            alerts = self.settings.alerts
            delivery.attempts += 1
            ordinary = delivery.reason in ("new_case", "raised")  # else "escalation": the escalation contact
            try:
                if delivery.channel == "email":
                    recipients = alerts.email_to if ordinary else alerts.escalation_email_to
                    send_email(self.settings, list(recipients), subject, body)
                else:
                    url = alerts.webhook_url if ordinary else alerts.escalation_webhook_url
                    send_webhook(url or "", subject, body, case, delivery.reason, self.settings)
            except DeliveryError as error:
                delivery.last_error = str(error)[:255]
                if delivery.attempts >= alerts.retry_attempts:
                    delivery.status = "failed"
                    audit.record(db, "alert_failed", target=case.public_id, detail={
                        "channel": delivery.channel, "reason": delivery.reason, "attempts": delivery.attempts,
                        "error": delivery.last_error})
                    logger.error("alerts: %s %s alert for a case failed %d times; giving up (%s)",
                                 delivery.reason, delivery.channel, delivery.attempts, delivery.last_error)
                else:
                    wait = alerts.retry_seconds * 2 ** (delivery.attempts - 1)
                    delivery.next_attempt_at = now + timedelta(seconds=wait)
                    logger.warning("alerts: %s delivery failed (%s); retrying in %.0f s",
                                   delivery.channel, delivery.last_error, wait)
                return
            delivery.status, delivery.sent_at, delivery.last_error = "sent", utcnow(), None
            logger.info("alerts: %s %s alert sent", delivery.reason, delivery.channel)
