"""Reading level of a response: textstat's Flesch-Kincaid grade, computed the same way on every machine.

textstat counts syllables with NLTK's CMU dictionary when it can download it, and with pyphen's
hyphenation dictionary otherwise. The download is not possible in CI (no network), and a score that
differs between a laptop and CI would make the lint flaky, so we always use the pyphen path (textstat's
own fallback, shipped with it): no download is ever attempted.
"""
from __future__ import annotations

import re
from typing import Optional

import textstat
from textstat.backend.counts import _count_syllables

# textstat's count_syllables uses the CMU dictionary when get_cmudict returns one and pyphen otherwise.
_count_syllables.get_cmudict = lambda lang: None  # type: ignore[assignment]
textstat.set_lang("en_US")

_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")  # markdown link: keep the words
_URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+")
_MARKUP = re.compile(r"[*_`#>]+")


def scoring_text(text: str) -> str:
    """What a reader reads: placeholders, URLs and markdown removed."""
    text = _PLACEHOLDER.sub(" ", text)
    text = _LINK.sub(r"\1", text)
    text = _URL.sub(" ", text)
    text = _MARKUP.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip()


def word_count(text: str) -> int:
    return textstat.lexicon_count(scoring_text(text))


def grade(text: str, min_words: int) -> Optional[float]:
    """Flesch-Kincaid grade, or None when the text is too short to score reliably."""
    cleaned = scoring_text(text)
    if textstat.lexicon_count(cleaned) < min_words:
        return None
    return round(float(textstat.flesch_kincaid_grade(cleaned)), 1)
