"""Read-only work on streaming replicas, without a client ever losing sight of its own write.

The contract, as in GitLab's database load balancing: a write's response carries the primary's
WAL position after its COMMIT (X-Read-After); a read that presents it runs on a replica only if
that replica has replayed the WAL up to there, checked inside the read's own transaction, so the
check is exact. Otherwise it runs on the primary. Without a position, a read may be served by
any replica no further behind than REPLICA_MAX_LAG.

A replica that is down, too far behind, no longer a standby or in a recovery conflict is
skipped and the read runs on the primary: a replica never causes a 5xx. What a process knows
of each replica's health is kept for replica_check_interval_s, then checked again by the next
read that uses it (one extra statement in that read's transaction); a replica found down is
tried again after DOWN_RETRY_S, by one request at a time."""

import asyncio
import logging
import random
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Concatenate, Literal, ParamSpec, TypeVar
from urllib.parse import parse_qs, urlsplit

import asyncpg

from app.config import Settings
from app.db import connections, queries
from app.db.execute import fetchrow, fetchval
from app.db.pool import create_pool
from app.errors import DomainError, InvalidInput, Unavailable, WriteConflict

SQL = queries.load("replicas")
logger = logging.getLogger("app.db")

P = ParamSpec("P")
T = TypeVar("T")

Status = Literal["unknown", "ok", "lagging", "down", "not_a_replica"]

# A replica that could not be reached is left alone this long before a read tries it again, so
# an unreachable host costs one request a connect timeout now and then, not every request.
DOWN_RETRY_S = 5.0

# What a write answers when its WAL position could not be read (the connection died right after
# COMMIT): a position no replica reaches, so the reads that present it go to the primary.
UNREACHABLE_POSITION = "FFFFFFFF/FFFFFFFF"

# A pg_lsn as PostgreSQL prints it: two hexadecimal numbers of up to 32 bits, split by a slash.
_LSN = re.compile(r"[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}")
READ_AFTER_RULE = (
    "X-Read-After must be a WAL position as a write's response gave it: two hexadecimal "
    "numbers of 1 to 8 digits split by a slash, such as 0/16B3748"
)


def parse_read_after(value: str | None) -> str | None:
    """The X-Read-After header's WAL position (None when absent); InvalidInput (400) when
    malformed."""
    if value is None:
        return None
    if not _LSN.fullmatch(value.strip()):
        raise InvalidInput(READ_AFTER_RULE)
    return value.strip()


def node_name(url: str) -> str:
    """A node as /health and the logs name it: its address and database, never its login."""
    parts = urlsplit(url)
    name = parts.netloc.rpartition("@")[2] + parts.path
    query = parse_qs(parts.query)
    for key in ("host", "port"):  # a unix socket: postgresql://user@/db?host=/dir&port=N
        if key in query:
            name += f" {key}={query[key][0]}"
    return name


@dataclass(eq=False)
class Replica:
    name: str
    pool: asyncpg.Pool
    status: Status = "unknown"
    lag_s: float | None = None
    # time.monotonic() of the last check (or of the claim to make the next one), 0: never.
    checked_at: float = 0.0

    def report(self) -> dict[str, Any]:
        return {"status": self.status, "lag_s": self.lag_s}


@dataclass(eq=False)
class Replicas:
    """The replicas of one process, with what it last saw of each."""

    settings: Settings
    nodes: Sequence[Replica] = ()

    @property
    def configured(self) -> bool:
        return bool(self.nodes)

    def candidates(self) -> list[tuple[Replica, bool]]:
        """The replicas worth trying, in random order (spreading reads), each with whether its
        state must be checked first: those last seen ok, and any whose check is due. Taking a
        due check claims it, so that one request at a time makes it."""
        now = time.monotonic()
        chosen = []
        for replica in self.nodes:
            wait = (
                DOWN_RETRY_S if replica.status == "down" else self.settings.replica_check_interval_s
            )
            if now - replica.checked_at >= wait:
                replica.checked_at = now
                chosen.append((replica, True))
            elif replica.status == "ok":
                chosen.append((replica, False))
        random.shuffle(chosen)
        return chosen

    def note(self, replica: Replica, state: asyncpg.Record) -> None:
        replica.checked_at = time.monotonic()
        replica.lag_s = state["lag_s"]
        if not state["standby"]:
            replica.status = "not_a_replica"
        elif replica.lag_s is None or replica.lag_s > self.settings.replica_max_lag_s:
            replica.status = "lagging"
        else:
            replica.status = "ok"

    def failed(self, replica: Replica, exc: BaseException) -> None:
        # A recovery conflict (40001/40P01) cancels one statement; the replica itself is fine.
        if isinstance(exc, Unavailable) and not isinstance(exc, WriteConflict):
            self.down(replica)
        logger.warning("a read on replica %s fell back to the primary: %r", replica.name, exc)

    def down(self, replica: Replica) -> None:
        replica.status, replica.lag_s = "down", None
        replica.checked_at = time.monotonic()

    async def check(self, replica: Replica) -> None:
        """Check one replica now (for /health); never raises. As a read begins: a pooled
        connection that died idle (the replica restarted) is replaced once."""
        try:
            conn, tx = await connections.begin(
                replica.pool, owner=None, settings=self.settings, readonly=True
            )
        except Exception as exc:
            logger.warning("replica %s is down: %r", replica.name, exc)
            self.down(replica)
            return
        try:
            state = await fetchrow(conn, SQL["replica_state"], None)
            assert state is not None  # one row, always
            self.note(replica, state)
        except Exception as exc:
            logger.warning("replica %s is down: %r", replica.name, exc)
            self.down(replica)
        finally:
            await connections.rollback(conn, tx)
            await connections.release(replica.pool, conn)

    async def check_all(self) -> dict[str, dict[str, Any]]:
        """Every replica checked now, at once: its status and lag, by name."""
        await asyncio.gather(*(self.check(replica) for replica in self.nodes))
        return {replica.name: replica.report() for replica in self.nodes}

    async def close(self) -> None:
        await asyncio.gather(*(replica.pool.close() for replica in self.nodes))


