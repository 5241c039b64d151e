"""app.db.execute: a write the database picked as a deadlock victim runs again, alone."""

import asyncio

import asyncpg
import pytest

from app.db.execute import ATTEMPTS, retried, transaction, translated_errors
from app.errors import Unavailable, WriteConflict


async def test_a_write_conflict_is_retried_and_its_failed_attempt_rolled_back(
    conn: asyncpg.Connection,
) -> None:
    attempts: list[int] = []

    @retried
    async def write(conn: asyncpg.Connection, name: str) -> None:
        async with transaction(conn):
            await conn.execute(
                "INSERT INTO bookmark_lists (owner, name) VALUES ('alice', $1)", name
            )
            attempts.append(len(attempts) + 1)
            if len(attempts) < ATTEMPTS:
                raise WriteConflict("deadlock")

    async with conn.transaction():  # the request's transaction
        await conn.execute("INSERT INTO bookmark_lists (owner, name) VALUES ('alice', 'before')")
        await write(conn, "retried")
    names = [r["name"] for r in await conn.fetch("SELECT name FROM bookmark_lists ORDER BY name")]
    assert attempts == list(range(1, ATTEMPTS + 1))
    # Each failed attempt's row went with its savepoint; the request's own work stayed.
    assert names == ["before", "retried"]


async def test_a_write_conflict_that_persists_reaches_the_caller(conn: asyncpg.Connection) -> None:
    calls = 0

    @retried
    async def write(conn: asyncpg.Connection) -> None:
        nonlocal calls
        calls += 1
        raise WriteConflict("deadlock")

    with pytest.raises(WriteConflict):
        await write(conn)
    assert calls == ATTEMPTS


async def test_a_real_deadlock_is_translated_to_a_write_conflict(pool: asyncpg.Pool) -> None:
    """Two transactions that lock two rows in opposite orders: PostgreSQL aborts one of them."""
    async with pool.acquire() as setup:
        ids = [
            await setup.fetchval(
                "INSERT INTO bookmark_lists (owner, name) VALUES ('alice', $1) RETURNING id", n
            )
            for n in ("a", "b")
        ]

    async def lock_in_order(
        first: object, second: object, ready: asyncio.Event, go: asyncio.Event
    ) -> None:
        async with pool.acquire() as c, c.transaction():
            await c.execute("SET LOCAL deadlock_timeout = '100ms'")
            await c.execute("SELECT FROM bookmark_lists WHERE id = $1 FOR UPDATE", first)
            ready.set()
            await go.wait()
            with translated_errors():
                await c.execute("SELECT FROM bookmark_lists WHERE id = $1 FOR UPDATE", second)

    ready_a, ready_b, go = asyncio.Event(), asyncio.Event(), asyncio.Event()
    task_a = asyncio.create_task(lock_in_order(ids[0], ids[1], ready_a, go))
    task_b = asyncio.create_task(lock_in_order(ids[1], ids[0], ready_b, go))
    await ready_a.wait()
    await ready_b.wait()
    go.set()
    results = await asyncio.gather(task_a, task_b, return_exceptions=True)
    assert sum(isinstance(r, WriteConflict) for r in results) == 1, results


async def test_a_write_conflict_on_a_connection_that_died_is_not_retried(
    pool: asyncpg.Pool,
) -> None:
    """The savepoint's rollback fails on the dead connection: that is an outage (Unavailable),
    and trying again on the same connection could only fail again."""
    calls = 0

    @retried
    async def write(conn: asyncpg.Connection) -> None:
        nonlocal calls
        calls += 1
        async with transaction(conn):
            await conn.execute("INSERT INTO bookmark_lists (owner, name) VALUES ('alice', 'lost')")
            await pool.fetchval("SELECT pg_terminate_backend($1, 5000)", conn.get_server_pid())
            raise WriteConflict("deadlock")

    async with pool.acquire() as conn:
        with pytest.raises(Unavailable) as raised:
            async with transaction(conn):  # the request's transaction
                await write(conn)
    assert not isinstance(raised.value, WriteConflict)
    assert calls == 1
    assert await pool.fetchval("SELECT count(*) FROM bookmark_lists WHERE name = 'lost'") == 0
