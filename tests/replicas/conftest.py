"""A real streaming replica of the tests' PostgreSQL: made once per session with
pg_basebackup from the running test cluster, started on its own port, and caught up with each
test's fresh database before the test runs."""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from pytest_postgresql.executors import PostgreSQLExecutor

from tests.conftest import ROOT, server_url

PG_CTL = str(ROOT / "scripts" / "pg_ctl")
CATCH_UP_S = 30.0


def _server_user() -> pwd.struct_passwd:
    # The user scripts/pg_ctl runs the server as when the tests run as root.
    try:
        return pwd.getpwnam(os.environ.get("PG_OS_USER", "postgres"))
    except KeyError:
        return pwd.getpwnam("nobody")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Standby:
    """A hot standby streaming from the test cluster (`primary`)."""

    primary: PostgreSQLExecutor
    base: Path
    port: int

    @property
    def data(self) -> Path:
        return self.base / "data"

    def url(self, dbname: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [PG_CTL, "-D", str(self.data), *args], check=True, stdout=subprocess.DEVNULL, cwd="/"
        )

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def start(self) -> None:
        # A short max_standby_streaming_delay: a replayed lock cancels a conflicting read
        # within half a second (test_replicas.py provokes one); the tests' reads take less.
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.base} -c fsync=off "
            "-c max_standby_streaming_delay=500ms"
        )
        self.pg_ctl("-l", str(self.base / "log"), "-w", "-o", options, "start")

    def stop(self) -> None:
        self.pg_ctl("-m", "fast", "-w", "stop")

    def execute(self, sql: str) -> None:
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(sql)

    def replayed(self, position: str) -> bool:
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            row = conn.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [position])
            return bool(row.fetchone()[0])

    def catch_up(self, position: str | None = None) -> None:
        """Wait until the standby has replayed the primary's WAL up to `position` (default:
        all the primary has written by now)."""
        if position is None:
            with psycopg.connect(server_url(self.primary, "postgres"), autocommit=True) as conn:
                row = conn.execute("SELECT pg_current_wal_insert_lsn()::text").fetchone()
                position = str(row[0])
        deadline = time.monotonic() + CATCH_UP_S
        while not self.replayed(position):
            assert time.monotonic() < deadline, f"the standby did not replay up to {position}"
            time.sleep(0.02)


@pytest.fixture(scope="session")
def standby(postgresql_proc: PostgreSQLExecutor) -> Iterator[Standby]:
    """One standby for the session. The test cluster as pytest-postgresql starts it can feed
    one: wal_level replica and max_wal_senders 10 are PostgreSQL's defaults, and initdb's
    --auth=trust lets local replication connections in (pg_hba.conf's `replication` lines)."""
    base = Path(tempfile.mkdtemp(prefix="pytest-standby-"))
    bindir = subprocess.run(
        [str(ROOT / "scripts" / "pg_bindir")], check=True, capture_output=True, text=True
    ).stdout.strip()
    # -R writes standby.signal and primary_conninfo; --checkpoint=fast, or the backup waits
    # for a spread checkpoint; --no-sync: a throw-away standby (run with fsync off) need not
    # flush its copy to disk under the tests running beside it.
    subprocess.run(
        [
            f"{bindir}/pg_basebackup",
            *("-D", str(base / "data"), "-R", "-X", "stream", "--checkpoint=fast", "--no-sync"),
            *("-h", postgresql_proc.host, "-p", str(postgresql_proc.port), "-U", "postgres"),
        ],
        check=True,
        cwd="/",
    )
    if os.geteuid() == 0:  # the server runs as the unprivileged user and must own its files
        user = _server_user()
        for folder, _, files in os.walk(base):
            for path in (folder, *(os.path.join(folder, name) for name in files)):
                os.chown(path, user.pw_uid, user.pw_gid)
    node = Standby(postgresql_proc, base, _free_port())
    node.start()
    try:
        yield node
    finally:
        if node.running():
            node.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def standby_url(standby: Standby, database_url: str) -> Iterator[str]:
    """The standby's URL of this test's database, replayed up to now: running, replaying."""
    if not standby.running():
        standby.start()
    standby.execute("SELECT pg_wal_replay_resume()")
    standby.catch_up()
    try:
        yield standby.url(database_url.rsplit("/", 1)[1])
    finally:
        # The next test's database must replay: whatever this test did, leave it streaming.
        if not standby.running():
            standby.start()
        standby.execute("SELECT pg_wal_replay_resume()")
