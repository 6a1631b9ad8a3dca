"""Crisis resources per locale, as data, plus a clinic's own additions.

Why data: numbers and hours change and differ per country; a clinic adds
its own duty line or opening hours without touching code, and a malformed
file fails at load time with the file and field named, instead of a person
in crisis being shown a broken number.

    >>> rs = load_resources("en-US")
    >>> rs.primary_line
    '988'
    >>> rs.as_payload("emergency")["resources"][0]["phone"]
    '911'

Situations: a line may also (or only) be for a situation other than suicide and self-harm
(``situations: [abuse]``: child abuse, domestic violence). A person who discloses abuse is shown the
lines for that situation, not a suicide line; the emergency number is in every list.

Who is hurt: an abuse line may say whom it serves (``serves: [child]``, ``[adult, older_adult]``). When a
disclosure shows who is being hurt (safety.abuse_audience), those lines come first and the one-breath
sentence names only them: an 84-year-old whose son takes her pension hears the elder-abuse line, not
the child-abuse line first; a child hears the child line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping

import yaml

from ..assessment import Kind
from ..errors import Errors, ResourceError, err

RESOURCES_DIR = Path(__file__).parent
DEFAULT_LOCALE = "en-US"
_FIELDS = {"name", "phone", "sms", "url", "url_label", "email", "hours", "audience", "emergency", "primary", "situations",
           "serves"}
#: what a line is for; a line without ``situations`` is a crisis (suicide, self-harm) line
SITUATIONS = ("crisis", "abuse")
DEFAULT_SITUATION = "crisis"
#: who an abuse line is for (``serves``); a line without it serves anyone
AUDIENCES = ("child", "adult", "older_adult")
#: the hours of a line that answers any time ("you can reach ... any time" in a reply may name it)
ROUND_THE_CLOCK = "24/7"
_PHONE = re.compile(r"^\+?[0-9][0-9 \-]{1,19}$")
_URL = re.compile(r"^https?://[^\s/$.?#].[^\s]*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Sms:
    number: str
    keyword: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "keyword": self.keyword}


@dataclass(frozen=True)
class Resource:
    """One line a person can contact."""

    name: str
    hours: str
    phone: str | None = None
    sms: Sms | None = None
    url: str | None = None
    url_label: str | None = None
    email: str | None = None
    audience: str | None = None
    emergency: bool = False
    primary: bool = False
    situations: tuple[str, ...] = (DEFAULT_SITUATION,)
    serves: tuple[str, ...] = ()

    def serves_audience(self, audience: str) -> bool:
        """A line serves everyone unless its `serves` names whom."""
        return not self.serves or audience in self.serves

    def to_payload(self) -> dict[str, Any]:
        """The JSON shape the bot renders: name, phone, sms, url, hours."""
        return {
            "name": self.name,
            "phone": self.phone,
            "sms": self.sms.to_dict() if self.sms else None,
            "url": self.url,
            "hours": self.hours,
        }

    def contact_phrase(self) -> str:
        """How to reach this line, from its own channels, as a verb phrase: "call or text 988" (a number
        that takes both), "call 116 123" (voice only), "text HOME to 741741"; "" when it has neither."""
        actions: list[str] = []
        if self.phone and self.sms and self.sms.number == self.phone and not self.sms.keyword:
            actions.append(f"call or text {self.phone}")
        else:
            if self.phone:
                actions.append(f"call {self.phone}")
            if self.sms:
                actions.append(f"text {self.sms.keyword} to {self.sms.number}" if self.sms.keyword else f"text {self.sms.number}")
        return " or ".join(actions)

    def as_text(self) -> str:
        """One line with every number and keyword visible, e.g.
        "988 Suicide & Crisis Lifeline: call or text 988 (24/7), chat 988lifeline.org"."""
        contact = self.contact_phrase()
        head = self.name + (f" ({self.audience})" if self.audience else "")
        text = f"{head}: {contact} ({self.hours})" if contact else f"{head} ({self.hours})"
        extras = []
        if self.email:
            extras.append(f"email {self.email}")
        if self.url:
            shown = re.sub(r"^https?://(www\.)?", "", self.url).rstrip("/")
            extras.append(f"{self.url_label} {shown}" if self.url_label else shown)
        return ", ".join([text, *extras])


@dataclass(frozen=True)
class ResourceSet:
    """The resources for one locale (after merging a clinic's extra file)."""

    locale: str
    resources: tuple[Resource, ...]
    sources: tuple[str, ...] = field(default=())

    @property
    def emergency(self) -> Resource:
        return next(r for r in self.resources if r.emergency)

    @property
    def primary(self) -> Resource:
        """The main crisis line: flagged `primary`, else the first non-emergency line with a phone."""
        lines = [r for r in self.resources if not r.emergency and DEFAULT_SITUATION in r.situations]
        return next((r for r in lines if r.primary), next((r for r in lines if r.phone), lines[0]))

    @property
    def primary_line(self) -> str:
        """The number to say in one breath ("988", "116 123")."""
        p = self.primary
        return p.phone or (p.sms.number if p.sms else "")

    @property
    def primary_contact(self) -> str:
        """How to reach the main crisis line, worded from its channels ("call or text 988" in the US,
        "call 116 123" in the UK, where the main line is voice only); for sentences such as
        "you can {crisis_contact} any time"."""
        return self.primary.contact_phrase() or f"contact {self.primary.name}"

    def lines_for(self, situation: str = DEFAULT_SITUATION, audience: str | None = None) -> list[Resource]:
        """The non-emergency lines for a situation; the crisis lines when a locale has none for it
        (a person is never left with the emergency number alone). With an `audience` (who is being
        hurt), the lines that serve it come first, the most specific first; the others follow, in case
        the guess is wrong."""
        situation, audience = _situation(situation), _audience(audience)
        lines = [r for r in self.resources if not r.emergency and situation in r.situations]
        lines = lines or [r for r in self.resources if not r.emergency and DEFAULT_SITUATION in r.situations]
        if audience is None:
            return lines
        fitting = sorted((r for r in lines if r.serves_audience(audience)), key=lambda r: len(r.serves) or len(AUDIENCES) + 1)
        return fitting + [r for r in lines if r not in fitting]

    def serving(self, situation: str, audience: str | None) -> list[Resource]:
        """The situation's lines for who is being hurt: those that serve `audience`, or every line
        when none does (or the audience is unknown)."""
        lines = self.lines_for(situation, audience)
        if audience is None:
            return lines
        return [r for r in lines if r.serves_audience(audience)] or lines

    def ordered(self, kind: Kind | str, situation: str = DEFAULT_SITUATION, audience: str | None = None) -> list[Resource]:
        """Emergency number first for kind "emergency"; otherwise the situation's lines
        first and the emergency number last (it is always included)."""
        kind = _kind(kind)
        emergency = [r for r in self.resources if r.emergency]
        others = self.lines_for(situation, audience)
        return emergency + others if kind is Kind.EMERGENCY else others + emergency

    def as_payload(self, kind: Kind | str, situation: str = DEFAULT_SITUATION, audience: str | None = None) -> dict[str, Any]:
        kind = _kind(kind)
        payload = {"type": "crisis_resources", "kind": kind.value,
                   "resources": [r.to_payload() for r in self.ordered(kind, situation, audience)]}
        if situation != DEFAULT_SITUATION:
            payload["situation"] = situation
        return payload

    def as_text(self, kind: Kind | str, situation: str = DEFAULT_SITUATION, audience: str | None = None) -> str:
        """Plain text, one resource per line, for channels without rich messages."""
        return "\n".join(r.as_text() for r in self.ordered(kind, situation, audience))

    def short_lines(self, situation: str, audience: str | None = None) -> str:
        """The situation's round-the-clock lines in one breath ("Childhelp National Child Abuse Hotline
        1-800-422-4453 and National Domestic Violence Hotline 1-800-799-7233"), for a sentence in another
        reply; with an `audience`, only the lines that serve it (`serving`). Those sentences say "you can
        reach" them "any time", so a line with office hours is left to the full list and the card, which
        show its hours (all lines when none is 24/7)."""
        lines = self.serving(situation, audience)
        parts = []
        for r in [r for r in lines if r.hours == ROUND_THE_CLOCK] or lines:
            number = r.phone or (r.sms.number if r.sms else None)
            parts.append(f"{r.name} {number}" if number else r.name)
        return " and ".join(parts) if len(parts) < 3 else ", ".join(parts[:-1]) + " and " + parts[-1]

    @property
    def emergency_line(self) -> str:
        """The emergency number ("911", "999")."""
        e = self.emergency
        return e.phone or (e.sms.number if e.sms else "")


def _situation(situation: str) -> str:
    if situation not in SITUATIONS:
        raise ResourceError(err(Errors.E025, kind=situation, known=", ".join(SITUATIONS)))
    return situation


def _audience(audience: str | None) -> str | None:
    if audience is not None and audience not in AUDIENCES:
        raise ResourceError(err(Errors.E026, audience=audience, known=", ".join(AUDIENCES)))
    return audience


def _kind(kind: Kind | str) -> Kind:
    try:
        return Kind(kind)
    except ValueError:
        raise ResourceError(err(Errors.E025, kind=kind, known=", ".join(k.value for k in Kind))) from None


def known_locales(directory: Path = RESOURCES_DIR) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.yml"))


def _read(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except (OSError, yaml.YAMLError) as exc:
        raise ResourceError(err(Errors.E021, file=path, problem=exc)) from exc


def _str(value: Any, *, file: Path, index: int, name: str, field_: str, pattern: re.Pattern | None = None, what: str = "") -> str:
    if not isinstance(value, str) or not value.strip():
        hint = " (quote numbers in YAML: \"988\")" if isinstance(value, (int, float)) else ""
        raise ResourceError(err(Errors.E023, file=file, index=index, name=name, field=field_, problem=f"must be a non-empty string{hint}"))
    if pattern is not None and not pattern.match(value.strip()):
        raise ResourceError(err(Errors.E023, file=file, index=index, name=name, field=field_, problem=f"'{value}' is not {what}"))
    return value.strip()


def _resource(raw: Any, *, file: Path, index: int, base: Resource | None = None) -> Resource:
    if not isinstance(raw, Mapping):
        raise ResourceError(err(Errors.E022, file=file, problem=f"resource #{index} must be a mapping"))
    name = raw.get("name")
    shown = name if isinstance(name, str) else "?"
    _str(name, file=file, index=index, name=shown, field_="name")
    unknown = set(raw) - _FIELDS
    if unknown:
        raise ResourceError(err(Errors.E023, file=file, index=index, name=shown, field=sorted(unknown)[0], problem=f"is not a known field (allowed: {', '.join(sorted(_FIELDS))})"))
    values: dict[str, Any] = {}
    for key in ("phone",):
        if raw.get(key) is not None:
            values[key] = _str(raw[key], file=file, index=index, name=shown, field_=key, pattern=_PHONE, what="a phone number (digits, spaces, dashes, optional +)")
    if raw.get("url") is not None:
        values["url"] = _str(raw["url"], file=file, index=index, name=shown, field_="url", pattern=_URL, what="an http(s) URL")
    if raw.get("email") is not None:
        values["email"] = _str(raw["email"], file=file, index=index, name=shown, field_="email", pattern=_EMAIL, what="an email address")
    for key in ("hours", "audience", "url_label"):
        if raw.get(key) is not None:
            values[key] = _str(raw[key], file=file, index=index, name=shown, field_=key)
    if raw.get("sms") is not None:
        sms = raw["sms"]
        if not isinstance(sms, Mapping) or set(sms) - {"number", "keyword"}:
            raise ResourceError(err(Errors.E023, file=file, index=index, name=shown, field="sms", problem="must be a mapping with 'number' and optional 'keyword'"))
        number = _str(sms.get("number"), file=file, index=index, name=shown, field_="sms.number", pattern=_PHONE, what="a number")
        keyword = _str(sms["keyword"], file=file, index=index, name=shown, field_="sms.keyword") if sms.get("keyword") is not None else None
        values["sms"] = Sms(number, keyword)
    for key, known in (("situations", SITUATIONS), ("serves", AUDIENCES)):
        if raw.get(key) is not None:
            chosen = raw[key]
            if (not isinstance(chosen, list) or not chosen
                    or any(not isinstance(x, str) or x not in known for x in chosen)):
                raise ResourceError(err(Errors.E023, file=file, index=index, name=shown, field=key,
                                        problem=f"must be a non-empty list of: {', '.join(known)}"))
            values[key] = tuple(dict.fromkeys(chosen))
    for key in ("emergency", "primary"):
        if key in raw:
            if not isinstance(raw[key], bool):
                raise ResourceError(err(Errors.E023, file=file, index=index, name=shown, field=key, problem="must be true or false"))
            values[key] = raw[key]
    if base is not None:
        return replace(base, **values)
    if "hours" not in values:
        raise ResourceError(err(Errors.E023, file=file, index=index, name=shown, field="hours", problem="is required (e.g. \"24/7\")"))
    if not any(k in values for k in ("phone", "sms", "url", "email")):
        raise ResourceError(err(Errors.E023, file=file, index=index, name=shown, field="phone", problem="missing: give at least one of phone, sms, url, email"))
    return Resource(name=name.strip(), **values)


def _entries(data: Any, *, file: Path, required: bool) -> list[Any]:
    if not isinstance(data, Mapping):
        raise ResourceError(err(Errors.E022, file=file, problem="expected a mapping at the top level"))
    unknown = set(data) - {"locale", "resources", "hours"}
    if unknown:
        raise ResourceError(err(Errors.E022, file=file, problem=f"unknown top-level field(s) {sorted(unknown)} (allowed: locale, resources, hours)"))
    entries = data.get("resources")
    if entries is None and not required:
        return []
    if not isinstance(entries, list) or (required and not entries):
        raise ResourceError(err(Errors.E022, file=file, problem="'resources' must be a non-empty list"))
    return entries


def load_resources(locale: str = DEFAULT_LOCALE, extra_file: Path | str | None = None, *, directory: Path = RESOURCES_DIR) -> ResourceSet:
    """Load the locale's resources and merge a clinic's ``extra_file``.

    The extra file may contain ``resources:`` (an entry whose name matches an
    existing one updates its fields, a new name is added before the
    emergency number) and ``hours:`` (a mapping name -> hours).  Every error
    names the file and the field.
    """
    known = known_locales(directory)
    if locale not in known:
        raise ResourceError(err(Errors.E020, locale=locale, known=", ".join(known)))
    path = directory / f"{locale}.yml"
    data = _read(path)
    resources = [_resource(raw, file=path, index=i) for i, raw in enumerate(_entries(data, file=path, required=True))]
    sources = [str(path)]
    if extra_file is not None:
        extra_path = Path(extra_file)
        extra = _read(extra_path)
        sources.append(str(extra_path))
        by_name = {r.name: i for i, r in enumerate(resources)}
        for i, raw in enumerate(_entries(extra, file=extra_path, required=False)):
            name = raw.get("name") if isinstance(raw, Mapping) else None
            if isinstance(name, str) and name.strip() in by_name:
                j = by_name[name.strip()]
                resources[j] = _resource(raw, file=extra_path, index=i, base=resources[j])
            else:
                resources.append(_resource(raw, file=extra_path, index=i))
                by_name[resources[-1].name] = len(resources) - 1
        hours = extra.get("hours") or {}
        if not isinstance(hours, Mapping):
            raise ResourceError(err(Errors.E022, file=extra_path, problem="'hours' must be a mapping of resource name to hours"))
        for name, value in hours.items():
            if name not in by_name:
                raise ResourceError(err(Errors.E022, file=extra_path, problem=f"hours: no resource named '{name}' (known: {', '.join(by_name)})"))
            j = by_name[name]
            resources[j] = replace(resources[j], hours=_str(value, file=extra_path, index=j, name=name, field_="hours"))
    emergencies = [r for r in resources if r.emergency]
    if len(emergencies) != 1:
        raise ResourceError(err(Errors.E022, file=path, problem=f"exactly one resource must have 'emergency: true' (found {len(emergencies)})"))
    if not any(not r.emergency and DEFAULT_SITUATION in r.situations for r in resources):
        raise ResourceError(err(Errors.E024, file=path, kind="crisis"))
    return ResourceSet(locale=locale, resources=tuple(resources), sources=tuple(sources))
