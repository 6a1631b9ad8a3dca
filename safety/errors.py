"""Every error message safety/ can raise, in one place, with a stable code.

Modelled on spaCy's errors.py: the code makes a message easy to grep for in
logs and tests, and keeping the wording here keeps call sites short.  Each
message names the file and, where there is one, the rule id and field, so a
clinic editing YAML can find the problem without reading Python.
"""
from __future__ import annotations


class _Message(str):
    """An error template that knows its own code (its attribute name in Errors).

    Why not look the code up by value: two templates may read the same (E001 and E021 do), and
    Python keeps one object for equal string constants, so a lookup by identity found the first."""

    code = "E000"

    def __set_name__(self, owner: type, name: str) -> None:
        self.code = name


class Errors:
    # rule files
    E001 = _Message("{file}: could not read YAML: {problem}")
    E002 = _Message("{file}: {problem}")
    E003 = _Message("{file}: rule #{index} has no string 'id'")
    E004 = _Message("{file}: rule '{rule}': duplicate id (also defined in {other})")
    E005 = _Message("{file}: rule '{rule}': unknown category '{category}' (known: {known})")
    E006 = _Message("{file}: rule '{rule}': unknown kind '{kind}' (known: {known})")
    E007 = _Message("{file}: rule '{rule}': needs at least one entry in 'patterns' or 'phrases'")
    E008 = _Message("{file}: rule '{rule}': pattern #{index}: {problem}")
    E009 = _Message("{file}: rule '{rule}': unknown field(s) {fields} (allowed: {allowed})")
    E010 = _Message("{file}: rule '{rule}': 'examples' must be a mapping with a non-empty 'match' list of strings and an optional 'no_match' list of strings")
    E011 = _Message("{file}: rule '{rule}': field '{field}' {problem}")
    E012 = _Message("{file}: field '{field}' {problem}")
    E013 = _Message("{dir}: no rule files found (expected *.yml besides {reserved})")
    # resources
    E020 = _Message("Unknown locale '{locale}'. Known locales: {known}")
    E021 = _Message("{file}: could not read YAML: {problem}")
    E022 = _Message("{file}: {problem}")
    E023 = _Message("{file}: resource #{index} ('{name}'): field '{field}' {problem}")
    E024 = _Message("{file}: no resource for kind '{kind}' (need at least one non-emergency line)")
    E025 = _Message("Unknown kind '{kind}' (known: {known})")
    E026 = _Message("Unknown audience '{audience}' (known: {known})")
    # evaluation
    E030 = _Message("{file}: line {line}: {problem}")
    E031 = _Message("{file}: no labelled lines found")


class SafetyError(Exception):
    """Base class so callers can catch every safety/ configuration problem at once."""


class RuleError(SafetyError, ValueError):
    """A rule, idiom, lexicon or tunables file is malformed."""


class ResourceError(SafetyError, ValueError):
    """A crisis-resource file is malformed or a locale is unknown."""


class CorpusError(SafetyError, ValueError):
    """An evaluation JSONL file is malformed."""


def err(template: str, **values: object) -> str:
    """Format ``template`` and prefix its code, e.g. ``[E005] rules/x.yml: ...``."""
    return f"[{getattr(template, 'code', 'E000')}] " + str.format(template, **values)
