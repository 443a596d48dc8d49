"""Every bad input gets a clear 4xx with the error body (never a 500); limits say which limit was hit."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from svc_helpers import RISKY, assert_error

J = {"content-type": "application/json"}


def raw(body: bytes, ctype: str | None = "application/json") -> dict[str, Any]:
    return {"content": body, "headers": {"content-type": ctype} if ctype else {}}


BAD_INPUTS: list[tuple[str, dict[str, Any], int, str]] = [
    ("truncated JSON", raw(b'{"text": '), 400, "invalid_json"),
    ("trailing garbage", raw(b'{"text": "a"} x'), 400, "invalid_json"),
    ("single quotes", raw(b"{'text': 'a'}"), 400, "invalid_json"),
    ("raw NUL byte in JSON", raw(b'{"text": "a\x00b"}'), 400, "invalid_json"),
    ("invalid UTF-8", raw(b'{"text": "\xff\xfe gaji"}'), 400, "invalid_encoding"),
    ("UTF-16 body", raw('{"text": "a"}'.encode("utf-16")), 400, "invalid_encoding"),
    ("HTML body", raw(b"<html><body>LOKER</body></html>", "text/html"), 415, "unsupported_media_type"),
    ("HTML sent as JSON", raw(b"<html><body>LOKER</body></html>"), 400, "invalid_json"),
    ("form body", raw(b"text=LOKER", "application/x-www-form-urlencoded"), 415, "unsupported_media_type"),
    ("no content type", raw(b'{"text": "a"}', None), 415, "unsupported_media_type"),
    ("latin-1 charset", raw(b'{"text": "a"}', "application/json; charset=latin-1"), 415, "unsupported_media_type"),
    ("empty body", raw(b""), 422, "missing_body"),
    ("JSON array", {"json": [RISKY]}, 422, "wrong_type"),
    ("JSON string", {"json": RISKY}, 422, "wrong_type"),
    ("JSON null", raw(b"null"), 422, "wrong_type"),
    ("missing text", {"json": {"lang": "en"}}, 422, "missing_field"),
    ("text is a number", {"json": {"text": 123}}, 422, "wrong_type"),
    ("text is null", {"json": {"text": None}}, 422, "wrong_type"),
    ("text is a list", {"json": {"text": [RISKY]}}, 422, "wrong_type"),
    ("explain is a string", {"json": {"text": RISKY, "explain": "yes"}}, 422, "wrong_type"),
    ("unknown lang", {"json": {"text": RISKY, "lang": "fr"}}, 422, "invalid_value"),
    ("empty text", {"json": {"text": ""}}, 422, "empty_text"),
    ("whitespace text", {"json": {"text": " \n\t "}}, 422, "empty_text"),
    ("NUL in text", {"json": {"text": "LOKER\x00gaji"}}, 422, "nul_byte"),
    ("unpaired surrogate", raw(b'{"text": "LOKER \\ud800 gaji"}'), 422, "invalid_unicode"),
    ("huge text", {"json": {"text": "a" * 20_001}}, 422, "text_too_long"),
    ("id too long", {"json": {"text": RISKY, "id": "x" * 129}}, 422, "too_long"),
    ("zero-width characters only", {"json": {"text": "\u200b\u200b\ufeff"}}, 422, "invisible_text"),
    ("word joiner and soft hyphen only", {"json": {"text": " \u2060\u00ad\n"}}, 422, "invisible_text"),
    ("record separator only", {"json": {"text": "\u001e"}}, 422, "empty_text"),
    ("NUL in id", {"json": {"text": RISKY, "id": "a\u0000b"}}, 422, "nul_byte"),
    ("deeply nested JSON", raw(b"[" * 50_000 + b"]" * 50_000), 400, "invalid_json"),
]


@pytest.mark.parametrize("name, kwargs, status, code", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_gets_a_clear_4xx(client: TestClient, name: str, kwargs: dict[str, Any], status: int,
                                    code: str) -> None:
    assert_error(client.post("/v1/score", **kwargs), status, code)


@pytest.mark.parametrize("name, kwargs, status, code", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_to_batch_and_feedback_is_never_a_500(client: TestClient, name: str, kwargs: dict[str, Any],
                                                        status: int, code: str) -> None:
    for path in ("/v1/score/batch", "/v1/feedback"):
        r = client.post(path, **kwargs)
        assert 400 <= r.status_code < 500, (path, r.status_code, r.text)
        assert_error(r, r.status_code)


def test_text_too_long_names_the_limit(client: TestClient) -> None:
    err = assert_error(client.post("/v1/score", json={"text": "a" * 20_001}), 422, "text_too_long")
    assert err["field"] == "text" and err["limit"] == "max_text_chars" and "20000" in err["message"]


def test_a_lower_configured_text_limit_is_enforced(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_text_chars=100)
    assert client.post("/v1/score", json={"text": "a" * 100}).status_code == 200
    err = assert_error(client.post("/v1/score", json={"text": "a" * 101}), 422, "text_too_long")
    assert err["limit"] == "max_text_chars" and "100" in err["message"]


def test_body_too_large_is_413_naming_the_limit(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_body_bytes=4096)
    body = json.dumps({"text": "a" * 5000}).encode()
    err = assert_error(client.post("/v1/score", content=body, headers=J), 413, "body_too_large")
    assert err["limit"] == "max_body_bytes" and "4096" in err["message"]


def test_chunked_body_too_large_is_413_too(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_body_bytes=4096)

    def chunks() -> Iterator[bytes]:  # no Content-Length: sent with Transfer-Encoding: chunked
        yield b'{"text": "'
        for _ in range(100):
            yield b"a" * 1000
        yield b'"}'

    err = assert_error(client.post("/v1/score", content=chunks(), headers=J), 413, "body_too_large")
    assert err["limit"] == "max_body_bytes"


def test_small_chunked_body_is_fine(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"text": '
        yield json.dumps(RISKY).encode()
        yield b"}"

    assert client.post("/v1/score", content=chunks(), headers=J).status_code == 200


def test_lying_content_length_is_refused(client: TestClient) -> None:
    r = client.post("/v1/score", content=b'{"text": "a"}', headers={**J, "content-length": "10000000000"})
    assert_error(r, 413, "body_too_large")


def test_batch_has_its_own_larger_body_limit(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_body_bytes=2048, max_batch_body_bytes=64 * 1024)
    items = [{"text": RISKY}] * 40  # ~6 KB: too big for one post, fine for a batch
    assert client.post("/v1/score/batch", json={"items": items}).status_code == 200
    err = assert_error(client.post("/v1/score/batch", json={"items": [{"text": "a" * 1000}] * 70}), 413,
                       "body_too_large")
    assert err["limit"] == "max_batch_body_bytes"


def test_unknown_path_and_method_get_the_error_body(client: TestClient) -> None:
    assert_error(client.get("/v1/nope"), 404, "not_found")
    r = client.delete("/v1/score")
    assert_error(r, 405, "method_not_allowed")
    assert "POST" in r.headers["allow"]
    assert_error(client.get("/v1/score"), 405, "method_not_allowed")


def test_bad_query_parameters_are_4xx(client: TestClient) -> None:
    assert_error(client.get("/v1/feedback/export", params={"since_id": "abc"}), 422, "wrong_type")
    assert_error(client.get("/v1/feedback/export", params={"since_id": "-1"}), 422, "invalid_value")


def test_unexpected_core_failure_in_a_batch_is_reported_per_item(client: TestClient,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    det = client.app.state.model.detector  # type: ignore[attr-defined]
    real = det.score_many

    def flaky(texts: list[str], ids: Any = None) -> Any:
        if any("BOOM" in t for t in texts):
            raise RuntimeError("core bug")
        return real(texts, ids=ids)

    monkeypatch.setattr(det, "score_many", flaky)
    monkeypatch.setattr(det, "score", lambda t, id=None: flaky([t], [id])[0])
    body = client.post("/v1/score/batch", json={"items": [{"text": RISKY}, {"text": "BOOM"}]}).json()
    assert body["results"][0]["ok"] and body["results"][1]["error"]["code"] == "scoring_failed"


@pytest.mark.parametrize("text, code", [("\u200b\u200b\ufeff", "invisible_text"), ("\u001e", "empty_text"),
                                        ("\u200b" * 30_000, "text_too_long")])
def test_a_blank_batch_item_is_refused_alone(client: TestClient, text: str, code: str) -> None:
    body = client.post("/v1/score/batch", json={"items": [{"text": text}, {"text": RISKY}]}).json()
    assert body["results"][0]["error"]["code"] == code and body["results"][1]["ok"] and body["errors"] == 1


def test_text_that_starts_with_zero_width_characters_is_still_scored(client: TestClient) -> None:
    assert client.post("/v1/score", json={"text": "\u200b\u200b" + RISKY}).json()["risk_level"] == "tinggi"


@pytest.mark.parametrize("field, value", [("text", "\u001e"), ("text", "\u200b\ufeff"), ("text", "a\u0000"),
                                          ("id", "a\u0000b")])
def test_the_schema_refuses_what_the_server_refuses(client: TestClient, field: str, value: str) -> None:
    import re

    schema = client.get("/openapi.json").json()["components"]["schemas"]["ScoreRequest"]["properties"][field]
    pattern = next(v["pattern"] for v in [schema, *schema.get("anyOf", [])] if "pattern" in v)
    assert re.search(pattern, value) is None
    assert re.search(pattern, "LOKER " + RISKY) is not None
