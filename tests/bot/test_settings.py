from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings

MINIMAL = "clinic:\n  name: Test Clinic\n"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.yml"
    path.write_text(text)
    return path


def test_project_settings_file_loads():
    """Whatever the clinic put in settings.yml, it loads (its values are the clinic's to choose)."""
    settings = load_settings(environ={})
    assert settings.clinic.name
    assert len({settings.services.rasa_port, settings.services.actions_port, settings.services.web_port}) == 3


def test_defaults_when_the_file_leaves_them_out(tmp_path):
    settings = load_settings(write(tmp_path, MINIMAL), environ={"BOT_VAR_DIR": str(tmp_path / "var")})
    assert settings.clinic.locale == "en-US"
    assert (settings.services.rasa_port, settings.services.actions_port, settings.services.web_port) == (
        5005, 5055, 8000)
    assert settings.services.host == "127.0.0.1"
    assert settings.web.allowed_origins == [] and settings.web.trusted_proxies == []
    assert settings.database_url == f"sqlite:///{settings.var_dir / 'bot.db'}"


def test_environment_overrides_ports_locale_and_database(tmp_path):
    settings = load_settings(
        write(tmp_path, MINIMAL),
        environ={
            "BOT_RASA_PORT": "6005",
            "BOT_ACTIONS_PORT": "6055",
            "BOT_WEB_PORT": "9000",
            "BOT_LOCALE": "en-GB",
            "DATABASE_URL": "postgresql://u:p@127.0.0.1/test",
            "BOT_VAR_DIR": str(tmp_path / "state"),
        },
    )
    assert (settings.services.rasa_port, settings.services.actions_port, settings.services.web_port) == (
        6005, 6055, 9000,
    )
    assert settings.clinic.locale == "en-GB"
    assert settings.database_url == "postgresql://u:p@127.0.0.1/test"
    assert settings.var_dir == tmp_path / "state"
    assert settings.url("rasa") == "http://127.0.0.1:6005"


@pytest.mark.parametrize(
    "text, environ, message",
    [
        ("clinic: [unclosed", {}, "not valid YAML"),
        ("- a list\n", {}, "must be a mapping"),
        ("services:\n  rasa_port: 1\n", {}, "clinic: field required"),
        (MINIMAL, {"BOT_WEB_PORT": "99999"}, "services.web_port: must be a TCP port"),
        (MINIMAL, {"BOT_RASA_PORT": "abc"}, "services.rasa_port"),
        (MINIMAL + "conversations:\n  retention_days: 0\n", {}, "retention_days: must be a positive number"),
    ],
)
def test_bad_settings_name_the_file_and_the_problem(tmp_path, text, environ, message):
    path = write(tmp_path, text)
    with pytest.raises(SettingsError) as error:
        load_settings(path, environ=environ)
    assert str(path) in str(error.value)
    assert message in str(error.value)


def test_missing_settings_file_is_a_clear_error(tmp_path):
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings(tmp_path / "nope.yml", environ={})


def test_one_rasa_worker_by_default_and_more_from_the_environment_with_redis_and_postgresql(tmp_path):
    assert load_settings(write(tmp_path, MINIMAL), environ={}).services.rasa_workers == 1
    settings = load_settings(write(tmp_path, MINIMAL), environ={
        "BOT_RASA_WORKERS": "2",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "DATABASE_URL": "postgresql://u@127.0.0.1/test",
    })
    assert settings.services.rasa_workers == 2


@pytest.mark.parametrize(
    "environ, message",
    [
        ({"BOT_RASA_WORKERS": "0"}, "must be at least 1"),
        ({"BOT_RASA_WORKERS": "2", "DATABASE_URL": "postgresql://u@127.0.0.1/test"}, "Redis lock store"),
        ({"BOT_RASA_WORKERS": "2", "REDIS_URL": "redis://127.0.0.1:6379/0"}, "not SQLite"),
        ({"BOT_RASA_WORKERS": "2", "REDIS_URL": "redis://127.0.0.1:6379/0",
          "DATABASE_URL": "sqlite:////tmp/bot.db"}, "not SQLite"),
    ],
)
def test_several_rasa_workers_without_a_shared_lock_store_and_server_database_is_refused(tmp_path, environ, message):
    """Several Rasa processes with an in-memory lock store could answer one person's messages out of order."""
    with pytest.raises(SettingsError, match="services.rasa_workers") as error:
        load_settings(write(tmp_path, MINIMAL), environ=environ)
    assert message in str(error.value)
