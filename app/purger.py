"""The background purge: each app process runs one worker (a task of the app's lifespan) that
takes deleted lists and fields apart in short batches, one transaction each.

Why a lifespan task and not a job queue such as procrastinate: the work is one kind of job
whose state already lives in its own table (purges, filled by the trigger that marks a
delete), and `FOR UPDATE SKIP LOCKED` on that row is all the coordination several processes
need. A queue would add a dependency, its own schema and a worker to run, to keep state the
database keeps anyway.

What holds: a batch runs inside one short transaction, so a crash or restart loses at most
that batch, and the next worker simply resumes (each step deletes whatever is still there);
two workers never run a batch of the same purge at once (the purge's row stays locked for the
batch); a database that goes away is waited for with backoff, logged, never raised. The size
of a batch adapts so each one holds its locks for about `target_s`, and after each batch the
worker pauses in proportion, so other lists' requests keep their share of the machine."""

import asyncio
import contextlib
import logging
import time

import asyncpg

from app.config import PurgeSettings, Settings
from app.db import connections
from app.errors import Unavailable
from app.models.purges import PurgeBatch
from app.repositories import purges

logger = logging.getLogger("app.purger")


class Purger:
    """The worker of one process: `run()` until `stop()`."""

    def __init__(self, pool: asyncpg.Pool, app_settings: Settings) -> None:
        self.pool = pool
        self.app_settings = app_settings  # each batch's transaction runs under them
        self.settings: PurgeSettings = app_settings.purge
        self.rows = self.settings.first_rows
        # What this worker has done since it started (the tests and logs read them).
        self.batches = 0
        self.rows_purged = 0
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        backoff = self.settings.backoff_first_s
        while not self._stopping.is_set():
            try:
                started = time.monotonic()
                batch = await self.run_batch()
                took = time.monotonic() - started
            except Unavailable as exc:
                logger.warning(
                    "purge batch failed, retrying in %.1f s: %s (%s)", backoff, exc, exc.cause
                )
                await self._sleep(backoff)
                backoff = min(backoff * 2, self.settings.backoff_max_s)
                continue
            except Exception:
                # A bug or an unexpected refusal: keep the process serving, say it loudly.
                logger.exception("purge batch failed, retrying in %.1f s", backoff)
                await self._sleep(backoff)
                backoff = min(backoff * 2, self.settings.backoff_max_s)
                continue
            backoff = self.settings.backoff_first_s
            if batch is None:
                await self._sleep(self.settings.poll_s)
                continue
            self.batches += 1
            self.rows_purged += batch.rows_purged
            if batch.finished:
                logger.info(
                    "purge %s finished (list %s, field %s)",
                    batch.purge_id,
                    batch.list_id,
                    batch.field_id,
                )
            else:
                self._adapt(took)
            await self._sleep(took * self.settings.pause_ratio)

    async def run_batch(self) -> PurgeBatch | None:
        """One batch in its own transaction (which speaks for the purge's owner)."""
        conn, tx = await connections.begin(self.pool, owner=None, settings=self.app_settings)
        try:
            try:
                batch = await purges.next_batch(conn, max_rows=self.rows)
            except BaseException:
                await connections.rollback(conn, tx)
                raise
            await connections.commit(conn, tx)
            return batch
        finally:
            await connections.release(self.pool, conn)

    def _adapt(self, took: float) -> None:
        # Aim the next batch at target_s, moving at most by half or double at once.
        factor = min(2.0, max(0.5, self.settings.target_s / max(took, 1e-4)))
        self.rows = int(
            min(self.settings.max_rows, max(self.settings.min_rows, self.rows * factor))
        )

    async def _sleep(self, seconds: float) -> None:
        """Wait, but return early on stop()."""
        if seconds <= 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
