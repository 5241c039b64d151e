"""Bearer tokens: every route but /health and the docs needs one; a missing, forged, expired or
misdirected token is a 401 problem with a Bearer challenge; the token's `sub` is
`request.user`."""

import asyncio
import base64
import hashlib
import hmac
import json
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from litestar import Litestar, MediaType, Request, get
from litestar.testing import AsyncTestClient

from app.api.app import create_app
from app.api.auth import CLOCK_SKEW_SECONDS, AcceptedTokens, TokenRules, verify
from app.config import Settings
from app.errors import Unauthenticated
from app.tokens import DAY_S, issue_token, main
from tests.api.conftest import Client, client_for, ok, openapi, problem
from tests.conftest import OTHER_OWNER, OWNER, TEST_JWT_SECRET, auth_settings, bearer
from tests.reliability.conftest import serve

ISSUER = "https://issuer.example"
AUDIENCE = "custom-fields-sql"
ANOTHER_SECRET = "another-secret-that-is-long-enough-0123456789"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64json(value: dict[str, Any]) -> str:
    return b64(json.dumps(value).encode())


def claims(**changes: Any) -> dict[str, Any]:
    """Claims of a token valid for an hour for OWNER; a change of None drops the claim."""
    now = int(time.time())
    base: dict[str, Any] = {"sub": OWNER, "iat": now, "exp": now + 3600}
    return {k: v for k, v in {**base, **changes}.items() if v is not None}


