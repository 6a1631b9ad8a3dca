"""The long-message fast paths of issue 11 give what the plain code they replace gives.

Each shortcut below exists because a pasted 100 kB message runs it thousands of times; each is compared
here with the plain version it replaced, on generated texts (the whole engine is compared with `main`'s
by `tests/safety/compare_engines.py`, run by hand on every text of tests/safety and long mixes).
"""
from __future__ import annotations

import dataclasses
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safety.assessment import Kind, Span, max_kind, spans_of
from safety.matcher import _backward, _compile_token, _fold, _forward
from safety.normalise import _STRETCH_END, Normaliser

_PIECES = ["ok", "bye", "thanks", "ok bye", "goodnight", "i want to die", "!!", "...", "💊", "🔪", " ", "\n",
           "k1ll mys3lf", "kms", "d i e", "i'm done", "dont", "but", "tonight", "i can't anymore", "x" * 120,
           "she said she wants to end it", "never", "suicide", "s-u-i-c-i-d-e", "lol", ":)", "im fine", "."]
_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_texts = st.lists(st.sampled_from(_PIECES), min_size=0, max_size=40).map(" ".join)
_long_texts = st.lists(st.sampled_from(_PIECES), min_size=500, max_size=700).map(" ".join)


def _plain_content_bounds(engine, tokens) -> tuple[int, int]:
    """The scan _content_bounds replaced: every token, through spaCy's Token objects."""
    content = [i for i in range(len(tokens)) if tokens.lowers[i] not in engine._filler
               and any(ch.isalnum() for ch in tokens.doc[i].text)]
    return (content[0], content[-1]) if content else (len(tokens), -1)


@_SETTINGS
@given(_texts)
def test_content_bounds_scanned_from_both_ends_equal_a_scan_of_every_token(engine, text):
    tokens = engine.tokenise(engine.normaliser(text).text)
    assert tokens.text == tokens.doc.text
    assert engine._content_bounds(tokens) == _plain_content_bounds(engine, tokens)


def _plain_next_gap(lowers: list[int], gap: frozenset[int]) -> list[int]:
    n = len(lowers)
    out, nxt = [n] * (n + 1), n
    for i in range(n - 1, -1, -1):
        if lowers[i] in gap:
            nxt = i
        out[i] = nxt
    return out


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_long_texts)
def test_next_gap_by_arrays_equals_the_loop(engine, text):
    tokens = engine.tokenise(engine.normaliser(text).text)
    assert len(tokens) >= 500  # the array branch
    gaps = engine.risk._gap_ids
    assert tokens.next_gap(gaps) == _plain_next_gap(tokens.lowers, gaps)
    assert tokens.next_gap(frozenset()) == [len(tokens)] * (len(tokens) + 1)


@_SETTINGS
@given(_texts)
def test_a_warmed_normaliser_equals_a_fresh_one(engine, text):
    """The set of cached words that change (Normaliser._changing) answers as looking each word up did."""
    fresh = Normaliser(engine.normaliser.data, engine.normaliser.vocabulary)(text)
    for _ in range(2):  # the engine's, warmed by every test before, and once more by this text
        warmed = engine.normaliser(text)
        assert (warmed.text, warmed._segments) == (fresh.text, fresh._segments)


@_SETTINGS
@given(st.text(alphabet=" \n\t.,!?;:ab-'", max_size=60))
def test_stretch_cuts_equal_the_look_behind_scan(text):
    old = [m.start() for m in re.finditer(r"(?<=[.,!?;:\s])\s", text)]
    assert [m.end() for m in _STRETCH_END.finditer(text)] == old


def test_spans_made_without_init_are_the_same_spans():
    rows = [(0, 4, "active_ideation", "active.want_die"), (7, 7, "x", "y"), (3, 9, "past_attempt", "past.x")]
    fast, plain = spans_of(rows), [Span(*row) for row in rows]
    assert fast == plain and [hash(s) for s in fast] == [hash(s) for s in plain]
    assert [s.to_dict() for s in fast] == [s.to_dict() for s in plain]
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast[0].start = 1


def test_kind_rank_is_the_urgency_order():
    assert [k.rank for k in Kind] == [0, 1, 2, 3]
    assert [k.escalates for k in Kind] == [False, False, True, True]
    assert max_kind() is Kind.NONE and max_kind(Kind.CRISIS, Kind.CHECK_IN, Kind.NONE) is Kind.CRISIS
    assert Kind("emergency").rank == 3


@_SETTINGS
@given(_texts, st.integers(1, 4), st.integers(0, 3))
def test_a_folded_gap_walks_as_its_optional_steps(engine, text, gap, after):
    """_fold turns a gap's N optional any-token steps into one step: the same positions, both ways."""
    strings = engine.nlp.vocab.strings
    tokens = engine.tokenise(engine.normaliser(text).text)
    want = {"LEMMA": {"IN": ["want", "die", "end"]}}
    raw = [(_compile_token(want, strings), None)] + [(_compile_token({}, strings), "?")] * gap \
        + [(_compile_token({"LOWER": {"IN": ["it", "die", "myself", "."]}}, strings), "?")] \
        + [(_compile_token({}, strings), "?")] * after
    folded = _fold(raw)
    assert [op for _, op in folded if type(op) is int][0] == gap and len(folded) == len(raw) - gap + 1 - max(after - 1, 0)
    for p in range(len(tokens) + 1):
        assert _forward(folded, p, tokens) == _forward(raw, p, tokens)
        assert _backward(tuple(reversed(folded)), p, tokens) == _backward(tuple(reversed(raw)), p, tokens)


def test_rule_hits_and_explain_take_a_long_unbroken_run_as_assess_does():
    """A 30 kB run of "'s" once kept spaCy's tokenizer busy for minutes inside rule_hits (found by the
    engine comparison); both now break such runs the way assess does, so they return."""
    from safety import get_engine

    engine = get_engine()
    text = "i want to die " + "'s" * 15_000
    assert engine.rule_hits(text)
    assert engine.explain(text)["rule_hits"]
