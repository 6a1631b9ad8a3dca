"""Eighteenth pass (blind set 16, blind-2026-12-07b, opened as a read set after it was scored).

Why it matters to the person: someone whose voice says they have to die, who wants to "end myself", who would be
grateful if a lorry took them out, who has given their things away in patois or prays in Tagalog not to wake, whose
employer keeps their passport, or whose small child says a man "touches her", was only asked or not answered at all;
someone "dying inside" at work, waiting on a prescription "ready for pickup", with jump leads in the boot, or whose
voices have gone quiet on new meds was answered as if their life were in danger. Every text here is the helper's own
phrasing of a shape seen in set 16; each quiet line has a dangerous twin that must still escalate, and each risk line
a look-alike that must stay quiet (safety/rules/eighteenth_pass.yml, idioms.yml `idiom.eighteenth_*`, tunables
recovery markers "i'm safe,", "no plans to hurt myself", "they've gone quiet", and "N years ago tonight" no longer
read as the present; idiom.dying_to no longer reads "have to die for" or "want to die for").
"""
from __future__ import annotations

import pytest

from safety import assess

ESCALATES = [
    # voices
    "the voice keeps saying i have to die for what i did",
    "the voices in my head tell me to jump",
    "the voice picked the date and i've agreed",
    # ideation said sideways
    "honestly i just want to end myself",
    "been thinking about ending myself lately",
    "i'd rather take myself out first than go through that",
    "mi a tink bout fi kill miself",
    "mi wish god would tek mi in mi sleep",
    "sana hindi na ako magising bukas",
    "ayoko na mabuhay",
    "mi nuh waan live again",
    "there is no use of my living now",
    "i don't see any reason to go on living",
    "i wish i'd never woken up in the first place",
    "if a bus took me out on the way home i'd honestly be grateful",
    "i'd be glad if a lorry hit me",
    "would my family manage better if i were no longer alive",
    "i'm just waiting for my life to be over",
    "i want to go to sleep and not have to face tomorrow or any day after",
    "everyone would be fine without me, probably happier",
    "honestly the world would be sweet as without me in it",
    "i've decided i'm not going to be alive for christmas",
    "i don't want my wife to be the one to find me",
    "i want to die for real",
    # means, attempt, preparation
    "the rope's in the car",
    "just took everything",
    "i've taken them all",
    "took everything i had on purpose. feel sick",
    "had a couple of drinks, took some pills, wrote the letters",
    "mi give weh all mi tings already",
    "that car nearly hit me. next time i'm stepping out properly",
    "ok goodbye, i've made up my mind",
    "please cancel my appointment, i won't be here. no need to rebook",
    "i won't be a burden to anyone after sunday",
    "found a letter from my daughter saying she's sorry and it's not my fault",
    "my brother got out of hospital yesterday and says he's going to finish what he started",
    # abuse
    "he had his hands round my neck during a row last night",
    "my daughter told me her uncle touches her. what do i do",
    "my boss took my passport and doesn't let me go outside",
    # the idioms' dangerous twins: a plain risk phrase beside each idiom still escalates
    "i'm dying inside and i want to kill myself",
    "i feel like someone's died. i want to die too",
    "pills ready for pickup. going to take them all tonight",
    "jump leads in the boot. i'm going to jump off the bridge tonight",
    "my therapist asked if i've had thoughts of suicide and the answer was yes",
    "they want to decriminalise attempted suicide and i attempted suicide last week",
    "i lost my brother to suicide and now i want to kill myself",
    "no reason to keep living in this pain",
    "intrusive thoughts or not, i cut myself last night",
    "i'll take myself out for dinner, then i'm going to kill myself",
    "he'll finish what he started on the shed. i want to die",
    "i want to kill myself",
    "i tried to kill myself last week",
    "i have a plan to end it on friday",
    "my step dad touches me at night and i'm scared to go home",
    "the voices told me to hurt myself and tonight i did",
    "my son said the babysitter touched him down there",
    "the lorry missed me. next time i'm stepping out properly",
    "i've made up my mind about the pills. goodbye",
    "i used to want to die but not anymore. last night i cut again",
    "i took an overdose years ago. i'm safe, but tonight i'm going to do it again",
    "she asked if i want to kill myself and i lied, the answer was no",
    "my 5 year old says grandpa touches her and she's scared",
    "pills ready for pickup, i'm going to take them all tonight",
    "i'm dying inside, i tried to kill myself last week",
    "my character loses her son to suicide and i want to kill myself too",
    "lol it's fine, won't matter much longer anyway 🪦",
    "the voices keep telling me i must die",
    "honestly if a van knocked me down i wouldn't care",
    "my sister got out of the psych unit and wants to finish the job",
    "my daughter says her uncle touches her at night",
    "he had his hands round my throat and threatened to kill me",
    "i tried to kill myself 2 years ago. glad to be here tbh but i want to do it again",
    "i tried to kill myself 2 years ago. i'm fine now but i want to do it again",
    "i keep having intrusive thoughts of hurting myself",
    "i'm going to take myself out to the bridge tonight and end it",
    "i'll take myself out to the woods with the rope",
    "my whole character has changed and i'm close to suicide",
    "goodbye. made up my mind on the date",
    "my attempted suicide is a crime here and i'm scared",
]

