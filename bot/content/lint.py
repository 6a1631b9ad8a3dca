"""The content lint: rules over responses and training data, each finding as ``file:line: problem``.

Run: ``python -m bot.content.lint`` (exit code 1 when there is any finding). ``make check-content``
runs it after ``bot validate``, together with the safety contract (bot.content.check).
The thresholds and exceptions are data: content_rules.yml and phrases.yml beside this file.
"""
from __future__ import annotations

import argparse
import fnmatch
import json
import re
import string
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Optional

import yaml

from bot.content import readability
from bot.content.findings import Finding, unique_sorted
from bot.content.project import Example, Project, Response, Variation, load_project, payload_as_sent, plain_text

HERE = Path(__file__).resolve().parent
RULES_FILE = HERE / "content_rules.yml"
PHRASES_FILE = HERE / "phrases.yml"
DEFAULT_INTENTS = {"restart", "back", "out_of_scope", "session_start", "nlu_fallback"}


@lru_cache(maxsize=None)
def content_rules(path: Path = RULES_FILE) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Phrase:
    label: str
    regex: re.Pattern
    reason: str


@lru_cache(maxsize=None)
def ruled_out_phrases(path: Path = PHRASES_FILE) -> tuple[Phrase, ...]:
    """phrases.yml compiled: literal phrases on word boundaries, patterns as written; case-insensitive."""
    result = []
    for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["phrases"]:
        if "phrase" in entry:
            words = [re.escape(word) for word in str(entry["phrase"]).split()]
            regex = re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)
            label = str(entry["phrase"])
        else:
            regex = re.compile(entry["pattern"], re.IGNORECASE)
            label = entry.get("label") or ""
        result.append(Phrase(label, regex, str(entry["reason"])))
    return tuple(result)


def matches_any(patterns: Iterable[str], name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)


def is_fixed_wording(project: Project, name: str, rules: Optional[dict] = None) -> bool:
    """Crisis/safety responses (by name prefix) and the generated resource cards."""
    rules = rules or content_rules()
    return name in project.generated_responses or name in rules["generated"]["responses"] or any(
        name.startswith(prefix) for prefix in rules["fixed_wording_prefixes"]
    )


def _where(variation: Variation) -> str:
    return f"{variation.response} (variation {variation.index + 1})"


def _placeholders(text: str) -> list[str]:
    return re.findall(r"\{([^{}]*)\}", text)


# --- response rules -------------------------------------------------------------------------------

def check_variations(project: Project, rules: dict) -> list[Finding]:
    minimum = rules["variations"]["minimum"]
    return [
        response.loc.finding(
            f"{response.name} has {len(response.variations)} variation{'s' if len(response.variations) != 1 else ''};"
            f" ordinary responses need at least {minimum} so the assistant does not repeat itself word for word"
            f" (crisis/safety responses are exempt: bot/content/content_rules.yml)"
        )
        for response in project.responses.values()
        if not is_fixed_wording(project, response.name, rules) and len(response.variations) < minimum
    ]


def check_reading_level(project: Project, rules: dict) -> list[Finding]:
    limit, min_words = rules["readability"]["max_grade"], rules["readability"]["min_words"]
    findings = []
    for response in project.responses.values():
        for variation in response.variations:
            if variation.text is None:
                continue
            score = readability.grade(variation.text, min_words)
            if score is not None and score > limit:
                findings.append(variation.loc.finding(
                    f"{_where(variation)} reads at grade {score:g} (Flesch-Kincaid, limit {limit}):"
                    f" use shorter sentences and everyday words"
                ))
    return findings


