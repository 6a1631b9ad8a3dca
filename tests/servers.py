"""Start the project's own servers on free ports for a test session, and stop them afterwards."""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional

import httpx
import pytest

from bot.db import migrate, temporary_postgres_database
from bot.services import action_server, cluster_services, rasa_server, web_app
from bot.settings import Settings, load_settings
from bot import ports
from bot.supervisor import Supervisor, free_port
from bot.training import train

POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432"
REDIS_ADDRESS = ("127.0.0.1", 6379)
# The stores the end-to-end and browser suites run on: SQLite alone (a user's machine, `make run`), and
# PostgreSQL + Redis (a clinic's servers, the README's DATABASE_URL/REDIS_URL path).
STORES = ["sqlite", "postgres+redis"]


def redis_problem() -> Optional[str]:
    """None when Redis answers PING on REDIS_ADDRESS; else what is wrong, in words."""
    import redis

    try:
        redis.Redis(*REDIS_ADDRESS, socket_timeout=3, socket_connect_timeout=3).ping()
        return None
    except (redis.RedisError, OSError) as error:
        return f"Redis on {REDIS_ADDRESS[0]}:{REDIS_ADDRESS[1]} does not answer ({error})"


@contextmanager
def store_env(stores: str) -> Iterator[dict[str, str]]:
    """Environment for a Stack on `stores` (one of STORES). For PostgreSQL + Redis: a throw-away database,
    dropped afterwards, and a Redis key prefix of its own; skips, naming what is missing, without them."""
    if stores == "sqlite":
        yield {}
        return
    import psycopg2

    problem = redis_problem()
    if problem:
        pytest.skip(f"the PostgreSQL + Redis run needs Redis: {problem}")
    try:
        database = temporary_postgres_database(POSTGRES_SERVER, "bot_e2e")
        url = database.__enter__()
    except psycopg2.OperationalError as error:
        pytest.skip(f"the PostgreSQL + Redis run needs PostgreSQL at {POSTGRES_SERVER} (trust auth), which "
                    f"does not answer: {str(error).strip()}")
    try:
        yield {"DATABASE_URL": url, "REDIS_URL": f"redis://{REDIS_ADDRESS[0]}:{REDIS_ADDRESS[1]}/0",
               "BOT_REDIS_PREFIX": f"test{uuid.uuid4().hex[:10]}"}
    finally:
        database.__exit__(None, None, None)


def free_port_run(count: int) -> int:
    """The first of `count` consecutive free ports (cluster replicas listen on rasa_port, rasa_port + 1...)."""
    for _ in range(50):
        first = free_port()
        if all(ports.is_free("127.0.0.1", first + offset) for offset in range(1, count)):
            return first
    raise RuntimeError(f"no {count} consecutive free ports found")


class Stack:
    """The Rasa server and the action server (and, with web=True, the web app), as `bot run` starts them,
    on private ports and database."""

    def __init__(self, var_dir: Path, extra_env: Optional[dict[str, str]] = None, web: bool = False,
                 replicas: int = 0, log_path: Optional[Path] = None) -> None:
        self.env = {
            "BOT_VAR_DIR": str(var_dir),
            "BOT_RASA_PORT": str(free_port()),
            "BOT_ACTIONS_PORT": str(free_port()),
            "BOT_WEB_PORT": str(free_port()),
            **(extra_env or {}),
        }
        self.settings: Settings = load_settings(environ={**os.environ, **self.env})
        var_dir.mkdir(parents=True, exist_ok=True)
        train(self.settings)  # up to date after `make test`'s own training: just builds var/build
        migrate(self.settings)  # as `bot run` does before starting the services
        self.log_path = log_path or var_dir / "servers.log"  # elsewhere when a test fills var/
        self._log = self.log_path.open("ab")
        if replicas:  # `bot run-cluster`: Rasa replicas (rasa-1, ...), actions, the web app
            self.env["BOT_RASA_PORT"] = str(free_port_run(replicas))
            self.settings = load_settings(environ={**os.environ, **self.env})
            services = cluster_services(self.settings, replicas=replicas)
        else:
            services = [rasa_server(self.settings), action_server(self.settings)]
        if web and not replicas:  # the web app (demo page, widget, gateway), for browser tests
            services.append(web_app(self.settings))
        self.supervisor = Supervisor(
            services,
            cwd=str(self.settings.root), env=self.env, output=self._log,
        )

    @property
    def web_url(self) -> str:
        return self.settings.url("web")

    @property
    def webhook(self) -> str:
        return f"{self.settings.url('rasa')}/webhooks/rest/webhook"

    def start(self) -> "Stack":
        self.supervisor.start()
        self.supervisor.wait_until_ready()
        return self

    def stop_service(self, name: str) -> None:
        self.supervisor.stop([self.supervisor.service(name)])

    def start_service(self, name: str) -> None:
        service = self.supervisor.service(name)
        self.supervisor.start_service(service)
        self.supervisor.wait_until_ready(services=[service])

    def stop(self) -> None:
        self.supervisor.stop()
        self._log.close()

    def env_for_cli(self) -> dict[str, str]:
        """Environment for running `bot ...` against this stack's database."""
        return {**os.environ, **self.env}

    def conversation_of(self, token: str) -> Optional[str]:
        """The conversation id a web-app token (the widget's cookie) stands for, None if forged."""
        from bot.web.conversation import ConversationTokens, secret_key

        return ConversationTokens(secret_key(self.settings, {**os.environ, **self.env})).conversation_id(token)

    def say(self, sender: str, text: str, rasa: Optional[str] = None) -> list[dict[str, Any]]:
        """Send one message over the REST channel (of the Rasa service named `rasa`, e.g. a cluster's
        "rasa-2"; default: the configured one); return the bot's messages."""
        webhook = self.webhook
        if rasa is not None:
            webhook = self.supervisor.service(rasa).health_url.rstrip("/") + "/webhooks/rest/webhook"
        response = httpx.post(webhook, json={"sender": sender, "message": text}, timeout=30)
        response.raise_for_status()
        return response.json()
