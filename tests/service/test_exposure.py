"""Safe defaults for exposure (issue 14): who may write feedback, the Host allow-list, failed authentication
limited per address, key length, production's refusals, the start-up warning, a private feedback file."""

from __future__ import annotations

import logging
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError
from svc_helpers import ADMIN_KEY, CLIENT_KEY, LOCAL_URL, RISKY, assert_error

from service.core.config import Settings
from service.main import warn_if_exposed

REMOTE = ("203.0.113.7", 40000)
FEEDBACK = {"model_version": "0.1.0", "text": RISKY, "predicted_label": "high", "correct_label": "high",
            "reason": "confirmed"}


@pytest.fixture()
def clients(make_app: Callable[..., FastAPI]) -> Iterator[Callable[..., TestClient]]:
    """``clients(address, **settings)``: a started client connecting from ``address``."""
    opened: list[TestClient] = []

    def make(address: tuple[str, int], **overrides: Any) -> TestClient:
        c = TestClient(make_app(**overrides), base_url=LOCAL_URL, client=address, raise_server_exceptions=False)
        c.__enter__()
        opened.append(c)
        return c

    yield make
    for c in reversed(opened):
        c.__exit__(None, None, None)


# -- who may write ------------------------------------------------------------------------------------------

LOCAL = ("127.0.0.1", 50000)
WRITES = [
    # settings, client address, key sent -> status, code
    ({}, LOCAL, None, 201, None),
    ({}, ("::1", 50000), None, 201, None),
    ({}, REMOTE, None, 403, "feedback_disabled"),
    ({"host": "0.0.0.0"}, LOCAL, None, 403, "feedback_disabled"),
    ({"host": "0.0.0.0"}, REMOTE, None, 403, "feedback_disabled"),
    ({"admin_keys": [ADMIN_KEY]}, LOCAL, None, 201, None),
    ({"admin_keys": [ADMIN_KEY]}, REMOTE, None, 401, "missing_api_key"),
    ({"admin_keys": [ADMIN_KEY], "host": "0.0.0.0"}, REMOTE, ADMIN_KEY, 201, None),
    ({"api_keys": [CLIENT_KEY]}, LOCAL, None, 401, "missing_api_key"),
    ({"api_keys": [CLIENT_KEY], "host": "0.0.0.0"}, REMOTE, CLIENT_KEY, 201, None),
    ({"api_keys": [CLIENT_KEY], "environment": "production", "allowed_hosts": ["127.0.0.1"]}, REMOTE, None,
     401, "missing_api_key"),
]


@pytest.mark.parametrize("settings, address, key, status, code", WRITES)
def test_feedback_needs_a_key_unless_asked_locally_of_a_service_bound_to_loopback(
        clients: Callable[..., TestClient], settings: dict[str, Any], address: tuple[str, int], key: str | None,
        status: int, code: str | None) -> None:
    client = clients(address, **settings)
    r = client.post("/v1/feedback", json=FEEDBACK, headers={"X-API-Key": key} if key else {})
    if code is None:
        assert r.status_code == status, r.text
    else:
        assert_error(r, status, code)


def test_without_keys_the_export_is_open_only_to_this_machine(clients: Callable[..., TestClient]) -> None:
    assert clients(LOCAL).get("/v1/feedback/export").status_code == 200
    assert_error(clients(REMOTE).get("/v1/feedback/export"), 403, "admin_disabled")
    assert_error(clients(LOCAL, host="0.0.0.0").get("/v1/feedback/export"), 403, "admin_disabled")


def test_feedback_has_a_quota_per_key(clients: Callable[..., TestClient]) -> None:
    client = clients(REMOTE, api_keys=[CLIENT_KEY, CLIENT_KEY + "2"], feedback_per_hour=60, feedback_burst=2)
    mine = {"X-API-Key": CLIENT_KEY}
    assert [client.post("/v1/feedback", json=FEEDBACK, headers=mine).status_code for _ in range(2)] == [201, 201]
    r = client.post("/v1/feedback", json=FEEDBACK, headers=mine)
    err = assert_error(r, 429, "rate_limited")
    assert err["limit"] == "feedback_per_hour" and int(r.headers["retry-after"]) >= 1
    assert client.post("/v1/feedback", json=FEEDBACK, headers={"X-API-Key": CLIENT_KEY + "2"}).status_code == 201
    assert client.get("/v1/feedback/stats", headers=mine).json()["total"] == 3


# -- failed authentication ----------------------------------------------------------------------------------

def test_wrong_keys_are_limited_per_address_and_then_even_the_right_key_waits(
        clients: Callable[..., TestClient], make_app: Callable[..., FastAPI]) -> None:
    app = make_app(api_keys=[CLIENT_KEY], auth_failures_per_minute=3)
    with TestClient(app, base_url=LOCAL_URL, client=REMOTE) as attacker, \
            TestClient(app, base_url=LOCAL_URL, client=("198.51.100.9", 1)) as neighbour:
        for i in range(3):
            assert_error(attacker.get("/v1/model", headers={"X-API-Key": f"guess-{i}"}), 401, "invalid_api_key")
        r = attacker.get("/v1/model", headers={"X-API-Key": "guess-4"})
        err = assert_error(r, 429, "rate_limited")
        assert err["limit"] == "auth_failures_per_minute" and int(r.headers["retry-after"]) >= 1
        assert_error(attacker.get("/v1/model", headers={"X-API-Key": CLIENT_KEY}), 429, "rate_limited")
        assert neighbour.get("/v1/model", headers={"X-API-Key": CLIENT_KEY}).status_code == 200
        assert_error(attacker.get("/v1/model"), 401, "missing_api_key")  # no key: nothing to guess


