"""`python -m bot.web`: serve the web app on BOT_WEB_PORT, as `bot run` starts it."""
from __future__ import annotations

import logging
import sys

import uvicorn

from bot.db import DatabaseNotMigrated
from bot.settings import get_settings
from bot.web.app import create_app


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per call to Rasa is noise
    settings = get_settings()
    try:
        app = create_app(settings)
    except DatabaseNotMigrated as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    uvicorn.run(
        app,
        host=settings.services.host,
        port=settings.services.web_port,
        log_level="info",
        # Bodies are never logged; the access log shows method, path and status only.
        access_log=True,
    )


if __name__ == "__main__":
    main()
