"""Child processes the tests start (PgBouncer, uvicorn's workers), and servers they freeze."""

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path


def stop(process: subprocess.Popen[bytes], timeout_s: float = 10) -> None:
    """Ask a process to end (SIGTERM), and kill it if it has not within timeout_s."""
    process.terminate()
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def frozen(data_dir: Path) -> Iterator[None]:
    """A PostgreSQL server (its postmaster and every child) stopped with SIGSTOP, resumed on
    leaving: it keeps its connections open and answers nothing, like a server behind a
    network black hole."""
    postmaster = int((data_dir / "postmaster.pid").read_text().split()[0])
    children = subprocess.run(
        ["pgrep", "-P", str(postmaster)], capture_output=True, text=True, check=False
    ).stdout.split()
    pids = [postmaster, *map(int, children)]
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
