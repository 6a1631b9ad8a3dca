"""Each content-lint rule on the fixture project: the finding appears, exactly, when the rule is broken."""
from __future__ import annotations

import subprocess
import sys

from bot.content import lint, readability
from bot.content.lint import normalise

FOOTER_WHY = "after an escalation every reply must keep the crisis line visible (docs/conversation-design.md)"


def test_fixture_project_is_clean(fixture_project):
    assert fixture_project.lint() == []
    assert fixture_project.contract() == []


# --- variations -------------------------------------------------------------------------------------

def test_ordinary_response_needs_two_variations(fixture_project):
    fixture_project.edit("domain.yml", '    - text: "Feeling low is hard. {safety_footer}"\n', "")
    line = fixture_project.line("domain.yml", "utter_reflect_mood_low:")
    assert fixture_project.lint("variations") == [
        f"domain.yml:{line}: utter_reflect_mood_low has 1 variation; ordinary responses need at least 2 so the"
        " assistant does not repeat itself word for word (crisis/safety responses are exempt:"
        " bot/content/content_rules.yml)"
    ]


def test_crisis_responses_may_have_one_variation(fixture_project):
    # utter_crisis, utter_check_in, ... have one variation in the fixture and no finding
    assert len(fixture_project.project().responses["utter_crisis"].variations) == 1
    assert fixture_project.lint("variations") == []


# --- reading level ----------------------------------------------------------------------------------

HARD = ("Cognitive behavioural interventions systematically restructure maladaptive interpretations,"
        " facilitating considerably improved emotional regulation capabilities throughout"
        " psychotherapeutic engagement. {safety_footer}")


def test_hard_text_is_flagged_with_its_grade(fixture_project):
    fixture_project.edit("domain.yml", "That sounds heavy. {safety_footer}", HARD)
    line = fixture_project.line("domain.yml", "Cognitive behavioural")
    grade = readability.grade(HARD, 15)
    assert grade is not None and grade > 8
    assert fixture_project.lint("reading-level") == [
        f"domain.yml:{line}: utter_reflect_mood_low (variation 1) reads at grade {grade:g}"
        " (Flesch-Kincaid, limit 8): use shorter sentences and everyday words"
    ]


def test_plain_text_passes_and_short_text_is_not_scored(fixture_project):
    plain = ("It's OK to feel this way. Let's take one small step together. Breathe in, and breathe out"
             " slowly. {safety_footer}")
    fixture_project.edit("domain.yml", "That sounds heavy. {safety_footer}", plain)
    # a short text with a long word would score high, but is below the 15-word minimum
    fixture_project.edit("domain.yml", "Feeling low is hard.", "Overwhelming, incomprehensible exhaustion.")
    assert readability.grade("Overwhelming, incomprehensible exhaustion.", 15) is None
    assert fixture_project.lint("reading-level") == []


def test_placeholders_are_removed_before_scoring():
    assert readability.scoring_text("Call {crisis_line} now. {safety_footer}") == "Call now."
    assert readability.word_count("Call {crisis_resources_text} now") == 2


# --- ruled-out phrases --------------------------------------------------------------------------------

def test_ruled_out_phrase_in_text(fixture_project):
    fixture_project.edit("domain.yml", "That sounds heavy.", "Try to calm  down, it's fine.")
    line = fixture_project.line("domain.yml", "calm  down")
    assert fixture_project.lint("phrases") == [
        f'domain.yml:{line}: utter_reflect_mood_low (variation 1) says "calm  down": dismisses the feeling and'
        ' tends to escalate distress; reflect it instead ("That sounds really intense.") (bot/content/phrases.yml)'
    ]


def test_ruled_out_phrase_case_and_curly_apostrophe(fixture_project):
    fixture_project.edit("domain.yml", "That sounds heavy.", "DON\u2019T WORRY about it.")
    [finding] = fixture_project.lint("phrases")
    assert "utter_reflect_mood_low (variation 1) says \"DON'T WORRY\": dismisses the worry" in finding


def test_ruled_out_phrase_in_button_title(fixture_project):
    fixture_project.edit("domain.yml", 'title: "I feel low"', 'title: "Cheer up!"')
    line = fixture_project.line("domain.yml", 'title: "Cheer up!"')
    [finding] = fixture_project.lint("phrases")
    assert finding.startswith(f'domain.yml:{line}: utter_greet (variation 1) says "Cheer up": ')


