"""Everyday phrasings of the weaker intents are read as what they are (issue 12, ninth pass).

Why: read as something else, "opening up to people is so hard for me" got the fallback ("I'm not sure
I understood") instead of the reply about what makes reaching out hard, and "i cant stop overthinking
everything" got the reply for overwhelm instead of the one for anxiety. Main's model (at bf97548) missed
both; the examples added to data/nlu/everyday.yml fix them. These texts are not training examples.
"""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("text, intent", [
    ("opening up to people is so hard for me", "reaching_out_hard"),
    ("i cant stop overthinking everything", "mood_anxious"),
])
def test_everyday_phrasing_gets_its_intent(pipeline, text, intent):
    parse = pipeline.parse(text)
    assert parse["intent"]["name"] == intent, (parse["intent"], parse.get("safety"))
