"""Building the spaCy pipeline and matchers from loaded rules.

Why spaCy's rule machinery: the tokenizer already knows English contractions
("dont" -> do + n't), the lookup lemmatizer folds inflections (cutting ->
cut, pills -> pill) without any downloaded model, and ``Matcher`` validates
every token pattern.  The patterns are then run by ``RuleMatcher`` over the
tokens' string ids (the same matches as spaCy's Matcher, checked against it
in the tests), which keeps ``assess`` well under a millisecond for a chat
message and linear on long ones.

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
import re
import threading
from dataclasses import dataclass
from typing import Any, Callable, Collection, Iterable, Mapping, Optional, Sequence

import numpy
import spacy
from spacy.attrs import IDX, IS_SPACE, LENGTH, LIKE_NUM, LOWER, ORTH, SENT_START
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.strings import StringStore
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.vocab import create_vocab

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

#: how many distinct whitespace-separated pieces of text the tokeniser remembers having cached (below)
_WARM_LIMIT = 50_000
#: how many new strings the tokeniser's vocabulary takes in before it is replaced by a fresh one (Tokeniser)
VOCAB_LIMIT = 100_000
_LOWER, _LEMMA = 0, 1
#: a pseudo-column for ``near`` checks only: the tokens that are numbers (LIKE_NUM), whatever their words
_NUM = 2
#: below this many tokens, plain Python loops are quicker than numpy calls (the same results)
_SMALL = 500
_COLUMNS = {"LOWER": _LOWER, "LEMMA": _LEMMA}


def _literal_in(token: dict) -> tuple[str | None, tuple[str, ...] | None]:
    """(attribute, words) a token must be (LEMMA or LOWER, equality or IN), or (None, None)."""
    for attr in ("LEMMA", "LOWER"):
        value = token.get(attr)
        if isinstance(value, str):
            return attr, (value,)
        if isinstance(value, dict) and isinstance(value.get("IN"), list) and len(value) == 1:
            return attr, tuple(value["IN"])
    return None, None


class Tokens:
    """One normalised message, tokenised by spaCy and lemmatised, as plain integer lists: what the matchers
    and the engine read (string ids, as in spaCy's ``Doc.to_array``)."""

    __slots__ = ("doc", "text", "lowers", "lemmas", "like_num", "spaces", "idx", "ends", "sent_starts", "strings",
                 "lower_ids", "lemma_ids", "like_num_ids", "_present", "_distinct", "_index", "_next_gap", "_flags", "_sorted", "_counted")

    def __init__(self, doc: Doc, lemma_of: Mapping[int, int], text: Optional[str] = None) -> None:
        self.doc = doc
        # the text the tokens were made from (``doc.text`` joins every token's text again on each read)
        self.text = doc.text if text is None else text
        self.strings = doc.vocab.strings
        arr = doc.to_array([ORTH, LOWER, LIKE_NUM, IS_SPACE, IDX, LENGTH, SENT_START])
        self.lemma_ids = None  # the LEMMA ids as an array, from _SMALL tokens on
        if len(arr) < _SMALL:  # a chat message: plain Python is quicker than array calls
            self.lemmas = [lemma_of.get(o, o) for o in arr[:, 0].tolist()]
        else:
            orths, inverse = numpy.unique(arr[:, 0], return_inverse=True)
            lemma_ids = numpy.array([lemma_of.get(o, o) for o in orths.tolist()], dtype="uint64")
            self.lemma_ids = lemma_ids[inverse]
            self.lemmas = self.lemma_ids.tolist()
        self.lower_ids = arr[:, 1]  # the LOWER ids as an array, for array operations over long messages
        self.lowers = self.lower_ids.tolist()
        self.like_num_ids = arr[:, 2]  # (the _NUM pseudo-column of count and sorted_positions)
        self.like_num = self.like_num_ids.tolist()
        self.spaces = arr[:, 3].tolist()
        self.idx = arr[:, 4].tolist()
        self.ends = (arr[:, 4] + arr[:, 5]).tolist()
        self.sent_starts = frozenset(numpy.flatnonzero(arr[:, 6] == 1).tolist())
        self._index: list = [None, None]
        self._present: list = [None, None]
        self._distinct: list = [None, None]  # (sorted distinct ids, their counts) as arrays, from _SMALL tokens on
        self._next_gap: dict = {}
        self._flags: dict = {}
        self._sorted: dict = {}
        self._counted: dict = {}

    def __len__(self) -> int:
        return len(self.lowers)

    def char_span(self, start: int, end: int) -> tuple[int, int]:
        """Character offsets of tokens [start, end) in the normalised text (as spaCy's ``Span``)."""
        return self.idx[start], self.ends[end - 1]

    def _column(self, column: int) -> tuple[dict[int, tuple[int, int]], numpy.ndarray]:
        if self._index[column] is None and len(self.lowers) < _SMALL:
            where: dict[int, list[int]] = {}
            for i, value in enumerate(self.lowers if column == _LOWER else self.lemmas):
                where.setdefault(value, []).append(i)
            order = [i for positions in where.values() for i in positions]
            index, first = {}, 0
            for value, positions in where.items():
                index[value] = (first, len(positions))
                first += len(positions)
            self._index[column] = (index, numpy.array(order, dtype=numpy.int64))
            self._present[column] = {value: len(positions) for value, positions in where.items()}
        if self._index[column] is None:
            values = self.lower_ids if column == _LOWER else self.lemma_ids  # (no list turned back into an array)
            order = numpy.argsort(values, kind="stable")  # ascending positions within each value
            ids, first, counts = numpy.unique(values[order], return_index=True, return_counts=True)
            self._distinct[column] = (ids, counts)
            ids = ids.tolist()
            self._index[column] = (dict(zip(ids, zip(first.tolist(), counts.tolist()))), order)
            self._present[column] = dict(zip(ids, counts.tolist()))
        return self._index[column]

    def counts(self, column: int) -> dict[int, int]:
        """How many tokens have each LOWER or LEMMA (``column``) id."""
        if self._present[column] is None:
            self._column(column)
        return self._present[column]

    def count_sets(self, words: numpy.ndarray, columns: numpy.ndarray, starts: numpy.ndarray) -> numpy.ndarray:
        """How many tokens have one of the words of each of many word sets, at once (array operations; from
        _SMALL tokens on): ``words`` the sets' ids one after another, ``columns`` the LOWER or LEMMA column of
        each id, ``starts`` where each set begins in ``words``. The same numbers as ``count`` for each set."""
        found = numpy.zeros(len(words), dtype=numpy.int64)
        for column in (_LOWER, _LEMMA):
            if self._distinct[column] is None:
                self._column(column)
            ids, counts = self._distinct[column]
            mine = numpy.flatnonzero(columns == column)
            if not len(mine) or not len(ids):
                continue
            at = numpy.minimum(numpy.searchsorted(ids, words[mine]), len(ids) - 1)
            found[mine] = numpy.where(ids[at] == words[mine], counts[at], 0)
        return numpy.add.reduceat(found, starts)

    def count(self, column: int, words: frozenset[int]) -> int:
        """How many tokens have one of ``words`` as their LOWER or LEMMA (``column``). Kept for the message:
        the units of one rule ask for the same word sets over and over (~1,400 asks for 100 kB)."""
        key = (column, words)
        found = self._counted.get(key)
        if found is None and column == _NUM:  # the numbers, whatever their words (``words`` is empty)
            found = self._counted[key] = len(self.sorted_positions(_NUM, words))
        if found is None:
            counts = self._present[column]
            if counts is None:
                self._column(column)
                counts = self._present[column]
            found = self._counted[key] = sum(map(counts.__getitem__, words & counts.keys()))
        return found

    def positions(self, column: int, words: frozenset[int]) -> list[int]:
        """Ascending positions of the tokens whose LOWER or LEMMA is one of ``words``."""
        index, order = self._column(column)
        found = [index[w] for w in words & self._present[column].keys()]
        if len(found) == 1:
            first, count = found[0]
            return order[first:first + count].tolist()
        if len(self.lowers) >= _SMALL:
            return self.sorted_positions(column, words).tolist()
        return sorted(p for first, count in found for p in order[first:first + count].tolist())

    def sorted_positions(self, column: int, words: frozenset[int]) -> numpy.ndarray:
        """``positions`` as an array (kept for the message: several patterns ask for the same words)."""
        key = (column, words)
        found = self._sorted.get(key)
        if found is None and column == _NUM:  # the numbers (LIKE_NUM), whatever their words
            found = self._sorted[key] = numpy.flatnonzero(self.like_num_ids == 1)
        if found is None:
            index, order = self._column(column)
            present = words & self._present[column].keys()
            parts = [order[first:first + count] for first, count in map(index.__getitem__, present)]
            found = parts[0] if len(parts) == 1 else numpy.sort(numpy.concatenate(parts)) if parts else order[:0]
            self._sorted[key] = found
        return found

    def near(self, positions: Sequence[int] | numpy.ndarray, near: Sequence[tuple[int, frozenset[int], int, int]]) -> list[int]:
        """The positions p with, for each (column, words, nearest, farthest), a token of ``words`` between
        p + nearest and p + farthest (array operations: a necessary condition for a match at p)."""
        at = numpy.asarray(positions, dtype=numpy.int64)
        for column, words, nearest, farthest in near:
            other = self.sorted_positions(column, words)
            if not len(other):
                return []
            k = numpy.searchsorted(other, at + nearest)
            inside = k < len(other)
            at = at[inside]
            at = at[other[k[inside]] <= at + farthest]
            if not len(at):
                return []
        return at.tolist()

    def next_gap(self, gap: frozenset[int]) -> list[int]:
        """For each position, the first position at or after it holding one of ``gap`` (len(self) if none)."""
        out = self._next_gap.get(gap)
        if out is None:
            n = len(self.lowers)
            if not gap:
                out = [n] * (n + 1)
            elif n < _SMALL:
                out = [n] * (n + 1)
                nxt = n
                lowers = self.lowers
                for i in range(n - 1, -1, -1):
                    if lowers[i] in gap:
                        nxt = i
                    out[i] = nxt
            else:  # the same numbers by array operations (a Python step per token was ~3 ms for 100 kB)
                at = numpy.flatnonzero(numpy.isin(self.lower_ids, numpy.fromiter(gap, dtype=numpy.uint64, count=len(gap))))
                out = numpy.append(at, n)[numpy.searchsorted(at, numpy.arange(n + 1))].tolist()
            self._next_gap[gap] = out
        return out

    def regex(self, column: int, pattern: re.Pattern, i: int) -> bool:
        """spaCy's REGEX predicate: ``pattern.search`` on the token's LOWER or LEMMA string."""
        value = self.lowers[i] if column == _LOWER else self.lemmas[i]
        key = (pattern.pattern, column, value)
        flag = self._flags.get(key)
        if flag is None:
            flag = self._flags[key] = bool(pattern.search(self.strings[value]))
        return flag


class Tokeniser:
    """spaCy's tokenizer and the lookup lemmas, giving :class:`Tokens`.

    Why the warming: spaCy's tokenizer caches each whitespace-separated piece of text it has split, but
    once a piece is one of its special cases (every contraction: "im", "dont", "i'm") it stops saving
    pieces to the cache for the rest of that text, so a long message was split character by character
    almost from its start (~90 ms for 100 kB). Each piece not seen before is first tokenised on its own,
    which caches it, and the whole text is then tokenised as before: the same tokens (spaCy's own
    output, cached or not), in ~15 ms. The pieces remembered are bounded (``_WARM_LIMIT``), and spaCy's
    cache is emptied with them.

    Why its own vocabulary: spaCy keeps every string and lexeme it has ever seen in its ``Vocab`` and
    cannot forget one (spaCy 3.8's ``memory_zone`` does; Rasa pins 3.4), so pasted junk grew the process
    without bound (10 messages of 100 kB of distinct random words: +78-92 MB). spaCy's maintainers advise
    reloading the pipeline; here only what holds message strings is renewed: messages are tokenised with a
    tokenizer of the same rules over a vocabulary of their own (the pipeline's strings only), replaced by a
    fresh one once it has taken in ``VOCAB_LIMIT`` new strings. Nothing else reads that vocabulary: the
    rules hold string ids (hashes of the strings, the same in every vocabulary), and each ``Tokens``
    keeps the strings of its own Doc. Same tokens, same lexical attributes (``tests/safety/test_matcher.py``).
    """

    def __init__(self, nlp: Language, vocab_limit: Optional[int] = None) -> None:
        self.nlp = nlp  # the pipeline the rules were compiled with; never given a message
        table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
        strings = nlp.vocab.strings
        # table keys are string hashes, which are also the tokens' ORTH ids
        self._lemma_of = {key: strings.add(value) for key, value in table.items()}
        self._strings = list(strings)  # what every fresh vocabulary starts with: a lemma id must read back as text
        self._limit = VOCAB_LIMIT if vocab_limit is None else vocab_limit
        self._lock = threading.Lock()
        self.renewals = 0  # how many times the vocabulary was replaced (tests, figures)
        self._tokenizer, self._full, self._warm = self._fresh()

    def _fresh(self) -> tuple[Any, int, set[str]]:
        """(a tokenizer with the pipeline's rules over a new vocabulary, its size that means renew, no
        warm pieces). A blank pipeline's vocabulary (``spacy.blank`` makes it the same way)."""
        old = self.nlp.tokenizer
        vocab = create_vocab(self.nlp.lang, self.nlp.Defaults)
        for string in self._strings:
            vocab.strings.add(string)
        tokenizer = Tokenizer(vocab, rules=old.rules, prefix_search=old.prefix_search, suffix_search=old.suffix_search,
                              infix_finditer=old.infix_finditer, token_match=old.token_match, url_match=old.url_match,
                              faster_heuristics=old.faster_heuristics)
        return tokenizer, len(vocab.strings) + self._limit, set()

    @property
    def vocab(self) -> Any:
        """The vocabulary messages are tokenised into now (tests: it must stay bounded)."""
        return self._tokenizer.vocab

    def __call__(self, text: str) -> Tokens:
        tokenizer, warm = self._tokenizer, self._warm
        if len(tokenizer.vocab.strings) > self._full:
            with self._lock:  # one renewal; a call already under way keeps the tokenizer it started with
                if self._tokenizer is tokenizer:
                    self._tokenizer, self._full, self._warm = self._fresh()
                    self.renewals += 1
                tokenizer, warm = self._tokenizer, self._warm
        new = set(text.split()).difference(warm)
        if new:
            if len(warm) + len(new) > _WARM_LIMIT:
                # start again, spaCy's cache too (its own flush, which it runs when its rules change;
                # spaCy 3.4 as pinned): pasted junk must not grow the process without bound
                tokenizer._flush_cache()
                warm.clear()
            for piece in new:
                tokenizer(piece)
            warm.update(new)
        return Tokens(tokenizer(text), self._lemma_of, text)

    def lemma_id(self, orth: int) -> int:
        return self._lemma_of.get(orth, orth)


_Test = Callable[[list, list, int, Tokens], bool]


def _compile_token(token: dict, strings: StringStore) -> _Test:
    """One token pattern as a test of position i (the same predicates as spaCy's Matcher)."""
    checks: list[tuple[str, Any, Any]] = []
    for key, value in token.items():
        if key == "OP":
            continue
        if key in _COLUMNS:
            column = _COLUMNS[key]
            if isinstance(value, str):
                checks.append(("in", column, frozenset([strings.add(value)])))
                continue
            if not isinstance(value, dict):
                raise ValueError(f"{key} must be a string or a mapping")
            for predicate, arg in value.items():
                if predicate in ("IN", "NOT_IN"):
                    checks.append(("in" if predicate == "IN" else "not_in", column,
                                   frozenset(strings.add(v) for v in arg)))
                elif predicate == "REGEX":
                    checks.append(("regex", column, re.compile(arg)))
                else:
                    raise ValueError(f"{key}: {predicate} is not supported here (IN, NOT_IN, REGEX)")
        elif key == "LIKE_NUM":
            checks.append(("num", None, int(bool(value))))
        elif key in ("IS_SENT_START", "SENT_START"):
            checks.append(("sent", None, bool(value)))
        else:
            raise ValueError(f"token attribute {key} is not supported here (LEMMA, LOWER, LIKE_NUM, IS_SENT_START)")
    if not checks:
        return _ANY
    if len(checks) == 1 and checks[0][0] in ("in", "not_in"):
        kind, column, words = checks[0]
        if kind == "in":
            if len(words) == 1:
                (word,) = words
                return (lambda lo, le, i, t: lo[i] == word) if column == _LOWER else (lambda lo, le, i, t: le[i] == word)
            return (lambda lo, le, i, t: lo[i] in words) if column == _LOWER else (lambda lo, le, i, t: le[i] in words)
        return (lambda lo, le, i, t: lo[i] not in words) if column == _LOWER else (lambda lo, le, i, t: le[i] not in words)

    def test(lo: list, le: list, i: int, t: Tokens) -> bool:
        for kind, column, arg in checks:
            if kind == "in" or kind == "not_in":
                value = lo[i] if column == _LOWER else le[i]
                if (value in arg) != (kind == "in"):
                    return False
            elif kind == "regex":
                if not t.regex(column, arg, i):
                    return False
            elif kind == "num":
                if t.like_num[i] != arg:
                    return False
            elif (i in t.sent_starts) != arg:  # "sent"
                return False
        return True

    return test


def _ANY(lo: list, le: list, i: int, t: Tokens) -> bool:
    """The test of a token pattern with no attribute (``_`` and the gaps ``~N``): any token."""
    return True


_Step = tuple[_Test, Any]  # op: None, "?", "+", "*", "!", or an int k: k optional tokens of any kind (_fold)
_OPS = (None, "?", "+", "*", "!")


def _fold(steps: Sequence[_Step]) -> tuple[_Step, ...]:
    """``steps`` with each run of optional any-token steps (a gap ``~3`` compiles to three) as one step
    (_ANY, k): the walks below then add the k + 1 positions at once instead of testing k steps one by one
    for every position reached (the same positions)."""
    out: list[_Step] = []
    for test, op in steps:
        if test is _ANY and op == "?":
            if out and out[-1][0] is _ANY and type(out[-1][1]) is int:
                out[-1] = (_ANY, out[-1][1] + 1)
            else:
                out.append((_ANY, 1))
        else:
            out.append((test, op))
    return tuple(out)


def _forward(steps: Sequence[_Step], at: int, t: Tokens) -> set[int]:
    """Every position where ``steps`` can end when they start at token ``at``."""
    lo, le, n = t.lowers, t.lemmas, len(t.lowers)
    i = 0
    for test, op in steps:  # the required steps up to the first optional one: one position, no sets
        if op is not None:
            break
        if at >= n or not test(lo, le, at, t):
            return set()
        at += 1
        i += 1
    current = {at}
    for test, op in steps[i:]:
        if type(op) is int:  # op optional tokens of any kind (_fold)
            if len(current) == 1:
                (q,) = current
                current = set(range(q, min(q + op, n) + 1))
            else:
                current = {p for q in current for p in range(q, min(q + op, n) + 1)}
            continue
        reached: set[int] = set()
        for q in current:
            if op is None:
                if q < n and test(lo, le, q, t):
                    reached.add(q + 1)
            elif op == "?":
                reached.add(q)
                if q < n and test(lo, le, q, t):
                    reached.add(q + 1)
            elif op == "!":
                if q < n and not test(lo, le, q, t):
                    reached.add(q + 1)
            else:  # "+" and "*": every length of the run
                if op == "*":
                    reached.add(q)
                while q < n and test(lo, le, q, t):
                    q += 1
                    reached.add(q)
        if not reached:
            return reached
        current = reached
    return current


def _backward(steps: Sequence[_Step], at: int, t: Tokens) -> set[int]:
    """Every position where ``steps`` (in reverse order) can start when they end just before ``at``."""
    lo, le = t.lowers, t.lemmas
    i = 0
    for test, op in steps:  # as in _forward
        if op is not None:
            break
        if at <= 0 or not test(lo, le, at - 1, t):
            return set()
        at -= 1
        i += 1
    current = {at}
    for test, op in steps[i:]:
        if type(op) is int:  # as in _forward
            if len(current) == 1:
                (q,) = current
                current = set(range(max(q - op, 0), q + 1))
            else:
                current = {p for q in current for p in range(max(q - op, 0), q + 1)}
            continue
        reached: set[int] = set()
        for q in current:
            if op is None:
                if q > 0 and test(lo, le, q - 1, t):
                    reached.add(q - 1)
            elif op == "?":
                reached.add(q)
                if q > 0 and test(lo, le, q - 1, t):
                    reached.add(q - 1)
            elif op == "!":
                if q > 0 and not test(lo, le, q - 1, t):
                    reached.add(q - 1)
            else:
                if op == "*":
                    reached.add(q)
                while q > 0 and test(lo, le, q - 1, t):
                    q -= 1
                    reached.add(q)
        if not reached:
            return reached
        current = reached
    return current


@dataclass(frozen=True)
class _Slot:
    """A required token of a pattern with literal words: the matcher may start from any of them."""

    column: int
    words: frozenset[int]
    test: _Test | None           # None: being one of ``words`` is all the token pattern asks
    backward: tuple[_Step, ...]  # the steps before it, nearest first
    forward: tuple[_Step, ...]   # the steps after it
    first_before: _Test | None   # the nearest step before it when that one is required (checked first)
    first_after: _Test | None    # ... and after it
    word: int | None = None      # the one word, when there is one (counted without a set operation)
    # the other required slots with literal words, each (column, words, nearest, farthest): a match through
    # this slot at position p has one of those words between p + nearest and p + farthest (a necessary
    # condition, checked for many positions at once before any is extended; _near)
    near: tuple[tuple[int, frozenset[int], int, int], ...] = ()


#: how far apart two tokens may be, in tokens, when a "+" or "*" lies between them (no bound)
_FAR = 1 << 40
#: from this many occurrences of a unit's rarest word on, its other required words are looked up first
_MANY_POSITIONS = 24
#: ... when that word's expected share of the positions it must lie near is below this
_WORTH_CHECKING = 0.5


def _near(at: int, tokens: list[dict], literal: list[tuple[int, Any, Any]],
          strings: StringStore) -> tuple[tuple[int, frozenset[int], int, int], ...]:
    """For the required token ``at``: every other required token with literal words, with the range of
    its offset from ``at`` that the pattern allows (as in _Slot.near)."""
    lengths = []  # (fewest, most) tokens each step takes
    for token in tokens:
        op = token.get("OP")
        lengths.append({None: (1, 1), "!": (1, 1), "?": (0, 1), "+": (1, _FAR), "*": (0, _FAR)}[op])
    run = tokens[at].get("OP") == "+"  # the anchor is some token of a run: the run may extend either way
    out = []
    for j, attr, words in literal:
        if j == at:
            continue
        between = lengths[min(at, j) + 1:max(at, j)]
        nearest = 1 + sum(low for low, _ in between)
        farthest = _FAR if run else min(_FAR, 1 + sum(high for _, high in between))
        ids = frozenset(strings.add(w) for w in words)
        column = _NUM if attr == _NUM else _COLUMNS[attr]
        out.append((column, ids, nearest, farthest) if j > at else (column, ids, -farthest, -nearest))
    return tuple(out)


@dataclass(frozen=True)
class _Unit:
    """One compiled token pattern (or phrase) of a rule."""

    rule_id: str
    steps: tuple[_Step, ...]
    slots: tuple[_Slot, ...]  # empty: no literal required token, tried from every position
    key: int = 0  # the slot of the fewest common words: the unit is looked at only when one of them occurs


def _unit(rule_id: str, tokens: list[dict], strings: StringStore) -> _Unit:
    steps: list[_Step] = []
    for token in tokens:
        op = token.get("OP")
        if op not in _OPS:
            raise ValueError(f"OP {op!r} is not supported here ({', '.join(repr(o) for o in _OPS[1:])})")
        steps.append((_compile_token(token, strings), op))
    slots = []
    scores = []
    literal = [(i, attr, words) for i, (token, (attr, words)) in enumerate(zip(tokens, map(_literal_in, tokens)))
               if words is not None and token.get("OP") not in ("?", "*", "!")]
    # a required number ("#num": LIKE_NUM and nothing else) is never a slot, but it may be looked up near one
    # ("i'm 15": the age idiom starts from "i", one of the commonest words, and a number must follow it)
    literal += [(i, _NUM, ()) for i, token in enumerate(tokens)
                if token.get("LIKE_NUM") is True and set(token) - {"OP"} == {"LIKE_NUM"}
                and token.get("OP") in (None, "+")]
    for i, token in enumerate(tokens):
        attr, words = _literal_in(token)
        op = token.get("OP")
        if words is None or op in ("?", "*", "!"):
            continue
        test = steps[i][0]
        before, after = steps[:i], steps[i + 1:]
        if op == "+":  # the anchor is one token of the run: the rest of the run may lie on either side
            before, after = [*before, (test, "*")], [(test, "*"), *after]
        backward, forward = _fold(tuple(reversed(before))), _fold(after)
        scores.append((sum(w in _COMMON for w in words), len(words)))
        only_words = set(token) - {"OP"} == {attr} and not op
        ids = frozenset(strings.add(w) for w in words)
        slots.append(_Slot(_COLUMNS[attr], ids, None if only_words else test,
                           backward, forward, backward[0][0] if backward and backward[0][1] is None else None,
                           forward[0][0] if forward and forward[0][1] is None else None,
                           next(iter(ids)) if len(ids) == 1 else None,
                           _near(i, tokens, literal, strings)))
    return _Unit(rule_id, _fold(steps), tuple(slots), scores.index(min(scores)) if scores else 0)


class _SlotSets:
    """The word sets of every unit's slots as arrays, to choose each unit's rarest slot in a long message at
    once (``choose``) instead of a Python loop over ~700 units and their slots."""

    def __init__(self, units: Sequence[_Unit]) -> None:
        index: dict[tuple[int, frozenset[int]], int] = {}
        per_unit: list[list[int]] = []
        self.units: list[int] = []  # the units with slots, in order
        for number, unit in enumerate(units):
            if unit.slots:
                self.units.append(number)
                per_unit.append([index.setdefault((slot.column, slot.words), len(index)) for slot in unit.slots])
        sets = list(index)
        self.words = numpy.array([w for _, words in sets for w in sorted(words)], dtype=numpy.uint64)
        self.columns = numpy.array([column for column, words in sets for _ in words], dtype=numpy.int64)
        self.starts = numpy.cumsum([0] + [len(words) for _, words in sets[:-1]]).astype(numpy.int64)
        self.slots = numpy.array([i for sets_of_unit in per_unit for i in sets_of_unit], dtype=numpy.int64)
        self.unit_starts = numpy.cumsum([0] + [len(u) for u in per_unit[:-1]]).astype(numpy.int64)
        self.local = numpy.concatenate([numpy.arange(len(u)) for u in per_unit]) if per_unit else numpy.zeros(0, numpy.int64)
        self.width = max((len(u) for u in per_unit), default=1)

    def choose(self, tokens: "Tokens") -> dict[int, tuple[int, int]]:
        """unit -> (the index of its first slot with the fewest occurrences, how many), for the units whose
        every slot occurs: the slot ``RuleMatcher.__call__``'s loop picks (strictly fewer replaces)."""
        if not self.units:
            return {}
        counts = tokens.count_sets(self.words, self.columns, self.starts)[self.slots]
        # the smallest count and, among equal counts, the first slot: one number per slot, one minimum per unit
        best = numpy.minimum.reduceat(counts * self.width + self.local, self.unit_starts)
        fewest, slot = numpy.divmod(best, self.width)
        keep = numpy.flatnonzero(fewest > 0)
        return dict(zip(numpy.asarray(self.units)[keep].tolist(), zip(slot[keep].tolist(), fewest[keep].tolist())))


class RuleMatcher:
    """Runs every rule of a set over :class:`Tokens` and returns merged (rule_id, start, end) token spans.

    The same matches as spaCy's ``Matcher`` (and ``PhraseMatcher`` on lemmas) run over the whole text
    with each pattern, then merged per rule (``merge_overlaps``), without a Python object per token.
    Why: spaCy's Matcher creates a Token object for every position it tries and evaluates ``IN``
    predicates in Python, so a long message cost ~100 ms. Here every pattern starts from its rarest
    required word in this text (a required token with literal words: all of them must occur, or the
    pattern is skipped), and is extended backwards and forwards from each occurrence over the token
    ids. Work is proportional to the occurrences of the rarest required words, linear on 100 kB.
    ``tests/safety/test_matcher.py`` checks the result against spaCy's own Matcher.
    """

    def __init__(self, nlp: Language, rules: Sequence[Rule], compiler: PatternCompiler, gap_breaks: Iterable[str] = ()) -> None:
        self.nlp = nlp
        self.rules = {rule.id: rule for rule in rules}
        strings = nlp.vocab.strings
        self._gap_ids = frozenset(strings.add(w) for w in gap_breaks)
        # rules whose matches may hold a gap break (Rule.crosses_breaks: every token named, punctuation too)
        self._crossing = frozenset(rule.id for rule in rules if rule.crosses_breaks)
        self._units: list[_Unit] = []
        self._keyed: tuple[dict[int, list[int]], dict[int, list[int]]] = ({}, {})  # per column: word -> units
        self._unkeyed: list[int] = []
        # what spaCy's Matcher and PhraseMatcher would run (tests/safety/test_matcher.py compares them)
        self.spacy_patterns: list[tuple[str, list[dict]]] = []
        self.phrases: list[tuple[str, str]] = []
        lemmatizer = nlp.get_pipe("lemmatizer")
        for rule in rules:
            for i, pattern in enumerate(rule.patterns):
                for tokens in self._compile(rule, i, pattern, compiler):
                    self._units.append(_unit(rule.id, tokens, strings))
            for phrase in rule.phrases:
                doc = lemmatizer(nlp.make_doc(phrase))
                if len(doc):  # a PhraseMatcher on LEMMA: the phrase's lemmas in a row
                    self.phrases.append((rule.id, phrase))
                    self._units.append(_unit(rule.id, [{"LEMMA": t.lemma_} for t in doc], strings))

        self._sets = _SlotSets(self._units)
        for index, unit in enumerate(self._units):
            if not unit.slots:
                self._unkeyed.append(index)
                continue
            key = unit.slots[unit.key]
            for word in key.words:
                self._keyed[key.column].setdefault(word, []).append(index)

    @property
    def size(self) -> int:
        """Number of compiled patterns and phrases."""
        return len(self._units)

    def _compile(self, rule: Rule, index: int, pattern: Pattern, compiler: PatternCompiler) -> list[list[dict]]:
        """Compile shorthand, or validate a raw pattern on its own so an error names its index."""
        try:
            compiled = compiler.compile(pattern) if isinstance(pattern, str) else [pattern]
            Matcher(self.nlp.vocab, validate=True).add("probe", compiled)
            for tokens in compiled:
                _unit(rule.id, tokens, self.nlp.vocab.strings)  # what this matcher cannot evaluate fails here
        except Exception as exc:  # ValueError from the shorthand, MatchPatternError/ValueError from spaCy
            shown = pattern if isinstance(pattern, str) else "raw pattern"
            raise RuleError(err(Errors.E008, file=rule.file, rule=rule.id, index=index, problem=f"{shown}: {exc}")) from exc
        self.spacy_patterns.extend((rule.id, tokens) for tokens in compiled)
        return compiled

    def __call__(self, tokens: Tokens) -> list[tuple[str, int, int]]:
        n = len(tokens)
        if not n:
            return []
        chosen: dict[int, tuple[int, int]] = {}  # unit -> (its slot with the fewest occurrences, how many)
        if n >= _SMALL:  # a long message: every unit's rarest slot at once (a Python loop per unit and slot
            chosen = self._sets.choose(tokens)  # was ~5 ms for 100 kB; the same slots), units missing a word left out
            candidates = set(self._unkeyed).union(chosen)
        else:  # only the units whose key words occur (a short message looks at a handful of the ~500)
            candidates = set(self._unkeyed)
            for column in (_LOWER, _LEMMA):
                keyed = self._keyed[column]
                for word in keyed.keys() & tokens.counts(column).keys():
                    candidates.update(keyed[word])
        if not candidates:
            return []
        next_gap = tokens.next_gap(self._gap_ids)
        no_gap = tokens.next_gap(frozenset()) if self._crossing else next_gap
        found: list[tuple[str, int, int]] = []
        counts = (tokens.counts(_LOWER), tokens.counts(_LEMMA))
        for unit_index in sorted(candidates):
            unit = self._units[unit_index]
            gaps = no_gap if unit.rule_id in self._crossing else next_gap
            if unit.slots:
                best: _Slot | None = None
                fewest = n + 1
                choice = chosen.get(unit_index)  # a long message: its rarest slot, chosen with every other unit's
                if choice is not None:
                    best, fewest = unit.slots[choice[0]], choice[1]
                for slot in unit.slots if choice is None else ():
                    if slot.word is not None:
                        count = counts[slot.column].get(slot.word, 0)
                    else:
                        count = tokens.count(slot.column, slot.words)
                    if count < fewest:
                        best, fewest = slot, count
                        if not count:
                            break
                if not fewest:
                    continue  # a required word is not in the text
                assert best is not None
                test, backward, forward = best.test, best.backward, best.forward
                first_before, first_after = best.first_before, best.first_after
                lo, le = tokens.lowers, tokens.lemmas
                if fewest >= _MANY_POSITIONS and best.near:  # (fewest: how many positions there are)
                    # the one other required word most likely to be missing near an occurrence, if any is
                    # likely to be: looking all of them up costs more than it saves
                    check, chance = None, _WORTH_CHECKING
                    for near in best.near:
                        column, words, nearest, farthest = near
                        share = tokens.count(column, words) * (min(farthest, n) - nearest + 1) / n
                        if share < chance:
                            check, chance = near, share
                    if check is not None:  # from the positions' array (no list turned back into an array)
                        positions = tokens.near(tokens.sorted_positions(best.column, best.words), (check,))
                    else:
                        positions = tokens.positions(best.column, best.words)
                else:
                    positions = tokens.positions(best.column, best.words)
                # the neighbours tested first are not tested again; no steps left: one start or end, no call
                after = 1 if first_after is None else 2
                before = 0 if first_before is None else 1
                if after == 2:
                    forward = forward[1:]
                if before:
                    backward = backward[1:]
                rule_id, add = unit.rule_id, self._add
                for p in positions:
                    # most occurrences fail at a neighbour: test the required ones before building sets
                    if first_after is not None and (p + 1 >= n or not first_after(lo, le, p + 1, tokens)):
                        continue
                    if first_before is not None and (p == 0 or not first_before(lo, le, p - 1, tokens)):
                        continue
                    if test is not None and not test(lo, le, p, tokens):
                        continue
                    ends = _forward(forward, p + after, tokens) if forward else (p + after,)
                    if ends:
                        add(rule_id, _backward(backward, p - before, tokens) if backward else (p - before,),
                            ends, gaps, found)
            else:
                for p in range(n):
                    ends = _forward(unit.steps, p, tokens)
                    ends.discard(p)
                    if ends:
                        self._add(unit.rule_id, {p}, ends, gaps, found)
        return merge_overlaps(found)

    @staticmethod
    def _add(rule_id: str, starts: Collection[int], ends: Collection[int], next_gap: list[int],
             found: list[tuple[str, int, int]]) -> None:
        """The longest match from each start whose interior holds no gap break ("a gap may not swallow a
        sentence end or 'but'", tunables.gap_breaks): merging keeps only the longest per start anyway."""
        if len(ends) == 1:  # the usual case: no generator per start
            (end,) = ends
            for start in starts:  # start < end <= max(start + 2, next_gap[start + 1] + 1), without calling max
                if start < end and (end <= start + 2 or end <= next_gap[start + 1] + 1):
                    found.append((rule_id, start, end))
            return
        for start in starts:
            limit = max(start + 2, next_gap[start + 1] + 1)
            end = max((e for e in ends if e <= limit and e > start), default=None)
            if end is not None:
                found.append((rule_id, start, end))


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
