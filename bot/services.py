"""The command line and health URL of each service `bot run` starts, derived from settings."""
from __future__ import annotations

import sys

from typing import Optional

from bot.build import endpoints_file
from bot.domain_memo import MEMO_VARIABLE
from bot.settings import Settings
from bot.supervisor import Service
from bot.training import model_path, models_dir

VALIDATED_DOMAINS = "validated-domains.txt"
QUIET_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "PYTHONUNBUFFERED": "1",
}


def rasa_server(settings: Settings, name: str = "rasa", port: Optional[int] = None) -> Service:
    """Rasa through bot.rasa_main (Rasa's CLI plus the compiled action-response validator).

    With services.rasa_workers > 1, Rasa's own multi-worker serving (SANIC_WORKERS): the settings
    only allow it with a Redis lock store and a server database (see bot/settings.py). `name` and `port`
    make one replica of a cluster (`cluster_services`).
    """
    host, port = settings.services.host, port or settings.services.rasa_port
    return Service(
        name=name,
        command=[
            sys.executable, "-m", "bot.rasa_main", "run",
            "--model", str(model_path(settings)),
            "--endpoints", str(endpoints_file(settings)),
            "--credentials", str(settings.root / "credentials.yml"),
            "--interface", host,
            "--port", str(port),
            # No --cors: no browser calls Rasa (the widget talks to the web app's gateway).
            # The HTTP API lets the web app pause/resume a conversation and add staff messages
            # (live handoff); only with the token, which only the web app knows, and Rasa stays private.
            # One argument with "=": a configured token starting with "-" is still read as the value.
            "--enable-api", f"--auth-token={settings.rasa_api_token}",
        ],
        health_url=f"http://{host}:{port}/",
        env={**QUIET_ENV, "SANIC_WORKERS": str(settings.services.rasa_workers),
             # the sha256 of domain texts that passed Rasa's schema check (bot/domain_memo.py)
             MEMO_VARIABLE: str(models_dir(settings) / VALIDATED_DOMAINS)},
    )


def action_server(settings: Settings) -> Service:
    host, port = settings.services.host, settings.services.actions_port
    return Service(
        name="actions",
        command=[sys.executable, "-m", "bot.library_warnings", "rasa_sdk", "--actions", "actions", "--port", str(port)],
        health_url=f"http://{host}:{port}/health",
        # rasa-sdk has no interface flag and binds SANIC_HOST, by default every interface.
        env={**QUIET_ENV, "SANIC_HOST": host},
    )


def web_app(settings: Settings, rasa_urls: Optional[list[str]] = None) -> Service:
    """The clinic page, the widget files and the chat gateway (bot/web); it also runs the reconciler.
    `rasa_urls`: the Rasa replicas it spreads conversations across (default: services.rasa_urls)."""
    host, port = settings.services.host, settings.services.web_port
    env = dict(QUIET_ENV)
    if rasa_urls:
        env["BOT_RASA_URLS"] = ",".join(rasa_urls)
    return Service(
        name="web",
        command=[sys.executable, "-m", "bot.web"],
        health_url=f"http://{host}:{port}/healthz",
        env=env,
    )


def all_services(settings: Settings) -> list[Service]:
    return [rasa_server(settings), action_server(settings), web_app(settings)]


class ClusterNeedsStores(ValueError):
    """`bot run-cluster` lacks the shared stores; the message names what to set."""


def cluster_problems(settings: Settings) -> list[str]:
    """What is missing for replicas to share conversations: a server database and a Redis lock store."""
    problems = []
    database = settings.services.database_url
    if not database or database.startswith("sqlite"):
        problems.append("DATABASE_URL must name a PostgreSQL database (e.g. postgresql://user@host:5432/clinic): "
                        "every replica reads and writes the same tracker store, which a SQLite file cannot serve")
    if not settings.services.redis_url:
        problems.append("REDIS_URL must name a Redis server (e.g. redis://host:6379/0): Rasa's lock store there "
                        "keeps one conversation's messages in order whichever replica takes them")
    return problems


def rasa_replica_ports(settings: Settings, replicas: int) -> list[int]:
    """services.rasa_port, then the ports after it (5005, 5006, ...)."""
    return [settings.services.rasa_port + index for index in range(replicas)]


def cluster_services(settings: Settings, replicas: int = 2) -> list[Service]:
    """`replicas` Rasa servers on one tracker store and lock store, one action server, and the web app
    spreading conversations across the replicas. Raises ClusterNeedsStores, naming what is missing."""
    problems = cluster_problems(settings)
    if problems:
        raise ClusterNeedsStores("\n".join(problems))
    rasa = [rasa_server(settings, name=f"rasa-{index + 1}", port=port)
            for index, port in enumerate(rasa_replica_ports(settings, replicas))]
    urls = [s.health_url.rstrip("/") for s in rasa]
    return [*rasa, action_server(settings), web_app(settings, rasa_urls=urls)]
