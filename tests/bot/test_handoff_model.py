"""The handoffs table: one active holder per conversation in the database itself (several web-app
processes), and migration 0003_handoff goes down and up again."""
from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import staff
from bot.db import alembic_config, get_engine
from bot.models import Handoff
from bot.staff import utcnow

SENDER = "3f2b8c1e-5a7d-4e9f-8b2c-1d0e6a4f9b21"


def _member(settings, email: str) -> int:
    with Session(get_engine(settings), future=True) as db, db.begin():
        return staff.add(db, settings, email, "reviewer", "a long and unusual passphrase").id


def test_two_active_holders_of_one_conversation_are_refused_by_the_database(settings):
    sam, alex = _member(settings, "sam@clinic.example"), _member(settings, "alex@clinic.example")
    with Session(get_engine(settings), future=True) as db, db.begin():
        db.add(Handoff(sender_id=SENDER, staff_id=sam, display_name="Sam"))
    with pytest.raises(IntegrityError):
        with Session(get_engine(settings), future=True) as db, db.begin():
            db.add(Handoff(sender_id=SENDER, staff_id=alex, display_name="Alex"))
    # Ended rows do not count: after a hand-back (or a take-over) someone can hold it again.
    with Session(get_engine(settings), future=True) as db, db.begin():
        db.query(Handoff).update({"ended_at": utcnow(), "end_reason": "handed_back"})
        db.add(Handoff(sender_id=SENDER, staff_id=alex, display_name="Alex"))


def test_the_migration_goes_down_and_up_again(settings):
    config = alembic_config(settings.database_url)
    plain = create_engine(settings.database_url)  # get_engine itself refuses an older schema
    command.downgrade(config, "0002_staff_console")
    assert "handoffs" not in inspect(plain).get_table_names()
    command.upgrade(config, "head")
    indexes = {i["name"]: i for i in inspect(plain).get_indexes("handoffs")}
    assert indexes["uq_handoffs_active_sender"]["unique"]
    plain.dispose()


def test_a_process_holding_a_port_is_described_without_rasas_api_token():
    from bot.ports import _redacted

    argv = ["python", "-m", "bot.rasa_main", "run", "--enable-api", "--auth-token", "s3cret", "--port", "5005"]
    assert "s3cret" not in " ".join(_redacted(argv)) and _redacted(argv)[-2:] == ["--port", "5005"]


def test_rasa_reads_any_api_token_as_its_value(settings):
    """A token starting with "-" once made Rasa's command line fail (argparse took it for a flag)."""
    from bot.ports import _redacted
    from bot.services import rasa_server

    leading_dash = settings.copy(update={"services": settings.services.copy(update={"rasa_api_token": "-x1"})})
    command = rasa_server(leading_dash).command
    assert "--auth-token=-x1" in command and "***" in " ".join(_redacted(command))
    assert not settings.rasa_api_token.startswith("-")
