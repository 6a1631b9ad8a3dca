"""Messages the assistant never answered: stored in the database (spooled to disk, then memory, when it is
not there), moved in once it returns, never twice; read by staff in the console and the CLI, audited,
with no text in the list, the logs or the audit log."""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import get_engine, migrate
from bot.escalations import list_cases
from bot.models import AuditEntry
from bot.web.fallback import Verdict, keep_unanswered
from bot.web.unanswered import Kept, UnansweredStore
from tests.web.conftest import SENDER
from tests.web.console import add_account, sign_in

WORDS = "I want to kill myself, nobody answers"
FLAGGED = Verdict("crisis", True, ["active_ideation"], ["active.kill_myself"])


class Broken:
    """Stands in for the database engine while it is unreachable."""

    def __getattr__(self, name):  # type: ignore[no-untyped-def]
        raise ConnectionError("database unreachable")


def audit_actions(settings) -> list[tuple[str, str]]:
    with Session(get_engine(settings), future=True) as db:
        return [(e.action, json.dumps(e.detail)) for e in db.execute(select(AuditEntry)).scalars()]


def test_a_flagged_message_is_stored_in_the_database_with_its_case(settings):
    store = UnansweredStore(settings)
    assert keep_unanswered(settings, store, sender_id=SENDER, text=WORDS, reason="unreachable",
                           verdict=FLAGGED) == "database"
    [kept] = store.read()
    [case] = list_cases(settings)
    assert (kept["text"], kept["case_created"], kept["received_at"]) == (WORDS, True, case["event_timestamp"])
    assert not store.spool.exists()


def test_while_the_database_is_down_the_message_and_its_case_wait_on_disk_then_arrive_once(
        settings, monkeypatch, caplog):
    store = UnansweredStore(settings)
    import bot.escalations
    import bot.web.unanswered as module

    real = module.get_engine
    monkeypatch.setattr(module, "get_engine", lambda _s: Broken())
    monkeypatch.setattr(bot.escalations, "get_engine", lambda _s: Broken())
    with caplog.at_level(logging.DEBUG):
        where = keep_unanswered(settings, store, sender_id=SENDER, text=WORDS, reason="unreachable",
                                verdict=FLAGGED)
        assert where == "spool" and store.pending() == 1
        assert store.flush() == 0  # still down: nothing moved, nothing dropped
        assert store.pending() == 1
    assert (store.spool.stat().st_mode & 0o777) == 0o600
    monkeypatch.setattr(module, "get_engine", real)
    monkeypatch.setattr(bot.escalations, "get_engine", real)
    assert store.flush() == 1
    assert store.flush() == 0  # and never twice
    assert [r["text"] for r in store.read()] == [WORDS]
    assert len(list_cases(settings)) == 1 and list_cases(settings)[0]["source"] == "gateway"
    assert not store.spool.exists()
    assert all("kill myself" not in r.getMessage() for r in caplog.records)


def test_when_the_disk_is_full_too_the_message_waits_in_memory(settings, monkeypatch):
    store = UnansweredStore(settings)
    import bot.web.unanswered as module

    real = module.get_engine
    monkeypatch.setattr(module, "get_engine", lambda _s: Broken())

    def no_space(_record):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "_append", no_space)
    assert store.keep(Kept(sender_id=SENDER, received_at=time.time(), text="hello", reason="error")) == "memory"
    assert store.pending() == 1
    monkeypatch.setattr(module, "get_engine", real)
    assert store.flush() == 1 and store.pending() == 0
    assert [r["text"] for r in store.read()] == ["hello"]


def test_bot_migrate_imports_the_old_file_once(settings):
    """Earlier versions kept these messages in var/unanswered/messages.jsonl for good."""
    old = settings.var_dir / "unanswered" / "messages.jsonl"
    old.parent.mkdir(parents=True, exist_ok=True)
    lines = [{"received_at": 1700000000.5, "sender_id": SENDER, "reason": "unreachable", "kind": "crisis",
              "categories": ["active_ideation"], "case_created": True, "text": WORDS},
             {"received_at": 1700000100.0, "sender_id": SENDER, "reason": "timeout", "kind": "none",
              "categories": [], "case_created": False, "text": "are you there?"}]
    old.write_text("".join(json.dumps(line) + "\n" for line in lines) + "not json\n", encoding="utf-8")
    migrate(settings)
    # The unreadable line is reported and left in place; the readable ones are stored.
    assert [r["text"] for r in UnansweredStore(settings).read()] == [WORDS, "are you there?"]
    assert old.read_text(encoding="utf-8") == "not json\n"
    old.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")  # a crash before unlink
    migrate(settings)
    assert len(UnansweredStore(settings).read()) == 2
    assert not old.exists()


