"""`rasa data validate`, minus the warnings the content rules already explain.

Why: Rasa's validator warns about every response no rule or story says and every domain intent without
training examples, also when code in actions/ says the response (the reflections' "_more" follow-ups)
or the safety component sets the intent (safety_abuse). A content designer who sees a dozen yellow
warnings on every clean run learns to skip them, and then misses the one that matters. The content lint
knows why each of these is fine (bot/content/content_rules.yml, names in actions/ code), so those are
held back and counted in one closing line, as are the deprecation notices Rasa's own libraries raise
while importing (pkg_resources, SQLAlchemy 2.0), about nothing a designer wrote. Every other warning is
printed exactly as Rasa prints it.
Rasa's own checks and exit code are untouched: this only decides what reaches the screen.

Usage: python -m bot.content.rasa_validate ROOT RASA_VALIDATE_ARGS...
"""
from __future__ import annotations

import re
import sys
import warnings
from pathlib import Path
from typing import Callable, Optional

from bot.content.lint import content_rules, matches_any, used_responses
from bot.content.project import Project, load_project

UNUSED_RESPONSE = re.compile(r"The utterance '(?P<name>[^']+)' is not used in any story or rule\.")
INTENT_WITHOUT_EXAMPLES = re.compile(
    r"The intent '(?P<name>[^']+)' is listed in the domain file, but is not found in the NLU training data\.")


def explainer(project: Project, rules: dict) -> Callable[[str], Optional[str]]:
    """A function from one Rasa warning to the content rules' reason it is expected, or None."""
    said_elsewhere = used_responses(project)
    response_exceptions = rules.get("unused_response_exceptions") or {}
    intents_without_examples = (rules.get("nlu") or {}).get("intents_without_examples") or {}

    def explain(message: str) -> Optional[str]:
        unused = UNUSED_RESPONSE.fullmatch(message.strip())
        if unused:
            name = unused["name"]
            if name in said_elsewhere or any(p.fullmatch(name) for p, _ in project.code_patterns):
                return "said by code in actions/"
            if matches_any(response_exceptions, name):
                return "said by Rasa itself (content_rules.yml)"
            return None
        no_examples = INTENT_WITHOUT_EXAMPLES.fullmatch(message.strip())
        if no_examples and no_examples["name"] in intents_without_examples:
            return "set by the pipeline, not learned (content_rules.yml)"
        return None

    return explain


def main(argv: list[str]) -> int:
    root, rasa_args = Path(argv[0]), argv[1:]
    explain = explainer(load_project(root), content_rules())
    held_back: dict[str, list[str]] = {}
    show = warnings.showwarning

    def show_unless_explained(message, category, filename, lineno, file=None, line=None):  # type: ignore[no-untyped-def]
        if issubclass(category, DeprecationWarning) and "site-packages" in str(filename):
            reason: Optional[str] = "deprecation notices inside Rasa's libraries"
        else:
            reason = explain(str(message))
        if reason is None:
            show(message, category, filename, lineno, file, line)
        else:
            held_back.setdefault(reason, []).append(str(message))

    warnings.showwarning = show_unless_explained
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", "data", "validate", *rasa_args]
    try:
        rasa_main()
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    if held_back:
        parts = ", ".join(f"{len(messages)} {reason}" for reason, messages in sorted(held_back.items()))
        print(f"validate: {sum(map(len, held_back.values()))} expected Rasa warning(s) not shown ({parts})")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