def signed(payload: dict[str, Any], key: Any = TEST_JWT_SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(payload, key, algorithm=algorithm)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def pem(private_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    public = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return public.decode()


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@asynccontextmanager
async def running(settings: Settings, *routes: Any) -> AsyncIterator[Client]:
    """A client with no token for an app built from these settings (and extra routes)."""
    app = create_app(settings)
    for route in routes:
        app.register(route)
    async with AsyncTestClient(app=app) as client:
        yield client


@pytest.fixture
async def anonymous(client: AsyncTestClient[Litestar]) -> AsyncIterator[Client]:
    """The app of `client`, reached with no token."""
    async with client_for(client, None) as anon:
        yield anon


def refused(response: httpx.Response, detail: str | None = None) -> str:
    """The detail of a 401 for a token that was sent; RFC 6750's invalid_token challenge."""
    body = problem(response, 401)
    assert body["title"] == "Unauthorized"
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith("Bearer "), challenge
    assert 'error="invalid_token"' in challenge, challenge
    assert f'error_description="{body["detail"]}"' in challenge, challenge
    assert TEST_JWT_SECRET not in response.text + challenge
    if detail is not None:
        assert body["detail"] == detail, body
    return str(body["detail"])


def unauthenticated(response: httpx.Response) -> str:
    """The detail of a 401 for a request with no bearer token: a challenge with no error code."""
    body = problem(response, 401)
    challenge = response.headers["www-authenticate"]
    assert re.fullmatch(r'Bearer realm="[^"]+"', challenge), challenge
    return str(body["detail"])


async def test_every_operation_but_health_needs_a_token(anonymous: Client) -> None:
    schema = await openapi(anonymous)
    guarded = 0
    for path, item in schema["paths"].items():
        url = re.sub(r"\{[^}]+\}", "00000000-0000-4000-8000-000000000000", path)
        for method in item.keys() & {"get", "post", "put", "patch", "delete"}:
            response = await anonymous.request(method, url)
            if path == "/health":
                assert response.status_code == 200, response.text
                continue
            assert "Authorization" in unauthenticated(response), (method, path)
            guarded += 1
    assert guarded > 20


async def test_a_token_in_another_scheme_or_no_token_at_all_is_401(anonymous: Client) -> None:
    for authorization in (
        "",
        f"Basic {b64(b'alice:secret')}",
        f"Token {signed(claims())}",
        signed(claims()),  # the token alone, with no scheme
        "Bearer",
        "Bearer   ",
    ):
        unauthenticated(await anonymous.get("/lists", headers={"Authorization": authorization}))


def test_two_authorization_headers_are_401_whichever_comes_first(app: Litestar) -> None:
    # The first one counted: a valid token, then any other header, answered 200. Over real
    # HTTP: the test client joins repeated headers into one.
    good, bad = f"Bearer {signed(claims())}", "Bearer garbage"
    with serve(app) as served, httpx.Client(base_url=served.url) as http:
        assert http.get("/lists", headers=[("Authorization", good)]).status_code == 200
        for first, second in ((good, bad), (bad, good), (good, good)):
            headers = [("Authorization", first), ("Authorization", second)]
            refused(
                http.get("/lists", headers=headers), "send one Authorization header, not several"
            )


async def test_the_bearer_scheme_is_case_insensitive(anonymous: Client) -> None:
    ok(await anonymous.get("/lists", headers={"Authorization": f"bearer {signed(claims())}"}))


async def test_a_malformed_token_is_401(anonymous: Client) -> None:
    for token in ("not-a-jwt", "a.b.c", "a.b", "...", b64json({"alg": "HS256"}) + ".e30.x"):
        refused(await anonymous.get("/lists", headers=auth(token)), "the token is malformed")


async def test_an_expired_token_is_401(anonymous: Client) -> None:
    token = signed(claims(iat=int(time.time()) - 7200, exp=int(time.time()) - 60))
    refused(await anonymous.get("/lists", headers=auth(token)), "the token has expired")


async def test_a_token_accepted_before_is_refused_once_it_expires(anonymous: Client) -> None:
    # Accepted tokens are remembered (AcceptedTokens), their exp checked at each use still.
    expires = int(time.time()) + 4 - CLOCK_SKEW_SECONDS  # accepted for 3 to 4 more seconds
    token = signed(claims(exp=expires))
    for _ in range(2):
        ok(await anonymous.get("/lists", headers=auth(token)))
    await asyncio.sleep(expires + CLOCK_SKEW_SECONDS - time.time() + 0.05)
    refused(await anonymous.get("/lists", headers=auth(token)), "the token has expired")


def test_an_accepted_token_is_checked_once_and_the_least_recently_used_goes_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checked: list[str] = []

    def counted_verify(token: str, rules: TokenRules) -> dict[str, Any]:
        checked.append(token)
        return verify(token, rules)

    monkeypatch.setattr("app.api.auth.verify", counted_verify)
    accepted = AcceptedTokens(TokenRules("HS256", TEST_JWT_SECRET), size=2)
    first, second, third = (signed(claims(sub=sub)) for sub in ("first", "second", "third"))
    assert [accepted.claims(t)["sub"] for t in (first, second, first)] == [
        "first",
        "second",
        "first",
    ]
    assert checked == [first, second]
    accepted.claims(third)  # the least recently used, second, goes
    accepted.claims(first)
    accepted.claims(second)
    assert checked == [first, second, third, second]
    with pytest.raises(Unauthenticated, match="signature"):
        accepted.claims(signed(claims(), key=ANOTHER_SECRET))
    assert len(accepted._claims) == 2  # a refused token is not kept


async def test_a_few_seconds_between_the_issuers_clock_and_ours_are_allowed(
    anonymous: Client,
) -> None:
    now = int(time.time())
    for changes in ({"iat": now + 5}, {"nbf": now + 5}, {"exp": now - 5}):
        ok(await anonymous.get("/lists", headers=auth(signed(claims(**changes)))))
    for changes in ({"iat": now + 120}, {"nbf": now + 120}):
        response = await anonymous.get("/lists", headers=auth(signed(claims(**changes))))
        refused(response, "the token is not valid yet (its nbf or iat is to come)")


async def test_a_token_with_a_bad_signature_is_401(anonymous: Client) -> None:
    wrong_key = signed(claims(), key=ANOTHER_SECRET)
    header, _, signature = signed(claims()).split(".")
    other_owner = f"{header}.{b64json(claims(sub=OTHER_OWNER))}.{signature}"
    for token in (wrong_key, other_owner):
        response = await anonymous.get("/lists", headers=auth(token))
        refused(response, "the token's signature does not match")


async def test_an_unsigned_alg_none_token_is_401(anonymous: Client) -> None:
    for alg in ("none", "None", "NONE"):
        token = f"{b64json({'alg': alg, 'typ': 'JWT'})}.{b64json(claims())}."
        response = await anonymous.get("/lists", headers=auth(token))
        refused(response, "the token must be signed with HS256")


async def test_a_token_signed_with_another_algorithm_is_401(
    anonymous: Client, rsa_key: rsa.RSAPrivateKey
) -> None:
    for token in (
        signed(claims(), algorithm="HS384"),
        signed(claims(), algorithm="HS512"),
        signed(claims(), key=rsa_key, algorithm="RS256"),
    ):
        response = await anonymous.get("/lists", headers=auth(token))
        refused(response, "the token must be signed with HS256")


@pytest.mark.parametrize(
    ("changes", "detail"),
    [
        ({"sub": None}, "the token has no sub claim"),
        ({"sub": ""}, "the token's sub must be a non-empty string"),
        ({"sub": 42}, "the token's sub must be a non-empty string"),
        # bookmark_lists.owner holds at most 255 bytes of text: no NUL, nothing longer
        ({"sub": "al\x00ice"}, "the token's sub must be at most 255 bytes, without NUL"),
        ({"sub": "é" * 128}, "the token's sub must be at most 255 bytes, without NUL"),
        ({"exp": None}, "the token has no exp claim"),
        # RFC 7519: a NumericDate is a JSON number, not text that looks like one.
        (
            {"exp": str(int(time.time()) + 3600)},
            "the token's exp must be a number (seconds since 1970)",
        ),
        ({"iat": str(int(time.time()))}, "the token's iat must be a number (seconds since 1970)"),
        # PyJWT reads true as 1 (expired a long time ago) and refuses text or a list in its
        # own terms: each is named as a date that is not a number.
        ({"exp": True}, "the token's exp must be a number (seconds since 1970)"),
        ({"exp": "soon"}, "the token's exp must be a number (seconds since 1970)"),
        ({"exp": [4102444800]}, "the token's exp must be a number (seconds since 1970)"),
        ({"iat": "now"}, "the token's iat must be a number (seconds since 1970)"),
        ({"nbf": "later"}, "the token's nbf must be a number (seconds since 1970)"),
        ({"nbf": True}, "the token's nbf must be a number (seconds since 1970)"),
        ({"nbf": str(int(time.time()))}, "the token's nbf must be a number (seconds since 1970)"),
    ],
)
async def test_a_token_without_a_usable_sub_or_exp_is_401(
    anonymous: Client, changes: dict[str, Any], detail: str
) -> None:
    refused(await anonymous.get("/lists", headers=auth(signed(claims(**changes)))), detail)


async def test_a_sub_of_255_bytes_owns_its_lists(anonymous: Client) -> None:
    sub = "é" * 127 + "x"  # 255 bytes
    headers = auth(signed(claims(sub=sub)))
    created = await anonymous.post("/lists", json={"name": "Mine"}, headers=headers)
    assert created.status_code == 201, created.text
    listed = await anonymous.get("/lists", headers=headers)
    assert [item["name"] for item in listed.json()] == ["Mine"]


async def test_a_token_with_an_audience_is_401_while_none_is_configured(anonymous: Client) -> None:
    for audience in (AUDIENCE, [], None, ""):
        token = signed({**claims(), "aud": audience})
        response = await anonymous.get("/lists", headers=auth(token))
        refused(response, "the token is meant for another audience")


@pytest.fixture
async def strict(database_url: str) -> AsyncIterator[Client]:
    """An app that checks the issuer and the audience too."""
    settings = auth_settings(database_url, jwt_issuer=ISSUER, jwt_audience=AUDIENCE)
    async with running(settings) as client:
        yield client


async def test_the_configured_issuer_and_audience_are_required(strict: Client) -> None:
    good = claims(iss=ISSUER, aud=AUDIENCE)
    ok(await strict.get("/lists", headers=auth(signed(good))))
    ok(await strict.get("/lists", headers=auth(signed({**good, "aud": [AUDIENCE, "other"]}))))
    for changes, detail in [
        ({"aud": "another-api"}, "the token is meant for another audience"),
        ({"aud": None}, "the token has no aud claim"),
        ({"iss": "https://elsewhere.example"}, "the token comes from another issuer"),
        ({"iss": None}, "the token has no iss claim"),
    ]:
        token = signed({k: v for k, v in {**good, **changes}.items() if v is not None})
        refused(await strict.get("/lists", headers=auth(token)), detail)


def hs256_by_hand(payload: dict[str, Any], secret: bytes) -> str:
    """An HS256 token keyed with any bytes: PyJWT refuses to use a PEM key as an HMAC secret."""
    signing_input = f"{b64json({'alg': 'HS256', 'typ': 'JWT'})}.{b64json(payload)}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


async def test_an_hmac_token_keyed_with_the_public_key_is_401(
    database_url: str, rsa_key: rsa.RSAPrivateKey
) -> None:
    public_pem = pem(rsa_key)
    async with running(auth_settings(database_url, jwt_public_key=public_pem)) as anonymous:
        token = hs256_by_hand(claims(), public_pem.encode())
        response = await anonymous.get("/lists", headers=auth(token))
        refused(response, "the token must be signed with RS256")
        # HS256 with the configured secret is refused too: a public key replaces it.
        response = await anonymous.get("/lists", headers=auth(signed(claims())))
        refused(response, "the token must be signed with RS256")


@pytest.mark.parametrize("kind", ["RS256", "ES256"])
async def test_a_token_signed_by_the_private_key_of_the_configured_public_key_works(
    database_url: str,
    rsa_key: rsa.RSAPrivateKey,
    ec_key: ec.EllipticCurvePrivateKey,
    kind: str,
) -> None:
    key, other_kind, other_key = (
        (rsa_key, "ES256", ec_key) if kind == "RS256" else (ec_key, "RS256", rsa_key)
    )
    stranger = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if kind == "RS256"
        else ec.generate_private_key(ec.SECP256R1())
    )
    async with running(auth_settings(database_url, jwt_public_key=pem(key))) as anonymous:
        ok(await anonymous.get("/lists", headers=auth(signed(claims(), key, kind))))
        response = await anonymous.get("/lists", headers=auth(signed(claims(), stranger, kind)))
        refused(response, "the token's signature does not match")
        response = await anonymous.get(
            "/lists", headers=auth(signed(claims(), other_key, other_kind))
        )
        refused(response, f"the token must be signed with {kind}")


@get("/whoami", media_type=MediaType.TEXT)
async def whoami(request: Request[str, dict[str, Any], Any]) -> str:
    return request.user


async def test_the_owner_is_the_token_sub_as_request_user(database_url: str) -> None:
    async with running(auth_settings(database_url), whoami) as anonymous:
        for owner in (OWNER, OTHER_OWNER, "user|12345"):
            response = await anonymous.get("/whoami", headers=bearer(owner))
            assert response.status_code == 200, response.text
            assert response.text == owner
        unauthenticated(await anonymous.get("/whoami"))


async def test_the_test_clients_speak_for_two_owners(client: Client, other_client: Client) -> None:
    for speaker, owner in ((client, OWNER), (other_client, OTHER_OWNER)):
        sub = jwt.decode(
            speaker.headers["Authorization"].removeprefix("Bearer "),
            TEST_JWT_SECRET,
            algorithms=["HS256"],
        )["sub"]
        assert sub == owner
        ok(await speaker.get("/lists"))


async def test_health_and_the_docs_need_no_token(anonymous: Client) -> None:
    ok(await anonymous.get("/health"))
    for url in (
        "/schema/openapi.json",
        "/schema/openapi.yaml",
        "/schema/swagger",
        "/static/swagger/swagger-ui.css",
        "/schema/redoc",
        "/static/redoc/redoc.standalone.js",
    ):
        response = await anonymous.get(url)
        assert response.status_code == 200, (url, response.status_code)


async def test_the_openapi_document_puts_the_bearer_scheme_on_protected_operations(
    anonymous: Client,
) -> None:
    schema = await openapi(anonymous)
    schemes = schema["components"]["securitySchemes"]
    assert schemes == {
        "BearerToken": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": schemes["BearerToken"]["description"],
        }
    }
    assert "security" not in schema  # no global requirement: /health must show none
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            if path == "/health":
                assert "security" not in operation
                assert "401" not in operation["responses"]
            else:
                assert operation["security"] == [{"BearerToken": []}], (method, path)
                assert "application/problem+json" in operation["responses"]["401"]["content"]


