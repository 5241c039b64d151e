"""The asyncpg connection pool, with the codecs every connection needs."""

import json
import logging
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import msgspec

from app.config import Settings
from app.db import queries

logger = logging.getLogger("app.db")
SQL = queries.load("connections")
STATEMENT_CACHE_SIZE = 100  # asyncpg's default, for a direct connection


# A body's numbers arrive as Decimals (app/api/requests.py): a config's {"min": 0.1} is
# written as the number 0.1, exactly.
_JSONB_TEXT = msgspec.json.Encoder(decimal_format="number")


def _encode_jsonb(value: Any) -> bytes:
    # jsonb's binary format is a version byte followed by the JSON text. Binary (not text)
    # format keeps the codec usable by COPY too.
    return b"\x01" + _JSONB_TEXT.encode(value)


def _decode_jsonb(data: bytes) -> Any:
    return json.loads(data[1:])


# A date as PostgreSQL's day number (days since 2000-01-01). asyncpg's own codec wrote
# date.max and date.min, 9999-12-31 and 0001-01-01, as infinity and -infinity; these are
# dates like any other (a value_date is held to them: video_field_values_date_range, 0037).
_DAY_ZERO = date(2000, 1, 1).toordinal()


def _encode_date(value: date) -> tuple[int]:
    return (value.toordinal() - _DAY_ZERO,)


def _decode_date(day: tuple[int]) -> date:
    return date.fromordinal(day[0] + _DAY_ZERO)


async def init_connection(conn: asyncpg.Connection) -> None:
    """Runs once per new connection: JSONB in and out as Python objects, a date as its day
    number.

    NUMERIC needs nothing: asyncpg already returns Decimal (and we never pass floats in)."""
    # In a transaction: behind a transaction-pooling PgBouncer, the type lookup's statements
    # must reach one and the same server connection.
    async with conn.transaction():
        await conn.set_type_codec(
            "jsonb",
            schema="pg_catalog",
            format="binary",
            encoder=_encode_jsonb,
            decoder=_decode_jsonb,
        )
        await conn.set_type_codec(
            "date", schema="pg_catalog", format="tuple", encoder=_encode_date, decoder=_decode_date
        )


APPLICATION_NAME = "custom-fields-sql"


def server_settings(settings: Settings) -> dict[str, str]:
    """The settings every transaction of the app runs under. A direct connection gets them
    once, at connect; through a pooler each transaction sets them (transaction_settings)."""
    return {
        "statement_timeout": str(settings.statement_timeout_ms),
        # asyncpg prepares every statement; after five runs PostgreSQL may switch it to a
        # generic plan made for no values in particular, and most plans here depend on them:
        # how selective "Rating >= 4" is, and how big the list is (a generic batch write
        # estimated an average list and scanned the 100k-video one per row: 1.6 s). Only the
        # statements checked to plan the same for any values run generically
        # (app/db/plans.py).
        "plan_cache_mode": "force_custom_plan",
        # Pages of 50 never gain from parallel workers; starting them costs milliseconds (a
        # rare select's "in" took 7.6 ms in parallel, 0.3 ms without).
        "max_parallel_workers_per_gather": "0",
        # A connection left idle inside a transaction would hold its locks indefinitely.
        "idle_in_transaction_session_timeout": "60000",
        # JIT compiles a statement whose estimated cost passes jit_above_cost; the filtered
        # facets' estimate at 1M does, and compiling took 79 of their 283 ms (EXPLAIN
        # ANALYZE). The app's statements are short: none gains what compiling costs.
        "jit": "off",
    }


def transaction_settings(settings: Settings, *, owner: str | None) -> dict[str, str]:
    """What each transaction says at its start, for itself only (sql/access.sql
    set_transaction): who is calling ('' for nobody) and the session settings, which a
    transaction-pooling PgBouncer would not keep (it refuses them at connect, and a session
    SET would reach other clients' transactions on the same server connection)."""
    return {"app.owner": owner or "", **server_settings(settings)}


# Whether a pooler sits in front of a URL, as learned at its first connection in this process
# (DATABASE_POOLER unset). A pooler does not come and go under a running app.
_BEHIND_POOLER: dict[str, bool] = {}


def behind_pooler(settings: Settings, url: str) -> bool | None:
    """True when connections to `url` go through a transaction-pooling PgBouncer; None while
    not known yet (nothing configured, no connection made)."""
    if settings.database_pooler is not None:
        return settings.database_pooler == "pgbouncer"
    return _BEHIND_POOLER.get(url)