def test_phrases_match_on_word_boundaries_only(fixture_project):
    # "at least" is ruled out; "at leastwise"/"flat leasts" are not the phrase
    fixture_project.edit("domain.yml", "That sounds heavy.", "That sounds heavy, flat leasts aside.")
    assert fixture_project.lint("phrases") == []


def test_method_secrecy_and_diagnosis_phrases_are_listed():
    texts = {
        "He committed suicide.": "commit",
        "A successful suicide": "achievement",
        "I promise not to tell.": "secrecy",
        "I won't tell anyone.": "secrecy",
        "Don't overdose on those.": "method",
        "how many pills": "dose",
        "never cut deeper": "method",
        "You have depression.": "diagnosis",
        "you're bipolar": "diagnostic label",
        "I know exactly how you feel": "understanding",
        "you should just rest": "prescriptive",
    }
    for text, reason_word in texts.items():
        hits = [p for p in lint.ruled_out_phrases() if p.regex.search(text)]
        assert hits, text
        assert any(reason_word in p.reason for p in hits), (text, [p.reason for p in hits])
    assert not [p for p in lint.ruled_out_phrases() if p.regex.search("You have a plan for today.")]


def test_every_phrase_has_a_reason():
    for phrase in lint.ruled_out_phrases():
        assert len(phrase.reason) > 10


# --- resources and footer -----------------------------------------------------------------------------

def test_a_message_naming_the_crisis_line_twice_is_a_finding(fixture_project):
    """Issue 12: "call or text 988" in the text and again in the footer reads like a form letter."""
    fixture_project.edit("domain.yml", 'That sounds heavy. {safety_footer}',
                         'That sounds heavy. You can call {crisis_line}. {safety_footer}')
    line = fixture_project.line("domain.yml", "That sounds heavy.")
    assert fixture_project.lint("crisis-line-once") == [
        f"domain.yml:{line}: utter_reflect_mood_low (variation 1) names the crisis line 2 times"
        " ({crisis_line}, {safety_footer}): say it once per message; where the footer already names it in"
        " safety mode, add variations with `condition: [{type: slot, name: safety_mode, value: true}]` that"
        " leave it to the footer"
    ]


def test_a_safety_mode_variation_that_leaves_the_line_to_the_footer_clears_the_finding(fixture_project):
    fixture_project.edit("domain.yml", '''    - text: "Feeling low is hard. {safety_footer}"''', """    - text: "Feeling low is hard. {safety_footer}"
    - condition:
        - type: slot
          name: safety_mode
          value: true
      text: "That sounds heavy. I'm still here. {safety_footer}"
""")
    fixture_project.edit("domain.yml", 'That sounds heavy. {safety_footer}',
                         'That sounds heavy. You can call {crisis_line}. {safety_footer}')
    assert fixture_project.lint("crisis-line-once") == []
    # a fixed-wording reply with the line and the full list names it twice as well
    fixture_project.edit("domain.yml", "I'm still here with you. {crisis_line} is there for you too.",
                         "I'm still here with you. {crisis_line} is there for you too. {crisis_resources_text}")
    assert [f.split(": ", 1)[1][:40] for f in fixture_project.lint("crisis-line-once")] == [
        "utter_crisis_stay (variation 1) names th"]


def test_crisis_response_must_show_resources(fixture_project):
    fixture_project.edit("domain.yml", "These can help: {crisis_resources_text}", "Please talk to someone.")
    line = fixture_project.line("domain.yml", "It's kind of you")
    assert fixture_project.lint("resources-and-footer") == [
        f"domain.yml:{line}: utter_third_party (variation 1) does not show the configured crisis resources:"
        " a crisis/safety response must contain {crisis_resources_text}, {emergency_resources_text},"
        " {crisis_line}, {crisis_contact}, {abuse_resources_text}, {abuse_lines} or {crisis_text_chat_lines},"
        " so a person at risk always sees where to get help"
    ]


def test_ordinary_response_must_end_with_footer(fixture_project):
    fixture_project.edit("domain.yml", "Feeling low is hard. {safety_footer}", "Feeling low is hard.")
    line = fixture_project.line("domain.yml", "Feeling low is hard.")
    assert fixture_project.lint("resources-and-footer") == [
        f"domain.yml:{line}: utter_reflect_mood_low (variation 2) does not end with {{safety_footer}}: {FOOTER_WHY}"
    ]


