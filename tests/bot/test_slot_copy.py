"""bot.slot_copy: a slot copied directly is what `copy.copy`'s generic path makes, for every slot of our
domain; classes that customise copying still go that generic way."""
from __future__ import annotations

import copy
import copyreg
from pathlib import Path
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.slots import Slot, TextSlot
from rasa.shared.core.trackers import DialogueStateTracker

from bot import slot_copy

ROOT = Path(__file__).resolve().parents[2]


def generic_copy(value: Any) -> Any:
    """What copy.copy does for an object without __copy__ (Python 3.10's copy module)."""
    cls = type(value)
    reductor = copyreg.dispatch_table.get(cls)
    reduced = reductor(value) if reductor is not None else value.__reduce_ex__(4)
    return copy._reconstruct(value, None, *reduced)


def _same_copy(ours: Any, theirs: Any, original: Any) -> None:
    assert type(ours) is type(theirs) is type(original)
    assert ours is not original and ours.__dict__ is not original.__dict__
    assert list(vars(ours)) == list(vars(theirs))
    for name in vars(theirs):  # shallow: the very same values
        assert getattr(ours, name) is getattr(theirs, name)


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(ROOT / "domain.yml")


def test_every_slot_of_our_domain_copies_as_copy_copy_would(domain):
    direct = slot_copy.make_copy({})
    assert domain.slots
    for slot in domain.slots:
        slot.value = slot.initial_value if slot.initial_value is not None else ["a"] if slot.type_name == "list" else "x"
        _same_copy(direct(slot), generic_copy(slot), slot)


def test_a_tracker_built_with_the_patch_has_equal_independent_slots(domain, monkeypatch):
    monkeypatch.setattr(Slot, "__copy__", slot_copy.make_copy({}), raising=False)
    tracker = DialogueStateTracker("someone", domain.slots)
    monkeypatch.delattr(Slot, "__copy__")
    stock = DialogueStateTracker("someone", domain.slots)
    assert list(tracker.slots) == list(stock.slots)
    for name, slot in tracker.slots.items():
        _same_copy(slot, stock.slots[name], next(s for s in domain.slots if s.name == name))
    first = next(iter(tracker.slots.values()))
    first.value = "changed in the tracker only"
    assert next(s for s in domain.slots if s.name == first.name).value != "changed in the tracker only"


class WithState(TextSlot):
    def __getstate__(self) -> dict:
        return {**self.__dict__, "marked": True}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)


class WithSlots(TextSlot):
    __slots__ = ("extra",)


class WithReduce(TextSlot):
    def __reduce__(self) -> Any:
        return (WithReduce, ("reduced", []))


@pytest.mark.parametrize("cls", [WithState, WithSlots, WithReduce])
def test_classes_that_customise_copying_take_copys_generic_path(cls):
    assert not slot_copy.is_plain(cls)
    slot = cls("s", [])
    if cls is WithSlots:
        slot.extra = "kept"
    ours, theirs = slot_copy.make_copy({})(slot), generic_copy(slot)
    assert type(ours) is type(theirs) and vars(ours) == vars(theirs)
    if cls is WithState:
        assert ours.marked is True
    if cls is WithSlots:
        assert ours.extra == "kept"
    if cls is WithReduce:
        assert ours.name == "reduced"


def test_rasas_slot_classes_are_plain():
    from rasa.shared.core import slots

    for cls in (slots.TextSlot, slots.FloatSlot, slots.BooleanSlot, slots.ListSlot, slots.CategoricalSlot,
                slots.AnySlot):
        assert slot_copy.is_plain(cls), cls


def test_install_sets_slot_copy_once(monkeypatch):
    monkeypatch.delattr(Slot, "__copy__", raising=False)
    slot_copy.install()
    installed = Slot.__dict__["__copy__"]
    slot_copy.install()
    assert Slot.__dict__["__copy__"] is installed
    slot = TextSlot("s", [], initial_value="v")
    _same_copy(copy.copy(slot), generic_copy(slot), slot)


def test_a_slot_with_its_own_copy_refuses_to_start(monkeypatch):
    monkeypatch.setattr(Slot, "__copy__", lambda self: self, raising=False)
    with pytest.raises(slot_copy.SlotCopyError, match="defines __copy__"):
        slot_copy.install()
