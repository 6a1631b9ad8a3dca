import pytest

from tests.servers import Stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """Rasa + action servers on free ports with a private SQLite database, for the whole session."""
    running = Stack(tmp_path_factory.mktemp("e2e-var")).start()
    yield running
    running.stop()
