"""bot.rule_index: RulePolicy finds exactly the same rules, in the same order, and predicts exactly the same
actions with the index as without it."""
from __future__ import annotations

import json
from typing import Any

import pytest
from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.constants import SHOULD_NOT_BE_SET
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker

from bot import rasa_main, rule_index

# Rasa's own scan, before any test or `install()` replaces it.
_CURRENT = RulePolicy.__dict__["_get_possible_keys"]
STOCK = getattr(_CURRENT, "_bot_original", _CURRENT)
INDEXED = rule_index.make_get_possible_keys(STOCK)


def _key(*states: dict[str, Any]) -> str:
    """A rule key as RulePolicy stores it (the states as sorted JSON)."""
    return json.dumps(list(states), sort_keys=True)


LISTEN = {"action_name": "action_listen"}
# Every kind of last state the index files differently, and conversations that do or do not match them.
SYNTHETIC_LOOKUP = {
    _key({"prev_action": LISTEN, "user": {"intent": "greet"}}): "utter_greet",
    _key({"prev_action": LISTEN, "user": {"intent": "mood_low"}}): "utter_low",
    _key({"prev_action": LISTEN, "user": {"intent": "mood_low"}, "slots": {"exercise": (1.0,)}}): "utter_step",
    _key({"prev_action": LISTEN, "user": {"intent": "mood_low"}, "slots": {"exercise": SHOULD_NOT_BE_SET}}): "x",
    _key({}, {"prev_action": LISTEN, "user": {"intent": "greet"}}): "utter_hello",  # conversation start
    _key({"prev_action": {"action_name": "utter_greet"}}, {"prev_action": LISTEN, "user": {"intent": "greet"}}): "a",
    _key({"prev_action": {"action_name": "utter_greet"}}): "action_listen",  # no intent
    _key({"prev_action": LISTEN, "user": {"text": "hi"}}): "utter_text",  # text, no intent
    _key({"prev_action": {"action_text": "hello"}}): "action_listen",  # action text, no name
    _key({"prev_action": {"action_name": SHOULD_NOT_BE_SET}, "user": {"intent": "greet"}}): "odd",
    _key({"user": {"intent": "greet"}}): "no_previous_action",
    _key({"prev_action": LISTEN, "active_loop": {"name": "rating_form"}, "user": {"intent": "greet"}}): "b",
    _key(): "empty",
}
SYNTHETIC_STATES = [
    [],
    [{}],
    [{"prev_action": LISTEN, "user": {"intent": "greet"}}],
    [{}, {"prev_action": LISTEN, "user": {"intent": "greet"}}],
    [{"prev_action": {"action_name": "utter_greet"}}, {"prev_action": LISTEN, "user": {"intent": "greet"}}],
    [{"prev_action": LISTEN, "user": {"intent": "mood_low"}, "slots": {"exercise": (1.0,)}}],
    [{"prev_action": LISTEN, "user": {"intent": "mood_low"}}],
    [{"prev_action": LISTEN, "user": {"text": "hi"}}],
    [{"prev_action": {"action_name": "utter_greet"}}],
    [{"prev_action": {"action_text": "hello"}}],
    [{"prev_action": LISTEN, "active_loop": {"name": "rating_form"}, "user": {"intent": "greet"}}],
    [{"user": {"intent": "greet"}}],
    [{"prev_action": {"action_name": "utter_low"}, "user": {"intent": "greet"}}],
]


def _bare_policy() -> Any:
    return RulePolicy.__new__(RulePolicy)  # the scan reads no configuration


@pytest.mark.parametrize("states", SYNTHETIC_STATES)
def test_the_index_finds_the_same_rules_in_the_same_order_on_every_kind_of_rule(states):
    policy = _bare_policy()
    stock = STOCK(policy, SYNTHETIC_LOOKUP, states)
    assert list(INDEXED(policy, SYNTHETIC_LOOKUP, states)) == list(stock)


def test_the_synthetic_cases_match_something():
    """The cases above are not vacuous: most states match at least one rule, and some several."""
    policy = _bare_policy()
    found = [STOCK(policy, SYNTHETIC_LOOKUP, states) for states in SYNTHETIC_STATES]
    assert sum(1 for keys in found if keys) >= 8
    assert any(len(keys) >= 3 for keys in found)


