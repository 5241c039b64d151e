"""Settings read from the environment once, at start-up."""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import quote, unquote, urlsplit, urlunsplit

Number = TypeVar("Number", int, float)

# The role the app logs in as when DATABASE_APP_URL does not name one (make migrate creates it).
DEFAULT_APP_ROLE = "custom_fields_app"


def with_user(database_url: str, user: str, password: str | None) -> str:
    """The same server and database, logged in as another user (with `password`, if any)."""
    parts = urlsplit(database_url)
    host = parts.netloc.rpartition("@")[2]
    login = quote(user, safe="")
    if password:
        login += ":" + quote(password, safe="")
    return urlunsplit(parts._replace(netloc=f"{login}@{host}"))


def checked_url(name: str, url: str) -> str:
    """The URL of variable `name`, once it reads as postgresql://user:password@host:port/db;
    else a RuntimeError naming the variable without quoting it (its password: an unencoded
    '#' in a password ends the URL there, and what follows read as the port)."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise RuntimeError(f"{name} must look like postgresql://user:password@host:port/dbname")
    try:
        parts.port  # noqa: B018 (urllib checks the port when it is read)
    except ValueError:
        raise RuntimeError(
            f"{name}: its port is not a number from 0 to 65535; in the password, '#', '?', '/' "
            "and '@' must be percent-encoded (%23, %3F, %2F, %40)"
        ) from None
    return url


def app_role_of(environ: Mapping[str, str]) -> tuple[str, str | None]:
    """The app role's name and password: DATABASE_APP_URL's user, else DATABASE_APP_ROLE
    (default custom_fields_app) with DATABASE_APP_PASSWORD (default: DATABASE_URL's password)."""
    if app_url := environ.get("DATABASE_APP_URL"):
        parts = urlsplit(app_url)
        if not parts.username:
            raise RuntimeError("DATABASE_APP_URL must name the app's user")
        return unquote(parts.username), parts.password and unquote(parts.password)
    owner_password = urlsplit(environ.get("DATABASE_URL", "")).password
    return (
        environ.get("DATABASE_APP_ROLE") or DEFAULT_APP_ROLE,
        environ.get("DATABASE_APP_PASSWORD", owner_password and unquote(owner_password)),
    )


def app_url_of(environ: Mapping[str, str]) -> str:
    """The URL the app logs in with: DATABASE_APP_URL, else DATABASE_URL as the app role."""
    return environ.get("DATABASE_APP_URL") or with_user(
        environ["DATABASE_URL"], *app_role_of(environ)
    )


@dataclass(frozen=True, slots=True)
class PurgeSettings:
    """How the background purge paces itself (app/purger.py)."""

    # How long one batch should hold its locks; its row count follows from the last one's time.
    # Measured at 1M (make bench): 25 ms with a pause of 2.0 purged a list 3.3x slower (838 s
    # against 255 s) and left another list's write p99 about as high (2.43x against 2.78x its
    # p99 without a purge), so the smaller, sparser batches did not pay.
    target_s: float = 0.05
    first_rows: int = 1000
    min_rows: int = 50
    max_rows: int = 10_000
    # Pause after a batch for this share of its time: 1.0 leaves the purge half of one core.
    pause_ratio: float = 1.0
    # How often an idle worker looks for new work.
    poll_s: float = 1.0
    # Waits after a failed batch: doubling from the first to the longest.
    backoff_first_s: float = 0.5
    backoff_max_s: float = 30.0


@dataclass(frozen=True, slots=True)
class Settings:
    # The owning role's URL: migrations and psql use it; the app only derives its own from it.
    database_url: str
    # The app's own least-privilege login, which row-level security applies to. None: the
    # database_url logged in as custom_fields_app with the same password.
    database_app_url: str | None = None
    pool_min_size: int = 1
    pool_max_size: int = 10
    # Bounded waits so an unreachable database turns into a quick 503, not a hung request.
    connect_timeout_s: float = 3.0
    acquire_timeout_s: float = 3.0
    # The server aborts any statement running longer, so one slow query cannot pin a connection.
    statement_timeout_ms: int = 5000
    # Bearer tokens (app/api/auth.py). A secret means HS256; a PEM public key means RS256 or
    # ES256 and then no HS256 token is accepted. The app refuses to start with neither.
    jwt_secret: str | None = None
    jwt_public_key: str | None = None
    # Checked against the token's `iss` and `aud` when set.
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    # What sits between the app and PostgreSQL: "pgbouncer" (transaction pooling: no
    # statement cache, no startup settings), "none", or None to detect it at the first connect.
    database_pooler: str | None = None
    # The background purge of deleted lists and fields (app/purger.py), one worker per process.
    purge_worker: bool = True
    purge: PurgeSettings = field(default_factory=PurgeSettings)
    # Streaming replicas for read-only work (app/db/replicas.py), written like database_url:
    # the app logs into each as its own role, with the app URL's user and password (roles are
    # replicated with the rest of the cluster, so they are the same on every node).
    replica_urls: tuple[str, ...] = ()
    # A replica further behind than this is skipped; its state is checked at most this often.
    replica_max_lag_s: float = 5.0
    replica_check_interval_s: float = 1.0

    @classmethod
    def from_env(cls) -> "Settings":
        database_url = os.environ.get("DATABASE_URL", "")
        if not database_url:
            raise RuntimeError("DATABASE_URL is not set; `make run` sets it for the local database")
        checked_url("DATABASE_URL", database_url)
        app_url = os.environ.get("DATABASE_APP_URL")
        if app_url and not urlsplit(checked_url("DATABASE_APP_URL", app_url)).username:
            raise RuntimeError("DATABASE_APP_URL must name the app's user")
        replica_urls = replica_urls_of(os.environ.get("DATABASE_REPLICA_URLS", ""))
        for url in replica_urls:
            checked_url("DATABASE_REPLICA_URLS", url)
        return cls(
            database_url=database_url,
            database_app_url=app_url_of(os.environ),
            pool_min_size=number_of("DB_POOL_MIN_SIZE", "1", int, least=0),
            pool_max_size=number_of("DB_POOL_MAX_SIZE", "10", int, least=1),
            connect_timeout_s=number_of("DB_CONNECT_TIMEOUT_S", "3", float, least=0.001),
            acquire_timeout_s=number_of("DB_ACQUIRE_TIMEOUT_S", "3", float, least=0.001),
            statement_timeout_ms=number_of("DB_STATEMENT_TIMEOUT_MS", "5000", int, least=0),
            jwt_secret=_optional("AUTH_JWT_SECRET"),
            jwt_public_key=_optional("AUTH_JWT_PUBLIC_KEY"),
            jwt_issuer=_optional("AUTH_JWT_ISSUER"),
            jwt_audience=_optional("AUTH_JWT_AUDIENCE"),
            database_pooler=_pooler(_optional("DATABASE_POOLER")),
            purge_worker=os.environ.get("PURGE_WORKER", "1") != "0",
            replica_urls=replica_urls,
            replica_max_lag_s=number_of("REPLICA_MAX_LAG", "5", float, least=0.001),
        )

    @property
    def reply_timeout_s(self) -> float | None:
        """How long the app waits for the server's reply to one command (asyncpg's
        command_timeout): a statement may run for the statement timeout, and a reply that
        takes a connect timeout longer means the server or the network to it stopped
        answering (the request then answers 503, where it would hang). None, no bound, when
        the statement timeout is 0 (PostgreSQL's "none": the bench builds its tables so)."""
        if self.statement_timeout_ms <= 0:
            return None
        return self.statement_timeout_ms / 1000 + self.connect_timeout_s

    @property
    def app_url(self) -> str:
        """The URL the app's pool logs in with."""
        return self.database_app_url or app_url_of({"DATABASE_URL": self.database_url})

    @property
    def replica_app_urls(self) -> tuple[str, ...]:
        """The URLs the replicas' pools log in with: each replica as the app's user."""
        login = urlsplit(self.app_url)
        user, password = unquote(login.username or ""), login.password and unquote(login.password)
        return tuple(with_user(url, user, password) for url in self.replica_urls)


def number_of(name: str, default: str, kind: type[Number], *, least: float) -> Number:
    """The number in variable `name` (`default` when unset); a RuntimeError naming it when it
    is not one of `kind`, or below `least`."""
    text = os.environ.get(name) or default
    try:
        number = kind(text)
    except ValueError:
        raise RuntimeError(
            f"{name} must be {'an integer' if kind is int else 'a number'}"
        ) from None
    if number < least:
        raise RuntimeError(f"{name} must be at least {least:g}")
    return number


def replica_urls_of(value: str) -> tuple[str, ...]:
    """DATABASE_REPLICA_URLS: comma-separated URLs; blanks around and between them are ignored."""
    return tuple(url.strip() for url in value.split(",") if url.strip())


def _optional(name: str) -> str | None:
    # Set but empty counts as unset: `AUTH_JWT_SECRET= make run` must not mean an empty secret.
    return os.environ.get(name) or None


POOLERS = ("pgbouncer", "none")


def _pooler(value: str | None) -> str | None:
    if value is not None and value not in POOLERS:
        raise RuntimeError(
            f"DATABASE_POOLER must be one of {', '.join(POOLERS)} (or unset: detect)"
        )
    return value
