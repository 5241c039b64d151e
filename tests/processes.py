"""Child processes the tests start (PgBouncer, uvicorn's workers)."""

import subprocess


def stop(process: subprocess.Popen[bytes], timeout_s: float = 10) -> None:
    """Ask a process to end (SIGTERM), and kill it if it has not within timeout_s."""
    process.terminate()
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
