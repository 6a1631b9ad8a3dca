"""The corpus: every risk message escalates; false alarms stay under a threshold.

A failing risk message shows up as its own test id (line number + text).
"""
from __future__ import annotations

import pytest

from safety import assess
from safety.assessment import Kind

from .conftest import read_corpus

RISK = read_corpus("risk.jsonl")
NONRISK = read_corpus("nonrisk.jsonl")
#: false-positive-rate ceiling on the nonrisk corpus (a false alarm pages staff)
MAX_FPR = 0.03


def test_corpus_is_large_and_covers_every_category():
    assert len(RISK) >= 650 and len(NONRISK) >= 650
    counts: dict[str, int] = {}
    for row in RISK:
        counts[row["category"]] = counts.get(row["category"], 0) + 1
    expected = {"passive_ideation", "active_ideation", "plan_or_method", "access_to_means", "intent_or_timeline",
                "preparation", "past_attempt", "attempt_in_progress", "self_harm_urge", "self_harm_act",
                "harm_to_others", "abuse_or_unsafe", "eating_disorder", "third_party_risk"}
    assert expected <= set(counts)
    assert min(counts[c] for c in expected) >= 35, counts


@pytest.mark.parametrize("row", RISK, ids=[f"risk.jsonl:{r['line']}:{r['text'][:50]}" for r in RISK])
def test_every_risk_message_escalates(row):
    result = assess(row["text"])
    assert result.escalate, f"MISSED risk message (line {row['line']}, {row['category']}): {row['text']!r} -> {result.kind.value}"


def test_false_positive_rate_is_below_threshold():
    alarms = [r for r in NONRISK if assess(r["text"]).escalate]
    fpr = len(alarms) / len(NONRISK)
    listing = "\n".join(f"  line {r['line']}: {r['text']!r}" for r in alarms)
    print(f"\nnonrisk false-positive rate: {fpr:.2%} ({len(alarms)}/{len(NONRISK)})\n{listing}")
    assert fpr <= MAX_FPR, f"false-positive rate {fpr:.2%} > {MAX_FPR:.0%}:\n{listing}"


# The idioms and harmless uses named in the requirements, one test each.
ISSUE_IDIOMS = [
    "this traffic is killing me",
    "dying to see it",
    "dead tired",
    "kill time",
    "cut my hair",
    "cutting class",
    "my grandma died",
    "i could kill for a pizza",
    "that joke killed",
    "my feet are killing me",
    "i'm dead 😂",
]


@pytest.mark.parametrize("text", ISSUE_IDIOMS)
def test_issue_idiom_does_not_escalate(text):
    result = assess(text)
    assert not result.escalate
    assert result.kind is Kind.NONE, f"{text!r} -> {result.kind.value} {result.rule_ids}"


def test_grief_is_not_risk():
    for text in ("my grandma died last week and i miss her so much", "my dad passed away in march", "my dog died yesterday"):
        assert assess(text).kind is Kind.NONE, text
