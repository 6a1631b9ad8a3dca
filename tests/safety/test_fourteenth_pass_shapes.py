"""Fourteenth pass: danger told plainly or covertly that got only a question or nothing, and false crises.

Why it matters to the person: "i want to finish my life" from someone writing in their second language, "my kids
would get the insurance and be fine", "i burn my arm on the radiator on purpose", a coach who says "you're my favourite,
don't tell your mum", or "debts paid, dog rehomed. ready now." got nothing or only "are you thinking about suicide?",
while a writer asking how to portray a character's suicide attempt in a novel, or someone well for over a decade
mentioning old thoughts, showed the crisis lines and paged staff. Every text here is the helper's own phrasing of a
shape seen in blind set 12 (opened as a read set after it was scored), not a line of the set; the look-alikes say what
must stay quiet.
"""
from __future__ import annotations

import pytest

from safety import assess
from safety.assessment import Kind


@pytest.mark.parametrize("text", [
    # ideation said sideways
    "i am thinking every day to finish my life. i have nobody here",
    "planning to finish my life on the day my son was born",
    "if my lymphoma is back im not treating it. i'd even welcome it",
    "my kids would get the life insurance and be fine, i keep thinking about it",
    "i've made my peace with it all and tonight's the night.",
    "tonight is the night. please don't feel bad.",
    "at least i won't need to pay bills where i'm going 🙂",
    "🪦 see you never, all of you",
    # plans
    "chose the day. my dad's anniversary. seems fitting",
    "been googling methods every night this week",
    "letter's written, day's chosen.",
    "timed it for after christmas so nobody thinks it was because of them",
    "got a single to the cliffs. won't need a return",
    # preparation
    "deleted my account, ended the phone contract. tidying up before i leave.",
    "wiped my instagram and gave my brother all my logins",
    "said my goodbyes, rehomed the dog. im ready.",
    # self-harm told covertly
    "more kitty scratches up my arm 😼 (not really a cat)",
    "my legs are covered and it's nearly shorts weather",
    "i scratch letters into my thigh till it stings",
    "i press my arm to the radiator on purpose when everything goes numb",
    "two new lines on my thigh tonight. hate myself",
    # abuse
    "my tutor keeps me behind after lessons and says i'm special and not to tell my dad",
    "my husband fractured my wrist last month and i dont know who to tell",
    # someone else and means
    "my girlfriend texted me tonight is her last night. now her phone is off",
    "my mum threatens to stop taking her lithium so she can just die",
    "i sat staring at my tablets for ages last night",
])
def test_shape_escalates(text):
    assert assess(text).escalate, text


@pytest.mark.parametrize("text", [
    # look-alikes of the pass's rules
    "i need to finish my life admin this weekend",
    "want to finish my life story for the writing group",
    "if the cancer comes back i'm not having chemo again, i'll go on the trial",
    "the insurance payout was better than we expected",
    "made my peace with my dad and tonights the night we go for dinner",
    "tonights the night! cant wait for the gig",
    "i wont need my coat where im going, moving to cyprus",
    "bye ex, see you never",
    "picked a date for the wedding, feels fitting since we met in june",
    "researching teaching methods for my pgce",
    "reading about methods of contraception",
    "the sick note's written and my return date's set",
    "booked the trip for after term so the kids dont think it was a bribe",
    "day trip to the coast, dad is driving us back",
    "tidying up before i go on holiday",
    "deleted my facebook and sent my mum my netflix password",
    "paid off my debts. ready now to buy a house",
    "cat scratches on my arms from the new kitten",
    "my legs are covered in tattoos, shorts season is here",
    "carved our names into the tree",
    "i burnt the toast on purpose lol",
    "new lines on my face, getting old",
    "mum says im her favourite and not to tell my brother lol",
    "my wife broke my phone",
    "he said tonight is his last night in london before he moves",
    "stopped taking the pill so i can get pregnant",
    "looked at the pills on the shelf, i take them for my heart",
    "sat with my meds for ages sorting the dosette box",
    "my manager said today is her last day. she retires after 30 years",
    "my boyfriend cracked my tooth by accident when we were messing about",
    "stood looking at the paracetamol in the supermarket for ages comparing prices",
    "three new cuts on my hands from the rose bush",
    "one way to the seaside, won't need a return as my aunt is driving me home",
    "set the date, june 3rd. feels fitting since we met on that day",
    "at least i won't need my umbrella where i'm going. off to spain!",
    "tonight's the night, please don't feel bad if i miss your call",
    # the false crises and questions of the set, the helper's phrasings
    "for my play the main character attempted suicide, how do i stage it carefully",
    "cut my thumb peeling potatoes, only a small one",
])
def test_look_alike_stays_quiet(text):
    assert not assess(text).escalate, text


@pytest.mark.parametrize("text", [
    # a recovered past and a season without someone who died: no page, and no suicide question for the grief
    "my dad died in may and i dont know how to do christmas without him",
    "cut my finger grating cheese, bit of blood but fine",
])
def test_look_alike_not_even_asked(text):
    assert assess(text).kind is Kind.NONE, text


@pytest.mark.parametrize("text", [
    "Suicidal thoughts at uni, long ago - I've been healthy for over ten years now. Wanted to ask about your sleep clinic.",
])
def test_recovered_past_is_at_most_asked(text):
    assert assess(text).kind in (Kind.NONE, Kind.CHECK_IN), text


@pytest.mark.parametrize("text", [
    # the idioms and the marker are narrow: the same words with the danger kept still escalate
    "i attempted suicide after reading a novel",
    "like the character in the book, i attempted last year",
    "cut my thighs again last night with the kitchen knife",
    "i've been well for over a decade but i'm suicidal again now",
    "i know how to do it without anyone noticing. tonight",
])
def test_idioms_leave_the_danger(text):
    assert assess(text).escalate, text
