"""Rasa NLU component: run `safety.assess` on every user message and let its verdict win.

Placed last in the pipeline (after the intent classifier and the FallbackClassifier), so its
override is the final word: a flagged message gets the intent `safety_emergency`, `safety_crisis`,
`safety_third_party`, `safety_check_in` or `safety_check_in_other` (the question asked about someone
else) with confidence 1.0, which RulePolicy routes
deterministically, whatever form, loop or exercise is active. The assessment is stored in the parse
data under `safety`, and therefore in the tracker store with the message, where the reconciler and
the staff see what matched and why.

`safety.assess` runs the rules and the learned risk model together; this component hands it the
MiniLM sentence vector the featurizer already computed (`embedding_featurizer`), so the model costs
no second encoding. The general intent classifier never escalates on its own: a confident
risk-family intent raises a message the rules and the model left alone to a *check-in* at most, and
only with some evidence beside it (`safety.engine.classifier_may_ask`: a rule that matched without
deciding, or a risk-model probability above the low, cross-validated `ask` cut-off of the model's
card; never a figure of speech such as "my mum is going to kill me"). The one exception is the
classifier's "danger now" intent (`ask_without_evidence`), which asks on its own word, still never
on a figure of speech. A risk-family intent that nothing supports is replaced by the next ordinary intent, so the dialogue neither routes to a crisis
nor asks the suicide question on the classifier's word alone. It can never lower a verdict of the
rules or the model.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from safety import get_engine
from safety.abuse_audience import abuse_of_someone_else, audience_for
from safety.assessment import MODEL_CATEGORY, Assessment, Kind
from safety.situation import ABUSE, situation_for

PARSE_DATA_KEY = "safety"
THIRD_PARTY_CATEGORY = "third_party_risk"
#: Intents the dialogue routes to the crisis, emergency, third-party or check-in replies
#: (data/rules/safety.yml). Only this component's verdict may leave one of them as the intent.
CHECK_IN_ABOUT_SOMEONE_ELSE = "safety_check_in_other"
ROUTING_INTENTS = frozenset({"safety_emergency", "safety_crisis", "safety_third_party", "safety_abuse", "safety_check_in",
                             CHECK_IN_ABOUT_SOMEONE_ELSE})
FALLBACK_INTENT = "nlu_fallback"
ABUSE_CATEGORY = "abuse_or_unsafe"
SITUATION_ENTITY = "risk_situation"
#: who is being hurt ("child", "adult", "older_adult"), with an abuse disclosure: orders the abuse lines
AUDIENCE_ENTITY = "abuse_audience"
#: whose danger an escalating message is about ("self", "someone_else"): the emergency reply to "my friend took
#: pills and won't wake up" tells the writer what to do for them, not "if you have taken something"
RISK_ABOUT_ENTITY = "risk_about"
#: A check-in asked because of a statement of intent with no object ("i'm going to do it", "tonight's the
#: night"): the next message may be the other half of a risk message split over two turns ("tonight."), so
#: the rules escalate any answer but a clear no at once instead of asking again (data/rules/safety.yml).
CHECK_IN_REASON_ENTITY = "check_in_reason"
SPLIT_INTENT_CATEGORY = "intent_or_timeline"
#: A check-in the rules asked only because every risk phrase in a chat-length message was negated, in a
#: message that is a plain denial and takes nothing back ("no, i'd never hurt myself", "i'm not suicidal,
#: just tired", "me? kill myself? never."; the component's negated_answer_pattern). As the answer to "are you
#: thinking about suicide?" that is a no, and the check-in rules take it as one instead of escalating an
#: "unclear" answer; said out of the blue it is acknowledged with the line in view, not met with that
#: question (data/rules/safety.yml). Not set when the classifier raised the verdict.
NEGATED_ENTITY = "negated_risk"
#: Classifier intents that read a message as about someone else: when only the risk model would ask, the
#: question is then asked about that person ("are you worried they might be thinking about suicide?"), not
#: "are you thinking about suicide?" of a parent who wrote that their son seems down. worried_about_someone
#: has no risk words; it is here so that adding it did not turn those questions back onto the writer.
#: third_party_secret ("he made me swear not to tell our parents", which the risk model alone asks about) too:
#: after the reply about a brother at risk, the writer was asked about their own suicide, then escalated.
ABOUT_SOMEONE_ELSE_INTENTS = frozenset({"safety_third_party", "worried_about_someone", "third_party_secret"})


def intent_for(assessment: Assessment) -> Optional[str]:
    """The dialogue intent a verdict routes to; None leaves the classifier's intent alone.

    A disclosure of abuse (and nothing about the writer's own suicide or self-harm) routes to
    `safety_abuse`, whose reply shows the lines for that situation (safety.situation)."""
    if assessment.escalate and situation_for(assessment.categories) == ABUSE:
        return "safety_abuse"
    if assessment.kind == Kind.EMERGENCY:
        return "safety_emergency"
    if assessment.kind == Kind.CRISIS:
        return "safety_third_party" if only_about_someone_else(assessment.categories) else "safety_crisis"
    if assessment.kind == Kind.CHECK_IN:
        return CHECK_IN_ABOUT_SOMEONE_ELSE if about_someone_else(assessment.categories) else "safety_check_in"
    return None


def only_about_someone_else(categories: List[str]) -> bool:
    """An escalating verdict about someone else's danger and nothing about the writer's own."""
    return set(categories) == {THIRD_PARTY_CATEGORY}


def about_someone_else(categories: List[str]) -> bool:
    """Only someone else's risk was seen (the risk model's own category aside, which names no person):
    the check-in question is then about them ("are you worried they might be thinking about suicide?"),
    not "are you thinking about suicide?" asked of a person who wrote about their brother."""
    return THIRD_PARTY_CATEGORY in categories and set(categories) <= {THIRD_PARTY_CATEGORY, MODEL_CATEGORY}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SafetyComponent(GraphComponent):
    """Overrides the intent of risk messages; see the module docstring."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # Classifier intents that may raise a verdict when no rule matched, and the kind they raise
            # it to. Their NLU examples live in data/nlu/risk.yml.
            "classifier_risk_intents": {
                "safety_emergency": "emergency",
                "safety_crisis": "crisis",
                "safety_third_party": "crisis",
                "safety_check_in": "check_in",
            },
            # Risk-family intents whose confident prediction asks the check-in question even when neither
            # a rule nor the risk model points at risk (never on a figure of speech). The classifier's
            # "danger now" intent: on the blind chat sets it was the only signal for plans the rules and
            # the model did not know ("going to the bridge after work and not coming back", "got enough
            # to do it"), at a cost of about one ordinary message in 600 asked (README, issue 8).
            "ask_without_evidence": ["safety_emergency"],
            # Minimum classifier confidence for that (the ranking is searched, not just the top intent,
            # so a low-confidence nlu_fallback cannot hide a risk intent).
            "classifier_threshold": 0.5,
            # When a risk-family intent is set aside, the next ordinary intent replaces it only if at
            # least this confident (as the FallbackClassifier's threshold in config.yml); otherwise
            # nlu_fallback, so "my mum is going to kill me" is not answered as grief at 6%.
            "fallback_threshold": 0.2,
            # The `alias` of the dense featurizer whose sentence vector is the MiniLM embedding the
            # risk model reads (config.yml); null makes assess() compute it itself.
            "embedding_featurizer": "minilm",
            # negated_risk (a no to the check-in question) only for a plain denial that takes nothing back:
            # one that opens with it ("no, i'd never hurt myself", "i'm not suicidal", "i would never kill
            # myself") or answers the words asked back ("me? kill myself? never."). Not "i would never kill
            # myself but i do cut", "no i wouldnt, but i think about it a lot", nor a denial bound to a time
            # ("not going to kill myself yet", "... tonight"), which leaves the rest open (a Python regex,
            # case-insensitive).
            "negated_answer_pattern": (
                r"^(?!.*\b(but|though|tho|although|except|unless|yet|tonight|today|for now|right now)\b)"
                r"\W*(?:(?:no+|nope|nah|never|not)\b"
                r"|i\s*(?:['’]?m|am|would|['’]?d|will|['’]?ll)\s+(?:not|never)\b"
                r"|.*\?\s*(?:no+|nope|nah|never)\b)"),
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._risk_intents = {name: Kind(kind) for name, kind in config["classifier_risk_intents"].items()}
        self._threshold = float(config["classifier_threshold"])
        self._fallback_threshold = float(config.get("fallback_threshold", 0.0))
        self._embedding_featurizer = config.get("embedding_featurizer")
        self._ask_without_evidence = frozenset(config.get("ask_without_evidence") or ())
        self._negated_answer = re.compile(config["negated_answer_pattern"], re.IGNORECASE | re.DOTALL)

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafetyComponent:
        get_engine().assess("warm up")  # build the matchers now, not on the first person's message
        audience_for("")  # and read safety/abuse_audience.yml: a malformed file stops the server at start
        return cls(config)

    def _classifier_verdict(self, message: Message) -> tuple[Kind, Optional[str]]:
        """The strongest kind a confident risk-family intent in the ranking asks for."""
        best, best_intent = Kind.NONE, None
        ranking = message.get(INTENT_RANKING_KEY) or [message.get(INTENT) or {}]
        for entry in ranking:
            name = entry.get(INTENT_NAME_KEY)
            confidence = entry.get(PREDICTED_CONFIDENCE_KEY) or 0.0
            kind = self._risk_intents.get(name)
            if kind and confidence >= self._threshold and kind.rank > best.rank:
                best, best_intent = kind, name
        return best, best_intent

    def _embedding(self, message: Message) -> Optional[np.ndarray]:
        """The unit-length MiniLM vector the featurizer added (it stores it scaled by its weight)."""
        if not self._embedding_featurizer:
            return None
        _, sentence = message.get_dense_features(TEXT, [self._embedding_featurizer])
        if sentence is None:
            return None
        vector = np.asarray(sentence.features, dtype=np.float32).reshape(-1)
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm > 0 else None

    def _assess_message(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        detail = get_engine().assess_detail(text, self._embedding(message))
        assessment = detail.assessment
        source = "model" if MODEL_CATEGORY in assessment.categories else "rules"
        record: Dict[str, Any] = {**assessment.to_dict(), "source": source}
        classifier_kind, classifier_intent = self._classifier_verdict(message)
        if classifier_kind.rank > Kind.CHECK_IN.rank:
            classifier_kind = Kind.CHECK_IN  # the classifier may only ask; escalation is the rules' and model's
        may_ask = detail.classifier_may_ask or (
            classifier_intent in self._ask_without_evidence and not detail.view.idiomatic)
        if classifier_kind is not Kind.NONE and assessment.kind is Kind.NONE and not may_ask:
            # nothing beside the classifier points at risk (or it is a figure of speech): no question
            classifier_kind = Kind.NONE
            record["classifier_not_asked"] = classifier_intent
        if self._reads_as_someone_else(message, classifier_intent) and assessment.kind is Kind.CHECK_IN \
                and set(assessment.categories) <= {MODEL_CATEGORY}:
            # the model would ask, and the classifier reads the message as about someone else: ask about them
            assessment = Assessment.from_dict(
                {**assessment.to_dict(), "categories": sorted(set(assessment.categories) | {THIRD_PARTY_CATEGORY})})
            record = {**record, "categories": assessment.categories, "classifier_intent": classifier_intent}
        if classifier_kind.rank > assessment.kind.rank:
            categories = assessment.categories
            if classifier_intent == "safety_third_party":
                categories = sorted(set(categories) | {THIRD_PARTY_CATEGORY})
            assessment = Assessment.from_dict(
                {**assessment.to_dict(), "kind": classifier_kind.value, "categories": categories,
                 "escalate": classifier_kind.escalates}
            )
            record = {**assessment.to_dict(), "source": "classifier", "classifier_intent": classifier_intent}
        message.set(PARSE_DATA_KEY, record, add_to_output=True)
        if assessment.escalate and ABUSE_CATEGORY in assessment.categories:
            self._mark_abuse(message, text)
        if assessment.escalate:
            self._add_entity(message, RISK_ABOUT_ENTITY, self._whose_danger(assessment, text), text)
        if assessment.kind is Kind.CHECK_IN and SPLIT_INTENT_CATEGORY in assessment.categories:
            self._add_entity(message, CHECK_IN_REASON_ENTITY, SPLIT_INTENT_CATEGORY, text)
        if assessment.kind is Kind.CHECK_IN and detail.view.negated and record.get("source") == "rules" \
                and self._negated_answer.search(text):
            self._add_entity(message, NEGATED_ENTITY, "negated", text)
        intent = intent_for(assessment)
        ranking = message.get(INTENT_RANKING_KEY) or []
        if intent is None:
            self._drop_unsupported_routing_intent(message, ranking, self._fallback_threshold)
            return
        override = {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}
        ranking = [override] + [entry for entry in ranking if entry.get(INTENT_NAME_KEY) != intent]
        message.set(INTENT, override, add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)

    @staticmethod
    def _reads_as_someone_else(message: Message, classifier_intent: Optional[str]) -> bool:
        """Whether the classifier reads the message as about someone else: its confident risk intent is
        safety_third_party, or (no risk intent) its top intent is one of ABOUT_SOMEONE_ELSE_INTENTS."""
        if classifier_intent is not None:
            return classifier_intent in ABOUT_SOMEONE_ELSE_INTENTS
        return (message.get(INTENT) or {}).get(INTENT_NAME_KEY) in ABOUT_SOMEONE_ELSE_INTENTS

    @staticmethod
    def _whose_danger(assessment: Assessment, text: str) -> str:
        """"someone_else" for another person's danger only, or abuse told of another person ("my sister's
        husband hits her", safety.abuse_audience) with no risk of the writer's own; else "self"."""
        if only_about_someone_else(assessment.categories):
            return "someone_else"
        if situation_for(assessment.categories) == ABUSE and abuse_of_someone_else(text):
            return "someone_else"
        return "self"

    @staticmethod
    def _mark_abuse(message: Message, text: str) -> None:
        """An entity the `risk_situation` slot maps from: the crisis reply then names the abuse lines;
        and, when the message says who is being hurt, one for `abuse_audience`: which lines first."""
        SafetyComponent._add_entity(message, SITUATION_ENTITY, ABUSE, text)
        audience = audience_for(text)
        if audience is not None:
            SafetyComponent._add_entity(message, AUDIENCE_ENTITY, audience, text)

    @staticmethod
    def _add_entity(message: Message, name: str, value: str, text: str) -> None:
        """An entity over the whole message, for a slot the replies or the rules read."""
        entity = {"entity": name, "value": value, "start": 0, "end": len(text), "extractor": "SafetyComponent"}
        message.set(ENTITIES, [*(message.get(ENTITIES) or []), entity], add_to_output=True)

    @staticmethod
    def _drop_unsupported_routing_intent(message: Message, ranking: List[Dict[str, Any]],
                                         fallback_threshold: float = 0.0) -> None:
        """No verdict, yet the classifier's top intent would route to a safety reply or the check-in
        question: take the next ordinary intent of the ranking instead (or the fallback)."""
        current = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        if current not in ROUTING_INTENTS:
            return
        ordinary = [entry for entry in ranking if entry.get(INTENT_NAME_KEY) not in ROUTING_INTENTS]
        fallback = {INTENT_NAME_KEY: FALLBACK_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
        best = ordinary[0] if ordinary else fallback
        if (best.get(PREDICTED_CONFIDENCE_KEY) or 0.0) < fallback_threshold:
            best, ordinary = fallback, [fallback] + [e for e in ordinary if e.get(INTENT_NAME_KEY) != FALLBACK_INTENT]
        message.set(INTENT, dict(best), add_to_output=True)
        message.set(INTENT_RANKING_KEY, ordinary or [best], add_to_output=True)

    def process(self, messages: List[Message]) -> List[Message]:
        """Assess every message; override the intent of flagged ones."""
        for message in messages:
            self._assess_message(message)
        return messages
