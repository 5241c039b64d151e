"""Behind a transaction-pooling PgBouncer (Debian's 1.18: no prepared statements across
transactions, no startup settings): the app finds it out by itself or is told, and relies on no
session state, so nothing of one transaction reaches another client's."""

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import asyncpg.connection
import pytest
from pytest_postgresql.executors import PostgreSQLExecutor

from app.config import DEFAULT_APP_ROLE, Settings
from app.db import connections, pool
from app.db.execute import translated_errors
from app.db.pool import behind_pooler, connect, create_pool, server_settings
from app.errors import Unavailable
from tests import pgbouncer
from tests.conftest import OWNER, ROOT, server_url

SETTINGS = ",".join(server_settings(Settings(database_url="")))


@pytest.fixture(scope="module")
def lenient_pgbouncer_url(postgresql_proc: PostgreSQLExecutor) -> Iterator[str]:
    """A PgBouncer configured to accept the app's startup settings and silently drop them."""
    if pgbouncer.executable() is None:
        pytest.skip(pgbouncer.MISSING)
    roles: dict[str, str | None] = {postgresql_proc.user: None, DEFAULT_APP_ROLE: None}
    with pgbouncer.pgbouncer(
        server_url(postgresql_proc, "postgres"), users=roles, ignore_startup_parameters=SETTINGS
    ) as url:
        yield url


