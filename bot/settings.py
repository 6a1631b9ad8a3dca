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
    "BOT_PUBLIC_URL": ("console", "public_url"),
    "BOT_ALLOWED_ORIGINS": ("web", "allowed_origins"),
    "BOT_TRUSTED_PROXIES": ("web", "trusted_proxies"),
    "ALERT_SMTP_HOST": ("alerts", "smtp_host"),
    "ALERT_SMTP_PORT": ("alerts", "smtp_port"),
    "ALERT_SMTP_USERNAME": ("alerts", "smtp_username"),
    "ALERT_SMTP_PASSWORD": ("alerts", "smtp_password"),
    "ALERT_WEBHOOK_URL": ("alerts", "webhook_url"),
    "ALERT_ESCALATION_WEBHOOK_URL": ("alerts", "escalation_webhook_url"),
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
    # The time zone of opening_hours (an IANA name), for the alert that waits for opening hours.
    timezone: str = "UTC"

    @validator("timezone")
    def _timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Europe/London)") from None
        return value

    @validator("opening_hours")
    def _hours(cls, value: str) -> str:
        from bot.hours import parse_opening_hours

        parse_opening_hours(value)  # raises ValueError naming the part it cannot read
        return value


class Conversations(BaseModel):
    # Idle conversations are deleted after this many days, unless they have an open case.
    retention_days: int = 90
    # Closed cases (no message text) are deleted this many days after they were closed.
    case_retention_days: int = 365
    session_expiration_minutes: int = 60

    @validator("retention_days", "case_retention_days", "session_expiration_minutes")
    def _positive(cls, value: int) -> int:
        if value <= 0:
            raise ValueError("must be a positive number")
        return value


class Console(BaseModel):
    """The staff review console: sign-in and sessions."""

    # How alerts link to the console (e.g. https://chat.clinic.example); None: this machine's web URL.
    public_url: Optional[str] = None
    idle_timeout_minutes: int = 30
    # Staff see a warning this long before an idle sign-out, with a button to stay signed in.
    idle_warning_minutes: int = 2
    session_lifetime_hours: int = 12
    # Two-step sign-in: "admins" (required of admins, optional for reviewers) or "all".
    require_two_step: str = "admins"
    password_min_length: int = 12
    lockout_after_failures: int = 5
    lockout_minutes: int = 15

    @validator("idle_timeout_minutes", "idle_warning_minutes", "session_lifetime_hours",
               "password_min_length", "lockout_after_failures", "lockout_minutes")
    def _positive(cls, value: int) -> int:
        if value <= 0:
            raise ValueError("must be a positive number")
        return value

    @validator("require_two_step")
    def _two_step(cls, value: str) -> str:
        if value not in ("admins", "all"):
            raise ValueError('must be "admins" or "all"')
        return value


class Alerts(BaseModel):
    """Who is told when a case is created, and again when it waits too long. Alerts carry no message
    text: only the kind of case, the time and a console link."""

    smtp_host: Optional[str] = None
    smtp_port: int = 587
    # "starttls" (port 587), "tls" (port 465) or "none" (a local relay).
    smtp_security: str = "starttls"
    smtp_username: Optional[str] = None
    smtp_password: Optional[str] = None
    email_from: Optional[str] = None
    email_to: list[str] = []
    # A Slack or Teams incoming-webhook URL (or any receiver of a JSON POST).
    webhook_url: Optional[str] = None
    # The second alert: a case still `new` after this many minutes goes to the escalation contact.
    escalate_after_minutes: int = 15
    # Count only minutes within clinic.opening_hours (outside them, nobody is expected to answer).
    escalate_in_opening_hours_only: bool = True
    escalation_email_to: list[str] = []
    escalation_webhook_url: Optional[str] = None
    # A failed delivery is retried this many times in all, waiting retry_seconds, doubling each time.
    retry_attempts: int = 5
    retry_seconds: float = 30.0
    # How often the web app looks for new cases to alert about.
    check_every_seconds: float = 5.0

    @validator("smtp_security")
    def _security(cls, value: str) -> str:
        if value not in ("starttls", "tls", "none"):
            raise ValueError('must be "starttls", "tls" or "none"')
        return value

    @validator("email_to", "escalation_email_to", pre=True)
    def _addresses(cls, value: Any) -> list[str]:
        if value is None:
            return []
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @validator("escalate_after_minutes", "retry_attempts")
    def _positive(cls, value: int) -> int:
        if value <= 0:
            raise ValueError("must be a positive number")
        return value

    @validator("retry_seconds", "check_every_seconds")
    def _positive_float(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("must be a positive number")
        return value

    @property
    def email_configured(self) -> bool:
        return bool(self.smtp_host and self.email_to)


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


def _comma_list(value: Any) -> list[str]:
    """A list from YAML, or from one comma-separated environment variable."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Web(BaseModel):
    """The public web app: who may call the chat API from a browser, and which proxies to believe."""

    # Origins (scheme://host[:port]) of the clinic pages that embed the widget. Browsers may call the
    # chat API from these only (CORS). The web app's own origin (its demo page) is always allowed.
    allowed_origins: list[str] = []
    # Addresses (or networks, e.g. 10.0.0.0/8) of reverse proxies whose X-Forwarded-For/-Proto headers
    # are believed. Empty: nobody's; the connecting address is the visitor's.
    trusted_proxies: list[str] = []

    _lists = validator("allowed_origins", "trusted_proxies", pre=True, allow_reuse=True)(_comma_list)

    @validator("allowed_origins", each_item=True)
    def _origin(cls, value: str) -> str:
        from urllib.parse import urlsplit

        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
            raise ValueError(f"{value!r} is not an origin such as https://www.your-clinic.example")
        return f"{parts.scheme}://{parts.netloc}"

    @validator("trusted_proxies", each_item=True)
    def _proxy(cls, value: str) -> str:
        import ipaddress

        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise ValueError(f"{value!r} is not an IP address or network such as 10.0.0.0/8") from None
        return value


class Settings(BaseModel):
    clinic: Clinic
    conversations: Conversations = Conversations()
    services: Services = Services()
    console: Console = Console()
    alerts: Alerts = Alerts()
    web: Web = Web()
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

    @property
    def console_url(self) -> str:
        """The console's address as alerts link to it."""
        base = self.console.public_url or self.url("web")
        return base.rstrip("/") + "/console"

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
