"""Pasted junk without spaces ("!?.," or "'s" over and over) is split before spaCy sees it: its
tokenizer takes quadratic time on one long token of suffixes (20 kB of "'s" took 35 s), which would
stall every path that assesses a message. How fast assess is stays in `make bench`."""
import re

from safety import assess
from safety.engine import LONGEST_TOKEN, _tokeniser_safe


def test_long_runs_without_spaces_are_broken_and_nothing_moves():
    for text in ["'s" * 3000, "!?.," * 2000, "a" * 1000, "ok " + "🔪" * 500, "http://x.example/" + "a-b" * 300]:
        safe = _tokeniser_safe(text)
        assert len(safe) == len(text)  # spans and offsets still point into the text as given
        assert max(len(run) for run in re.findall(r"\S+", safe)) <= LONGEST_TOKEN
        assert all(a == b or b == " " for a, b in zip(text, safe))


def test_ordinary_text_is_left_alone():
    text = "i want to kill myself, it's all too much!!! 🔪🩸"
    assert _tokeniser_safe(text) == text


def test_risk_before_pasted_junk_is_still_found():
    text = "i want to kill myself " + "'s" * 3000
    assessment = assess(text)
    assert assessment.escalate
    assert any("kill myself" in text[span.start:span.end] for span in assessment.spans)
