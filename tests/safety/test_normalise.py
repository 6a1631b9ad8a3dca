"""Normalisation: leetspeak, repeats, misspellings, slang, emoji, apostrophes, offsets."""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safety import assess
from safety import normalise as normalise_module
from safety.normalise import Normaliser


def normalised(engine, text: str) -> str:
    return engine.normaliser(text).text


@pytest.mark.parametrize("raw, expected", [
    ("k1ll mys3lf", "kill myself"),
    ("su1c1de", "suicide"),
    ("$uicidal", "suicidal"),
    ("diiiie", "die"),
    ("sooo tired", "so tired"),
    ("killlll", "kill"),
    ("suicidle", "suicidal"),
    ("sucide", "suicide"),
    ("suiside", "suicide"),
    ("kil myself", "kill myself"),
    ("kms", "kill myself"),
    ("sewerslide", "suicide"),
    ("i sh'd again", "i self harmed again"),
    ("od'd", "overdosed"),
    ("2nite", "tonight"),
    ("I’m done", "i'm done"),
])
def test_words_are_normalised(engine, raw, expected):
    assert normalised(engine, raw) == expected


@pytest.mark.parametrize("raw", ["4am", "988", "bookkeeper", "jo@samaritans.org", "all", "will", "coffee", "see you at 10pm"])
def test_ordinary_text_is_left_alone(engine, raw):
    assert normalised(engine, raw) == raw.lower()


def test_emoji_become_words_without_double_spaces(engine):
    assert normalised(engine, "i want to 🔪 myself") == "i want to knife myself"
    assert normalised(engine, "💊💊💊 all of them") == "pills pills pills all of them"
    assert normalised(engine, "🔪myself") == "knife myself"
    assert normalised(engine, "⚰️ soon") == "coffin soon"


def test_offsets_map_back_through_rewrites(engine):
    text = "ok I wanna kms 🔪 now"
    norm = engine.normaliser(text)
    start = norm.text.index("kill myself")
    assert norm.to_original(start, start + len("kill myself")) == (text.index("kms"), text.index("kms") + 3)
    k = norm.text.index("knife")
    assert text[slice(*norm.to_original(k, k + 5))] == "🔪"
    n = norm.text.index("now")
    assert text[slice(*norm.to_original(n, n + 3))] == "now"


@pytest.mark.parametrize("text", [
    "i want to k1ll mys3lf", "su1c1dal thoughts again", "i want to diiiie", "i feel suicidle",
    "thinking about sucide", "having suiside thoughts", "i want to kil myself", "i want to unalive myself",
    "im gonna kms", "i should just kys", "been thinking about sewerslide", "i want to ctb",
    "i want to end it all", "i wanna off myself", "i want to go to sleep and not wake up",
    "i want to 🔪 myself", "💊💊💊 all of them tonight", "dont want to be here anymore",
    "im so tired of being alive", "i cant see the point in living", "I WANT TO DIE",
])
def test_disguised_risk_escalates(text):
    assert assess(text).escalate, text


@pytest.mark.parametrize("raw, expected", [
    ("s*icidal thoughts", "suicidal thoughts"), ("su**ide", "suicide"), ("i want to k*ll myself", "i want to kill myself"),
    ("i want to d*e", "i want to die"), ("he k**led himself", "he killed himself"), ("i was r*ped", "i was raped"),
    ("c*t myself", "cut myself"),
])
def test_starred_out_letters_are_undone(engine, raw, expected):
    """Session 17: "s*icidal thoughts are back" and "su*cide is on my mind" got nothing."""
    assert normalised(engine, raw) == expected


@pytest.mark.parametrize("raw", ["f*ck this", "so* tired", "*sigh* im tired", "what the #%&*", "5* hotel", "ok*",
                                 "the b*st movie ever", "#blessed", "call me on #1"])
def test_other_stars_stay_as_typed(engine, raw):
    """Swearing, emphasis and a star rating: no word of `censored` they could stand for, or several."""
    assert normalised(engine, raw) == raw.lower()


