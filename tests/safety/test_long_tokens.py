"""Pasted junk without spaces ("!?.," or "'s" over and over) is split before spaCy sees it: its
tokenizer takes quadratic time on one long token of suffixes (20 kB of "'s" took 35 s), which would
stall every path that assesses a message. How fast assess is stays in `make bench`."""
import re

from safety import assess
from safety.engine import LONGEST_TOKEN, _tokeniser_safe, _tokeniser_safe_cuts, get_engine


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


# Ordinary text with its spaces taken out: no word in it is a risk word, but the break every LONGEST_TOKEN
# characters put a space in place of a letter, and a half word was read as a word ("mym|o|od" -> "od" ->
# "overdose": a crisis for 100 kB of this).
SPACELESS = "whatshouldisaytomydoctoraboutmymood.i'msodonewiththisessay.theplantonmydeskfinallydied."


def test_the_break_records_where_it_cut_a_word_and_only_there():
    assert _tokeniser_safe_cuts("a" * 250) == (_tokeniser_safe("a" * 250), [100, 201])
    assert _tokeniser_safe_cuts("!?.," * 100)[1] == []  # punctuation: no word was cut
    assert _tokeniser_safe_cuts("\U0001f52a" * 300)[1] == []  # nor in a run of emoji
    assert _tokeniser_safe_cuts("i want to kill myself") == ("i want to kill myself", [])


def test_half_a_word_left_by_the_break_is_not_a_risk_word():
    text = "x" * 97 + "mymood.i'msodonewiththisessay." * 10
    assert _tokeniser_safe(text)[97:103] == "mym od"  # the break falls inside "mood"
    assert get_engine().rule_hits(text) == []
    assert not assess(text).escalate


def test_100_kB_of_ordinary_text_without_spaces_does_not_escalate():
    text = (SPACELESS * (100_000 // len(SPACELESS) + 1))[:100_000]
    assert get_engine().rule_hits(text) == []
    assert not assess(text).escalate


def test_a_real_message_glued_to_spaceless_junk_still_escalates():
    junk = (SPACELESS * (100_000 // len(SPACELESS) + 1))[:100_000]
    for text in [junk[:50_000] + " i want to kill myself " + junk[50_000:], "x" * 150 + "i want to kill myself",
                 junk + "i want to kill myself tonight", "\U0001f52a" * 300 + " i want to kill myself"]:
        assessment = assess(text)
        assert assessment.escalate
        assert any(text[span.start:span.end] == "kill myself" for span in assessment.spans)
