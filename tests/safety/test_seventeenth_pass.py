"""Seventeenth pass (blind set 15, blind-2026-12-07, opened as a read set after it was scored).

Why it matters to the person: someone who has worked out how and when, who keeps a prescription "for when i'm ready",
who says "wanna not wake up fr", who has taken many tablets and feels strange, or whose nephew is asked for photos by a
grown man, was only asked or not answered at all; a gamer who wants to "unalive my controller", someone relapsed on
the betting, someone who cut themselves shaving, or someone who says "kill myself? over HIM? never." was answered as if
their life were in danger. Every text here is the helper's own phrasing of a shape seen in set 15 (a few keep the
set's wording where the shape is the wording); each quiet line has a dangerous twin that must still escalate, and
each risk line a look-alike that must stay quiet (safety/rules/seventeenth_pass.yml, idioms.yml `idiom.seventeenth_*`,
tunables `negation.answered_asides`, recovery markers "scars have faded", "been stable since").
"""
from __future__ import annotations

import pytest

from safety import assess

ESCALATES = [
    "i wrote a poem about the suicide i'm planning",
    "this song is about the overdose i've been planning",
    'worked out how and when. sunday night, nobody home.',
    "i've decided it'll be this friday after my shift.",
    'tomorrow night. decided.',
    "it'll be the rope, once the kids are at their dad's",
    "got my prescription filled and i'm not taking them. keeping them for when i'm ready",
    'wanna not wake up fr',
    'i wish i could just vanish and nobody would notice',
    'do you ever wish you were never born. because same',
    'would be easier to be dead than to face the court date',
    'stubbed a cigarette out on my wrist last night',
    'i take many tablet now. i feel strange.',
    'a 40 year old man keeps asking my niece for photos on snapchat',
    "my son's taken my pension card. i'm frightened of him",
    'going to the bridge after work. just wanted someone to know',
    'looked up the train times. not to travel.',
    "decided i'll use the rope once everyone's asleep",
    'she asked why it sounded like a goodbye. it was.',
    'had enough. sorted the will and the cat last week.',
    "she said she's taking all her pills tonight and left the call",
    "my friend keeps posting about suicide and it's getting really specific",
    "he said he'd make sure none of us were around to see christmas",
    "part of me wants to take the train. the not-coming-back one",
    "got the rifle cleaned and i've written a note for my wife",
    'i want to unalive myself',
    'i want to unalive',
    'i say unalive because of the filters. i want to unalive',
    'relapsed on self harm after 6 months',
    'i relapsed on cutting last night',
    'suicide is a sin but i want to kill myself',
    "i self harm. what's the difference between self harm and a suicide attempt?",
    "giving away all my stuff because i won't need it",
    "i cut myself on purpose and it won't stop bleeding",
    'my friend wants to kill her boyfriend',
    "i'm going to kill him for what he did to me",
    'i wrote a goodbye note and hid it with my pills',
    'kill myself? over him? yes.',
    "kill myself? over him? never thought i'd say it but yes",
    'used to burn myself. scars have faded but i did it again last night',
    "i had an attempt five years ago and i've been stable since but tonight i want to die",
]

QUIET = [
    'i wrote a poem about a suicide in my town',
    "the suicide prevention walk i'm planning is on sunday",
    'worked out how and when to tell my boss',
    "we've decided it'll be this friday for the party",
    'tomorrow morning. decided to go for a run.',
    "it'll be the pills for my migraine",
    "it'll be the rope swing by the river",
    'i want to not wake up early on saturday',
    'my keys vanish and nobody notices',
    'easier to be done than to face another meeting',
    'someone stubbed a cigarette out on my car',
    'my aunt keeps asking him for photos of the baby',
    'going to the bridge after work to meet the lads',
    'looked up train times for saturday, not to london though',
    "decided i'll use the van when the boss leaves",
    "he asked why it sounded like a goodbye. it wasn't, i'm moving house",
    "sorted the will and the dog's vet bills with my solicitor",
    "he's taking everything tonight to the tip",
    "my friend is posting about her holiday and it's getting specific",
    'make sure none of you are around to see the cake before the party',
    "i'm not coming back to this gym, one way or another",
    "got the gun cleaned for duck season",
    'that boss fight made me want to unalive my controller',
    'you can now unalive the final boss in one hit lmao',
    'why do people say unalive instead of kill?',
    'relapsed on the betting after 6 months. rang my sponsor.',
    'our pastor preached that suicide is an unforgivable sin',
    "what's the difference between self-harm and a suicide attempt? for my essay",
    "my mate's giving away all his furniture because he's emigrating to canada",
    "i cut myself shaving and it won't stop bleeding, any tips?",
    'she wants to kill her boyfriend for leaving the toilet seat up lol',
    'our dog died. the kids wrote him a goodbye note and we buried it with him',
    "kill myself? over him? never. i'm just furious",
    'i used to burn myself as a teen. scars have faded. can i tattoo over them?',
    "i had an attempt years ago and i've been stable since. just need help with moving stress",
    "i'm dead 💀",
]


@pytest.mark.parametrize("text", ESCALATES)
def test_escalates(text):
    assert assess(text).escalate, text


@pytest.mark.parametrize("text", QUIET)
def test_does_not_escalate(text):
    assert not assess(text).escalate, text


def test_poem_about_the_suicide_im_planning_is_more_than_a_question():
    """idiom.fiction_about reads "poem about the suicide"; the writer's own plan after it still escalates."""
    assert assess("i wrote a poem about the suicide i'm planning").escalate
    assert not assess("i wrote a poem about a suicide in my town").escalate


def test_many_tablets_feeling_strange_is_an_emergency():
    assert assess("i take many tablet now. i feel strange.").kind.value == "emergency"


def test_denial_after_an_aside_caps_only_that_match():
    """"kill myself? over him? never." is a denial; a time or a plan after it is not taken back."""
    assert not assess("kill myself? over him? never.").escalate
    assert assess("kill myself? over him? yes. tonight").escalate
