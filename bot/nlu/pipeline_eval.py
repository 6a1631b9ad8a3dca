"""What a person experiences: the trained model's whole NLU pipeline over a labelled file.

    bot safety-eval FILE.jsonl [...] [--model models/clinic.tar.gz] [--json]

``python -m safety.evaluate`` measures ``safety.assess`` alone. A person, though, meets the whole
pipeline: tokeniser, featurisers, the intent classifier and the safety component, whose final
intent decides what the assistant does. A classifier that predicts ``safety_third_party`` for "my
ex broke up with me" shows that person the crisis lines even though ``assess`` said nothing, so
this evaluation reads the *final intent* of each message, exactly as the dialogue rules do:

* ``safety_emergency``, ``safety_crisis``, ``safety_third_party``, ``safety_abuse`` -> escalated
  (crisis reply, resources card, a case for staff);
* ``safety_check_in`` -> a check-in question.

The labelled format, the report and its figures are those of :mod:`safety.evaluate`.
"""
from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path
from typing import Callable, Sequence

from bot.web.payloads import as_words
from safety.assessment import Assessment, Kind
from safety.evaluate import cli, run

#: What the dialogue does with each final intent (data/rules/safety.yml).
INTENT_KINDS = {
    "safety_emergency": Kind.EMERGENCY,
    "safety_crisis": Kind.CRISIS,
    "safety_third_party": Kind.CRISIS,
    "safety_abuse": Kind.CRISIS,
    "safety_check_in": Kind.CHECK_IN,
    "safety_check_in_other": Kind.CHECK_IN,
}


def experienced(parse: dict) -> Assessment:
    """The response a parsed message gets, as an Assessment carrying the safety record's reasons."""
    kind = INTENT_KINDS.get((parse.get("intent") or {}).get("name"), Kind.NONE)
    record = parse.get("safety") or {}
    return Assessment.from_dict({**record, "kind": kind.value, "escalate": kind.escalates})


class Pipeline:
    """A trained Rasa model's NLU pipeline, loaded once (a few seconds), parsing one text at a time."""

    def __init__(self, model_path: Path) -> None:
        os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
        from rasa.core.agent import Agent  # imported here: loading Rasa takes seconds
        from rasa.utils.common import configure_logging_and_warnings
        from rasa.utils.log_utils import configure_structlog

        # Rasa's debug log of each parse holds the message text: keep it out of every log.
        configure_logging_and_warnings(logging.WARNING)
        configure_structlog(logging.WARNING)

        if not Path(model_path).is_file():
            raise FileNotFoundError(f"no trained model at {model_path}: run `make train` first")
        self._loop = asyncio.new_event_loop()
        self._agent = Agent.load(str(model_path))

    def parse(self, text: str) -> dict:
        # as the gateway sends it: words that start with "/" lose the slash Rasa would read as an intent
        return self._loop.run_until_complete(self._agent.parse_message(as_words(text)))

    def __call__(self, text: str) -> Assessment:
        return experienced(self.parse(text))

    def close(self) -> None:
        self._loop.close()


def main(argv: Sequence[str] | None = None, default_model: Callable[[], Path] | None = None) -> int:
    """``python -m safety.evaluate``'s command line and report, with the whole pipeline as the detector."""
    parser = cli("bot safety-eval", "Escalation and check-in rates of the whole trained pipeline on labelled "
                                    "JSONL, per source, with every miss and false alarm (safety.assess alone: "
                                    "python -m safety.evaluate).")
    parser.add_argument("--model", type=Path, help="trained model archive (default: the one `make train` made)")
    args = parser.parse_args(argv)
    model = args.model or (default_model() if default_model else None)
    if model is None or not Path(model).is_file():
        print(f"error: no trained model at {model}: run `make train` first, or pass --model", file=sys.stderr)
        return 2
    return run(args, lambda: Pipeline(Path(model)))
