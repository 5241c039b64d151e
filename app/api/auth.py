"""Who is asking. Every route except the public ones (`opt=PUBLIC`: /health and the docs) needs
`Authorization: Bearer <JWT>`; the token's `sub` names the owner, which handlers and
dependencies then read as `request.user`.

One algorithm per configuration (RFC 8725 §3.1): HS256 with a secret, or RS256 / ES256 with a
PEM public key. With a public key no HS256 token is accepted, so a token HMAC-signed with the
public key as its secret (the HS/RS confusion) is refused. Tokens are made by app/tokens.py."""

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, EllipticCurvePublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from jwt.types import Options
from litestar import Litestar
from litestar.connection import ASGIConnection
from litestar.middleware import (
    AbstractAuthenticationMiddleware,
    AuthenticationResult,
    DefineMiddleware,
)
from litestar.openapi.spec import Reference, SecurityScheme
from litestar.types import ASGIApp

from app.api.errors import UNAUTHENTICATED_RESPONSE, http_route_handlers
from app.config import Settings
from app.errors import Unauthenticated

_EXCLUDE = "exclude_from_auth"
# The `opt` of a route anyone may call: the middleware lets it through, the docs show no lock.
PUBLIC = {_EXCLUDE: True}

SCHEME = "BearerToken"
SECURITY_SCHEMES: dict[str, SecurityScheme | Reference] = {
    SCHEME: SecurityScheme(
        type="http",
        scheme="bearer",
        bearer_format="JWT",
        description="A JWT whose `sub` is the owner; locally: `make token SUB=alice`.",
    )
}

# RFC 7518 §3.2 and §3.3: shorter keys make HS256 and RS256 guessable.
MIN_SECRET_BYTES = 32
# What bookmark_lists.owner holds (bookmark_lists_owner_length, migration 0015).
MAX_SUB_BYTES = 255
_MIN_RSA_BITS = 2048
# The identity provider's clock and ours may differ a little: a token issued a second "from
# now" is fresh, not forged; one expired a second ago was in flight. Applied to exp, nbf, iat.
CLOCK_SKEW_SECONDS = 30
# How many accepted tokens are remembered (AcceptedTokens): a client sends the same token with
# every request, and checking its signature each time cost 0.13 ms of each (PyJWT, HS256).
ACCEPTED_TOKENS = 1024
# RFC 7519 §2: a NumericDate is a JSON number (PyJWT also takes "1796..." as text, and true).
_DATES = ("exp", "nbf", "iat")

# What PyJWT raises when a date is not a number, among other reasons.
_DATE_REFUSALS = (
    jwt.DecodeError,
    jwt.ExpiredSignatureError,
    jwt.ImmatureSignatureError,
    jwt.InvalidIssuedAtError,
)
_SIGNATURE_ONLY: Options = {
    "verify_exp": False,
    "verify_nbf": False,
    "verify_iat": False,
    "verify_aud": False,
    "verify_iss": False,
    "verify_sub": False,
    "verify_jti": False,
}

PublicKey = RSAPublicKey | EllipticCurvePublicKey


@dataclass(frozen=True, slots=True)
class TokenRules:
    """What a token must show: a signature by `key` with `algorithm`, and `iss` / `aud` equal
    to `issuer` / `audience` when those are set."""

    algorithm: str
    key: str | PublicKey
    issuer: str | None = None
    audience: str | None = None


def token_rules(settings: Settings) -> TokenRules:
    """The rules the settings ask for. Raises RuntimeError when they name no usable key: the
    API never runs without authentication."""
    key: str | PublicKey
    if settings.jwt_public_key:
        algorithm, key = _public_key(settings.jwt_public_key)
    elif settings.jwt_secret:
        if len(settings.jwt_secret.encode()) < MIN_SECRET_BYTES:
            raise RuntimeError(
                f"AUTH_JWT_SECRET is too short for HS256: use at least {MIN_SECRET_BYTES} bytes"
            )
        algorithm, key = "HS256", settings.jwt_secret
    else:
        raise RuntimeError(
            "no key to verify bearer tokens: set AUTH_JWT_SECRET (HS256) or AUTH_JWT_PUBLIC_KEY "
            "(a PEM RSA or EC P-256 public key: RS256, ES256); `make run` makes a local secret"
        )
    try:
        # PyJWT refuses some keys only when it first uses them (a PEM text as an HMAC secret):
        # find out now rather than answer every request with a 500.
        jwt.algorithms.get_default_algorithms()[algorithm].prepare_key(key)
    except jwt.InvalidKeyError as exc:
        raise RuntimeError(f"the token key cannot serve for {algorithm}: {exc}") from exc
    return TokenRules(algorithm, key, settings.jwt_issuer, settings.jwt_audience)


