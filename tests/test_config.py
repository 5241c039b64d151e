"""Settings from the environment: what an operator sets reaches the app, and the defaults hold."""

import pytest

from app.api import check_config
from app.config import Settings


@pytest.fixture
def environ(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("DB_CONNECT_TIMEOUT_S", "DB_ACQUIRE_TIMEOUT_S", "DB_STATEMENT_TIMEOUT_MS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://owner@db/app")
    monkeypatch.setenv("AUTH_JWT_SECRET", "x" * 32)
    return monkeypatch


def test_the_database_waits_default_to_3_s_and_a_5_s_statement_timeout(
    environ: pytest.MonkeyPatch,
) -> None:
    settings = Settings.from_env()
    assert (settings.connect_timeout_s, settings.acquire_timeout_s) == (3.0, 3.0)
    assert settings.statement_timeout_ms == 5000
    assert settings.reply_timeout_s == 8.0  # the statement timeout, then a connect timeout


def test_the_database_waits_come_from_the_environment(environ: pytest.MonkeyPatch) -> None:
    environ.setenv("DB_CONNECT_TIMEOUT_S", "1.5")
    environ.setenv("DB_ACQUIRE_TIMEOUT_S", "20")
    environ.setenv("DB_STATEMENT_TIMEOUT_MS", "30000")
    settings = Settings.from_env()
    assert (settings.connect_timeout_s, settings.acquire_timeout_s) == (1.5, 20.0)
    assert settings.statement_timeout_ms == 30000
    assert settings.reply_timeout_s == 31.5


def test_no_statement_timeout_means_no_bound_on_a_reply(environ: pytest.MonkeyPatch) -> None:
    # PostgreSQL's statement_timeout 0 is "none": a statement may then run for any time.
    environ.setenv("DB_STATEMENT_TIMEOUT_MS", "0")
    assert Settings.from_env().reply_timeout_s is None


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("DATABASE_URL", "postgresql://owner:se#cret@db:5432/app"),
        ("DATABASE_URL", "postgresql://owner@db:port/app"),
        ("DATABASE_URL", "notaurl"),
        ("DATABASE_APP_URL", "postgresql://app:pa#ss@db/app"),
        ("DATABASE_REPLICA_URLS", "postgresql://r@replica:54x2/app"),
    ],
)
def test_a_malformed_database_url_is_refused_naming_its_variable_not_its_password(
    environ: pytest.MonkeyPatch, name: str, url: str
) -> None:
    # An unencoded '#' in a password ends the URL there and the rest reads as its port: the
    # app answered 500 to every request, and the errors quoted the password's first part.
    environ.setenv(name, url)
    with pytest.raises(RuntimeError) as info:
        Settings.from_env()
    said = str(info.value)
    assert said.startswith(name)
    assert not any(secret in said for secret in ("se#", "cret", "pa#", "54x2", url))


def test_a_percent_encoded_password_is_accepted(environ: pytest.MonkeyPatch) -> None:
    environ.setenv("DATABASE_URL", "postgresql://owner:se%23cret@db:5432/app")
    assert Settings.from_env().database_url.endswith("@db:5432/app")


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("DB_POOL_MAX_SIZE", "abc", "DB_POOL_MAX_SIZE must be an integer"),
        ("DB_POOL_MAX_SIZE", "0", "DB_POOL_MAX_SIZE must be at least 1"),
        ("DB_STATEMENT_TIMEOUT_MS", "1.5", "DB_STATEMENT_TIMEOUT_MS must be an integer"),
        ("DB_CONNECT_TIMEOUT_S", "soon", "DB_CONNECT_TIMEOUT_S must be a number"),
        ("REPLICA_MAX_LAG", "-1", "REPLICA_MAX_LAG must be at least 0.001"),
        ("DATABASE_APP_URL", "postgresql://127.0.0.1:5432/app", "DATABASE_APP_URL must name"),
    ],
)
def test_a_setting_that_cannot_be_read_is_refused_naming_its_variable(
    environ: pytest.MonkeyPatch, name: str, value: str, said: str
) -> None:
    # They were a ValueError naming no variable (an int() of 'abc'), or an app logged in as
    # the operating system's user.
    environ.setenv(name, value)
    with pytest.raises(RuntimeError, match=said):
        Settings.from_env()


@pytest.mark.parametrize(
    ("name", "value"), [("PORT", "99999"), ("PORT", "abc"), ("WORKERS", "0"), ("WORKERS", "x")]
)
def test_make_run_checks_its_port_and_workers_first(
    environ: pytest.MonkeyPatch, name: str, value: str
) -> None:
    # uvicorn took PORT=99999 as 34463 (modulo 65536), and WORKERS=0 as one process.
    assert check_config.problems() is None
    environ.setenv(name, value)
    assert (check_config.problems() or "").startswith(f"{name} must be an integer")
