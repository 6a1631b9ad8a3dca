"""Twenty-second pass (blind set 20, blind-2026-12-07f, opened as a read set after it was scored).

Why it matters to the person: a child who tells a friend that an adult burns her; someone held captive for days by a
man who knows where she lives; a twelve-year-old being groomed by a relative's partner; a man sitting in his car in a
shut garage with the engine on; a father who has quietly taken the gun cabinet key; someone telling everyone they are
better off, or passing on love in the past tense; a plan with only the night left to choose, kept through a discharge
by hiding it from the staff on the ward; a cut after a coping skill failed; a widower who tells his family he will not
be a burden to them for long, with guns in the house. Each of these was answered with a question or
with nothing. And someone who recovered, asked about a show, or asked whether they would be sectioned for thoughts they
had years ago was answered as if a life were in danger. Every text here is the helper's own phrasing of a shape seen in
set 20; each risk line has a look-alike that must stay quiet, and each quiet line a dangerous twin that must still
escalate (safety/rules/twenty_second_pass.yml, idioms.yml `idiom.twenty_second_*`, recovery and relapse markers in
tunables.yml).
"""
from __future__ import annotations

import pytest

from safety import assess

ESCALATES = [
    # ... and its farewell twin beside it
    "tell gran i loved her christmas jumper. i won't be here for the next one",
    # a sharp thing kept to cut with (found on main while probing)
    "smashed my phone screen and i'm keeping a shard to cut with",
    "i kept a piece of the broken mirror to cut with",
    # abuse and a child at risk
    "my friend's stepdad burns her with a lighter when she's naughty",
    "my boyfriend burnt me with his cigarette again",
    "a customer kept me at his place for three nights and wouldn't let me leave",
    "my ex locked me in the bedroom all weekend",
    "i'm worried my brother-in-law is grooming my daughter, she's 11",
    "pretty sure the tutor has been grooming my son online",
    # active ideation
    "my thoughts of suicide are getting louder and i can't switch them off",
    "the suicidal thoughts won't stop tonight",
    # attempt in progress
    "in my truck inside the garage with the door shut, the engine has been running an hour",
    "garage door down, engine on. sorry everyone",
    "on the cliff edge. dark out. needed someone to know before i jump",
    # means and preparation
    "the shotgun safe key is on my own keyring now. haven't told the family why",
    "changed the code on the rifle safe. haven't told anyone why",
    "been hiding my sleeping tablets instead of swallowing them at night",
    "once there are enough i can finally go",
    # farewells
    "that's me done. you'll all be better off.",
    "y'all are better off, honestly",
    "sorry dad. tell my little brother i loved him",
    "thanks for trying. look after yourselves, for good.",
    "won't need another session. bye for good",
    # intent and timeline
    "please cancel my booking, i'm not planning on being alive by sunday",
    "i won't still be alive by friday",
    "cancel it, it won't matter soon. i've decided about tomorrow.",
    # passive ideation
    "if i was knocked down by a lorry on the way to work i wouldn't care",
    "if a train hit me i'd be relieved honestly",
    "lost my husband in april. i wish i could go and join him, nothing's left",
    "can't see any reason to keep going anymore",
    # plans
    "i've planned it for ages. after my mum's wedding, so it doesn't spoil it for her",
    "my plans are finished except for the day",
    "discharged from the unit on friday and i still have a plan, nobody asked properly",
    # self-harm
    "ended up cutting again even after the ice",
    "ended up burning myself again last night",
    # someone else at risk
    "grandad's text said 'won't have to deal with me for much longer x'",
    "found scratches across his thighs and he swears they're from the dog",
    "her last message sounds like a goodbye and she's not picking up",
    # the idioms' dangerous twins: the same words with intent, a time, a method, or a relapse
    "watched the show about the boy who kills himself and i'm going to do what he did tonight",
    "that series about the girl who kills herself made me want to kill myself",
    "evicted on friday, nowhere to go, and i'm going to end it tonight",
    "he hits me and i've got nowhere to go with the kids",
    "i've had suicidal thoughts every day this week. would my psychiatrist section me if i said?",
    "if i told my gp i used to have suicidal thoughts would they report it? i'm having them again",
    "if i tell my therapist i've had suicidal thoughts before will they section me, i have the pills ready",
    "my thoughts of ending it all have gone quiet since i decided",
    "my thoughts of ending it all had gone quiet but last night they came back",
    "my thoughts of ending it have gone quiet and i've got the rope ready",
    "therapy turned it around years ago, but i'm going to kill myself tonight",
    "i haven't self-harmed in 40 days but i just want to die",
    "i've hidden broken glass in my room",
    "my new glasses came today and i've got a blade in my drawer",
]

