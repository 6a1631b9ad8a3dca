"""After a disclosure of abuse (slot risk_situation "abuse"), the safety-mode follow-ups speak to what is happening
to the person, picked by the project's response generator from the built domain.

Why: in a walk (7 December) a 13-year-old who said their stepdad hits them answered "i dont want him to get in
trouble" and "what if he finds out i told", and heard the suicide safety plan offered with only the suicide line
named, then that "a life at risk comes before a promise" as if a friend had told them a secret."""
import pytest

from tests.actions.conftest import generated_text

ABUSE_LINES = "Childline 0800 TEST"
#: words of each response's suicide-only wording, which a person who disclosed abuse must never read
SUICIDE_ONLY = {
    "utter_safety_stay_no": "you can reach them other ways",
    "utter_safety_refusal_plan_offer": "we can go at your own pace",
    "utter_third_party_secret": "life may be at risk",
}


@pytest.mark.parametrize("response", sorted(SUICIDE_ONLY))
def test_after_an_abuse_disclosure_the_follow_up_names_the_abuse_lines(domain, response):
    for _ in range(6):  # variations are picked at random: the wrong one must never be among them
        text = generated_text(domain, response, safety_mode=True, risk_situation="abuse", abuse_lines=ABUSE_LINES)
        assert ABUSE_LINES in text and "{" not in text
        assert SUICIDE_ONLY[response] not in text


@pytest.mark.parametrize("response", sorted(SUICIDE_ONLY))
def test_after_thoughts_of_suicide_the_follow_up_is_unchanged(domain, response):
    for _ in range(6):
        text = generated_text(domain, response, safety_mode=True, abuse_lines=ABUSE_LINES)
        assert SUICIDE_ONLY[response] in text and ABUSE_LINES not in text
