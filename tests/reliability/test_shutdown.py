"""Stopping the server lets in-flight requests finish, then closes the pool."""

import threading
import time

import httpx
import psycopg

from app.api.app import create_app
from tests.conftest import auth_settings, bearer
from tests.reliability.conftest import serve

APP_SESSIONS = """
SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND application_name = 'custom-fields-sql'
"""
WAITING = APP_SESSIONS + " AND wait_event_type = 'Lock'"


def wait_until(predicate: "object", timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_shutdown_finishes_in_flight_requests_and_closes_the_pool(
    database_url: str, postgresql: psycopg.Connection
) -> None:
    app = create_app(auth_settings(database_url, pool_max_size=4))
    observer = psycopg.connect(database_url, autocommit=True)
    with (
        serve(app) as served,
        httpx.Client(base_url=served.url, timeout=20, headers=bearer()) as client,
    ):
        list_id = client.post("/lists", json={"name": "shutdown"}).json()["id"]
        video = client.post(
            f"/lists/{list_id}/videos", json={"youtube_id": "abc", "title": "t"}
        ).json()["id"]
        field = client.post(
            f"/lists/{list_id}/custom-fields", json={"name": "n", "field_type": "text"}
        ).json()["id"]

        # Hold the field row so the next write is in flight when the shutdown starts.
        postgresql.execute("SELECT FROM custom_fields WHERE id = %s FOR UPDATE", (field,))
        result: list[httpx.Response] = []
        request = threading.Thread(
            target=lambda: result.append(
                client.put(
                    f"/lists/{list_id}/videos/{video}/fields/{field}",
                    json={"value_text": "in flight"},
                )
            )
        )
        request.start()
        wait_until(lambda: observer.execute(WAITING).fetchone() == (1,))

        served.server.should_exit = True
        time.sleep(0.3)
        assert served.thread.is_alive()  # waiting for the request
        postgresql.rollback()  # the slow statement ends

        request.join(timeout=10)
        served.thread.join(timeout=10)
        assert not served.thread.is_alive()
        assert result and result[0].status_code == 200, result
        assert result[0].json()["value_text"] == "in flight"
    # The lifespan closed the pool: no session of the app is left.
    wait_until(lambda: observer.execute(APP_SESSIONS).fetchone() == (0,))
    observer.close()
