"""The PostgreSQL + Redis runs of the end-to-end and browser suites skip, naming what is missing, when
those servers do not answer (a developer's machine); they never fail for it."""
from __future__ import annotations

import pytest

import tests.servers as servers
from bot.supervisor import free_port


def test_without_redis_the_run_is_skipped_naming_redis(monkeypatch):
    monkeypatch.setattr(servers, "REDIS_ADDRESS", ("127.0.0.1", free_port()))
    with pytest.raises(pytest.skip.Exception, match="needs Redis"):
        with servers.store_env("postgres+redis"):
            pass


def test_without_postgresql_the_run_is_skipped_naming_postgresql(monkeypatch):
    monkeypatch.setattr(servers, "redis_problem", lambda: None)
    monkeypatch.setattr(servers, "POSTGRES_SERVER", f"postgresql://postgres@127.0.0.1:{free_port()}")
    with pytest.raises(pytest.skip.Exception, match="needs PostgreSQL at postgresql://postgres@127.0.0.1"):
        with servers.store_env("postgres+redis"):
            pass


def test_sqlite_needs_nothing():
    with servers.store_env("sqlite") as env:
        assert env == {}
