"""GET /v1/indicators, GET /v1/model, the web page and static files."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.routes import pages


def test_indicators_list_every_red_flag_with_bilingual_text_and_guidance(client: TestClient) -> None:
    r = client.get("/v1/indicators")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == len(body["indicators"]) > 0 and body["version"]
    kinds = set()
    for ind in body["indicators"]:
        assert ind["name"] and ind["description"]["id"] and ind["description"]["en"]
        assert ind["reason"]["id"] and ind["reason"]["en"]
        assert "guidance" in ind and "version" in ind
        kinds.add(ind["kind"])
    assert "risk" in kinds


def test_indicators_cover_every_flag_a_result_can_carry(client: TestClient) -> None:
    from svc_helpers import RISKY

    names = {ind["name"] for ind in client.get("/v1/indicators").json()["indicators"]}
    assert set(client.post("/v1/score", json={"text": RISKY}).json()["flags"]) <= names


def test_model_reports_version_training_date_metrics_thresholds_and_hash(client: TestClient, models_dir: Path) -> None:
    body = client.get("/v1/model").json()
    manifest = json.loads((models_dir / "manifest.json").read_text())
    assert body["version"] == manifest["version"]
    assert body["sha256"] == manifest["sha256"] and body["file"] == manifest["file"]
    assert body["trained_at"] and body["metrics"]
    assert set(body["thresholds"]) >= {"sedang", "tinggi"}
    assert body["limits"]["max_text_chars"] == 20_000


def test_model_limits_follow_settings(make_client: Callable[..., TestClient]) -> None:
    limits = make_client(max_text_chars=1234, batch_max_items=7).get("/v1/model").json()["limits"]
    assert limits["max_text_chars"] == 1234 and limits["batch_max_items"] == 7


def test_openapi_docs_are_served_and_state_the_configured_limits(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_text_chars=1234, batch_max_items=7)
    assert client.get("/docs").status_code == 200
    schema = client.get("/openapi.json").json()
    comps = schema["components"]["schemas"]
    assert comps["ScoreRequest"]["properties"]["text"]["maxLength"] == 1234
    assert comps["BatchRequest"]["properties"]["items"]["maxItems"] == 7
    for path in ("/v1/score", "/v1/score/batch", "/v1/indicators", "/v1/model", "/v1/feedback",
                 "/v1/feedback/stats", "/v1/feedback/export", "/healthz", "/readyz"):
        assert path in schema["paths"]


def test_root_serves_the_moderators_page_and_static_files(client: TestClient) -> None:
    if not (pages.STATIC_DIR / "index.html").is_file():
        pytest.skip("service/static/index.html is not there yet")
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.headers["x-frame-options"] == "DENY"
    for module in ("main.js", "shared/vocab.js"):  # ES modules: served with a JavaScript MIME type
        js = client.get("/static/" + module)
        assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert client.get("/static/../main.py").status_code == 404


def test_root_is_a_placeholder_until_the_page_exists(client: TestClient, monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    monkeypatch.setattr(pages, "STATIC_DIR", tmp_path)
    r = client.get("/")
    assert r.status_code == 200 and "TPPO" in r.text
