"""RulePolicy's rule scan, starting from the few rules that can match the latest state (what `bot run`
installs, through bot/rasa_main.py).

Why: on every prediction (several per message) `RulePolicy._get_possible_keys` checks every rule
against the latest dialogue state with `_is_rule_applicable`, which copies the rule's states
(`list(reversed(...))`) and compares them; our model has about 1,110 rules, so that first pass was
about a quarter of the Rasa server's CPU (py-spy under the bench's load). Almost every rule's last
state names the previous action, and most also the intent, that it needs: a rule whose last state says
`prev_action: {action_name: A}` (and `user: {intent: I}`) can only pass that first check when the
conversation's latest state has the same action name (and intent), because `_does_rule_match_state`
compares each value a rule sets with the conversation's and a rule with a previous action never
matches a state without one.

So the first pass looks only at the rules filed under the latest state's (action name, intent), under
its action name with any intent, under its intent with any action, and at the rules that constrain
neither (or whose last state has no previous action); it runs Rasa's own `_is_rule_applicable` on
each of those. The rules it skips are exactly those that check would reject. The later passes (older
states) are Rasa's, unchanged, over what is left. The set returned is also built in the same order as
Rasa's (rules of equal length that both match are picked by `max` in the set's iteration order), so
the predictions are identical, ties included: tests/bot/test_rule_index.py compares both scans on
every state of every test story and of the training stories and rules.

Tied to the pinned Rasa (bot/rasa_pin.py): `install()` refuses to start when the Rasa version or the
source of `_get_possible_keys`, `_is_rule_applicable` or `_does_rule_match_state` differ from what was
reviewed; the argument above depends on all three.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional, Set, Text, Tuple

from bot.rasa_pin import check_sources, check_version, source_sha256

# sha256 of `inspect.getsource` of each RulePolicy function the index's argument depends on.
EXPECTED_SOURCES = {
    "_get_possible_keys": "2915fd81711e194c6d667728e00bd0e51e9c1c2791a0be14c55f0ef9938f9936",
    "_is_rule_applicable": "64a108b016b46e573d6020b755a6036439dc207a364b45c9ea5dcb0f18dc7068",
    "_does_rule_match_state": "d3109c1a97de319ceee17570d2d96b51c2fa0006379c5a491d5ed7df136666a7",
}

ANY = None  # a rule's last state that does not constrain the action name (or the intent)
_NO_MATCH = object()  # a conversation value no rule's string can equal


class RuleIndexError(RuntimeError):
    """Rasa is not the version the index was reviewed against; review it before starting."""


def _constraint(rule_sub_state: Any, key: Text, should_not_be_set: Text) -> Optional[Text]:
    """The string the rule requires for `key` (ANY when it requires none the index can use)."""
    value = rule_sub_state.get(key) if isinstance(rule_sub_state, dict) else None
    if isinstance(value, str) and value and value != should_not_be_set:
        return value
    return ANY


class RuleIndex:
    """The keys of one RulePolicy lookup filed by what their last state requires of the latest state."""

    def __init__(self, lookup: Dict[Text, Text], rule_key_to_state: Callable[[Text], List[Dict[Text, Any]]]) -> None:
        from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET, USER
        from rasa.shared.nlu.constants import ACTION_NAME, INTENT

        self.lookup = lookup
        self.size = len(lookup)
        # Exactly the set Rasa's scan starts from, in its iteration order.
        self.order: List[Text] = list(set(lookup.keys()))
        self.position = {key: position for position, key in enumerate(self.order)}
        self.buckets: Dict[Tuple[Optional[Text], Optional[Text]], List[Text]] = {}
        for key in self.order:
            states = rule_key_to_state(key)
            last = states[-1] if states else {}
            previous_action = last.get(PREVIOUS_ACTION)
            if not previous_action:
                # A conversation start (or an empty rule): Rasa decides without comparing values.
                filed = (ANY, ANY)
            else:
                filed = (_constraint(previous_action, ACTION_NAME, SHOULD_NOT_BE_SET),
                         _constraint(last.get(USER), INTENT, SHOULD_NOT_BE_SET))
            self.buckets.setdefault(filed, []).append(key)
        self._keys = (PREVIOUS_ACTION, ACTION_NAME, USER, INTENT)

    def is_for(self, lookup: Dict[Text, Text]) -> bool:
        return self.lookup is lookup and self.size == len(lookup)

    def candidates(self, state: Dict[Text, Any]) -> Iterable[Text]:
        """Every key that could pass `_is_rule_applicable(key, 0, state)` (and some that do not)."""
        previous_action_key, action_name_key, user_key, intent_key = self._keys
        action = (state.get(previous_action_key) or {}).get(action_name_key)
        intent = (state.get(user_key) or {}).get(intent_key)
        action = action if isinstance(action, str) and action else _NO_MATCH
        intent = intent if isinstance(intent, str) and intent else _NO_MATCH
        for filed in {(action, intent), (action, ANY), (ANY, intent), (ANY, ANY)}:
            yield from self.buckets.get(filed, ())


def make_get_possible_keys(original: Callable[..., Set[Text]]) -> Callable[..., Set[Text]]:
    """A drop-in `RulePolicy._get_possible_keys` whose first pass reads only the indexed candidates."""

    def _get_possible_keys(self: Any, lookup: Dict[Text, Text], states: List[Dict[Text, Any]]) -> Set[Text]:
        if not states:
            return original(self, lookup, states)
        indexes = self.__dict__.setdefault("_bot_rule_indexes", {})
        index = indexes.get(id(lookup))
        if index is None or not index.is_for(lookup):
            index = indexes[id(lookup)] = RuleIndex(lookup, self._rule_key_to_state)
        latest = states[-1]
        passed = {key for key in index.candidates(latest) if self._is_rule_applicable(key, 0, latest)}
        # Rasa's first pass as Rasa builds it: the keys that pass, added one by one in the starting set's
        # order (a set built by the same insertions in the same order iterates in the same order).
        possible_keys = set(iter(sorted(passed, key=index.position.__getitem__)))
        for i, state in enumerate(reversed(states)):
            if i == 0:
                continue
            # From here on, exactly Rasa's loop.
            possible_keys = set(
                filter(
                    lambda _key: self._is_rule_applicable(_key, i, state), possible_keys
                )
            )
        return possible_keys

    _get_possible_keys.__doc__ = "RulePolicy._get_possible_keys, the first pass through an index (bot/rule_index.py)."
    return _get_possible_keys


def check_rasa(version: Optional[str] = None, sources: Optional[Dict[str, str]] = None) -> None:
    """Raise RuleIndexError unless Rasa and the functions the index depends on are the reviewed ones."""
    import rasa
    from rasa.core.policies.rule_policy import RulePolicy

    version = rasa.__version__ if version is None else version
    check_version("bot/rule_index.py", RuleIndexError, version)
    if sources is None:
        sources = {}
        for name in EXPECTED_SOURCES:
            function = getattr(RulePolicy, name)
            function = getattr(function, "_bot_original", function)
            sources[name] = source_sha256(function)
    check_sources("bot/rule_index.py", RuleIndexError, {f"RulePolicy.{name}": sha for name, sha in sources.items()},
                  {f"RulePolicy.{name}": sha for name, sha in EXPECTED_SOURCES.items()})


def install() -> None:
    """Replace `RulePolicy._get_possible_keys` (after the checks above); idempotent."""
    from rasa.core.policies.rule_policy import RulePolicy

    check_rasa()
    current = RulePolicy._get_possible_keys
    if getattr(current, "_bot_original", None) is not None:
        return
    replacement = make_get_possible_keys(current)
    replacement._bot_original = current  # type: ignore[attr-defined]
    RulePolicy._get_possible_keys = replacement  # type: ignore[method-assign]
