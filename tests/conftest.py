"""A real PostgreSQL for the tests: started once per session (as an unprivileged user when
pytest runs as root), migrated once into a template database, cloned fresh for every test."""

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import psycopg
import pytest
from pytest_postgresql import factories
from pytest_postgresql.executors import PostgreSQLExecutor

from app.config import DEFAULT_APP_ROLE, Settings
from app.db import migrate
from app.db.access import ensure_app_role_at
from app.db.pool import create_pool
from app.tokens import DAY_S, issue_token
from tests import pgbouncer

ROOT = Path(__file__).resolve().parents[1]

# Every app under test checks HS256 tokens signed with this secret (app/api/auth.py); its
# clients speak for OWNER unless a test asks for OTHER_OWNER or no token at all.
# Long enough for PyJWT to sign HS512 with it, as test_auth.py does, without a warning.
TEST_JWT_SECRET = "tests-only-hs256-secret-" + "0123456789abcdef" * 4
OWNER = "alice"
OTHER_OWNER = "bob"


def token_for(sub: str, ttl_s: int = DAY_S) -> str:
    """A valid token for owner `sub`, signed with the test secret."""
    return issue_token(TEST_JWT_SECRET, sub, ttl_s)


def bearer(sub: str = OWNER) -> dict[str, str]:
    """The headers that authenticate a request as owner `sub`."""
    return {"Authorization": f"Bearer {token_for(sub)}"}


def auth_settings(database_url: str, **settings: Any) -> Settings:
    """Settings for an app under test: this database, the test secret, and the rest as given."""
    return Settings(database_url=database_url, jwt_secret=TEST_JWT_SECRET, **settings)


def migrate_like_make(url: str) -> None:
    """What `make migrate` does: the migrations, then the app's role (with no password: the
    test clusters trust local logins)."""
    migrate.apply(url)
    ensure_app_role_at(url, DEFAULT_APP_ROLE, None)


def load_schema(
    host: str, port: int, user: str, dbname: str, password: str | None = None, **_: object
) -> None:
    """The template's schema (the role is made once per test cluster: roles belong to the
    cluster; the grants are cloned with the template)."""
    migrate_like_make(f"postgresql://{user}@{host}:{port}/{dbname}")


postgresql_proc = factories.postgresql_proc(
    executable=str(ROOT / "scripts" / "pg_ctl"),
    # Durability buys nothing in a throw-away test cluster.
    postgres_options="-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
    load=[load_schema],
)
postgresql = factories.postgresql("postgresql_proc")


def server_url(proc: PostgreSQLExecutor, dbname: str) -> str:
    return f"postgresql://{proc.user}@{proc.host}:{proc.port}/{dbname}"


@pytest.fixture(scope="session")
def pgbouncer_url(postgresql_proc: PostgreSQLExecutor) -> Iterator[str]:
    """A PgBouncer in transaction pooling mode in front of the test cluster, for every test
    database (the app then reaches this test's database through it: pgbouncer.through)."""
    if pgbouncer.executable() is None:
        pytest.skip(pgbouncer.MISSING)
    roles: dict[str, str | None] = {postgresql_proc.user: None, DEFAULT_APP_ROLE: None}
    with pgbouncer.pgbouncer(server_url(postgresql_proc, "postgres"), users=roles) as url:
        yield url


@pytest.fixture
def database_url(postgresql: psycopg.Connection) -> str:
    """URL of this test's fresh, migrated database."""
    info = postgresql.info
    return f"postgresql://{info.user}@{info.host}:{info.port}/{info.dbname}"


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """Connections as the owning role, which row-level security does not restrict: the tests of
    the data layer build and read any owner's data."""
    pool = await create_pool(Settings(database_url=database_url, pool_max_size=4), url=database_url)
    try:
        yield pool
    finally:
        await pool.close()


@pytest.fixture
def empty_database_url(postgresql_proc: PostgreSQLExecutor) -> Iterator[str]:
    """URL of a new database with no schema at all, dropped after the test."""
    name = f"empty_{uuid.uuid4().hex[:12]}"
    admin = server_url(postgresql_proc, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server_url(postgresql_proc, name)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
