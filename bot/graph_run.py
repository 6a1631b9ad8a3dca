"""Rasa's model graph run node after node in one plan per set of targets, without dask's scheduler (what
`bot run` installs, through bot/rasa_main.py).

Why: Rasa runs its model graph for every message (the NLU pipeline) and for every prediction (the
domain, the policies and the ensemble: two or three times a message) through `DaskGraphRunner.run`,
which first recomputes the minimal schema for the targets (a recursive walk and a new GraphSchema),
builds a dask graph, and hands it to `dask.get`, whose synchronous scheduler orders the tasks and
keeps its own queues and bookkeeping. Our graph is two straight chains of a dozen nodes; py-spy under
`bot bench --cpu` put the scheduler's own work (outside the nodes) at ~5% of the Rasa server's time.

What this does instead: for each tuple of targets, once, the same minimal schema Rasa computes and an
order in which every node comes after the nodes it needs (depth first from the targets, in the
schema's order of needs); then each run calls each node with exactly the arguments dask would give
it: the (name, output) tuple of each node it needs, in the order of its `needs`, or the name itself
when nothing provides it (as dask passes a string that is not one of its keys), the run's inputs as
`(name, value)` tuples, and returns `{node name: output}` for the targets as `dict(dask.get(...))`
does. The nodes are the same `GraphNode`s and run in the same process and thread; errors are raised
as dask's synchronous scheduler raises them (the node's own exception), so Rasa's handling is
unchanged. tests/bot/test_graph_run.py compares both runners' results and the order of every
node's arguments on the trained model's NLU and core graphs, and `rasa test`-style predictions.

Tied to the pinned Rasa (bot/rasa_pin.py): `install()` refuses to start when the Rasa version or the
source of `DaskGraphRunner.run`, `_build_dask_graph`, `_add_inputs_to_graph` or
`GraphSchema.minimal_graph_schema` differs from what was reviewed.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from bot.rasa_pin import check_reviewed

EXPECTED_SOURCES = {
    "DaskGraphRunner.run": "45f0f52f574f3aa9546a552bf671183e171092c18b66e97f5771a7fa295de37e",
    "DaskGraphRunner._build_dask_graph": "5bb99f974d512a36acb61caaf77aafc851b90c04ce4d02c262f230c75086cbee",
    "DaskGraphRunner._add_inputs_to_graph": "d04a0ca2df6241c16997b89d63e2ca89cd1d43bd5f9920843a2a86cb4286ac73",
    "GraphSchema.minimal_graph_schema": "58dfb30335499fff7640e0d4ea6c0a715e23abc27e641b05636798db7bb4f9fe",
    "GraphSchema._all_dependencies_schema": "eab261021d184a11e4af6cf9a0499f8d0026d1a4caf59083aaf5a1d7bcb249b3",
}

PLANS_ATTRIBUTE = "_bot_run_plans"


class GraphRunPatchError(RuntimeError):
    """Rasa is not the version this module was reviewed against; review it before starting."""


def _functions() -> Dict[str, Any]:
    from rasa.engine.graph import GraphSchema
    from rasa.engine.runner.dask import DaskGraphRunner

    run = DaskGraphRunner.run
    return {
        "DaskGraphRunner.run": getattr(run, "_bot_original", run),
        "DaskGraphRunner._build_dask_graph": DaskGraphRunner._build_dask_graph,
        "DaskGraphRunner._add_inputs_to_graph": DaskGraphRunner.__dict__["_add_inputs_to_graph"].__func__,
        "GraphSchema.minimal_graph_schema": GraphSchema.minimal_graph_schema,
        "GraphSchema._all_dependencies_schema": GraphSchema._all_dependencies_schema,
    }


def check_rasa(version: Optional[str] = None, sources: Optional[Dict[str, Optional[str]]] = None) -> None:
    """Raise GraphRunPatchError unless Rasa and the functions relied on are the reviewed ones."""
    check_reviewed("bot/graph_run.py", GraphRunPatchError, _functions, EXPECTED_SOURCES, version, sources)


Plan = List[Tuple[Text, Any, Tuple[Text, ...]]]  # (node name, GraphNode, the names of what it needs)


def make_plan(runner: Any, targets: List[Text]) -> Plan:
    """Every node the targets need, each after what it needs, with its needs in `needs` order."""
    schema = runner._graph_schema.minimal_graph_schema(targets)
    plan: Plan = []
    placed: set = set()

    def place(name: Text) -> None:
        if name in placed or name not in schema.nodes:
            return
        placed.add(name)
        needs = tuple(schema.nodes[name].needs.values())
        for need in needs:
            place(need)
        plan.append((name, runner._instantiated_nodes[name], needs))

    for target in targets:
        place(target)
    return plan


def run_plan(plan: Plan, inputs: Optional[Dict[Text, Any]], targets: List[Text]) -> Dict[Text, Any]:
    """The nodes of `plan` in order, each given what dask would give it; the targets' outputs."""
    results: Dict[Text, Any] = {}
    if inputs:
        for input_name, input_value in inputs.items():
            results[input_name] = (input_name, input_value)
    for name, node, needs in plan:
        results[name] = node(*(results.get(need, need) for need in needs))
    return dict(results[target] for target in targets)


def make_run(original: Any) -> Any:
    """A drop-in `DaskGraphRunner.run` that runs one plan per set of targets without dask."""
    from rasa.engine.exceptions import GraphRunError

    def run(self: Any, inputs: Optional[Dict[Text, Any]] = None,
            targets: Optional[List[Text]] = None) -> Dict[Text, Any]:
        run_targets = list(targets if targets else self._graph_schema.target_names)
        plans = self.__dict__.setdefault(PLANS_ATTRIBUTE, {})
        key = tuple(run_targets)
        plan = plans.get(key)
        if plan is None:
            plan = plans[key] = make_plan(self, run_targets)
        if inputs:
            planned = {name for name, _, _ in plan}
            for input_name, input_value in inputs.items():
                if isinstance(input_value, str) and input_value in planned:
                    raise GraphRunError(
                        f"Input value '{input_value}' clashes with a node name. Make sure "
                        f"that none of the input names passed to the `run` method are the "
                        f"same as node names in the graph schema."
                    )
        return run_plan(plan, inputs, run_targets)

    run._bot_original = original  # type: ignore[attr-defined]
    run.__doc__ = "Rasa's graph run without dask's scheduler (bot/graph_run.py)."
    return run


def install() -> None:
    """Replace `DaskGraphRunner.run` (after the checks above); idempotent."""
    from rasa.engine.runner.dask import DaskGraphRunner

    check_rasa()
    if getattr(DaskGraphRunner.run, "_bot_original", None) is not None:
        return
    DaskGraphRunner.run = make_run(DaskGraphRunner.run)  # type: ignore[method-assign]
