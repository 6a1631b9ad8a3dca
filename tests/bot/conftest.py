import asyncio
import time
from pathlib import Path
from typing import Any, Optional

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url

from bot.db import migrate
from bot.settings import Settings, load_settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Project settings with a private var directory and SQLite database, migrated (as `bot run` does)."""
    loaded = load_settings(environ={"BOT_VAR_DIR": str(tmp_path / "var")})
    migrate(loaded)
    return loaded


def user_event(text: str, intent: str, safety: Optional[dict[str, Any]] = None, at: Optional[float] = None) -> UserUttered:
    parse_data: dict[str, Any] = {"intent": {"name": intent, "confidence": 1.0}, "entities": [], "text": text}
    if safety is not None:
        parse_data["safety"] = safety
    return UserUttered(text, parse_data["intent"], [], parse_data, timestamp=at or time.time())


class TrackerWriter:
    """Writes conversations into Rasa's own SQLTrackerStore, as the Rasa server would."""

    def __init__(self, database_url: str) -> None:
        url = make_url(database_url)
        self.store = SQLTrackerStore(
            Domain.empty(), dialect=url.get_backend_name(), host=url.host, port=url.port,
            db=url.database, username=url.username, password=url.password,
        )

    def save(self, sender_id: str, *events) -> None:
        tracker = DialogueStateTracker.from_events(sender_id, list(events))
        asyncio.run(self.store.save(tracker))


@pytest.fixture
def tracker_writer(settings: Settings) -> TrackerWriter:
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    return TrackerWriter(settings.database_url)


def bot_action(name: str) -> ActionExecuted:
    return ActionExecuted(name, timestamp=time.time())


def bot_text(text: str) -> BotUttered:
    return BotUttered(text, timestamp=time.time())
