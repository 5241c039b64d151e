"""Borrowing a pooled connection for one unit of work, when the connection can die at any point:
an admin kill, a failover, a pooler restart or a network cut.

What holds: a step that fails because the connection is gone raises Unavailable (503), never
an asyncpg error; a connection whose state is unknown (a failed COMMIT or ROLLBACK, a lost
BEGIN) is terminated, so the pool never hands it out again; returning a connection never
raises, because by then the answer is decided. Each step is its own function so that the
reliability tests can kill the backend exactly between two of them."""

import asyncio
import logging
import uuid
from typing import Literal, cast

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from asyncpg.transaction import Transaction

from app.config import Settings
from app.db import access
from app.db.execute import execute, translated_errors
from app.db.pool import transaction_settings
from app.errors import Unavailable, WriteConflict

logger = logging.getLogger("app.db")


async def acquire(pool: asyncpg.Pool, *, acquire_timeout_s: float) -> asyncpg.Connection:
    with translated_errors():  # an unreachable database becomes Unavailable
        proxy = await pool.acquire(timeout=acquire_timeout_s)
    # The pool hands out a proxy that behaves as the Connection it wraps.
    return cast(asyncpg.Connection, proxy)


async def begin(
    pool: asyncpg.Pool,
    *,
    owner: str | None,
    settings: Settings,
    list_id: uuid.UUID | None = None,
    readonly: bool = False,
    isolation: Literal["repeatable_read"] | None = None,
) -> tuple[asyncpg.Connection, Transaction]:
    """A connection with its transaction begun, saying who is calling (`owner`; None: nobody,
    and row-level security shows no list), the list the work is in (`list_id`, entered only
    when it is the caller's: row-level security then shows its rows without reading a table)
    and the app's settings (statement timeout ...). They are transaction-local, so they end
    with the transaction and never reach the connection's next user, even through a
    transaction-pooling PgBouncer. `readonly`: BEGIN READ ONLY, as a replica requires (and
    the primary honours for the same reads). `isolation`: the transaction's, as asyncpg names
    it ("repeatable_read"), when not the server's default (READ COMMITTED).

    A pooled connection whose backend died while it sat idle fails its BEGIN; nothing was
    done yet, so a fresh connection is tried once. Not after a BEGIN that timed out: the
    server stopped answering, and another pooled connection to it waited as long again (a
    503 after 16 s, not the 8 s the reply timeout promises)."""
    for attempt in (1, 2):
        conn = await acquire(pool, acquire_timeout_s=settings.acquire_timeout_s)
        tx = conn.transaction(readonly=readonly, isolation=isolation)
        try:
            with translated_errors(conn):
                await tx.start()
                said = transaction_settings(settings, owner=owner)
                await execute(
                    conn, access.SQL["set_transaction"], list(said), list(said.values()), list_id
                )
            return conn, tx
        except Exception as exc:
            discard(conn, exc)
            await release(pool, conn)
            lost = isinstance(exc, Unavailable) and not isinstance(exc, WriteConflict)
            if attempt == 2 or not lost or isinstance(exc.__cause__, TimeoutError):
                raise
    raise AssertionError("unreachable")


async def commit(conn: asyncpg.Connection, tx: Transaction) -> None:
    """Raises when the COMMIT was not acknowledged (Unavailable when the connection broke: the
    transaction may or may not have taken effect); the connection is discarded either way."""
    try:
        with translated_errors(conn):
            await tx.commit()
    except Exception as exc:
        discard(conn, exc)
        raise


# The reads whose transaction is still ending (end_read_later), held so that no task of them
# is collected before it ends.
_ENDING_READS: set[asyncio.Task[None]] = set()


def end_read_later(pool: asyncpg.Pool, conn: asyncpg.Connection, tx: Transaction) -> None:
    """End a read's transaction and give its connection back without the caller waiting: what
    it read is read, and a READ ONLY transaction has nothing to commit, so its end (a round
    trip, and the pool's) need not hold the answer back (0.2 ms of a search through the API).
    A ROLLBACK that fails changes nothing read; its connection is discarded, as always."""
    task = asyncio.get_running_loop().create_task(end_read(pool, conn, tx))
    _ENDING_READS.add(task)
    task.add_done_callback(_ENDING_READS.discard)


async def end_read(pool: asyncpg.Pool, conn: asyncpg.Connection, tx: Transaction) -> None:
    """Roll back and give the connection back: the end of a transaction that wrote nothing
    (or whose writes an error undid). Never raises, as rollback and release do not; released
    even when cancelled during the ROLLBACK."""
    try:
        await rollback(conn, tx)
    finally:
        await release(pool, conn)


async def rollback(conn: asyncpg.Connection, tx: Transaction) -> None:
    """Never raises: the caller is already answering with the error that led here. A ROLLBACK
    that fails leaves nothing committed, but a connection in an unknown state: it is discarded."""
    try:
        await tx.rollback()
    except Exception as exc:
        discard(conn, exc)


def discard(conn: asyncpg.Connection, cause: BaseException) -> None:
    """Close the connection at once, so the pool opens a new one instead of handing it out."""
    logger.warning("discarding a database connection after: %r", cause)
    try:
        if not conn.is_closed():
            conn.terminate()
    except asyncpg.InterfaceError:
        pass  # the proxy was already detached: the connection closed itself


async def release(pool: asyncpg.Pool, conn: asyncpg.Connection) -> None:
    """Give the connection back. Never raises: the pool's reset (which terminates the connection
    when it fails) is the only thing left, and the request's answer must not depend on it."""
    try:
        await pool.release(cast(PoolConnectionProxy, conn))
    except Exception as exc:
        logger.warning("a database connection failed its reset on release: %r", exc)
