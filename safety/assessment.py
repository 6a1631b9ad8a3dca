"""Result types returned by :func:`safety.assess`.

Deliberately free of numbers: NICE NG225 advises against risk stratification
by scores, so an assessment only says *what kind of response* a message needs
and *why* (categories and the exact spans that triggered them).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Iterable, Mapping


class Kind(str, Enum):
    """The response a message needs, in increasing order of urgency."""

    NONE = "none"
    #: ambiguous: ask a caring, direct question ("are you thinking of hurting yourself?")
    CHECK_IN = "check_in"
    #: show crisis resources and alert clinic staff
    CRISIS = "crisis"
    #: danger now (something taken or done, means at hand, "tonight"): emergency number first
    EMERGENCY = "emergency"

    @property
    def rank(self) -> int:
        """Position in the urgency order, so kinds can be compared with max()."""
        return self._urgency  # an attribute, not a dict keyed by Kind: Enum's __hash__ is Python code

    @property
    def escalates(self) -> bool:
        """Crisis and emergency must reach crisis resources and staff."""
        return self._urgency >= Kind.CRISIS._urgency

    def __str__(self) -> str:  # str(Kind.CRISIS) == "crisis", handy in payloads and logs
        return self.value


#: The category (and rule id of its span) an assessment carries when the learned risk model, not a
#: rule, raised it: staff then see the whole message as what was read, never a probability.
MODEL_CATEGORY = "risk_language"
MODEL_RULE_ID = "risk_model"

_RANK = {Kind.NONE: 0, Kind.CHECK_IN: 1, Kind.CRISIS: 2, Kind.EMERGENCY: 3}
for _kind, _urgency in _RANK.items():
    # read per rule hit (~15,000 times for a pasted 100 kB): a dict look-up keyed by Kind runs Enum's
    # __hash__ in Python each time
    _kind._urgency = _urgency


def max_kind(*kinds: Kind) -> Kind:
    """The most urgent of ``kinds`` (``Kind.NONE`` when empty)."""
    best = Kind.NONE
    for kind in kinds:
        if kind._urgency > best._urgency:
            best = kind
    return best


@dataclass(frozen=True)
class Span:
    """Where a rule matched, as character offsets into the ORIGINAL message."""

    start: int
    end: int
    category: str
    rule_id: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "category": self.category, "rule_id": self.rule_id}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Span":
        return cls(int(data["start"]), int(data["end"]), str(data["category"]), str(data["rule_id"]))


def spans_of(rows: Iterable[tuple[int, int, str, str]]) -> list[Span]:
    """``[Span(*row) for row in rows]``, the same objects (equal, hashable, frozen), made without the frozen
    dataclass's ``__init__`` (an ``object.__setattr__`` per field, ~1 us a span): a pasted long message has
    thousands of spans (2,300 for the bench's 100 kB: 2.5 -> 0.7 ms)."""
    new, set_dict, out = object.__new__, object.__setattr__, []
    for start, end, category, rule_id in rows:
        span = new(Span)
        set_dict(span, "__dict__", {"start": start, "end": end, "category": category, "rule_id": rule_id})
        out.append(span)
    return out


@dataclass(frozen=True)
class Assessment:
    """What :func:`safety.assess` concluded about one message.

    ``escalate`` is derived from ``kind`` but stored so that consumers (the Rasa
    component, logs, evaluation) never have to re-derive the routing rule.
    ``categories`` is sorted and unique.  Lists are used (not tuples) because
    that is the documented JSON shape; treat them as read-only.
    """

    kind: Kind
    escalate: bool
    categories: list[str] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)

    @classmethod
    def none(cls) -> "Assessment":
        return cls(Kind.NONE, False, [], [])

    @property
    def rule_ids(self) -> list[str]:
        """Ids of the rules behind the spans (sorted, unique): useful in logs and tests."""
        return sorted({span.rule_id for span in self.spans})

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (plain str/bool/int/list/dict only)."""
        return {
            "kind": self.kind.value,
            "escalate": self.escalate,
            "categories": list(self.categories),
            "spans": [span.to_dict() for span in self.spans],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Assessment":
        kind = Kind(data["kind"])
        return cls(
            kind=kind,
            escalate=bool(data.get("escalate", kind.escalates)),
            categories=sorted({str(c) for c in data.get("categories", [])}),
            spans=[Span.from_dict(s) for s in data.get("spans", [])],
        )
