import pytest

from tests.servers import STORES, Stack, store_env


@pytest.fixture(scope="session", params=STORES)
def stack(request, tmp_path_factory):
    """Rasa + action servers on free ports, for the whole session: once on a private SQLite database,
    once on a throw-away PostgreSQL database with a Redis lock store (skipped, saying why, without them)."""
    with store_env(request.param) as env:
        running = Stack(tmp_path_factory.mktemp(f"e2e-var-{request.param[:6]}"), extra_env=env)
        try:  # stops whatever started, also when a server fails while starting
            yield running.start()
        finally:
            running.stop()
