"""The safety contract: holds on the real repository, and breaks with the right message when a piece is
deleted or renamed, both in the fixture project and in copies of the real files."""
from __future__ import annotations

import subprocess
import sys

from ruamel.yaml import YAML

from bot.content import safety_contract
from bot.content.project import load_project
from tests.content.conftest import FORM, REPO, as_strings, copy_repo

P = "safety contract: "


# --- the real repository ------------------------------------------------------------------------------

def test_real_repository_honours_the_safety_contract():
    findings = as_strings(safety_contract.check_repo(REPO))
    assert findings == [], "the safety contract is broken:\n" + "\n".join(findings)


def test_contract_command_on_the_real_repository():
    result = subprocess.run([sys.executable, "-m", "bot.content.safety_contract"], capture_output=True, text=True,
                            cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "safety contract: intact" in result.stderr


def _rules_files(root):
    return sorted((root / "data").rglob("*.yml"))


def _drop_rules(root, predicate) -> int:
    """Delete the rules matching predicate(rule dict) from every data file; how many were deleted."""
    yaml = YAML(typ="rt")
    dropped = 0
    for path in _rules_files(root):
        data = yaml.load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
            continue
        keep = [rule for rule in data["rules"] if not predicate(rule)]
        if len(keep) != len(data["rules"]):
            dropped += len(data["rules"]) - len(keep)
            data["rules"][:] = keep
            with path.open("w", encoding="utf-8") as handle:
                yaml.dump(data, handle)
    return dropped


def _routes(rule, intent, response, form=None) -> bool:
    steps = [dict(step) for step in rule.get("steps") or []]
    condition = [dict(step) for step in rule.get("condition") or []]
    loops = [step.get("active_loop") for step in condition + steps if "active_loop" in step]
    has = any(step.get("intent") == intent for step in steps) and any(step.get("action") == response for step in steps)
    return has and ((form in loops) if form else not any(loops))


def test_real_copy_without_the_crisis_rule_during_a_form_fails(tmp_path):
    root = copy_repo(tmp_path / "repo")
    form = sorted(load_project(root).forms)[0]
    assert _drop_rules(root, lambda rule: _routes(rule, "safety_crisis", "utter_crisis", form)) >= 1
    findings = as_strings(safety_contract.check_repo(root))
    expected = (f"{P}no rule routes safety_crisis to utter_crisis while {form} is active (condition: - active_loop:"
                f" {form}): during that form the message would be taken as the form's answer instead of reaching"
                f" utter_crisis")
    assert [f for f in findings if f.endswith(expected)], findings


def test_real_copy_without_the_emergency_rule_fails(tmp_path):
    root = copy_repo(tmp_path / "repo")
    assert _drop_rules(root, lambda rule: _routes(rule, "safety_emergency", "utter_emergency")) >= 1
    findings = as_strings(safety_contract.check_repo(root))
    assert [f for f in findings if f.endswith(
        f"{P}no rule routes safety_emergency to utter_emergency: a person whose message is flagged safety_emergency"
        " would not get the utter_emergency reply")], findings


def test_real_copy_with_renamed_safety_mode_slot_fails(tmp_path):
    root = copy_repo(tmp_path / "repo")
    domain = root / "domain.yml"
    domain.write_text(domain.read_text(encoding="utf-8").replace("safety_mode:", "safety_on:"), encoding="utf-8")
    findings = as_strings(safety_contract.check_repo(root))
    assert [f for f in findings if f.startswith("domain.yml:1: ") and f.endswith(
        f"{P}slot safety_mode is missing from the domain (renamed?): it switches the conversation into safety"
        " mode after an escalation (rules and stories condition on it)")], findings


def test_real_copy_without_the_safety_component_fails(tmp_path):
    root = copy_repo(tmp_path / "repo")
    config = root / "config.yml"
    text = config.read_text(encoding="utf-8")
    assert "bot.nlu.safety_component.SafetyComponent" in text, \
        "config.yml has no SafetyComponent to remove: see test_real_repository_honours_the_safety_contract"
    config.write_text(text.replace("bot.nlu.safety_component.SafetyComponent", "EntitySynonymMapper"), encoding="utf-8")
    findings = as_strings(safety_contract.check_repo(root))
    assert "config.yml:1: safety contract: the pipeline has no bot.nlu.safety_component.SafetyComponent: risk messages" \
           " would be classified like any other message, and none would be routed to the crisis reply" in findings


def test_real_copy_without_utter_crisis_fails(tmp_path):
    root = copy_repo(tmp_path / "repo")
    yaml = YAML(typ="rt")
    domain = yaml.load((root / "domain.yml").read_text(encoding="utf-8"))
    del domain["responses"]["utter_crisis"]
    with (root / "domain.yml").open("w", encoding="utf-8") as handle:
        yaml.dump(domain, handle)
    findings = as_strings(safety_contract.check_repo(root))
    assert f"domain.yml:1: {P}response utter_crisis is missing from the domain: the crisis reply a person at risk" \
           " receives" in findings


# --- the fixture project: one breakage at a time ------------------------------------------------------

def test_missing_safety_intent(fixture_project):
    fixture_project.edit("domain.yml", "  - safety_third_party\n", "")
    assert f"domain.yml:1: {P}intent safety_third_party is missing from the domain: the safety component sets it" \
           " when someone else is at risk; without it the helper gets no resources for that person" \
           in fixture_project.contract()


def test_missing_response(fixture_project):
    fixture_project.edit("domain.yml", '  utter_crisis_stay:\n    - text: "I\'m still here with you. {crisis_line} is'
                                       ' there for you too."\n', "")
    assert fixture_project.contract() == [
        f"domain.yml:1: {P}response utter_crisis_stay is missing from the domain: what the assistant says after"
        " the crisis reply while the person stays in the conversation"
    ]


def test_crisis_response_without_resources(fixture_project):
    fixture_project.edit("domain.yml", "Please reach out now: {crisis_resources_text}", "Please reach out now.")
    line = fixture_project.line("domain.yml", "Please reach out now.")
    assert fixture_project.contract() == [
        f"domain.yml:{line}: utter_crisis (variation 1) does not show the configured crisis resources: a"
        " crisis/safety response must contain {crisis_resources_text}, {emergency_resources_text}, {crisis_line},"
        " {crisis_contact}, {abuse_resources_text} or {abuse_lines}, so a person at risk always sees where to get help"
    ]


def test_renamed_slot(fixture_project):
    fixture_project.edit("domain.yml", "  safety_mode:\n", "  safety_on:\n")
    assert fixture_project.contract() == [
        f"domain.yml:1: {P}slot safety_mode is missing from the domain (renamed?): it switches the conversation"
        " into safety mode after an escalation (rules and stories condition on it)"
    ]


def test_safety_mode_not_set_by_an_intent(fixture_project):
    fixture_project.edit("domain.yml", "intent: [safety_crisis, safety_emergency, safety_third_party, safety_abuse]",
                         "intent: [safety_crisis, safety_emergency, safety_abuse]")
    line = fixture_project.line("domain.yml", "  safety_mode:")
    assert fixture_project.contract() == [
        f"domain.yml:{line}: {P}slot safety_mode is not set to true by a from_intent mapping on safety_third_party:"
        " it switches the conversation into safety mode after an escalation (rules and stories condition on it)"
    ]


def test_generated_slot_declared_in_domain(fixture_project):
    fixture_project.edit("domain.yml", "slots:\n", "slots:\n  crisis_line:\n    type: text\n    mappings:\n"
                                                   "      - type: custom\n")
    line = fixture_project.line("domain.yml", "  crisis_line:")
    assert fixture_project.contract() == [
        f"domain.yml:{line}: {P}slot crisis_line is declared in the domain, but `bot build` generates it from the"
        " clinic's settings (the main crisis line the crisis replies and the footer name); remove it from the domain"
    ]


def test_generated_card_missing_from_build(fixture_project):
    fixture_project.edit("var/build/domain/crisis_resources.yml", "  utter_emergency_resources_card: [{custom: {resources: []}}]\n", "")
    assert fixture_project.contract() == [
        f"domain.yml:1: {P}response utter_emergency_resources_card is not generated by `bot build`: the clickable"
        " emergency resources card shown with the emergency reply; bot/build.py must write it into crisis_resources.yml"
    ]


def test_missing_general_rule(fixture_project):
    fixture_project.edit("data/rules.yml", "- rule: safety_check_in\n  steps:\n  - intent: safety_check_in\n"
                                           "  - action: utter_check_in\n", "")
    line = fixture_project.line("data/rules.yml", "- rule: safety_check_in during")
    assert fixture_project.contract() == [
        f"data/rules.yml:{line}: {P}no rule routes safety_check_in to utter_check_in: a person whose message is"
        " flagged safety_check_in would not get the utter_check_in reply"
    ]


def test_missing_rule_while_form_active(fixture_project):
    rules = fixture_project.read("data/rules.yml")
    start = rules.index("- rule: safety_emergency during")
    end = rules.index("- rule:", start + 1)
    fixture_project.write("data/rules.yml", rules[:start] + rules[end:])
    line = fixture_project.line("data/rules.yml", "- rule: safety_emergency")
    assert fixture_project.contract() == [
        f"data/rules.yml:{line}: {P}no rule routes safety_emergency to utter_emergency while {FORM} is active"
        f" (condition: - active_loop: {FORM}): during that form the message would be taken as the form's answer"
        " instead of reaching utter_emergency"
    ]


def test_rule_that_routes_in_a_later_turn_does_not_count(fixture_project):
    # the crisis reply must follow the safety intent in the same bot turn
    fixture_project.edit("data/rules.yml", "  - intent: safety_crisis\n  - action: utter_crisis\n",
                         "  - intent: safety_crisis\n  - action: utter_greet\n  - intent: greet\n"
                         "  - action: utter_crisis\n")
    assert any("no rule routes safety_crisis to utter_crisis: a person" in f for f in fixture_project.contract())


def test_component_missing(fixture_project):
    fixture_project.edit("config.yml", "  - name: bot.nlu.safety_component.SafetyComponent\n", "")
    assert fixture_project.contract() == [
        f"config.yml:1: {P}the pipeline has no bot.nlu.safety_component.SafetyComponent: risk messages would be"
        " classified like any other message, and none would be routed to the crisis reply"
    ]


def test_component_before_fallback_classifier(fixture_project):
    fixture_project.edit("config.yml", "  - name: FallbackClassifier\n    threshold: 0.2\n"
                                       "  - name: bot.nlu.safety_component.SafetyComponent\n",
                         "  - name: bot.nlu.safety_component.SafetyComponent\n  - name: FallbackClassifier\n"
                         "    threshold: 0.2\n")
    assert (fixture_project.line("config.yml", "SafetyComponent"), fixture_project.line("config.yml", "Fallback")) == (7, 8)
    assert fixture_project.contract() == [
        f"config.yml:7: {P}bot.nlu.safety_component.SafetyComponent comes before FallbackClassifier (line 8): it must"
        " come after it, or FallbackClassifier may overwrite the crisis intent"
    ]


def test_component_before_intent_classifier(fixture_project):
    fixture_project.edit("config.yml", "  - name: LogisticRegressionClassifier\n", "")
    fixture_project.edit("config.yml", "  - name: bot.nlu.safety_component.SafetyComponent\n",
                         "  - name: bot.nlu.safety_component.SafetyComponent\n  - name: LogisticRegressionClassifier\n")
    findings = fixture_project.contract()
    assert f"config.yml:8: {P}bot.nlu.safety_component.SafetyComponent comes before LogisticRegressionClassifier" \
           " (line 9): it must come after it, or LogisticRegressionClassifier may overwrite the crisis intent" in findings


def test_check_content_command_reports_contract_and_lint(fixture_project, tmp_path):
    """`python -m bot.content.check` (what make check-content runs after bot validate) fails on a broken contract."""
    fixture_project.edit("config.yml", "  - name: bot.nlu.safety_component.SafetyComponent\n", "")
    # the command builds the fragment itself, from the project's settings.yml
    (fixture_project.root / "settings.yml").write_text((REPO / "settings.yml").read_text(), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "bot.content.check", "--root", str(fixture_project.root)],
                            capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 1
    assert f"config.yml:1: {P}the pipeline has no bot.nlu.safety_component.SafetyComponent" in result.stdout
    assert "safety contract BROKEN" in result.stderr
