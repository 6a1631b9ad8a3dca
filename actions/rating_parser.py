"""Read a 0-10 distress rating from what a person types.

Why a pure module: people answer "from 0 to 10, how strong is the distress?" in many ways ("7",
"seven", "about 7/10", "a 6 maybe", "7.5", "6 or 7", "idk"). The rating forms' validation actions
only decide what to *say*; this module decides what the words *mean*, and is tested on its own
(tests/actions/test_rating_parser.py). It never guesses: anything ambiguous or out of range is
INVALID, so the form asks again kindly instead of recording a number the person did not give.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import Enum
from typing import Optional

SCALE_MIN = 0
SCALE_MAX = 10


class RatingKind(str, Enum):
    """What an answer to the rating question turned out to be."""

    NUMBER = "number"
    UNSURE = "unsure"
    SKIP = "skip"
    INVALID = "invalid"


@dataclass(frozen=True)
class Rating:
    kind: RatingKind
    value: Optional[int] = None


NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}
_WORD = "|".join(NUMBER_WORDS)
# "no one", "this one": everyday uses of "one" that are not a rating.
_NOT_A_NUMBER_ONE = re.compile(r"\b(?:no|this|that|any|some|every|which|the)\s+one\b")
_HALF_WORD = re.compile(rf"\b({_WORD})\s+and\s+a\s+half\b")
_NUMBER_WORD = re.compile(rf"\b({_WORD})\b")
# "7/10", "7 / 10", "7 out of 10", "7 of ten": the scale, not a second number.
_SCALE = re.compile(r"\s*(?:/|\bout\s+of\b|\bouta\b|\bof\b)\s*(?:10|ten)\b")
_NEGATIVE = re.compile(r"(?:^|[\s(])-\s*\d")
_NUMBER = re.compile(r"(?<![\d.,])(\d+(?:[.,]\d+)?)")
# Between two numbers: a range ("6-7", "6 or 7", "6 to 7", "between 6 and 7").
_RANGE_JOINER = re.compile(r"^\s*(?:-|–|to|or|and|/)\s*$")
_FROM_TO = re.compile(r"\bfrom\s*$")

_UNSURE = re.compile(
    r"\b(?:idk|idek|dunno|unsure|not\s+sure|no\s+idea|no\s+clue|hard\s+to\s+say|"
    r"(?:i\s+)?(?:do\s*n[o']?t|dont)\s+know|can'?t\s+(?:say|tell)|cannot\s+(?:say|tell))\b"
)
_SKIP = re.compile(
    r"\b(?:skip|pass|rather\s+not|prefer\s+not|no\s+thanks|(?:do\s*n[o']?t|dont)\s+want\s+to\s+(?:say|rate))\b"
)


def _normalise(text: str) -> str:
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'").strip()
    text = _NOT_A_NUMBER_ONE.sub(" ", text)
    text = _HALF_WORD.sub(lambda m: f"{NUMBER_WORDS[m.group(1)]}.5", text)
    text = _NUMBER_WORD.sub(lambda m: str(NUMBER_WORDS[m.group(1)]), text)
    return _SCALE.sub(" ", text)


def _round_half_up(value: float) -> int:
    """7.5 -> 8 (Python's round() would give 8 here but 6.5 -> 6; people expect 7)."""
    return int(math.floor(value + 0.5))


def _value(numbers: list[re.Match], text: str) -> Optional[float]:
    """The one number meant, or None when the answer holds several unrelated numbers."""
    values = [float(m.group(1).replace(",", ".")) for m in numbers]
    if len(values) == 1:
        return values[0]
    if len(values) == 2:
        between = text[numbers[0].end():numbers[1].start()]
        if not _RANGE_JOINER.match(between):
            return None
        if _FROM_TO.search(text[: numbers[0].start()]):
            return values[1]  # "from 8 to 4": where it is now
        return sum(values) / 2  # "6 or 7": in between
    return None


def parse_rating(text: Optional[str]) -> Rating:
    """Interpret an answer to the 0-10 question. A number wins over words ("idk like 5" -> 5)."""
    if not text or not str(text).strip():
        return Rating(RatingKind.INVALID)
    normalised = _normalise(str(text))
    if _NEGATIVE.search(normalised):
        return Rating(RatingKind.INVALID)
    numbers = list(_NUMBER.finditer(normalised))
    if numbers:
        value = _value(numbers, normalised)
        if value is None or not SCALE_MIN <= value <= SCALE_MAX:
            return Rating(RatingKind.INVALID)
        return Rating(RatingKind.NUMBER, _round_half_up(value))
    if _SKIP.search(normalised):
        return Rating(RatingKind.SKIP)
    if _UNSURE.search(normalised):
        return Rating(RatingKind.UNSURE)
    return Rating(RatingKind.INVALID)
