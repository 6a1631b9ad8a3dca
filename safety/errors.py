"""Every error message safety/ can raise, in one place, with a stable code.

Modelled on spaCy's errors.py: the code makes a message easy to grep for in
logs and tests, and keeping the wording here keeps call sites short.  Each
message names the file and, where there is one, the rule id and field, so a
clinic editing YAML can find the problem without reading Python.
"""
from __future__ import annotations


class Errors:
    # rule files
    E001 = "{file}: could not read YAML: {problem}"
    E002 = "{file}: {problem}"
    E003 = "{file}: rule #{index} has no string 'id'"
    E004 = "{file}: rule '{rule}': duplicate id (also defined in {other})"
    E005 = "{file}: rule '{rule}': unknown category '{category}' (known: {known})"
    E006 = "{file}: rule '{rule}': unknown kind '{kind}' (known: {known})"
    E007 = "{file}: rule '{rule}': needs at least one entry in 'patterns' or 'phrases'"
    E008 = "{file}: rule '{rule}': pattern #{index}: {problem}"
    E009 = "{file}: rule '{rule}': unknown field(s) {fields} (allowed: {allowed})"
    E010 = "{file}: rule '{rule}': 'examples' must be a mapping with a non-empty 'match' list of strings and an optional 'no_match' list of strings"
    E011 = "{file}: rule '{rule}': field '{field}' {problem}"
    E012 = "{file}: field '{field}' {problem}"
    E013 = "{dir}: no rule files found (expected *.yml besides {reserved})"
    # resources
    E020 = "Unknown locale '{locale}'. Known locales: {known}"
    E021 = "{file}: could not read YAML: {problem}"
    E022 = "{file}: {problem}"
    E023 = "{file}: resource #{index} ('{name}'): field '{field}' {problem}"
    E024 = "{file}: no resource for kind '{kind}' (need at least one non-emergency line)"
    E025 = "Unknown kind '{kind}' (known: {known})"
    # evaluation
    E030 = "{file}: line {line}: {problem}"
    E031 = "{file}: no labelled lines found"


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
    code = next((name for name, value in vars(Errors).items() if value is template), "E000")
    return f"[{code}] " + template.format(**values)