def _public_key(pem: str) -> tuple[str, PublicKey]:
    try:
        key = load_pem_public_key(pem.encode())
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise RuntimeError("AUTH_JWT_PUBLIC_KEY is not a PEM public key") from exc
    if isinstance(key, RSAPublicKey):
        if key.key_size < _MIN_RSA_BITS:
            raise RuntimeError(f"AUTH_JWT_PUBLIC_KEY: RSA keys need {_MIN_RSA_BITS} bits or more")
        return "RS256", key
    if isinstance(key, EllipticCurvePublicKey) and isinstance(key.curve, SECP256R1):
        return "ES256", key
    raise RuntimeError("AUTH_JWT_PUBLIC_KEY must be an RSA key (RS256) or an EC P-256 key (ES256)")


def bearer_token(authorizations: list[str]) -> str:
    """The token of an `Authorization: Bearer <token>` header (the scheme is case-insensitive,
    RFC 7235 §2.1), given every Authorization header of the request."""
    if len(authorizations) > 1:
        # Which one would count is a guess (the first did): refused, as two credentials are.
        raise Unauthenticated("send one Authorization header, not several", token_sent=True)
    authorization = authorizations[0] if authorizations else ""
    if not authorization:
        raise Unauthenticated(
            "no bearer token: send Authorization: Bearer <token>", token_sent=False
        )
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(
            "the Authorization header holds no bearer token: send Authorization: Bearer <token>",
            token_sent=False,
        )
    return token.strip()


# PyJWT's refusals in the client's words; the first match wins, so subclasses come first.
_REFUSALS: list[tuple[type[jwt.InvalidTokenError], str]] = [
    (jwt.ExpiredSignatureError, "the token has expired"),
    (jwt.ImmatureSignatureError, "the token is not valid yet (its nbf or iat is to come)"),
    (jwt.InvalidIssuedAtError, "the token's iat is not a past time"),
    (jwt.InvalidAudienceError, "the token is meant for another audience"),
    (jwt.InvalidIssuerError, "the token comes from another issuer"),
    (jwt.InvalidSignatureError, "the token's signature does not match"),
    (jwt.DecodeError, "the token is malformed"),
]


def verify(token: str, rules: TokenRules) -> dict[str, Any]:
    """The claims of a token the rules accept; Unauthenticated naming what is wrong otherwise."""
    try:
        claims = jwt.decode(
            token,
            rules.key,
            algorithms=[rules.algorithm],
            issuer=rules.issuer,
            audience=rules.audience,
            leeway=CLOCK_SKEW_SECONDS,
            # `sub` is checked below in our words, whatever PyJWT's version checks of it.
            options={"require": ["exp", "sub"], "verify_sub": False},
        )
    except jwt.MissingRequiredClaimError as exc:
        raise _invalid(f"the token has no {exc.claim} claim") from exc
    except jwt.InvalidAlgorithmError as exc:
        # `alg: none` and any other algorithm than the one configured.
        raise _invalid(f"the token must be signed with {rules.algorithm}") from exc
    except jwt.InvalidTokenError as exc:
        if isinstance(exc, _DATE_REFUSALS):
            # PyJWT reads `true` as the date 1 (so: expired) and "soon" as a malformed token:
            # a date that is not a number is named as such.
            _refuse_dates(_signed_claims(token, rules))
        detail = next((d for kind, d in _REFUSALS if isinstance(exc, kind)), "the token is invalid")
        raise _invalid(detail) from exc
    _refuse_dates(claims)
    # PyJWT lets an empty or null aud pass where no audience is expected.
    if rules.audience is None and "aud" in claims:
        raise _invalid("the token is meant for another audience")
    sub = claims["sub"]
    if not isinstance(sub, str) or not sub:
        raise _invalid("the token's sub must be a non-empty string")
    # The owner is stored as text (bookmark_lists_owner_length): a sub it cannot hold would
    # fail in the database, as a 422 of a request that did nothing wrong.
    if "\x00" in sub or len(sub.encode()) > MAX_SUB_BYTES:
        raise _invalid(f"the token's sub must be at most {MAX_SUB_BYTES} bytes, without NUL")
    return claims