async def open_replicas(settings: Settings) -> Replicas:
    """A pool per replica of the settings (none: .configured is False). min_size=0:
    the app starts while a replica is down."""
    nodes = [
        Replica(node_name(url), await create_pool(settings, url=url, min_size=0))
        for url in settings.replica_app_urls
    ]
    return Replicas(settings, nodes)


async def write_position(conn: asyncpg.Connection) -> str:
    """The primary's WAL position once this connection's transaction has committed; a reader
    holding it will see that transaction. Never raises: the write is done by now."""
    try:
        position: str = await fetchval(conn, SQL["write_position"])
    except Exception as exc:
        logger.warning("no WAL position after a write, its reads go to the primary: %r", exc)
        return UNREACHABLE_POSITION
    return position


class _NotUsable(Exception):
    """The replica is behind the position asked for, or beyond the lag bound."""


@dataclass(frozen=True, slots=True)
class Reader:
    """Runs one read-only unit of work for one request: `await read(videos.get, list_id=...)`.

    The work runs in a READ ONLY transaction saying who is calling: on a replica when one may
    serve it, else on the primary (REPEATABLE READ there: one snapshot for all its
    statements). It is a function of the connection rather than a connection handed out, so
    that it can run again on the primary when the replica fails halfway."""

    primary: asyncpg.Pool
    replicas: Replicas
    owner: str | None
    list_id: uuid.UUID | None
    read_after: str | None
    settings: Settings

    async def __call__(
        self,
        work: Callable[Concatenate[asyncpg.Connection, P], Awaitable[T]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        for replica, check in self.replicas.candidates():
            try:
                return await self._run(replica, check, work, *args, **kwargs)
            except _NotUsable:
                continue
            except Exception as exc:
                # An answer about the data (not found, invalid) is the answer; anything else
                # is the replica's failure, and the primary is asked instead.
                if isinstance(exc, DomainError) and not isinstance(exc, Unavailable):
                    raise
                self.replicas.failed(replica, exc)
        return await self._run(None, False, work, *args, **kwargs)

    async def _run(
        self,
        replica: Replica | None,
        check: bool,
        work: Callable[Concatenate[asyncpg.Connection, P], Awaitable[T]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        pool = self.primary if replica is None else replica.pool
        # On the primary every statement of the read sees one snapshot: a search's page and the
        # values of its include_fields, read by two statements, agree under concurrent writes.
        # On a replica the replay check below must come before the read's snapshot, which
        # REPEATABLE READ would take at the transaction's first statement: READ COMMITTED.
        conn, tx = await connections.begin(
            pool,
            owner=self.owner,
            list_id=self.list_id,
            settings=self.settings,
            readonly=True,
            isolation="repeatable_read" if replica is None else None,
        )
        try:
            if replica is not None and (check or self.read_after is not None):
                # In the read's own transaction: each later statement's snapshot is at
                # least as new as the replay position seen here.
                state = await fetchrow(conn, SQL["replica_state"], self.read_after)
                assert state is not None
                self.replicas.note(replica, state)
                if replica.status != "ok" or not state["reached"]:
                    raise _NotUsable
            result = await work(conn, *args, **kwargs)
        except BaseException:
            await connections.end_read(pool, conn, tx)
            raise
        connections.end_read_later(pool, conn, tx)
        return result
