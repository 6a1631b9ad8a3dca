"""Database engine for our own tables, brought up to the latest Alembic revision on first use.

Why migrate on first use: the action server, the reconciler and the CLI may each be the first to touch
the database on a fresh machine; every one of them must find the tables in place, and Alembic's upgrade
is idempotent and cheap when already at head.
"""
from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

from bot.settings import Settings

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


def upgrade(database_url: str) -> None:
    """Bring our tables to the newest migration."""
    config = alembic_config(database_url)
    command.upgrade(config, "head")


def get_engine(settings: Settings) -> Engine:
    """One engine per database URL per process, migrated before first use."""
    url = settings.database_url
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _make_engine(url)
            upgrade(url)
            _engines[url] = engine
        return engine
