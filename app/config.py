"""Settings read from the environment once, at start-up."""

import os
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
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

    @classmethod
    def from_env(cls) -> "Settings":
        database_url = os.environ.get("DATABASE_URL", "")
        if not database_url:
            raise RuntimeError("DATABASE_URL is not set; `make run` sets it for the local database")
        return cls(
            database_url=database_url,
            pool_min_size=int(os.environ.get("DB_POOL_MIN_SIZE", "1")),
            pool_max_size=int(os.environ.get("DB_POOL_MAX_SIZE", "10")),
            statement_timeout_ms=int(os.environ.get("DB_STATEMENT_TIMEOUT_MS", "5000")),
            jwt_secret=_optional("AUTH_JWT_SECRET"),
            jwt_public_key=_optional("AUTH_JWT_PUBLIC_KEY"),
            jwt_issuer=_optional("AUTH_JWT_ISSUER"),
            jwt_audience=_optional("AUTH_JWT_AUDIENCE"),
        )


def _optional(name: str) -> str | None:
    # Set but empty counts as unset: `AUTH_JWT_SECRET= make run` must not mean an empty secret.
    return os.environ.get(name) or None
