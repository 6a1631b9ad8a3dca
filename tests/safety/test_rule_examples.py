"""Every rule's own examples: `match` must trigger it, `no_match` must not."""
from __future__ import annotations

import pytest

from safety import assess
from safety.assessment import Kind
from safety.rules import iter_examples, load_ruleset

RULESET = load_ruleset()
RISK = iter_examples(RULESET.rules)
IDIOMS = iter_examples(RULESET.idioms)


def _id(case: tuple) -> str:
    rule, text, should = case
    return f"{rule.id}:{'match' if should else 'no_match'}:{text[:40]}"


def test_every_rule_has_match_examples():
    assert all(rule.examples_match for rule in (*RULESET.rules, *RULESET.idioms))


@pytest.mark.parametrize("case", RISK, ids=[_id(c) for c in RISK])
def test_risk_rule_example(case, engine):
    """The rules themselves (a weak rule's hit waits for the risk model, tested elsewhere)."""
    rule, text, should_match = case
    fired = {hit.rule.id for hit in engine.rule_hits(text)}
    if should_match:
        assert rule.id in fired, f"{rule.id} ({rule.file}) did not fire on its example {text!r}; fired: {fired}"
    else:
        assert rule.id not in fired, f"{rule.id} ({rule.file}) fired on its no_match example {text!r}"


@pytest.mark.parametrize("case", IDIOMS, ids=[_id(c) for c in IDIOMS])
def test_idiom_example(case, engine):
    rule, text, should_match = case
    matched = [rid for rid, _ in engine.explain(text)["idiom_matches"]]
    if should_match:
        assert rule.id in matched, f"idiom {rule.id} did not match its example {text!r}"
        result = assess(text)
        if rule.suppresses == frozenset({"intent_or_timeline"}) and result.escalate:
            # an idiom that sets aside only a time ("suicidal thoughts are really bad TONIGHT") leaves the rest
            # to escalate; what it promises is that the time no longer makes the message an emergency
            assert "intent_or_timeline" not in result.categories and result.kind is not Kind.EMERGENCY, \
                f"idiom example {text!r} still escalates through the time"
        else:
            assert not result.escalate, f"idiom example {text!r} still escalates"
    else:
        assert rule.id not in matched, f"idiom {rule.id} matched its no_match example {text!r}"
