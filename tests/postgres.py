"""A throw-away PostgreSQL database for tests that need one (127.0.0.1:5432, as on our machines and CI)."""
import uuid
from contextlib import contextmanager
from typing import Iterator

import pytest

POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432"


@contextmanager
def temporary_database() -> Iterator[str]:
    """Yield the URL of a new empty database; drop it afterwards. Fails plainly when there is no server."""
    import psycopg2

    try:
        admin = psycopg2.connect(f"{POSTGRES_SERVER}/postgres", connect_timeout=3)
    except psycopg2.OperationalError as error:
        pytest.fail(
            "this test needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth), "
            f"which is not reachable: {str(error).strip()}",
            pytrace=False,
        )
    admin.autocommit = True
    name = f"bot_test_{uuid.uuid4().hex[:12]}"
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES_SERVER}/{name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
