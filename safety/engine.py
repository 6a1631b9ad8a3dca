"""Combining rule matches into one :class:`~safety.assessment.Assessment`.

The order of decisions, and why:

1. normalise, tokenize, lemmatize, match the risk rules.  No match -> "none"
   (the fast path for almost every message);
2. drop matches covered by an idiom or harmless literal use ("this traffic is
   killing me", "cut myself shaving");
3. negation ("I would never hurt myself") caps a match at check_in: we do not
   trust it blindly, but it must not page staff either.  Negations that are
   part of a rule's own words ("I don't want to be here anymore") are not
   negations of the rule;
4. re-categorise by context: a past-time marker moves "took an overdose" to
   past_attempt; a third-person subject or reflexive moves self-directed
   categories to third_party_risk (the person needs resources for helping
   someone else) while keeping the urgency of the original category;
5. matches that only mean something next to risk ("tonight", "right now")
   count only near another match;
6. kind = the most urgent kind of any match, upgraded to emergency when a
   crisis-level match has an intent/timeline or means-at-hand signal beside it;
7. the learned risk model (``risk_model.py``) reads the whole message when the
   rules did not already decide a crisis or an emergency.  It can raise a
   message the rules missed ("please let me die") to a check-in or a crisis,
   and it decides *weak* keyword hits ("suicidal", "overdose") that have no
   first-person word in their sentence: "that transfer policy is suicidal" or
   a headline stays quiet, "feeling suicidal tbh" escalates.  It never lowers
   an emergency or an explicit first-person phrase, and never creates an
   emergency: those stay with the rules.
"""
from __future__ import annotations

import functools
import gc
import re
import threading
from bisect import bisect_left, bisect_right
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, NamedTuple, Optional, Sequence

import numpy as np

from .assessment import MODEL_CATEGORY, MODEL_RULE_ID, Assessment, Kind, Span, max_kind, spans_of
from .matcher import PatternCompiler, RuleMatcher, Tokeniser, Tokens, build_nlp
from .normalise import Normaliser
from .risk_model import RiskModel, get_model
from .rules import RULES_DIR, Rule, RuleSet, load_ruleset

# A long message makes tens of thousands of short-lived tuples (matches, hits, spans, the normaliser's
# offset map: 130,000 for 100 kB of emoji). Enough of them survive a young collection that Python then
# runs a full one, which walks every object of the process (~420,000 in a bare process with the engine,
# millions in the Rasa server): ~250 ms, in some runs and not others. None of them form cycles (reference
# counting frees them as assess returns), so from this many characters on the collector is paused for the
# call and left as it was found (tests/safety/test_long_messages.py).
PAUSE_GC_FROM = 20_000


@contextmanager
def _gc_paused_for(text: str) -> Iterator[None]:
    """The collector paused while a text of PAUSE_GC_FROM characters or more is read (why: PAUSE_GC_FROM),
    then left as it was found; nothing for a chat message."""
    if len(text) < PAUSE_GC_FROM or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# spaCy's tokenizer looks for a suffix by searching the whole rest of a whitespace-free token at every
# split, so one long token made of suffixes ("!?.," or "'s" pasted over and over) takes quadratic time:
# seconds for 5 kB, half an hour for 100 kB, on every path that assesses a message. A whitespace-free run
# longer than this gets a space in place of every LONGEST_TOKEN-th character (same length, so offsets and
# spans still hold); no word a rule reads is that long, only pasted junk and long links are.
LONGEST_TOKEN = 100
_LONG_TOKEN = re.compile(r"\S{%d,}" % (LONGEST_TOKEN + 1))


def _split_long_token(run: re.Match) -> str:
    token = run[0]
    return " ".join(token[i:i + LONGEST_TOKEN] for i in range(0, len(token), LONGEST_TOKEN + 1))


# Characters a word is made of (the normaliser's words: letters, digits, leetspeak "@" "$", and the "'" "-"
# that join "i'm", "od-ing"). A space put in place of one of them cuts a word in two, and each half is read
# as a word of its own: 100 kB of ordinary text with its spaces taken out ("...aboutmymood.i'msodone...")
# had "mym|o|od" cut into "mym od", and "od" read as "overdose" (a crisis), "should" into "sh ould" (a
# self-harm urge). So the positions of such cuts are kept, and a risk match touching one is not a match.
_WORD_JOINERS = frozenset("'-@$")


def _tokeniser_safe(text: str) -> str:
    """The text with what spaCy cannot take in linear time (or at all) replaced, character for
    character: a lone UTF-16 surrogate (JSON allows "\\ud800"; spaCy's string hashing raises on it)
    becomes U+FFFD, and a very long whitespace-free run is broken every LONGEST_TOKEN characters."""
    return _tokeniser_safe_cuts(text)[0]


def _tokeniser_safe_cuts(text: str) -> tuple[str, list[int]]:
    """``_tokeniser_safe`` and, in order, the positions where its break cut a word (a character of a word
    replaced by the space: ``_WORD_JOINERS``); a break on punctuation or an emoji cuts no word."""
    if not text.isascii():  # (known to the string: an ASCII text holds no surrogate, no scan needed)
        text = _LONE_SURROGATE.sub("\ufffd", text)
    if _LONG_TOKEN.search(text) is None:  # every chat message: one scan, nothing to cut
        return text, []
    cuts = []
    for run in _LONG_TOKEN.finditer(text):  # the positions _split_long_token replaces
        for at in range(run.start() + LONGEST_TOKEN, run.end(), LONGEST_TOKEN + 1):
            if text[at].isalnum() or text[at] in _WORD_JOINERS:
                cuts.append(at)
    return _LONG_TOKEN.sub(_split_long_token, text), cuts


class Hit(NamedTuple):
    """One surviving rule match, in token offsets of the normalised Doc. A NamedTuple, not a frozen
    dataclass: a pasted 100 kB text makes ~2,500 of them, and a frozen dataclass's __init__ costs
    ~1.5 us each (the same fields, immutable either way)."""

    rule: Rule
    start: int
    end: int
    category: str
    kind: Kind
    negated: bool = False
    signal: bool = False  # intent/timeline or means-at-hand
    weak: bool = False  # a weak rule with no first-person anchor: the risk model decides
    # a past told as past, the writer well now and the message ending on it (tunables `recovered`): the
    # model is capped at a check-in at any length when every match is one (negated stays per chat length)
    recovered: bool = False


