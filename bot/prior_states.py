"""The dialogue states of a conversation's past, computed once per state of the conversation instead of
once per policy call (what `bot run` installs, through bot/rasa_main.py).

Why: every policy turns the tracker into the list of its past dialogue states on every prediction
(`Domain.states_for_tracker_history`): it copies the tracker (`init_copy`, which copies every slot),
replays every applied event into the copy and builds a state (user, slots, previous action, loop)
before each action. MemoizationPolicy asks once, RulePolicy once or twice (text, then intent) with
other options, and a message has two or three predictions; py-spy under `bot bench --cpu` put this
at ~9% of the Rasa server's time, nearly all of it the replay and the state building, which do not
depend on those options.

So the replay runs once per state of the conversation: what each prior tracker contributes (its
state as `get_active_state` builds it, its previous action, hidden-rule-turn flag, follow-up action,
latest action and active loop name) is kept on the tracker, and each call runs Rasa's own loop over
those records with its own helpers (`_remove_rule_only_features`, `_substitute_rule_only_user_input`,
`_clean_state`). Each call gets new dictionaries, shared between its states exactly where Rasa's
own result shares them (a hidden turn's previous action is the same dict as the last shown one's),
so callers that edit the states they get (the featurizer drops text or intent from the last one) see
what they saw before and never touch the records.

The records are valid while the tracker's events are: they are keyed by the number of events, the
last event object (kept, so it cannot be another object at the same address) and the domain. Rasa
only ever appends events to a tracker (bot/tracker_store.py relies on the same to save only new
ones); a tracker whose events deque has a maximum length (appending drops the oldest) is never
cached. Only `omit_unset_slots=False` (what prediction uses) is cached; the other goes through
Rasa's function. tests/bot/test_prior_states.py compares both on every prediction point of the test
stories and of data/, with and without rule-only turns.

Tied to the pinned Rasa (bot/rasa_pin.py): `install()` refuses to start when the Rasa version or
the source of a function this depends on differs from what was reviewed.
"""
from __future__ import annotations

from typing import Any, Dict, List, NamedTuple, Optional, Text

from bot.rasa_pin import check_reviewed

# sha256 of `inspect.getsource` of each Rasa function the records and the loop below follow.
EXPECTED_SOURCES = {
    "Domain.states_for_tracker_history": "035111ce73ac90ba50e143abf556f924af07d9f452893f5a96a62895d44df8b7",
    "Domain.get_active_state": "5a4a505743120441541f40f1fdf65ea109983e3f7274610e47ca340167309418",
    "Domain._get_prev_action_sub_state": "ded6728b5c4b690236823d46279b380167100fa9a93c555827521b298e38a490",
    "Domain._clean_state": "8923165d0e7231abdaa449936c2d25e0e86a320eb7f2d0f17b931e2c08454afe",
    "Domain._remove_rule_only_features": "3e4a2ba4c866fe250714d5a156aa8bd0fdd200c008cb2fd052e4f922aae9394d",
    "Domain._substitute_rule_only_user_input": "22bb906662cf575de41a8f66a6a35e4d5e324041b25a2939ecbcc81726e5ad93",
    "DialogueStateTracker.generate_all_prior_trackers": "a1f6954347b52649a7b1054741338997d2369197d91acb2eab7f6b11d3855ed1",
    "DialogueStateTracker.init_copy": "429fcd2243b9e0e1a6e8ffc3057a4f2fb4ecbb677055c644129bc65b6cd32b75",
}

CACHE_ATTRIBUTE = "_bot_prior_states"


class PriorStatesError(RuntimeError):
    """Rasa is not the version this module was reviewed against; review it before starting."""


class Turn(NamedTuple):
    """What one prior tracker (before an action, and the tracker at the end) gives the states."""

    hide_rule_turn: bool
    followup_action: Optional[Text]
    latest_action_name: Optional[Text]
    active_loop_name: Optional[Text]
    prev_action: Any  # tr.latest_action: the dict get_active_state puts under prev_action
    state: Dict[Text, Any]  # get_active_state(tr, omit_unset_slots=False)


def _functions() -> Dict[str, Any]:
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    history = Domain.states_for_tracker_history
    return {
        "Domain.states_for_tracker_history": getattr(history, "_bot_original", history),
        "Domain.get_active_state": Domain.get_active_state,
        "Domain._get_prev_action_sub_state": Domain.__dict__["_get_prev_action_sub_state"].__func__,
        "Domain._clean_state": Domain.__dict__["_clean_state"].__func__,
        "Domain._remove_rule_only_features": Domain.__dict__["_remove_rule_only_features"].__func__,
        "Domain._substitute_rule_only_user_input": Domain.__dict__["_substitute_rule_only_user_input"].__func__,
        "DialogueStateTracker.generate_all_prior_trackers": DialogueStateTracker.generate_all_prior_trackers,
        "DialogueStateTracker.init_copy": DialogueStateTracker.init_copy,
    }


