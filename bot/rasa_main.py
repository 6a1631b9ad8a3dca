"""`python -m bot.rasa_main run ...`: Rasa's own command line, with one narrow speed-up (what `bot run` starts).

Why: Rasa 3.6 checks every action-server response with `jsonschema.validate(response, schema)`
(`RemoteAction._validate_action_result` in rasa/core/actions/action.py). That call first validates
the *schema itself* against the JSON Schema meta-schema and builds a new validator, on every response;
profiled under load it was about 40% of the Rasa server's CPU. The schema never changes, so we check
it once and compile one validator at start, then validate each response with it, raising exactly the
error `jsonschema.validate` raises (`best_match` over all errors, same message suffix as Rasa's).

The replacement is tied to the pinned Rasa (pyproject.toml, requirements.lock): `install()` refuses to
start when Rasa's version or the source of the function it replaces differ from what was reviewed, so
a Rasa upgrade fails loudly here instead of silently changing how responses are checked.
tests/bot/test_rasa_main.py proves that invalid responses are rejected as before.

Run as `python -m bot.rasa_main run --model X`, it first keeps TensorFlow out of the process when the
model has no TensorFlow component (bot/rasa_without_tensorflow.py says why and how), before anything
imports Rasa; the first line on stderr says whether it did.
"""
from __future__ import annotations

import functools
import sys
from typing import Any, Callable, Dict, Optional

if __name__ == "__main__":  # `bot run`: before Rasa is imported (Rasa's core imports TensorFlow)
    from bot.library_warnings import hold_back
    from bot.rasa_without_tensorflow import keep_tensorflow_out_for

    hold_back()

    _WHY_TENSORFLOW_STAYS = keep_tensorflow_out_for(sys.argv[1:])
    print("rasa: TensorFlow " + (f"loaded as Rasa ships: {_WHY_TENSORFLOW_STAYS}" if _WHY_TENSORFLOW_STAYS
                                 else "kept out: the model has no TensorFlow component"), file=sys.stderr)
    # skops (which loads the intent classifier) builds its lists of trusted type names on import, finding
    # the module of each numpy and scipy ufunc by walking every module in sys.modules (~320 ufuncs). Imported
    # here, before Rasa, spaCy and onnxruntime, it walks ~1,400 modules instead of ~3,800: about 0.5-0.8 s
    # less CPU at each start. The lists are the same (sys.modules keeps import order and numpy and scipy,
    # where the walk finds every ufunc, load first either way); tests/bot/test_rasa_main.py checks that.
    import skops.io  # noqa: F401

import rasa  # noqa: E402 - after the decision above
from jsonschema import ValidationError, exceptions, validators  # noqa: E402
from rasa.core.actions.action import RemoteAction  # noqa: E402
from rasa.shared.constants import DOCS_BASE_URL  # noqa: E402

from bot.rasa_pin import check_sources, check_version, source_sha256  # noqa: E402

# What was reviewed: the sha256 of `inspect.getsource(RemoteAction._validate_action_result)`.
VALIDATOR = "RemoteAction._validate_action_result"
EXPECTED_SOURCE_SHA256 = "f8cdb4be6812396167ced74161b2ccd65c5ea676ad86d7d359d8c322d9d8dc42"


class RasaPatchError(RuntimeError):
    """Rasa is not the version this module was written for; review the replacement before starting."""


def compiled_validator(schema: Dict[str, Any]) -> Any:
    """The validator `jsonschema.validate` would build for `schema`, after the same schema check, once."""
    cls = validators.validator_for(schema)
    cls.check_schema(schema)  # raises SchemaError, as jsonschema.validate would
    return cls(schema)


