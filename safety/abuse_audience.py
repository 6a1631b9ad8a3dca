"""Who is being hurt, guessed from the words of a message, so the abuse lines come in the right order.

Why: every abuse disclosure was shown the same lines in the same order, the child-abuse line first. An
84-year-old whose son takes her pension, or a woman whose husband hits her, read "Childhelp National
Child Abuse Hotline" before the line that is for them. The guess only orders the lines and chooses which
ones a sentence names (safety.resources: `serves`); the card keeps every abuse line, so a wrong guess
costs an extra look, never a missing line. It never decides whether a message is a risk.

Whose abuse it is (`about_someone_else`): "my sister's husband hits her" is a report about someone else and is
answered as one, not with "what is happening is not your fault" as if the writer were the one hurt. A wrong guess
either way still shows the abuse lines and the emergency number.

The cues are data (`abuse_audience.yml`), read once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from .errors import Errors, RuleError, err

AUDIENCE_FILE = Path(__file__).with_name("abuse_audience.yml")
#: the order the cue lists are tried in after an age (a parent named with "my" is a stronger sign
#: of a child than of an adult; a carer or a pension of an older adult than a partner of an adult)
CUE_ORDER = ("child", "older_adult", "adult")
#: longest text looked at: an age or a relationship is said near the start of a disclosure, and this
#: keeps a 100 kB paste from costing more than a chat message
MAX_CHARS = 4000


@dataclass(frozen=True)
class AudienceCues:
    adult_from: int
    older_from: int
    age: tuple[re.Pattern[str], ...]
    cues: dict[str, tuple[re.Pattern[str], ...]]
    writer_hurt: tuple[re.Pattern[str], ...]
    someone_else_hurt: tuple[re.Pattern[str], ...]

    def audience(self, text: str) -> str | None:
        """"child", "adult", "older_adult", or None when the message says nothing about who."""
        text = _plain(text)
        for pattern in self.age:
            for match in pattern.finditer(text):
                age = int(match.group(1))
                if 4 <= age <= 110:
                    return "child" if age < self.adult_from else "older_adult" if age >= self.older_from else "adult"
        for audience in CUE_ORDER:
            if any(p.search(text) for p in self.cues[audience]):
                return audience
        return None

    def about_someone_else(self, text: str) -> bool:
        """Whether the abuse a message tells of is someone else's: a cue that another person is hurt, none
        that the writer is ("my dad hits my mum and me" is the writer's)."""
        text = _plain(text)
        return (any(p.search(text) for p in self.someone_else_hurt)
                and not any(p.search(text) for p in self.writer_hurt))


def _plain(text: str) -> str:
    return text[:MAX_CHARS].lower().replace("\u2019", "'")


def _patterns(raw: object, path: Path, key: str) -> tuple[re.Pattern[str], ...]:
    if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
        raise RuleError(err(Errors.E002, file=path, problem=f"'{key}' must be a list of regular expressions"))
    try:
        return tuple(re.compile(p) for p in raw)
    except re.error as exc:
        raise RuleError(err(Errors.E002, file=path, problem=f"'{key}': {exc}")) from exc


def load_cues(path: Path = AUDIENCE_FILE) -> AudienceCues:
    """Read and check the cue file; an error names the file and the key."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RuleError(err(Errors.E001, file=path, problem=exc)) from exc
    if not isinstance(data, dict):
        raise RuleError(err(Errors.E002, file=path, problem="expected a mapping at the top level"))
    ages = {k: data.get(k) for k in ("adult_from", "older_from")}
    if not all(isinstance(v, int) for v in ages.values()) or not ages["adult_from"] < ages["older_from"]:
        raise RuleError(err(Errors.E002, file=path, problem="'adult_from' and 'older_from' must be whole numbers, adult_from first"))
    age = _patterns(data.get("age"), path, "age")
    if any(p.groups < 1 for p in age):
        raise RuleError(err(Errors.E002, file=path, problem="each 'age' pattern must capture the number in a group"))
    cues = {audience: _patterns(data.get(audience), path, audience) for audience in CUE_ORDER}
    return AudienceCues(adult_from=ages["adult_from"], older_from=ages["older_from"], age=age, cues=cues,
                        writer_hurt=_patterns(data.get("writer_hurt"), path, "writer_hurt"),
                        someone_else_hurt=_patterns(data.get("someone_else_hurt"), path, "someone_else_hurt"))


@lru_cache(maxsize=1)
def _default_cues() -> AudienceCues:
    return load_cues()


def audience_for(text: str) -> str | None:
    """Who a message says is being hurt (see the module docstring); None when it does not say."""
    return _default_cues().audience(text)


def abuse_of_someone_else(text: str) -> bool:
    """Whether an abuse disclosure is about someone other than the writer (see the module docstring)."""
    return _default_cues().about_someone_else(text)
