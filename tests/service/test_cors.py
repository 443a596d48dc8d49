"""CORS: only configured origins (web origins and browser-extension ids), nothing open by default."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from svc_helpers import RISKY

from service.core.config import Settings

EXT = "chrome-extension://abcdefghijklmnopabcdefghijklmnop"
SITE = "https://moderasi.example.org"


def preflight(client: TestClient, origin: str, headers: str = "content-type,x-api-key") -> object:
    return client.options("/v1/score", headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                                 "Access-Control-Request-Headers": headers})


@pytest.fixture()
def cors(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client(cors_origins=[SITE, EXT])


@pytest.mark.parametrize("origin", [SITE, EXT])
def test_allowed_origin_gets_cors_headers(cors: TestClient, origin: str) -> None:
    r = preflight(cors, origin)
    assert r.status_code == 200  # type: ignore[attr-defined]
    assert r.headers["access-control-allow-origin"] == origin  # type: ignore[attr-defined]
    assert "x-api-key" in r.headers["access-control-allow-headers"].lower()  # type: ignore[attr-defined]
    r2 = cors.post("/v1/score", json={"text": RISKY}, headers={"Origin": origin})
    assert r2.headers["access-control-allow-origin"] == origin
    assert "x-request-id" in r2.headers["access-control-expose-headers"].lower()
    assert "access-control-allow-credentials" not in r2.headers


def test_other_origin_gets_no_cors_headers(cors: TestClient) -> None:
    r = preflight(cors, "https://evil.example.com")
    assert r.status_code == 400  # type: ignore[attr-defined]
    assert "access-control-allow-origin" not in r.headers  # type: ignore[attr-defined]
    r2 = cors.post("/v1/score", json={"text": RISKY}, headers={"Origin": "chrome-extension://" + "p" * 32})
    assert "access-control-allow-origin" not in r2.headers


def test_errors_carry_cors_headers_so_the_extension_can_read_them(make_client: Callable[..., TestClient]) -> None:
    client = make_client(cors_origins=[EXT], max_body_bytes=1024, rate_limit_per_minute=60, rate_limit_burst=1)
    h = {"Origin": EXT}
    big = client.post("/v1/score", content=b'{"text": "' + b"a" * 2000 + b'"}',
                      headers={**h, "content-type": "application/json"})
    assert big.status_code == 413 and big.headers["access-control-allow-origin"] == EXT
    client.post("/v1/score", json={"text": RISKY}, headers=h)
    limited = client.post("/v1/score", json={"text": RISKY}, headers=h)
    assert limited.status_code == 429 and limited.headers["access-control-allow-origin"] == EXT
    assert "retry-after" in limited.headers["access-control-expose-headers"].lower()


def test_no_origins_configured_means_no_cors_at_all(client: TestClient) -> None:
    r = client.post("/v1/score", json={"text": RISKY}, headers={"Origin": SITE})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers


def test_wildcard_is_allowed_in_development_only(make_client: Callable[..., TestClient]) -> None:
    r = make_client(cors_origins="*").post("/v1/score", json={"text": RISKY}, headers={"Origin": SITE})
    assert r.headers["access-control-allow-origin"] == "*"
    with pytest.raises(ValidationError, match="not '\\*'"):
        Settings(_env_file=None, environment="production", cors_origins="*")


@pytest.mark.parametrize("origin", ["https://a.org/path", "chrome-extension://short", "moderasi.example.org",
                                    "null"])
def test_malformed_origins_are_refused(origin: str) -> None:
    with pytest.raises(ValidationError):
        Settings(_env_file=None, cors_origins=[origin])


def test_production_refuses_plain_http_origins() -> None:
    with pytest.raises(ValidationError, match="plain http"):
        Settings(_env_file=None, environment="production", cors_origins=["http://moderasi.example.org"],
                 api_keys=["k" * 16], allowed_hosts=["mod.example.org"])
    ok = Settings(_env_file=None, environment="production", cors_origins=[SITE, EXT, "http://localhost:8080"],
                  api_keys=["k" * 16], allowed_hosts=["mod.example.org"])
    assert ok.cors_origins == [SITE, EXT, "http://localhost:8080"]
