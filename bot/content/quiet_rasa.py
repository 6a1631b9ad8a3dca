"""Rasa's own command line (`bot validate`, `bot train`), minus the warnings the content rules explain.

Why: Rasa's validator warns about every response no rule or story says and every domain intent without
training examples, also when code in actions/ says the response (the reflections' "_more" follow-ups)
or the safety component sets the intent (safety_abuse). A content designer who sees a dozen yellow
warnings on every clean run learns to skip them, and then misses the one that matters. The content lint
knows why each of these is fine (bot/content/content_rules.yml, names in actions/ code), so those are
held back and counted in one closing line, as are the deprecation notices Rasa's own libraries raise
while importing (pkg_resources, SQLAlchemy 2.0), about nothing a designer wrote. Every other warning is
printed exactly as Rasa prints it.
Rasa's own checks and exit code are untouched: this only decides what reaches the screen.

Usage: python -m bot.content.quiet_rasa ROOT RASA_ARGS...   (e.g. ROOT data validate --fail-on-warnings ...)
"""
from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Callable, Optional

from bot.content.lint import content_rules, matches_any, used_responses
from bot.content.project import Project, load_project
from bot.library_warnings import hold_back, library_deprecation

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
    held_back = hold_back(lambda message, category, filename:
                          library_deprecation(message, category, filename) or explain(message))
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *rasa_args]
    try:
        rasa_main()
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    if held_back:
        parts = ", ".join(f"{count} {reason}" for reason, count in sorted(held_back.items()))
        print(f"rasa: {sum(held_back.values())} expected warning(s) not shown ({parts})")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