class RecoveryMatchers(NamedTuple):
    """The matchers of tunables `recovered`, built once: the categories they apply to, then past-time, recovery,
    present-time relapse (in a match's own clauses) and relapse-after-recovery markers (the last two optional)."""

    categories: frozenset[str]
    past: RuleMatcher
    now: RuleMatcher
    present: Optional[RuleMatcher]
    relapse: Optional[RuleMatcher]
    voids: frozenset[str] = frozenset()  # recovery idioms a later relapse marker voids


@dataclass(frozen=True)
class RuleView:
    """What the rules said about one message, split the way the model combination needs it."""

    strong: list[Hit]
    strong_kind: Kind  # the kind from hits that decide by themselves
    has_weak: bool  # a weak keyword hit is waiting for the model
    weak_kind: Kind  # the kind if the weak hits counted too
    vetoable: bool  # a crisis (not an emergency) only from weak rules or veto categories (tunables)
    negated: bool = False  # a short message whose every hit was negated ("i would never kill myself")
    # An idiom or harmless use is in the message and no risk match survived: it set one aside ("end it
    # with my boyfriend", "does DBT work for self-harm?") or the message is a figure of speech no risk
    # rule reads at all ("my mum is going to kill me when she sees my grades").
    idiomatic: bool = False
    # An idiom is there and no risk match survived without an idiom setting one aside: a pure figure of
    # speech ("my mum is going to kill me", "exam tomorrow, this will be the death of me", where only a
    # context word with nothing to anchor it matched). Then the model alone asks only at its crisis
    # cut-off. Not when an idiom set a match aside ("I don't want to live in chronic pain ..."): there
    # the model's check-in stands (recall).
    figurative: bool = False
    # A rule asks the check-in question by itself, plainly: no weak keyword waiting for the model, no
    # negation, no figure of speech, and no category the model may not raise (tunables
    # `model_confirm_excluded`: bereavement stays a caring question). With the model agreeing
    # (``Thresholds.confirm_check_in``) the two together escalate: "tonights the night" in a post the
    # model reads as risk.
    asks: bool = False
    # The asking rule is about danger now (tunables `confirmed_danger_now`: the writer at a high place): with
    # the model agreeing, the kind is an emergency rather than a crisis.
    asks_danger_now: bool = False
    # Idioms and no surviving match, the idioms all harmless literal uses (`literal: true`: blood given, a
    # nosebleed): the model may not raise it, not even to a question.
    literal: bool = False

    @property
    def partial(self) -> bool:
        """Some rule matched but did not decide by itself (an unconfirmed weak keyword, a negated or
        context-only phrase): evidence enough for the intent classifier to ask, except a weak keyword alone
        that the model vetoed (``classifier_may_ask``)."""
        return bool(self.strong) or self.has_weak

    @classmethod
    def of(cls, hits: list[Hit], kind_of: Any, veto_categories: frozenset[str] = frozenset(),
           short: bool = True, idiomatic: bool = False, figurative: bool = False,
           confirm_excluded: frozenset[str] = frozenset(),
           danger_now: frozenset[str] = frozenset(), literal: bool = False) -> "RuleView":
        strong = [h for h in hits if not h.weak]
        has_weak = len(strong) < len(hits)
        strong_kind = kind_of(strong) if strong else Kind.NONE
        weak_kind = kind_of(hits) if has_weak else strong_kind
        escalating = [h for h in hits if h.kind.escalates and not h.negated]
        # A `whole_message` rule has read all the message says ("sorted out who gets the dog", "tell them i'm
        # sorry" and nothing else): no ordinary words beside it for the model's veto to weigh (eleventh pass).
        vetoable = weak_kind is Kind.CRISIS and bool(escalating) and all(
            (h.category in veto_categories or h.rule.weak) and not h.rule.whole_message for h in escalating)
        negated = bool(hits) and all(h.negated for h in hits) and (short or all(h.recovered for h in hits))
        idiomatic, figurative = idiomatic and not hits, figurative and not hits
        asks = (strong_kind is Kind.CHECK_IN and not has_weak and not negated and not idiomatic
                and not any(h.category in confirm_excluded for h in strong))
        asks_now = asks and any(h.category in danger_now and h.kind is Kind.CHECK_IN for h in strong)
        return cls(strong, strong_kind, has_weak, weak_kind, vetoable, negated, idiomatic, figurative, asks, asks_now,
                   literal and idiomatic)


def combine(view: RuleView, verdict: Kind, vetoed: bool = False) -> tuple[Kind, bool, bool]:
    """(kind, count the weak hits, the model raised it) from the rules' view and the model's verdict.

    ``vetoed``: the model is near-certain the message is not about risk (below its veto threshold).
    One function for ``assess`` and for choosing the thresholds (``train_risk_model.py``), so that
    the figures in the model card are the figures of the code that runs.
    """
    if view.strong_kind.escalates:  # the rules decided: emergencies and explicit phrases stand
        if vetoed and view.vetoable and not view.has_weak:
            return Kind.CHECK_IN, True, False
        return view.weak_kind, True, False
    if view.literal:  # only harmless literal uses ("i give blood every month"): nothing to ask about
        return view.strong_kind, False, False
    if (view.negated or view.idiomatic) and verdict is Kind.CRISIS:  # the model may ask, not page
        verdict = Kind.CHECK_IN
    elif view.figurative and verdict is Kind.CHECK_IN:  # a figure of speech: asking needs the crisis cut-off
        verdict = Kind.NONE
    if view.has_weak and verdict is not Kind.NONE:  # the model agrees the keyword is about the writer
        kind = view.weak_kind if verdict is Kind.CRISIS else max_kind(view.strong_kind, Kind.CHECK_IN)
        return kind, True, False
    if verdict.rank > view.strong_kind.rank:
        if view.asks_danger_now and verdict is Kind.CRISIS:  # the rule says where, the model that it is risk
            return Kind.EMERGENCY, False, True
        return verdict, False, True
    return view.strong_kind, False, False


