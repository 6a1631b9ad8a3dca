"""Rasa NLU component: an intent that needs a word is kept only when the message has it.

A greeting is answered as a greeting only when it is one. The classifier scores every intent for every
message, and a message that resembles none of the others well can still end up with `greet` at a low
confidence above the fallback threshold: "yeah i keep checking her instagram", after talking about a
breakup, was greet at 0.22 and got "Hello, and thank you for reaching out" (issue 12). No greeting is a
greeting without a greeting word, so this gate asks for one: for each intent in `required_regex`, the
message must match the training data's regex of that name (for `greet`, the regex `greeting` in
data/nlu/social.yml, which content designers edit beside the greet examples). When it does not, the intent
is taken out of the ranking and the next one stands in its place, or `nlu_fallback` when that one is below
the FallbackClassifier's threshold or too close to the one after it (the same two tests, the same numbers).

Placed after the FallbackClassifier and before the safety component, so the safety verdict still has the
last word and sees the ranking the gate left. The regexes are read from the training data when the model is
trained and kept in the model, like Rasa's own RegexEntityExtractor: the server needs no file beside it.
Changes nothing when the intent has the word, or when the intent is not in `required_regex`.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Pattern, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
import rasa.shared.utils.io

logger = logging.getLogger(__name__)

PATTERNS_FILE = "required_regex.json"


class MissingRegexError(ValueError):
    """config.yml names a regex the training data does not define: the gate would silently do nothing."""


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class WordGate(GraphComponent):
    """Takes an intent out of the ranking when the message lacks the word the intent needs."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # intent -> name of a regex in the training data (`- regex: <name>`) the message must match
            "required_regex": {"greet": "greeting"},
            # as the FallbackClassifier's threshold and ambiguity_threshold in config.yml
            "threshold": 0.2,
            "ambiguity_threshold": 0.02,
        }

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 patterns: Optional[Dict[str, List[str]]] = None) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        # Rasa's own fallback decision, with the same two thresholds, judges the intent left standing
        self._fallback = FallbackClassifier({"threshold": float(config["threshold"]),
                                             "ambiguity_threshold": float(config["ambiguity_threshold"])})
        self._patterns: Dict[str, List[str]] = {}
        self._compiled: Dict[str, List[Pattern[str]]] = {}
        self._set_patterns(patterns or {})

    def _set_patterns(self, patterns: Dict[str, List[str]]) -> None:
        self._patterns = {intent: list(found) for intent, found in patterns.items()}
        self._compiled = {intent: [re.compile(p, re.IGNORECASE) for p in found]
                          for intent, found in self._patterns.items()}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> WordGate:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Keep, per gated intent, the patterns of the regex it names (a regex may be listed more than once)."""
        patterns: Dict[str, List[str]] = {}
        for intent, regex_name in (self._config.get("required_regex") or {}).items():
            found = [r["pattern"] for r in training_data.regex_features if r.get("name") == regex_name]
            if not found:
                raise MissingRegexError(
                    f"WordGate: intent '{intent}' needs the regex '{regex_name}', which no training data file "
                    f"defines (`- regex: {regex_name}`)")
            patterns[intent] = found
        self._set_patterns(patterns)
        self.persist()
        return self._resource

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as directory:
            rasa.shared.utils.io.dump_obj_as_json_to_file(directory / PATTERNS_FILE, self._patterns)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> WordGate:
        with model_storage.read_from(resource) as directory:
            patterns = rasa.shared.utils.io.read_json_file(directory / PATTERNS_FILE)
        return cls(config, model_storage, resource, patterns)

    def has_word(self, intent: str, text: str) -> bool:
        """Whether the text has what the intent needs (True for an intent that needs nothing)."""
        compiled = self._compiled.get(intent)
        return compiled is None or any(p.search(text) for p in compiled)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._gate(message)
        return messages

    def _gate(self, message: Message) -> None:
        intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        if intent not in self._compiled or self.has_word(intent, message.get(TEXT) or ""):
            return
        ranking = [dict(e) for e in message.get(INTENT_RANKING_KEY) or []
                   if e.get(INTENT_NAME_KEY) not in (intent, DEFAULT_NLU_FALLBACK_INTENT_NAME)]
        standing = ranking[0] if ranking else {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0}
        message.set(INTENT, standing, add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        self._fallback.process([message])
