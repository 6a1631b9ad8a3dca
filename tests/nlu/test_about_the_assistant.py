"""Words about the assistant are not a feeling to reflect back.

"you're useless" was answered "It sounds like you're feeling useless" in a walk-through: the feeling
lookup found "useless" and the classifier chose a feeling. These texts are not training examples.
"""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("text", ["you are so useless", "honestly this is not helping me", "ur just a useless chatbot"])
def test_complaints_about_the_assistant_are_understood_as_such(pipeline, text):
    assert pipeline.parse(text)["intent"]["name"] == "not_helping"
