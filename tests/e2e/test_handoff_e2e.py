"""Live handoff against the real Rasa server (Rasa's own pause through its HTTP API): a paused
conversation gets no reply from the assistant, even to a risk message (which the safety component
still flags, for the console and a case); after the hand-back it answers again."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import get_engine
from bot.models import Case
from bot.web import create_app, texts
from tests.e2e.handoff_steps import (
    QUIET, bot_texts, hand_back, join_from_list, new_person, rasa_tracker, say, staff_client, staff_says,
)

pytestmark = [pytest.mark.servers]


def test_a_paused_conversation_gets_no_bot_reply_and_after_resume_it_does(stack):
    with TestClient(create_app(stack.settings, options=QUIET)) as person, \
            TestClient(create_app(stack.settings, options=QUIET)) as staff:
        sender = new_person(person)
        assert bot_texts(say(person, sender, "hi"))  # the assistant answers before anyone joins
        staff_client(staff, stack.settings, "e2e-sam@clinic.example")
        public_id = join_from_list(staff, sender)
        assert rasa_tracker(stack, sender)["paused"] is True

        for text in ("hello? is someone there", "can we do a breathing exercise"):
            answer = say(person, sender, text)
            assert bot_texts(answer) == [] and answer["handoff"]["present"] is True

        risk = say(person, sender, "I want to kill myself")
        assert bot_texts(risk) == []  # no bot reply: the person from the clinic answers
        assert any(m.get("custom", {}).get("type") == "crisis_resources" for m in risk["messages"])
        items = staff.get(f"/console/api/handoffs/{public_id}/updates").json()["items"]
        flagged = [i for i in items if i["kind"] == "user" and i["flagged"]]
        assert [i["text"] for i in flagged] == ["I want to kill myself"]  # the real safety component
        with Session(get_engine(stack.settings), future=True) as db:
            assert "handoff" in db.execute(select(Case.source).where(Case.sender_id == sender)).scalars().all()

        staff_says(staff, public_id, "I'm Sam from the clinic. I'm here with you.")
        history = person.get("/api/chat/history").json()["messages"]
        assert [m["sender"] for m in history if m.get("text") == "I'm Sam from the clinic. I'm here with you."] == ["staff"]

        hand_back(staff, public_id)
        assert rasa_tracker(stack, sender)["paused"] is False
        history = person.get("/api/chat/history").json()["messages"]
        assert [m["text"] for m in history[-2:]] == [texts.handoff("left", name="Sam"), texts.handoff("reentry")]
        assert bot_texts(say(person, sender, "thanks, can we do a breathing exercise"))
