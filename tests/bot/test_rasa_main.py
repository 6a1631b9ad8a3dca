"""bot.rasa_main: the compiled action-response validator rejects exactly what stock Rasa rejects."""
from __future__ import annotations

import asyncio
from typing import Any

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.utils.endpoints import EndpointConfig

from bot import rasa_main
from bot.services import rasa_server
from bot.settings import load_settings

STOCK = RemoteAction._validate_action_result
STOCK_RULE_KEY = RulePolicy.__dict__["_rule_key_to_state"]  # before any test installs ours

VALID = [
    {},
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "emotion", "value": "sad", "timestamp": None}],
     "responses": [{"response": "utter_reflect_mood_low", "emotion": "sad"}]},
    {"events": [{"event": "action", "name": "action_listen"}, {"event": "session_started"}]},
]
INVALID = [
    [],  # not an object
    {"events": {"event": "slot"}},  # events not a list
    {"events": [{"name": "emotion", "value": "sad"}]},  # an event without its type
    {"events": [{"event": "slot", "name": 5, "value": "sad"}]},  # a slot name that is not a string
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": "user", "text": 7}]},
    {"responses": {"response": "utter_greet"}},  # responses not a list
    {"responses": ["utter_greet"]},  # a response that is not an object
    {"events": [{"event": "slot"}], "responses": [1, 2]},  # several errors: the best match wins
]


@pytest.fixture
def compiled(monkeypatch: pytest.MonkeyPatch) -> Any:
    """RemoteAction with our replacement installed for this test only."""
    replacement = rasa_main.make_validate_action_result(RemoteAction.action_response_format_spec())
    monkeypatch.setattr(RemoteAction, "_validate_action_result", replacement)
    return replacement


def _outcome(validate: Any, response: Any) -> tuple[Any, ...]:
    try:
        return ("accepted", validate(RemoteAction("action_x", None), response))
    except Exception as error:  # noqa: BLE001 - the comparison is the point
        return (type(error), str(error), getattr(error, "message", None),
                list(getattr(error, "absolute_path", [])), getattr(error, "validator", None))


@pytest.mark.parametrize("response", VALID + INVALID)
def test_every_response_gets_the_same_verdict_and_error_as_stock_rasa(compiled, response):
    assert _outcome(compiled, response) == _outcome(STOCK, response)


@pytest.mark.parametrize("response", INVALID)
def test_an_invalid_action_server_response_still_fails_the_action(compiled, response):
    """The whole path: RemoteAction.run raises jsonschema's ValidationError, as it does in stock Rasa."""
    endpoint = EndpointConfig("http://127.0.0.1:1/webhook")

    async def fake_request(*args: Any, **kwargs: Any) -> Any:
        return response

    endpoint.request = fake_request  # type: ignore[method-assign]
    action = RemoteAction("action_reflect_feeling", endpoint)
    domain = Domain.empty()
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
        asyncio.run(action.run(CollectingOutputChannel(), TemplatedNaturalLanguageGenerator({}),
                               DialogueStateTracker("someone", []), domain))


def test_install_replaces_the_function_once_and_keeps_its_name(monkeypatch):
    monkeypatch.setattr(RemoteAction, "_validate_action_result", STOCK)
    rasa_main.install()
    installed = RemoteAction._validate_action_result
    assert installed is not STOCK and installed.__name__ == "_validate_action_result"
    rasa_main.install()  # a second call keeps the first replacement
    assert RemoteAction._validate_action_result is installed


def test_another_rasa_version_refuses_to_start(monkeypatch):
    monkeypatch.setattr(RemoteAction, "_validate_action_result", STOCK)
    monkeypatch.setattr(rasa_main.rasa, "__version__", "3.6.99")
    with pytest.raises(rasa_main.RasaPatchError, match="written for Rasa 3.6.21, found 3.6.99"):
        rasa_main.install()
    assert RemoteAction._validate_action_result is STOCK


