"""Scheduled work inside the web app: the escalation reconciler and the retention purge (conversations
and unanswered messages past `retention_days`).

Why here: the web app runs as long as the assistant is offered, so it can replace a separate
reconciler process. A failing run is logged (error type only, never message text) and retried at the
next tick; it never stops the app.
"""
from __future__ import annotations

import logging
import time
from typing import Callable

from bot.escalations import reconcile
from bot.periodic import PeriodicThread
from bot.retention import purge_expired_conversations
from bot.settings import Settings
from bot.web.unanswered import UnansweredStore

logger = logging.getLogger(__name__)

PRUNE_EVERY_SECONDS = 3600.0


class Scheduler(PeriodicThread):
    """A daemon thread: reconcile at start and every `every` seconds; purge expired data hourly."""

    thread_name = "web-scheduler"

    def __init__(
        self,
        settings: Settings,
        unanswered: UnansweredStore,
        every: float,
        reconcile_fn: Callable[[Settings], int] = reconcile,
    ) -> None:
        super().__init__(every)
        self.settings = settings
        self.unanswered = unanswered
        self._reconcile = reconcile_fn
        self._last_prune = 0.0
        self.runs = 0

    def run_once(self) -> None:
        try:
            self.unanswered.flush()  # messages kept while the database was down or the disk full
        except Exception as error:  # noqa: BLE001
            logger.error("unanswered flush failed: %s", type(error).__name__)
        try:
            self._reconcile(self.settings)
        except Exception as error:  # noqa: BLE001 - a locked or unreachable database recovers
            logger.error("reconcile failed: %s", type(error).__name__)
        now = time.monotonic()
        if now - self._last_prune >= PRUNE_EVERY_SECONDS or not self._last_prune:
            self._last_prune = now
            try:
                self.unanswered.prune(self.settings.conversations.retention_days)
                purge_expired_conversations(self.settings)
            except Exception as error:  # noqa: BLE001
                logger.error("retention purge failed: %s", type(error).__name__)
        self.runs += 1


class HandoffWatch(PeriodicThread):
    """Hands conversations back to the assistant when the staff member's console page has gone, and
    retries resumes Rasa did not accept. The timer is in the database (`handoffs.seen_at`), so any
    web-app process may do it, and a conditional UPDATE lets only one of them act on each handoff."""

    thread_name = "handoff-watch"

    def __init__(self, settings: Settings, rasa_url: str, every: float) -> None:
        super().__init__(every)
        self.settings = settings
        self.rasa_url = rasa_url

    def run_once(self) -> None:
        from bot import handoff

        handoff.hand_back_stale(self.settings, handoff.Rasa(self.rasa_url, self.settings.rasa_api_token))
