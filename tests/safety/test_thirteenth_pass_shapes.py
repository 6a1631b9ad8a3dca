"""Thirteenth pass: danger told plainly or covertly that got only a question or nothing, and false crises.

Why it matters to the person: "when i cross the road i half hope a car won't stop", "i've hidden some of mum's
tablets under my mattress just in case", "she hits me whenever i argue back" or a goodbye with "don't wait up for me
this friday or any friday" got nothing or only "are you thinking about suicide?", while "now that the baby's here i've
made my will", "giving my things away because we're moving to canada" or "i used to want to die but therapy saved me"
showed the crisis lines and paged staff. Every text here is the helper's own phrasing of a shape seen in blind set 11
(opened as a read set after it was scored), not a line of the set; the look-alikes say what must stay quiet.
"""
from __future__ import annotations

import pytest

from safety import assess
from safety.assessment import Kind


@pytest.mark.parametrize("text", [
    # a plan, and going through with it; following someone who dies; nothing ever again after a date
    "ive got a plan and i reckon i'll go through with it soon",
    "no one would even notice if i disappeared",
    "when my cat passes im going too",
    "i've sorted it all. the time, the place, who finds me",
    "this is not a cry for help.",
    "drove to the car park again to finally do it. next time im not turning back.",
    "christmas is in three weeks and im not planning on seeing it",
    "the spot is chosen, and a note for my dad",
    "every night i stand at the river and think it would be quick.",
    "on the motorway i think about just swerving the wheel",
    "i'd be worth more to them, they'd be better off with the payout",
    "made sure my policy pays out no matter how it happens",
    # means and preparation
    "been researching my antidepressants in ways i really shouldn't be researching",
    "i've hidden some of mum's tablets under my mattress",
    "dads rifle is in the attic and nobody would even notice it gone",
    "most nights i sit in the garage with the gun",
    "left my bank logins in an envelope for my husband for when im gone",
    "gave my rabbit to my neighbour for a bit. she doesn't know it's for good",
    "wrote something for my sister to find, just in case i decide",
    "thank you for the sessions. i won't need the one on tuesday, or any after that.",
    "dont wait up for me this friday or any friday",
    "going to sleep for a very long time. goodnight",
    # an act under way, self-harm told covertly
    "already started. dont try to find me",
    "clean for 9 weeks until last night",
    "long sleeves all summer again to cover it",
    # ideation said sideways
    "the family would have a happier life if i wasnt in it",
    "when i cross the road i half hope a car won't stop.",
    "i just want to fall asleep and make sure i never wake",
    "ctb is looking so tempting",
    "since she died i want to be where she is",
    "i should've died in that accident",
    # abuse and danger from others
    "my stepdad threw my sister into the wall",
    "she hits me whenever i argue back",
    "theres a 25 year old from a game who wants to meet up, im 13",
    "mums boyfriend made me look at naked pictures",
    "hes outside kicking the door and shouting",
    # someone else
    "my friend put 'see you on the other side' on her story and hasnt replied since",
    "my uncle keeps talking about his rifle since his wife left and says nobody needs him",
    "overheard my brother saying he has a plan",
    "my brother keeps saying he shouldve died in the crash too",
])
def test_shape_escalates(text):
    assert assess(text).escalate, text


@pytest.mark.parametrize("text", [
    # look-alikes of the pass's rules
    "i have a plan for the essay and im going through with it",
    "once the storm passes im going out",
    "after that i won't need to worry about money ever again",
    "who finds me attractive though",
    "its not a cry for help, its a question about your fees",
    "next time i wont back out of the presentation",
    "the new series starts at christmas and im not planning on seeing it",
    "my birthday is next week and im not planning on seeing it with family",
    "we have a venue picked out for the wedding",
    "looking at the river thinking it would be quick to swim across",
    "i turned the wheel too hard in the car park",
    "googling my meds because i shouldn't be drinking on them",
    "the game has a shotgun nobody uses",
    "sat with the gun club lads at lunch",
    "wrote my passwords down so my wife can get into everything after i lose my phone again",
    "i don't know if it's forever with him",
    "i won't need the appointment next week, i'm feeling much better",
    "i won't need the appointment next week or any after that because i'm moving away",
    "dont wait up for me, i'll be late",
    "after exams im going to sleep for a long time lol",
    "dont try to find me at the gig, its packed",
    "rolled my sleeves down, its cold",
    "sleeves down all summer again cos of my eczema",
    "it would be easier if i wasn't in the meeting",
    "i hope the bus doesn't stop at every stop",
    "make sure i dont wake up the baby",
    "suicide squad is looking good",
    "i want to be where she is for christmas",
    "he should have died in the film",
    "honestly i should have been sacked for that mistake.",
    "threw the ball against the wall",
    "we're hiding in the bathroom from the spider lol",
    "she hits me up on snapchat",
    "she wants to meet up and im 16 too",
    "makes me watch dirty dancing every christmas",
    "hes outside banging on the door because he forgot his keys",
    "my dad keeps talking about his guns at dinner, he goes hunting",
    "she told me she has a plan to get fit",
    "nobody will miss me if i skip the christmas party",
    "my friend texted me look after my plants for me while im on holiday",
    # the false crises of the set, the helper's phrasings
    "nobody messaged me on my birthday and it stings",
    "sometimes i cry in my room at night because i miss home",
    "the queue at the post office made me want to die lmao",
    "now that the twins are born we wrote our will, feels so adult",
    "giving most of my things away because we're moving to canada",
    "if i told you about self harm from my teens would you have to tell anyone",
])
def test_look_alike_stays_quiet(text):
    assert not assess(text).escalate, text


@pytest.mark.parametrize("text", [
    # an ending with nothing ever again after it asks: "after that i won't need to worry about anything ever again,
    # it's the last exam" is said the same way
    "results day is friday. after that i won't have to deal with anything ever again",
    "the last job on my list is done. going to do it when everyone is away",
])
def test_shape_is_at_least_asked(text):
    assert assess(text).kind is not Kind.NONE, text


@pytest.mark.parametrize("text", [
    "i used to want to die every day. therapy honestly saved me",
    "two years since i was in hospital after my overdose. feeling hopeful",
])
def test_recovered_past_is_at_most_asked(text):
    assert assess(text).kind in (Kind.NONE, Kind.CHECK_IN), text


@pytest.mark.parametrize("text", [
    # the idioms are narrow: the same words with the danger kept still escalate
    "just wrote my will",
    "giving my things away, i won't need them",
    "my life made me want to die lol",
    "nobody will miss me on my birthday",
    "he comes into my room at night",
    "he's outside banging on the door right now and i have the kids with me",
    "i used to want to die and i'm feeling it again now",
    "left my logins on the desk for my partner. he'll need them after i'm gone",
])
def test_idioms_leave_the_danger(text):
    assert assess(text).escalate, text
