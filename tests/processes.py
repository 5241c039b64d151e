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
    pids = [postmaster, *_children(postmaster)]
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


def _children(parent: int) -> list[int]:
    """The processes whose parent is `parent`, from /proc (procps may not be installed)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # "pid (name) state ppid ...": the name may hold spaces and parentheses.
            state_and_ppid = stat.read_text().rpartition(")")[2].split()[:2]
        except OSError:  # the process ended meanwhile
            continue
        if int(state_and_ppid[1]) == parent:
            children.append(int(stat.parent.name))
    return children
