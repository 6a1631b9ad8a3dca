"""bot.prior_states: the past dialogue states every policy reads are the same, dictionary for dictionary and
shared where Rasa shares them, when the tracker is replayed once per state of the conversation; and the
policies predict the same actions with it."""
from __future__ import annotations

import copy
from typing import Any

import pytest
from rasa.core.policies.memoization import MemoizationPolicy
from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import prior_states, rasa_main, rule_index

_CURRENT = Domain.states_for_tracker_history
STOCK = getattr(_CURRENT, "_bot_original", _CURRENT)
CACHED = prior_states.make_states_for_tracker_history(STOCK)


def _sharing(states: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Which earlier state's sub-dict each sub-dict is (the same object), or None: Rasa's aliasing."""
    seen: dict[int, tuple[int, str]] = {}
    pattern = []
    for index, state in enumerate(states):
        for key, sub_state in state.items():
            pattern.append((index, key, seen.get(id(sub_state))))
            seen.setdefault(id(sub_state), (index, key))
    return pattern


def _same(domain: Any, tracker: Any, **options: Any) -> None:
    stock = STOCK(domain, tracker, **options)
    cached = CACHED(domain, tracker, **options)
    assert cached == stock, tracker.sender_id
    assert _sharing(cached) == _sharing(stock), tracker.sender_id


@pytest.fixture(scope="module")
def trained() -> Any:
    """The trained model's domain and policies, and the trackers of tests/test_stories and data/."""
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
    components = [node._component for node in nodes.values()]
    rules = next(c for c in components if isinstance(c, RulePolicy))
    memo = next(c for c in components if isinstance(c, MemoizationPolicy) and not isinstance(c, RulePolicy))
    trackers = [
        *load_data(str(settings.root / "tests" / "test_stories"), agent.domain, augmentation_factor=0),
        *load_data(str(settings.root / "data"), agent.domain, augmentation_factor=0),
    ]
    return agent.domain, rules, memo, trackers


def _prediction_points(tracker: Any, domain: Any) -> Any:
    """The tracker as it was before each action it took: where Rasa predicts."""
    events = list(tracker.events)
    for position, event in enumerate(events):
        if isinstance(event, ActionExecuted) and position:
            yield DialogueStateTracker.from_events(tracker.sender_id, events[:position], domain.slots)


def _with_hidden_rule_turns(tracker: Any, domain: Any) -> Any:
    """The same conversation with every third action marked as a rule turn hidden from stories (as RulePolicy
    marks its rule-only predictions in a live conversation): what ignore_rule_only_turns skips."""
    events = [ActionExecuted(e.action_name, e.policy, e.confidence, e.timestamp, e.metadata, e.action_text,
                             hide_rule_turn=True)
              if type(e) is ActionExecuted and e.action_name != "action_listen" and position % 3 == 0 else e
              for position, e in enumerate(tracker.events)]
    return DialogueStateTracker.from_events(tracker.sender_id, events, domain.slots)


def _rule_prediction(policy: Any, tracker: Any, domain: Any) -> tuple[Any, ...]:
    prediction, source = policy._predict(tracker, domain)
    return (source, prediction.probabilities, [e.as_dict() for e in prediction.events],
            prediction.is_end_to_end_prediction, prediction.is_no_user_prediction, prediction.hide_rule_turn)


def _memo_prediction(policy: Any, tracker: Any, domain: Any, rule_only_data: Any) -> tuple[Any, ...]:
    prediction = policy.predict_action_probabilities(tracker, domain, rule_only_data=rule_only_data)
    return prediction.probabilities, prediction.hide_rule_turn


def test_every_story_state_gives_the_same_states_and_predictions(trained, monkeypatch):
    import logging

    import rasa.core.policies.memoization
    import rasa.core.policies.rule_policy
    import structlog

    # Rasa's debug lines deep-copy and print every state on each prediction: hours here, and nothing tested.
    quiet = structlog.wrap_logger(None, wrapper_class=structlog.make_filtering_bound_logger(logging.INFO))
    monkeypatch.setattr(rasa.core.policies.rule_policy, "structlogger", quiet)
    monkeypatch.setattr(rasa.core.policies.memoization, "structlogger", quiet)
    # RulePolicy as `bot run` serves it (its rule index and rule cache, each compared with Rasa's own on every
    # story state in tests/bot/test_rule_index.py): Rasa's full scan of every rule was ~90% of this test's time.
    _get_possible_keys = RulePolicy._get_possible_keys
    monkeypatch.setattr(RulePolicy, "_get_possible_keys", rule_index.make_get_possible_keys(
        getattr(_get_possible_keys, "_bot_original", _get_possible_keys)))
    monkeypatch.setattr(RulePolicy, "_rule_key_to_state", RulePolicy.__dict__["_rule_key_to_state"])
    rasa_main.larger_rule_key_cache()
    domain, rules, memo, trackers = trained
    rule_only_data = rules._get_rule_only_data()
    assert rule_only_data.get("rule_only_slots") and rule_only_data.get("rule_only_loops")  # the rule-only path is exercised
    points = hidden = 0
    for tracker in [*trackers, *(_with_hidden_rule_turns(t, domain) for t in trackers)]:
        for before in _prediction_points(tracker, domain):
            points += 1
            for ignore in (False, True):
                _same(domain, before, ignore_rule_only_turns=ignore, rule_only_data=rule_only_data)
                _same(domain, before, ignore_rule_only_turns=ignore, rule_only_data=None)
            hidden += len(STOCK(domain, before, ignore_rule_only_turns=True, rule_only_data=rule_only_data)) < len(
                STOCK(domain, before))
            monkeypatch.setattr(Domain, "states_for_tracker_history", STOCK)
            expected = (_rule_prediction(rules, before, domain), _memo_prediction(memo, before, domain, rule_only_data))
            monkeypatch.setattr(Domain, "states_for_tracker_history", CACHED)
            # from the records the comparisons above left on the tracker
            got = (_rule_prediction(rules, before, domain), _memo_prediction(memo, before, domain, rule_only_data))
            assert got == expected, tracker.sender_id
    print(f"{points} prediction points, {hidden} with hidden rule turns")
    assert points > 2000 and hidden > 500  # rule-only turns were really skipped somewhere


def _conversation(domain: Any) -> Any:
    tracker = DialogueStateTracker.from_events("c", [
        ActionExecuted("action_session_start"), ActionExecuted("action_listen"),
        UserUttered("hi", {"name": "greet", "confidence": 1.0}),
    ], domain.slots)
    return tracker


def test_a_caller_editing_its_states_does_not_change_the_next_callers(trained):
    domain = trained[0]
    tracker = _conversation(domain)
    first = CACHED(domain, tracker)
    expected = copy.deepcopy(first)
    for state in first:
        for sub_state in state.values():
            sub_state.clear()  # as the featurizer drops the text or intent of the last user state
        state.clear()
    assert CACHED(domain, tracker) == expected == STOCK(domain, tracker)


def test_new_events_are_seen(trained):
    domain = trained[0]
    tracker = _conversation(domain)
    CACHED(domain, tracker)
    slot = next(s for s in domain.slots if s.influence_conversation)
    value = "x" if slot.type_name == "text" else True
    for event in (ActionExecuted("utter_greet"), SlotSet(slot.name, value), ActionExecuted("action_listen")):
        tracker.update(event)
        assert CACHED(domain, tracker) == STOCK(domain, tracker)
    assert len(CACHED(domain, tracker)) == 5


def test_a_tracker_with_a_maximum_history_and_omitted_slots_go_through_rasa(trained, monkeypatch):
    domain = trained[0]
    calls = []

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return STOCK(*args, **kwargs)

    cached = prior_states.make_states_for_tracker_history(counting)
    bounded = DialogueStateTracker("b", domain.slots, max_event_history=5)
    cached(domain, bounded)
    cached(domain, _conversation(domain), omit_unset_slots=True)
    assert len(calls) == 2 and prior_states.CACHE_ATTRIBUTE not in bounded.__dict__


def test_install_replaces_the_function_once(monkeypatch):
    monkeypatch.setattr(Domain, "states_for_tracker_history", STOCK)
    prior_states.install()
    installed = Domain.states_for_tracker_history
    prior_states.install()
    assert Domain.states_for_tracker_history is installed and installed._bot_original is STOCK
