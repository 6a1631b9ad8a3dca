"""Text normalisation that keeps a map back to the original characters.

Why: people in distress type fast and disguise words ("k1ll mys3lf",
"diiiie", "sewerslide", "i want to 🔪 myself"), and the rules should be
written once, against plain lowercase English.  Every transformation is
recorded so that spans found in the normalised text can be reported as
offsets into the message the person actually typed.

What happens, in one left-to-right pass (linear in the length of the text):

* lowercase, and curly/odd apostrophes become ``'``;
* invisible joiners, variation selectors and skin-tone modifiers are dropped;
* emoji listed in ``normalisation.yml`` become words (🔪 -> " knife ");
* a word of ``spelled_out`` typed letter by letter with one separator ("d i e",
  "k.m.s", "s-u-i-c-i-d-e") becomes the word; only those words, so "a b c",
  "i.e." and "U.K." stay as typed;
* a word with letters starred out ("s*icidal", "k*ll", "su**ide") becomes the one word of
  ``censored`` it can stand for (each run of ``*`` or ``#`` one or two letters more than it has), and
  stays as typed when it could be none or several ("f*ck", "so*");
* each word is looked up in ``replacements`` (slang, misspellings:
  "kms" -> "kill myself", "sucide" -> "suicide"); a word that is not in the
  vocabulary is also tried with leetspeak undone ("k1ll" -> "kill") and with
  letter runs collapsed ("diiiie" -> "die", "cutt" -> "cut"), keeping the first
  candidate the vocabulary knows.  Unknown words are left alone, so ordinary
  text is never mangled.

Missing apostrophes ("dont", "im", "cant") need nothing here: spaCy's English
tokenizer exceptions already split them into the same lemmas as "don't".
"""
from __future__ import annotations

import itertools
import re
from functools import lru_cache
from bisect import bisect_right
from dataclasses import dataclass
from typing import Container, Iterator, Mapping, NamedTuple, Sequence

import numpy

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'", "\uff07": "'"})
#: str.translate looks every character up in a dict (~9 ms for 100 kB): only when one of these is there
_ODD_APOSTROPHE = re.compile("[\u2019\u2018\u02bc`\u00b4\uff07]")
_DROP = "\ufe0f\ufe0e\u200d\u200b\u200c\U0001F3FB-\U0001F3FF"
_DROP_CHARS = "\ufe0f\ufe0e\u200d\u200b\u200c" + "".join(map(chr, range(0x1F3FB, 0x1F400)))
_DROP_SET = frozenset(_DROP_CHARS)  # the characters of _DROP, looked up one at a time
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_WORD = r"[a-z0-9@$]+(?:['\-][a-z0-9@$]+)*"
_RUN = re.compile(r"([a-z])\1+")
#: numbers with units or ordinals ("4am", "2nd", "10mg") are never leetspeak
_MEASURE = re.compile(r"^[0-9]+(?:st|nd|rd|th|am|pm|s|k|m|x|h|hr|hrs|min|mins|kg|lb|lbs|mg|ml|g|mm|cm|km|yo|yr|yrs)?$")
#: letters that English doubles, so "killll" -> "kill" is tried before "kil";
#: for the others ("diiiie", "sooo") the single letter is tried first.
_DOUBLING = frozenset("eolsftpnrdcmgbz")
_MAX_CANDIDATES = 32
#: a word with letters starred out ("s*icidal", "k**l", "su#cide"): letters or digits with a run of * or # inside
#: or at the end, not touching another word character
_CENSORED = r"(?<![a-z0-9@$*#])[a-z0-9]+(?:[*#]+[a-z0-9]+)+[*#]*(?![a-z0-9@$*#])|(?<![a-z0-9@$*#])[a-z0-9]+[*#]+(?![a-z0-9@$*#])"
_STAR_RUNS = re.compile(r"[*#]+|[^*#]+")
#: from this many spans on, ``Normalised.to_original_all`` maps them with array operations
_MANY_SPANS = 64


@dataclass(frozen=True)
class NormalisationData:
    """The data that drives normalisation (loaded from rules/normalisation.yml)."""

    leet: Mapping[str, tuple[str, ...]]
    emoji: Mapping[str, str]
    replacements: Mapping[str, str]
    spelled_out: frozenset[str] = frozenset()  # joined when typed letter by letter
    censored: frozenset[str] = frozenset()  # recovered when typed with letters starred out


