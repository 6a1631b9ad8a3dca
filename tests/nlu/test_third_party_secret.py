"""A secret someone else asked the writer to keep is third_party_secret, not a question about this chat (issue 12).

After the reply about someone at risk, "she made me promise not to tell anyone" was read as reaching_out_hard
and answered with how to support someone. It has its own intent, which the dialogue answers with
utter_third_party_secret (a life comes before the promise). "will you tell anyone what i say" is about this
chat and stays ask_privacy; a message with risk words stays with the safety component. These texts are not
training examples (data/nlu/third_party_secret.yml has its own, written differently).
"""
from __future__ import annotations

import pytest

SECRETS = ["she made me promise i wouldnt tell anyone", "my little brother asked me not to tell our parents",
           "my cousin asked me to keep quiet about what she told me", "my friend asked me not to tell her mom",
           "i promised my friend i wouldn't tell anyone"]
#: The risk model alone asks about some of these (e.g. the first, and "he made me swear not to tell our
#: parents" after the reply about a brother at risk): the question is then about that person.
ABOUT_THEM = {"third_party_secret", "safety_check_in_other"}
ABOUT_THIS_CHAT = ["will you tell anyone what i say", "is this chat private", "can you keep a secret"]
ROUTED_TO_SOMEONE_ELSE = {"safety_third_party", "safety_check_in_other"}


@pytest.mark.parametrize("text", SECRETS)
def test_a_secret_someone_asked_to_keep_is_their_secret(pipeline, text):
    assert pipeline.parse(text)["intent"]["name"] in ABOUT_THEM


def test_a_brothers_secret_is_never_the_question_about_the_writers_own_suicide(pipeline):
    assert pipeline.parse("he made me swear not to tell our parents")["intent"]["name"] in ABOUT_THEM


@pytest.mark.parametrize("text", SECRETS)
def test_a_secret_without_risk_words_is_not_escalated(pipeline, text):
    assert not (pipeline.parse(text).get("safety") or {}).get("escalate")


@pytest.mark.parametrize("text", ABOUT_THIS_CHAT)
def test_a_question_about_this_chat_is_still_about_privacy(pipeline, text):
    assert pipeline.parse(text)["intent"]["name"] == "ask_privacy"


def test_a_secret_with_risk_words_stays_with_the_safety_component(pipeline):
    parsed = pipeline.parse("my friend told me she wants to kill herself and made me promise not to tell")
    assert parsed["intent"]["name"] in ROUTED_TO_SOMEONE_ELSE
    assert parsed["intent"]["confidence"] == 1.0
