"""bot/bench.py's choice of Redis for its PostgreSQL phases: the configured one (REDIS_URL), db 0 only
when none is configured, so a bench on a shared machine does not write its lock keys into another's db."""
import socket
from pathlib import Path

import pytest

from bot import bench
from bot.settings import load_settings

MINIMAL = "clinic:\n  name: Test Clinic\n"


def _settings(tmp_path: Path, environ: dict):
    path = tmp_path / "settings.yml"
    path.write_text(MINIMAL)
    return load_settings(path, environ={"BOT_VAR_DIR": str(tmp_path / "var"), **environ})


def test_configured_redis_url_is_used(tmp_path):
    settings = _settings(tmp_path, {"REDIS_URL": "redis://127.0.0.1:6379/15"})
    assert bench.bench_redis_url(settings) == "redis://127.0.0.1:6379/15"


def test_db_0_only_without_a_configured_url(tmp_path):
    settings = _settings(tmp_path, {})
    assert settings.services.redis_url is None
    assert bench.bench_redis_url(settings) == bench.DEFAULT_REDIS_URL == "redis://127.0.0.1:6379/0"


def test_reachability_is_checked_at_the_urls_host_and_port():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        bench.check_redis_reachable(f"redis://127.0.0.1:{port}/7")  # no error: something listens there
    with pytest.raises(OSError):
        bench.check_redis_reachable(f"redis://127.0.0.1:{port}/7", timeout=1)  # closed now


def test_workers_phase_hands_the_configured_url_to_rasa(tmp_path, monkeypatch):
    """The two-worker phase passes the configured URL (its db number included) to the Rasa server's settings."""
    seen: dict = {}

    class Stop(Exception):
        pass

    class FakeDatabase:
        def __enter__(self):
            return "postgresql://postgres@127.0.0.1:5432/bot_bench_x"

        def __exit__(self, *exc):
            seen["database_closed"] = True

    def fake_load_settings(environ):
        seen["environ"] = environ
        raise Stop

    monkeypatch.setattr(bench, "check_redis_reachable", lambda url, timeout=2: seen.setdefault("checked", url))
    monkeypatch.setattr(bench, "temporary_postgres_database", lambda server, prefix: FakeDatabase())
    monkeypatch.setattr(bench, "load_settings", fake_load_settings)
    settings = _settings(tmp_path, {"REDIS_URL": "redis://127.0.0.1:6379/15"})
    with pytest.raises(Stop):
        bench.bench_workers(settings, tmp_path)
    assert seen["checked"] == "redis://127.0.0.1:6379/15"
    assert seen["environ"]["REDIS_URL"] == "redis://127.0.0.1:6379/15"
    assert seen["database_closed"]