def test_footer_in_the_middle_does_not_count(fixture_project):
    fixture_project.edit("domain.yml", "That sounds heavy. {safety_footer}", "{safety_footer} That sounds heavy.")
    assert len(fixture_project.lint("resources-and-footer")) == 1


def test_unknown_placeholder(fixture_project):
    fixture_project.edit("domain.yml", "Please reach out now: {crisis_resources_text}",
                         "Please reach out now: {crisis_resources}")
    line = fixture_project.line("domain.yml", "Please reach out now")
    assert f"domain.yml:{line}: utter_crisis (variation 1) uses {{crisis_resources}}, which is not a slot:" \
           ' the person would see "{crisis_resources}" as it is' in fixture_project.lint("placeholders")


# --- NLU ------------------------------------------------------------------------------------------------

def test_intent_with_too_few_examples(fixture_project):
    fixture_project.edit("data/nlu.yml", "    - greet sample 15\n", "")
    line = fixture_project.line("data/nlu.yml", "- intent: greet")
    assert fixture_project.lint("example-counts") == [
        f"data/nlu.yml:{line}: intent greet has 14 examples; at least 15 are needed for the classifier to"
        " recognise it reliably"
    ]


def test_domain_intent_without_examples(fixture_project):
    fixture_project.edit("domain.yml", "  - mood_low\n", "  - mood_low\n  - grief\n")
    line = fixture_project.line("domain.yml", "  - grief")
    assert f"domain.yml:{line}: intent grief has 0 examples; at least 15 are needed for the classifier to" \
           " recognise it reliably" in fixture_project.lint("example-counts")


def test_example_in_two_intents_after_normalising(fixture_project):
    fixture_project.edit("data/nlu.yml", "    - mood low sample 3\n", "    - Greet, sample 2!\n")
    first = fixture_project.line("data/nlu.yml", "- greet sample 2")
    second = fixture_project.line("data/nlu.yml", "- Greet, sample 2!")
    assert fixture_project.lint("duplicate-examples") == [
        f'data/nlu.yml:{second}: example "Greet, sample 2!" (mood_low) is also an example of greet at'
        f" data/nlu.yml:{first}: one sentence can teach only one intent"
    ]


def test_duplicate_ignores_entity_annotations():
    assert normalise("I feel [sad](emotion), really") == normalise("i feel sad really")
    assert normalise('I\u2019m [low]{"entity": "emotion"}') == "im low"


def test_unused_intent(fixture_project):
    fixture_project.edit("data/rules.yml", "- rule: greet\n  steps:\n  - intent: greet\n  - action: utter_greet\n",
                         "- rule: greet\n  steps:\n  - intent: mood_low\n  - action: utter_greet\n")
    line = fixture_project.line("domain.yml", "  - greet")
    assert fixture_project.lint("unused-intents") == [
        f"domain.yml:{line}: intent greet is not used by any rule or story: the assistant has no next step"
        " when it is predicted (add a rule, or remove the intent)"
    ]


# --- responses used -------------------------------------------------------------------------------------

def test_unused_response(fixture_project):
    fixture_project.edit("data/rules.yml", "  - action: utter_greet\n", "")
    line = fixture_project.line("domain.yml", "utter_greet:")
    assert fixture_project.lint("unused-responses") == [
        f"domain.yml:{line}: response utter_greet is never used (no rule, story, form question or actions/"
        " code says it): add the step that says it, or delete it"
    ]


def test_response_used_by_form_question_and_documented_exception(fixture_project):
    # utter_ask_exercise_ack (form question) and utter_safety_footer (exception) are used nowhere else
    assert "utter_ask_exercise_ack" not in fixture_project.read("data/rules.yml")
    assert fixture_project.lint("unused-responses") == []


def test_response_named_in_actions_code(fixture_project):
    fixture_project.edit("data/rules.yml", "  - action: utter_greet\n", "")
    fixture_project.write("actions/actions.py", 'GREETING = "utter_greet"\n')
    assert fixture_project.lint("unused-responses") == []


