"""The app's own database role, set up by `make migrate` after the migrations: created when
missing, granted DML on the tenant tables only (app_role_ensure in 0015_owners)."""

import asyncio

import asyncpg

from app.db import queries
from app.db.execute import execute

SQL = queries.load("access")


def ensure_app_role(database_url: str, role: str, password: str | None) -> list[str]:
    """Run as the owning role. Returns the warnings the database raised (e.g. that only a
    superuser can keep the search's index plans under row-level security)."""
    return asyncio.run(_ensure_app_role(database_url, role, password))


async def _ensure_app_role(database_url: str, role: str, password: str | None) -> list[str]:
    warnings: list[str] = []
    conn = await asyncpg.connect(database_url)
    try:
        conn.add_log_listener(
            lambda _, message: (
                warnings.append(str(message))
                if getattr(message, "severity_en", "") == "WARNING"
                else None
            )
        )
        await execute(conn, SQL["ensure_app_role"], role, password)
    finally:
        await conn.close()
    return warnings
