"""One settings object for the whole application, read from one YAML file plus environment overrides.

Why a single object: the Rasa endpoints, the web app, the CLI and the reconciler must agree on ports,
database and locale; reading them in one place keeps them from drifting apart.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import yaml
from pydantic import BaseModel, ValidationError, validator

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SETTINGS_FILE = PROJECT_ROOT / "settings.yml"

# Environment variable -> (section, key). Environment wins over the file.
ENV_OVERRIDES = {
    "BOT_LOCALE": ("clinic", "locale"),
    "BOT_RASA_PORT": ("services", "rasa_port"),
    "BOT_ACTIONS_PORT": ("services", "actions_port"),
    "BOT_WEB_PORT": ("services", "web_port"),
    "BOT_HOST": ("services", "host"),
    "DATABASE_URL": ("services", "database_url"),
    "REDIS_URL": ("services", "redis_url"),
    "BOT_RASA_WORKERS": ("services", "rasa_workers"),
}


class SettingsError(Exception):
    """The settings file or an environment override is unusable; the message says which and why."""


class Clinic(BaseModel):
    name: str
    opening_hours: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    privacy_url: str = "/privacy"
    locale: str = "en-US"
    extra_resources_file: Optional[Path] = None


class Conversations(BaseModel):
    retention_days: int = 90
    session_expiration_minutes: int = 60

    @validator("retention_days", "session_expiration_minutes")
    def _positive(cls, value: int) -> int:
        if value <= 0:
            raise ValueError("must be a positive number")
        return value


class Services(BaseModel):
    host: str = "127.0.0.1"
    rasa_port: int = 5005
    actions_port: int = 5055
    web_port: int = 8000
    # None: a SQLite file in the var directory.
    database_url: Optional[str] = None
    redis_url: Optional[str] = None
    # Rasa server processes (Rasa's SANIC_WORKERS). More than 1 needs redis_url (the lock store that
    # keeps one conversation's messages in order across processes) and a server database such as
    # PostgreSQL (several processes writing one SQLite file lock each other out).
    rasa_workers: int = 1

    @validator("rasa_port", "actions_port", "web_port")
    def _port(cls, value: int) -> int:
        if not 0 < value < 65536:
            raise ValueError("must be a TCP port between 1 and 65535")
        return value

    @validator("rasa_workers")
    def _workers(cls, value: int, values: dict[str, Any]) -> int:
        if value < 1:
            raise ValueError("must be at least 1")
        if value > 1 and not values.get("redis_url"):
            raise ValueError("more than 1 needs services.redis_url (REDIS_URL): a Redis lock store")
        database = values.get("database_url")
        if value > 1 and (not database or database.startswith("sqlite")):
            raise ValueError("more than 1 needs services.database_url (DATABASE_URL) on a server "
                             "database such as PostgreSQL, not SQLite")
        return value


class Settings(BaseModel):
    clinic: Clinic
    conversations: Conversations = Conversations()
    services: Services = Services()
    root: Path = PROJECT_ROOT
    # Runtime state (database, trained-model stamp, generated files, reports); tests point it elsewhere.
    var_dir: Path = PROJECT_ROOT / "var"

    @property
    def build_dir(self) -> Path:
        """Files generated from settings and data (domain fragment, endpoints); never edited by hand."""
        return self.var_dir / "build"

    @property
    def database_url(self) -> str:
        """The configured database URL, or a SQLite file in the var directory."""
        return self.services.database_url or f"sqlite:///{self.var_dir / 'bot.db'}"

    @property
    def extra_resources_path(self) -> Optional[Path]:
        path = self.clinic.extra_resources_file
        if path is None:
            return None
        return path if path.is_absolute() else self.root / path

    def url(self, service: str) -> str:
        """Base URL of a local service: "rasa", "actions" or "web"."""
        port = getattr(self.services, f"{service}_port")
        return f"http://{self.services.host}:{port}"


def _apply_env(raw: dict[str, Any], environ: dict[str, str]) -> None:
    for variable, (section, key) in ENV_OVERRIDES.items():
        if environ.get(variable):
            raw.setdefault(section, {})[key] = environ[variable]


def load_settings(path: Optional[Path] = None, environ: Optional[dict[str, str]] = None) -> Settings:
    """Read the settings file (``BOT_SETTINGS_FILE`` or ``settings.yml``) and apply environment overrides."""
    environ = dict(os.environ) if environ is None else environ
    path = Path(path or environ.get("BOT_SETTINGS_FILE") or DEFAULT_SETTINGS_FILE)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise SettingsError(f"settings file {path} does not exist") from None
    except yaml.YAMLError as error:
        raise SettingsError(f"settings file {path} is not valid YAML: {error}") from None
    if not isinstance(raw, dict):
        raise SettingsError(f"settings file {path} must be a mapping of sections")
    _apply_env(raw, environ)
    try:
        var_dir = Path(environ.get("BOT_VAR_DIR") or PROJECT_ROOT / "var").resolve()
        return Settings(**raw, var_dir=var_dir)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
        )
        raise SettingsError(f"settings file {path}: {problems}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return load_settings()
