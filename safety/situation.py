"""Which situation a risk verdict is about, and so which lines a person is shown.

Why: a child who says someone makes them do sexual things, or a woman whose partner threatens to kill
her, needs the child-abuse or domestic-abuse line and the emergency number, not a suicide line. When
the same message also shows suicide or self-harm risk of the writer, the crisis path wins (it is the
more urgent one) and its reply names the abuse lines as well.

Used by the Rasa safety component (which intent) and the gateway's fallback (which resources).
"""
from __future__ import annotations

from typing import Iterable

ABUSE_CATEGORY = "abuse_or_unsafe"
CRISIS, ABUSE = "crisis", "abuse"

#: categories about the writer's own suicide or self-harm risk; any of them outranks abuse.
#: Not intent_or_timeline (a signal: "he said he'll kill me tonight" is abuse) and not
#: third_party_risk: the abuser is a third person, so abuse messages often carry it as a by-product
#: ("my husband threatened to kill me if i leave").
OUTRANK_ABUSE = frozenset({
    "passive_ideation", "active_ideation", "plan_or_method", "access_to_means", "preparation",
    "past_attempt", "attempt_in_progress", "self_harm_urge", "self_harm_act", "eating_disorder",
})


def situation_for(categories: Iterable[str]) -> str:
    """``"abuse"`` when the verdict is about abuse and nothing more urgent; else ``"crisis"``."""
    found = set(categories)
    if ABUSE_CATEGORY in found and not found & OUTRANK_ABUSE:
        return ABUSE
    return CRISIS
