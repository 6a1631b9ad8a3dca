"""Database engine for our own tables, which must be at the latest Alembic revision.

Why refuse an unmigrated database instead of migrating on first use: with staff accounts and an
append-only audit log in it, a schema change is a deliberate step a person takes (`bot migrate`,
which `bot run` also does before starting the services), not a side effect of whichever process
touches the database first. A process that finds an old schema stops and names the command.
"""
from __future__ import annotations

import threading
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

from bot.settings import Settings

MIGRATE_COMMAND = ".venv/bin/bot migrate"

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_SECONDS = 15

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def _make_engine(database_url: str) -> Engine:
    if database_url.startswith("sqlite"):
        path = database_url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            database_url, future=True, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record) -> None:  # type: ignore[no-untyped-def]
            # WAL lets the reconciler read while Rasa writes the tracker store.
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    return create_engine(database_url, future=True, pool_pre_ping=True)


class DatabaseNotMigrated(RuntimeError):
    """The database's schema is older than this code; the message names the command that fixes it."""


def upgrade(database_url: str) -> None:
    """Bring our tables to the newest migration."""
    config = alembic_config(database_url)
    command.upgrade(config, "head")


def migrate(settings: Settings) -> str:
    """`bot migrate`: bring the configured database to the newest migration; returns that revision."""
    url = settings.database_url
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    upgrade(url)
    import_spooled_unanswered(settings)
    return head_revision()


def import_spooled_unanswered(settings: Settings) -> int:
    """Move `var/unanswered/messages.jsonl` (where earlier versions kept these messages for good, and
    where the web app spools them while the database is down) into the database, once: the file is
    removed when every line is stored, and each line is keyed so a repeat stores nothing twice."""
    from bot.web.unanswered import UnansweredStore

    return UnansweredStore(settings).flush()


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() or ""


def current_revision(engine: Engine) -> Optional[str]:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def check_migrated(engine: Engine) -> None:
    """Raise DatabaseNotMigrated unless the database is at the newest revision."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        state = "has none of our tables" if current is None else f"is at revision {current}"
        raise DatabaseNotMigrated(
            f"the database {engine.url.render_as_string(hide_password=True)} {state}, and this version "
            f"needs {head}: run `{MIGRATE_COMMAND}` (`make run` does it too), then start again"
        )


def get_engine(settings: Settings) -> Engine:
    """One engine per database URL per process, checked once to be at the newest migration."""
    url = settings.database_url
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _make_engine(url)
            try:
                check_migrated(engine)
            except DatabaseNotMigrated:
                engine.dispose()
                raise
            _engines[url] = engine
        return engine


@contextmanager
def temporary_postgres_database(server: str, prefix: str) -> Iterator[str]:
    """A new empty PostgreSQL database on ``server`` (e.g. postgresql://postgres@127.0.0.1:5432), for tests
    and the benchmark; yields its URL and drops it afterwards. Raises psycopg2's OperationalError when
    the server cannot be reached, so each caller says what that means for it."""
    import psycopg2

    admin = psycopg2.connect(f"{server}/postgres", connect_timeout=3)
    admin.autocommit = True
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
