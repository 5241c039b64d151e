"""Migrations under concurrency: two applies at once on one empty database (yoyo's lock makes
the second wait) apply each migration exactly once. Applying twice and a failing migration
are covered in tests/db/test_migrations.py."""

import multiprocessing
from concurrent.futures import ThreadPoolExecutor

import psycopg

from app.db import migrate
from tests.db.test_migrations import MIGRATIONS, applied_migrations, catalog_snapshot


def test_two_concurrent_applies_in_threads(empty_database_url: str) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(migrate.apply, [empty_database_url] * 2, timeout=120))

    assert sorted(runs) == [[], MIGRATIONS]
    assert applied_migrations(empty_database_url) == MIGRATIONS


def test_two_concurrent_applies_in_processes(empty_database_url: str, database_url: str) -> None:
    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:
        runs = pool.map(migrate.apply, [empty_database_url] * 2)

    assert sorted(runs) == [[], MIGRATIONS]
    assert applied_migrations(empty_database_url) == MIGRATIONS
    # The same schema as one plain apply (the fixture's database).
    assert catalog_snapshot(empty_database_url) == catalog_snapshot(database_url)
    with psycopg.connect(empty_database_url) as conn:
        assert conn.execute("SELECT count(*) FROM yoyo_lock").fetchone() == (0,)
