"""Bearer tokens for developers and tests: `make token SUB=alice` runs
`python -m app.tokens --sub alice`. The API itself only verifies tokens (app/api/auth.py); in
production they come from whoever holds the key."""

import argparse
import os
import sys
import time

import jwt

from app.api.auth import MAX_SUB_BYTES, MIN_SECRET_BYTES

DAY_S = 24 * 60 * 60


def issue_token(
    secret: str,
    sub: str,
    ttl_s: int = DAY_S,
    *,
    issuer: str | None = None,
    audience: str | None = None,
) -> str:
    """An HS256 token for owner `sub`, valid for `ttl_s` seconds from now."""
    now = int(time.time())
    claims = {"sub": sub, "iat": now, "exp": now + ttl_s, "iss": issuer, "aud": audience}
    payload = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode(payload, secret, algorithm="HS256")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m app.tokens",
        description="Print a bearer token for the API, valid for a day, signed with "
        "AUTH_JWT_SECRET (and carrying AUTH_JWT_ISSUER / AUTH_JWT_AUDIENCE when set).",
    )
    parser.add_argument("--sub", required=True, help="the owner the token speaks for")
    args = parser.parse_args(argv)
    if not args.sub:
        parser.error("--sub must not be empty")
    # What the API accepts (app/api/auth.py): a token it would refuse is no use printed.
    if "\x00" in args.sub or len(args.sub.encode()) > MAX_SUB_BYTES:
        parser.error(f"--sub must be at most {MAX_SUB_BYTES} bytes, without NUL")
    # The same variables as Settings.from_env, read here without needing DATABASE_URL.
    if os.environ.get("AUTH_JWT_PUBLIC_KEY"):
        print(
            "AUTH_JWT_PUBLIC_KEY is set, so the API accepts only tokens signed with its private "
            "key, which this command does not have: get a token from whoever holds that key",
            file=sys.stderr,
        )
        return 1
    secret = os.environ.get("AUTH_JWT_SECRET")
    if not secret:
        print("AUTH_JWT_SECRET is not set (`make token` sets it)", file=sys.stderr)
        return 1
    if len(secret.encode()) < MIN_SECRET_BYTES:
        print(
            f"AUTH_JWT_SECRET is too short for HS256 (the API refuses to start with it): "
            f"use at least {MIN_SECRET_BYTES} bytes",
            file=sys.stderr,
        )
        return 1
    issuer = os.environ.get("AUTH_JWT_ISSUER") or None
    audience = os.environ.get("AUTH_JWT_AUDIENCE") or None
    print(issue_token(secret, args.sub, issuer=issuer, audience=audience))
    return 0


if __name__ == "__main__":
    sys.exit(main())