def classifier_may_ask(view: RuleView, probability: Optional[float], floor: float, veto: float = 0.0) -> bool:
    """May the general intent classifier's risk-family intent raise a message that the rules and the
    model left at "none" to a check-in question?

    Only with some evidence beside it: a rule that matched without deciding (``RuleView.partial``), or
    a risk-model probability at or above ``floor`` (the ``ask`` cut-off of the model's card, chosen by
    cross-validation so that almost no risk message the rules and the model leave quiet falls below
    it). Never on a figure of speech (``RuleView.idiomatic``: "my mum is going to kill me", "does DBT
    work for self-harm?"). Why: on its own the classifier asked "are you thinking about suicide?" of
    one ordinary forum post in five ("she got engaged and I'm happy for her"), a jarring question for
    someone who is not at risk. One function for the Rasa component and for the figures of the card.

    A weak keyword the model is near-certain is not about risk (below ``veto``, the band's veto cut-off) is
    no such evidence: "suicide" in a question about media reporting for coursework, or in a statistic from
    an article, had the classifier ask the suicide question of one news or discussion line in three through
    the whole pipeline (blind sets 20 and 21), while ``assess`` alone asked of one in twenty. No labelled
    risk line (17,000, the closed set unread) is left quiet by the rules and model with only such a keyword.
    """
    if view.idiomatic:
        return False
    vetoed_keyword_only = not view.strong and probability is not None and probability < veto
    if view.partial and not vetoed_keyword_only:
        return True
    return probability is not None and probability >= floor


@dataclass(frozen=True)
class Detail:
    """``assess`` together with what it was combined from (for the Rasa component and evaluation).

    ``probability`` is the risk model's, when it was consulted; internal, never shown or stored."""

    assessment: Assessment
    view: RuleView
    probability: Optional[float] = None
    ask_floor: float = 0.0  # the model's ``ask`` cut-off for this message's length band
    veto: float = 0.0  # ... and its veto cut-off: below it a weak keyword is no evidence for the classifier

    @property
    def classifier_may_ask(self) -> bool:
        return classifier_may_ask(self.view, self.probability, self.ask_floor, self.veto)


class _Vocabulary:
    """Words the normaliser may map onto: lookup-table forms and lemmas plus every rule word."""

    def __init__(self, table: Any, words: set[str]) -> None:
        self._table = table
        self._words = frozenset(words) | frozenset(v for v in table.values() if isinstance(v, str))

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and (word in self._words or word in self._table)