@pytest.mark.parametrize("text", ["su1c1dal again", "s*icidal thoughts are back", "su*cide is on my mind",
                                  "i want to d*e", "k*ll myself", "i want to self delete", "i want to commit toaster bath"])
def test_disguised_risk_the_model_decides_escalates_too(text):
    """The model learnt plain spelling: where a disguise was undone it reads the undone text ("suicidal again"
    escalated, "su1c1dal again" got nothing)."""
    assert assess(text).escalate, text


def test_undisguised_is_marked_only_when_a_disguise_was_undone(engine):
    assert engine.normaliser("su1c1dal again").undisguised
    assert engine.normaliser("s*icidal").undisguised
    assert engine.normaliser("d i e").undisguised
    assert not engine.normaliser("i'm sooo tired, kms lol").undisguised  # runs and slang: plain spelling
    assert not engine.normaliser("see you at 4am").undisguised


def test_missing_apostrophes_behave_like_contractions():
    for with_apostrophe, without in [("i don't want to be alive", "i dont want to be alive"),
                                     ("i'm suicidal", "im suicidal"),
                                     ("i can't do this anymore", "i cant do this anymore")]:
        assert assess(with_apostrophe).kind == assess(without).kind


def test_kys_aimed_at_someone_else_is_not_self_directed():
    assert not assess("kys loser").escalate


# --- words spelled out letter by letter ----------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("d i e", "die"),
    ("i want to d i e", "i want to die"),
    ("k.m.s", "kill myself"),
    ("gonna k.m.s.", "gonna kill myself."),
    ("i want to k i l l myself", "i want to kill myself"),
    ("s-u-i-c-i-d-e", "suicide"),
    ("I WANT TO D-I-E", "i want to die"),
])
def test_spelled_out_words_are_joined(engine, raw, expected):
    assert normalised(engine, raw) == expected


@pytest.mark.parametrize("raw", ["a b c", "i.e. it was fine", "e.g. the usa", "x y z", "the a-b-c of it", "d i e t"])
def test_spelled_out_ordinary_text_is_left_alone(engine, raw):
    assert normalised(engine, raw) == raw.lower()
    assert not assess(raw).escalate


@pytest.mark.parametrize("text", ["i want to d i e", "k.m.s", "i want to k i l l myself", "thinking about s-u-i-c-i-d-e"])
def test_spelled_out_risk_escalates_with_spans_on_what_was_typed(text):
    result = assess(text)
    assert result.escalate
    shown = " ".join(text[s.start:s.end] for s in result.spans)
    assert any(part in shown for part in ("d i e", "k.m.s", "k i l l", "s-u-i-c-i-d-e"))


@pytest.mark.parametrize("text", ["goodbye everyone 🔪🩸", "this is my last message 💊💊", "im done 🪢", "i can't do this anymore 🔪🩸"])
def test_a_finality_phrase_with_a_means_emoji_is_a_crisis(text):
    assert assess(text).escalate


@pytest.mark.parametrize("text", ["new knife set 🔪", "im done with this essay 😂", "period's finally over 🩸", "im done 💀"])
def test_a_means_emoji_or_a_finality_phrase_alone_is_not(text):
    assert not assess(text).escalate


# pieces around which scanning stretch by stretch could go wrong: spelled-out words next to punctuation and
# hyphens, emoji and invisible characters at a cut, words to rewrite inside hyphenated words
_PIECES = ["d i e", "d.i.e", "k.m.s", "d-i-e", "kms", "k1ll", "diiiie", "u", "sh", "self-harm", "x-u", "e-hard",
           "🔪", "💊", "\u200d", "\ufe0f", ".", ",", "!", "?", " ", "  ", "\n", "\t", "-", "'", "i", "want", "to",
           "dont", "t", "a b c", "i.e.", "4am", "@", "$", "caf\u00e9", "\U0001F3FD", "\u2019", "\u00a0"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=30), st.sampled_from(["", " ", ". ", "\n"]))
