"""The words that name a death or a loss are data (actions/loss_words.yml), not code (issue 12).

Grief is reflected as a bereavement ("I'm so sorry for your loss") only once the conversation named a loss;
otherwise missing someone gets a reply that fits a breakup as well (actions/feelings.py, MISSING_SOMEONE).
Content designers edit the list; these tests check that it loads, what it matches, and that a breakup is
not a loss.
"""
from __future__ import annotations

import pytest
from rasa_sdk import Tracker

from actions import feelings
from actions.feelings import LOSS_WORDS_FILE, WordListError, load_word_list, loss_named, words_pattern


@pytest.mark.parametrize("text", [
    "my nan died last week", "my dad passed away in march", "since he PASSED nothing is the same",
    "the funeral is tomorrow", "im grieving my grandad", "we were bereaved last year", "i had a miscarriage",
    "we had to euthanize our dog", "he was put to sleep on monday", "we lost our baby", "i lost my mum",
    "its the anniversary of his death", "my late husband", "she was cremated on friday", "rip grandma",
    "i lost   my dad",  # spaces typed twice still match a phrase
])
def test_a_named_loss_is_matched(text):
    assert load_word_list().search(text)


@pytest.mark.parametrize("text", [
    "she left me", "we broke up last week", "i keep checking his instagram", "i cant stop looking at her photos",
    "i just miss her", "my ex blocked me everywhere", "he moved out on sunday",
    "deadline is friday",  # whole words only: "dead" is not in "deadline"
    "gravel path", "tripped on the stairs",
])
def test_a_breakup_or_an_ordinary_message_is_not_a_loss(text):
    assert not load_word_list().search(text)


def test_a_word_added_by_a_content_designer_is_matched(tmp_path):
    path = tmp_path / "loss_words.yml"
    path.write_text("words:\n  - passed on\n  - stillbirth*\n", encoding="utf-8")
    pattern = load_word_list(path)
    assert pattern.search("my mum Passed On in may") and pattern.search("after the stillbirths")
    assert not pattern.search("she passed the ball")


@pytest.mark.parametrize("content", ["", "words: []\n", "words: died\n", "- died\n"])
def test_a_broken_file_is_refused(tmp_path, content):
    path = tmp_path / "loss_words.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(WordListError):
        load_word_list(path)


def test_an_empty_word_is_refused():
    with pytest.raises(WordListError):
        words_pattern(["died", " "])


def test_the_action_reads_the_file_the_designers_edit():
    assert LOSS_WORDS_FILE.name == "loss_words.yml" and LOSS_WORDS_FILE.is_file()
    feelings.loss_words.cache_clear()
    assert feelings.loss_words().pattern == load_word_list().pattern


def test_loss_named_looks_at_the_whole_conversation():
    events = [{"event": "user", "text": "my dad passed away in march", "parse_data": {}},
              {"event": "user", "text": "i just miss him", "parse_data": {}}]
    tracker = Tracker("c", {}, {}, events, False, None, {}, "")
    assert loss_named(tracker)
    breakup = [{"event": "user", "text": "we broke up last week", "parse_data": {}},
               {"event": "user", "text": "yeah i keep checking her instagram", "parse_data": {}}]
    assert not loss_named(Tracker("c", {}, {}, breakup, False, None, {}, ""))
