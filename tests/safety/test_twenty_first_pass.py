"""Twenty-first pass (blind set 19, blind-2026-12-07e, opened as a read set after it was scored).

Why it matters to the person: a twelve-year-old beaten with a belt and told he will be killed if he tells a teacher;
a wife put in hospital by her husband; a sister asked for pictures and threatened with a leak; a nine-year-old whose
mum has not woken since yesterday; a toddler left alone for hours; a veteran who thinks the dead got the better deal;
a vet who envies the animals she put down; someone loaded and shaking in a truck, on a roof ledge, or after using more
than ever on purpose; someone tidying things "for after"; a friend whose phone went off after "been an honour", were
asked a question or not answered at all. Someone who ended a game, typed "kms" at a slip at work, read a report
about self-harm in prisons, had intrusive images their therapist calls OCD, or recovered years ago was answered as if a
life were in danger. Every text here is the helper's own phrasing of a shape seen in set 19; each risk line has a
look-alike that must stay quiet, and each quiet line a dangerous twin that must still escalate
(safety/rules/twenty_first_pass.yml, idioms.yml `idiom.twenty_first_*`, recovery markers in tunables.yml, Scots forms
in normalisation.yml).
"""
from __future__ import annotations

import pytest

from safety import assess

ESCALATES = [
    "my stepdad beats me with his belt when he's drunk",
    "if i tell the teacher he said he'll kill me",
    'my boyfriend has put me in hospital twice',
    "he only ever hits me where it won't show",
    "an older lad online says he'll leak my pics if i stop replying",
    'the coach told my little brother that what they do in the van is their secret',
    'the baby upstairs is left on its own for hours, i can hear her screaming',
    'mi novio me golpea y tengo miedo',
    "she said next time she'll kill me and the kids are here",
    "my mum hasn't woken up since last night and my little sister is hungry",
    "my dad won't wake up and he's been asleep since yesterday, i'm 8",
    "me he cortado otra vez, no sé cómo parar",
    "most days i think the mates who didn't make it home got the better deal",
    'had to put two dogs down today. on the drive back i caught myself envying them',
    'every time we get a fatal i think, lucky',
    "i've stopped wanting to be here.",
    'i no longer see any point in continuing to live',
    "honestly i wouldn't mind if i got knocked down on the way to work",
    'it would be easier if a bus just hit me',
    "i keep wishing i just wasn't alive anymore",
    'sana hindi na lang ako magising bukas',
    'sitting in the car with it loaded on my lap',
    'i took the hole bottle and i feel weird',
    "i'm sitting on the bridge railing right now",
    'took way more than i usually do, on purpose',
    "i've been stashing tablets from the medication trolley at work",
    '💊💊💊 got them all laid out on my bed',
    'i keep trying the gun cabinet code at night',
    "looked up where to get a gun. don't want to talk about it",
    'set up a legacy contact and deleted all my messages',
    "does my life insurance pay out if it's... you know.",
    "took dad's shotgun out of the loft. don't see any point waiting",
    'picked my last day. friday.',
    "i'm not planning on coming back from it.",
    "i've picked out where in the forest nobody would find me for days",
    "i've decided. tomorrow when he's at work",
    "the rifle is on the table, no point waiting for a better day",
    'me corté otra vez anoche',
    'i did it again, the burning',
    "my mate said he'd rather die than go home, and he's been talking about the bridge",
    'we lost my uncle to suicide and now my cousin keeps saying the same things',
    "he messaged 'been an honour lads' and now his phone is off",
    "she posted she's logging off permanently and went offline",
    'found a note in her bag saying sorry and that we deserve better',
    "a lad on the wing asked me to give letters to his daughter 'in case'",
    # Scots forms (normalisation.yml)
    'i want tae top masel',
    # the idioms' dangerous twins: a plain risk phrase beside each idiom still escalates
    "sometimes i hope i just don't wake up in the new house",
    'gonna end it all tonight, no game this time',
    "kms. that's the third time i've thought about it today",
    'i self harm and the scenes in that book made me want to cut again',
    'i have attempted suicide, how many of you have too',
    'intrusive thoughts of driving into traffic and honestly i want to die',
    "i have an eating disorder and i've been purging every day",
    'i was fine for years but now i want to die again',
]

