"""A small Rasa project on disk that passes every content check and the safety contract.

Tests change one thing in it (``project.edit(file, old, new)``) and assert the exact finding,
``file:line: problem``; ``project.line(file, text)`` finds the line a finding must point at.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Optional

import pytest

from bot.content import lint, safety_contract
from bot.content.findings import Finding
from bot.content.project import Project, load_project

REPO = Path(__file__).resolve().parents[2]

INTENTS = ["greet", "mood_low", "safety_crisis", "safety_emergency", "safety_check_in", "safety_check_in_other",
           "safety_third_party", "safety_abuse"]
FORM = "exercise_form"

DOMAIN = """\
version: "3.1"
intents:
  - greet
  - mood_low
  - safety_crisis
  - safety_emergency
  - safety_check_in
  - safety_check_in_other
  - safety_third_party
  - safety_abuse
entities:
  - emotion
slots:
  emotion:
    type: text
    influence_conversation: false
    mappings:
      - type: from_entity
        entity: emotion
  exercise_ack:
    type: text
    influence_conversation: false
    mappings:
      - type: from_text
        conditions:
          - active_loop: exercise_form
  safety_mode:
    type: bool
    influence_conversation: true
    initial_value: false
    mappings:
      - type: from_intent
        intent: [safety_crisis, safety_emergency, safety_third_party, safety_abuse]
        value: true
forms:
  exercise_form:
    required_slots:
      - exercise_ack
responses:
  utter_greet:
    - text: "Hi, I'm here to listen. {safety_footer}"
      buttons:
        - title: "I feel low"
          payload: '/mood_low{{"emotion": "low"}}'
    - text: "Hello. What's on your mind today? {safety_footer}"
  utter_reflect_mood_low:
    - text: "That sounds heavy. {safety_footer}"
    - text: "Feeling low is hard. {safety_footer}"
  utter_ask_exercise_ack:
    - text: "Notice five things you can see. {safety_footer}"
    - text: "Look around and name five things you see. {safety_footer}"
  utter_crisis:
    - text: "I'm really glad you told me. Please reach out now: {crisis_resources_text}"
  utter_crisis_stay:
    - text: "I'm still here with you. {crisis_line} is there for you too."
  utter_emergency:
    - text: "Please get help right now: {emergency_resources_text}"
  utter_third_party:
    - text: "It's kind of you to look out for them. These can help: {crisis_resources_text}"
  utter_check_in:
    - text: "I want to check: are you thinking of hurting yourself? You can call {crisis_line} any time."
  utter_check_in_other:
    - text: "Are you worried they might be thinking about suicide? {crisis_line} can help you support them."
  utter_abuse:
    - text: "Thank you for telling me. It is not your fault. These can help: {abuse_resources_text}"
  utter_abuse_stay:
    - text: "I'm still here with you. {abuse_lines} are there for you too."
  utter_safety_footer:
    - text: "If you need to talk to someone now, call {crisis_line}."
"""

def _examples(intent: str) -> str:
    return "".join(f"    - {intent.replace('_', ' ')} sample {number}\n" for number in range(1, 16))


NLU = 'version: "3.1"\nnlu:\n' + "".join(
    f"- intent: {intent}\n  examples: |\n{_examples(intent)}" for intent in INTENTS
)

ROUTES = {"safety_crisis": "utter_crisis", "safety_emergency": "utter_emergency",
          "safety_third_party": "utter_third_party", "safety_check_in": "utter_check_in",
          "safety_check_in_other": "utter_check_in_other", "safety_abuse": "utter_abuse"}


def _safety_rules() -> str:
    text = ""
    for intent, response in ROUTES.items():
        extra = "  - action: utter_crisis_resources_card\n" if intent == "safety_crisis" else ""
        extra += "  - action: utter_crisis_stay\n" if intent == "safety_crisis" else ""
        extra += "  - action: utter_emergency_resources_card\n" if intent == "safety_emergency" else ""
        extra += "  - action: utter_abuse_resources_card\n  - action: utter_abuse_stay\n" if intent == "safety_abuse" else ""
        text += f"- rule: {intent}\n  steps:\n  - intent: {intent}\n  - action: {response}\n{extra}"
        text += (
            f"- rule: {intent} during {FORM}\n  condition:\n  - active_loop: {FORM}\n  steps:\n"
            f"  - intent: {intent}\n  - action: action_deactivate_loop\n  - active_loop: null\n"
            f"  - action: {response}\n"
        )
    return text


RULES = f"""\
version: "3.1"
rules:
- rule: greet
  steps:
  - intent: greet
  - action: utter_greet