def check_phrases(project: Project, rules: dict) -> list[Finding]:
    findings = []
    for response in project.responses.values():
        for variation in response.variations:
            texts = [(variation.text or "", variation.loc)] + [(b.title, b.title_loc) for b in variation.buttons]
            for text, loc in texts:
                text = text.replace("\u2019", "'").replace("\u2018", "'")
                for phrase in ruled_out_phrases():
                    match = phrase.regex.search(text)
                    if match:
                        findings.append(loc.finding(
                            f'{_where(variation)} says "{match.group(0)}": {phrase.reason} (bot/content/phrases.yml)'
                        ))
    return findings


def resources_problem(variation: Variation, rules: dict) -> Optional[str]:
    """Why a crisis/safety variation fails to show the configured resources, or None. Shared with the contract."""
    placeholders = rules["resource_placeholders"]
    if variation.text is not None and any(p in variation.text for p in placeholders):
        return None
    return (
        f"{_where(variation)} does not show the configured crisis resources: a crisis/safety response must"
        f" contain {', '.join(placeholders[:-1])} or {placeholders[-1]}, so a person at risk always sees"
        f" where to get help"
    )


def check_resources_and_footer(project: Project, rules: dict) -> list[Finding]:
    footer = rules["footer_placeholder"]
    findings = []
    for response in project.responses.values():
        fixed = is_fixed_wording(project, response.name, rules)
        for variation in response.variations:
            if fixed:
                problem = resources_problem(variation, rules)
                if problem:
                    findings.append(variation.loc.finding(problem))
            elif variation.text is None:
                findings.append(variation.loc.finding(
                    f"{_where(variation)} has no text, so it cannot end with {footer}: after an escalation every"
                    f" reply must keep the crisis line visible"
                ))
            elif not variation.text.rstrip().endswith(footer):
                findings.append(variation.loc.finding(
                    f"{_where(variation)} does not end with {footer}: after an escalation every reply must keep"
                    f" the crisis line visible (docs/conversation-design.md)"
                ))
    return findings


def footer_shown(response: Response, variation: Variation, rules: dict) -> bool:
    """Can {safety_footer} be non-empty when this variation is said? The footer is filled in safety mode
    (slot safety_mode true). Rasa says a conditioned variation whenever its conditions match and an
    unconditioned one only when none does; so an unconditioned variation of a response that has a
    `safety_mode: true` variation is only said outside safety mode, where the footer is empty."""
    mode_slot = rules["crisis_line_once"]["mode_slot"]
    if any(name == mode_slot and value is not True for name, value in variation.conditions):
        return False
    if not variation.conditions:
        return not any((mode_slot, True) in v.conditions for v in response.variations)
    return True


def check_crisis_line_once(project: Project, rules: dict) -> list[Finding]:
    """No single message names the crisis line twice (e.g. "call or text 988" in the text and again in
    the footer): it reads like a form letter to someone at risk. Counts the placeholders that name it,
    and the footer where it can be non-empty."""
    settings = rules["crisis_line_once"]
    naming, footer = settings["placeholders"], rules["footer_placeholder"]
    exempt = settings.get("exceptions") or {}
    findings = []
    for response in project.responses.values():
        if matches_any(exempt, response.name):
            continue
        for variation in response.variations:
            text = variation.text or ""
            named = [p for p in naming for _ in range(text.count(p))]
            if footer in text and footer_shown(response, variation, rules):
                named.append(footer)
            if len(named) > 1:
                findings.append(variation.loc.finding(
                    f"{_where(variation)} names the crisis line {len(named)} times ({', '.join(named)}):"
                    f" say it once per message; where the footer already names it in safety mode, add"
                    f" variations with `condition: [{{type: slot, name: safety_mode, value: true}}]`"
                    f" that leave it to the footer"
                ))
    return findings


def check_placeholders(project: Project, rules: dict) -> list[Finding]:
    slots = project.all_slots() | set(rules["generated"]["slots"])
    findings = []
    for response in project.responses.values():
        for variation in response.variations:
            for name in _placeholders(variation.text or ""):
                if name not in slots:
                    findings.append(variation.loc.finding(
                        f"{_where(variation)} uses {{{name}}}, which is not a slot: the person would see"
                        f" \"{{{name}}}\" as it is"
                    ))
    return findings