def test_a_changed_lookup_gets_a_new_index():
    policy = _bare_policy()
    lookup = dict(SYNTHETIC_LOOKUP)
    states = [{"prev_action": LISTEN, "user": {"intent": "greet"}}]
    before = INDEXED(policy, lookup, states)
    lookup.pop(max(before, key=len))  # as Rasa's training does while it analyses rules
    assert list(INDEXED(policy, lookup, states)) == list(STOCK(policy, lookup, states))


def test_install_replaces_the_scan_once(monkeypatch):
    monkeypatch.setattr(RulePolicy, "_get_possible_keys", STOCK)
    rule_index.install()
    installed = RulePolicy._get_possible_keys
    rule_index.install()
    assert RulePolicy._get_possible_keys is installed
    assert installed._bot_original is STOCK


# --- the trained model, on every state of every test story and of the training stories and rules ---------

@pytest.fixture(scope="module")
def trained() -> Any:
    """The trained model's RulePolicy and domain, and the trackers of tests/test_stories and data/."""
    from rasa.core.agent import Agent
    from rasa.core.training import load_data

    from bot.settings import get_settings
    from bot.training import model_path

    settings = get_settings()
    model = model_path(settings)
    if not model.is_file():
        pytest.skip("needs the trained model (`bot train`, which `make test` runs first)")
    agent = Agent.load(str(model))
    nodes = agent.processor.graph_runner._instantiated_nodes  # type: ignore[union-attr]
    policy = next(node._component for node in nodes.values() if isinstance(node._component, RulePolicy))
    trackers = [
        *load_data(str(settings.root / "tests" / "test_stories"), agent.domain, augmentation_factor=0),
        *load_data(str(settings.root / "data"), agent.domain, augmentation_factor=0),
    ]
    return policy, agent.domain, trackers


def _prediction_points(tracker: Any, domain: Any) -> Any:
    """The tracker as it was before each action it took: where Rasa predicts."""
    events = list(tracker.events)
    for position, event in enumerate(events):
        if isinstance(event, ActionExecuted) and position:
            yield DialogueStateTracker.from_events(tracker.sender_id, events[:position], domain.slots)


def _prediction(policy: Any, tracker: Any, domain: Any) -> tuple[Any, ...]:
    prediction, source = policy._predict(tracker, domain)
    return (source, prediction.probabilities, [e.as_dict() for e in prediction.events],
            prediction.is_end_to_end_prediction, prediction.is_no_user_prediction, prediction.hide_rule_turn)


def test_our_rules_give_identical_predictions_on_every_story_state(trained, monkeypatch):
    import logging

    import rasa.core.policies.rule_policy
    import structlog

    # Rasa's debug line deep-copies and prints every state on each prediction: hours here, and nothing tested.
    monkeypatch.setattr(rasa.core.policies.rule_policy, "structlogger",
                        structlog.wrap_logger(None, wrapper_class=structlog.make_filtering_bound_logger(logging.INFO)))
    # As `bot run` serves: the rule cache that holds every rule (bot/rasa_main.py), restored afterwards.
    monkeypatch.setattr(RulePolicy, "_rule_key_to_state", RulePolicy.__dict__["_rule_key_to_state"])
    rasa_main.larger_rule_key_cache()
    policy, domain, trackers = trained
    rule_only_data = policy._get_rule_only_data()
    points = scans = matched = ties = 0
    for tracker in trackers:
        for before in _prediction_points(tracker, domain):
            points += 1
            for use_text in (True, False):
                states = policy._prediction_states(before, domain, use_text, rule_only_data=rule_only_data)
                for name in ("rules", "rules_for_loop_unhappy_path"):
                    lookup = policy.lookup[name]
                    stock = STOCK(policy, lookup, states)
                    assert list(INDEXED(policy, lookup, states)) == list(stock), (tracker.sender_id, states)
                    scans += 1
                    matched += bool(stock)
                    longest = max((len(key) for key in stock), default=0)
                    ties += sum(1 for key in stock if len(key) == longest) > 1
            monkeypatch.setattr(RulePolicy, "_get_possible_keys", STOCK)
            expected = _prediction(policy, before, domain)
            monkeypatch.setattr(RulePolicy, "_get_possible_keys", INDEXED)
            assert _prediction(policy, before, domain) == expected, tracker.sender_id
    print(f"{points} prediction points, {scans} scans, {matched} with a matching rule, {ties} with a tie")
    assert points > 1000 and matched > points  # the comparison covered real rule matches
