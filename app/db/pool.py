"""The asyncpg connection pool, with the codecs every connection needs."""

import json
from typing import Any

import asyncpg

from app.config import Settings


def _encode_jsonb(value: Any) -> bytes:
    # jsonb's binary format is a version byte followed by the JSON text. Binary (not text)
    # format keeps the codec usable by COPY too.
    return b"\x01" + json.dumps(value, separators=(",", ":")).encode()


def _decode_jsonb(data: bytes) -> Any:
    return json.loads(data[1:])


async def init_connection(conn: asyncpg.Connection) -> None:
    """Runs once per new connection: JSONB in and out as Python objects.

    NUMERIC needs nothing: asyncpg already returns Decimal (and we never pass floats in)."""
    await conn.set_type_codec(
        "jsonb", schema="pg_catalog", format="binary", encoder=_encode_jsonb, decoder=_decode_jsonb
    )


def server_settings(settings: Settings) -> dict[str, str]:
    """The session settings of every connection the app (or the bench) opens."""
    return {
        "application_name": "custom-fields-sql",
        "statement_timeout": str(settings.statement_timeout_ms),
        # asyncpg prepares every statement; after five runs PostgreSQL may switch it to a
        # generic plan that ignores the values, and the search's best plan depends on them
        # (how selective "Rating >= 4" is). Planning costs ~0.3 ms; a bad plan, 30 ms or more.
        "plan_cache_mode": "force_custom_plan",
        # Pages of 50 never gain from parallel workers; starting them costs milliseconds (a
        # rare select's "in" took 7.6 ms in parallel, 0.3 ms without).
        "max_parallel_workers_per_gather": "0",
        # A connection left idle inside a transaction would hold its locks indefinitely.
        "idle_in_transaction_session_timeout": "60000",
    }


async def create_pool(
    settings: Settings, *, url: str | None = None, min_size: int | None = None
) -> asyncpg.Pool:
    """The app's pool: logged in as the app's role (settings.app_url) unless `url` says
    otherwise (the tests of the data layer use the owning role)."""
    return await asyncpg.create_pool(
        url or settings.app_url,
        min_size=settings.pool_min_size if min_size is None else min_size,
        max_size=settings.pool_max_size,
        init=init_connection,
        timeout=settings.connect_timeout_s,
        server_settings=server_settings(settings),
    )


async def connect(settings: Settings, *, url: str | None = None) -> asyncpg.Connection:
    """One connection set up exactly like the pool's (the bench compares layers with it)."""
    conn = await asyncpg.connect(
        url or settings.app_url,
        timeout=settings.connect_timeout_s,
        server_settings=server_settings(settings),
    )
    await init_connection(conn)
    return conn