async def _open(
    settings: Settings, url: str, *, pooled: bool, probe: bool = False
) -> asyncpg.Connection:
    if pooled:
        # PgBouncer 1.18 in transaction mode keeps no prepared statement from one transaction
        # to the next (support came in 1.21), and takes no startup settings but a few.
        return await asyncpg.connect(
            url,
            timeout=settings.connect_timeout_s,
            command_timeout=settings.reply_timeout_s,
            statement_cache_size=0,
            server_settings={"application_name": APPLICATION_NAME},
        )
    return await asyncpg.connect(
        url,
        timeout=settings.connect_timeout_s,
        command_timeout=settings.reply_timeout_s,
        # A probe's statements are unnamed: a named one would stay on the server connection
        # of a PgBouncer that takes the startup settings (ignore_startup_parameters), where the
        # next process's probe, numbered from 1 too, collided with it ("prepared statement
        # __asyncpg_stmt_1__ already exists": a 500).
        statement_cache_size=0 if probe else STATEMENT_CACHE_SIZE,
        server_settings={"application_name": APPLICATION_NAME, **server_settings(settings)},
    )


async def _answers_from_another_backend(conn: asyncpg.Connection) -> bool:
    # The process id the server announced at connect (BackendKeyData) is PgBouncer's own
    # invention behind PgBouncer, and the backend's pid otherwise.
    async with conn.transaction():
        pid = await conn.fetchval(SQL["backend_pid"].text)
    return bool(pid != conn.get_server_pid())


async def open_connection(settings: Settings, url: str) -> asyncpg.Connection:
    """A connection as the app makes them, behind a pooler or not: DATABASE_POOLER says which,
    or the first connection finds out (PgBouncer refuses the startup settings, or answers
    from a backend other than the one it announced) and the answer is kept."""
    pooled = behind_pooler(settings, url)
    if pooled is None:
        try:
            probe = await _open(settings, url, pooled=False, probe=True)
        except asyncpg.ProtocolViolationError as exc:
            if "unsupported startup parameter" not in str(exc):
                raise
            pooled = True
        else:
            try:
                pooled = await _answers_from_another_backend(probe)
            finally:
                await probe.close()
        _BEHIND_POOLER[url] = pooled
        if pooled:
            logger.info("a transaction-pooling PgBouncer answers at %s", urlsplit(url).netloc)
    return await _open(settings, url, pooled=pooled)


async def _end_transaction(conn: asyncpg.Connection) -> None:
    # The connection holds no session state of ours: every setting is transaction-local, every
    # advisory lock transaction-scoped, and nothing LISTENs or keeps a cursor (checked by
    # tests/db/test_pooler.py). So asyncpg's reset (RESET ALL, UNLISTEN ...), one more round
    # trip on every release, has nothing to undo; behind a transaction pooler it would even
    # run on whichever server connection PgBouncer picks. Only a transaction left open would
    # matter (asyncpg ends it first too), so it is the only thing to end.
    if conn.is_in_transaction():
        await conn.execute(SQL["end_transaction"].text)


async def refuse_a_login_rls_skips(pool: asyncpg.Pool, settings: Settings) -> None:
    """Raises when the app's login is a role row-level security does not bind (a superuser,
    or BYPASSRLS: a DATABASE_APP_URL naming the owner): every owner's rows would show. A
    database that does not answer at start cannot say; the app then starts (and answers 503)
    and says so in the log."""
    try:
        async with pool.acquire(timeout=settings.connect_timeout_s) as conn, conn.transaction():
            skips = await conn.fetchval(SQL["role_skips_row_security"].text)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        logger.warning("the app's login was not checked at start: %s", type(exc).__name__)
        return
    if skips:
        user = urlsplit(settings.app_url).username
        raise RuntimeError(
            f"the app's login {user} is a superuser or has BYPASSRLS, so row-level security "
            "would not apply: DATABASE_APP_URL must name the app's own role (make migrate "
            "creates custom_fields_app)"
        )


async def create_pool(
    settings: Settings, *, url: str | None = None, min_size: int | None = None
) -> asyncpg.Pool:
    """The app's pool: logged in as the app's role (settings.app_url) unless `url` says
    otherwise (the tests of the data layer use the owning role)."""
    url = url or settings.app_url

    async def connect(*_: Any, **__: Any) -> asyncpg.Connection:
        return await open_connection(settings, url)

    return await asyncpg.create_pool(
        min_size=settings.pool_min_size if min_size is None else min_size,
        max_size=settings.pool_max_size,
        connect=connect,
        init=init_connection,
        reset=_end_transaction,
    )


async def connect(settings: Settings, *, url: str | None = None) -> asyncpg.Connection:
    """One connection set up exactly like the pool's (the bench compares layers with it)."""
    conn = await open_connection(settings, url or settings.app_url)
    await init_connection(conn)
    return conn