def _signed_claims(token: str, rules: TokenRules) -> dict[str, Any]:
    """The claims of a token PyJWT refused, if its signature holds; checks nothing else."""
    try:
        return jwt.decode(token, rules.key, algorithms=[rules.algorithm], options=_SIGNATURE_ONLY)
    except jwt.InvalidTokenError:
        return {}


def _refuse_dates(claims: dict[str, Any]) -> None:
    for date in _DATES:
        if date in claims and not _is_number(claims[date]):
            raise _invalid(f"the token's {date} must be a number (seconds since 1970)")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _invalid(detail: str) -> Unauthenticated:
    return Unauthenticated(detail, token_sent=True)


class AcceptedTokens:
    """The claims of the tokens `rules` accepted, by token, each until its exp passes (with the
    clock skew, as PyJWT counts it): a token seen again is not checked again. Only accepted
    tokens are kept, so refused ones cannot fill it; beyond `size` the least recently used one
    goes. Nothing else of an accepted token can change: its signature, iss and aud are fixed,
    and a nbf or iat it passed stays passed."""

    __slots__ = ("_claims", "rules", "size")

    def __init__(self, rules: TokenRules, size: int = ACCEPTED_TOKENS) -> None:
        self.rules = rules
        self.size = size
        self._claims: OrderedDict[str, dict[str, Any]] = OrderedDict()

    def claims(self, token: str) -> dict[str, Any]:
        """verify(token, rules), remembered."""
        claims = self._claims.get(token)
        # PyJWT's own test: an exp (truncated to whole seconds) after now less the skew.
        if claims is not None and time.time() - CLOCK_SKEW_SECONDS < int(claims["exp"]):
            self._claims.move_to_end(token)
            return claims
        self._claims.pop(token, None)
        claims = verify(token, self.rules)
        self._claims[token] = claims
        if len(self._claims) > self.size:
            self._claims.popitem(last=False)
        return claims


class BearerAuthentication(AbstractAuthenticationMiddleware):
    """Sets `request.user` to the token's `sub` (and `request.auth` to its claims). What it
    raises leaves through the app's exception handlers, as problem details."""

    __slots__ = ("accepted",)

    def __init__(self, app: ASGIApp, accepted: AcceptedTokens) -> None:
        super().__init__(app, exclude_from_auth_key=_EXCLUDE)
        self.accepted = accepted

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        token = bearer_token(connection.headers.getall("authorization", []))
        claims = self.accepted.claims(token)
        return AuthenticationResult(user=claims["sub"], auth=claims)


def bearer_authentication(settings: Settings) -> DefineMiddleware:
    """The middleware for the app factory; RuntimeError when the settings name no key. Litestar
    builds it once per route: they share one AcceptedTokens."""
    return DefineMiddleware(BearerAuthentication, accepted=AcceptedTokens(token_rules(settings)))


def document_bearer(app: Litestar) -> None:
    """Put the lock (the security requirement, for Swagger's Authorize button) and the 401 on
    every operation the middleware guards, read from the same `opt`, so the docs cannot drift
    from it. Runs once the app exists, like document_errors."""
    for handler in http_route_handlers(app):
        if not handler.opt.get(_EXCLUDE):
            handler.security = [{SCHEME: []}]
            handler.responses = {401: UNAUTHENTICATED_RESPONSE, **(handler.responses or {})}
