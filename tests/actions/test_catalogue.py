"""The catalogue marker action does nothing if it ever runs."""
from actions.catalogue import ActionResponseCatalogue
from tests.actions.conftest import make_tracker


async def test_does_nothing(domain, dispatcher):
    assert await ActionResponseCatalogue().run(dispatcher, make_tracker(domain, intent="greet"), domain) == []
    assert dispatcher.messages == []
