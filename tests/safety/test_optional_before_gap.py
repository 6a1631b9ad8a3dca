"""A pattern with an optional token right before a gap ("=posted =up? ~2 =something ...", as in
third.warning_post) matches wherever a plain enumeration of the pattern says it does.

Why: the brief of issue 8's eighth pass suspected that such a pattern may never match. ``RuleMatcher`` folds
a run of optional any-token steps into one step and extends matches backwards and forwards from the rarest
required word, and ``test_matcher.py`` checks it against spaCy's own Matcher; a bug that spaCy shared would
pass there. Here the reference is a direct, exhaustive walk over the pattern (every way each optional, gap
and "+" step can be taken), independent of both. Checked (H2, 5 December): no such bug; the matcher and the
walk agree on thousands of random texts, short and long. What does stop "posted something dark and now his
phone is dead" is an idiom ("phone is dead", idiom.dying_to) overlapping the end of the match, by design.
"""
from __future__ import annotations

import random

import numpy
import pytest
from spacy.attrs import LEMMA

from safety.matcher import merge_overlaps

WORDS = ("posted put up on insta something really so dark and now her his phone is off a suicide note the my "
         "friend , . went dead she stuff").split()
# the verbs made common, so the matcher starts from a later word and walks back over the optional token
VERBS_COMMON = WORDS + ["posted", "put", "wrote", "sent"] * 6 + ["up", "really", "so"] * 3


def _fits(token: dict, lower: str, lemma: str) -> bool:
    for key, value in token.items():
        if key == "OP":
            continue
        got = lower if key == "LOWER" else lemma
        if isinstance(value, str):
            if got != value:
                return False
        elif "IN" in value and got not in value["IN"]:
            return False
        elif "NOT_IN" in value and got in value["NOT_IN"]:
            return False
    return True


def _walk(lowers: list[str], lemmas: list[str], pattern: list[dict]) -> set[tuple[int, int]]:
    """Every (start, end) at which ``pattern`` matches, by trying every way through its steps."""
    n, out = len(lowers), set()

    def go(i: int, j: int, start: int) -> None:
        if j == len(pattern):
            if i > start:
                out.add((start, i))
            return
        op = pattern[j].get("OP")
        if op in ("?", "*"):
            go(i, j + 1, start)
        if op in ("+", "*"):
            k = i
            while k < n and _fits(pattern[j], lowers[k], lemmas[k]):
                k += 1
                go(k, j + 1, start)
            return
        if i < n and _fits(pattern[j], lowers[i], lemmas[i]):
            go(i + 1, j + 1, start)

    for s in range(n):
        go(s, 0, s)
    return out


def _reference(matcher, tokens, rule_id: str) -> list[tuple[str, int, int]]:
    doc = tokens.doc
    doc.from_array([LEMMA], numpy.array(tokens.lemmas, dtype="uint64").reshape(-1, 1))
    lowers, lemmas = [t.lower_ for t in doc], [t.lemma_ for t in doc]
    gap = matcher._gap_ids
    found = []
    for rid, pattern in matcher.spacy_patterns:
        if rid != rule_id:
            continue
        for s, e in _walk(lowers, lemmas, pattern):
            if not (e - s > 2 and any(tokens.lowers[k] in gap for k in range(s + 1, e - 1))):
                found.append((rid, s, e))
    return merge_overlaps(found)


def test_the_warning_post_rule_has_an_optional_token_before_a_gap(engine):
    patterns = [p for rid, p in engine.risk.spacy_patterns if rid == "third.warning_post"]
    assert any(a.get("OP") == "?" and len(a) > 1 and b == {"OP": "?"} for p in patterns for a, b in zip(p, p[1:]))


@pytest.mark.parametrize("text", [
    "my friend put up something dark and now her phone is off",
    "my friend posted up on insta something really dark and now her phone is off",
    "she posted on insta a suicide note",
])
def test_it_matches_with_and_without_the_optional_token(engine, text):
    tokens = engine.tokenise(engine.normaliser(text).text)
    assert [m for m in engine.risk(tokens) if m[0] == "third.warning_post"]
    assert assess_escalates(text)


def assess_escalates(text: str) -> bool:
    from safety import assess
    return assess(text).escalate


def _near_miss(rnd: random.Random) -> str:
    """The rule's shape with each optional token present or not and gaps of 0 to 8 random words (some
    too long): matches and near misses, which random word salad almost never produces."""
    def some(k: int) -> list[str]:
        return [rnd.choice(WORDS) for _ in range(rnd.randint(0, k))]
    parts = [*some(3), rnd.choice(["posted", "put", "wrote", "sent"]), *(["up"] if rnd.random() < 0.5 else []),
             *some(3), rnd.choice(["something", "stuff", "a", "this"]), *([rnd.choice(["really", "so"])] if rnd.random() < 0.5 else []),
             rnd.choice(["dark", "scary", "final"]), *some(8), rnd.choice(["phone", "she", "location"]),
             rnd.choice(["is", "'s", "went"]), rnd.choice(["off", "dead", "quiet"]), *some(3)]
    return " ".join(parts)


@pytest.mark.parametrize("seed,longest,words", [(1, 30, WORDS), (2, 30, VERBS_COMMON), (3, 700, WORDS), (4, 700, VERBS_COMMON)])
def test_the_matcher_finds_what_an_exhaustive_walk_finds(engine, seed, longest, words):
    rnd = random.Random(seed)
    for _ in range(300 if longest < 100 else 15):
        text = " ".join(rnd.choice(words) for _ in range(rnd.randint(3, longest)))
        tokens = engine.tokenise(engine.normaliser(text).text)
        ours = [m for m in engine.risk(tokens) if m[0] == "third.warning_post"]
        assert ours == _reference(engine.risk, tokens, "third.warning_post"), text[:200]


def test_the_matcher_finds_what_an_exhaustive_walk_finds_on_the_rule_s_own_shape(engine):
    rnd = random.Random(5)
    matched = 0
    for _ in range(400):
        text = _near_miss(rnd)
        if rnd.random() < 0.3:  # inside longer text too, where the matcher starts from rarer words
            text = " ".join(rnd.choice(VERBS_COMMON) for _ in range(40)) + " . " + text
        tokens = engine.tokenise(engine.normaliser(text).text)
        ours = [m for m in engine.risk(tokens) if m[0] == "third.warning_post"]
        assert ours == _reference(engine.risk, tokens, "third.warning_post"), text[:200]
        matched += bool(ours)
    assert matched > 50  # the shape is really exercised
