"""Apply or roll back the yoyo migrations in migrations/: `python -m app.db.migrate apply`.

Migrations run from `make migrate`, never at app start-up, as the owning role (DATABASE_URL);
after them, `apply` sets up the app's own role (app/db/access.py). yoyo's lock table makes a second
concurrent run wait for the first instead of applying anything twice. Each migration and the
record of it commit together, so a run stopped at any point leaves every migration either
applied and recorded or neither.
"""

import argparse
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import asyncpg
import psycopg
from yoyo import get_backend, read_migrations
from yoyo.backends import DatabaseBackend
from yoyo.exceptions import LockTimeout
from yoyo.migrations import Migration

from app.config import app_role_of, checked_url
from app.db.access import ensure_app_role_at

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
LOCK_TIMEOUT_SECONDS = 120


# How long to wait for the server to accept a login: a server that takes connections but does
# not answer (stopped, overloaded) held `make migrate`, and so `make run`, for good.
CONNECT_TIMEOUT_S = 10


def yoyo_url(database_url: str) -> str:
    """yoyo picks its driver from the URL scheme; plain postgresql:// would need psycopg2. The
    query's arguments reach psycopg's connect: a connect_timeout unless the URL sets one."""
    scheme, sep, rest = database_url.partition("://")
    if not sep or scheme not in {"postgres", "postgresql", "postgresql+psycopg"}:
        raise ValueError("DATABASE_URL must look like postgresql://user:password@host:port/dbname")
    if "connect_timeout=" not in rest.partition("?")[2]:
        rest += ("&" if "?" in rest else "?") + f"connect_timeout={CONNECT_TIMEOUT_S}"
    return f"postgresql+psycopg://{rest}"


def open_backend(database_url: str) -> DatabaseBackend:
    return get_backend(yoyo_url(database_url))


UNLOCK_HINT = "if no migration is running, `make migrate-unlock` removes the lock"


def lock_holder(backend: DatabaseBackend) -> tuple[int, object] | None:
    """The process id and time of the run that holds yoyo's lock, if one does."""
    backend.ensure_internal_schema_updated()
    # The table's name is yoyo's own, quoted by it.
    lock_table = backend.lock_table_quoted
    row = backend.execute(f"SELECT pid, ctime FROM {lock_table}").fetchone()  # noqa: S608
    backend.commit()
    return (row[0], row[1]) if row else None


@contextmanager
def locked(backend: DatabaseBackend) -> Iterator[None]:
    """yoyo's lock, saying at once whose it is when another run holds it. A run killed
    outright (SIGKILL, a lost machine) leaves its lock row behind, and nothing in the database
    tells a dead holder from a slow one: the wait says how to remove it."""
    holder = lock_holder(backend)
    if holder is not None:
        print(
            f"migrate: waiting up to {LOCK_TIMEOUT_SECONDS} s for the migration lock, taken by "
            f"process {holder[0]} at {holder[1]} (yoyo_lock); {UNLOCK_HINT}",
            file=sys.stderr,
        )
    with backend.lock(timeout=LOCK_TIMEOUT_SECONDS):
        yield


def apply(database_url: str, migrations_dir: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply every pending migration; returns the ids applied."""
    backend = open_backend(database_url)
    try:
        migrations = read_migrations(str(migrations_dir))
        with locked(backend):
            pending = backend.to_apply(migrations)
            backend.ensure_internal_schema_updated()
            for migration in pending:
                # yoyo's apply_one commits the migration, then records it in a transaction of
                # its own: a run stopped in between left it applied but unrecorded, so the
                # next run applied it again (and failed) and a rollback undid the one before.
                with backend.transaction():
                    _run_and_record(backend, migration, "apply")
        return [m.id for m in pending]
    finally:
        backend.connection.close()


def _run_and_record(backend: DatabaseBackend, migration: Migration, direction: str) -> None:
    """A migration's steps and its record, in the caller's transaction."""
    migration.process_steps(backend, direction)
    if direction == "apply":
        backend.mark_one(migration, log=False)
    else:
        backend.unmark_one(migration, log=False)
    backend.log_migration(migration, direction)


def unlock(database_url: str) -> tuple[int, object] | None:
    """Remove yoyo's lock, left by a run that was killed; returns whose it was."""
    backend = open_backend(database_url)
    try:
        holder = lock_holder(backend)
        backend.break_lock()
        return holder
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
        with locked(backend):
            applied = list(backend.to_rollback(migrations))
            chosen = applied if count is None else applied[:count]
            backend.ensure_internal_schema_updated()
            # yoyo's rollback_migrations runs each on a connection and transaction of its own.
            with backend.transaction():
                for migration in chosen:
                    _run_and_record(backend, migration, "rollback")
        return [m.id for m in chosen]
    finally:
        backend.connection.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.db.migrate", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("apply", help="apply every pending migration")
    undo = sub.add_parser("rollback", help="roll back the latest migration (or --all)")
    undo.add_argument("--all", action="store_true", help="roll back every applied migration")
    sub.add_parser("unlock", help="remove the lock a killed run left (yoyo_lock)")
    args = parser.parse_args(argv)
    said = {"apply": "migrate", "rollback": "rollback", "unlock": "migrate-unlock"}[args.command]
    # A stopped run (make's timeout, a service manager) ends as Ctrl-C does: its transaction
    # rolls back and its lock is removed on the way out.
    signal.signal(signal.SIGTERM, _stop)

    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        print("DATABASE_URL is not set (make migrate sets it for you)", file=sys.stderr)
        return 2
    try:
        checked_url("DATABASE_URL", database_url)
    except RuntimeError as exc:
        print(f"{said}: {exc}", file=sys.stderr)
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
        elif args.command == "unlock":
            holder = unlock(database_url)
            print(
                f"removed the migration lock of process {holder[0]}, taken at {holder[1]}"
                if holder
                else "no migration lock to remove"
            )
        else:
            done = rollback(database_url, count=None if args.all else 1)
            print(f"rolled back: {', '.join(done)}" if done else "nothing to roll back")
    except (ValueError, RuntimeError, OSError, psycopg.Error, asyncpg.PostgresError) as exc:
        # Cannot reach or log in to the server, or may not create the app's role (it is a
        # superuser, say), or DATABASE_APP_URL names no user: one line.
        print(f"{said}: {exc}".strip(), file=sys.stderr)
        return 1
    except LockTimeout:
        print(
            f"{said}: another run held the migration lock for {LOCK_TIMEOUT_SECONDS} s; "
            f"{UNLOCK_HINT}",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print(f"{said}: stopped; nothing of the migration under way was kept", file=sys.stderr)
        return 130
    return 0


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