def make_validate_action_result(schema: Dict[str, Any]) -> Callable[[Any, Dict[str, Any]], bool]:
    """A drop-in `RemoteAction._validate_action_result` that reuses one compiled validator."""
    validator = compiled_validator(schema)

    def _validate_action_result(self: Any, result: Dict[str, Any]) -> bool:
        # Same as jsonschema.validate after its schema check: the best match among all errors.
        error = exceptions.best_match(validator.iter_errors(result))
        if error is None:
            return True
        if isinstance(error, ValidationError):  # as Rasa's `except ValidationError as e`
            error.message += (
                f". Failed to validate Action server response from API, "
                f"make sure your response from the Action endpoint is valid. "
                f"For more information about the format visit "
                f"{DOCS_BASE_URL}/custom-actions"
            )
        raise error

    _validate_action_result.__doc__ = "Validates an action-server response with a validator compiled once."
    return _validate_action_result


def check_rasa(version: Optional[str] = None, original: Optional[Callable[..., Any]] = None) -> None:
    """Raise RasaPatchError unless Rasa and the function replaced are exactly the reviewed ones."""
    version = rasa.__version__ if version is None else version
    original = RemoteAction._validate_action_result if original is None else original
    if getattr(original, "_bot_compiled_validator", False):
        return  # ours, already installed in this process
    check_version("bot/rasa_main.py", RasaPatchError, version)
    check_sources("bot/rasa_main.py", RasaPatchError, {VALIDATOR: source_sha256(original)}, {VALIDATOR: EXPECTED_SOURCE_SHA256})


def strict_tracker_store() -> None:
    """No silent in-memory tracker store when the database fails.

    Rasa wraps every tracker store in a FailSafeTrackerStore that, when the database cannot be read or
    written, carries on with an empty in-memory tracker: the person gets answers, but the turn never
    reaches the transcript of record and the reconciler never sees a flagged message, so its case is
    lost too. Failing the turn instead lets the gateway answer (resources for a risk message) and keep
    the message and its case until the database is back (bot/web/unanswered.py)."""
    from rasa.core.tracker_store import FailSafeTrackerStore

    if getattr(FailSafeTrackerStore, "_bot_strict", False):
        return

    async def retrieve(self: Any, sender_id: str) -> Any:
        return await self._tracker_store.retrieve(sender_id)

    async def retrieve_full_tracker(self: Any, sender_id: str) -> Any:
        return await self._tracker_store.retrieve_full_tracker(sender_id)

    async def save(self: Any, tracker: Any) -> None:
        await self._tracker_store.save(tracker)

    FailSafeTrackerStore.retrieve = retrieve  # type: ignore[method-assign]
    FailSafeTrackerStore.retrieve_full_tracker = retrieve_full_tracker  # type: ignore[method-assign]
    FailSafeTrackerStore.save = save  # type: ignore[method-assign]
    FailSafeTrackerStore._bot_strict = True  # type: ignore[attr-defined]


# RulePolicy decodes each rule (a JSON string) through `_rule_key_to_state`, cached with
# `functools.lru_cache(maxsize=1000)`, for every rule on every prediction (`_get_possible_keys`).
# Our model has 1,110 rules to scan (data/ writes scripted flows as rules): a cyclic scan of more keys
# than an LRU cache holds never hits, so every prediction decoded every rule again, about a quarter of
# the Rasa server's CPU (py-spy, under the bench's load). The same function with room for every rule:
# same results (a pure function of the key, and both callers only read what it returns).
RULE_KEY_CACHE_SIZE = 20_000
# sha256 of `inspect.getsource` of the undecorated function (the source includes its decorators).
RULE_KEY = "RulePolicy._rule_key_to_state"
EXPECTED_RULE_KEY_SOURCE_SHA256 = "b91b949bbccbff0bdd67604e957b8884becef48ebc634c655c01bb5e6e93677e"


def larger_rule_key_cache() -> None:
    """Re-wrap `RulePolicy._rule_key_to_state` in an LRU cache of RULE_KEY_CACHE_SIZE; idempotent.
    Refuses to start when the function is not the reviewed one."""
    from rasa.core.policies.rule_policy import RulePolicy

    cached = RulePolicy.__dict__["_rule_key_to_state"].__func__
    if getattr(cached, "_bot_rule_key_cache", False):
        return
    original = getattr(cached, "__wrapped__", None)
    check_sources("bot/rasa_main.py", RasaPatchError,
                  {RULE_KEY: source_sha256(original) if original is not None else None},
                  {RULE_KEY: EXPECTED_RULE_KEY_SOURCE_SHA256})
    larger = functools.lru_cache(maxsize=RULE_KEY_CACHE_SIZE)(original)
    larger._bot_rule_key_cache = True  # type: ignore[attr-defined]
    RulePolicy._rule_key_to_state = staticmethod(larger)  # type: ignore[method-assign, assignment]


