"""Settings from the environment: what an operator sets reaches the app, and the defaults hold."""

import pytest

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