_PAYLOAD = re.compile(r"^/([A-Za-z0-9_\-]+)(.*)$", re.DOTALL)


def check_buttons(project: Project, rules: dict) -> list[Finding]:
    intents = set(project.intents) | DEFAULT_INTENTS
    names = set(project.entities) | project.all_slots()
    findings = []
    for response in project.responses.values():
        for variation in response.variations:
            for button in variation.buttons:
                label = f'{_where(variation)} button "{button.title}"'
                payload = button.payload
                if not isinstance(payload, str) or not payload.strip():
                    findings.append(button.loc.finding(f"{label} has no payload"))
                    continue
                match = _PAYLOAD.match(payload.strip())
                if not match:
                    findings.append(button.loc.finding(
                        f"{label} payload {payload!r} is not /intent or /intent{{json}}: free text goes"
                        f" through the classifier and may land anywhere"
                    ))
                    continue
                intent, rest = match.groups()
                if intent not in intents:
                    findings.append(button.loc.finding(f"{label} payload {payload}: no intent {intent} in the domain"))
                if not rest:
                    continue
                if not (rest.startswith("{{") and rest.endswith("}}")):
                    findings.append(button.loc.finding(
                        f"{label} payload {payload}: write the braces doubled, /{intent}{{{{...}}}}: Rasa reads"
                        f" single braces in a response as a slot placeholder"
                    ))
                    continue
                rest = payload_as_sent(rest)
                try:
                    values = json.loads(rest)
                except json.JSONDecodeError as error:
                    findings.append(button.loc.finding(
                        f"{label} payload {payload}: {rest} is not valid JSON ({error.msg});"
                        f' write /intent{{"slot": "value"}} with double quotes'
                    ))
                    continue
                if not isinstance(values, dict):
                    findings.append(button.loc.finding(f"{label} payload {payload}: {rest} must be a JSON object"))
                    continue
                for key in values:
                    if key not in names:
                        findings.append(button.loc.finding(
                            f"{label} payload {payload}: {key!r} is neither an entity nor a slot in the domain"
                        ))
    return findings


# --- training data rules ----------------------------------------------------------------------------

def check_example_counts(project: Project, rules: dict) -> list[Finding]:
    minimum = rules["nlu"]["min_examples"]
    exempt = rules["nlu"].get("intents_without_examples") or {}
    counts: dict[str, int] = {}
    for example in project.examples:
        counts[example.intent] = counts.get(example.intent, 0) + 1
    findings = []
    for intent in sorted(set(project.intents) | set(counts)):
        if intent in exempt:
            continue
        count = counts.get(intent, 0)
        if count < minimum:
            loc = project.intent_locs.get(intent) or project.intents.get(intent) or project.domain_loc
            findings.append(loc.finding(
                f"intent {intent} has {count} example{'s' if count != 1 else ''}; at least {minimum} are needed"
                f" for the classifier to recognise it reliably"
            ))
    return findings


_PUNCTUATION = re.compile(f"[{re.escape(string.punctuation)}\u2018\u2019\u201c\u201d\u2026\u2013\u2014]")


def normalise(example: str) -> str:
    """Lowercase, annotations and punctuation removed, spaces collapsed: "I'm SAD!" -> "im sad"."""
    text = _PUNCTUATION.sub("", plain_text(example).lower())
    return " ".join(text.split())


def check_duplicate_examples(project: Project, rules: dict) -> list[Finding]:
    first: dict[str, Example] = {}
    findings = []
    for example in project.examples:
        key = normalise(example.text)
        if not key:
            continue
        seen = first.setdefault(key, example)
        if seen is not example and seen.intent != example.intent:
            findings.append(example.loc.finding(
                f'example "{example.text}" ({example.intent}) is also an example of {seen.intent}'
                f" at {seen.loc.file}:{seen.loc.line}: one sentence can teach only one intent"
            ))
    return findings


