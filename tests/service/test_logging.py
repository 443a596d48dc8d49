"""Structured access logs with request ids and timings; advert text never reaches the logs."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from service.logging import JsonFormatter

MARKER = "RAHASIA-teks-iklan-7f3a LOKER Kamboja gaji 15jt"


@pytest.fixture()
def log_lines() -> Iterator[io.StringIO]:
    """Everything the service's loggers write, as the JSON lines they would write."""
    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("service")
    logger.addHandler(handler)
    try:
        yield buf
    finally:
        logger.removeHandler(handler)


def test_every_request_gets_an_id_header(client: TestClient) -> None:
    r = client.get("/healthz")
    assert len(r.headers["x-request-id"]) == 32
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"] == "abc-123"
    # a hostile id is replaced, not echoed
    r = client.get("/healthz", headers={"X-Request-ID": "<script>" + "x" * 100})
    assert r.headers["x-request-id"] != "<script>" and len(r.headers["x-request-id"]) == 32


def test_access_log_is_one_json_line_per_request_with_id_and_duration(
        make_client: Callable[..., TestClient], log_lines: io.StringIO) -> None:
    client = make_client(access_log=True)
    r = client.post("/v1/score", json={"text": MARKER}, headers={"X-Request-ID": "req-42"})
    client.post("/v1/score", json={"text": ""})
    entries = [json.loads(line) for line in log_lines.getvalue().splitlines()]
    access = [e for e in entries if e.get("event") == "access"]
    first = next(e for e in access if e["request_id"] == "req-42")
    assert first["method"] == "POST" and first["path"] == "/v1/score" and first["status"] == r.status_code == 200
    assert first["duration_ms"] > 0 and first["bytes_out"] > 0
    assert access[-1]["status"] == 422 and access[-1]["error_code"] == "empty_text"


def test_advert_text_is_never_logged(make_client: Callable[..., TestClient], log_lines: io.StringIO) -> None:
    client = make_client(access_log=True, log_level="debug", max_text_chars=200)
    client.post("/v1/score", json={"text": MARKER})
    client.post("/v1/score", json={"text": MARKER + "x" * 300})  # too long: error path
    client.post("/v1/score", json={"text": MARKER + "\x00"})
    client.post("/v1/score/batch", json={"items": [{"text": MARKER}, {"text": ""}]})
    client.post("/v1/feedback", json={"model_version": "1", "text": MARKER, "predicted_label": "high",
                                      "correct_label": "low", "reason": "other"})
    client.post("/v1/feedback", json={"model_version": "1", "text": MARKER, "predicted_label": "high",
                                      "correct_label": "bad", "reason": "other"})
    client.post("/v1/score?text=" + MARKER.replace(" ", "+"), json={"text": "x"})
    out = log_lines.getvalue()
    assert out.count('"event": "access"') == 7
    assert "RAHASIA" not in out


def test_error_bodies_do_not_echo_the_input(client: TestClient) -> None:
    r = client.post("/v1/score", json={"text": MARKER, "lang": MARKER})
    assert r.status_code == 422 and "RAHASIA" not in r.text
