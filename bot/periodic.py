"""A background thread that does one job every few seconds, for the web app's scheduled work.

Why one class: the reconciler/retention scheduler and the alert worker need the same lifecycle (a
daemon thread, a stop that wakes it at once, a run that fails without stopping the app).
"""
from __future__ import annotations

import logging
import threading
from typing import Optional


class PeriodicThread:
    """Calls ``run_once`` at start and every ``every`` seconds until ``stop``. A failing run is logged
    (error type only, never data) under the subclass's module and tried again at the next tick."""

    thread_name = "periodic"

    def __init__(self, every: float) -> None:
        self.every = every
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    def run_once(self) -> None:
        raise NotImplementedError

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name=self.thread_name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception as error:  # noqa: BLE001 - a locked or unreachable database recovers
                logging.getLogger(type(self).__module__).error(
                    "%s: run failed: %s", self.thread_name, type(error).__name__)
            self._stop.wait(self.every)
