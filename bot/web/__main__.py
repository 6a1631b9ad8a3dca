"""`python -m bot.web`: serve the web app on BOT_WEB_PORT, as `bot run` starts it."""
from __future__ import annotations

from bot.web.without_tensorflow import keep_tensorflow_out

keep_tensorflow_out()  # before anything imports spaCy (and with it thinc)

import logging  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

import uvicorn  # noqa: E402

from bot.settings import get_settings  # noqa: E402
from bot.web.app import create_app  # noqa: E402
from bot.db import DatabaseNotMigrated  # noqa: E402


# How long an idle HTTP/1.1 connection stays open. Uvicorn's default (5 s) equals the idle expiry of
# common clients (httpx's 5 s) and is far below a reverse proxy's (nginx keeps upstream connections 60 s):
# a client that reuses a connection just as the server closes it gets a read error instead of a reply
# (`make load` on the cluster: 1 in 866 messages). Longer than the clients and proxies in front of it.
KEEP_ALIVE = {"timeout_keep_alive": 75}


def main() -> None:
    # BOT_LOG_LEVEL=DEBUG for more detail; no level writes message text (tests/test_no_text_in_logs.py).
    level = os.environ.get("BOT_LOG_LEVEL", "INFO").upper()
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per call to Rasa is noise
    # spaCy logs through a handler of its own as well as the root's: each of its lines came out twice.
    logging.getLogger("spacy").propagate = False
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
        log_level=level.lower(),
        # Bodies are never logged; the access log shows method, path and status only.
        access_log=True,
        # Push streams (live handoff) stay open; on shutdown give them a moment, then close them.
        timeout_graceful_shutdown=3,
        # Forwarded headers are believed from settings' web.trusted_proxies only (bot/web/proxies.py),
        # not from uvicorn's default (127.0.0.1, or FORWARDED_ALLOW_IPS).
        proxy_headers=False,
        **KEEP_ALIVE,
    )


if __name__ == "__main__":
    main()
