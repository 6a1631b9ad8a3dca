"""Behaviour of assess(): kinds, categories, negation, context, spans, API shape."""
from __future__ import annotations

import json

import pytest

from safety import Assessment, Kind, assess


def kind(text: str) -> Kind:
    return assess(text).kind


# -- API -----------------------------------------------------------------
def test_assessment_is_frozen_and_json_round_trips():
    result = assess("i want to kill myself tonight")
    with pytest.raises(Exception):
        result.kind = Kind.NONE  # type: ignore[misc]
    data = json.loads(json.dumps(result.to_dict()))
    assert Assessment.from_dict(data) == result
    assert data["kind"] == "emergency" and data["escalate"] is True
    assert all(set(s) == {"start", "end", "category", "rule_id"} for s in data["spans"])


def test_kind_is_a_str_enum():
    assert Kind.CRISIS == "crisis" and isinstance(Kind.EMERGENCY, str)
    assert [k.value for k in sorted(Kind, key=lambda k: k.rank)] == ["none", "check_in", "crisis", "emergency"]


def test_categories_are_sorted_and_unique():
    result = assess("i want to die. i want to die. i've been stockpiling my pills")
    assert result.categories == sorted(set(result.categories))


def test_no_numeric_score_is_exposed():
    fields = set(assess("i want to die").to_dict())
    assert fields == {"kind", "escalate", "categories", "spans"}


def test_empty_and_blank_messages_are_none():
    for text in ("", "   ", "\n"):
        assert assess(text) == Assessment.none()


def test_non_string_is_a_type_error():
    with pytest.raises(TypeError):
        assess(None)  # type: ignore[arg-type]


def test_escalate_matches_kind():
    for text in ("hello", "i can't do this anymore", "i want to die", "i took 30 tylenol"):
        result = assess(text)
        assert result.escalate == (result.kind in (Kind.CRISIS, Kind.EMERGENCY))


# -- kinds ----------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "i just took a whole bottle of pills",
    "i took 40 paracetamol",
    "the rope is around my neck",
    "i want to kill myself tonight",
    "i want to die and i have the pills right here",
    "i'm holding the knife right now",
    "💊💊💊 all of them tonight",
])
def test_danger_now_is_emergency(text):
    assert kind(text) is Kind.EMERGENCY


@pytest.mark.parametrize("text", [
    "I don't want to be here anymore",
    "i'd be better off dead",
    "everyone would be better off without me",
    "i wish i wasn't here",
    "i hope i don't wake up",
])
def test_passive_ideation_escalates(text):
    assert kind(text) is Kind.CRISIS


@pytest.mark.parametrize("text", ["i can't do this anymore", "i feel like a burden", "i want to disappear"])
def test_ambiguous_distress_is_a_check_in(text):
    assert kind(text) is Kind.CHECK_IN


def test_past_attempt_escalates_but_is_not_an_emergency():
    result = assess("I tried to kill myself last year")
    assert result.kind is Kind.CRISIS and "past_attempt" in result.categories
    took = assess("i took an overdose a few months ago")
    assert took.kind is Kind.CRISIS and "past_attempt" in took.categories


def test_overdose_last_night_stays_an_emergency():
    assert kind("i took 30 tylenol last night") is Kind.EMERGENCY


def test_third_party_risk_is_recognised_and_keeps_urgency():
    assert assess("my friend says she wants to die").categories == ["third_party_risk"]
    assert assess("my sister is cutting herself").categories == ["third_party_risk"]
    assert kind("my friend texted me that she took all her pills") is Kind.EMERGENCY


def test_a_check_in_level_phrase_about_someone_else_stays_a_question():
    """Not raised to a crisis because it is about someone else: the person is asked whether they are worried
    the other person may be thinking about suicide (safety_check_in_other); a crisis-level phrase stays a crisis."""
    worry = assess("my friend says nothing matters anymore")
    assert (worry.kind, worry.categories) == (Kind.CHECK_IN, ["third_party_risk"])
    assert kind("my friend says she wants to die") is Kind.CRISIS


def test_suicide_bereavement_is_a_check_in_not_a_crisis():
    result = assess("my brother killed himself two years ago and i miss him")
    assert result.kind is Kind.CHECK_IN and result.categories == ["suicide_bereavement"]


def test_quoted_lyrics_escalate():
    assert assess('"i don\'t want to live anymore" - that song lyric hits hard').escalate
    assert assess("🎵 i want to die, i want to die 🎵").escalate


def test_laughter_does_not_hide_self_directed_risk():
    assert assess("i want to die lol").escalate
    assert assess("i want to die 😂").escalate


def test_risk_in_the_last_clause_of_a_long_message():
    text = ("so today was long, work was a mess, the bus was late, my flatmate ate my leftovers, " * 20) + "and honestly i just want to die"
    assert assess(text).escalate


def test_harm_to_others_and_abuse_escalate():
    assert "harm_to_others" in assess("i want to hurt someone").categories
    assert "abuse_or_unsafe" in assess("my stepdad touches me and told me not to tell").categories


def test_eating_disorder_escalates():
    assert assess("i haven't eaten in 4 days").escalate
    assert assess("i make myself throw up after meals").escalate


# -- negation -------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "I would never hurt myself",
    "i'm not suicidal",
    "i don't want to die",
    "i have never tried to kill myself",
    "suicide has never crossed my mind",
])
def test_negated_risk_is_at_most_a_check_in(text):
    assert kind(text) in (Kind.NONE, Kind.CHECK_IN)


@pytest.mark.parametrize("text", [
    "I'm not going to do anything stupid but I don't want to be here anymore",
    "i don't know why i want to die",
    "i'm trying so hard not to cut",
    "i can't stop thinking about killing myself",
    "i don't see the point in being alive",
    "i'm not sure i want to live anymore",
])
def test_negation_is_not_trusted_blindly(text):
    assert assess(text).escalate


# -- spans ------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("i want to kill myself", "kill myself"),
    ("I WANT TO K1LL MYS3LF!!", "K1LL MYS3LF"),
    ("honestly im gonna kms", "kms"),
    ("i want to diiiie lol", "want to diiiie"),
    ("i want to 🔪 myself", "🔪 myself"),
    ("💊💊 all of them", "💊💊 all of them"),
    ("i dont want to be here anymore", "dont want to be here anymore"),
    ("İ want to die", "want to die"),
])
def test_spans_point_into_the_original_text(text, expected):
    result = assess(text)
    assert result.spans, text
    pieces = [text[s.start:s.end] for s in result.spans]
    assert expected in pieces, pieces
    for span in result.spans:
        assert 0 <= span.start < span.end <= len(text)


def test_span_offsets_survive_emoji_and_variation_selectors():
    text = "⚰️⚰️ soon. i want to die"
    result = assess(text)
    assert any(text[s.start:s.end] == "want to die" for s in result.spans)


# -- size -------------------------------------------------------------------
def test_a_100kb_message_is_handled():
    text = ("the weather was fine and we went for a walk by the river. " * 1800)[:100_000] + " i want to die"
    result = assess(text)
    assert result.escalate
    assert text[result.spans[-1].start:result.spans[-1].end] == "want to die"