QUIET = [
    # a message about a thing passed on, not a farewell (idiom.twenty_second_loved_her_thing)
    "please tell gran i loved her christmas jumper",
    # ... and its look-alikes
    "keeping the bread knife to cut with",
    "i saved the broken mirror for the art project",
    # look-alikes of the risk rules
    "her dad burns the sausages with the grill on high",
    "the snow kept us in the cabin for three days",
    "she held me in her arms for hours",
    "she's been grooming her poodle for the dog show",
    "the author's thoughts about suicide are constant in the second act",
    "the car is in the garage, engine's running rough",
    "left the car in the garage and the engine is off",
    "at the pool. stretching before i jump in",
    "moved the car key onto my own keyring. didn't tell my wife why, it's a surprise",
    "put the cabinet key on my keyring so the kids can't get in",
    "when there are enough of us we'll go to the pub",
    "i keep my inhaler in the drawer instead of my bag",
    "you're all better off with the newer phone",
    "you'd be better off taking the bus",
    "tell her i loved the flowers she sent",
    "quitting vaping for good",
    "won't need the next session, i'm feeling loads better",
    "i won't be around on friday, i'm on holiday",
    "i don't plan to be alive by 90 with my genes",
    "doesn't matter now, i've made up my mind about the dress",
    "made my mind up about tonight, staying in with a film",
    "if i got hit by a ball i wouldn't mind, it's only tennis",
    "if i got hit by a car i'd be furious",
    "my mates went to the funeral and i want to go and join them at the wake",
    "don't see the reason to keep going to that class",
    "i'll tell him after his birthday so i don't ruin it for him",
    "been planning it for weeks. after my son's birthday we fly to spain",
    "my plan for the wedding is set, we haven't chosen the date yet",
    "my plan is ready, i'll send it to my tutor",
    "i already have a plan for the essay, i wrote what the examiners want to hear",
    "discharged on monday and i still have a plan for physio",
    "ended up cutting the hedge anyway",
    "ended up burning the toast again",
    "you won't have to cope with me much longer, my exams finish friday and i'll be home",
    "saw a rash on her arm, she says it's from the new soap",
    "her leaving card read like a farewell speech",
    "his resignation letter reads like a goodbye to the team",
    # false alarms of set 20, in the helper's words
    "my ears ache from my new varifocal glasses",
    "my reading glasses broke and the new ones pinch",
    "the film about the soldier who shoots himself was really powerful",
    "the series about a boy who hanged himself was too graphic",
    "the bailiffs come next week and we have nowhere to stay",
    "the landlord's selling up, nowhere to live after june",
    "if i told my gp i used to have suicidal thoughts would they report it",
    "if i mention to the psychiatrist that i've had suicidal thoughts before, could they section me?",
    # a recovered past (tunables.yml recovered)
    "i used to want to kill myself when i was at uni. medication turned it around, now i'd like help with sleep",
    "two years ago i was cutting most days. i have not cut for 200 days, and the urges to hurt myself have gone quiet lately",
]


@pytest.mark.parametrize("text", ESCALATES)
def test_escalates(text):
    assert assess(text).escalate, text


@pytest.mark.parametrize("text", QUIET)
def test_does_not_escalate(text):
    assert not assess(text).escalate, text


def test_a_car_running_in_a_shut_garage_is_an_emergency():
    assert assess("sitting in the van inside the garage, the motor is running, so drowsy").kind.value == "emergency"
    assert not assess("the car is in the garage, engine's running rough").escalate


def test_a_high_place_then_the_jump_is_an_emergency():
    assert assess("on the ledge of the tower block. nobody about. needed someone to know before i jump").kind.value == "emergency"
    assert not assess("at the pool. stretching before i jump in").escalate


def test_thoughts_gone_quiet_are_capped_until_a_relapse():
    """The quiet idiom sets the words inside aside; a relapse after it voids it (tunables recovered.relapse_voids)."""
    assert not assess("my thoughts of ending it all have been quieter for months, thanks to the new team").escalate
    assert assess("my thoughts of ending it all have been quieter for months, but last night they came back").escalate