def used_intents(project: Project) -> set[str]:
    return {name for flow in project.flows for step in flow.steps + flow.condition if step.kind == "intent"
            for name in step.names}


def check_unused_intents(project: Project, rules: dict) -> list[Finding]:
    used = used_intents(project)
    exempt = rules.get("unused_intent_exceptions") or {}
    return [
        loc.finding(f"intent {intent} is not used by any rule or story: the assistant has no next step when it"
                    f" is predicted (add a rule, or remove the intent)")
        for intent, loc in project.intents.items()
        if intent not in used and not matches_any(exempt, intent)
    ]


def form_questions(project: Project) -> set[str]:
    """utter_ask_<slot> and utter_ask_<form>_<slot> for every slot a form asks for."""
    names = set()
    for form, (_, body) in project.forms.items():
        required = body.get("required_slots") if isinstance(body, dict) else None
        slots = list(required) if isinstance(required, (list, dict)) else []
        for slot in slots:
            names.update({f"utter_ask_{slot}", f"utter_ask_{form}_{slot}"})
    return names


def used_responses(project: Project) -> set[str]:
    used = {name for flow in project.flows for step in flow.steps if step.kind == "action" for name in step.names}
    used |= form_questions(project)
    used |= project.code_names
    used |= {str(v) for v in _strings(project.config)}
    return used


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def check_unused_responses(project: Project, rules: dict) -> list[Finding]:
    used = used_responses(project)
    exempt = rules.get("unused_response_exceptions") or {}
    findings = []
    for name, response in project.responses.items():
        if name in used or matches_any(exempt, name):
            continue
        if any(pattern.fullmatch(name) for pattern, _ in project.code_patterns):
            continue
        findings.append(response.loc.finding(
            f"response {name} is never used (no rule, story, form question or actions/ code says it):"
            f" add the step that says it, or delete it"
        ))
    return findings


def check_story_slots(project: Project, rules: dict) -> list[Finding]:
    slots = project.all_slots() | set(rules.get("builtin_slots") or [])
    return [
        step.loc.finding(f"{flow.kind} \"{flow.name}\" checks slot {name}, which is not a slot in the domain")
        for flow in project.flows for step in flow.condition + flow.steps
        if step.kind == "slot_was_set" for name in step.names if name not in slots
    ]


CHECKS: dict[str, Callable[[Project, dict], list[Finding]]] = {
    "variations": check_variations,
    "reading-level": check_reading_level,
    "phrases": check_phrases,
    "resources-and-footer": check_resources_and_footer,
    "crisis-line-once": check_crisis_line_once,
    "placeholders": check_placeholders,
    "buttons": check_buttons,
    "example-counts": check_example_counts,
    "duplicate-examples": check_duplicate_examples,
    "unused-intents": check_unused_intents,
    "unused-responses": check_unused_responses,
    "story-slots": check_story_slots,
}


def lint(project: Project, only: Optional[Iterable[str]] = None, rules: Optional[dict] = None) -> list[Finding]:
    rules = rules or content_rules()
    findings = list(project.errors)
    for name, check in CHECKS.items():
        if only is None or name in only:
            findings += check(project, rules)
    return unique_sorted(findings)


def default_fragment(root: Path) -> Path:
    return root / "var" / "build" / "domain" / "crisis_resources.yml"


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.content.lint", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=HERE.parent.parent, help="project root (default: this repo)")
    parser.add_argument("--only", action="append", choices=sorted(CHECKS), help="run only this check (repeatable)")
    args = parser.parse_args(argv)
    findings = lint(load_project(args.root, default_fragment(args.root)), args.only)
    for finding in findings:
        print(finding)
    print(f"content lint: {len(findings)} finding{'s' if len(findings) != 1 else ''}", file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
