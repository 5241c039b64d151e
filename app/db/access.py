"""The app's own database role, set up by `make migrate` after the migrations: created when
missing, granted DML on the tenant tables only (app_role_ensure in 0015_owners); and how a
statement is planned (generic_plans)."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from app.db import queries
from app.db.execute import execute
from app.db.pool import CUSTOM_PLANS

SQL = queries.load("access")


async def ensure_app_role(
    conn: asyncpg.Connection, *, role: str, password: str | None
) -> list[str]:
    """Run as the owning role. Returns the warnings the database raised (e.g. that only a
    superuser can keep the search's index plans under row-level security)."""
    warnings: list[str] = []

    def keep_warning(_: object, message: asyncpg.PostgresLogMessage) -> None:
        if getattr(message, "severity_en", "") == "WARNING":
            warnings.append(str(message))

    conn.add_log_listener(keep_warning)
    try:
        await execute(conn, SQL["ensure_app_role"], role, password)
    finally:
        conn.remove_log_listener(keep_warning)
    return warnings


def ensure_app_role_at(database_url: str, role: str, password: str | None) -> list[str]:
    """ensure_app_role on a connection of its own (for make migrate and the tests' template)."""

    async def run() -> list[str]:
        conn = await asyncpg.connect(database_url)
        try:
            return await ensure_app_role(conn, role=role, password=password)
        finally:
            await conn.close()

    return asyncio.run(run())


@asynccontextmanager
async def generic_plans(conn: asyncpg.Connection, wanted: bool = True) -> AsyncIterator[None]:
    """Statements run inside are planned once per connection (a generic plan), not with their
    values at each call, when `wanted` and the connection keeps its prepared statements (not
    behind a transaction pooler, where this would only add two round trips). Only for a
    statement whose plan cannot depend on its values: planning is about 0.3 ms of a 0.7 ms
    search page; a generic plan of a statement that needs its values can take seconds.

    In a transaction the setting is the transaction's own: an error there rolls it back too.
    Outside one it is the session's, put back afterwards whatever happens."""
    if not wanted or not getattr(conn, "keeps_plans", False):
        yield
        return
    local = conn.is_in_transaction()
    await execute(conn, SQL["set_plan_cache_mode"], "force_generic_plan", local)
    if local:
        yield
        await execute(conn, SQL["set_plan_cache_mode"], CUSTOM_PLANS, local)
        return
    try:
        yield
    finally:
        await execute(conn, SQL["set_plan_cache_mode"], CUSTOM_PLANS, local)