async def test_a_token_from_make_token_is_accepted_and_lasts_a_day(anonymous: Client) -> None:
    token = issue_token(TEST_JWT_SECRET, "carol")
    decoded = jwt.decode(token, TEST_JWT_SECRET, algorithms=["HS256"])
    assert decoded["sub"] == "carol"
    assert decoded["exp"] - decoded["iat"] == DAY_S == 24 * 60 * 60
    ok(await anonymous.get("/lists", headers=auth(token)))


def test_make_token_prints_a_token_signed_with_the_secret(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("AUTH_JWT_PUBLIC_KEY", raising=False)
    monkeypatch.setenv("AUTH_JWT_SECRET", TEST_JWT_SECRET)
    monkeypatch.setenv("AUTH_JWT_ISSUER", ISSUER)
    monkeypatch.setenv("AUTH_JWT_AUDIENCE", AUDIENCE)
    assert main(["--sub", "alice"]) == 0
    printed = capsys.readouterr().out
    assert printed.count("\n") == 1  # the token alone, for $(make -s token SUB=alice)
    decoded = jwt.decode(
        printed.strip(), TEST_JWT_SECRET, algorithms=["HS256"], issuer=ISSUER, audience=AUDIENCE
    )
    assert decoded["sub"] == "alice"


@pytest.mark.parametrize("sub", ["é" * 128, "al\x00ice"])
def test_make_token_refuses_a_sub_the_api_would_refuse(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], sub: str
) -> None:
    monkeypatch.delenv("AUTH_JWT_PUBLIC_KEY", raising=False)
    monkeypatch.setenv("AUTH_JWT_SECRET", TEST_JWT_SECRET)
    with pytest.raises(SystemExit) as exited:
        main(["--sub", sub])
    assert exited.value.code == 2
    out = capsys.readouterr()
    assert out.out == ""
    assert "--sub must be at most 255 bytes, without NUL" in out.err