def _store_two(settings) -> None:
    store = UnansweredStore(settings)
    keep_unanswered(settings, store, sender_id=SENDER, text=WORDS, reason="unreachable", verdict=FLAGGED)
    time.sleep(0.01)
    keep_unanswered(settings, store, sender_id=SENDER, text="<script>alert('x')</script> hello?",
                    reason="timeout", verdict=Verdict())


def test_staff_see_a_list_without_text_and_read_one_message_audited(console, settings):
    _store_two(settings)
    add_account(settings, "reviewer@clinic.example")
    sign_in(console, "reviewer@clinic.example")
    listing = console.get("/console/unanswered")
    assert listing.status_code == 200
    assert "kill myself" not in listing.text and "alert(" not in listing.text
    assert "flagged: crisis" in listing.text and "Open case" in listing.text
    links = [part.split('"')[0] for part in listing.text.split('href="/console/unanswered/')[1:]]
    assert len(links) == 2
    pages = [console.get(f"/console/unanswered/{link}") for link in links]
    assert all(page.status_code == 200 for page in pages)
    joined = " ".join(page.text for page in pages)
    assert "kill myself" in joined
    assert "<script>alert" not in joined and "&lt;script&gt;" in joined  # shown as text, never run
    actions = audit_actions(settings)
    assert [a for a, _ in actions].count("unanswered_viewed") == 2
    assert "unanswered_listed" in [a for a, _ in actions]
    assert all("kill myself" not in detail for _, detail in actions)
    assert console.get("/console/unanswered/nonexistent").status_code == 404


def test_the_case_page_shows_the_words_the_assistant_never_answered(console, settings):
    _store_two(settings)
    add_account(settings, "reviewer@clinic.example")
    sign_in(console, "reviewer@clinic.example")
    [case] = list_cases(settings)
    from bot.models import Case

    with Session(get_engine(settings), future=True) as db:
        public_id = db.execute(select(Case.public_id)).scalar_one()
    page = console.get(f"/console/cases/{public_id}")
    assert page.status_code == 200 and WORDS in page.text
    assert case["kind"] == "crisis"


def test_signed_out_nobody_reads_them(console, settings):
    _store_two(settings)
    response = console.get("/console/unanswered", follow_redirects=False)
    assert response.status_code == 303 and "/console/login" in response.headers["location"]
    assert console.get("/console/unanswered", headers={"Accept": "application/json"},
                       follow_redirects=False).status_code in (303, 401)


def test_the_cli_lists_without_text_and_shows_one_audited(settings):
    _store_two(settings)
    env = {**os.environ, "BOT_VAR_DIR": str(settings.var_dir)}
    run = [sys.executable, "-m", "bot.cli", "unanswered"]
    listed = subprocess.run([*run, "list", "--json"], env=env, capture_output=True, text=True, check=True).stdout
    rows = json.loads(listed)
    assert len(rows) == 2 and all("text" not in row for row in rows)
    assert "kill myself" not in subprocess.run([*run, "list"], env=env, capture_output=True, text=True,
                                                check=True).stdout
    flagged = [row for row in rows if row["kind"] == "crisis"][0]
    shown = json.loads(subprocess.run([*run, "show", flagged["id"]], env=env, capture_output=True, text=True,
                                      check=True).stdout)
    assert shown["text"] == WORDS and shown["case_id"]
    missing = subprocess.run([*run, "show", "nope"], env=env, capture_output=True, text=True)
    assert missing.returncode == 2 and "no unanswered message" in missing.stderr
    viewed = [a for a in audit_actions(settings) if a[0] == "unanswered_viewed"]
    assert len(viewed) == 1
