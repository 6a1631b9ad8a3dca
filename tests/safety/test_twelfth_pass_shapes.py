"""Twelfth pass (issue 8): danger told plainly that the rules left to the model's question, and false crises.

Why it matters to the person: "the gun's on the table next to me", "took something. feel sick", "friday. that's
when." or "see you on the other side" with a grave emoji got only "are you thinking about suicide?" (or nothing), while
"do you treat eating disorders in adults", "razor burn", a repeat prescription, "clean 6 years now" or "kms this wifi"
showed the crisis lines and paged staff. Every text here is the helper's own phrasing of a shape seen in blind sets 8-10
(opened as read sets after they were scored), not a line of any blind set; the look-alikes say what must stay quiet.
"""
from __future__ import annotations

import pytest

from safety import assess
from safety.assessment import Kind


@pytest.mark.parametrize("text", [
    # means beside the writer now, an act under way, a place and last words
    "urges are so strong rn and there's a razor in my drawer",
    "there is so much blood. i think i cut too deep",
    "blood all over the floor, i think i went too far",
    "i've taken something and i feel really dizzy",
    "just took something. please don't call anyone",
    "sat in the car in my garage rn. this is it",
    "im on the platform and im not here to catch a train",
    "it's all set up. sitting here trying to work up the nerve",
])
def test_danger_now_is_an_emergency(text):
    assert assess(text).kind is Kind.EMERGENCY


@pytest.mark.parametrize("text", [
    # means beside the writer now (a crisis; with a time or an intent beside it, danger now)
    "my dads pistol is sitting on the bed next to me",
    "the noose is right beside me",
    # a time decided
    "saturday. that's when.",
    "christmas eve. thats my date. nobody will look till boxing day",
    "the 3rd is my date.",
    "it's tonight",
    "its tonight.",
    "im going to take all mums tablets once everyone is asleep",
    "probably the rope in the shed, tomorrow when they're out",
    "i've got a method and a date, just waiting now",
    "waiting for my parents to go away for the weekend and then im gone",
    "just waiting for my flatmate to leave for work and then im done",
    # preparation finished
    "gave away my rabbits this morning. that was the last job on my list",
    "handed in my notice and told the letting agent im moving out. im not moving anywhere",
    "left the passcode on a post-it so my sister can get into my photos",
    # farewells with an emoji or to everyone
    "love you guys. see you on the other side",
    "💀 see ya on the other side",
    "see you on the other side",
    "last night on earth. weirdly calm",
    "final message. it's been real",
    "goodbye forever. not kidding",
    "pills. goodnight world",
    "i'm done. see you never",
])
def test_plain_crisis_escalates(text):
    assert assess(text).escalate


def test_a_farewell_the_model_vetoes_is_still_asked():
    """Farewell rules are `preparation`, a category the model may veto when near-certain (tunables
    `model_veto_categories`): then the crisis becomes the question, never nothing."""
    assert assess("this is it. don't be sad x").kind in (Kind.CHECK_IN, Kind.CRISIS)


@pytest.mark.parametrize("text", [
    "my phone is on the table next to me",
    "the dog is lying next to me on the sofa",
    "there's a blade in my room, it's for my craft projects",
    "i think i went too far in the argument with my sister",
    "blood everywhere after my nosebleed this morning",
    "took something for my headache and i feel better",
    "sitting in the car in the garage listening to the radio",
    "im at the station to catch the 8:15",
    "working up the nerve to ask my boss for a raise",
    "friday. that's when im free",
    "saturday. that's my date with jess",
    "friday thats when the party is",
    "it's tonight at eight, the concert",
    "i take my meds when everyone's asleep so i don't forget",
    "thinking the rope swing, this weekend",
    "i have a method for remembering names",
    "waiting for my roommate to leave and then im done with cleaning",
    "waiting for my mum to leave then i'll tidy up",
    "rehomed the puppy because of my allergies",
    "im moving out next month, so excited",
    "told my landlord im moving out. im not moving anywhere far",
    "wrote the wifi password down for my nan",
    "see you on the other side of the exam",
    "if today was my last day on earth id eat cake",
    "last post of the year, its been real fun",
    "bye forever, toxic group chat lol",
    "dont be sad, its just a game",
    "goodnight world 🌙",
])
def test_look_alikes_do_not_escalate(text):
    assert not assess(text).escalate


@pytest.mark.parametrize("text", [
    # a service asked about, shaving, a prescription, nerves, a joke at a thing, questions about others in general
    "do you treat eating disorders in teenagers",
    "are your therapists experienced in treating eating disorders",
    "i get so anxious before interviews i make myself sick",
    "which razor is best for sensitive skin, the razor burn is awful",
    "my monthly prescription has run out, how do i get more tablets",
    "kms my laptop just died mid essay",
    "is there any help for parents whose teenager self harms",
    "why do famous people with everything die by suicide",
    "what happens if you tell your gp about suicidal thoughts",
    # a doctor's question answered no, a past told as past with recovery
    "my counsellor asked if i ever want to hurt myself and i truthfully said no",
    "used to cut when i was at college but ive been clean 4 years now",
    "i took an overdose as a teenager, that was 15 years ago and im fine now",
    "two years since my overdose and i'm actually happy",
    "used to self harm in my twenties but havent in 5 years",
    "i used to think about ending it at school but thats long gone",
    # the afternoon walk's recovered past, and its look-alikes (6 December)
    "i used to self harm a few years ago but ive been fine for ages",
    "i used to cut at uni, been okay for a long time now",
    "i used to self harm but thats all over now",
    "i used to self harm, then stopped, and now im so proud i havent done it again",
])
def test_false_crises_are_a_question_at_most(text):
    assert not assess(text).escalate


@pytest.mark.parametrize("text", [
    "i have an eating disorder, do you treat eating disorders",
    "i make myself sick after every meal",
    "i keep buying razor blades and hiding them",
    "i have all my pills lined up in front of me",
    "kms this life is pointless",
    "my child self harms and i found blood on her sheets last night",
    "why do i want to die by suicide",
    "my therapist asked if i ever want to hurt myself and i said yes",
    "used to cut when i was at school and i started again last night",
    "i used to think about ending it and now i think about it every day",
    "i used to hurt myself at uni and last week it happened again",
    "i used to self harm and now its happening again",
    "ive been fine for ages but last night i cut again",
])
def test_look_alikes_of_the_false_crises_still_escalate(text):
    assert assess(text).escalate
