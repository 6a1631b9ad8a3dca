"""The risk model's trainer uses only the blind sets named as read, and keeps every other blind text out.

Why: the read sets (rules already written from their misses) are chat text the model lacks, but a closed set
trains nothing and no closed text may reach training through another source. These tests use their own
files (tmp_path) and the list of names; they never open a blind set.
"""
from __future__ import annotations

import json
from pathlib import Path

from safety.train_risk_model import BLIND_DIR, HARD, ORDINARY, READ_BLIND_SETS_FOR_TRAINING, RISK, load_read_sets

#: closed sets (tests/safety/blind/README.md, NEVER_READ): never training text
CLOSED = {"blind-2026-12-08"}


def test_the_read_sets_are_named_one_by_one_and_exclude_the_closed_ones():
    assert not CLOSED & set(READ_BLIND_SETS_FOR_TRAINING)
    assert len(set(READ_BLIND_SETS_FOR_TRAINING)) == len(READ_BLIND_SETS_FOR_TRAINING)
    for name in READ_BLIND_SETS_FOR_TRAINING:
        assert (BLIND_DIR / f"{name}.jsonl").is_file(), name


def _write(folder: Path, name: str, rows: list[tuple[str, str, str]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.jsonl").write_text("".join(
        json.dumps({"text": t, "label": label, "category": cat, "source": name}) + "\n" for t, label, cat in rows),
        encoding="utf-8")


def test_a_read_set_is_its_own_source_and_drops_closed_and_known_texts(tmp_path):
    _write(tmp_path, "set-a", [("line one", "risk", "self_harm"), ("Line two!", "nonrisk", "ordinary_distress"),
                               ("line three", "nonrisk", "figurative"), ("line four", "nonrisk", "therapy_questions"),
                               ("line five", "risk", "passive_ideation")])
    items = load_read_sets(["set-a"], held={"line two"}, known={"line five"}, first_group=100, folder=tmp_path)
    assert [(it.text, it.label, it.source) for it in items] == [
        ("line one", RISK, "set-a_risk"), ("line three", HARD, "set-a_nonrisk_hard"),
        ("line four", ORDINARY, "set-a_nonrisk")]
    assert [it.group for it in items] == [101, 102, 103] and all(it.original for it in items)


def test_a_text_in_two_read_sets_is_trained_on_once(tmp_path):
    _write(tmp_path, "set-a", [("same words", "risk", "self_harm")])
    _write(tmp_path, "set-b", [("same  words.", "risk", "self_harm"), ("other", "nonrisk", "ordinary_distress")])
    items = load_read_sets(["set-a", "set-b"], held=set(), known=set(), first_group=0, folder=tmp_path)
    assert [(it.text, it.source) for it in items] == [("same words", "set-a_risk"), ("other", "set-b_nonrisk")]
