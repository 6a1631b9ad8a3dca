"""The rule matcher finds exactly what spaCy's own Matcher finds, and the warmed tokeniser splits exactly as
spaCy's tokenizer does.

Why: `RuleMatcher` (safety/matcher.py) evaluates the token patterns itself, over string ids, so that a 100 kB
message costs milliseconds instead of a Python Token object per position; `Tokeniser` first tokenises the
pieces of a text it has not seen, so that spaCy's cache serves the whole text. Neither may change a single
match. The reference here is the plain way: spaCy's `Matcher` (and `PhraseMatcher` on lemmas) over the whole
text with every pattern, the same gap-break filter, merged per rule; and a fresh pipeline's tokenizer.
"""
from __future__ import annotations

import random

import numpy
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.attrs import IDX, IS_SPACE, LEMMA, LIKE_NUM, LOWER, ORTH
from spacy.matcher import Matcher, PhraseMatcher

from safety.matcher import RuleMatcher, Tokeniser, Tokens, build_nlp, merge_overlaps
from tests.safety.conftest import read_corpus

CORPUS = [row["text"] for row in read_corpus("risk.jsonl") + read_corpus("nonrisk.jsonl")]


_SPACY: dict[int, tuple[Matcher, PhraseMatcher]] = {}


def spacy_matchers(matcher: RuleMatcher) -> tuple[Matcher, PhraseMatcher]:
    """spaCy's Matcher with every pattern and PhraseMatcher (on lemmas) with every phrase, built once."""
    if id(matcher) not in _SPACY:
        nlp = matcher.nlp
        patterns, phrases = Matcher(nlp.vocab), PhraseMatcher(nlp.vocab, attr="LEMMA")
        for number, (rule_id, pattern) in enumerate(matcher.spacy_patterns):
            patterns.add(f"{rule_id}#{number}", [pattern])
        lemmatizer = nlp.get_pipe("lemmatizer")
        for number, (rule_id, phrase) in enumerate(matcher.phrases):
            phrases.add(f"{rule_id}#p{number}", [lemmatizer(nlp.make_doc(phrase))])
        _SPACY[id(matcher)] = (patterns, phrases)
    return _SPACY[id(matcher)]


def reference(matcher: RuleMatcher, tokens: Tokens) -> list[tuple[str, int, int]]:
    """spaCy's Matcher and PhraseMatcher over the whole Doc, the gap-break filter, merged per rule."""
    doc = tokens.doc
    doc.from_array([LEMMA], numpy.array(tokens.lemmas, dtype="uint64").reshape(-1, 1))
    strings = matcher.nlp.vocab.strings  # the keys were added to the pipeline the patterns were compiled with
    patterns, phrases = spacy_matchers(matcher)
    found = [(strings[key].split("#")[0], start, end) for key, start, end in [*patterns(doc), *phrases(doc)]]
    gap = matcher._gap_ids
    lowers = tokens.lowers
    kept = [(rid, s, e) for rid, s, e in found
            if rid in matcher._crossing or not (e - s > 2 and any(lowers[j] in gap for j in range(s + 1, e - 1)))]
    return merge_overlaps(kept)


def matchers(engine) -> list[RuleMatcher]:
    return [engine.risk, engine.idioms, *(markers for _, markers in engine._recat)]


def check(engine, text: str) -> None:
    tokens = engine.tokenise(engine.normaliser(text).text)
    for matcher in matchers(engine):
        assert matcher(tokens) == reference(matcher, tokens), text[:200]


def test_the_same_matches_as_spacy_on_the_corpus_and_every_rule_example(engine):
    examples = [example for matcher in matchers(engine) for rule in matcher.rules.values()
                for example in (*rule.examples_match, *rule.examples_no_match)]
    for text in CORPUS + examples:
        check(engine, text)


def test_the_same_matches_as_spacy_on_long_mixed_text(engine):
    rnd = random.Random(13)
    for size in (50, 400):
        text = " ".join(rnd.choice(CORPUS) for _ in range(size))
        check(engine, text)
        check(engine, text.replace(" ", "\n"))


# pieces that exercise the operators: optional and repeated tokens, numbers, sentence starts, gap breaks
PIECES = ["i", "i'm", "im", "going to", "do it", "kill", "myself", "die", "took", "10", "ten", "twenty", "pills",
          "of", "my", "meds", "and", "but", ".", ",", "!", "\n", "tonight", "in", "2019", "end", "it", "all",
          "cut", "cutting", "self", "harm", "not", "never", "want", "to", "be", "here", "anymore", "he", "hits",
          "me", "overdose", "suicide", "ok", "sleeping", "forever", "paracetamol", "tablets", "a", "bunch"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=40), st.sampled_from([" ", "  ", ""]))
def test_the_same_matches_as_spacy_on_generated_text(engine, words, separator):
    check(engine, separator.join(words))