def test_response_matched_by_name_pattern_in_actions_code(fixture_project):
    fixture_project.edit("data/rules.yml", "  - action: utter_reflect_mood_low\n", "")
    fixture_project.write("actions/actions.py", 'def reflect(intent):\n    return f"utter_reflect_{intent}"\n')
    assert fixture_project.lint("unused-responses") == []
    # "utter_" + anything would make every response used: too broad, ignored
    fixture_project.write("actions/actions.py", 'def say(name):\n    return f"utter_{name}"\n')
    assert len(fixture_project.lint("unused-responses")) == 1


def test_exercise_steps_pattern_from_actions_code(fixture_project):
    fixture_project.edit("domain.yml", "  utter_safety_footer:",
                         '  utter_box_breathing_step_1:\n    - text: "Breathe in. {safety_footer}"\n'
                         '    - text: "In for four. {safety_footer}"\n  utter_safety_footer:')
    assert len(fixture_project.lint("unused-responses")) == 1
    fixture_project.write("actions/actions.py", 'def step(exercise, n):\n    return f"utter_{exercise}_step_{n}"\n')
    assert fixture_project.lint("unused-responses") == []


# --- buttons --------------------------------------------------------------------------------------------

def _button_findings(fixture_project, payload: str) -> list[str]:
    fixture_project.edit("domain.yml", """payload: '/mood_low{{"emotion": "low"}}'""", f"payload: '{payload}'")
    return fixture_project.lint("buttons")


def test_valid_button_payloads(fixture_project):
    assert fixture_project.lint("buttons") == []
    assert _button_findings(fixture_project, "/greet") == []


def test_button_unknown_intent(fixture_project):
    line = fixture_project.line("domain.yml", "payload: '/mood_low")
    assert _button_findings(fixture_project, "/mood_lowe") == [
        f'domain.yml:{line}: utter_greet (variation 1) button "I feel low" payload /mood_lowe: no intent mood_lowe'
        " in the domain"
    ]


def test_button_invalid_json(fixture_project):
    [finding] = _button_findings(fixture_project, "/mood_low{{emotion: low}}")
    assert "payload /mood_low{{emotion: low}}: {emotion: low} is not valid JSON" in finding


def test_button_single_braces(fixture_project):
    """Rasa takes single braces in a response for a slot placeholder (an error logged on every use)."""
    [finding] = _button_findings(fixture_project, '/mood_low{"emotion": "low"}')
    assert "write the braces doubled" in finding


def test_button_unknown_slot_or_entity(fixture_project):
    [finding] = _button_findings(fixture_project, '/mood_low{{"feeling": "low"}}')
    assert finding.endswith("""payload /mood_low{{"feeling": "low"}}: 'feeling' is neither an entity nor a slot in the domain""")


def test_button_free_text_payload(fixture_project):
    [finding] = _button_findings(fixture_project, "I feel low")
    assert "payload 'I feel low' is not /intent or /intent{json}" in finding


# --- slots in stories, YAML errors, the command ---------------------------------------------------------

def test_rule_checking_an_unknown_slot(fixture_project):
    fixture_project.edit("data/rules.yml", "- rule: greet\n  steps:\n",
                         "- rule: greet\n  condition:\n  - slot_was_set:\n    - safety_on: true\n  steps:\n")
    line = fixture_project.line("data/rules.yml", "- slot_was_set:")
    assert fixture_project.lint("story-slots") == [
        f'data/rules.yml:{line}: rule "greet" checks slot safety_on, which is not a slot in the domain'
    ]


def test_yaml_error_is_a_finding_not_a_crash(fixture_project):
    fixture_project.edit("data/rules.yml", "- rule: greet\n", "- rule: greet\n   bad: [\n")
    findings = fixture_project.lint()
    assert any(f.startswith("data/rules.yml:") and "YAML does not parse" in f for f in findings)


def test_command_prints_findings_and_fails(fixture_project):
    fixture_project.edit("domain.yml", "Feeling low is hard. {safety_footer}", "Feeling low is hard.")
    result = subprocess.run([sys.executable, "-m", "bot.content.lint", "--root", str(fixture_project.root)],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "utter_reflect_mood_low (variation 2) does not end with {safety_footer}" in result.stdout
    assert "content lint: 1 finding" in result.stderr


def test_command_passes_on_clean_project(fixture_project):
    result = subprocess.run([sys.executable, "-m", "bot.content.lint", "--root", str(fixture_project.root)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