- rule: low mood starts the exercise
  steps:
  - intent: mood_low
  - action: utter_reflect_mood_low
  - action: {FORM}
  - active_loop: {FORM}
{_safety_rules()}"""

CONFIG = """\
recipe: default.v1
language: en
pipeline:
  - name: WhitespaceTokenizer
  - name: CountVectorsFeaturizer
  - name: LogisticRegressionClassifier
  - name: FallbackClassifier
    threshold: 0.2
  - name: bot.nlu.safety_component.SafetyComponent
policies:
  - name: RulePolicy
"""

ACTIONS = '''\
from rasa_sdk import Action


class ActionExample(Action):
    def name(self):
        return "action_example"
'''

# What `bot build` writes (bot/build.py), reduced to what the checks read.
FRAGMENT = """\
version: "3.1"
slots:
  crisis_line: {type: text, initial_value: "988", mappings: [{type: custom}]}
  crisis_contact: {type: text, initial_value: "call or text 988", mappings: [{type: custom}]}
  crisis_resources_text: {type: text, initial_value: "988", mappings: [{type: custom}]}
  emergency_resources_text: {type: text, initial_value: "911", mappings: [{type: custom}]}
  abuse_resources_text: {type: text, initial_value: "1-800-422-4453", mappings: [{type: custom}]}
  abuse_lines: {type: text, initial_value: "1-800-422-4453", mappings: [{type: custom}]}
  emergency_line: {type: text, initial_value: "911", mappings: [{type: custom}]}
  safety_footer:
    type: text
    initial_value: ""
    mappings:
      - type: from_intent
        intent: [safety_crisis, safety_emergency, safety_third_party, safety_abuse]
        value: "If you need to talk to someone now, call 988."
  clinic_name: {type: text, mappings: [{type: custom}]}
  clinic_phone: {type: text, mappings: [{type: custom}]}
  clinic_hours: {type: text, mappings: [{type: custom}]}
responses:
  utter_crisis_resources_card: [{custom: {resources: []}}]
  utter_emergency_resources_card: [{custom: {resources: []}}]
  utter_abuse_resources_card: [{custom: {resources: []}}]
"""

FILES = {
    "domain.yml": DOMAIN,
    "data/nlu.yml": NLU,
    "data/rules.yml": RULES,
    "config.yml": CONFIG,
    "actions/__init__.py": "",
    "actions/actions.py": ACTIONS,
    "var/build/domain/crisis_resources.yml": FRAGMENT,
}


class FixtureProject:
    def __init__(self, root: Path) -> None:
        self.root = root
        for name, text in FILES.items():
            self.write(name, text)

    def write(self, name: str, text: str) -> None:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def read(self, name: str) -> str:
        return (self.root / name).read_text(encoding="utf-8")

    def edit(self, name: str, old: str, new: str, count: int = 1) -> None:
        text = self.read(name)
        assert old in text, f"fixture edit: {old!r} not in {name}"
        self.write(name, text.replace(old, new, count))

    def line(self, name: str, text: str, occurrence: int = 1) -> int:
        """1-based line of the n-th line containing ``text`` (independent of the checks' own line logic)."""
        hits = [n for n, line in enumerate(self.read(name).splitlines(), 1) if text in line]
        assert len(hits) >= occurrence, f"{text!r} occurs {len(hits)} times in {name}"
        return hits[occurrence - 1]

    @property
    def fragment(self) -> Path:
        return self.root / "var/build/domain/crisis_resources.yml"

    def project(self) -> Project:
        return load_project(self.root, self.fragment)

    def lint(self, only: Optional[str] = None) -> list[str]:
        return [str(f) for f in lint.lint(self.project(), [only] if only else None)]

    def contract(self) -> list[str]:
        return [str(f) for f in safety_contract.check(self.project())]


@pytest.fixture
def fixture_project(tmp_path: Path) -> FixtureProject:
    return FixtureProject(tmp_path / "project")


def copy_repo(target: Path) -> Path:
    """The real project's content files, copied so a test can break them."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("domain.yml", "config.yml", "settings.yml"):
        if (REPO / name).exists():
            shutil.copy(REPO / name, target / name)
    for name in ("data", "actions", "domain"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def as_strings(findings: list[Finding]) -> list[str]:
    return [str(f) for f in findings]
