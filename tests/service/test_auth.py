"""API keys (X-API-Key or Authorization: Bearer), the admin role, and per-key rate limiting."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from svc_helpers import ADMIN_KEY, CLIENT_KEY, RISKY, assert_error

from service.ratelimit import RateLimiter

SCORE = {"text": RISKY}


def test_when_no_key_is_configured_then_everything_is_open(client: TestClient) -> None:
    assert client.post("/v1/score", json=SCORE).status_code == 200
    assert client.post("/v1/score", json=SCORE, headers={"X-API-Key": "whatever"}).status_code == 200
    assert client.get("/v1/feedback/export").status_code == 200


@pytest.fixture()
def keyed(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client(api_keys=[CLIENT_KEY], admin_keys=[ADMIN_KEY])


@pytest.mark.parametrize("method, path, body", [
    ("POST", "/v1/score", SCORE),
    ("POST", "/v1/score/batch", {"items": [SCORE]}),
    ("GET", "/v1/indicators", None),
    ("GET", "/v1/model", None),
    ("GET", "/v1/feedback/stats", None),
    ("GET", "/v1/feedback/export", None),
])
def test_when_keys_are_configured_then_a_missing_or_wrong_key_is_401(keyed: TestClient, method: str, path: str,
                                                                      body: object) -> None:
    r = keyed.request(method, path, json=body)
    assert_error(r, 401, "missing_api_key")
    assert "x-api-key" in r.headers["www-authenticate"].lower()
    assert_error(keyed.request(method, path, json=body, headers={"X-API-Key": "nope"}), 401, "invalid_api_key")


def test_a_client_key_scores_by_header_or_bearer(keyed: TestClient) -> None:
    assert keyed.post("/v1/score", json=SCORE, headers={"X-API-Key": CLIENT_KEY}).status_code == 200
    assert keyed.post("/v1/score", json=SCORE, headers={"Authorization": f"Bearer {CLIENT_KEY}"}).status_code == 200
    assert keyed.post("/v1/score", json=SCORE, headers={"X-API-Key": ADMIN_KEY}).status_code == 200


def test_export_needs_the_admin_role(keyed: TestClient) -> None:
    assert_error(keyed.get("/v1/feedback/export", headers={"X-API-Key": CLIENT_KEY}), 403, "forbidden")
    assert keyed.get("/v1/feedback/export", headers={"X-API-Key": ADMIN_KEY}).status_code == 200


def test_health_needs_no_key(keyed: TestClient) -> None:
    assert keyed.get("/healthz").status_code == 200 and keyed.get("/readyz").status_code == 200


def test_with_only_an_admin_key_scoring_stays_open_but_export_does_not(make_client: Callable[..., TestClient]) -> None:
    client = make_client(admin_keys=[ADMIN_KEY])
    assert client.post("/v1/score", json=SCORE).status_code == 200
    assert_error(client.get("/v1/feedback/export"), 401, "missing_api_key")
    assert_error(client.get("/v1/feedback/export", headers={"X-API-Key": "wrong"}), 401, "invalid_api_key")
    assert client.get("/v1/feedback/export", headers={"Authorization": f"Bearer {ADMIN_KEY}"}).status_code == 200


def test_with_client_keys_but_no_admin_key_export_is_disabled(make_client: Callable[..., TestClient]) -> None:
    client = make_client(api_keys=[CLIENT_KEY])
    assert_error(client.get("/v1/feedback/export", headers={"X-API-Key": CLIENT_KEY}), 403, "admin_disabled")


def test_in_production_with_client_keys_but_no_admin_key_export_is_disabled(
        make_client: Callable[..., TestClient]) -> None:
    client = make_client(environment="production", api_keys=[CLIENT_KEY], allowed_hosts=["127.0.0.1"])
    h = {"X-API-Key": CLIENT_KEY}
    assert client.post("/v1/score", json=SCORE, headers=h).status_code == 200
    assert_error(client.get("/v1/feedback/export", headers=h), 403, "admin_disabled")


def test_rate_limit_gives_429_with_retry_after_per_key(make_client: Callable[..., TestClient]) -> None:
    client = make_client(api_keys=[CLIENT_KEY, CLIENT_KEY + "2"], rate_limit_per_minute=60, rate_limit_burst=3)
    h1 = {"X-API-Key": CLIENT_KEY}
    for _ in range(3):
        assert client.get("/v1/indicators", headers=h1).status_code == 200
    r = client.get("/v1/indicators", headers=h1)
    err = assert_error(r, 429, "rate_limited")
    assert err["limit"] == "rate_limit_per_minute" and "60" in err["message"]
    assert int(r.headers["retry-after"]) >= 1
    # another key has its own bucket
    assert client.get("/v1/indicators", headers={"X-API-Key": CLIENT_KEY + "2"}).status_code == 200
    # health checks are never limited
    assert client.get("/healthz").status_code == 200


def test_without_keys_clients_are_limited_by_address(make_client: Callable[..., TestClient]) -> None:
    client = make_client(rate_limit_per_minute=60, rate_limit_burst=2)
    assert [client.post("/v1/score", json=SCORE).status_code for _ in range(3)] == [200, 200, 429]


def test_token_bucket_refills_at_the_configured_rate() -> None:
    rl = RateLimiter(per_minute=60, burst=2)
    assert rl.hit("k", now=0.0) == 0 and rl.hit("k", now=0.0) == 0
    assert rl.hit("k", now=0.0) == pytest.approx(1.0)
    assert rl.hit("k", now=0.5) == pytest.approx(0.5)
    assert rl.hit("k", now=1.6) == 0
    assert RateLimiter(per_minute=0, burst=1).hit("k") == 0  # disabled


def test_rate_limiter_forgets_old_keys() -> None:
    rl = RateLimiter(per_minute=60, burst=1, max_keys=10)
    for i in range(100):
        rl.hit(f"k{i}", now=0.0)
    assert len(rl._buckets) == 10
