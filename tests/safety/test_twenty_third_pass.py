"""Twenty-third pass (blind set 21, blind-2026-12-07g, opened as a read set after it was scored).

Why it matters to the person: someone praying not to wake, or wishing to sleep for years and not wake; someone hoping
their heart stops by itself; a young person planning their own funeral with the date chosen; an email scheduled for a
time the writer says they will not see; a letter to a dead father telling him his things are given away; someone who
has already taken something and is going sleepy or numb; someone in the sea not turning back; a cut in the toilets at
work; a child told by the pastor not to tell what he does; disclosures in patois of cutting and of being touched; a
coworker's "last day, and not just at work"; a friend's "tonight i go" to a bridge; a rope in a flatmate's room waved
away; and a joke taken back ("jk... unless? no but really"). Each of these was answered with a question or with
nothing. And someone whose spreadsheet crashed, who asked for a podcast on the science of self-harm, who gave away a
cat's old bed, joked about sleeping forever after a night shift, wrote thank-you notes for a grandmother's neighbours,
told a dead mother they had stopped hurting themselves, or told a recovered past that ends in loving their life was
answered as if a life were in danger. Every text here is the helper's own phrasing of a shape seen in set 21; each risk
line has a look-alike that must stay quiet, and each quiet line a dangerous twin that must still escalate
(safety/rules/twenty_third_pass.yml, idioms.yml `idiom.twenty_third_*`, recovery markers in tunables.yml, and
intent.die_soon no longer reading "died today").
"""
from __future__ import annotations

import pytest

from safety import assess

ESCALATES = [
    # passive ideation
    "i wish i could sleep for a whole year and never wake up",
    "i just want to sleep for a decade and not wake up",
    "please just take me in my sleep tonight",
    "is it weird to wish you didn't exist",
    "is it normal to wish you had never been born",
    "every night i hope my heart just gives out",
    "i keep hoping my heart just stops",
    # plans and timelines
    "organising my own funeral, i've chosen the hymns and the day",
    "scheduled a text to my sister for tomorrow. by then i won't be around",
    "by then i won't be here. it explains why",
    "that's my last poem, and my last night.",
    "tomorrow i go to the cliffs. don't tell my mum",
    "no point anymore. tonight i go",
    # preparation and farewells
    "dear mum, i've given away your rings. i'll be with you soon",
    "it's like getting ready for a journey i won't come back from",
    "final post. don't come looking",
    "it was good knowing y'all. i'm out for good",
    "bye everyone, not coming back from this",
    "haha jk. unless? no honestly i don't think i'll be here next month",
    # attempt in progress
    "just did it. so drowsy. thank you for everything",
    "already done it. dizzy now. sorry",
    "i swallowed everything and now i can't feel my fingers",
    "i did it, i took them all",
    "i'm in the river, it's freezing, i'm not going back",
    # self-harm
    "locked myself in the bathroom at school and cut again",
    "went to the toilets and cut, i can't stop",
    "i cut up my arm again last night",
    "mi cut mi arm again last night",
    "the urges are really strong tonight",
    "urges so bad rn",
    # abuse and a child at risk
    "he said i'm not allowed to tell anyone what he does to me at night",
    "my coach told me not to tell what he did to me",
    "mi uncle touch mi inna bad way",
    # someone else at risk
    "my daughter has a noose in her wardrobe and said don't worry about it",
    "she texted 'sorry. bye everyone. don't look for me'",
    "i'm done. don't look for me",
    "my brother says the voices want him dead and he should help it along",
    # the idioms' dangerous twins: the same words with pain, a person, intent, a time or a relapse
    "i'm ready to jump off a bridge if this pain doesn't stop",
    "gonna jump off the roof if he hits me again",
    "i want to sleep forever",
    "going to sleep forever. see you on the other side",
    "giving away my cat and all my things",
    "giving away my cat's things because i won't be here after friday",
    "i stopped hurting myself for a year but started again last week",
    "i stopped hurting myself but last night i cut again",
    "a year ago i wanted to die and today i want to die again",
    "my cat died today and i want to die too",
    "i'm going to die today",
    "i wish my heart would stop beating",
    "i wish my heart would just stop",
]

