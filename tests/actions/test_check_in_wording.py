"""Which wording of the direct suicide question a person in safety mode reads (utter_check_in), and of the reply to
its "no" (utter_check_in_no), picked by the project's response generator from the built domain (the clinic's
configured lines filled in)."""
from tests.actions.conftest import generated_text


def check_in(domain: dict, **slots) -> str:
    return generated_text(domain, "utter_check_in", **slots)


def test_after_an_abuse_disclosure_the_question_does_not_say_suicide_was_mentioned_and_names_the_abuse_lines(domain):
    abuse_lines = "Childline 0800 TEST"
    for _ in range(6):  # variations are picked at random: the wrong one must never be among them
        text = check_in(domain, safety_mode=True, risk_situation="abuse", abuse_lines=abuse_lines)
        assert "what you told me earlier" not in text
        assert abuse_lines in text and "{" not in text


def test_in_safety_mode_after_thoughts_of_suicide_the_question_is_about_now(domain):
    for _ in range(6):
        text = check_in(domain, safety_mode=True)
        assert "what you told me earlier" in text and "{" not in text


def test_a_no_to_the_question_after_an_emergency_keeps_the_worry_and_offers_no_skill(domain):
    """utter_check_in_no after an emergency reply (slot declined_after_emergency, actions/safety.py)."""
    for _ in range(6):
        after = generated_text(domain, "utter_check_in_no", safety_mode=True, declined_after_emergency=True)
        assert "even if you feel okay" in after and "skill" not in after and "{" not in after
        usual = generated_text(domain, "utter_check_in_no", safety_mode=True)
        assert "skill" in usual and "even if you feel okay" not in usual
