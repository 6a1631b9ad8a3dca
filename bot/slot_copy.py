"""Rasa's slots copied without the generic copy protocol (what `bot run` installs, through bot/rasa_main.py).

Why: every DialogueStateTracker Rasa builds (loading the tracker, `tracker.copy()` before each action,
the prior trackers of a prediction) copies each of the domain's slots with `copy.copy(slot)`
(`DialogueStateTracker.__init__`), and our domain has 23 slots. A Slot defines no copy hooks, so
`copy.copy` takes its slowest path: `__reduce_ex__(4)`, then `copy._reconstruct` making the object
with `cls.__new__(cls)` and `__dict__.update(state)`, where the state is the slot's `__dict__`
(py-spy under `bot bench --cpu`: ~3% of the Rasa server's time). For such a "plain" class that path's
result is exactly `cls.__new__(cls)` with the same `__dict__` entries (a shallow copy: the same
values, a new dict), which `Slot.__copy__` here builds directly.

"Plain" is checked per class (cached), so a slot class defined later that customises copying
(`__reduce__`, `__reduce_ex__`, `__getstate__`, `__setstate__`, `__getnewargs(_ex)__`, non-empty `__slots__`, a
`copyreg` entry) goes the way `copy.copy` would have taken: its reductor, then `copy._reconstruct`.
tests/bot/test_slot_copy.py compares both ways on every slot of our domain.

Tied to the pinned Rasa (bot/rasa_pin.py): `install()` refuses to start on another Rasa version, another
source of `DialogueStateTracker.__init__`, or a Slot that defines `__copy__` itself.
"""
from __future__ import annotations

import copy
import copyreg
from typing import Any, Callable, Dict, Optional

from bot.rasa_pin import check_reviewed

EXPECTED_SOURCES = {
    "DialogueStateTracker.__init__": "8f39eb22462aa62b140d9da1f6db986cbc76383d8f7cc4e3dc7664fa7d84cb2d",
}
_COPY_HOOKS = ("__getstate__", "__setstate__", "__getnewargs__", "__getnewargs_ex__")


class SlotCopyError(RuntimeError):
    """Rasa is not the version this module was reviewed against; review it before starting."""


def _functions() -> Dict[str, Callable[..., Any]]:
    from rasa.shared.core.trackers import DialogueStateTracker

    return {"DialogueStateTracker.__init__": DialogueStateTracker.__init__}


def check_rasa(version: Optional[str] = None, sources: Optional[Dict[str, str]] = None) -> None:
    """Raise SlotCopyError unless Rasa and the functions relied on are the reviewed ones."""
    check_reviewed("bot/slot_copy.py", SlotCopyError, _functions, EXPECTED_SOURCES, version, sources)


def is_plain(cls: type) -> bool:
    """Whether `copy.copy` of an instance of `cls` (without `__copy__`) is `cls.__new__(cls)` plus its
    `__dict__`: no reduction, state or slots hooks of its own, no copyreg entry."""
    return (
        getattr(cls, "__reduce_ex__", None) is object.__reduce_ex__
        and getattr(cls, "__reduce__", None) is object.__reduce__
        and not any(hasattr(cls, name) for name in _COPY_HOOKS)
        and not copyreg._slotnames(cls)  # type: ignore[attr-defined] # names in __slots__ (ABC's is empty)
        and cls not in copyreg.dispatch_table
    )


def make_copy(verdicts: Dict[type, bool]) -> Callable[[Any], Any]:
    """A `__copy__` that builds plain classes' copies directly and hands the rest to copy's own path."""

    def __copy__(self: Any) -> Any:
        cls = type(self)
        plain = verdicts.get(cls)
        if plain is None:
            plain = verdicts[cls] = is_plain(cls)
        if not plain:  # exactly what copy.copy does after looking for __copy__
            reductor = copyreg.dispatch_table.get(cls)
            reduced = reductor(self) if reductor is not None else self.__reduce_ex__(4)
            if isinstance(reduced, str):
                return self
            return copy._reconstruct(self, None, *reduced)  # type: ignore[attr-defined]
        new = cls.__new__(cls)
        new.__dict__.update(self.__dict__)
        return new

    __copy__._bot_slot_copy = True  # type: ignore[attr-defined]
    return __copy__


def install() -> None:
    """`Slot.__copy__` as above, after the checks; idempotent."""
    check_rasa()
    from rasa.shared.core.slots import Slot

    own = Slot.__dict__.get("__copy__")
    if own is not None:
        if getattr(own, "_bot_slot_copy", False):
            return
        raise SlotCopyError("Rasa's Slot defines __copy__: review bot/slot_copy.py")
    Slot.__copy__ = make_copy({})  # type: ignore[attr-defined]