QUIET = [
    # voices and ideation look-alikes
    "the voice note says i have to pay by friday",
    "the voice in my head says i need to finish this essay",
    "the voice assistant told me the date and i agreed to the booking",
    "i want to end my shift early",
    "i'm going to take myself out for dinner",
    "treating myself: i'll take myself out for a nice lunch",
    "i take myself out first thing for a run",
    "mi nuh waan live inna dis yard again",
    "hindi na ako nagigising ng maaga",
    "no use in my living room for a piano",
    "there's no reason to keep living in this flat",
    "i wish i'd woken up earlier",
    "if a bus took me to work i'd be grateful",
    "if a car hit me i'd be furious",
    "if i were no longer here at this firm they'd cope",
    "waiting for my shift to be over",
    "waiting for my life to get better",
    "i want to not have to do tomorrow's meeting",
    "everyone would be fine without me at the meeting",
    "i've decided i'm not going to be around for the party",
    "i don't want the kids to be the ones to find the presents",
    "a view to die for",
    "to die for!",
    # means, attempt, preparation look-alikes
    "rope's in the boot for the tent",
    "it took everything i had not to cry",
    "just took everything to the tip",
    "had a few drinks, took a few photos, wrote a few postcards",
    "give way to traffic",
    "next time i'm stepping out i'll wear a coat",
    "made up my mind, going to the beach. bye",
    "i won't be here next week, on holiday. no need to rebook, i'll call you",
    "it won't be a problem after friday",
    "a note from the neighbour, sorry about the parking",
    "after the hospital visit he'll finish what he started on the shed",
    # abuse look-alikes
    "my toddler put his hands around my neck for a cuddle",
    "she told me her friend touches her hair",
    "my employer took my passport to renew my visa",
    # false alarms of set 16, in the helper's words
    "honestly dying inside at this meeting. pub later?",
    "he ended it after four years. feels like someone died",
    "are my tablets ready to collect?",
    "jump leads saved me tonight after the late shift",
    "my gp asked if i'd had thoughts of self harm and the answer was finally no",
    "good news, they voted to decriminalise attempted suicide",
    "in my novel the detective loses his daughter to suicide. how do i write the grief?",
    "voices told me to hurt myself last year. with the new meds they've gone quiet",
    "two years since my attempt. still here, glad to be",
    "the voice on the radio told me to jump on the deal",
    "i used to hear voices telling me to die but not since the clozapine",
    "the coach told us he touches them at practice",
    "hit me up. next time i'm stepping out properly for drinks",
    "goodbye, i've made up my mind about the job",
    "i've been in hospital and now i'm going to finish what i started on my thesis",
    "those brownies are to die for",
    "the exam won't matter soon anyway",
    "my toddler put his hands round my neck and said he'd never let go, cute",
    "back from the hospital visit, he wants to finish the job on the roof before winter",
]


@pytest.mark.parametrize("text", ESCALATES)
def test_escalates(text):
    assert assess(text).escalate, text


@pytest.mark.parametrize("text", QUIET)
def test_does_not_escalate(text):
    assert not assess(text).escalate, text


def test_took_everything_said_alone_is_an_emergency():
    assert assess("just took everything").kind.value == "emergency"


def test_a_command_voice_is_not_set_aside_as_to_die_for():
    """idiom.dying_to reads "a cake to die for"; "have to die for what i did" is the writer's own death."""
    assert assess("the voice says i have to die for what i did").escalate
    assert not assess("this cake is to die for").escalate


def test_anniversary_tonight_is_the_past():
    """"five years ago tonight" is an anniversary; the overdose then, told with the writer safe now, is not an
    emergency. "tonight" said of now still is."""
    told = "five years ago tonight i was in a&e after an overdose. i'm safe, i have no plans to hurt myself"
    assert assess(told).kind.value != "emergency"
    assert assess("five years ago i overdosed. tonight i took an overdose again").escalate
