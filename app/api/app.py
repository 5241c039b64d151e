"""The Litestar application factory: `uvicorn app.api.app:create_app --factory`."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, get
from litestar.datastructures import State
from litestar.exceptions import HTTPException

from app.config import Settings
from app.db.pool import create_pool


@get("/health", operation_id="health")
async def health(state: State) -> dict[str, str]:
    try:
        await state.pool.fetchval("SELECT 1")
    except Exception as exc:
        raise HTTPException(status_code=503, detail="database unavailable") from exc
    return {"status": "ok"}


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def db_pool(app: Litestar) -> AsyncIterator[None]:
        app.state.pool = await create_pool(
            settings.database_url, min_size=settings.pool_min_size, max_size=settings.pool_max_size
        )
        try:
            yield
        finally:
            await app.state.pool.close()

    return Litestar(route_handlers=[health], lifespan=[db_pool])
