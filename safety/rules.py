"""Loading and validating the rule data in safety/rules/.

Why data and not code: the people who know which phrases matter (clinicians,
moderators) can review and extend YAML, each rule carries its own examples
(which the test-suite checks), and a typo fails loudly at load time with the
file, rule id and problem, never silently at 2 a.m. in production.

Layout of a rules directory:

* ``tunables.yml``      how categories map to kinds, negation, third-party,
                        context and re-categorisation settings;
* ``lexicon.yml``       named word sets usable in patterns as ``@name``;
* ``normalisation.yml`` leetspeak, emoji, slang/misspelling replacements and
                        lemma overrides;
* ``idioms.yml``        suppressors: idioms and harmless literal uses;
* every other ``*.yml`` risk rules, conventionally one file per category.

A rule::

    - id: active.kill_myself            # unique, [a-z0-9_.]+
      category: active_ideation         # a key of tunables.category_kind
      kind: emergency                   # optional override of the category's kind
      needs_context: crisis             # optional: only counts near a match of at least this kind
      context_window: 6                 # optional, tokens (default tunables.context_window)
      context_categories: [intent_or_timeline]  # optional: only a match of these categories is context
      negatable: true                   # optional (default true): "I would never ..." caps at check_in
      weak: true                        # optional (default false): a keyword that news and things share
                                        # ("suicidal move"); needs a first-person word in its sentence,
                                        # else the risk model decides
      whole_message: false              # optional: counts only when it is all the message says
                                        # ("im going to jump" alone; filler and punctuation aside)
      patterns:                         # shorthand strings (see safety.matcher) or raw spaCy token patterns
        - "@intend to? kill|unalive =my? @refl"
        - [{LEMMA: kill}, {LOWER: myself}]
      phrases: ["end it all"]            # matched on lemmas by a PhraseMatcher
      examples:
        match: ["i want to kill myself"]
        no_match: ["this traffic is killing me"]

An idiom in ``idioms.yml`` has the same shape without ``category``/``kind``
and with an optional ``suppresses`` list of categories (default: all) and an optional
``whole_message: true`` (the idiom counts only when it is all the message says, apart from
punctuation, emoji and the lexicon's ``whole_message_filler`` words: a lone "bye") and
``literal: true`` (a harmless literal use, "i give blood every month": said with no risk match the
risk model may not raise it).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence, Union

import yaml

from .assessment import Kind
from .errors import Errors, RuleError, err
from .normalise import NormalisationData

RULES_DIR = Path(__file__).parent / "rules"
RESERVED = ("tunables.yml", "lexicon.yml", "normalisation.yml", "idioms.yml")
IDIOM = "idiom"

RawPattern = list  # list of spaCy token-pattern dicts
Pattern = Union[str, RawPattern]

_ID = re.compile(r"^[a-z0-9_.\-]+$")
_RULE_FIELDS = {"id", "category", "kind", "needs_context", "context_window", "context_categories", "negatable", "weak",
                "crosses_breaks", "whole_message",
                "patterns", "phrases", "examples", "note"}
_IDIOM_FIELDS = {"id", "suppresses", "whole_message", "literal", "crosses_breaks", "patterns", "phrases", "examples", "note"}


@dataclass(frozen=True)
class Rule:
    """One risk rule or idiom (``category == "idiom"``), as loaded from YAML."""

    id: str
    category: str
    file: str
    patterns: tuple[Pattern, ...] = ()
    phrases: tuple[str, ...] = ()
    kind: Kind | None = None
    needs_context: Kind | None = None
    context_window: int | None = None
    # With needs_context: only a match of one of these categories counts as the context ("thanks for
    # everything" is a farewell beside "tonight's the night", not beside a bereavement told in the same
    # message). None: a match of any category.
    context_categories: frozenset[str] | None = None
    negatable: bool = True
    # A keyword that also names news, things and other people ("suicide", "suicidal", "overdose"):
    # it escalates by itself only with a first-person word in its sentence; otherwise the risk
    # model decides (engine.py).
    weak: bool = False
    # A rule whose patterns name every token, punctuation included ("doing it now . bye"), may match
    # across sentence ends and clause breaks; other matches may not hold one (tunables.gap_breaks).
    crosses_breaks: bool = False
    suppresses: frozenset[str] | None = None  # idioms: categories suppressed (None = all)
    # counts only when the match is the whole message, give or take punctuation, emoji and the lexicon's
    # `whole_message_filler` words ("ok bye, thanks!"): for an idiom, a sign-off said alone is a sign-off, one
    # inside a longer message is left to the rules and the model; for a risk rule, "im going to jump" said
    # alone is the emergency question, with more after it the other rules read it.
    whole_message: bool = False
    # idioms: a harmless literal use of a word that risk shares ("i give blood every month", "my nose is bleeding
    # a lot"). When such idioms are all a chat-length message has (no risk rule read it), the risk model may not
    # raise it at all: a question about suicide to a blood donor is the wrong reply (engine.combine).
    literal: bool = False
    examples_match: tuple[str, ...] = ()
    examples_no_match: tuple[str, ...] = ()

    @property
    def is_idiom(self) -> bool:
        return self.category == IDIOM


@dataclass(frozen=True)
class Negation:
    """How a negation before a match ("I would never hurt myself") is recognised."""

    cues: frozenset[str]
    window: int
    blockers: frozenset[str]        # between cue and match: "I don't KNOW if I want to die" is not negated
    not_after: frozenset[str]       # right after the cue: "can't STOP thinking about ..." is not negated
    not_before: frozenset[str]      # right before the cue: "TRYING not to cut" is not negated
    model_cap_tokens: int = 30      # up to this length, the risk model may only ask about a negated phrase
    answered: frozenset[str] = frozenset()  # "me? kill myself? NEVER.": the match asked back, then denied alone
    # a second short question between the match asked back and the denial opens with one of these ("kill myself?
    # OVER him? never."): up to three words, then "?"
    answered_asides: frozenset[str] = frozenset()
    # a denial taken back after the match ("kill myself? never. BUT TONIGHT I MIGHT"): an opener, "i" and a bare modal
    retraction_reach: int = 0
    retraction_openers: frozenset[str] = frozenset()
    retraction_modals: frozenset[str] = frozenset()
    retraction_tails: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ThirdParty:
    """How "my friend says she wants to die" is told apart from "I want to die"."""

    categories: frozenset[str]      # categories that become third_party_risk when about someone else
    category: str
    first_person: frozenset[str]
    third_person: frozenset[str]
    window: int
    # words that tie a weak keyword to a person in the conversation ("I", "my friend", "she"):
    # generic nouns ("man", "teen") are left out, since headlines are written with them
    weak_anchors: frozenset[str] = frozenset()
    weak_topic_breaks: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Recategorise:
    """Move a match to another category when a marker is in the same sentence
    (e.g. attempt_in_progress + "last year" -> past_attempt)."""

    id: str
    source: str
    target: str
    markers: tuple[Pattern, ...]


@dataclass(frozen=True)
class Recovered:
    """A past told as past with the writer well now: matches of ``categories`` that are past attempts or
    sit in a sentence with one of ``past_markers`` are capped at a check-in when one of ``markers`` comes
    after them in the message (tunables.yml, ``recovered``). A match whose own clauses hold one of
    ``present_markers`` ("doing it again now", "started again last night") is a relapse told now: never capped,
    and so is every match when one of ``relapse_markers`` comes after the last recovery marker ("i've been fine
    for years. but last night the thoughts came back"): the story ends on the relapse, not on being well."""

    categories: frozenset[str]
    past_markers: tuple[Pattern, ...]
    markers: tuple[Pattern, ...]
    present_markers: tuple[Pattern, ...] = ()
    relapse_markers: tuple[Pattern, ...] = ()
    # idioms that tell a recovery ("3 months clean from sh"): one of ``relapse_markers`` after such an idiom
    # ("... and i just broke it") voids it, so the match it overlaps decides again
    relapse_voids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class NewsFrame:
    """A report of someone else's suicide, attempt or assault, told as news ("man, 34, hanged himself after ...,
    inquest hears"; "teen raped by a cop then commits suicide, police say"): a match of ``categories`` (after the
    third-party move) in a sentence with one of ``markers`` and no first-person word is set aside, as an idiom
    sets one aside, so the risk model reads the message capped at a question. Emergencies are set aside only
    beside ``death_markers`` (the death already told: an inquest, a coroner, "found dead"): "he has taken 40
    pills, police say" could be a friend reporting now (tunables.yml, ``news_frame``)."""

    categories: frozenset[str]
    markers: tuple[Pattern, ...]
    death_markers: tuple[Pattern, ...]


@dataclass(frozen=True)
class Tunables:
    category_kind: Mapping[str, Kind]
    emergency_signals: frozenset[str]
    context_window: int
    clause_breaks: frozenset[str]
    sentence_breaks: frozenset[str]
    gap_breaks: frozenset[str]
    negation: Negation
    third_party: ThirdParty
    recategorise: tuple[Recategorise, ...]
    model_veto_categories: frozenset[str] = frozenset()
    # check-in categories the model's agreement never raises to a crisis (RuleView.asks)
    model_confirm_excluded: frozenset[str] = frozenset()
    recovered: Optional[Recovered] = None
    # urges beside nothing but a time stay a crisis ("sh urges are bad tonight"; tunables.yml)
    time_not_urgent: frozenset[str] = frozenset()
    # a check-in rule of these categories, with the risk model agreeing, is danger now ("im standing on the bridge")
    confirmed_danger_now: frozenset[str] = frozenset()
    # someone else's suicide or assault told as news, with no first person in the sentence (tunables.yml)
    news_frame: Optional[NewsFrame] = None


@dataclass(frozen=True)
class RuleSet:
    """Everything loaded from one rules directory."""

    directory: Path
    rules: tuple[Rule, ...]
    idioms: tuple[Rule, ...]
    lexicon: Mapping[str, tuple[str, ...]]
    tunables: Tunables
    normalisation: NormalisationData
    lemma_overrides: Mapping[str, str]
    vocabulary_extra: frozenset[str] = field(default_factory=frozenset)

    @property
    def categories(self) -> list[str]:
        return sorted(self.tunables.category_kind)

    def words(self) -> set[str]:
        """Every plain word the data mentions: part of the normaliser's vocabulary."""
        out: set[str] = set(self.vocabulary_extra)
        for words in self.lexicon.values():
            out.update(words)
        for rule in (*self.rules, *self.idioms):
            for pattern in rule.patterns:
                if isinstance(pattern, str):
                    out.update(re.findall(r"[a-z][a-z']*", pattern.replace("@", " @")))
            for phrase in rule.phrases:
                out.update(phrase.split())
        for value in self.normalisation.replacements.values():
            out.update(value.split())
        out.update(self.normalisation.emoji.values())
        return {w for w in out if not w.startswith("@")}


# -- helpers -------------------------------------------------------------
def _read(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except (OSError, yaml.YAMLError) as exc:
        raise RuleError(err(Errors.E001, file=path, problem=exc)) from exc


def _strings(value: Any, *, file: Path, field_: str, rule: str | None = None, allow_empty: bool = True) -> tuple[str, ...]:
    """A list of strings, or a clear error (YAML turns bare `no`/`off` into booleans)."""
    if value is None and allow_empty:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value) or (not value and not allow_empty):
        problem = "must be a list of strings (quote words like 'no', 'off', 'on', 'yes')"
        if rule is not None:
            raise RuleError(err(Errors.E011, file=file, rule=rule, field=field_, problem=problem))
        raise RuleError(err(Errors.E012, file=file, field=field_, problem=problem))
    return tuple(v.strip().lower() if field_ not in ("examples",) else v for v in value)


def _mapping(value: Any, *, file: Path, field_: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise RuleError(err(Errors.E012, file=file, field=field_, problem="must be a mapping"))
    return value


def _kind(value: Any, *, file: Path, rule: str, field_: str = "kind") -> Kind:
    try:
        return Kind(value)
    except ValueError:
        raise RuleError(err(Errors.E006, file=file, rule=rule, kind=value, known=", ".join(k.value for k in Kind))) from None


def _patterns(value: Any, *, file: Path, rule: str) -> tuple[Pattern, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise RuleError(err(Errors.E011, file=file, rule=rule, field="patterns", problem="must be a list"))
    out: list[Pattern] = []
    for i, pattern in enumerate(value):
        if isinstance(pattern, str) and pattern.strip():
            out.append(pattern.strip())
        elif isinstance(pattern, list) and pattern and all(isinstance(t, dict) for t in pattern):
            out.append(pattern)
        else:
            raise RuleError(err(Errors.E008, file=file, rule=rule, index=i, problem="must be a shorthand string or a non-empty list of spaCy token dicts"))
    return tuple(out)


def _examples(value: Any, *, file: Path, rule: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if not isinstance(value, Mapping) or set(value) - {"match", "no_match"}:
        raise RuleError(err(Errors.E010, file=file, rule=rule))
    match, no_match = value.get("match"), value.get("no_match", [])
    ok = lambda xs: isinstance(xs, list) and all(isinstance(x, str) and x.strip() for x in xs)  # noqa: E731
    if not ok(match) or not match or not ok(no_match or []):
        raise RuleError(err(Errors.E010, file=file, rule=rule))
    return tuple(match), tuple(no_match or [])


# -- rule files ----------------------------------------------------------
def _load_rules(path: Path, *, categories: Mapping[str, Kind], idioms: bool, seen: dict[str, Path]) -> list[Rule]:
    data = _read(path)
    if not isinstance(data, Mapping) or not isinstance(data.get("rules"), list):
        raise RuleError(err(Errors.E002, file=path, problem="expected a mapping with a 'rules' list at the top level"))
    allowed = _IDIOM_FIELDS if idioms else _RULE_FIELDS
    out: list[Rule] = []
    for index, raw in enumerate(data["rules"]):
        if not isinstance(raw, Mapping) or not isinstance(raw.get("id"), str):
            raise RuleError(err(Errors.E003, file=path, index=index))
        rid = raw["id"]
        if not _ID.match(rid):
            raise RuleError(err(Errors.E011, file=path, rule=rid, field="id", problem="may only contain a-z, 0-9, '.', '_' and '-'"))
        if rid in seen:
            raise RuleError(err(Errors.E004, file=path, rule=rid, other=seen[rid]))
        seen[rid] = path
        unknown = set(raw) - allowed
        if unknown:
            raise RuleError(err(Errors.E009, file=path, rule=rid, fields=sorted(unknown), allowed=sorted(allowed)))
        patterns = _patterns(raw.get("patterns"), file=path, rule=rid)
        phrases = _strings(raw.get("phrases"), file=path, field_="phrases", rule=rid)
        if not patterns and not phrases:
            raise RuleError(err(Errors.E007, file=path, rule=rid))
        if "examples" not in raw:
            raise RuleError(err(Errors.E010, file=path, rule=rid))
        match, no_match = _examples(raw["examples"], file=path, rule=rid)
        crosses = raw.get("crosses_breaks", False)
        if not isinstance(crosses, bool):
            raise RuleError(err(Errors.E011, file=path, rule=rid, field="crosses_breaks", problem="must be true or false"))
        if idioms:
            sup = raw.get("suppresses")
            suppresses = None
            if sup is not None:
                suppresses = frozenset(_strings(sup, file=path, field_="suppresses", rule=rid))
                for cat in suppresses - set(categories):
                    raise RuleError(err(Errors.E005, file=path, rule=rid, category=cat, known=", ".join(sorted(categories))))
            out.append(Rule(id=rid, category=IDIOM, file=str(path), patterns=patterns, phrases=phrases,
                            suppresses=suppresses, whole_message=bool(raw.get("whole_message", False)),
                            literal=bool(raw.get("literal", False)), crosses_breaks=crosses,
                            examples_match=match, examples_no_match=no_match))
            continue
        category = raw.get("category")
        if category not in categories:
            raise RuleError(err(Errors.E005, file=path, rule=rid, category=category, known=", ".join(sorted(categories))))
        kind = _kind(raw["kind"], file=path, rule=rid) if raw.get("kind") is not None else None
        needs = _kind(raw["needs_context"], file=path, rule=rid) if raw.get("needs_context") is not None else None
        window = raw.get("context_window")
        if window is not None and (not isinstance(window, int) or isinstance(window, bool) or window < 1):
            raise RuleError(err(Errors.E011, file=path, rule=rid, field="context_window", problem="must be a positive integer"))
        context_categories = None
        if raw.get("context_categories") is not None:
            if needs is None:
                raise RuleError(err(Errors.E011, file=path, rule=rid, field="context_categories",
                                    problem="needs needs_context"))
            context_categories = frozenset(_strings(raw["context_categories"], file=path, field_="context_categories",
                                                    rule=rid))
            for cat in context_categories - set(categories):
                raise RuleError(err(Errors.E005, file=path, rule=rid, category=cat, known=", ".join(sorted(categories))))
        negatable = raw.get("negatable", True)
        if not isinstance(negatable, bool):
            raise RuleError(err(Errors.E011, file=path, rule=rid, field="negatable", problem="must be true or false"))
        weak = raw.get("weak", False)
        if not isinstance(weak, bool):
            raise RuleError(err(Errors.E011, file=path, rule=rid, field="weak", problem="must be true or false"))
        whole = raw.get("whole_message", False)
        if not isinstance(whole, bool):
            raise RuleError(err(Errors.E011, file=path, rule=rid, field="whole_message", problem="must be true or false"))
        out.append(Rule(id=rid, category=category, file=str(path), patterns=patterns, phrases=phrases, kind=kind,
                        needs_context=needs, context_window=window, context_categories=context_categories,
                        negatable=negatable, weak=weak, whole_message=whole,
                        crosses_breaks=crosses, examples_match=match, examples_no_match=no_match))
    return out


# -- tunables, lexicon, normalisation ------------------------------------
def _int(value: Any, *, file: Path, field_: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise RuleError(err(Errors.E012, file=file, field=field_, problem="must be a non-negative integer"))
    return value


def _load_tunables(path: Path) -> Tunables:
    data = _mapping(_read(path), file=path, field_="(top level)")
    ck = _mapping(data.get("category_kind"), file=path, field_="category_kind")
    category_kind: dict[str, Kind] = {}
    for cat, kind in ck.items():
        try:
            category_kind[str(cat)] = Kind(kind)
        except ValueError:
            raise RuleError(err(Errors.E012, file=path, field=f"category_kind.{cat}",
                                problem=f"is '{kind}', not one of {', '.join(k.value for k in Kind)}")) from None

    def cats(value: Any, field_: str) -> frozenset[str]:
        names = frozenset(_strings(value, file=path, field_=field_))
        unknown = names - set(category_kind)
        if unknown:
            raise RuleError(err(Errors.E012, file=path, field=field_, problem=f"names unknown categories {sorted(unknown)}"))
        return names

    neg = _mapping(data.get("negation"), file=path, field_="negation")
    tp = _mapping(data.get("third_party"), file=path, field_="third_party")
    tp_category = tp.get("category")
    if tp_category not in category_kind:
        raise RuleError(err(Errors.E012, file=path, field="third_party.category", problem="must name a category in category_kind"))
    recats = []
    for i, item in enumerate(data.get("recategorise") or []):
        item = _mapping(item, file=path, field_=f"recategorise[{i}]")
        rid = item.get("id") or f"recategorise.{i}"
        src, dst = item.get("from"), item.get("to")
        if src not in category_kind or dst not in category_kind:
            raise RuleError(err(Errors.E012, file=path, field=f"recategorise[{i}]", problem="'from' and 'to' must name categories in category_kind"))
        recats.append(Recategorise(id=str(rid), source=src, target=dst, markers=_patterns(item.get("markers"), file=path, rule=str(rid))))
    recovered = None
    if data.get("recovered") is not None:
        rec = _mapping(data.get("recovered"), file=path, field_="recovered")
        recovered = Recovered(
            categories=cats(rec.get("categories"), "recovered.categories"),
            past_markers=_patterns(rec.get("past_markers"), file=path, rule="recovered.past_markers"),
            markers=_patterns(rec.get("markers"), file=path, rule="recovered.markers"),
            present_markers=_patterns(rec.get("present_markers") or [], file=path, rule="recovered.present_markers"),
            relapse_markers=_patterns(rec.get("relapse_markers") or [], file=path, rule="recovered.relapse_markers"),
            relapse_voids=frozenset(str(x) for x in (rec.get("relapse_voids") or [])),
        )
    news_frame = None
    if data.get("news_frame") is not None:
        news = _mapping(data.get("news_frame"), file=path, field_="news_frame")
        news_frame = NewsFrame(
            categories=cats(news.get("categories"), "news_frame.categories"),
            markers=_patterns(news.get("markers"), file=path, rule="news_frame.markers"),
            death_markers=_patterns(news.get("death_markers"), file=path, rule="news_frame.death_markers"),
        )
    return Tunables(
        recovered=recovered,
        news_frame=news_frame,
        category_kind=category_kind,
        emergency_signals=cats(data.get("emergency_signals"), "emergency_signals"),
        model_veto_categories=cats(data.get("model_veto_categories") or [], "model_veto_categories"),
        model_confirm_excluded=cats(data.get("model_confirm_excluded") or [], "model_confirm_excluded"),
        time_not_urgent=cats(data.get("time_not_urgent") or [], "time_not_urgent"),
        confirmed_danger_now=cats(data.get("confirmed_danger_now") or [], "confirmed_danger_now"),
        context_window=_int(data.get("context_window"), file=path, field_="context_window"),
        clause_breaks=frozenset(_strings(data.get("clause_breaks"), file=path, field_="clause_breaks")) | {"\n", "\n\n"},
        sentence_breaks=frozenset(_strings(data.get("sentence_breaks"), file=path, field_="sentence_breaks")) | {"\n", "\n\n"},
        gap_breaks=frozenset(_strings(data.get("gap_breaks"), file=path, field_="gap_breaks")) | {"\n", "\n\n"},
        negation=Negation(
            cues=frozenset(_strings(neg.get("cues"), file=path, field_="negation.cues")),
            window=_int(neg.get("window"), file=path, field_="negation.window"),
            blockers=frozenset(_strings(neg.get("blockers"), file=path, field_="negation.blockers")),
            not_after=frozenset(_strings(neg.get("not_after"), file=path, field_="negation.not_after")),
            not_before=frozenset(_strings(neg.get("not_before"), file=path, field_="negation.not_before")),
            model_cap_tokens=_int(neg.get("model_cap_tokens", 30), file=path, field_="negation.model_cap_tokens"),
            answered=frozenset(_strings(neg.get("answered"), file=path, field_="negation.answered")),
            answered_asides=frozenset(_strings(neg.get("answered_asides"), file=path, field_="negation.answered_asides")),
            retraction_reach=_int(neg.get("retraction_reach", 0), file=path, field_="negation.retraction_reach"),
            retraction_openers=frozenset(_strings(neg.get("retraction_openers"), file=path,
                                                  field_="negation.retraction_openers")),
            retraction_modals=frozenset(_strings(neg.get("retraction_modals"), file=path,
                                                 field_="negation.retraction_modals")),
            retraction_tails=frozenset(_strings(neg.get("retraction_tails"), file=path, field_="negation.retraction_tails")),
        ),
        third_party=ThirdParty(
            categories=cats(tp.get("categories"), "third_party.categories"),
            category=tp_category,
            first_person=frozenset(_strings(tp.get("first_person"), file=path, field_="third_party.first_person")),
            third_person=frozenset(_strings(tp.get("third_person"), file=path, field_="third_party.third_person")),
            window=_int(tp.get("window"), file=path, field_="third_party.window"),
            weak_anchors=frozenset(_strings(tp.get("weak_anchors") or [], file=path, field_="third_party.weak_anchors")),
            weak_topic_breaks=frozenset(_strings(tp.get("weak_topic_breaks") or [], file=path,
                                                 field_="third_party.weak_topic_breaks")),
        ),
        recategorise=tuple(recats),
    )


def _load_lexicon(path: Path) -> dict[str, tuple[str, ...]]:
    data = _mapping(_read(path), file=path, field_="(top level)")
    out = {}
    for name, words in data.items():
        if not isinstance(name, str) or not _ID.match(name):
            raise RuleError(err(Errors.E012, file=path, field=str(name), problem="is not a valid set name ([a-z0-9_])"))
        values = _strings(words, file=path, field_=name, allow_empty=False)
        bad = [w for w in values if not w or " " in w]
        if bad:
            raise RuleError(err(Errors.E012, file=path, field=name, problem=f"has entries that are not single tokens: {bad}"))
        out[name] = values
    return out


def _load_normalisation(path: Path) -> tuple[NormalisationData, dict[str, str], frozenset[str]]:
    data = _mapping(_read(path), file=path, field_="(top level)")

    def str_map(key: str) -> dict[str, str]:
        raw = _mapping(data.get(key) or {}, file=path, field_=key)
        out = {}
        for k, v in raw.items():
            if not isinstance(v, str) or not str(k):
                raise RuleError(err(Errors.E012, file=path, field=f"{key}.{k}", problem="must map a string to a string"))
            out[str(k).lower()] = v.lower()
        return out

    leet_raw = _mapping(data.get("leet") or {}, file=path, field_="leet")
    leet: dict[str, tuple[str, ...]] = {}
    for k, v in leet_raw.items():
        vals = [v] if isinstance(v, str) else v
        if len(str(k)) != 1 or not isinstance(vals, list) or not all(isinstance(x, str) and len(x) == 1 for x in vals):
            raise RuleError(err(Errors.E012, file=path, field=f"leet.{k}", problem="must map one character to a letter or list of letters"))
        leet[str(k)] = tuple(vals)
    emoji = {}
    for k, v in str_map("emoji").items():
        k = k.replace("\ufe0f", "")
        if len(k) != 1:
            raise RuleError(err(Errors.E012, file=path, field=f"emoji.{k}", problem="must be a single emoji code point"))
        emoji[k] = v
    extra = frozenset(_strings(data.get("vocabulary"), file=path, field_="vocabulary"))
    normalisation = NormalisationData(leet=leet, emoji=emoji, replacements=str_map("replacements"),
                                      spelled_out=_disguised_words(data, "spelled_out", path),
                                      censored=_disguised_words(data, "censored", path))
    return normalisation, str_map("lemma_overrides"), extra


def _disguised_words(data: Mapping[str, Any], key: str, path: Path) -> frozenset[str]:
    """The words a disguise is undone into (``spelled_out``: typed letter by letter; ``censored``: letters
    starred out): each a word of at least 3 letters, so "a b c" or "*" can never stand for one."""
    words = frozenset(w.lower() for w in _strings(data.get(key), file=path, field_=key))
    for word in words:
        if len(word) < 3 or not word.isalpha():
            raise RuleError(err(Errors.E012, file=path, field=f"{key}.{word}", problem="must be a word of at least 3 letters"))
    return words


def load_ruleset(directory: Path | str = RULES_DIR) -> RuleSet:
    """Load and validate every file in ``directory``; raise :class:`RuleError` naming file, rule and problem."""
    directory = Path(directory)
    tunables = _load_tunables(directory / "tunables.yml")
    lexicon = _load_lexicon(directory / "lexicon.yml")
    normalisation, lemma_overrides, extra = _load_normalisation(directory / "normalisation.yml")
    seen: dict[str, Path] = {}
    rule_files = sorted(p for p in directory.glob("*.yml") if p.name not in RESERVED)
    if not rule_files:
        raise RuleError(err(Errors.E013, dir=directory, reserved=", ".join(RESERVED)))
    rules: list[Rule] = []
    for path in rule_files:
        rules.extend(_load_rules(path, categories=tunables.category_kind, idioms=False, seen=seen))
    idiom_path = directory / "idioms.yml"
    idioms = _load_rules(idiom_path, categories=tunables.category_kind, idioms=True, seen=seen) if idiom_path.exists() else []
    return RuleSet(directory=directory, rules=tuple(rules), idioms=tuple(idioms), lexicon=lexicon, tunables=tunables,
                   normalisation=normalisation, lemma_overrides=lemma_overrides, vocabulary_extra=extra)


def iter_examples(rules: Sequence[Rule]) -> list[tuple[Rule, str, bool]]:
    """(rule, example, should_match) for every example: what the tests parametrize over."""
    out = []
    for rule in rules:
        out.extend((rule, ex, True) for ex in rule.examples_match)
        out.extend((rule, ex, False) for ex in rule.examples_no_match)
    return out
