"""Building the spaCy pipeline and matchers from loaded rules.

Why spaCy's rule machinery: the tokenizer already knows English contractions
("dont" -> do + n't), the lookup lemmatizer folds inflections (cutting ->
cut, pills -> pill) without any downloaded model, and ``Matcher`` /
``PhraseMatcher`` run in compiled code, which keeps ``assess`` well under a
millisecond for a chat message and linear on long ones.

Pattern shorthand (a string in a rule's ``patterns``) compiles to a spaCy
token pattern.  Items are separated by spaces; each item is one token:

==============  =====================================================
``kill``        LEMMA equals the lemma of "kill" (kill, kills, killed, killing)
``a|b|c``       LEMMA is one of the lemmas of a, b, c
``@set``        LEMMA is one of the lemmas of the words in lexicon set ``set``
                (mix freely: ``@refl|self``)
``=word``       exact LOWER form instead of the lemma (``=@set|word`` too;
                ``=`` before the item applies to all alternatives, before one
                alternative to that one: ``end|=took``)
``!a|b``        any token whose LEMMA is NOT one of these (and not a clause break)
``_``           any one token that is not a clause break
``~3``          up to 3 tokens that are not clause breaks (gap)
``#num``        a number (LIKE_NUM)
``#many``       a number >= 5, or a word like "ten", "fifty", "dozens"
suffix ``?``    optional; suffix ``+`` one or more

Alternatives are single tokens: ``=the =world`` is two items, so a choice
between phrases needs two patterns.  Items mixing kinds (``@lot|#many``) are
expanded into several spaCy patterns.
==============  =====================================================

Raw spaCy patterns (lists of dicts) are passed through unchanged.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Sequence

import spacy
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
import numpy
from spacy.attrs import LEMMA, LOWER, ORTH
from spacy.tokens import Doc

from .errors import Errors, RuleError, err
from .rules import Pattern, Rule

_MANY = r"^(?:[5-9]|[1-9][0-9]+|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|hundred|hundreds|dozen|dozens)$"
_MAX_GAP = 6
_MAX_EXPANSION = 16


def build_nlp(lemma_overrides: Mapping[str, str]) -> Language:
    """A blank English pipeline with the lookup lemmatizer (no downloaded model).

    ``lemma_overrides`` patch the lookup table where it is wrong for this
    domain (spacy-lookups-data maps "dying" to "dye" and "better" to "well").
    """
    nlp = spacy.blank("en")
    # Sentences glued without a space ("i want to die.i'm done", "I WANT TO DIE!!!NOW", a title run into
    # its body): spaCy splits "die.I" only before a capital, and the text here is already lowercase.
    # Two letters before it, so "k.m.s", "e.g." and "u.k." stay one token as the normaliser left them.
    infixes = list(nlp.Defaults.infixes) + [r"(?<=[a-z][a-z])[.!?]+(?=[a-z])"]
    nlp.tokenizer.infix_finditer = spacy.util.compile_infix_regex(infixes).finditer
    nlp.tokenizer.url_match = None  # else "myself.so" and "suicide.lately" read as web addresses, kept whole
    lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    table = lemmatizer.lookups.get_table("lemma_lookup")
    for word, lemma in lemma_overrides.items():
        table[word] = lemma
    return nlp


class Lemmas:
    """Assigns lookup lemmas to a Doc in one array operation.

    Same table and same result as the spaCy ``lemmatizer`` pipe in lookup mode
    (``table.get(token.text, token.text)``), but without a Python call per
    token: the pipe alone cost ~0.4 ms on a 400-character message.
    """

    def __init__(self, nlp: Language) -> None:
        table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
        strings = nlp.vocab.strings
        # table keys are string hashes, which are also the tokens' ORTH ids
        self._map = {key: strings.add(value) for key, value in table.items()}

    def __call__(self, doc: Doc) -> Doc:
        lookup = self._map
        orths = doc.to_array(ORTH).tolist()
        lemmas = numpy.array([lookup.get(o, o) for o in orths], dtype="uint64").reshape(-1, 1)
        doc.from_array([LEMMA], lemmas)
        return doc


class PatternCompiler:
    """Turns the shorthand described in the module docstring into token patterns."""

    def __init__(self, lexicon: Mapping[str, Sequence[str]], lemma: Callable[[str], str], gap_breaks: Iterable[str]) -> None:
        self.lexicon = lexicon
        self.lemma = lemma
        self.gap_breaks = sorted(gap_breaks)

    def compile(self, spec: str) -> list[list[dict]]:
        """Compile one shorthand string into one or more token patterns.

        An item whose alternatives mix kinds ("@lot|#many", "end|=take")
        cannot be one spaCy token dict, so the pattern is expanded into one
        pattern per combination (capped at ``_MAX_EXPANSION``).
        """
        slots: list[list[dict]] = []
        for item in spec.split():
            if item.startswith("~"):
                try:
                    n = int(item[1:])
                except ValueError:
                    raise ValueError(f"gap '{item}' must be ~N with N a number") from None
                if not 1 <= n <= _MAX_GAP:
                    raise ValueError(f"gap '{item}' must be between ~1 and ~{_MAX_GAP}")
                # a plain wildcard (no Python predicate: fast); matches whose
                # interior crosses a gap break are dropped by RuleMatcher
                slots.extend([{"OP": "?"}] for _ in range(n))
                continue
            op = None
            if len(item) > 1 and item[-1] in "?+":
                item, op = item[:-1], item[-1]
            variants = self._token(item)
            if op:
                variants = [{**v, "OP": op} for v in variants]
            slots.append(variants)
        if not slots or all(v.get("OP") == "?" for slot in slots for v in slot):
            raise ValueError("pattern must contain at least one required token")
        total = 1
        for slot in slots:
            total *= len(slot)
        if total > _MAX_EXPANSION:
            raise ValueError(f"expands to {total} patterns (max {_MAX_EXPANSION}); split it")
        return [list(combo) for combo in itertools.product(*slots)]

    def _words(self, alts: list[str], default_exact: bool) -> tuple[set[str], set[str], list[dict]]:
        """Split alternatives into lemma words, exact (LOWER) words and special tokens."""
        lemmas: set[str] = set()
        lowers: set[str] = set()
        special: list[dict] = []
        for alt in alts:
            exact = default_exact
            if alt.startswith("="):
                exact, alt = True, alt[1:]
            if not alt:
                raise ValueError("empty alternative")
            if alt == "#num":
                special.append({"LIKE_NUM": True})
                continue
            if alt == "#many":
                special.append({"LOWER": {"REGEX": _MANY}})
                continue
            if alt == "_" or alt.startswith("~") or alt.startswith("#"):
                raise ValueError(f"'{alt}' cannot be an alternative")
            if alt.startswith("@"):
                name = alt[1:]
                if name not in self.lexicon:
                    raise ValueError(f"unknown word set '@{name}' (known: {', '.join(sorted(self.lexicon))})")
                words = list(self.lexicon[name])
            else:
                words = [alt]
            if exact:
                lowers.update(words)
            else:
                lemmas.update(self.lemma(w) for w in words)
        return lemmas, lowers, special

    def _token(self, item: str) -> list[dict]:
        """The token dicts (one or more, OR-ed by expansion) for one item."""
        if item == "_":
            return [{}]
        negate = item.startswith("!")
        if negate:
            item = item[1:]
        default_exact = item.startswith("=")
        if default_exact:
            item = item[1:]
        lemmas, lowers, special = self._words(item.split("|"), default_exact)
        if negate:
            if special:
                raise ValueError("'!' cannot be combined with #num/#many")
            token: dict = {"LOWER": {"NOT_IN": sorted(set(self.gap_breaks) | lowers)}}
            if lemmas:
                token["LEMMA"] = {"NOT_IN": sorted(lemmas)}
            return [token]
        out: list[dict] = []
        for attr, values in (("LEMMA", lemmas), ("LOWER", lowers)):
            if values:
                vals = sorted(values)
                out.append({attr: vals[0]} if len(vals) == 1 else {attr: {"IN": vals}})
        return out + special


#: words too common to decide whether a pattern is worth running
_COMMON = frozenset("""i me my to the a an be am is are was were have has had do does did not n't nt no it and of in on
at for with that this you he she they him her his them so just 's 'm m s d 'd 'll ll ve 've can will would could
should get go going gon na want wanna like up out all what when if or but about as from by""".split())


def _literal(token: dict) -> tuple[str, ...] | None:
    """The words a token must be (LEMMA or LOWER, equality or IN), or None."""
    for attr in ("LEMMA", "LOWER"):
        value = token.get(attr)
        if isinstance(value, str):
            return (value,)
        if isinstance(value, dict) and isinstance(value.get("IN"), list) and len(value) == 1:
            return tuple(value["IN"])
    return None


@dataclass(frozen=True)
class _Plan:
    """How to decide cheaply whether, and where, one pattern can match."""

    anchor: tuple[str, ...] | None         # words of the most selective required token
    before: int                            # tokens the pattern can span before the anchor
    after: int                             # ... and after it
    required: tuple[tuple[str, ...], ...]  # every required literal token's words


def _plan(pattern: list[dict]) -> _Plan:
    required: list[tuple[str, ...]] = []
    best: tuple[tuple[int, int], int, tuple[str, ...]] | None = None
    for i, token in enumerate(pattern):
        if token.get("OP") in ("?", "*", "!"):
            continue
        values = _literal(token)
        if values is None:
            continue
        required.append(values)
        score = (sum(v in _COMMON for v in values), len(values))
        if best is None or score < best[0]:
            best = (score, i, values)

    def width(tokens: list[dict]) -> int:
        return sum(10 if t.get("OP") in ("+", "*") else 1 for t in tokens)

    if best is None:
        return _Plan(None, width(pattern), width(pattern), ())
    _, i, values = best
    return _Plan(values, width(pattern[:i]), width(pattern[i + 1:]), tuple(required))


class RuleMatcher:
    """Runs every rule of a set over a Doc and returns merged (rule_id, start, end) token spans.

    Why one small Matcher per pattern, run only on windows around its anchor:
    spaCy's Matcher creates Python Token objects for every token it scans
    (about half a microsecond each) and evaluates ``IN`` predicates in
    Python, so running ~300 patterns over every message costs milliseconds.
    Each pattern has a plan: the words every required token must be, and an
    anchor (the most selective of them).  A pattern runs only if all its
    required words occur in the message, and only on a window around each
    anchor occurrence.  Work is then proportional to the number of plausible
    pattern sites, and stays linear on a 100 kB message.
    """

    def __init__(self, nlp: Language, rules: Sequence[Rule], compiler: PatternCompiler, gap_breaks: Iterable[str] = ()) -> None:
        self.nlp = nlp
        self.rules = {rule.id: rule for rule in rules}
        strings = nlp.vocab.strings
        self._gap_ids = frozenset(strings.add(w) for w in gap_breaks)
        # (rule id, matcher, tokens before anchor, tokens after, required word ids)
        self._units: list[tuple[str, Matcher | PhraseMatcher, int, int, tuple[frozenset[int], ...]]] = []
        self._always: list[int] = []
        self._index: dict[int, list[int]] = {}
        lemmatizer = nlp.get_pipe("lemmatizer")
        for rule in rules:
            for i, pattern in enumerate(rule.patterns):
                for tokens in self._compile(rule, i, pattern, compiler):
                    matcher = Matcher(nlp.vocab)
                    matcher.add(rule.id, [tokens])
                    self._register(rule.id, matcher, _plan(tokens))
            for phrase in rule.phrases:
                doc = lemmatizer(nlp.make_doc(phrase))
                if len(doc):
                    phrases = PhraseMatcher(nlp.vocab, attr="LEMMA")
                    phrases.add(rule.id, [doc])
                    self._register(rule.id, phrases, _Plan((doc[0].lemma_,), 0, len(doc) - 1, tuple((t.lemma_,) for t in doc)))

    def _register(self, rule_id: str, matcher: Matcher | PhraseMatcher, plan: _Plan) -> None:
        strings = self.nlp.vocab.strings
        index = len(self._units)
        required = tuple(frozenset(strings.add(w) for w in words) for words in plan.required)
        self._units.append((rule_id, matcher, plan.before, plan.after, required))
        if plan.anchor is None:
            self._always.append(index)
            return
        for word in set(plan.anchor):
            self._index.setdefault(strings.add(word), []).append(index)

    @property
    def _keys(self) -> frozenset[int]:
        keys = self.__dict__.get("_keyset")
        if keys is None or len(keys) != len(self._index):
            keys = self.__dict__["_keyset"] = frozenset(self._index)
        return keys

    @property
    def size(self) -> int:
        """Number of compiled patterns and phrases."""
        return len(self._units)

    def _compile(self, rule: Rule, index: int, pattern: Pattern, compiler: PatternCompiler) -> list[list[dict]]:
        """Compile shorthand, or validate a raw pattern on its own so an error names its index."""
        try:
            compiled = compiler.compile(pattern) if isinstance(pattern, str) else [pattern]
            Matcher(self.nlp.vocab, validate=True).add("probe", compiled)
        except Exception as exc:  # ValueError from the shorthand, MatchPatternError/ValueError from spaCy
            shown = pattern if isinstance(pattern, str) else "raw pattern"
            raise RuleError(err(Errors.E008, file=rule.file, rule=rule.id, index=index, problem=f"{shown}: {exc}")) from exc
        return compiled

    def __call__(self, doc: Doc) -> list[tuple[str, int, int]]:
        words = doc.to_array([LOWER, LEMMA])
        if not len(words):
            return []
        present = set(numpy.unique(words).tolist())
        index = self._index
        anchors = present & self._keys  # set & set iterates the smaller one
        if not anchors and not self._always:
            return []
        lowers = words[:, 0].tolist()
        lemmas = words[:, 1].tolist()
        where = _anchor_positions(words, anchors)
        candidates: dict[int, list[int]] = {unit: [] for unit in self._always}
        for word, positions in where.items():
            for unit in index[word]:
                candidates.setdefault(unit, []).extend(positions)
        n = len(lowers)
        gap = self._gap_ids
        units = self._units
        found: list[tuple[str, int, int]] = []
        for unit in sorted(candidates):
            rule_id, matcher, before, after, required = units[unit]
            # every required word must occur somewhere, or the pattern cannot match
            if any(present.isdisjoint(w) for w in required):
                continue
            positions = candidates[unit]
            windows = _windows(sorted(positions), before, after, n) if positions else [(0, n)]
            for lo, hi in windows:
                # ... and inside this window: a match lies within it and holds a token for each required
                # word set, so skipping a window without one changes nothing (most windows of a long
                # message are skipped here, before spaCy builds a Token object per position)
                if len(required) > 1 and hi - lo < n:
                    inside = set(lowers[lo:hi])
                    inside.update(lemmas[lo:hi])
                    if any(inside.isdisjoint(w) for w in required):
                        continue
                for _, start, end in matcher(doc[lo:hi]):
                    start += lo
                    end += lo
                    # a gap may not swallow a sentence end or "but" (tunables.gap_breaks)
                    if end - start > 2 and any(lowers[j] in gap for j in range(start + 1, end - 1)):
                        continue
                    found.append((rule_id, start, end))
        return merge_overlaps(found)


def _anchor_positions(words: numpy.ndarray, anchors: set[int]) -> dict[int, list[int]]:
    """Ascending token positions of each anchor word, read from the LOWER and LEMMA columns (a token
    counts once per distinct value): array operations, not a Python step per token of a long message."""
    where: dict[int, list[int]] = {}
    if not anchors:
        return where
    keys = numpy.fromiter(anchors, dtype=words.dtype, count=len(anchors))
    lowers, lemmas = words[:, 0], words[:, 1]
    by_lower = numpy.isin(lowers, keys)
    by_lemma = numpy.isin(lemmas, keys) & (lemmas != lowers)
    for pos in numpy.flatnonzero(by_lower | by_lemma).tolist():
        low, lem = int(lowers[pos]), int(lemmas[pos])
        if by_lower[pos]:
            where.setdefault(low, []).append(pos)
        if by_lemma[pos]:
            where.setdefault(lem, []).append(pos)
    return where


def _windows(positions: list[int], before: int, after: int, n: int) -> list[tuple[int, int]]:
    """Merged token windows [lo, hi) around each anchor position (positions ascend)."""
    out: list[tuple[int, int]] = []
    for pos in positions:
        lo, hi = max(0, pos - before), min(n, pos + after + 1)
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def merge_overlaps(found: Iterable[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """One span per rule per stretch: optional tokens make spaCy report many overlapping variants."""
    out: list[tuple[str, int, int]] = []
    for rid, start, end in sorted(found):
        if out and out[-1][0] == rid and start < out[-1][2]:
            prev = out[-1]
            out[-1] = (rid, prev[1], max(prev[2], end))
        else:
            out.append((rid, start, end))
    return out