def install() -> None:
    """Replace `RemoteAction._validate_action_result` (after the checks above), make the tracker store
    strict, give RulePolicy's rule cache room for every rule, index RulePolicy's rules, take the
    fast paths of bot/rasa_fast_paths.py, replay past dialogue states once per tracker state, run the model graph without dask's
    scheduler, call the action server on a kept session with the domain encoded once (bot/action_calls.py), copy
    slots directly (bot/slot_copy.py) and, where
    TensorFlow is kept out, load models without their training graph; idempotent."""
    check_rasa()
    strict_tracker_store()
    larger_rule_key_cache()
    from bot import rule_index

    rule_index.install()  # RulePolicy's first pass over the rules through an index (bot/rule_index.py)
    from bot import rasa_fast_paths

    rasa_fast_paths.install()  # the classifier's weights in column order, event classes by table, its input row
    from bot import prior_states

    prior_states.install()  # the past dialogue states replayed once per tracker state (bot/prior_states.py)
    from bot import graph_run

    graph_run.install()  # the model graph run node after node, without dask's scheduler (bot/graph_run.py)
    from bot import action_calls

    action_calls.install()  # action-server calls on a kept session, the domain encoded once (bot/action_calls.py)
    from bot import slot_copy

    slot_copy.install()  # slots copied without copy's generic protocol, same copies (bot/slot_copy.py)
    from bot import domain_memo

    domain_memo.install()  # the model's domain schema-checked once per content (bot/domain_memo.py)
    from bot.rasa_without_tensorflow import load_predict_schema_only, tensorflow_kept_out

    if tensorflow_kept_out():  # only `bot run` with a model free of TensorFlow (see the top of this module)
        load_predict_schema_only()
    if getattr(RemoteAction._validate_action_result, "_bot_compiled_validator", False):
        return
    replacement = make_validate_action_result(RemoteAction.action_response_format_spec())
    replacement._bot_compiled_validator = True  # type: ignore[attr-defined]
    RemoteAction._validate_action_result = replacement  # type: ignore[method-assign]


# Rasa's own DEBUG logging writes what people said (the parsed message, the rule policy's states):
# conversations are health data, so the Rasa server logs at INFO at most, whatever --debug or LOG_LEVEL
# ask for, unless this is set on purpose (a developer's machine, made-up conversations only).
UNSAFE_DEBUG_VARIABLE = "BOT_RASA_DEBUG_WITH_MESSAGE_TEXT"
DEBUG_FLAGS = {"--debug", "-vv", "--verbose", "-v"}


def clamp_log_level(argv: list[str], environ: Any) -> list[str]:
    """The arguments without debug flags, and LOG_LEVEL raised to INFO, unless the variable above is 1."""
    if environ.get(UNSAFE_DEBUG_VARIABLE) == "1":
        return argv
    asked = [a for a in argv if a in DEBUG_FLAGS] or (
        [environ["LOG_LEVEL"]] if environ.get("LOG_LEVEL", "").upper() == "DEBUG" else [])
    if asked:
        print(f"rasa: debug logging would write message text, so it stays at INFO (set {UNSAFE_DEBUG_VARIABLE}=1 "
              "on a developer's machine with made-up conversations only)", file=sys.stderr)
        environ["LOG_LEVEL"] = "INFO"
    return [a for a in argv if a not in DEBUG_FLAGS]


def main() -> None:
    """Install the replacement, then hand over to Rasa's own CLI with our arguments."""
    import os

    install()
    from rasa.__main__ import main as rasa_cli

    sys.argv = ["rasa", *clamp_log_level(sys.argv[1:], os.environ)]
    rasa_cli()


if __name__ == "__main__":
    main()
