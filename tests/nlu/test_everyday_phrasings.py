"""Everyday phrasings of the weaker intents are read as what they are (issue 12, ninth pass).

Why: read as something else, "opening up to people is so hard for me" got the fallback ("I'm not sure
I understood") instead of the reply about what makes reaching out hard, and "i cant stop overthinking
everything" got the reply for overwhelm instead of the one for anxiety. Main's model (at bf97548) missed
both; the examples added to data/nlu/everyday.yml fix the first. These texts are not training examples.
The second was read as anxiety by h3-f1's model at 0.34 and as the fallback once the same day's other data was
added: a phrasing this close to the fallback threshold is not a behaviour to pin, so it was not asserted;
ten overthinking examples since (6 Dec) put it well clear of the threshold (the figure is in the commit).
"""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("text, intent", [
    ("opening up to people is so hard for me", "reaching_out_hard"),
    # Issue 12 seams (6 Dec): main's model read the first as anger (0.52) and gave the second the fallback;
    # data/nlu/everyday.yml has fresh examples of work piling up (overwhelm) and overthinking (anxiety).
    ("my manager keeps piling things on", "mood_overwhelmed"),
    ("i cant stop overthinking everything", "mood_anxious"),
])
def test_everyday_phrasing_gets_its_intent(pipeline, text, intent):
    parse = pipeline.parse(text)
    assert parse["intent"]["name"] == intent, (parse["intent"], parse.get("safety"))
