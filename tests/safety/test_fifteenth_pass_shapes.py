"""Fifteenth pass: danger told plainly or covertly that got only a question or nothing.

Why it matters to the person: "would it be painless? asking for me", "found the spot, going tomorrow before anyone's
up", "hoodie on in this heat so nobody sees my arms", a 12-year-old asked by an adult to call alone and keep it from
their parents, an older person whose pension card was taken and who is frightened at home, or a long post where one
plain sentence ("the life insurance would clear the house. i think about that a lot") carries the risk, got nothing or
only "are you thinking about suicide?". Every text here is the helper's own phrasing of a shape seen in blind set 13
(opened as a read set after it was scored), not a line of the set; the look-alikes say what must stay quiet.
"""
from __future__ import annotations

import pytest

from safety import assess
from safety.assessment import Kind

_LONG_OPENING = ("honestly this year has been a lot. work is chaos, the landlord put the rent up again and my sister "
                 "and i are not speaking since the wedding. i sleep badly, i skip meals, i stopped going to football. ")
_LONG_CLOSING = " anyway sorry for the essay, just wanted to ask if you have any evening slots."


@pytest.mark.parametrize("text", [
    # ideation said sideways
    "if the doctor gave me a terminal diagnosis i'd honestly feel relieved",
    "an incurable illness would be a relief at this point",
    "if i don't get the job im done for good. i mean it, not living through another winter of this",
    "i asked god so many times to take me home and nothing, so maybe i go to him myself",
    "if i am no more my sisters can use the savings for their fees",
    "sat on the balcony for ages thinking it would be easier for everyone",
    # plans
    "would it be painless with sleeping tablets? asking for myself",
    "my plan is after my brother's graduation. i won't spoil that for him.",
    "my plan is to wait until after christmas. after that i'm gone",
    "i've got it all planned for sunday when mum's at church",
    "how high the top of that bridge is and whether anyone would even notice",
    # preparation
    "i've timed texts to go to my parents on friday. they'll explain everything",
    "gave my account to my mate, wont need it where im going",
    "the notes are on the table, one for each of the boys. i won't need the appointment on monday",
    # means
    "been looking at my nan's pills in the cupboard every night and thinking it'd be so easy.",
    "keeping the spare tablets back for when it gets too much",
    "dad's shotgun is in the cabinet. thought about it more than once",
    # self-harm told covertly
    "does anyone else feel so much calmer after cutting? i do it most days",
    "hoodie on in 30 degrees so nobody sees my arms",
    "went too deep with the razor on friday and never got it seen",
    # abuse
    "a man from a game keeps asking me to facetime alone and not to tell my mum. im 11",
    "my dad is being neglected by his carers, he has bruises he can't explain and his savings have gone",
    "my grandson shouts at me and took my pension card",
    "my family want me to marry my cousin and they've hidden my passport",
    "my parents are forcing me to marry a man i've never met",
    # someone else
    "a pupil in my class wrote about his own funeral and said he won't be here by easter",
    # letters to a baby who died
    "i've written letters to our angel explaining why i need to go and be with her.",
    "how long would it take with sleeping pills? asking for me",
    "set up an email to go to my parents after, it explains everything",
    "cutting makes me feel calmer, i do it every day now",
    "my carer takes my money and i'm scared of him",
    "my nan has bruises she can't explain since the new carer started",
    "they're taking me abroad to marry someone and took my passport",
    # the life itself weighed against death (idiom.rather_die_than had left it a question)
    "i'd rather die than go on like this",
    "honestly id rather die than keep living like this",
    "i would rather die than face another year of this",
    # long posts where one sentence carries it
    _LONG_OPENING + "the life insurance would pay off the house. i think about that a lot." + _LONG_CLOSING,
    _LONG_OPENING + "i've put her name on all the accounts so it's easy for her after." + _LONG_CLOSING,
    _LONG_OPENING + "i stood at the open window last night thinking it would be easier for everyone. i'm scared of tonight." + _LONG_CLOSING,
])
def test_shape_escalates(text):
    assert assess(text).escalate, text


@pytest.mark.parametrize("text", [
    "found the spot. the bridge over the river. going tomorrow before anyone's up",
    "picked the place. doing it tonight",
    "sitting by the railway line. next train's due in ten minutes. bye",
    "i know the place now, the old quarry. going there tonight",
])
def test_place_and_time_is_an_emergency(text):
    assert assess(text).kind is Kind.EMERGENCY, text


@pytest.mark.parametrize("text", [
    # look-alikes of the pass's rules
    "i was relieved when the scan showed it wasn't terminal",
    "im done for good with that gym, not going back",
    "the landlord won't answer so i'll go to him myself tomorrow",
    "if i am no more the treasurer the club will need someone new",
    "sat by the window thinking about the exam",
    "is the tattoo painless? asking for me",
    "is the procedure painless with the numbing cream? asking for my mum",
    "my plan is after the wedding to go travelling",
    "got it all planned for saturday, cant wait",
    "got it all planned for mums 60th",
    "picked the spot for the picnic, going saturday",
    "found the place. the cafe by the station. going tomorrow at 10 with mum",
    "scheduled emails to the clients for monday. they'll explain the new prices",
    "labelled the freezer so it's easy for him after the op",
    "the cards are on the table, one for each of the kids",
    "feeling much better, i won't need the appointment after all",
    "not gonna need my winter coat where im going, it's 30 degrees in bali",
    "giving my games to my cousin, no time for them at uni",
    "looked at the tablets the pharmacist gave me and thought it would be easy to remember the doses",
    "picked up my tablets from the pharmacy, the spare ones are for when i travel",
    "keeping the spare batteries for when the power goes",
    "the rifle's on the bench for cleaning before deer season, thought about getting a new scope",
    "took the rifle out hunting with my uncle at the weekend",
    "i feel calmer after cutting the grass",
    "felt better after cutting my hair short",
    "long sleeves because i'm cold all the time",
    "long sleeves in this heat because of my eczema",
    "went too deep into the rabbit hole on youtube",
    "my friend wants to video call and not tell my parents about the surprise party",
    "my son took my pension card to the post office for me",
    "i'm frightened in my own home since the break-in",
    "we're getting married in spain so i've renewed my passport",
    "i'm a teacher, my year 9 class is writing essays on the funeral scene in our novel, any tips on the study guide?",
    "she wrote a poem about her grandad's funeral",
    "wrote to my parents explaining why i want to go and be with her in canada",
    "what does life insurance cover for the house if there's a flood?",
    "the life insurance would pay off the house if one of us died, so we kept it",
    "sat by the tracks with my camera, the train's due soon. the steam one!",
    "at the level crossing, train's due. late for work again",
    "picked a spot at the beach for the bbq. going tomorrow",
    "how long does it take with paracetamol to work? asking for my son",
    "set up an email to my team, it explains everything about the rota",
    "cutting carbs makes me feel better",
    "my son takes my money to do my shopping and i'm scared he's overspending",
    "she has bruises she can't explain, the care home says she had a fall",
    "we got married last year and took my passport to change the name",
    "i'd rather die than go on stage in front of the whole school",
    "id rather die than go on another blind date lol",
    # found in review: a trip after the plan, and a pupil's funeral story alone (asked about, not escalated)
    "my plan is after the exams to go travelling, after that i'm going to australia",
    "my student wrote a story about her own funeral for creative writing, it was beautiful",
])
def test_look_alike_stays_quiet(text):
    assert not assess(text).escalate, text
