"""A risk phrase anywhere in a very long message is found, and reported where the person wrote it.

Why: a pasted letter or diary page can be 100 kB, and the matchers only look near words that can start a
rule (safety/matcher.py skips the rest); a phrase at the very start, in the middle or at the very end,
or one whose words are far apart in the text but near in tokens, must still escalate. How fast that is
stays in `make bench` (safety/bench.py).
"""
import pytest

from safety import assess
from safety.assessment import Kind

FILLER = "work was long and the bus was late again, so i made some tea and watched the rain. "
PHRASE = "i want to kill myself"
SIZE = 100_000


def _long_with(phrase: str, where: float) -> tuple[str, int]:
    """About SIZE characters of ordinary text with ``phrase`` at fraction ``where`` of it."""
    filler = FILLER * (SIZE // len(FILLER) + 1)
    cut = filler.rfind(". ", 0, int(SIZE * where)) + 2 if where > 0 else 0
    text = filler[:cut] + phrase + ". " + filler[cut:SIZE]
    return text, cut


@pytest.mark.parametrize("where", [0.0, 0.37, 0.5, 1.0])
def test_a_risk_phrase_anywhere_in_100_kb_escalates_and_points_at_it(where):
    text, at = _long_with(PHRASE, where)
    assessment = assess(text)
    assert assessment.escalate
    assert any(span.start <= at + 10 < span.end and "kill myself" in text[span.start:span.end]
               for span in assessment.spans)


def test_the_same_100_kb_without_the_phrase_stays_quiet():
    text, _ = _long_with("", 0.5)
    assert not assess(text).escalate


def test_risk_far_apart_in_a_long_message_combines_as_in_a_short_one():
    """An emergency needs a crisis phrase and a plan signal; they count across the whole message."""
    short = "i want to kill myself. i have the pills ready"
    long_text = "i want to kill myself. " + FILLER * 1200 + "i have the pills ready"
    assert assess(short).kind is Kind.EMERGENCY
    assert assess(long_text).kind is Kind.EMERGENCY



def test_assessing_a_long_message_leaves_the_garbage_collector_as_it_was():
    """assess pauses the collector during a long message (safety/engine.py, PAUSE_GC_FROM) and must hand
    it back as it found it: on stays on, off stays off, also when the message escalates."""
    import gc

    from safety.engine import PAUSE_GC_FROM

    text, _ = _long_with(PHRASE, 0.5)
    assert len(text) >= PAUSE_GC_FROM
    assert gc.isenabled()
    assert assess(text).escalate and gc.isenabled()
    gc.disable()
    try:
        assert assess(text).escalate and not gc.isenabled()
    finally:
        gc.enable()