QUIET = [
    # look-alikes of the risk rules
    "i want to sleep for ten hours and wake up refreshed",
    "i could sleep for a week and then wake up to a clean house",
    "don't let me wake up late tomorrow, i've got an interview",
    "is it normal to wish you were taller",
    "is it weird to wish you'd never moved abroad",
    "my gran is planning her own funeral and picked the hymns",
    "we bought a funeral plan for my dad, they set the date for the first payment",
    "scheduled an email for monday, by then i'll be on leave",
    "last day at work tomorrow, not just for me, the whole team is leaving",
    "that's my last painting for the exhibition and my last day off",
    "no point waiting, tonight i go to the gym",
    "packing for a trip, i'm not coming back until june",
    "last text before my flight lands, don't wait up",
    "sorry, running late, don't look for me at the start",
    "i'm done with work, don't look for me at the pub",
    "final message from the organisers: please don't look at the answers",
    "just did it, my first bungee jump, so dizzy, love you guys",
    "just did it! finally ran the marathon, so tired, love you all",
    "it was nice knowing everyone on the course, i'm done for the summer",
    "jk lol, i don't think i'll be around next month, the job is in leeds",
    "already did it. feeling sleepy now. thanks for the reminder, homework's in",
    "just did my long run, so sleepy, thanks for the tips",
    "i'm in the sea at brighton, not going back to the hotel till six",
    "went to the bathroom and cut my fringe",
    "went to my room and cut out the pattern",
    "i cut up my arm on the fence climbing",
    "i'm cutting up vegetables for dinner",
    "sugar urges are really bad tonight",
    "the urges to smoke are bad tonight",
    "i'm not allowed to tell anyone what he's getting for christmas",
    "the song touched me in a good way",
    "he keeps a climbing rope in his room and said don't worry, it's for the wall",
    "god wants him to help the church along",
    # false alarms of set 21, in the helper's words
    "honestly ready to jump off a cliff if this laptop freezes again",
    "gonna jump off a bridge if one more person asks about my thesis",
    "recommend books on the psychology of self harm for my dissertation",
    "sleep forever mode on after the night shift",
    "gonna sleep forever after that exam, see you tomorrow",
    "giving away my dog's old toys and bed, he's living with my sister now",
    "gave away the baby's cot to a neighbour",
    "wrote cards for all the nurses who looked after dad",
    "signed a farewell card for my colleague who's moving to spain",
    "made a goodbye cake for our intern",
    "i've finally stopped cutting, two years now",
    "my dog died today",
    "my gran died today, she was 94",
    # found while probing the pass's look-alikes (passive.heart_to_stop)
    "i wish my heart would stop racing before exams",
    "hoping my heart stops pounding soon, the coffee was too strong",
]

# A recovered past told to someone: capped at a question (check_in), never a crisis.
CAPPED = [
    "mum, i stopped hurting myself. i think you'd be proud",
    "used to want to die when i was at school. i love my life now",
    "a year ago i wanted to die; today i held my baby nephew",
]


@pytest.mark.parametrize("text", ESCALATES)
def test_escalates(text):
    assert assess(text).escalate, text


@pytest.mark.parametrize("text", QUIET)
def test_does_not_escalate(text):
    assert not assess(text).escalate, text


@pytest.mark.parametrize("text", CAPPED)
def test_recovered_past_is_not_a_crisis(text):
    assert not assess(text).escalate, text


def test_something_taken_and_numb_is_an_emergency():
    assert assess("i took something and now i can't feel my legs").kind.value == "emergency"
    assert not assess("i took the dog out in the frost, can't feel my hands").escalate


def test_in_the_water_not_turning_back_is_an_emergency():
    assert assess("i'm in the lake now, so cold, i'm not turning back").kind.value == "emergency"
    assert not assess("i'm in the sea at brighton, not going back to the hotel till six").escalate


def test_a_relapse_after_stopping_voids_the_idiom():
    """idiom.twenty_third_stopped_hurting_myself is in tunables.yml recovered.relapse_voids."""
    assert not assess("i stopped hurting myself last year. i think you'd be proud").escalate
    assert assess("i stopped hurting myself last year but i relapsed last night").escalate
