"""bot.graph_run: the trained model's graphs give the same parse and the same predictions, and every node is called
with the same arguments, when they run node after node as when dask's scheduler runs them."""
from __future__ import annotations

from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import GraphNode
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker

from bot import graph_run

_CURRENT = DaskGraphRunner.run
STOCK = getattr(_CURRENT, "_bot_original", _CURRENT)
PLANNED = graph_run.make_run(STOCK)


@pytest.fixture(scope="module")
def agent() -> Any:
    from rasa.core.agent import Agent

    from bot.settings import get_settings
    from bot.training import model_path

    settings = get_settings()
    if not model_path(settings).is_file():
        pytest.skip("needs the trained model (`bot train`, which `make test` runs first)")
    return Agent.load(str(model_path(settings)))


@pytest.fixture()
def calls(monkeypatch) -> list[tuple[str, tuple[Any, ...]]]:
    """Each node call: the node's name and, per argument, the name it carries (or the bare string)."""
    seen: list[tuple[str, tuple[Any, ...]]] = []
    original = GraphNode.__call__

    def recording(self: Any, *inputs: Any) -> Any:
        seen.append((self._node_name, tuple(i[0] if isinstance(i, tuple) else ("bare", i) for i in inputs)))
        return original(self, *inputs)

    monkeypatch.setattr(GraphNode, "__call__", recording)
    return seen


def _with(monkeypatch: Any, run: Any) -> None:
    monkeypatch.setattr(DaskGraphRunner, "run", run)


def test_every_nlu_example_parses_the_same_with_the_same_node_calls(agent, calls, monkeypatch):
    from rasa.shared.importers.importer import TrainingDataImporter

    from bot.settings import get_settings

    nlu = TrainingDataImporter.load_from_dict(training_data_paths=[str(get_settings().root / "data" / "nlu")])
    texts = sorted({example.get("text") for example in nlu.get_nlu_data().intent_examples})[::7]
    texts += ["I want to kill myself", "x" * 3000]
    processor = agent.processor
    for text in texts:
        tracker = DialogueStateTracker("parse", agent.domain.slots)
        parsed = {}
        for name, run in (("stock", STOCK), ("planned", PLANNED)):
            _with(monkeypatch, run)
            calls.clear()
            parsed[name] = (processor._parse_message_with_graph(UserMessage(text), tracker), sorted(calls))
        assert parsed["planned"] == parsed["stock"], text
    assert len(texts) > 150


def _events(events: list[Any]) -> list[dict[str, Any]]:
    """The events without their creation time (a prediction's events are made when it is made)."""
    return [{key: value for key, value in event.as_dict().items() if key != "timestamp"} for event in events]


def _prediction(agent: Any, tracker: Any) -> tuple[Any, ...]:
    target = agent.processor.model_metadata.core_target
    prediction = agent.processor.graph_runner.run(inputs={"__tracker__": tracker}, targets=[target])[target]
    return (prediction.max_confidence_index, prediction.probabilities, prediction.policy_name,
            _events(prediction.events), _events(prediction.optional_events),
            prediction.is_end_to_end_prediction, prediction.is_no_user_prediction, prediction.hide_rule_turn,
            prediction.action_metadata)


def test_every_test_story_state_predicts_the_same_with_the_same_node_calls(agent, calls, monkeypatch):
    import logging

    import rasa.core.policies.memoization
    import rasa.core.policies.rule_policy
    import structlog
    from rasa.core.training import load_data

    # Rasa's debug lines deep-copy and print every state on each prediction: minutes here, and nothing tested.
    quiet = structlog.wrap_logger(None, wrapper_class=structlog.make_filtering_bound_logger(logging.INFO))
    monkeypatch.setattr(rasa.core.policies.rule_policy, "structlogger", quiet)
    monkeypatch.setattr(rasa.core.policies.memoization, "structlogger", quiet)

    from bot.settings import get_settings

    trackers = load_data(str(get_settings().root / "tests" / "test_stories"), agent.domain, augmentation_factor=0)
    points = 0
    for story in trackers:
        events = list(story.events)
        for position, event in enumerate(events):
            if not (isinstance(event, ActionExecuted) and position):
                continue
            tracker = DialogueStateTracker.from_events(story.sender_id, events[:position], agent.domain.slots)
            got = {}
            for name, run in (("stock", STOCK), ("planned", PLANNED)):
                _with(monkeypatch, run)
                calls.clear()
                got[name] = (_prediction(agent, tracker), sorted(calls))
            assert got["planned"] == got["stock"], story.sender_id
            points += 1
    assert points > 500


def test_the_plan_puts_each_node_after_what_it_needs_and_is_made_once(agent):
    runner = agent.processor.graph_runner
    for target in (agent.processor.model_metadata.nlu_target, agent.processor.model_metadata.core_target):
        plan = graph_run.make_plan(runner, [target])
        order = [name for name, _, _ in plan]
        assert order[-1] == target and len(set(order)) == len(order)
        for position, (_, _, needs) in enumerate(plan):
            assert all(need not in order or order.index(need) < position for need in needs)
    runner.__dict__.pop(graph_run.PLANS_ATTRIBUTE, None)
    tracker = DialogueStateTracker("plan", agent.domain.slots)
    target = agent.processor.model_metadata.core_target
    PLANNED(runner, inputs={"__tracker__": tracker}, targets=[target])
    plans = runner.__dict__[graph_run.PLANS_ATTRIBUTE]
    first = plans[(target,)]
    PLANNED(runner, inputs={"__tracker__": tracker}, targets=[target])
    assert runner.__dict__[graph_run.PLANS_ATTRIBUTE][(target,)] is first


def test_an_input_named_like_a_node_is_refused_as_by_rasa(agent):
    runner = agent.processor.graph_runner
    target = agent.processor.model_metadata.core_target
    for run in (STOCK, PLANNED):
        with pytest.raises(GraphRunError, match="clashes with a node name"):
            run(runner, inputs={"__tracker__": target}, targets=[target])


def test_install_replaces_the_run_once(monkeypatch):
    monkeypatch.setattr(DaskGraphRunner, "run", STOCK)
    graph_run.install()
    installed = DaskGraphRunner.run
    graph_run.install()
    assert DaskGraphRunner.run is installed and installed._bot_original is STOCK
