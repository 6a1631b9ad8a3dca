"""`Engine.flagged_by_rules`: the flag the web app's gateway sends to Rasa with a message Rasa will assess
fully itself. It must need no MiniLM embedding, and miss no risk message of the corpus that `assess` flags."""
from __future__ import annotations

import pytest

import safety.embedding
from safety.assessment import Kind
from tests.safety.conftest import read_corpus


@pytest.fixture
def no_encoder(monkeypatch) -> None:
    def refuse():
        raise AssertionError("flagged_by_rules asked for the MiniLM encoder")

    monkeypatch.setattr(safety.embedding, "shared_encoder", refuse)


def test_it_needs_no_embedding(engine, no_encoder):
    rows = read_corpus("risk.jsonl") + read_corpus("nonrisk.jsonl")
    assert sum(engine.flagged_by_rules(row["text"]) for row in rows) > 0


def test_against_assess_on_the_corpus(engine):
    rows = read_corpus("risk.jsonl") + read_corpus("nonrisk.jsonl")
    missed, strong_unflagged = [], []
    for row in rows:
        text = row["text"]
        assessment = engine.assess(text)
        by_rules = engine.flagged_by_rules(text)
        if assessment.kind is not Kind.NONE and row["label"] == "risk" and not by_rules:
            missed.append(text)
        # what the rules decide by themselves is flagged by assess whatever the model says
        if engine.rule_view(text).strong_kind is not Kind.NONE and assessment.kind is Kind.NONE:
            strong_unflagged.append(text)
        assert by_rules == bool(engine.rule_hits(text))
    assert missed == []
    assert strong_unflagged == []


@pytest.mark.parametrize("text", ["", "   ", "hello", "x" * 30_000, "i want to kill myself " * 1000])
def test_edge_cases(engine, no_encoder, text):
    assert engine.flagged_by_rules(text) == bool(text.strip() and engine.rule_hits(text))