class Engine:
    """Everything built once from a rules directory: pipeline, matchers, settings."""

    def __init__(self, ruleset: RuleSet, model: Optional[RiskModel] = None) -> None:
        self.ruleset = ruleset
        self.model = model
        self.tunables = ruleset.tunables
        self.nlp = build_nlp(ruleset.lemma_overrides)
        table = self.nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
        self.tokenise = Tokeniser(self.nlp)
        self.lemma = lambda w: table.get(w, w)
        self.normaliser = Normaliser(ruleset.normalisation, _Vocabulary(table, ruleset.words()))
        compiler = PatternCompiler(ruleset.lexicon, self.lemma, self.tunables.gap_breaks)
        gaps = self.tunables.gap_breaks
        self.risk = RuleMatcher(self.nlp, ruleset.rules, compiler, gaps)
        self.idioms = RuleMatcher(self.nlp, ruleset.idioms, compiler, gaps)
        ids = lambda words: frozenset(self.nlp.vocab.strings.add(w) for w in words)  # noqa: E731
        t = self.tunables
        self._clause_ids = ids(t.clause_breaks)
        self._sentence_ids = ids(t.sentence_breaks)
        self._clause_id_array = np.array(sorted(self._clause_ids), dtype=np.uint64)
        self._sentence_id_array = np.array(sorted(self._sentence_ids), dtype=np.uint64)
        self._neg_cues, self._neg_blockers = ids(t.negation.cues), ids(t.negation.blockers)
        self._neg_not_after, self._neg_not_before = ids(t.negation.not_after), ids(t.negation.not_before)
        self._never = self.nlp.vocab.strings.add("never")
        self._since = self.nlp.vocab.strings.add("since")
        self._answered = ids(t.negation.answered)
        self._answered_asides = ids(t.negation.answered_asides)
        self._retraction = (t.negation.retraction_reach, ids(t.negation.retraction_openers),
                            ids(t.negation.retraction_modals), ids(t.negation.retraction_tails),
                            self.nlp.vocab.strings.add("i")) if t.negation.retraction_reach else None
        self._question = self.nlp.vocab.strings.add("?")
        self._comma = self.nlp.vocab.strings.add(",")
        self._neg_window, self._third_window = t.negation.window, t.third_party.window  # read once per hit
        self._first_person, self._third_person = ids(t.third_party.first_person), ids(t.third_party.third_person)
        self._weak_anchors = ids(t.third_party.weak_anchors)
        self._topic_breaks = ids(t.third_party.weak_topic_breaks)
        self._filler = ids(ruleset.lexicon.get("whole_message_filler", ()))
        # rules that count only when they are all the message says ("im going to jump" or "bye" said alone)
        self._whole_risk = frozenset(r.id for r in ruleset.rules if r.whole_message)
        self._whole_idioms = frozenset(rid for rid, r in self.idioms.rules.items() if r.whole_message)
        file = str(ruleset.directory / "tunables.yml")

        def markers(rule_id: str, category: str, patterns: Any) -> RuleMatcher:
            """A matcher for one tunable's marker patterns (a frame around a match, not a risk rule of its own)."""
            return RuleMatcher(self.nlp, [Rule(id=rule_id, category=category, file=file, patterns=patterns)], compiler, gaps)

        self._recat: list[tuple[Any, RuleMatcher]] = [(rc, markers(rc.id, rc.source, rc.markers))
                                                      for rc in self.tunables.recategorise]
        self._recovered: Optional[RecoveryMatchers] = None
        if t.recovered is not None:
            r = t.recovered
            self._recovered = RecoveryMatchers(
                categories=r.categories,
                past=markers("recovered.past", "past_attempt", r.past_markers),
                now=markers("recovered.now", "past_attempt", r.markers),
                present=(markers("recovered.present", "past_attempt", r.present_markers)
                         if r.present_markers else None),
                relapse=(markers("recovered.relapse", "past_attempt", r.relapse_markers)
                         if r.relapse_markers else None),
                voids=r.relapse_voids)
        self._news: Optional[tuple[frozenset[str], RuleMatcher, RuleMatcher]] = None
        if t.news_frame is not None:
            self._news = (t.news_frame.categories, markers("news.report", "third_party_risk", t.news_frame.markers),
                          markers("news.death", "third_party_risk", t.news_frame.death_markers))

    # -- public ------------------------------------------------------------
    def assess(self, text: str, embedding: Optional[np.ndarray] = None) -> Assessment:
        """Rules first; the risk model only where the rules left the decision open (module docstring).

        ``embedding``: the message's unit-length MiniLM vector when the caller already has it
        (the Rasa pipeline computes it for the intent classifier); otherwise the model computes it.
        """
        return self.assess_with_view(text, embedding)[0]

    def assess_with_view(self, text: str, embedding: Optional[np.ndarray] = None) -> tuple[Assessment, RuleView]:
        """``assess`` and the rules' view it was combined from, from one pass over the message."""
        detail = self.assess_detail(text, embedding)
        return detail.assessment, detail.view

    def assess_detail(self, text: str, embedding: Optional[np.ndarray] = None) -> Detail:
        """``assess`` with the rules' view and the model's probability, from one pass over the message
        (the Rasa component needs them to decide whether the intent classifier may ask)."""
        if not isinstance(text, str):
            raise TypeError(f"assess() expects str, got {type(text).__name__}")
        if not text.strip():
            return Detail(Assessment.none(), RuleView.of([], self._kind))
        with _gc_paused_for(text):
            return self._assess_detail(text, embedding)

    def flagged_by_rules(self, text: str) -> bool:
        """Whether any rule match survives in the message (idioms, negation and context applied): what
        ``assess`` would flag if there were no learned model, a weak keyword ("suicidal") included. Never
        computes an embedding.

        Why: the web app's gateway needs a risk flag for the message it is about to send to Rasa (the
        session's opening then leaves the introduction to the crisis reply), and Rasa's own safety
        component runs the whole assessment anyway; so the gateway asks only the rules and builds no
        MiniLM session while Rasa answers. Not ``assess``'s verdict: a weak keyword the model sets aside
        ("that transfer policy is suicidal") is flagged here, a message only the model reads as risk is
        not. On tests/safety/corpus: all 827 risk messages ``assess`` flags, and 35 of the non-risk ones
        (``assess``: 50, its model adding check-ins such as "i'm going to jump in the shower")."""
        if not isinstance(text, str):
            raise TypeError(f"flagged_by_rules() expects str, got {type(text).__name__}")
        if not text.strip():
            return False
        with _gc_paused_for(text):
            return bool(self._rule_hits(*_tokeniser_safe_cuts(text))[2])

    def _assess_detail(self, text: str, embedding: Optional[np.ndarray]) -> Detail:
        text, cuts = _tokeniser_safe_cuts(text)  # same length: spans still point into the text as given
        norm, tokens, hits, idiomatic, figurative, literal = self._rule_hits(text, cuts)
        view = self._view(tokens, hits, idiomatic, figurative, literal)
        if self.model is None:  # rules only (tests of the rules themselves): weak hits count as rules
            return Detail(self._result(text, norm, tokens, hits, self._kind(hits) if hits else Kind.NONE), view)
        verdict, vetoed, probability = Kind.NONE, False, None
        thresholds = self.model.thresholds.for_text(text)
        if not view.strong_kind.escalates or view.vetoable:
            if norm.undisguised:  # "su1c1dal again", "s*icidal": the model learnt plain spelling, so it reads that
                probability = self.model.probability(norm.text, None)
            else:
                probability = self.model.probability(text, embedding)
            verdict, vetoed = thresholds.decide(probability, view.has_weak, view.asks)
        kind, use_weak, model_raised = combine(view, verdict, vetoed)
        assessment = self._result(text, norm, tokens, hits if use_weak else view.strong, kind, model_raised)
        return Detail(assessment, view, probability, thresholds.ask, thresholds.veto)

    def is_short(self, tokens: Tokens) -> bool:
        """A chat-length message: there a negated phrase is what the person means; in a long post,
        "I don't want to die but ..." sits among everything else the model reads."""
        return len(tokens) <= self.tunables.negation.model_cap_tokens

    def rule_view(self, text: str) -> RuleView:
        """The rules' view of a message, as ``assess`` combines it with the model (for training)."""
        _, tokens, hits, idiomatic, figurative, literal = self._rule_hits(text)
        return self._view(tokens, hits, idiomatic, figurative, literal)

    def _view(self, tokens: Tokens, hits: list[Hit], idiomatic: bool, figurative: bool = False,
              literal: bool = False) -> RuleView:
        return RuleView.of(hits, self._kind, self.tunables.model_veto_categories, self.is_short(tokens), idiomatic,
                           figurative, self.tunables.model_confirm_excluded, self.tunables.confirmed_danger_now, literal)

    def rule_hits(self, text: str) -> list[Hit]:
        """The rules' surviving matches (idioms, negation and context applied), before the model."""
        return self._rule_hits(*_tokeniser_safe_cuts(text))[2] if text.strip() else []

    def _rule_hits(self, text: str, cuts: Sequence[int] = ()) -> tuple[Any, Any, list[Hit], bool, bool, bool]:
        """(normalised text, tokens, surviving hits, an idiom is there, a pure figure of speech, no hit survived
        and the idioms are all harmless literal uses: `literal: true`, "i give blood every month").

        ``cuts``: where ``_tokeniser_safe_cuts`` cut a word of ``text`` in two (a risk match touching one
        read half a word: not a match)."""
        norm = self.normaliser(text)
        tokens = self.tokenise(norm.text)
        raw = self.risk(tokens)
        if cuts and raw:
            raw = self._whole_words(norm, tokens, raw, cuts)
        if raw and self._whole_risk:
            # "im going to jump" said alone is the emergency question; with more after it ("... in the pool")
            # the other rules and idioms read it as before
            raw = self._whole_message_only(tokens, raw, self._whole_risk)
        if not raw:  # no risk rule read it; still a figure of speech? ("my mum is going to kill me")
            matches = self._idiom_matches(tokens)
            rules = self.idioms.rules
            return norm, tokens, [], bool(matches), bool(matches), _all_literal(rules[rid] for rid, _, _ in matches)
        hits, idiomatic, set_aside, literal = self._decide(tokens, raw)
        # A chat-length message where no idiom set a risk match aside and none survived (only context
        # words such as "tomorrow" were there, with nothing to anchor them): the idiom is all it says about
        # death, a figure of speech ("exam tomorrow, this will be the death of me") as if no rule had read
        # it. Not a long post: "cutting down caffeine" in a post that says "tonight i've decided" is no
        # figure of speech for the whole post, and there the model's check-in stands.
        return (norm, tokens, hits, idiomatic, idiomatic and not set_aside and self.is_short(tokens),
                literal and not hits)

    def _whole_message_only(self, tokens: Tokens, matches: list[tuple[str, int, int]], whole_ids: frozenset[str]
                            ) -> list[tuple[str, int, int]]:
        """The matches without those of ``whole_ids`` rules (risk rules or idioms marked ``whole_message``) that
        are not all the message says; filler ("ok", "now") and punctuation do not count as more.

        One rule's matches together may say all of it ("im 15. will you tell my parents?": an age, then the
        question, split by a sentence end no pattern crosses); another rule's match or a risk word between them
        is content, and the rule does not count."""
        whole = {m[0] for m in matches if m[0] in whole_ids}
        if not whole:
            return matches
        first, last = self._content_bounds(tokens)
        kept = {rid for rid in whole if self._covers(tokens, sorted((s, e) for r, s, e in matches if r == rid), first, last)}
        return [m for m in matches if m[0] not in whole or m[0] in kept]

    @staticmethod
    def _whole_words(norm: Any, tokens: Tokens, raw: list[tuple[str, int, int]], cuts: Sequence[int]
                     ) -> list[tuple[str, int, int]]:
        """The risk matches that neither hold nor touch a cut word: in the original text, no cut at a
        position from one before the match to its end (a half word ends at the cut or starts after it)."""
        idx, ends = tokens.idx, tokens.ends
        places = norm.to_original_all([(idx[s], ends[e - 1]) for _, s, e in raw])
        kept = []
        for match, (start, end) in zip(raw, places):
            i = bisect_left(cuts, start - 1)
            if i == len(cuts) or cuts[i] > end:
                kept.append(match)
        return kept

    def _result(self, text: str, norm: Any, tokens: Tokens, hits: list[Hit], kind: Kind,
                model_raised: bool = False) -> Assessment:
        if kind is Kind.NONE:
            return Assessment.none()
        ordered = sorted(hits, key=lambda h: (h.start, h.end, h.rule.id))
        idx, ends = tokens.idx, tokens.ends
        places = norm.to_original_all([(idx[h.start], ends[h.end - 1]) for h in ordered])  # Tokens.char_span
        spans = spans_of((*_snap(text, *place), hit.category, hit.rule.id) for hit, place in zip(ordered, places))
        categories = {h.category for h in hits}
        if model_raised:  # no rule explains it: the whole message is what the model read
            stripped = len(text) - len(text.lstrip())
            spans.append(Span(stripped, len(text.rstrip()), MODEL_CATEGORY, MODEL_RULE_ID))
            categories.add(MODEL_CATEGORY)
        return Assessment(kind=kind, escalate=kind.escalates, categories=sorted(categories), spans=spans)

    def explain(self, text: str) -> dict[str, Any]:
        """Everything behind a decision, for debugging rules (not for production logs: it holds the text)."""
        given = text
        text, cuts = _tokeniser_safe_cuts(text)  # as assess does: spaCy is quadratic on very long whitespace-free runs
        norm = self.normaliser(text)
        tokens = self.tokenise(norm.text)
        doc, strings = tokens.doc, tokens.strings
        risk = self.risk(tokens)
        return {
            "normalised": norm.text,
            "tokens": [(t.text, strings[lemma]) for t, lemma in zip(doc, tokens.lemmas)],
            "risk_matches": [(rid, doc[s:e].text) for rid, s, e in (self._whole_words(norm, tokens, risk, cuts)
                                                                     if cuts and risk else risk)],
            "idiom_matches": [(rid, doc[s:e].text) for rid, s, e in self._idiom_matches(tokens)],
            "rule_hits": [(h.rule.id, h.kind.value, "weak" if h.weak else "strong") for h in self.rule_hits(given)],
            "assessment": self.assess(given).to_dict(),
        }

    # -- steps ---------------------------------------------------------------
    def _decide(self, tokens: Tokens, raw: list[tuple[str, int, int]]) -> tuple[list[Hit], bool, bool, bool]:
        """The surviving hits, whether an idiom is in the message, whether it set any match aside, and whether
        the idioms are all harmless literal uses."""
        t = self.tunables
        lowers = tokens.lowers
        clause, sentence = self._segments(lowers, tokens.spaces, tokens.lower_ids)
        idiom_spans = self._idiom_spans(tokens)
        rec = self._recovered
        # where relapse markers start: matched at most once per message, for the idioms here and the recovery frame
        relapse_starts = functools.cache(
            lambda: [s for _, s, _ in rec.relapse(tokens)] if rec is not None and rec.relapse is not None else [])
        if idiom_spans and rec is not None and rec.voids and any(r.id in rec.voids for _, _, r in idiom_spans):
            # a recovery idiom followed by a relapse ("3 months clean from sh and i just broke it"): the story ends on
            # the relapse, so the idiom sets nothing aside (tunables `recovered.relapse_voids`)
            relapses = relapse_starts()
            idiom_spans = [(s, e, r) for s, e, r in idiom_spans
                           if not (r.id in rec.voids and any(x >= e for x in relapses))]
        rules = self.risk.rules

        hits: list[Hit] = []
        idiomatic = bool(idiom_spans)  # a figure of speech is in the message (it counts when no hit survives)
        set_aside = False  # an idiom dropped a risk match ("i don't want to live in chronic pain ...")
        marker_sentences: dict[int, set[int]] = {}  # computed only when a rule needs it
        recovery: Optional[tuple[set[int], int, bool, set[int]]] = None  # likewise (tunables `recovered`)
        news: Optional[tuple[set[int], set[int]]] = None  # likewise (tunables `news_frame`)
        # looked up once, not per hit (a pasted 100 kB text has ~2,500 hits)
        category_kind, signals = t.category_kind, t.emergency_signals
        third_party, third_kind = t.third_party.categories, t.category_kind[t.third_party.category]
        recat_sources = {rc.source for rc, _ in self._recat}
        suppressed, negated_at, someone_else = self._suppressed, self._negated, self._about_someone_else
        # how far back an idiom may start and still overlap a match: its longest span in this message (a move told
        # first, then the goodbye: "moving to canada next month so i'm giving away my stuff and saying goodbye")
        reach = max((e - s for s, e, _ in idiom_spans), default=0)
        crisis, check_in, check_in_rank = Kind.CRISIS, Kind.CHECK_IN, Kind.CHECK_IN.rank
        # matches right after a recovery marker ending in "since" ("been well since MY SUICIDE ATTEMPT"): (start, end,
        # recovered); only there is the recovery said of that very phrase, so words inside it share its cap
        recovered_spans: list[tuple[int, int, bool]] = []
        for rid, start, end in raw:
            rule = rules[rid]
            if idiom_spans and suppressed(rule, start, end, idiom_spans, reach):
                set_aside = True
                continue
            negated = rule.negatable and negated_at(lowers, clause, start, end) and not self._retracted(lowers, end)
            category, kind = rule.category, rule.kind or category_kind[rule.category]
            if category in recat_sources:  # no re-categorisation can start from any other category
                for index, (rc, markers) in enumerate(self._recat):
                    if category == rc.source:
                        if index not in marker_sentences:
                            marker_sentences[index] = {sentence[s] for _, s, _ in markers(tokens)}
                        if sentence[start] in marker_sentences[index]:
                            category, kind = rc.target, category_kind[rc.target]
            signal = category in signals
            if category in third_party and someone_else(lowers, sentence, start, end):
                # The urgency stays the rule's own: a crisis-level phrase about someone else is a crisis
                # (resources for helping them), a check-in-level one ("he says nothing matters anymore")
                # stays a question, asked about them (safety_check_in_other), never raised to a case.
                if kind.rank >= crisis.rank:
                    kind = max_kind(kind, third_kind)
                category = t.third_party.category
            if self._news is not None and category in self._news[0]:
                if news is None:
                    news = self._news_sentences(tokens, sentence)
                report, death = news
                if sentence[start] in death or (sentence[start] in report and kind is not Kind.EMERGENCY):
                    # someone else's death or assault told as news: set aside as an idiom sets a match aside
                    idiomatic = set_aside = True
                    continue
            if negated and kind.rank > check_in_rank:  # at most a check-in
                kind = check_in
            weak = rule.weak and kind is crisis and not self._anchored(lowers, sentence, start, end)
            recovered = False
            if self._recovered is not None and category in self._recovered.categories:
                if recovery is None:
                    recovery = self._recovery_marks(tokens, sentence, clause, relapse_starts())
                past_sentences, last_marker, ends_well, present_clauses, well_since = recovery
                if ((last_marker >= end or start in well_since)
                        and (category == "past_attempt" or sentence[start] in past_sentences)
                        and not any(clause[start] <= c <= clause[end - 1] for c in present_clauses)):
                    recovered = ends_well
                    negated = True
                    if kind.rank > check_in_rank:
                        kind = check_in
                    if start in well_since:
                        recovered_spans.append((start, end, recovered))
            hits.append(Hit(rule, start, end, category, kind, negated, signal, weak, recovered))
        if recovered_spans:
            hits = self._inside_recovered(hits, recovered_spans)
        carriers = [(h.start, h.end, True) for h in hits if h.rule.kind is Kind.NONE]
        if carriers:  # the relapse markers are matched only when a carrier needs them, not for every message
            # "i used to self harm years ago, doing well now, i just broke it": a carrier before a relapse is back
            last_relapse = max(relapse_starts(), default=-1)
            carriers = [c for c in carriers if c[1] > last_relapse]
        if carriers:
            # a rule of kind none carries its span ("i used to self harm": the past told as past, for the recovery cap
            # and the model); a shorter match inside it ("self harm") is part of that phrase, not said again by itself
            inside = _container(carriers)
            hits = [h for h in hits if h.rule.kind is Kind.NONE or inside(h.start, h.end) is None]
        return self._apply_context(hits), idiomatic, set_aside, _all_literal(r for _, _, r in idiom_spans)

    def _inside_recovered(self, hits: list[Hit], spans: list[tuple[int, int, bool]]) -> list[Hit]:
        """A match inside a past the writer has been well since is part of that past: "i've been well since my SUICIDE
        attempt" holds "suicide" (active ideation) inside "my suicide attempt", and the word alone must not make the
        recovery story a crisis. Capped as the recovery frame caps its own matches (at most a check-in)."""
        assert self._recovered is not None
        categories = self._recovered.categories
        inside = _container(spans)
        out = []
        for hit in hits:
            outer = inside(hit.start, hit.end) if not hit.negated and hit.category in categories else None
            if outer is not None:
                hit = hit._replace(negated=True, recovered=outer,
                                   kind=Kind.CHECK_IN if hit.kind.rank > Kind.CHECK_IN.rank else hit.kind)
            out.append(hit)
        return out

    def _news_sentences(self, tokens: Tokens, sentence: list[int]) -> tuple[set[int], set[int]]:
        """(sentences with a news marker, sentences with a death-told marker), each without a first-person word:
        "police say" beside "i" or "my" is the writer's own story (tunables `news_frame`)."""
        assert self._news is not None
        _, report, death = self._news
        first = self._first_person
        mine = {sentence[i] for i, tok in enumerate(tokens.lowers) if tok in first}
        return ({sentence[s] for _, s, _ in report(tokens)} - mine, {sentence[s] for _, s, _ in death(tokens)} - mine)

    def _recovery_marks(self, tokens: Tokens, sentence: list[int], clause: list[int], relapses: list[int]
                        ) -> tuple[set[int], int, bool, set[int], set[int]]:
        """(sentences with a past-time marker, start of the last recovery marker or -1 (-1 too when a relapse
        marker follows it), whether that marker is in the message's last two sentences: the story ends on the
        writer being well, clauses with a present-time relapse marker: a match there is told as now, whatever
        follows, and the token positions right after a recovery marker ending in "since": "i've been stable
        since MY ATTEMPT five years ago" tells the recovery before the event it counts from, and is as well told
        as "an attempt five years ago and i've been stable since" (none when a relapse follows))."""
        m = self._recovered
        assert m is not None
        past_sentences = {sentence[s] for _, s, _ in m.past(tokens)}
        now = m.now(tokens)
        last = max((s for _, s, _ in now), default=-1)
        if last >= 0 and any(s > last for s in relapses):
            last = -1  # a relapse told after the last recovery: the story ends on the relapse, nothing is capped
        present_clauses = {clause[s] for _, s, _ in m.present(tokens)} if m.present is not None else set()
        well_since = {e for _, _, e in now if tokens.lowers[e - 1] == self._since} if last >= 0 else set()
        # sentence numbers count each break as its own number too: two sentences back is 4 numbers back
        return past_sentences, last, last >= 0 and sentence[last] >= sentence[-1] - 4, present_clauses, well_since

    def _segments(self, lowers: list[int], spaces: list[int], ids: Optional[np.ndarray] = None
                  ) -> tuple[list[int], list[int]]:
        """Clause and sentence number of every token (breaks are their own clause).

        Counted with array operations (this runs on every message with a hit, 24,000 tokens for 100 kB):
        before a token, each earlier break has opened two numbers (its own and the stretch after it).
        """
        if not lowers:
            return [], []
        if len(lowers) < 500:  # a chat message: a plain loop is quicker than array calls (the same numbers)
            cb, sb = self._clause_ids, self._sentence_ids
            clause, sentence = [], []
            c = s = 0
            for tok, space in zip(lowers, spaces):
                if space or tok in sb:
                    clause.append(c + 1)
                    sentence.append(s + 1)
                    c += 2
                    s += 2
                elif tok in cb:
                    clause.append(c + 1)
                    sentence.append(s)
                    c += 2
                else:
                    clause.append(c)
                    sentence.append(s)
            return clause, sentence
        ids = np.asarray(lowers, dtype=np.uint64) if ids is None else ids  # the tokens' own array when given
        sentence_break = np.asarray(spaces, dtype=bool) | np.isin(ids, self._sentence_id_array)
        clause_break = sentence_break | np.isin(ids, self._clause_id_array)

        def numbers(breaks: np.ndarray) -> list[int]:
            before = np.cumsum(breaks) - breaks  # breaks strictly before each token
            return (2 * before + breaks).tolist()

        return numbers(clause_break), numbers(sentence_break)

    def _idiom_spans(self, tokens: Tokens) -> list[tuple[int, int, Rule]]:
        rules = self.idioms.rules
        return sorted(((s, e, rules[rid]) for rid, s, e in self._idiom_matches(tokens)), key=lambda item: item[:2])

    def _idiom_matches(self, tokens: Tokens) -> list[tuple[str, int, int]]:
        """The idiom matches, without ``whole_message`` idioms that are not all the message says."""
        return self._whole_message_only(tokens, self.idioms(tokens), self._whole_idioms)

    def _covers(self, tokens: Tokens, spans: list[tuple[int, int]], first: int, last: int) -> bool:
        """Whether every content token from ``first`` to ``last`` lies inside one of ``spans`` (sorted)."""
        content = self._content_test(tokens)
        at = first
        for s, e in spans:
            if at > last:
                break
            if s > at and any(content(i) for i in range(at, min(s, last + 1))):
                return False
            at = max(at, e)
        return at > last or not any(content(i) for i in range(at, last + 1))

    def _content_test(self, tokens: Tokens) -> Any:
        """Is token i content: not punctuation, an emoji or a filler word ("ok", "thanks")."""
        filler, lowers, idx, ends, text = self._filler, tokens.lowers, tokens.idx, tokens.ends, tokens.text
        return lambda i: lowers[i] not in filler and any(ch.isalnum() for ch in text[idx[i]:ends[i]])

    def _content_bounds(self, tokens: Tokens) -> tuple[int, int]:
        """First and last token that is not punctuation, an emoji or a filler word ("ok", "thanks"). A
        ``whole_message`` idiom counts only when both lie inside its match: "bye" alone is a sign-off;
        "doing it now. bye" or "i can't anymore. goodnight" is not. (No such token: (len, -1), inside any
        match.) Scanned from each end up to the first content token, reading the token's text from the
        normalised text (no spaCy Token object): a pasted 100 kB text stops at once (it read all 24,000
        tokens, ~20 ms), and 100 kB of "bye bye ..." is one pass."""
        content = self._content_test(tokens)
        n = len(tokens.lowers)
        first = next((i for i in range(n) if content(i)), None)
        if first is None:
            return n, -1
        return first, next(i for i in range(n - 1, first - 1, -1) if content(i))

    @staticmethod
    def _suppressed(rule: Rule, start: int, end: int, idioms: list[tuple[int, int, Rule]], reach: int) -> bool:
        """True when an idiom overlaps the match and suppresses its category."""
        if not idioms:
            return False
        # only idioms starting within `reach` tokens (the longest idiom span in the message) before `start` can overlap
        i = bisect_left(idioms, (start - reach, -1))
        for s, e, idiom in idioms[i:]:
            if s >= end:
                break
            if e > start and (idiom.suppresses is None or rule.category in idiom.suppresses):
                return True
        return False

    def _negated(self, lowers: list[int], clause: list[int], start: int, end: int) -> bool:
        """A negation cue shortly before the match, in the same clause, that really negates it."""
        window = self._neg_window
        i, steps = start - 1, 0
        while i >= 0 and steps < window and clause[i] == clause[start]:
            tok = lowers[i]
            if tok in self._neg_cues:
                before = lowers[i - 1] if i > 0 else 0
                after = lowers[i + 1]
                if before in self._neg_not_before or after in self._neg_not_after:
                    return False
                return self._neg_blockers.isdisjoint(lowers[i + 1:start])  # (a set method: no Python loop)
            i -= 1
            steps += 1
        # "suicide has never crossed my mind": a cue right after the match
        for j in range(end, min(end + 2, len(lowers))):
            if clause[j] != clause[end - 1]:
                break
            if lowers[j] == self._never:
                return True
        # "me? kill myself? never.": the match asked back and answered with a denial said alone (tunables
        # `negation.answered`); "kill myself? never thought i'd say it but yes" goes on after the denial
        n = len(lowers)
        if not self._answered or end + 1 >= n or lowers[end] != self._question:
            return False
        at = end + 1
        # "kill myself? over HIM? never.": one short aside asked between (tunables `negation.answered_asides`)
        if lowers[at] in self._answered_asides:
            for q in range(at + 1, min(at + 4, n)):
                if lowers[q] == self._question:
                    at = q + 1
                    break
                if lowers[q] in self._sentence_ids or lowers[q] == self._comma:
                    break
        return at < n and lowers[at] in self._answered \
            and (at + 1 == n or lowers[at + 1] in self._sentence_ids or lowers[at + 1] == self._comma)

    def _retracted(self, lowers: list[int], end: int) -> bool:
        """A denial taken back after the match (tunables `negation.retraction_*`): "kill myself? never. but tonight
        i might", "i would never do it, or maybe i will". The modal must end its sentence ("... but i might cry" is
        about crying), so only an elliptical "i might" takes the denied words back."""
        if self._retraction is None:
            return False
        reach, openers, modals, tails, i_word = self._retraction
        n = len(lowers)
        for at in range(end, min(end + reach, n)):
            if lowers[at] not in openers:
                continue
            for j in range(at + 1, min(at + 5, n - 1)):
                if lowers[j] == i_word and lowers[j + 1] in modals:
                    k = j + 2
                    while k < n and lowers[k] in tails:
                        k += 1
                    if k == n or lowers[k] in self._sentence_ids or lowers[k] == self._comma:
                        return True
        return False

    def _anchored(self, lowers: list[int], sentence: list[int], start: int, end: int) -> bool:
        """Is a weak keyword about a person in the conversation?  A first-person word inside the match,
        or an anchor word ("I", "my friend", "she") shortly before it in its sentence."""
        if not self._first_person.isdisjoint(lowers[start:end]):
            return True
        anchors = self._weak_anchors
        i, window = start - 1, self._third_window
        while i >= 0 and start - i <= window and sentence[i] == sentence[start]:
            if lowers[i] in anchors:
                return True
            if lowers[i] in self._topic_breaks:
                return False
            i -= 1
        return False

    def _about_someone_else(self, lowers: list[int], sentence: list[int], start: int, end: int) -> bool:
        """Whose risk is it?  Pronouns inside the match decide; else the nearest person before it."""
        first, third = self._first_person, self._third_person
        inside = lowers[start:end]
        if not first.isdisjoint(inside):
            return False
        if not third.isdisjoint(inside):
            return True
        i, window = start - 1, self._third_window
        while i >= 0 and start - i <= window and sentence[i] == sentence[start]:
            tok = lowers[i]
            if tok in first:
                return False
            if tok in third:
                return True
            i -= 1
        return False

    def _apply_context(self, hits: list[Hit]) -> list[Hit]:
        """Keep context-only matches ("tonight") only when a strong enough match is near.

        A context match that only a weak hit anchors is weak too: "suicide rates rise ... today"
        must not escalate through "today" once the model has set "suicide" aside.  Anchors are
        scanned from a bisected start, so a long message with thousands of matches stays linear.
        """
        if all(h.rule.needs_context is None for h in hits):
            return hits
        anchors = sorted((h.start, h.end, h.kind.rank, h.weak, h.category) for h in hits
                         if h.rule.needs_context is None and not h.negated)
        starts = [a[0] for a in anchors]
        longest = max((a[1] - a[0] for a in anchors), default=0)
        out = []
        for hit in hits:
            need = hit.rule.needs_context
            if need is None:
                out.append(hit)
                continue
            window = hit.rule.context_window or self.tunables.context_window
            wanted = hit.rule.context_categories  # None: any category
            i = bisect_left(starts, hit.start - window - longest)
            anchored_weakly = False
            while i < len(anchors) and anchors[i][0] <= hit.end + window:
                a_start, a_end, rank, weak, category = anchors[i]
                if rank >= need.rank and (wanted is None or category in wanted) \
                        and max(a_start - hit.end, hit.start - a_end, 0) <= window:
                    if not weak:
                        out.append(hit)
                        break
                    anchored_weakly = True
                i += 1
            else:
                if anchored_weakly:
                    out.append(hit._replace(weak=True))
        return out

    def _kind(self, hits: list[Hit]) -> Kind:
        kind = max_kind(*(h.kind for h in hits))
        if kind is Kind.CRISIS:
            strong = [h for h in hits if not h.negated and h.kind.rank >= Kind.CRISIS.rank]
            signals = {h.rule.category for h in strong if h.signal}
            if signals and (len(signals) > 1 or any(not h.signal for h in strong)) \
                    and not self._urge_with_time_only(strong, signals):
                return Kind.EMERGENCY
        return kind

    def _urge_with_time_only(self, strong: list[Hit], signals: set[str]) -> bool:
        """An urge (tunables `time_not_urgent`) beside nothing but a time, the acts it names included: "i want
        to hurt myself tonight" is a crisis. Why: the time says when the urge is strong, not that harm is under
        way; the emergency reply ("call the emergency number now") would not fit what the person said."""
        exempt = self.tunables.time_not_urgent
        if not exempt or signals != {"intent_or_timeline"}:
            return False
        urges = [(h.start, h.end) for h in strong if h.rule.category in exempt and not h.signal]
        if not urges:
            return False
        return all(h.signal or h.rule.category in exempt or any(h.start < e and s < h.end for s, e in urges)
                   for h in strong)