def test_scanning_stretch_by_stretch_rewrites_as_one_scan_does(engine, pieces, separator):
    """Normaliser._matches skips stretches with nothing to rewrite; the result must be one plain scan's."""
    normaliser = engine.normaliser
    text = separator.join(pieces)
    ours = normaliser(text)
    plain = Normaliser(normaliser.data, normaliser.vocabulary)
    plain._matches = lambda lowered, changed: plain._pattern.finditer(lowered)
    theirs = plain(text)
    assert (ours.text, ours._segments) == (theirs.text, theirs._segments), repr(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(_PIECES), st.characters()), max_size=30).map("".join))
def test_emoji_and_invisible_characters_are_found_as_the_character_class_finds_them(engine, text):
    """The normaliser finds them among the non-ASCII characters only (a faster scan); the same positions."""
    normaliser = engine.normaliser
    lowered = text.lower()
    assert normaliser._special_chars is not None  # the faster scan is the one that runs
    expected = [m.start() for m in normaliser._special.finditer(lowered)]
    assert normaliser._special_positions(lowered) == expected
    assert normaliser._special_positions(lowered, first=True) == expected[:1]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=30).map(" ".join), st.data())
def test_mapping_many_spans_at_once_maps_each_as_one_at_a_time(engine, text, data):
    """The engine maps a long message's thousands of spans in one call (to_original_all)."""
    norm = engine.normaliser(text)
    n = len(norm.text)
    spans = data.draw(st.lists(st.tuples(st.integers(-1, n + 1), st.integers(-1, n + 1)), max_size=150))
    assert norm.to_original_all(spans) == [norm.to_original(s, e) for s, e in spans]
    plain = engine.normaliser("i want to make soup")  # nothing rewritten: the shortcut
    assert plain.to_original_all([(0, 6), (2, 40), (5, 5), (7, 3)]) == [plain.to_original(*s) for s in
                                                                      [(0, 6), (2, 40), (5, 5), (7, 3)]]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from([p for p in _PIECES if p not in ("d i e", "a b c")] + ["sooo", "caaat", "x"]),
                min_size=1, max_size=40), st.sampled_from([" ", "  ", "\n", "\t ", "", "\u00a0"]))
def test_scanning_run_by_run_rewrites_as_one_scan_does(engine, pieces, separator):
    """With no spelled-out word in the text, Normaliser._matches scans only the runs of non-white-space that
    hold something to rewrite; the result must be one plain scan's (words without punctuation between them)."""
    normaliser = engine.normaliser
    text = separator.join(pieces)
    plain = Normaliser(normaliser.data, normaliser.vocabulary)
    plain._matches = lambda lowered, changed: plain._pattern.finditer(lowered)
    saved = normalise_module._SPARSE_MARKS
    normalise_module._SPARSE_MARKS = 0  # run by run however dense the marks (short texts are dense)
    try:
        ours = normaliser(text)
    finally:
        normalise_module._SPARSE_MARKS = saved
    theirs = plain(text)
    assert (ours.text, ours._segments) == (theirs.text, theirs._segments), repr(text)
    assert (normaliser(text).text, normaliser(text)._segments) == (theirs.text, theirs._segments)


@pytest.mark.parametrize("seed", range(5))
def test_a_mostly_non_ascii_text_finds_emoji_as_the_character_class_does(engine, seed):
    """Past _MANY_NON_ASCII_BYTES the class scan runs itself; the same positions as the non-ASCII scan."""
    import random

    from safety.normalise import _MANY_NON_ASCII_BYTES

    rnd = random.Random(seed)
    pieces = _PIECES + ["привет", "你好吗", "مرحبا", "😂", "🔪", "\ud800"]
    lowered = "".join(rnd.choice(pieces) + rnd.choice(["привет", "你好吗"]) for _ in range(4000)).lower()
    assert len(lowered.encode("utf-8", "surrogatepass")) - len(lowered) > _MANY_NON_ASCII_BYTES
    normaliser = engine.normaliser
    expected = [m.start() for m in normaliser._special.finditer(lowered)]
    assert normaliser._special_positions(lowered) == expected
    special = normaliser._special_chars
    assert [m.start() for m in re.finditer(r"[^\x00-\x7f]", lowered) if m.group() in special] == expected
