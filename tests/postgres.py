"""A throw-away PostgreSQL database for tests that need one (127.0.0.1:5432, as on our machines and CI)."""
from contextlib import contextmanager
from typing import Iterator

import pytest

from bot.db import temporary_postgres_database

POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432"


@contextmanager
def temporary_database() -> Iterator[str]:
    """Yield the URL of a new empty database; drop it afterwards. Fails plainly when there is no server."""
    import psycopg2

    try:
        database = temporary_postgres_database(POSTGRES_SERVER, "bot_test")
        url = database.__enter__()
    except psycopg2.OperationalError as error:
        pytest.fail(
            "this test needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth), "
            f"which is not reachable: {str(error).strip()}",
            pytrace=False,
        )
    try:
        yield url
    finally:
        database.__exit__(None, None, None)
