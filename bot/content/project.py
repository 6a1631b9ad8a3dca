"""Read the content of a Rasa project (domain, data, config, actions) keeping each item's file and line.

Rasa's own loaders drop line numbers; content designers need ``file:line`` to jump to the problem, so
this reads the YAML with ruamel.yaml (round-trip mode keeps positions). It only reads: a file that
does not parse becomes a finding and the rest of the project is still read.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from bot.content.findings import Finding, relative


@dataclass(frozen=True)
class Loc:
    file: str
    line: int

    def finding(self, problem: str) -> Finding:
        return Finding(self.file, self.line, problem)


def payload_as_sent(payload: str) -> str:
    """A button payload as Rasa sends it. Rasa fills `{slot}` placeholders in every response, buttons
    included, so a payload's entity braces are written doubled in the domain
    (`/choose_skill{{"skill": "tipp"}}`) and reach the person single; written single, Rasa takes them
    for a placeholder and logs an error on every use."""
    return payload.replace("{{", "{").replace("}}", "}")


@dataclass
class Button:
    title: str
    payload: Any  # as written in the domain
    loc: Loc  # the payload's line
    title_loc: Loc


@dataclass
class Variation:
    response: str
    index: int
    text: Optional[str]
    loc: Loc  # the variation's "- text:" line
    buttons: list[Button] = field(default_factory=list)
    keys: tuple[str, ...] = ()  # text, buttons, custom, image, condition, ...
    # The variation's slot conditions as (slot name, value) pairs; () for an unconditioned variation.
    conditions: tuple[tuple[str, object], ...] = ()


@dataclass
class Response:
    name: str
    loc: Loc
    variations: list[Variation]


@dataclass
class Example:
    intent: str
    text: str  # as written, with entity annotations
    loc: Loc


@dataclass
class Step:
    """One step of a rule or story: kind is intent, action, active_loop, slot_was_set, checkpoint, ..."""

    kind: str
    names: tuple[str, ...]  # the intent(s) / action / loop / slot names of this step
    loc: Loc
    value: Any = None


@dataclass
class Flow:
    kind: str  # "rule" or "story"
    name: str
    loc: Loc
    condition: list[Step]
    steps: list[Step]


@dataclass
class Project:
    root: Path
    domain_files: list[str] = field(default_factory=list)
    intents: dict[str, Loc] = field(default_factory=dict)
    entities: dict[str, Loc] = field(default_factory=dict)
    slots: dict[str, tuple[Loc, dict]] = field(default_factory=dict)
    forms: dict[str, tuple[Loc, dict]] = field(default_factory=dict)
    actions: dict[str, Loc] = field(default_factory=dict)
    responses: dict[str, Response] = field(default_factory=dict)
    examples: list[Example] = field(default_factory=list)
    intent_locs: dict[str, Loc] = field(default_factory=dict)  # first "- intent:" block in data/
    flows: list[Flow] = field(default_factory=list)
    config: dict = field(default_factory=dict)
    config_loc: Optional[Loc] = None
    pipeline: list[tuple[str, Loc]] = field(default_factory=list)
    generated_slots: dict[str, dict] = field(default_factory=dict)
    generated_responses: set[str] = field(default_factory=set)
    code_names: set[str] = field(default_factory=set)  # string literals in actions/*.py
    code_patterns: list[tuple[re.Pattern, Loc]] = field(default_factory=list)  # f-strings etc.
    errors: list[Finding] = field(default_factory=list)

    def loc(self, path: Path, line0: int) -> Loc:
        """A location from ruamel's 0-based line."""
        return Loc(relative(path, self.root), line0 + 1)

    @property
    def domain_loc(self) -> Loc:
        return Loc(self.domain_files[0] if self.domain_files else "domain.yml", 1)

    def all_slots(self) -> set[str]:
        return set(self.slots) | set(self.generated_slots)

    def all_responses(self) -> set[str]:
        return set(self.responses) | set(self.generated_responses)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    return yaml


def _load(path: Path, project: Project) -> Any:
    try:
        return _yaml().load(path.read_text(encoding="utf-8"))
    except YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        project.errors.append(Finding(relative(path, project.root), line, f"YAML does not parse: {problem}"))
    except OSError as error:
        project.errors.append(Finding(relative(path, project.root), 1, f"cannot read: {error}"))
    return None


def _key_line(mapping: Any, key: Any) -> int:
    try:
        return mapping.lc.key(key)[0]
    except (AttributeError, KeyError, TypeError):
        return getattr(getattr(mapping, "lc", None), "line", 0) or 0


def _value_line(mapping: Any, key: Any) -> int:
    try:
        return mapping.lc.value(key)[0]
    except (AttributeError, KeyError, TypeError):
        return _key_line(mapping, key)


def _item_line(sequence: Any, index: int) -> int:
    try:
        return sequence.lc.item(index)[0]
    except (AttributeError, KeyError, TypeError, IndexError):
        return getattr(getattr(sequence, "lc", None), "line", 0) or 0