# -- the Host allow-list ------------------------------------------------------------------------------------

HOSTS = [
    # settings, Host header -> allowed
    ({}, "127.0.0.1:8000", True),
    ({}, "localhost", True),
    ({}, "[::1]:8000", True),
    ({}, "evil.example.com", False),
    ({}, "evil.example.com:8000", False),
    ({"host": "192.0.2.10"}, "192.0.2.10:8000", True),
    ({"host": "192.0.2.10"}, "evil.example.com", False),
    ({"host": "0.0.0.0"}, "evil.example.com", True),  # development, every interface: any (with a warning)
    ({"allowed_hosts": ["mod.example.org", "*.example.net"]}, "mod.example.org", True),
    ({"allowed_hosts": ["mod.example.org", "*.example.net"]}, "a.example.net:443", True),
    ({"allowed_hosts": ["mod.example.org", "*.example.net"]}, "127.0.0.1", False),
    ({"allowed_hosts": ["mod.example.org", "*.example.net"]}, "badexample.net", False),
    ({"allowed_hosts": ["*"]}, "anything.example", True),
]


@pytest.mark.parametrize("settings, host, allowed", HOSTS)
def test_only_allowed_host_names_are_answered(make_client: Callable[..., TestClient], settings: dict[str, Any],
                                              host: str, allowed: bool) -> None:
    client = make_client(**settings)
    r = client.get("/v1/feedback/stats", headers={"Host": host})
    if allowed:
        assert r.status_code == 200, r.text
    else:
        err = assert_error(r, 400, "invalid_host")
        assert err["limit"] == "allowed_hosts" and "evil" not in err["message"]
    assert client.get("/healthz", headers={"Host": host}).status_code == 200  # probes address pods by IP


def test_a_wildcard_host_must_be_a_whole_label() -> None:
    with pytest.raises(ValidationError, match="wildcard"):
        Settings(_env_file=None, allowed_hosts=["mod.*.org"])


# -- settings -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("environment", ["development", "production"])
def test_short_keys_are_refused_in_every_environment(environment: str) -> None:
    extra = {"allowed_hosts": ["mod.example.org"]} if environment == "production" else {}
    with pytest.raises(ValidationError, match="at least 16"):
        Settings(_env_file=None, environment=environment, api_keys=["short-key"], **extra)
    with pytest.raises(ValidationError, match="at least 16"):
        Settings(_env_file=None, environment=environment, api_keys=["k" * 16], admin_keys=["admin"], **extra)


PRODUCTION = [
    ({}, ["api_keys must be set", "allowed_hosts must list"]),
    ({"admin_keys": [ADMIN_KEY], "allowed_hosts": ["mod.example.org"]}, ["api_keys must be set"]),
    ({"api_keys": [CLIENT_KEY]}, ["allowed_hosts must list"]),
    ({"api_keys": [CLIENT_KEY], "allowed_hosts": ["*"]}, ["not '*'"]),
]


@pytest.mark.parametrize("settings, problems", PRODUCTION)
def test_production_refuses_to_start_open(settings: dict[str, Any], problems: list[str]) -> None:
    with pytest.raises(ValidationError) as exc:
        Settings(_env_file=None, environment="production", **settings)
    for problem in problems:
        assert problem in str(exc.value)
    assert CLIENT_KEY not in str(exc.value) and ADMIN_KEY not in str(exc.value)


@pytest.fixture()
def service_log() -> Iterator[list[logging.LogRecord]]:
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("service")
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


@pytest.mark.parametrize("settings, warned", [
    ({"host": "0.0.0.0"}, True),
    ({"host": "192.0.2.10", "admin_keys": [ADMIN_KEY]}, True),
    ({"host": "0.0.0.0", "api_keys": [CLIENT_KEY]}, False),
    ({"host": "127.0.0.1"}, False),
    ({"host": "::1"}, False),
])
def test_binding_beyond_loopback_without_keys_warns_loudly(service_log: list[logging.LogRecord],
                                                             settings: dict[str, Any], warned: bool) -> None:
    warn_if_exposed(Settings(_env_file=None, **settings))
    warnings = [r for r in service_log if getattr(r, "event", None) == "exposed_without_keys"]
    assert len(warnings) == warned
    if warned:
        assert warnings[0].levelno == logging.WARNING and "DETECTOR_API_KEYS" in warnings[0].getMessage()


def test_the_app_warns_when_it_starts_exposed(make_client: Callable[..., TestClient],
                                              service_log: list[logging.LogRecord]) -> None:
    make_client(host="0.0.0.0")
    assert any(getattr(r, "event", None) == "exposed_without_keys" for r in service_log)


# -- the feedback file --------------------------------------------------------------------------------------

def test_the_feedback_database_is_created_readable_by_its_owner_only(make_client: Callable[..., TestClient],
                                                                      tmp_path: Path) -> None:
    client = make_client(feedback_db=str(tmp_path / "private" / "feedback.db"))
    assert client.post("/v1/feedback", json={**FEEDBACK, "store_text": True}).status_code == 201
    files = sorted((tmp_path / "private").iterdir())
    assert [f.name for f in files][:1] == ["feedback.db"]
    for f in files:  # the -wal and -shm files take the database's mode
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, (f.name, oct(f.stat().st_mode))


def test_an_existing_readable_feedback_database_is_reported(make_client: Callable[..., TestClient], tmp_path: Path,
                                                             service_log: list[logging.LogRecord]) -> None:
    path = tmp_path / "shared.db"
    path.touch(mode=0o644)
    path.chmod(0o644)
    make_client(feedback_db=str(path))
    assert any(getattr(r, "event", None) == "database_readable" for r in service_log)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644  # reported, not changed behind the operator's back

