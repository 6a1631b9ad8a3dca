"""What the check-in rules need to read an answer to "are you thinking about suicide?" (data/rules/safety.yml),
and the mark that has a panic attack met with an exercise at once (actions/feelings.py).

A bare "ok" is affirm to the classifier; the entity bare_acknowledgement lets the rules ask once more instead
of taking it for a yes, while "yes ok" stays a yes. A check-in asked because of a statement of intent with no
object carries check_in_reason, so its unclear answer ("tonight.") escalates at once instead of being asked
about again. These texts are not training examples of the check-in answers.
"""
from __future__ import annotations

import pytest


def entities(parsed: dict) -> dict[str, str]:
    return {e["entity"]: e["value"] for e in parsed.get("entities") or []}


@pytest.mark.parametrize("text", ["ok", "Okay.", "alright", "fine", "k"])
def test_a_bare_acknowledgement_is_marked(pipeline, text):
    parsed = pipeline.parse(text)
    assert "bare_acknowledgement" in entities(parsed)


@pytest.mark.parametrize("text", ["yes ok", "ok yes", "yes", "yeah", "i guess so", "im ok now", "ok lets do it"])
def test_an_answer_that_says_more_is_not_marked(pipeline, text):
    assert "bare_acknowledgement" not in entities(pipeline.parse(text))


@pytest.mark.parametrize("text", ["i'm going to do it.", "tonight's the night", "i've made up my mind"])
def test_a_statement_of_intent_with_no_object_marks_its_check_in(pipeline, text):
    parsed = pipeline.parse(text)
    assert parsed["intent"]["name"] == "safety_check_in"
    assert entities(parsed).get("check_in_reason") == "intent_or_timeline"


@pytest.mark.parametrize("text", ["whats the point of anything anymore", "i just want to disappear"])
def test_a_hopeless_check_in_is_not_marked(pipeline, text):
    parsed = pipeline.parse(text)
    assert "check_in_reason" not in entities(parsed)


@pytest.mark.parametrize("text", ["no i'd never hurt myself, i just want out of the house", "nope, not going to kill myself",
                                  "no im not going to kill myself", "i would never kill myself",
                                  "Me? Kill myself? Never. I'm just angry at my ex", "I'm not suicidal, just exhausted"])
def test_a_negated_risk_phrase_is_a_marked_check_in(pipeline, text):
    """As the answer to the check-in question it is a no, and out of the blue it is acknowledged, not
    questioned (data/rules/safety.yml): not the careful path."""
    parsed = pipeline.parse(text)
    assert parsed["intent"]["name"] == "safety_check_in"
    assert entities(parsed).get("negated_risk") == "negated"


@pytest.mark.parametrize("text", ["i would never kill myself but i do cut sometimes", "i want to kill myself",
                                  "no i wouldnt kill myself but i think about it a lot", "no im not going to kill myself yet",
                                  "not tonight, i won't kill myself", "i dont want to be alive anymore", "i'm going to do it."])
def test_risk_not_plainly_denied_is_not_marked(pipeline, text):
    """Not all negated, not a plain denial, taking it back ("but") or bound to a time ("yet", "tonight"):
    the careful path."""
    assert "negated_risk" not in entities(pipeline.parse(text))


@pytest.mark.parametrize("text", ["im having a panic attack i cant breathe properly", "i think im hyperventilating",
                                  "cant catch my breath my heart is racing"])
def test_anxiety_at_its_height_is_marked(pipeline, text):
    """action_reflect_feeling then offers an exercise at once (actions/feelings.py)."""
    assert "acute_anxiety" in entities(pipeline.parse(text))


@pytest.mark.parametrize("text", ["im anxious about my exam", "my breathing exercise went well"])
def test_ordinary_anxiety_is_not_marked(pipeline, text):
    assert "acute_anxiety" not in entities(pipeline.parse(text))


@pytest.mark.parametrize("text", ["no, i mean work is just too much", "nope, uni is just really hard at the moment",
                                  "no its my landlord stressing me out"])
def test_a_no_that_says_what_is_really_going_on_is_a_no(pipeline, text):
    """Walk-through, 6 December: read as overwhelm, the answer was asked about again and then escalated."""
    assert pipeline.parse(text)["intent"]["name"] == "deny"


@pytest.mark.parametrize("text", ["no not like that, just overwhelmed with work and my landlord",
                                  "no, just really stressed with the house move", "nah im just anxious about the interview"])
def test_a_no_with_a_feeling_and_its_cause_is_a_no(pipeline, text):
    """Walk-through, 7 December: the feeling word ("overwhelmed", 0.65) outweighed the no, and it was asked again."""
    assert pipeline.parse(text)["intent"]["name"] == "deny"


@pytest.mark.parametrize("text", ["no, well sometimes", "not really... maybe sometimes", "no but i do think about it",
                                  "no, it's crossed my mind though", "kinda"])
def test_a_no_that_takes_itself_back_is_marked(pipeline, text):
    """As the answer to the suicide question it takes the path of a yes (data/rules/check_in_hedged.yml)."""
    assert "hedged_answer" in entities(pipeline.parse(text))


@pytest.mark.parametrize("text", ["no", "no not like that", "no, never thought about it", "no but thanks for asking",
                                  "no, just a bit tired", "no, sometimes i just get overwhelmed", "no, i used to",
                                  "not right now, no", "no, not at the moment"])
def test_a_plain_no_is_not_marked(pipeline, text):
    assert "hedged_answer" not in entities(pipeline.parse(text))


def test_rent_going_up_is_overwhelm_not_fear_of_telling_someone(pipeline):
    """Walk-through, 7 December: "Worrying about how other people will react" answered a rent rise."""
    assert pipeline.parse("he wants to put the rent up and i cant afford it")["intent"]["name"] in (
        "mood_overwhelmed", "mood_anxious")