def _names(entries: Any) -> Iterable[tuple[int, str]]:
    """Domain lists whose items are a name or a one-key mapping {name: {...}}: (index, name)."""
    for index, entry in enumerate(entries or []):
        if isinstance(entry, str):
            yield index, entry
        elif isinstance(entry, dict):
            for key in entry:
                yield index, str(key)


# --- domain ---------------------------------------------------------------------------------------

def domain_paths(root: Path) -> list[Path]:
    """domain.yml, or every YAML file of a domain/ directory (Rasa accepts both)."""
    if (root / "domain.yml").is_file():
        return [root / "domain.yml"]
    if (root / "domain").is_dir():
        return sorted(p for p in (root / "domain").rglob("*") if p.suffix in (".yml", ".yaml"))
    return []


def _read_domain(path: Path, project: Project) -> None:
    data = _load(path, project)
    if not isinstance(data, dict):
        return
    project.domain_files.append(relative(path, project.root))
    for key, target in (("intents", project.intents), ("entities", project.entities), ("actions", project.actions)):
        entries = data.get(key)
        if isinstance(entries, list):
            for index, name in _names(entries):
                target.setdefault(name, project.loc(path, _item_line(entries, index)))
    for key, target in (("slots", project.slots), ("forms", project.forms)):
        entries = data.get(key)
        if isinstance(entries, dict):
            for name, body in entries.items():
                target.setdefault(str(name), (project.loc(path, _key_line(entries, name)), body or {}))
    responses = data.get("responses")
    if isinstance(responses, dict):
        for name, variations in responses.items():
            response = Response(str(name), project.loc(path, _key_line(responses, name)), [])
            for index, variation in enumerate(variations if isinstance(variations, list) else []):
                line = _item_line(variations, index)
                if not isinstance(variation, dict):
                    response.variations.append(Variation(response.name, index, None, project.loc(path, line)))
                    continue
                text = variation.get("text")
                item = Variation(
                    response.name, index, str(text) if text is not None else None,
                    project.loc(path, _value_line(variation, "text") if text is not None else line),
                    keys=tuple(str(k) for k in variation),
                    conditions=_conditions(variation.get("condition")),
                )
                buttons = variation.get("buttons")
                for b_index, button in enumerate(buttons if isinstance(buttons, list) else []):
                    if isinstance(button, dict):
                        b_line = _value_line(button, "payload") if "payload" in button else _item_line(buttons, b_index)
                        t_line = _value_line(button, "title") if "title" in button else b_line
                        item.buttons.append(Button(str(button.get("title", "")), button.get("payload"),
                                                   project.loc(path, b_line), project.loc(path, t_line)))
                response.variations.append(item)
            project.responses.setdefault(response.name, response)


def _conditions(raw: object) -> tuple[tuple[str, object], ...]:
    """A response variation's `condition:` list as (slot, value) pairs (only `type: slot` entries)."""
    if not isinstance(raw, list):
        return ()
    return tuple((str(c.get("name")), c.get("value")) for c in raw
                 if isinstance(c, dict) and c.get("type", "slot") == "slot" and c.get("name"))


def _read_generated(path: Path, project: Project) -> None:
    """The fragment `bot build` writes (generated slots and responses); plain YAML, no line numbers needed."""
    data = _load(path, project)
    if not isinstance(data, dict):
        return
    for name, body in (data.get("slots") or {}).items():
        project.generated_slots[str(name)] = dict(body or {})
    project.generated_responses.update(str(name) for name in (data.get("responses") or {}))


# --- data -----------------------------------------------------------------------------------------

_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


def plain_text(example: str) -> str:
    """An NLU example without its entity annotations: "I feel [sad](emotion)" -> "I feel sad"."""
    return _ANNOTATION.sub(r"\1", example)


def _read_examples(intent: str, item: Any, path: Path, project: Project) -> None:
    examples = item.get("examples")
    if isinstance(examples, str):
        first = _value_line(item, "examples") + 1  # a block scalar's text starts on the line after "|"
        for offset, raw in enumerate(examples.split("\n")):
            text = raw.strip()
            if text.startswith("- "):
                project.examples.append(Example(intent, text[2:].strip(), project.loc(path, first + offset)))
    elif isinstance(examples, list):  # examples with metadata: [{text: ..., metadata: ...}]
        for index, entry in enumerate(examples):
            text = entry.get("text") if isinstance(entry, dict) else entry
            if isinstance(text, str):
                line = _value_line(entry, "text") if isinstance(entry, dict) else _item_line(examples, index)
                for piece in text.strip().split("\n"):
                    piece = piece.strip()
                    if piece.startswith("- "):
                        piece = piece[2:].strip()
                    if piece:
                        project.examples.append(Example(intent, piece, project.loc(path, line)))