def check_rasa(version: Optional[str] = None, sources: Optional[Dict[str, Optional[str]]] = None) -> None:
    """Raise PriorStatesError unless Rasa and the functions relied on are the reviewed ones."""
    check_reviewed("bot/prior_states.py", PriorStatesError, _functions, EXPECTED_SOURCES, version, sources)


def record_turns(domain: Any, tracker: Any) -> List[Turn]:
    """Rasa's replay of the tracker (generate_all_prior_trackers), keeping what each prior tracker gives."""
    turns = []
    for prior, hide_rule_turn in tracker.generate_all_prior_trackers():
        turns.append(Turn(hide_rule_turn, prior.followup_action, prior.latest_action_name,
                          prior.active_loop_name, domain._get_prev_action_sub_state(prior),
                          domain.get_active_state(prior, omit_unset_slots=False)))
    return turns


def cached_turns(domain: Any, tracker: Any) -> Optional[List[Turn]]:
    """The tracker's turns, replayed only when its events or the domain changed; None when not cacheable."""
    events = tracker.events
    if getattr(events, "maxlen", None) is not None:
        return None
    last = events[-1] if events else None
    cached = tracker.__dict__.get(CACHE_ATTRIBUTE)
    if cached is not None and cached[0] == len(events) and cached[1] is last and cached[2] is domain:
        return cached[3]
    turns = record_turns(domain, tracker)
    tracker.__dict__[CACHE_ATTRIBUTE] = (len(events), last, domain, turns)
    return turns


def _fresh_state(turn: Turn, prev_action: Any) -> Dict[Text, Any]:
    """A new copy of the turn's state, with `prev_action` (this call's copy) as its previous action."""
    from rasa.shared.core.constants import PREVIOUS_ACTION

    state = {}
    for key, sub_state in turn.state.items():
        if key == PREVIOUS_ACTION and sub_state is turn.prev_action:
            state[key] = prev_action
        else:
            state[key] = dict(sub_state) if isinstance(sub_state, dict) else sub_state
    return state


def states_from_turns(domain: Any, turns: List[Turn], ignore_rule_only_turns: bool,
                      rule_only_data: Optional[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    """Rasa's `states_for_tracker_history` loop (omit_unset_slots=False) over recorded turns."""
    from typing import cast

    from rasa.shared.core.constants import PREVIOUS_ACTION

    states: List[Dict[Text, Any]] = []
    last_ml_action_sub_state = None
    turn_was_hidden = False
    for turn in turns:
        # This call's copy of the turn's previous action: the same object in its state and, as in Rasa,
        # wherever a later state takes it as the last shown action.
        prev_action = dict(turn.prev_action) if isinstance(turn.prev_action, dict) else turn.prev_action
        if ignore_rule_only_turns:
            if not turn_was_hidden:
                last_ml_action_sub_state = prev_action
            if not turn.followup_action and not turn.latest_action_name == turn.active_loop_name:
                turn_was_hidden = turn.hide_rule_turn
            if turn_was_hidden:
                continue
        state = _fresh_state(turn, prev_action)
        if ignore_rule_only_turns:
            domain._remove_rule_only_features(state, rule_only_data)
            if states:
                domain._substitute_rule_only_user_input(state, states[-1])
            if last_ml_action_sub_state:
                state[PREVIOUS_ACTION] = cast(Any, last_ml_action_sub_state)
        states.append(domain._clean_state(state))
    return states


def make_states_for_tracker_history(original: Any) -> Any:
    """A drop-in `Domain.states_for_tracker_history` that replays each state of a tracker once."""

    def states_for_tracker_history(self: Any, tracker: Any, omit_unset_slots: bool = False,
                                   ignore_rule_only_turns: bool = False,
                                   rule_only_data: Optional[Dict[Text, Any]] = None) -> List[Dict[Text, Any]]:
        turns = None if omit_unset_slots else cached_turns(self, tracker)
        if turns is None:
            return original(self, tracker, omit_unset_slots=omit_unset_slots,
                            ignore_rule_only_turns=ignore_rule_only_turns, rule_only_data=rule_only_data)
        return states_from_turns(self, turns, ignore_rule_only_turns, rule_only_data)

    states_for_tracker_history._bot_original = original  # type: ignore[attr-defined]
    states_for_tracker_history.__doc__ = "Rasa's states_for_tracker_history, replayed once per tracker state (bot/prior_states.py)."
    return states_for_tracker_history


def install() -> None:
    """Replace `Domain.states_for_tracker_history` (after the checks above); idempotent."""
    from rasa.shared.core.domain import Domain

    check_rasa()
    current = Domain.states_for_tracker_history
    if getattr(current, "_bot_original", None) is not None:
        return
    Domain.states_for_tracker_history = make_states_for_tracker_history(current)  # type: ignore[method-assign]