# A required number ("#num") beside one of the commonest words: from _MANY_POSITIONS occurrences of the word on,
# the matcher first keeps the occurrences with a number in reach (the age idiom "i'm 15", started from "i").
NUMBER_PIECES = ["i", "im", "i'm", "am", "m", "15", "16", "ten", "2019", "years", "old", "and", "but", ",", ".",
                 "will", "you", "tell", "my", "parents", "?", "want", "to", "die", "took", "pills", "of", "them"]


@pytest.mark.parametrize("seed", range(6))
def test_the_same_matches_as_spacy_where_a_number_is_required_near_a_common_word(engine, seed):
    rnd = random.Random(seed)
    words = [rnd.choice(NUMBER_PIECES) for _ in range(rnd.choice([60, 600, 3000]))]
    for separator in (" ", "  "):
        check(engine, separator.join(words))
    numberless = [w for w in words if not w[0].isdigit() and w != "ten"]  # "i" everywhere, no number anywhere
    check(engine, " ".join(numberless))


@pytest.fixture(scope="module")
def fresh_nlp(engine):
    """A second pipeline built the same way, whose tokenizer has seen nothing."""
    return build_nlp(engine.ruleset.lemma_overrides)


@pytest.mark.parametrize("size", [1, 60, 600])
def test_the_warmed_tokeniser_splits_as_spacy_does(engine, fresh_nlp, size):
    rnd = random.Random(size)
    text = engine.normaliser(" ".join(rnd.choice(CORPUS) for _ in range(size))).text
    ours = engine.tokenise(text)
    theirs = fresh_nlp.make_doc(text)
    assert [ours.doc.vocab.strings[o] for o in ours.doc.to_array([ORTH]).tolist()] == [t.text for t in theirs]
    assert ours.idx == theirs.to_array([IDX]).tolist()
    assert ours.spaces == [int(t.is_space) for t in theirs]
    assert ours.ends == [t.idx + len(t.text) for t in theirs]


def test_the_tokeniser_splits_the_same_after_it_starts_its_cache_again(engine, fresh_nlp, monkeypatch):
    """Past _WARM_LIMIT pieces the tokeniser empties spaCy's cache and its own record; tokens stay spaCy's."""
    monkeypatch.setattr("safety.matcher._WARM_LIMIT", 50)
    rnd = random.Random(5)
    for number in range(20):
        junk = f"zq{number}x kk{number}vw."  # pieces never seen, so that this text warms some
        text = engine.normaliser(" ".join([junk, *(rnd.choice(CORPUS) for _ in range(8))])).text
        ours = engine.tokenise(text)
        assert len(engine.tokenise._warm) <= max(50, len(set(text.split())))
        assert ours.idx == fresh_nlp.make_doc(text).to_array([IDX]).tolist()
        assert [ours.doc.vocab.strings[o] for o in ours.doc.to_array([ORTH]).tolist()] == \
            [t.text for t in fresh_nlp.make_doc(text)]


_ATTRS = [ORTH, LOWER, LIKE_NUM, IS_SPACE, IDX]


def test_the_tokeniser_renews_its_vocabulary_and_splits_as_spacy_does(engine, fresh_nlp):
    """Past its limit of new strings the tokeniser starts over with a fresh vocabulary (pasted junk must not
    grow the process without bound): the vocabulary stays bounded, tokens and lexical attributes stay spaCy's."""
    limit = 500
    tokeniser = Tokeniser(engine.nlp, vocab_limit=limit)
    start = len(tokeniser.vocab.strings)
    rnd = random.Random(9)
    for number in range(30):
        junk = " ".join(f"zq{number}w{i}" for i in range(100))  # 100 strings never seen in each text
        text = engine.normaliser(" ".join([junk, *(rnd.choice(CORPUS) for _ in range(8))])).text
        ours = tokeniser(text)
        assert ours.doc.to_array(_ATTRS).tolist() == fresh_nlp.make_doc(text).to_array(_ATTRS).tolist()
        assert [ours.strings[o] for o in ours.doc.to_array([ORTH]).tolist()] == [t.text for t in fresh_nlp.make_doc(text)]
        assert len(tokeniser.vocab.strings) <= start + limit + 2 * len(text.split())  # the limit and one text
    assert tokeniser.renewals >= 4  # 3,000 new strings at 500 a vocabulary
    assert engine.nlp.vocab is not tokeniser.vocab  # the pipeline the rules were compiled with takes no message


def test_assessments_are_the_same_across_renewals(engine, monkeypatch):
    """The rules hold string ids (the same hashes in every vocabulary): renewing changes no verdict."""
    texts = CORPUS[:300]
    before = [engine.assess(text, numpy.zeros(384, dtype="float32")).to_dict() for text in texts]
    monkeypatch.setattr(engine, "tokenise", Tokeniser(engine.nlp, vocab_limit=20))
    after = [engine.assess(text, numpy.zeros(384, dtype="float32")).to_dict() for text in texts]
    assert engine.tokenise.renewals >= 3
    assert after == before