def test_make_token_refuses_a_secret_the_api_would_refuse(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # It printed a token (with PyJWT's warning) that no API started with that secret checks.
    monkeypatch.delenv("AUTH_JWT_PUBLIC_KEY", raising=False)
    monkeypatch.setenv("AUTH_JWT_SECRET", "short")
    assert main(["--sub", "alice"]) == 1
    out = capsys.readouterr()
    assert out.out == ""
    assert "too short for HS256" in out.err


def test_make_token_refuses_when_only_a_public_key_could_check_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], rsa_key: rsa.RSAPrivateKey
) -> None:
    monkeypatch.setenv("AUTH_JWT_PUBLIC_KEY", pem(rsa_key))
    monkeypatch.delenv("AUTH_JWT_SECRET", raising=False)
    assert main(["--sub", "alice"]) == 1
    out = capsys.readouterr()
    assert out.out == ""
    assert "AUTH_JWT_PUBLIC_KEY" in out.err


@pytest.mark.parametrize(
    ("settings", "says"),
    [
        ({}, "AUTH_JWT_SECRET"),
        ({"jwt_secret": "short"}, "too short"),
        ({"jwt_public_key": "not a pem"}, "not a PEM public key"),
    ],
)
def test_the_app_refuses_to_start_without_a_usable_token_key(
    settings: dict[str, str], says: str
) -> None:
    with pytest.raises(RuntimeError, match=says):
        create_app(Settings(database_url="postgresql://nobody@127.0.0.1:1/nothing", **settings))


def test_the_app_refuses_a_public_key_of_another_kind_or_given_as_the_secret(
    rsa_key: rsa.RSAPrivateKey,
) -> None:
    url = "postgresql://nobody@127.0.0.1:1/nothing"
    for key in (
        ec.generate_private_key(ec.SECP384R1()),
        rsa.generate_private_key(public_exponent=65537, key_size=1024),
    ):
        with pytest.raises(RuntimeError, match="AUTH_JWT_PUBLIC_KEY"):
            create_app(Settings(database_url=url, jwt_public_key=pem(key)))
    with pytest.raises(RuntimeError, match="HS256"):
        create_app(Settings(database_url=url, jwt_secret=pem(rsa_key)))