QUIET = [
    # found in review: a plan for the day after "decided", a gun at the range or being cleaned
    "i've decided. tomorrow when she's at work i'll bake her a cake",
    "took my rifle to the range. no point waiting for a sunny day",
    "the shotgun needs cleaning, no point waiting till autumn",
    # look-alikes of the risk rules
    'him beat mi wid di dominoes again',
    "if i tell my mum about the dent she'll kill me lol",
    'the flu put me in hospital last winter',
    'the bruises from hockey are always on my shins',
    "she's going to share her photos from the wedding tonight",
    'grandma says the recipe is our family secret',
    "the dog is left alone for hours while we're at work",
    'mi novio me pega la gripe cada invierno',
    "he said next time he'll beat me at chess",
    "my mum hasn't woken up yet, she worked nights",
    "my dad won't wake up for work, he's hopeless",
    "me he cortado el pelo otra vez",
    "the team that didn't make it back got the better hotel",
    "euthanised two dogs this morning. on the way home i envied my sister's day off",
    "i've stopped wanting to be here at this job",
    'no longer see any point in going to the gym',
    "i'd be sorry if i got knocked out in the first round",
    "it'd be easier if a car picked me up",
    'i wish i was alive in the sixties',
    'sana gumising ako ng maaga bukas',
    'the dishwasher is loaded and on',
    'i filled the hole with a bottle of sand',
    "i'm on the window ledge reading",
    'used way more paint than i ever do, on purpose',
    'someone restocks the drug cupboard on mondays',
    'the vitamins are laid out in the organiser',
    'checked the combination for the bike lock',
    'getting things tidy for after the party',
    "does the policy pay out if it's, you know, a flood",
    "sold grandad's shotgun. no reason to keep it",
    'picked my last day at work: friday',
    'not planning on coming back from the shop empty-handed',
    'found a spot where no one can find me for my lunch break',
    "decided to go when she's ready",
    'me corté el pelo otra vez',
    'the dog did it again, the scratching at the door',
    "i'd rather die than miss the train",
    'my brother is saying the same things dad used to say about football',
    "been an honour to coach you lads, phone's off for the holidays",
    'logging off for the night and went offline',
    'a note that said sorry for the mess',
    'letters to his kids in case the phone line is down',
    # false alarms of set 19, in the helper's words
    "hope i don't wake up in a bad mood tomorrow",
    "worried i won't wake up in time for the flight",
    'bro that raid boss killed me 30 times, gonna uninstall and end it all (the game)',
    "kms that's the second time i've sent the email to the wrong client",
    'the inspection says self-harm incidents in the unit are rising',
    'the self-harm scenes in that series were hard to watch',
    'how many of them have attempted suicide, is there a reliable statistic?',
    "intrusive thought of driving into the barrier again, my therapist says it's ocd",
    'does anyone at the clinic specialise in eating disorders in older women?',
    # a recovered past (tunables.yml recovered)
    "years ago the voices told me to hurt myself. medication sorted it, i'm stable now",
    "back when i was 14 i wanted to die. i'm 30 now and i've got a job i love",
    'self-harmed through my teens, fully recovered now',
]


@pytest.mark.parametrize("text", ESCALATES)
def test_escalates(text):
    assert assess(text).escalate, text


@pytest.mark.parametrize("text", QUIET)
def test_does_not_escalate(text):
    assert not assess(text).escalate, text


def test_a_gun_loaded_in_the_lap_is_an_emergency():
    assert assess("sitting in the truck with it loaded in my lap, can't stop shaking").kind.value == "emergency"
    assert not assess("the dishwasher is loaded and on").escalate


def test_a_recovered_past_with_present_risk_still_escalates():
    """The new recovery markers cap a past; a present wish beside it is not capped."""
    assert not assess("back when i was 14 i wanted to die. i'm 30 now and i've got a job i love").escalate
    assert assess("back when i was 14 i wanted to die. i'm 30 now and i want to die again").escalate


def test_a_negated_wake_keeps_its_match_but_a_mood_does_not():
    assert assess("sometimes i hope i just don't wake up in the new house").escalate
    assert not assess("hope i don't wake up in a bad mood tomorrow").escalate
