"""Every narrow replacement inside Rasa refuses to start on a Rasa it was not reviewed against
(bot/rasa_pin.py): another version, or another source of any function it replaces. One table, so a new
replacement module is checked by adding one row. bot/rasa_main.py checks a function object rather than
sources and keeps its own tests (tests/bot/test_rasa_main.py)."""
from __future__ import annotations

import importlib
from types import ModuleType

import pytest

# module -> the error it raises when it refuses
PINNED = {
    "bot.action_calls": "ActionCallsError",
    "bot.content.seeded_rasa": "SeededRasaError",
    "bot.domain_memo": "DomainMemoError",
    "bot.graph_run": "GraphRunPatchError",
    "bot.prior_states": "PriorStatesError",
    "bot.rasa_fast_paths": "RasaFastPathError",
    "bot.rule_index": "RuleIndexError",
    "bot.slot_copy": "SlotCopyError",
}


def _module(name: str) -> ModuleType:
    return importlib.import_module(name)


@pytest.mark.parametrize("name", sorted(PINNED))
def test_the_reviewed_sources_are_the_installed_ones(name):
    _module(name).check_rasa()


@pytest.mark.parametrize("name", sorted(PINNED))
def test_another_rasa_version_refuses_to_start(name):
    module = _module(name)
    with pytest.raises(getattr(module, PINNED[name]), match="written for Rasa 3.6.21, found 3.7.0"):
        module.check_rasa(version="3.7.0")


@pytest.mark.parametrize("name, function", sorted(
    (name, function) for name in PINNED for function in _module(name).EXPECTED_SOURCES))
def test_a_changed_rasa_function_refuses_to_start(name, function):
    module = _module(name)
    sources = {**module.EXPECTED_SOURCES, function: "0" * 64}
    with pytest.raises(getattr(module, PINNED[name]), match=f"{function} is not the reviewed one"):
        module.check_rasa(sources=sources)
