"""The app's own database role, set up by `make migrate` after the migrations: created when
missing, granted DML on the tenant tables only (app_role_ensure in 0015_owners)."""

import asyncio

import asyncpg

from app.db import queries
from app.db.execute import execute

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
        # No prepared statement kept: behind a transaction-pooling PgBouncer the next run met
        # the last one's ("__asyncpg_stmt_1__ already exists"), as the app's pool would.
        conn = await asyncpg.connect(database_url, statement_cache_size=0, timeout=10)
        try:
            return await ensure_app_role(conn, role=role, password=password)
        finally:
            await conn.close()

    return asyncio.run(run())
