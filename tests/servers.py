"""Start the project's own servers on free ports for a test session, and stop them afterwards."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Optional

import httpx

from bot.db import migrate
from bot.services import action_server, rasa_server, web_app
from bot.settings import Settings, load_settings
from bot.supervisor import Supervisor, free_port
from bot.training import train


class Stack:
    """The Rasa server and the action server (and, with web=True, the web app), as `bot run` starts them,
    on private ports and database."""

    def __init__(self, var_dir: Path, extra_env: Optional[dict[str, str]] = None, web: bool = False,
                 log_path: Optional[Path] = None) -> None:
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
        services = [rasa_server(self.settings), action_server(self.settings)]
        if web:  # the web app (demo page, widget, gateway), for browser tests
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

    def say(self, sender: str, text: str) -> list[dict[str, Any]]:
        """Send one message over the REST channel; return the bot's messages."""
        response = httpx.post(self.webhook, json={"sender": sender, "message": text}, timeout=30)
        response.raise_for_status()
        return response.json()