def test_a_changed_rasa_function_refuses_to_start(monkeypatch):
    def _validate_action_result(self: Any, result: Any) -> bool:  # what a future Rasa might ship
        return True

    monkeypatch.setattr(RemoteAction, "_validate_action_result", _validate_action_result)
    with pytest.raises(rasa_main.RasaPatchError, match="not the reviewed one"):
        rasa_main.install()
    assert RemoteAction._validate_action_result is _validate_action_result


def test_bot_run_starts_rasa_through_this_entry_point(tmp_path):
    command = rasa_server(load_settings(environ={"BOT_VAR_DIR": str(tmp_path)})).command
    assert command[1:4] == ["-m", "bot.rasa_main", "run"]


def _our_rule_keys() -> list[str]:
    """The rule keys RulePolicy scans on every prediction, from the trained model (skip without one)."""
    import json
    import tarfile

    from bot.settings import get_settings
    from bot.training import model_path

    model = model_path(get_settings())
    if not model.is_file():
        pytest.skip("needs the trained model (`bot train`, which `make test` runs first)")
    with tarfile.open(model) as archive:
        name = next(n for n in archive.getnames() if n.endswith("rule_policy.json"))
        lookup = json.load(archive.extractfile(name))["lookup"]
    return [*lookup["rules"], *lookup["rules_for_loop_unhappy_path"]]


def test_rule_policy_decodes_each_of_our_rules_once_and_as_before(monkeypatch):
    stock = STOCK_RULE_KEY
    monkeypatch.setattr(RulePolicy, "_rule_key_to_state", stock)
    keys = _our_rule_keys()
    assert len(keys) > stock.__func__.cache_parameters()["maxsize"]  # why: Rasa's cache is smaller
    rasa_main.larger_rule_key_cache()
    rasa_main.larger_rule_key_cache()  # a second call keeps the first replacement
    larger = RulePolicy._rule_key_to_state
    assert larger is not stock.__func__
    for _ in range(2):  # two scans, as two predictions make them
        assert [larger(k) for k in keys] == [stock.__func__.__wrapped__(k) for k in keys]
    assert larger.cache_info().misses == len(set(keys))  # the second scan decoded nothing


def test_a_changed_rule_key_function_refuses_to_start(monkeypatch):
    import functools

    @functools.lru_cache(maxsize=1000)
    def _rule_key_to_state(rule_key: str) -> list:  # what a future Rasa might ship
        return []

    monkeypatch.setattr(RulePolicy, "_rule_key_to_state", staticmethod(_rule_key_to_state))
    with pytest.raises(rasa_main.RasaPatchError, match="_rule_key_to_state is not the reviewed one"):
        rasa_main.larger_rule_key_cache()


# skops imported first (bot/rasa_main.py's start, before Rasa) or after everything the Rasa server loads:
# its trusted type names, which decide whether the intent classifier loads, must be the same.
_TRUSTED_NAMES = """
import json, sys
from bot.rasa_without_tensorflow import keep_tensorflow_out
keep_tensorflow_out()
if sys.argv[1] == "late":
    import bot.rasa_main, rasa.core.agent, rasa.core.run, bot.nlu.sentence_embeddings, bot.nlu.safety_component
    import safety.engine, onnxruntime
import skops.io._trusted_types as names
print(json.dumps({k: getattr(names, k) for k in sorted(dir(names)) if k.endswith("_NAMES")}))
"""


def test_skops_imported_first_trusts_the_same_types() -> None:
    import json
    import subprocess
    import sys

    def names(order: str) -> dict[str, list[str]]:
        done = subprocess.run([sys.executable, "-c", _TRUSTED_NAMES, order], capture_output=True, text=True,
                              check=True, env={**__import__("os").environ, "RASA_TELEMETRY_ENABLED": "false"})
        return json.loads(done.stdout.strip().splitlines()[-1])

    early = names("early")
    assert early["SCIPY_UFUNC_TYPE_NAMES"] and early["NUMPY_UFUNC_TYPE_NAMES"]
    assert early == names("late")


def test_the_server_imports_skops_before_rasa() -> None:
    import inspect

    source = inspect.getsource(rasa_main)
    assert source.index("import skops.io") < source.index("import rasa  #")
