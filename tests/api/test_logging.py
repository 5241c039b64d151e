"""The service's log lines as `make run` writes them (app/api/log-config.json): each says when,
how severe and where from, and the app's own loggers are not lost (without a handler, Python
printed their warnings bare and dropped their info lines)."""

import os
import re
import subprocess
import sys
import time

import httpx

from tests.conftest import ROOT, TEST_JWT_SECRET
from tests.processes import stop
from tests.reliability.conftest import free_port

LOG_CONFIG = "app/api/log-config.json"
STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}"


def test_make_run_logs_with_the_config() -> None:
    run = (ROOT / "Makefile").read_text().split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert f"--log-config {LOG_CONFIG}" in run


def test_every_line_says_when_how_severe_and_where_from() -> None:
    """Started on a database that is down (a port nobody listens on): the app's warning, then
    an access line for the 503 of /health."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgresql://nobody@127.0.0.1:{free_port()}/nowhere",
        "AUTH_JWT_SECRET": TEST_JWT_SECRET,
    }
    for name in ("DATABASE_APP_URL", "DATABASE_POOLER", "AUTH_JWT_PUBLIC_KEY"):
        env.pop(name, None)
    command = [sys.executable, "-m", "uvicorn", "app.api.app:create_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-config", LOG_CONFIG]
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, "uvicorn exited"
            assert time.monotonic() < deadline, "uvicorn did not answer"
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert status == 503
    finally:
        stop(server)
    out, err = (text.decode() for text in server.communicate())
    warning = rf"^{STAMP} WARNING: +app\.db: the app's login was not checked at start"
    assert re.search(warning, err, re.MULTILINE), err
    assert re.search(rf"^{STAMP} INFO: +Application startup complete", err, re.MULTILINE), err
    assert re.search(rf'^{STAMP} INFO: +127\.0\.0\.1:\d+ - "GET /health HTTP/1\.1" 503', out, re.M)