@pytest.fixture(autouse=True)
def nothing_learned_yet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget what this process learned about poolers (other tests use the same URLs)."""
    monkeypatch.setattr(pool, "_BEHIND_POOLER", {})


@pytest.mark.parametrize("pooler", ["refusing", "lenient"])
async def test_the_app_finds_a_pgbouncer_by_itself(
    database_url: str,
    pgbouncer_url: str,
    lenient_pgbouncer_url: str,
    pooler: str,
) -> None:
    # One PgBouncer refuses the startup settings, the other drops them and answers from a
    # backend other than the one it announced: both are found, neither is mistaken.
    bouncer = pgbouncer_url if pooler == "refusing" else lenient_pgbouncer_url
    settings = Settings(database_url=pgbouncer.through(database_url, bouncer))
    assert behind_pooler(settings, settings.app_url) is None
    conn = await connect(settings)
    try:
        assert behind_pooler(settings, settings.app_url) is True
        # Statements outside a transaction, each prepared again: no statement is kept.
        for n in range(5):
            assert await conn.fetchval("SELECT $1::int + 1", n) == n + 1
    finally:
        await conn.close()


async def test_the_probes_of_processes_in_turn_leave_no_statement_behind(
    database_url: str, lenient_pgbouncer_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each process probes its first connection. A probe's named statement stayed on the
    # server connection a lenient PgBouncer handed the next process, whose probe, numbered
    # from 1 too, collided: "__asyncpg_stmt_1__ already exists", a 500 at start-up.
    settings = Settings(database_url=pgbouncer.through(database_url, lenient_pgbouncer_url))
    for _ in range(3):
        # A new process: nothing learned, and asyncpg's statement names from 1 again.
        monkeypatch.setattr(pool, "_BEHIND_POOLER", {})
        monkeypatch.setattr(asyncpg.connection, "_uid", 0)
        conn = await connect(settings)
        try:
            assert behind_pooler(settings, settings.app_url) is True
            assert await conn.fetchval("SELECT 1") == 1
        finally:
            await conn.close()


async def test_a_direct_connection_is_not_taken_for_a_pooler(database_url: str) -> None:
    settings = Settings(database_url=database_url)
    conn = await connect(settings)
    await conn.close()
    assert behind_pooler(settings, settings.app_url) is False
    told = replace(settings, database_pooler="pgbouncer")
    assert behind_pooler(told, told.app_url) is True


async def test_each_transaction_sets_its_own_owner_and_limits_through_pgbouncer(
    database_url: str, pgbouncer_url: str
) -> None:
    settings = Settings(
        database_url=pgbouncer.through(database_url, pgbouncer_url),
        database_pooler="pgbouncer",
        statement_timeout_ms=200,
        pool_max_size=2,
    )
    app_pool = await create_pool(settings)
    try:
        conn, tx = await connections.begin(app_pool, owner=OWNER, settings=settings)
        assert await conn.fetchval("SELECT current_owner()") == OWNER
        assert await conn.fetchval("SHOW statement_timeout") == "200ms"
        with pytest.raises(Unavailable, match="statement timeout"), translated_errors():
            await conn.execute("SELECT pg_sleep(1)")
        await connections.rollback(conn, tx)
        await connections.release(app_pool, conn)
        # Outside its transaction, on whichever server connection PgBouncer picks: nothing
        # of it is left (a session SET would be, and reach another client's transaction).
        async with app_pool.acquire() as conn:
            for _ in range(3):
                owner = await conn.fetchval("SELECT current_setting('app.owner', true)")
                assert owner in ("", None)
                assert await conn.fetchval("SHOW statement_timeout") == "0"
    finally:
        app_pool.terminate()


def test_database_pooler_names_a_known_pooler(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://owner@db/app")
    monkeypatch.setenv("DATABASE_POOLER", "pgbouncer")
    monkeypatch.setenv("AUTH_JWT_SECRET", "x" * 32)
    assert Settings.from_env().database_pooler == "pgbouncer"
    monkeypatch.setenv("DATABASE_POOLER", "pgpool")
    with pytest.raises(RuntimeError, match="pgbouncer, none"):
        Settings.from_env()
    monkeypatch.delenv("DATABASE_POOLER")
    assert Settings.from_env().database_pooler is None


# Session state a transaction-pooling PgBouncer would hand to another client: a SET that is not
# LOCAL, a session-level advisory lock, a prepared statement or cursor kept by name.
SESSION_STATE = re.compile(
    r"\bSET\s+(?:SESSION\s+)?(?:[a-z_]+\.[a-z_]+|role|search_path|[a-z_]*timeout|work_mem"
    r"|plan_cache_mode|max_parallel_workers_per_gather)\b"
    r"|pg_advisory_lock|pg_advisory_unlock|pg_try_advisory_lock\b|\bPREPARE\s+\w+\s+AS\b"
    r"|WITH\s+HOLD|set_config\([^)]*,\s*false\)",
    re.IGNORECASE,
)


def test_no_query_of_the_app_relies_on_session_state() -> None:
    sources = [*Path(ROOT, "sql").glob("*.sql"), *Path(ROOT, "app").rglob("*.py")]
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in sources
        for match in SESSION_STATE.finditer(path.read_text())
    ]
    assert found == []


def test_the_session_state_pattern_catches_what_it_must() -> None:
    for statement in (
        "SET statement_timeout = 0",
        "SET SESSION app.owner TO 'x'",
        "SELECT pg_advisory_lock(1)",
        "SELECT set_config('app.owner', $1, false)",
    ):
        assert SESSION_STATE.search(statement), statement
    for statement in (
        "SET LOCAL app.owner = 'x'",
        "SELECT pg_advisory_xact_lock(1)",
        "UPDATE videos SET title = $1",
        "ON CONFLICT (video_id, field_id, list_id) DO UPDATE\nSET value_text = excluded.value_text",
        "SELECT set_config(name, value, true)",
    ):
        assert not SESSION_STATE.search(statement), statement


def test_migrate_runs_again_and_again_through_pgbouncer(
    database_url: str, pgbouncer_url: str
) -> None:
    # `make run` migrates first: with DATABASE_URL at PgBouncer, every run after the first
    # failed setting up the app's role ("prepared statement __asyncpg_stmt_1__ already
    # exists": its connection kept asyncpg's statement cache, whose names restart in each
    # process, and the server connection a run before had used still held its statement).
    environment = {**os.environ, "DATABASE_URL": pgbouncer.through(database_url, pgbouncer_url)}
    for _ in range(3):
        run = subprocess.run(
            [sys.executable, "-m", "app.db.migrate", "apply"],
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert run.returncode == 0, run.stderr
