"""Answers to "what makes reaching out feel hard?" are heard, not read as a new risk signal.

After the crisis reply and a refusal, the assistant asks what makes reaching out hard. Read as a
check-in, an answer such as "they'd just make it worse" got "are you having thoughts of ending your
life right now?" a second time instead of the offer of a safety plan. These texts are not training
examples. (Not "I don't want to be a burden": a sense of being a burden is a risk sign the rules ask
about, rightly, whatever the classifier says.)
"""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("text", [
    "honestly they would only make things worse",
    "they'd probably just tell my parents",
    "what if they call my parents",
    "calling a stranger feels impossible",
])
def test_why_reaching_out_is_hard_is_understood(pipeline, text):
    parse = pipeline.parse(text)
    assert parse["intent"]["name"] == "reaching_out_hard", (parse["intent"], parse.get("safety"))
