"""What the project's narrow replacements inside Rasa were reviewed against: one Rasa version, and a
sha256 of the source of each function replaced.

Why one place: bot/rasa_main.py (the action-response validator, RulePolicy's rule cache),
bot/rule_index.py (RulePolicy's first pass), bot/rasa_fast_paths.py (the classifier's weight layout
and input row, event classes by table), bot/prior_states.py (past dialogue states replayed once per
tracker state), bot/graph_run.py (the model graph without dask's scheduler) and
bot/rasa_without_tensorflow.py (model loading without the training graph) bot/action_calls.py (action-server calls on a kept session, the domain encoded once) bot/slot_copy.py (slots copied directly) and bot/domain_memo.py (the model's domain schema-checked once per
text) each refuse to start on another Rasa version or another source of what they replace; a Rasa
upgrade moves this pin once (beside pyproject.toml and requirements.lock). Imports nothing of Rasa:
bot/rasa_without_tensorflow.py runs before Rasa is imported.
"""
from __future__ import annotations

import hashlib
import inspect
from typing import Any, Callable, Mapping, Optional

EXPECTED_RASA_VERSION = "3.6.21"


def source_sha256(function: Callable[..., Any]) -> str:
    """sha256 of `inspect.getsource(function)`: what a review of that function saw."""
    return hashlib.sha256(inspect.getsource(function).encode()).hexdigest()


def check_version(owner: str, error: type[Exception], found: str) -> None:
    """Raise `error` unless `found` is the Rasa version `owner` (a module's path) was reviewed against."""
    if found != EXPECTED_RASA_VERSION:
        raise error(f"{owner} was written for Rasa {EXPECTED_RASA_VERSION}, found {found}: "
                    f"review what it replaces (see its docstring) and update {owner}")


def check_sources(owner: str, error: type[Exception], found: Mapping[str, Optional[str]],
                  expected: Mapping[str, str]) -> None:
    """Raise `error` unless each replaced function (name -> sha256 found) is the one `owner` was reviewed against."""
    for name, sha256 in expected.items():
        if found.get(name) != sha256:
            raise error(f"Rasa's {name} is not the reviewed one (sha256 {found.get(name)}); "
                        f"review it and update {owner}")


def check_reviewed(owner: str, error: type[Exception], functions: Callable[[], Mapping[str, Callable[..., Any]]],
                   expected: Mapping[str, str], version: Optional[str] = None,
                   sources: Optional[Mapping[str, Optional[str]]] = None) -> None:
    """check_version, then check_sources on the sha256 of each function `functions()` names (tests pass
    `version` and `sources` to see the refusal without another Rasa installed)."""
    import rasa

    check_version(owner, error, rasa.__version__ if version is None else version)
    if sources is None:
        sources = {name: source_sha256(function) for name, function in functions().items()}
    check_sources(owner, error, sources, expected)
