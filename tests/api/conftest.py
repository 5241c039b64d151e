from collections.abc import AsyncIterator

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.api.app import create_app
from app.config import Settings


@pytest.fixture
def app(database_url: str) -> Litestar:
    return create_app(Settings(database_url=database_url, pool_max_size=4))


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """The real app over HTTP, lifespan included, on this test's database. The app runs on
    its own event loop: check the database through the API or the `pool` fixture."""
    async with AsyncTestClient(app=app) as client:
        yield client
