"""The command line and health URL of each service `bot run` starts, derived from settings."""
from __future__ import annotations

import sys

from bot.build import endpoints_file
from bot.settings import Settings
from bot.supervisor import Service
from bot.training import model_path

QUIET_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "PYTHONUNBUFFERED": "1",
}


def rasa_server(settings: Settings) -> Service:
    """Rasa through bot.rasa_main (Rasa's CLI plus the compiled action-response validator).

    With services.rasa_workers > 1, Rasa's own multi-worker serving (SANIC_WORKERS): the settings
    only allow it with a Redis lock store and a server database (see bot/settings.py).
    """
    host, port = settings.services.host, settings.services.rasa_port
    return Service(
        name="rasa",
        command=[
            sys.executable, "-m", "bot.rasa_main", "run",
            "--model", str(model_path(settings)),
            "--endpoints", str(endpoints_file(settings)),
            "--credentials", str(settings.root / "credentials.yml"),
            "--interface", host,
            "--port", str(port),
            "--cors", "*",
            # The HTTP API lets the web app pause/resume a conversation and add staff messages
            # (live handoff); only with the token, which only the web app knows.
            # One argument with "=": a configured token starting with "-" is still read as the value.
            "--enable-api", f"--auth-token={settings.rasa_api_token}",
        ],
        health_url=f"http://{host}:{port}/",
        env={**QUIET_ENV, "SANIC_WORKERS": str(settings.services.rasa_workers)},
    )


def action_server(settings: Settings) -> Service:
    host, port = settings.services.host, settings.services.actions_port
    return Service(
        name="actions",
        command=[sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
        health_url=f"http://{host}:{port}/health",
        # rasa-sdk has no interface flag and binds SANIC_HOST, by default every interface.
        env={**QUIET_ENV, "SANIC_HOST": host},
    )


def web_app(settings: Settings) -> Service:
    """The clinic page, the widget files and the chat gateway (bot/web); it also runs the reconciler."""
    host, port = settings.services.host, settings.services.web_port
    return Service(
        name="web",
        command=[sys.executable, "-m", "bot.web"],
        health_url=f"http://{host}:{port}/healthz",
        env=QUIET_ENV,
    )


def all_services(settings: Settings) -> list[Service]:
    return [rasa_server(settings), action_server(settings), web_app(settings)]