class _Segment(NamedTuple):
    """One stretch of the output and where it came from. A NamedTuple, not a frozen dataclass: a long
    message of emoji makes 100,000 of them, and a frozen dataclass's __init__ cost 3.5 us each."""

    out_start: int
    out_end: int
    orig_start: int
    orig_end: int
    exact: bool  # one output char per input char, offsets shift 1:1


class Normalised:
    """Normalised text plus the offset map back to the original."""

    __slots__ = ("text", "original", "_segments", "_starts", "undisguised")

    def __init__(self, text: str, original: str, segments: Sequence[_Segment], undisguised: bool = False) -> None:
        self.text = text
        self.original = original
        #: a disguise was undone (leetspeak, letters spelled out or starred out): the risk model, trained on
        #: plain spelling, should read ``text``, not the disguise (safety.engine)
        self.undisguised = undisguised
        self._segments = list(segments)
        self._starts = [s.out_start for s in self._segments]

    def to_original_all(self, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
        """``to_original`` of each span; where nothing was rewritten, offsets map to themselves without a
        look-up per span (a long message has thousands)."""
        segments, size = self._segments, len(self.original)
        if len(segments) == 1 and segments[0].exact and segments[0].out_start == segments[0].orig_start == 0:
            # nothing was rewritten: offsets are the same, clamped to the text as to_original clamps them
            return [(min(max(s, 0), size), min(max(e, min(max(s, 0), size)), size)) if e > s else (0, 0)
                    for s, e in spans]
        if len(spans) < _MANY_SPANS or not segments or len(segments) > 8 * len(spans):
            # few spans, or far more segments than spans (each segment costs ~0.14 us to turn into the
            # arrays below, each span ~2 us here: 100 kB of rewritten leetspeak has 30,000 segments)
            return [self.to_original(start, end) for start, end in spans]
        # the same arithmetic as to_original, for all spans at once (~3 ms -> ~0.4 ms for 2,300 spans)
        array = numpy.asarray(spans, dtype=numpy.int64).reshape(-1, 2)
        start, end = array[:, 0], array[:, 1]
        # out_start, out_end, orig_start, orig_end, exact (fromiter: numpy.asarray reads tuples ~10x slower)
        columns = numpy.fromiter(itertools.chain.from_iterable(segments), dtype=numpy.int64,
                                 count=5 * len(segments)).reshape(-1, 5)
        out_start, orig_start, orig_end, exact = columns[:, 0], columns[:, 2], columns[:, 3], columns[:, 4] != 0
        first = numpy.maximum(numpy.searchsorted(out_start, start, side="right") - 1, 0)
        last = numpy.maximum(numpy.searchsorted(out_start, end - 1, side="right") - 1, 0)
        o_start = numpy.where(exact[first], orig_start[first] + (start - out_start[first]), orig_start[first])
        o_end = numpy.where(exact[last], orig_start[last] + (end - out_start[last]), orig_end[last])
        o_start = numpy.minimum(numpy.maximum(o_start, 0), size)
        o_end = numpy.minimum(numpy.maximum(o_end, o_start), size)
        empty = end <= start
        o_start[empty] = 0
        o_end[empty] = 0
        return list(zip(o_start.tolist(), o_end.tolist()))

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``[start, end)`` span of ``self.text`` onto ``self.original``.

        A span that touches a rewritten word ("kms" -> "kill myself") widens
        to the whole original word, so the reported span always covers what
        the person typed.
        """
        if not self._segments or end <= start:
            return (0, 0)
        first = self._segments[max(0, bisect_right(self._starts, start) - 1)]
        last = self._segments[max(0, bisect_right(self._starts, end - 1) - 1)]
        o_start = first.orig_start + (start - first.out_start) if first.exact else first.orig_start
        o_end = last.orig_start + (end - last.out_start) if last.exact else last.orig_end
        o_start = min(max(o_start, 0), len(self.original))
        o_end = min(max(o_end, o_start), len(self.original))
        return (o_start, o_end)


class Normaliser:
    """Callable that turns a raw message into :class:`Normalised` text.

    ``vocabulary`` is the set of words considered "real": the lemmatizer's
    lookup table plus every word the rules use.  It is what lets the
    normaliser undo "k1ll" and "diiiie" without touching "4am" or "bookkeeper".
    """

    def __init__(self, data: NormalisationData, vocabulary: Container[str]) -> None:
        self.data = data
        self.vocabulary = vocabulary
        emoji_class = "".join(re.escape(e) for e in data.emoji)
        parts = [f"(?P<drop>[{_DROP}])"]
        if emoji_class:
            parts.append(f"(?P<emoji>[{emoji_class}])")
        spelled = _spelled_pattern(data.spelled_out)
        self._spelled = re.compile(spelled) if spelled else None
        if spelled:
            parts.append(f"(?P<spelled>{spelled})")
        if data.censored:
            parts.append(f"(?P<censored>{_CENSORED})")
        parts.append(f"(?P<word>{_WORD})")
        self._censored = re.compile(_CENSORED) if data.censored else None
        self._censor_prefixes = frozenset(w[:i] for w in data.censored for i in range(1, len(w)))
        self._censor_suffixes = frozenset(w[i:] for w in data.censored for i in range(1, len(w)))
        self._uncensored: dict[str, str | None] = {}
        self._pattern = re.compile("|".join(parts))
        self._words = re.compile(_WORD)
        self._special = re.compile(f"[{_DROP}{emoji_class}]")
        # every character the class above holds, when none is ASCII (then only non-ASCII characters, found by a
        # far simpler scan, need looking up: 0.2 instead of 2 ms for 100 kB); None: scan with the class
        chars = set(_DROP_CHARS) | {c for e in data.emoji for c in e}
        self._special_chars = None if any(c.isascii() for c in chars) else frozenset(chars)
        leet_chars = "".join(re.escape(c) for c in data.leet)
        self._has_leet = re.compile(f"[{leet_chars}]") if leet_chars else None
        self._cache: dict[str, str | None] = {}
        self._changing: set[str] = set()  # the cached words whose replacement is not None

    def __call__(self, text: str) -> Normalised:
        lowered = text.lower()
        if len(lowered) != len(text):  # e.g. "İ": keep such characters as typed
            lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
        if _ODD_APOSTROPHE.search(lowered):
            lowered = lowered.translate(_APOSTROPHES)
        # fast path: most messages need no rewriting at all
        changed = self._changed(lowered)
        if changed is None:
            return Normalised(lowered, text, [_Segment(0, len(lowered), 0, len(lowered), True)] if lowered else [])

        pieces: list[str] = []
        segments: list[_Segment] = []
        out_pos = 0
        copied_from = 0  # start of the pending unchanged stretch in `lowered`

        def flush(upto: int) -> None:
            nonlocal out_pos
            if upto > copied_from:
                n = upto - copied_from
                pieces.append(lowered[copied_from:upto])
                segments.append(_Segment(out_pos, out_pos + n, copied_from, upto, True))
                out_pos += n

        emoji, rewrite = self.data.emoji, self._word
        undisguised = False
        for m in self._matches(lowered, changed):
            kind = m.lastgroup
            if kind == "word":
                new = rewrite(m.group())  # (also a word the plain word scan did not see: "hard" after "d i e-")
                if new is None:
                    continue  # unchanged: stays in the pending stretch
                flush(m.start())
                undisguised = undisguised or bool(self._has_leet and self._has_leet.search(m.group()))
            elif kind == "censored":
                new = self._uncensor(m.group())
                if new is None:
                    continue  # "f*ck", "so*": stays as typed
                flush(m.start())
                undisguised = True
            elif kind == "spelled":
                undisguised = True
                flush(m.start())
                joined = _SEPARATORS.sub("", m.group())
                new = self._word(joined) or joined  # "k.m.s" -> "kms" -> "kill myself"
            elif kind == "emoji":
                flush(m.start())
                # pad with a space only where needed ("🔪myself" -> "knife myself",
                # "💊💊" -> "pills pills"): a double space would become a
                # whitespace token and break adjacency in patterns
                before = bool(pieces) and not pieces[-1][-1:].isspace()
                j = m.end()
                while j < len(lowered) and lowered[j] in _DROP_SET:
                    j += 1
                nxt = lowered[j] if j < len(lowered) else " "
                after = not nxt.isspace() and nxt not in emoji
                new = (" " if before else "") + emoji[m.group()] + (" " if after else "")
            else:
                flush(m.start())
                new = ""
            if new:
                pieces.append(new)
                segments.append(_Segment(out_pos, out_pos + len(new), m.start(), m.end(), False))
                out_pos += len(new)
            copied_from = m.end()
        flush(len(lowered))
        return Normalised("".join(pieces), text, segments, undisguised)

    def _matches(self, lowered: str, changed: frozenset[str]) -> Iterator[re.Match]:
        """The pattern's matches, stretch by stretch, skipping stretches where nothing is rewritten.

        Why: the loop above costs a Python step per word (~20 ms for 100 kB) and almost every word is
        kept. The text is cut where a white-space character follows white space or punctuation: no match
        spans that cut (a word has no white space, a spelled-out word never two non-letters in a row), and
        every look-around near it reads the same, so scanning stretch by stretch gives the same matches as
        one scan. A stretch with no emoji, invisible character, spelled-out word or word to rewrite is
        skipped: there every match is a word kept as typed (the loop's ``continue``)."""
        # where something may be rewritten (a superset: a stretch marked for nothing only costs its scan)
        marks = self._special_positions(lowered)
        spelled = [] if self._spelled is None else [m.start() for m in self._spelled.finditer(lowered)]
        if changed:
            marks.extend(m.start() for m in _any_of(changed).finditer(lowered))
        if not spelled and len(marks) * _SPARSE_MARKS < len(lowered):
            # No spelled-out word anywhere, so no match holds white space: each marked run of non-white-space
            # scans alone as it scans in the whole text (100 kB of words without punctuation is one stretch,
            # and a Python step for each of its ~15,000 words cost ~20 ms where a few hundred change). Only
            # when marks are sparse: with one in every run (rows of emoji) a scan per run costs more than one scan.
            yield from self._runs(lowered, marks)
            return
        marks.extend(spelled)
        ends = [m.end() for m in _STRETCH_END.finditer(lowered)]
        ends.append(len(lowered))
        if len(marks) >= len(ends):  # marks in (nearly) every stretch (100 kB of emoji): one scan, the same matches
            yield from self._pattern.finditer(lowered)
            return
        for stretch in sorted({bisect_right(ends, mark) for mark in marks}):
            start = ends[stretch - 1] if stretch else 0
            yield from self._pattern.finditer(lowered, start, ends[stretch])

    def _runs(self, lowered: str, marks: list[int]) -> Iterator[re.Match]:
        """The pattern's matches in each run of non-white-space characters that holds a mark, in order (only
        when the text holds no spelled-out word: every other match lies inside one such run)."""
        done = 0  # the end of the last run scanned
        for mark in sorted(marks):
            if mark < done:
                continue
            start = mark
            while start > done and not lowered[start - 1].isspace():
                start -= 1
            done = _NON_SPACE.match(lowered, mark).end()
            yield from self._pattern.finditer(lowered, start, done)

    def _changed(self, lowered: str) -> frozenset[str] | None:
        """The words of the text that are rewritten, or None when no emoji, invisible character or word
        needs rewriting (the fast path). Words met before are answered by one set intersection with the
        cached words that change, not a look-up per word (~3 ms of 6 for the 5,000 distinct words of 100 kB)."""
        words = set(self._words.findall(lowered))
        changed = words & self._changing
        if self._censored is not None and ("*" in lowered or "#" in lowered):
            changed.update(m.group() for m in self._censored.finditer(lowered) if self._uncensor(m.group()))
        for w in words.difference(self._cache):  # not met before (or not cached: the cache is full)
            if self._word(w) is not None:
                changed.add(w)
        if changed or self._special_positions(lowered, first=True) or (
                self._spelled is not None and self._spelled.search(lowered)):
            return frozenset(changed)
        return None

    def _special_positions(self, lowered: str, first: bool = False) -> list[int]:
        """Where an emoji or invisible character is (only the first one when ``first``)."""
        if self._special_chars is None:
            found = self._special.finditer(lowered)
        elif lowered.isascii():  # known to the string itself: no scan at all
            return []
        elif len(lowered.encode("utf-8", "surrogatepass")) - len(lowered) > _MANY_NON_ASCII_BYTES:
            # mostly non-ASCII (another script, rows of emoji): the character class, in C, beats a Python
            # step per character (~20 ms for 100 kB of Cyrillic and Chinese); the same positions
            found = self._special.finditer(lowered)
        else:
            special = self._special_chars
            found = (m for m in _NON_ASCII.finditer(lowered) if m.group() in special)
        if first:
            return [m.start() for m in itertools.islice(found, 1)]
        return [m.start() for m in found]

    # -- words -----------------------------------------------------------
    def _uncensor(self, token: str) -> str | None:
        """The one word of ``censored`` that ``token`` stands for, letters starred out ("s*icidal",
        "su**ide"), or None. At least two letters must show, and stars may hide at most half the word.

        Cheap first: a token whose first or last letters begin or end no such word (almost every starred
        word, and junk such as 100 kB of "x*yz") is answered by two set look-ups, and answers are cached
        (bounded), so a pattern is compiled only for the few plausible spellings."""
        try:
            return self._uncensored[token]
        except KeyError:
            pass
        runs = _STAR_RUNS.findall(token)
        found: list[str] = []
        letters = sum(c.isalpha() for c in token)
        if letters >= 2 and runs[0] in self._censor_prefixes and (
                runs[-1][0] in "*#" or runs[-1] in self._censor_suffixes):
            pattern = re.compile("".join(
                f"[a-z]{{{len(run)},{len(run) + 1}}}" if run[0] in "*#" else re.escape(run) for run in runs) + "$")
            found = [w for w in self.data.censored if pattern.match(w) and len(w) <= 2 * letters]
        result = found[0] if len(found) == 1 else None
        if len(self._uncensored) < 50_000:
            self._uncensored[token] = result
        return result

    def _word(self, word: str) -> str | None:
        """The replacement for ``word``, or None to keep it as typed."""
        try:
            return self._cache[word]
        except KeyError:
            pass
        result = self._rewrite(word)
        if len(self._cache) < 50_000:  # bounded: a 100 kB message of junk must not grow memory
            self._cache[word] = result
            if result is not None:
                self._changing.add(word)
        return result

    def _rewrite(self, word: str) -> str | None:
        repl = self.data.replacements
        if word in repl:
            return repl[word]
        if word in self.vocabulary:
            return None
        if not any(c.isalpha() for c in word):
            return None  # "988", "10", "@" stay as typed
        for candidate in self._candidates(word):
            if candidate in repl:
                return repl[candidate]
            if candidate in self.vocabulary:
                return candidate if candidate != word else None
        return None

    def _candidates(self, word: str) -> list[str]:
        """Plausible intended spellings: leet undone, then letter runs collapsed."""
        out: list[str] = []
        if (self._has_leet is not None and self._has_leet.search(word) and sum(c.isalpha() for c in word) >= 2
                and not _MEASURE.match(word)):
            # undone leetspeak must be a known word as it stands: no run collapsing
            # on top of it, or "4am" -> "aam" -> "am"
            options = [self.data.leet.get(c, (c,)) for c in word]
            out.extend("".join(p) for p in itertools.islice(itertools.product(*options), _MAX_CANDIDATES))
        for base in (word,):
            out.append(base)
            runs = list(_RUN.finditer(base))
            if not runs:
                continue
            choices = []
            for run in runs:
                letter = run.group(1)
                two, one = letter * 2, letter
                choices.append((two, one) if letter in _DOUBLING else (one, two))
            for combo in itertools.islice(itertools.product(*choices), _MAX_CANDIDATES):
                pieces, last = [], 0
                for run, rep in zip(runs, combo):
                    pieces.append(base[last:run.start()])
                    pieces.append(rep)
                    last = run.end()
                pieces.append(base[last:])
                out.append("".join(pieces))
        return out


_SEPARATORS = re.compile(r"[ .\-*_]")
_NON_SPACE = re.compile(r"\S*")
#: marks rarer than one per this many characters are scanned run by run (Normaliser._matches)
_SPARSE_MARKS = 16
#: from this many UTF-8 bytes beyond one per character, emoji are found with the character class (_special_positions)
_MANY_NON_ASCII_BYTES = 8_000
#: where the text may be cut into stretches that scan alone as they scan together (Normaliser._matches)
_STRETCH_END = re.compile(r"[.,!?;:\s](?=\s)")  # the cut is the match's end (a look-behind first: 2.0 ms, this 1.4)


@lru_cache(maxsize=256)
def _any_of(words: frozenset[str]) -> re.Pattern:
    """A pattern finding each of ``words`` wherever the word scan can read it: not inside a run of
    word characters (it also finds them inside hyphenated words, which only marks a stretch more)."""
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(f"(?<![a-z0-9@$])(?:{alternatives})(?![a-z0-9@$])")


def _spelled_pattern(words: frozenset[str]) -> str:
    """One regex for the words of ``words`` typed letter by letter with one separator throughout
    ("d i e", "d.i.e", "d-i-e", "d*i*e"), not inside a longer word."""
    alternatives = []
    for n, word in enumerate(sorted(words, key=lambda w: (-len(w), w))):
        letters = [re.escape(c) for c in word]
        sep = rf"(?P<sep{n}>[ .\-*_])"
        # ... and not one more spelled letter after it ("d i e t" is not "die")
        more = f"(?!(?P=sep{n})[a-z](?![a-z0-9]))"
        alternatives.append(letters[0] + sep + f"(?P=sep{n})".join(letters[1:]) + more)
    if not alternatives:
        return ""
    return "(?<![a-z0-9])(?:" + "|".join(alternatives) + ")(?![a-z0-9])"
