"""Apply or roll back the yoyo migrations in migrations/: `python -m app.db.migrate apply`.

Migrations run from `make migrate`, never at app start-up, as the owning role (DATABASE_URL);
after them, `apply` sets up the app's own role (app/db/access.py). yoyo's lock table makes a second
concurrent run wait for the first instead of applying anything twice.
"""

import argparse
import os
import sys
from pathlib import Path

import psycopg
from yoyo import get_backend, read_migrations
from yoyo.backends import DatabaseBackend

from app.config import app_role_of
from app.db.access import ensure_app_role_at

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
LOCK_TIMEOUT_SECONDS = 120


def yoyo_url(database_url: str) -> str:
    """yoyo picks its driver from the URL scheme; plain postgresql:// would need psycopg2."""
    scheme, sep, rest = database_url.partition("://")
    if not sep or scheme not in {"postgres", "postgresql", "postgresql+psycopg"}:
        raise ValueError("DATABASE_URL must look like postgresql://user:password@host:port/dbname")
    return f"postgresql+psycopg://{rest}"


def open_backend(database_url: str) -> DatabaseBackend:
    return get_backend(yoyo_url(database_url))


def apply(database_url: str, migrations_dir: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply every pending migration; returns the ids applied."""
    backend = open_backend(database_url)
    try:
        migrations = read_migrations(str(migrations_dir))
        with backend.lock(timeout=LOCK_TIMEOUT_SECONDS):
            pending = backend.to_apply(migrations)
            backend.apply_migrations(pending)
        return [m.id for m in pending]
    finally:
        backend.connection.close()


def rollback(
    database_url: str, *, count: int | None = 1, migrations_dir: Path = MIGRATIONS_DIR
) -> list[str]:
    """Roll back the latest `count` applied migrations (all of them when count is None), all or
    nothing: one transaction, each migration's rollback a savepoint in it. One by one, a
    rollback that refused (a field type's, while fields of that type exist) left those after
    it undone, the lists' owners among them."""
    backend = open_backend(database_url)
    try:
        migrations = read_migrations(str(migrations_dir))
        with backend.lock(timeout=LOCK_TIMEOUT_SECONDS):
            applied = list(backend.to_rollback(migrations))
            chosen = applied if count is None else applied[:count]
            backend.ensure_internal_schema_updated()
            # yoyo's rollback_migrations runs each on a connection and transaction of its own.
            with backend.transaction():
                for migration in chosen:
                    migration.process_steps(backend, "rollback")
                    backend.unmark_one(migration, log=False)
                    backend.log_migration(migration, "rollback")
        return [m.id for m in chosen]
    finally:
        backend.connection.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.db.migrate", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("apply", help="apply every pending migration")
    undo = sub.add_parser("rollback", help="roll back the latest migration (or --all)")
    undo.add_argument("--all", action="store_true", help="roll back every applied migration")
    args = parser.parse_args(argv)

    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        print("DATABASE_URL is not set (make migrate sets it for you)", file=sys.stderr)
        return 2
    try:
        if args.command == "apply":
            done = apply(database_url)
            print(
                f"applied: {', '.join(done)}" if done else "nothing to apply: the schema is current"
            )
            role, password = app_role_of(os.environ)
            for warning in ensure_app_role_at(database_url, role, password):
                print(f"migrate: warning: {warning}", file=sys.stderr)
            print(f"app role: {role} (DML on the tenant tables, row-level security applies)")
        else:
            done = rollback(database_url, count=None if args.all else 1)
            print(f"rolled back: {', '.join(done)}" if done else "nothing to roll back")
    except (ValueError, psycopg.Error) as exc:
        # Cannot reach or log in to the server, or may not create the app's role: one line.
        print(f"migrate: {exc}".strip(), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
