"""The blind evaluation sets are well-formed: exactly four keys, known labels and categories, unique texts.

Why: a blind set is run once and its first figures are kept (tests/safety/blind/README.md). A malformed line
(a typo in a label, a missing category, a duplicated text) would silently change those figures, and the set
cannot be fixed after its first run without losing its blindness. So the shape is checked here, not the
detector's verdicts: this test never runs ``assess`` on a blind set.

Blind sets are named one by one, never globbed, so that a set nobody may read yet is only opened by the tests
that are meant to open it. Failure messages give line numbers only, never the text of a line.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

BLIND_DIR = Path(__file__).parent / "blind"

#: the sets whose shape is checked, named one by one (see the module docstring)
BLIND_SETS = ("blind-2026-12-02.jsonl", "blind-2026-12-03.jsonl", "blind-2026-12-03b.jsonl",
              "blind-2026-12-04.jsonl", "blind-2026-12-04b.jsonl", "blind-2026-12-04c.jsonl",
              "blind-2026-12-05.jsonl", "blind-2026-12-05b.jsonl", "blind-2026-12-06.jsonl", "blind-2026-12-06b.jsonl",
              "blind-2026-12-06c.jsonl", "blind-2026-12-06d.jsonl", "blind-2026-12-06e.jsonl",
              "blind-2026-12-06f.jsonl", "blind-2026-12-07.jsonl", "blind-2026-12-07b.jsonl",
              "blind-2026-12-07c.jsonl", "blind-2026-12-07d.jsonl", "blind-2026-12-07e.jsonl",
              "blind-2026-12-07f.jsonl", "blind-2026-12-07g.jsonl", "blind-2026-12-08.jsonl")

#: minimum risk and nonrisk lines, for the sets written since this size was asked for (issue 8, set 8)
MIN_PER_LABEL = {"blind-2026-12-05b.jsonl": 150, "blind-2026-12-06.jsonl": 150, "blind-2026-12-06b.jsonl": 150,
                 "blind-2026-12-06c.jsonl": 150, "blind-2026-12-06d.jsonl": 150,
                 "blind-2026-12-06e.jsonl": 150, "blind-2026-12-06f.jsonl": 150,
                 "blind-2026-12-07.jsonl": 150, "blind-2026-12-07b.jsonl": 150,
                 "blind-2026-12-07c.jsonl": 150, "blind-2026-12-07d.jsonl": 150, "blind-2026-12-07e.jsonl": 150,
                 "blind-2026-12-07f.jsonl": 150, "blind-2026-12-07g.jsonl": 150, "blind-2026-12-08.jsonl": 150}

KEYS = {"text", "label", "category", "source"}
CATEGORIES = {
    "risk": {"passive_ideation", "active_ideation", "plan_or_method", "means_or_preparation",
             "attempt_in_progress", "self_harm", "abuse_or_child_at_risk", "third_party_risk", "multi_signal"},
    "nonrisk": {"ordinary_distress", "figurative", "news_or_discussion", "third_party_harmless",
                "literal_harmless", "therapy_questions", "negated_or_recovered"},
}


def _rows(name: str) -> list[tuple[int, dict]]:
    rows = []
    for number, raw in enumerate((BLIND_DIR / name).read_text(encoding="utf-8").splitlines(), start=1):
        assert raw.strip(), f"{name}:{number}: blank line"
        try:
            row = json.loads(raw)
        except json.JSONDecodeError:
            pytest.fail(f"{name}:{number}: not valid JSON")
        assert isinstance(row, dict), f"{name}:{number}: not a JSON object"
        rows.append((number, row))
    return rows


@pytest.mark.parametrize("name", BLIND_SETS)
def test_every_line_has_exactly_the_four_keys_and_known_values(name):
    source = name.removesuffix(".jsonl")
    for number, row in _rows(name):
        assert set(row) == KEYS, f"{name}:{number}: keys {sorted(row)}"
        assert isinstance(row["text"], str) and row["text"].strip(), f"{name}:{number}: empty text"
        assert row["label"] in CATEGORIES, f"{name}:{number}: label {row['label']!r}"
        assert row["category"] in CATEGORIES[row["label"]], f"{name}:{number}: category {row['category']!r}"
        assert row["source"] == source, f"{name}:{number}: source {row['source']!r}"


@pytest.mark.parametrize("name", BLIND_SETS)
def test_texts_are_unique_ignoring_case_and_spaces(name):
    first: dict[str, int] = {}
    duplicates = []
    for number, row in _rows(name):
        key = " ".join(row["text"].lower().split())
        if key in first:
            duplicates.append((first[key], number))
        first.setdefault(key, number)
    assert not duplicates, f"{name}: duplicated texts at lines {duplicates}"


@pytest.mark.parametrize("name", sorted(MIN_PER_LABEL))
def test_new_sets_are_large_enough(name):
    labels = Counter(row["label"] for _, row in _rows(name))
    assert labels["risk"] >= MIN_PER_LABEL[name] and labels["nonrisk"] >= MIN_PER_LABEL[name], dict(labels)