def _steps(entries: Any, path: Path, project: Project) -> list[Step]:
    steps: list[Step] = []
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        if not isinstance(entry, dict):
            continue
        loc = project.loc(path, _item_line(entries, index))
        if "intent" in entry:
            steps.append(Step("intent", (str(entry["intent"]),), loc, entry.get("entities")))
        elif "or" in entry:
            intents = tuple(str(o["intent"]) for o in entry["or"] or [] if isinstance(o, dict) and "intent" in o)
            slots = tuple(str(k) for o in entry["or"] or [] if isinstance(o, dict) and "slot_was_set" in o
                          for s in (o["slot_was_set"] or []) for k in (s if isinstance(s, dict) else {s: None}))
            steps.append(Step("intent", intents, loc) if intents else Step("slot_was_set", slots, loc))
        elif "action" in entry:
            steps.append(Step("action", (str(entry["action"]),), loc))
        elif "active_loop" in entry:
            steps.append(Step("active_loop", (str(entry["active_loop"]),) if entry["active_loop"] else (), loc))
        elif "slot_was_set" in entry:
            names = tuple(str(k) for s in (entry["slot_was_set"] or []) for k in (s if isinstance(s, dict) else {s: None}))
            steps.append(Step("slot_was_set", names, loc, entry["slot_was_set"]))
        elif "checkpoint" in entry:
            steps.append(Step("checkpoint", (str(entry["checkpoint"]),), loc))
        elif "user" in entry:
            steps.append(Step("user", (), loc, entry["user"]))
        elif "bot" in entry:
            steps.append(Step("bot", (), loc, entry["bot"]))
    return steps


def _read_data(path: Path, project: Project) -> None:
    data = _load(path, project)
    if not isinstance(data, dict):
        return
    nlu = data.get("nlu")
    for item in nlu if isinstance(nlu, list) else []:
        if isinstance(item, dict) and "intent" in item:
            intent = str(item["intent"])
            project.intent_locs.setdefault(intent, project.loc(path, _value_line(item, "intent")))
            _read_examples(intent, item, path, project)
    for key, kind in (("rules", "rule"), ("stories", "story")):
        flows = data.get(key)
        for index, flow in enumerate(flows if isinstance(flows, list) else []):
            if not isinstance(flow, dict):
                continue
            project.flows.append(Flow(
                kind, str(flow.get(kind, "")), project.loc(path, _item_line(flows, index)),
                _steps(flow.get("condition"), path, project), _steps(flow.get("steps"), path, project),
            ))


# --- config and actions ---------------------------------------------------------------------------

def _read_config(path: Path, project: Project) -> None:
    if not path.is_file():
        return
    data = _load(path, project)
    if not isinstance(data, dict):
        return
    project.config = data
    project.config_loc = project.loc(path, 0)
    pipeline = data.get("pipeline")
    for index, component in enumerate(pipeline if isinstance(pipeline, list) else []):
        if isinstance(component, dict) and "name" in component:
            project.pipeline.append((str(component["name"]), project.loc(path, _item_line(pipeline, index))))


def _pattern_from(node: ast.AST) -> Optional[str]:
    """A regex for a string built at run time: f"utter_{x}_step_{n}", "utter_%s" % x, "a" + x + "b"."""
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                parts.append(re.escape(value.value))
            else:
                parts.append(".+")
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _pattern_from(node.left), _pattern_from(node.right)
        return (left if left is not None else ".+") + (right if right is not None else ".+")
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return re.escape(node.value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant) \
            and isinstance(node.left.value, str):
        return re.sub(r"%[sd]", ".+", re.escape(node.left.value).replace("\\%", "%"))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format" \
            and isinstance(node.func.value, ast.Constant) and isinstance(node.func.value.value, str):
        return re.sub(r"\\\{[^}]*\\\}", ".+", re.escape(node.func.value.value))
    return None


# A pattern must say more than this, or it would count every response as used.
_MIN_PATTERN_LITERAL = 3


def _read_actions(root: Path, project: Project) -> None:
    directory = root / "actions"
    if not directory.is_dir():
        return
    for path in sorted(directory.rglob("*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except (SyntaxError, OSError, UnicodeDecodeError) as error:
            project.errors.append(Finding(relative(path, root), getattr(error, "lineno", 1) or 1,
                                          f"cannot read actions code: {error}"))
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                project.code_names.add(node.value)
            elif isinstance(node, (ast.JoinedStr, ast.BinOp, ast.Call)):
                pattern = _pattern_from(node)
                if pattern and ".+" in pattern and pattern.startswith("utter_"):
                    literal = re.sub(r"\.\+|\\", "", pattern)[len("utter_"):].replace("_", "")
                    if len(literal) >= _MIN_PATTERN_LITERAL:
                        project.code_patterns.append((re.compile(pattern), project.loc(path, node.lineno - 1)))


def load_project(root: Path, generated_fragment: Optional[Path] = None) -> Project:
    """Everything the checks look at. ``generated_fragment``: var/build/domain/crisis_resources.yml."""
    root = Path(root)
    project = Project(root=root)
    paths = domain_paths(root)
    if not paths:
        project.errors.append(Finding("domain.yml", 1, "no domain.yml (or domain/ directory) in the project"))
    for path in paths:
        _read_domain(path, project)
    if generated_fragment is not None and generated_fragment.is_file():
        _read_generated(generated_fragment, project)
    data_dir = root / "data"
    for path in sorted(p for p in data_dir.rglob("*") if p.suffix in (".yml", ".yaml")) if data_dir.is_dir() else []:
        _read_data(path, project)
    _read_config(root / "config.yml", project)
    _read_actions(root, project)
    return project
