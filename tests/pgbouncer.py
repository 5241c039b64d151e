"""A real PgBouncer in transaction pooling mode in front of a PostgreSQL, for the tests and the
bench (Debian's 1.18; `make test` installs it as root, like PostgreSQL)."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from tests.processes import stop

MISSING = (
    "PgBouncer is not installed: `make test` installs Debian's pgbouncer when run as root "
    "(apt-get install pgbouncer)"
)


def executable() -> str | None:
    return shutil.which("pgbouncer") or next(
        (p for p in ("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer") if os.access(p, os.X_OK)), None
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def through(url: str, pooler_url: str) -> str:
    """`url` (any user, any database) reached through the pooler at `pooler_url`'s host:port."""
    parts, pooler = urlsplit(url), urlsplit(pooler_url)
    login = parts.netloc.rpartition("@")[0]
    return urlunsplit(parts._replace(netloc=f"{login}@{pooler.hostname}:{pooler.port}"))


@contextmanager
def pgbouncer(
    server_url: str, *, users: dict[str, str | None], ignore_startup_parameters: str = ""
) -> Iterator[str]:
    """PgBouncer in front of `server_url`'s server, for every database on it; yields the
    pooler's base URL (postgresql://127.0.0.1:PORT). `users`: the roles it lets through, with
    the password it uses to log them into the server (None: the server trusts them).
    `ignore_startup_parameters`: settings it accepts at connect and drops (by default it
    refuses the connection)."""
    binary = executable()
    if binary is None:
        raise RuntimeError(MISSING)
    server = urlsplit(server_url)
    with tempfile.TemporaryDirectory(prefix="pgbouncer-") as folder:
        work = Path(folder)
        (work / "userlist.txt").write_text(
            "".join(f'"{user}" "{unquote(password or "")}"\n' for user, password in users.items())
        )
        if os.getuid() == 0:  # PgBouncer refuses to run as root: -u switches user
            shutil.chown(work, os.environ.get("PG_OS_USER", "postgres"))
        # A free port can be taken before PgBouncer binds it (another xdist worker's PgBouncer
        # or PostgreSQL): PgBouncer then exits, and a probe of the port would have reached the
        # other server. So it is ready only once its own log says it listens; else a new port.
        for attempt in range(1, ATTEMPTS + 1):
            port = _free_port()
            ini = work / "pgbouncer.ini"
            ini.write_text(
                "[databases]\n"
                f"* = host={server.hostname} port={server.port}\n"
                "[pgbouncer]\n"
                f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
                # The clients are the tests' own; the server checks the roles' passwords.
                f"auth_type = trust\nauth_file = {work / 'userlist.txt'}\n"
                "pool_mode = transaction\nmax_client_conn = 500\ndefault_pool_size = 20\n"
                # Each test's database is dropped and made again under the same name. A server
                # login PgBouncer tried while it was gone made it refuse that name for 15 s
                # (server_login_retry), a 503 for every test after it in the meantime (twice in
                # session 52's full runs, once before): it tries again at once instead.
                "server_login_retry = 0\n"
                f"ignore_startup_parameters = {ignore_startup_parameters}\n"
            )
            command = [binary, str(ini)]
            if os.getuid() == 0:
                command[1:1] = ["-u", os.environ.get("PG_OS_USER", "postgres")]
            # In the foreground it logs to stderr: into a file, so no pipe fills up and blocks it.
            log = work / f"stderr-{attempt}.log"
            with open(log, "wb") as output:
                process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
                try:
                    if not _listening(process, port, log, last=attempt == ATTEMPTS):
                        continue
                    yield f"postgresql://127.0.0.1:{port}"
                    return
                finally:
                    stop(process)
        raise AssertionError("unreachable")


ATTEMPTS = 5


def _listening(process: subprocess.Popen[bytes], port: int, log: Path, *, last: bool) -> bool:
    """Whether PgBouncer listens on `port` (its log says so); False when it exited because the
    port was taken, unless this was the `last` attempt (then, like any other failure, raise)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        said = log.read_text(errors="replace")
        if f"listening on 127.0.0.1:{port}" in said and process.poll() is None:
            return True
        if process.poll() is not None:
            if "Address already in use" in said and not last:
                return False
            raise RuntimeError(f"pgbouncer exited with {process.returncode}: {said[-2000:]}")
        time.sleep(0.05)
    raise RuntimeError("pgbouncer did not listen within 10 s")


def password_of(url: str) -> str | None:
    password = urlsplit(url).password
    return unquote(password) if password else None