def _container(spans: list[tuple[int, int, bool]]) -> Any:
    """A lookup for the span that strictly contains (start, end): its flag, or None. Sorted once and bisected, with the
    furthest end reached by any span starting at or before each point, so a 100 kB text of "i used to self harm"
    (thousands of spans and hits) stays linear, not quadratic."""
    ordered = sorted(spans)
    starts = [s for s, _, _ in ordered]
    reach: list[tuple[int, int, bool]] = []  # (furthest end, -its start, its flag) over ordered[:i + 1]
    for s, e, flag in ordered:
        reach.append(max(reach[-1], (e, -s, flag)) if reach else (e, -s, flag))

    def inside(start: int, end: int) -> Optional[bool]:
        i = bisect_right(starts, start) - 1
        if i < 0:
            return None
        e, neg_s, flag = reach[i]
        return flag if e > end or (e == end and -neg_s < start) else None
    return inside


def _all_literal(idioms: Iterable[Rule]) -> bool:
    """At least one idiom, and every one a harmless literal use (`literal: true`)."""
    found = False
    for idiom in idioms:
        if not idiom.literal:
            return False
        found = True
    return found


def _snap(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a span to whole words of the original text: the tokenizer splits
    "dont" into "do" + "nt", and a span starting at "nt" should show "dont"."""
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum() and text[end - 1].isalnum():
        end += 1
    return start, end


_ENGINE: Engine | None = None
_LOCK = threading.Lock()


def get_engine() -> Engine:
    """The module-level engine, built on first use (about a second) and shared after."""
    global _ENGINE
    if _ENGINE is None:
        with _LOCK:
            if _ENGINE is None:
                _ENGINE = Engine(load_ruleset(RULES_DIR), get_model())
    return _ENGINE


def assess(text: str, embedding: Optional[np.ndarray] = None) -> Assessment:
    """Assess one message (rules and risk model).  Never raises for any string; never returns a score.

    ``embedding``: the message's MiniLM sentence vector, if the caller has already computed it.
    """
    return get_engine().assess(text, embedding)


def explain(text: str) -> dict[str, Any]:
    """Debugging view of how ``text`` was normalised and matched."""
    return get_engine().explain(text)
