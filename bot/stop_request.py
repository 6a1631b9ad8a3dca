"""A stop asked for by a signal (Ctrl-C, SIGTERM, SIGHUP), for loops that run until then.

Why not `threading.Event`: its `set()` takes a plain (non-reentrant) lock that `wait()` holds for a
moment. A signal handler runs in the main thread between two bytecodes, so a signal arriving while
that same thread is inside `wait()` makes the handler wait for a lock its own thread holds: the
process ignores the signal for ever. CI saw it once: `bot run`'s supervisor, sent SIGTERM, never
stopped its services. Here the handler only assigns an attribute, which needs no lock.
"""
from __future__ import annotations

import time

POLL_SECONDS = 0.1


class StopRequest:
    """Set from a signal handler (`request`), polled by the loop that should stop (`wait`)."""

    def __init__(self) -> None:
        self._requested = False

    def request(self, *_signal_handler_args: object) -> None:
        """Usable directly as a signal handler: `signal.signal(signal.SIGTERM, stop.request)`."""
        self._requested = True

    def is_requested(self) -> bool:
        return self._requested

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`, returning early (True) once a stop is requested."""
        deadline = time.monotonic() + seconds
        while not self._requested:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            time.sleep(min(POLL_SECONDS, remaining))
        return True
