"""POST /v1/score and /v1/score/batch."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from svc_helpers import CONTRACT, LEGIT, RISKY, assert_error


def test_when_risky_advert_then_high_risk_with_evidence_at_code_point_offsets(client: TestClient) -> None:
    r = client.post("/v1/score", json={"text": RISKY, "id": "post-1"})
    assert r.status_code == 200, r.text
    body = r.json()
    for key in (*CONTRACT, "counter_evidence", "money", "model_version", "probabilities", "summary"):
        assert key in body
    assert body["id"] == "post-1"
    assert body["risk_level"] == "tinggi" and body["label"] == "high"
    assert body["flags"]
    for ev in body["evidence"]:
        # offsets are Python str indices into the text as sent (the emoji flag comes first)
        assert RISKY[ev["start"]:ev["end"]] == ev["text"]
        assert ev["reason_id"] and ev["reason_en"]
    for m in body["money"]:
        assert RISKY[m["start"]:m["end"]] == m["text"]


def test_when_explain_false_then_evidence_is_compact_and_no_summary(client: TestClient) -> None:
    body = client.post("/v1/score", json={"text": RISKY, "explain": False}).json()
    assert "summary" not in body
    assert body["evidence"] and all(set(ev) == {"flag", "start", "end", "text"} for ev in body["evidence"])


@pytest.mark.parametrize("lang", ["id", "en"])
def test_when_lang_given_then_one_reason_in_that_language(client: TestClient, lang: str) -> None:
    body = client.post("/v1/score", json={"text": RISKY, "lang": lang}).json()
    ev = body["evidence"][0]
    assert ev["reason"] and "reason_id" not in ev and "reason_en" not in ev
    english = {"en": True, "id": False}[lang]
    assert ("risk" in body["summary"].lower()) == english or ("Risiko" in body["summary"]) != english


def test_when_legit_advert_then_lower_score_than_risky(client: TestClient) -> None:
    risky = client.post("/v1/score", json={"text": RISKY}).json()
    legit = client.post("/v1/score", json={"text": LEGIT}).json()
    assert legit["risk_score"] < risky["risk_score"]


def test_when_text_contains_html_then_it_is_scored_as_text_and_returned_as_json(client: TestClient) -> None:
    text = '<script>alert(1)</script><b>LOKER</b> gaji 15jt/bulan di Kamboja <img src=x onerror=alert(2)>'
    r = client.post("/v1/score", json={"text": text})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.headers["x-content-type-options"] == "nosniff"


def test_batch_scores_items_in_order_with_ids(client: TestClient) -> None:
    items = [{"id": "a", "text": RISKY}, {"id": "b", "text": LEGIT}, {"text": RISKY}]
    r = client.post("/v1/score/batch", json={"items": items, "explain": False})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["count"] == 3 and body["errors"] == 0 and body["model_version"]
    assert [x["index"] for x in body["results"]] == [0, 1, 2]
    assert [x["id"] for x in body["results"]] == ["a", "b", None]
    assert all(x["ok"] and "error" not in x for x in body["results"])
    single = client.post("/v1/score", json={"text": LEGIT, "explain": False}).json()
    assert body["results"][1]["result"]["risk_score"] == single["risk_score"]
    assert body["results"][0]["result"]["id"] == "a"


def test_batch_reports_bad_items_per_item_and_scores_the_rest(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_text_chars=500)
    items = [
        {"id": "ok", "text": RISKY},
        {"id": "empty", "text": "   "},
        {"id": "null", "text": None},
        {"id": "missing"},
        {"id": "nul", "text": "abc\x00def"},
        {"id": "long", "text": "a" * 501},
        {"id": "ok2", "text": LEGIT},
    ]
    r = client.post("/v1/score/batch", json={"items": items})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["count"] == 7 and body["errors"] == 5
    by_id = {x["id"]: x for x in body["results"]}
    assert by_id["ok"]["ok"] and by_id["ok2"]["ok"]
    codes = {k: by_id[k]["error"]["code"] for k in ("empty", "null", "missing", "nul", "long")}
    assert codes == {"empty": "empty_text", "null": "missing_text", "missing": "missing_text", "nul": "nul_byte",
                     "long": "text_too_long"}
    assert by_id["long"]["error"]["limit"] == "max_text_chars"
    assert by_id["long"]["error"]["field"] == "items.5.text"
    assert "result" not in by_id["empty"]


def test_batch_of_32(client: TestClient) -> None:
    items = [{"id": str(i), "text": RISKY if i % 2 else LEGIT} for i in range(32)]
    body = client.post("/v1/score/batch", json={"items": items}).json()
    assert body["count"] == 32 and body["errors"] == 0
    assert len({x["result"]["risk_score"] for x in body["results"]}) == 2


def test_batch_larger_than_setting_is_refused_with_the_limit_named(make_client: Callable[..., TestClient]) -> None:
    client = make_client(batch_max_items=4)
    ok = client.post("/v1/score/batch", json={"items": [{"text": LEGIT}] * 4})
    assert ok.status_code == 200
    err = assert_error(client.post("/v1/score/batch", json={"items": [{"text": LEGIT}] * 5}), 422, "batch_too_large")
    assert err["field"] == "items" and err["limit"] == "batch_max_items" and "4" in err["message"]


def test_default_batch_limit_is_256(client: TestClient) -> None:
    assert client.get("/v1/model").json()["limits"]["batch_max_items"] == 256
    err = assert_error(client.post("/v1/score/batch", json={"items": [{"text": "x"}] * 257}), 422, "batch_too_large")
    assert err["limit"] == "batch_max_items"


def test_batch_total_characters_are_limited(make_client: Callable[..., TestClient]) -> None:
    client = make_client(batch_max_chars=1000)
    err = assert_error(client.post("/v1/score/batch", json={"items": [{"text": "a" * 600}] * 2}), 422,
                       "batch_too_large")
    assert err["limit"] == "batch_max_chars"


def test_empty_batch_is_refused(client: TestClient) -> None:
    assert_error(client.post("/v1/score/batch", json={"items": []}), 422)


@pytest.mark.parametrize("mode", ["batched", "inline", "threadpool"])
def test_every_scoring_mode_gives_the_same_result(make_client: Callable[..., TestClient], mode: str) -> None:
    client = make_client(scoring=mode)
    body = client.post("/v1/score", json={"text": RISKY}).json()
    assert body["risk_level"] == "tinggi"


def test_concurrent_posts_are_micro_batched_correctly(client: TestClient) -> None:
    """Posts scored together in one model call still each get their own result."""
    from concurrent.futures import ThreadPoolExecutor

    texts = [RISKY if i % 3 else LEGIT for i in range(30)]
    with ThreadPoolExecutor(max_workers=10) as pool:
        bodies = list(pool.map(lambda t: client.post("/v1/score", json={"text": t, "id": str(len(t))}).json(), texts))
    expect = {t: client.post("/v1/score", json={"text": t}).json()["risk_score"] for t in (RISKY, LEGIT)}
    for t, b in zip(texts, bodies, strict=True):
        assert b["risk_score"] == expect[t] and b["id"] == str(len(t))


@pytest.mark.parametrize("size", [0, 7])
def test_score_cache_size_setting_reaches_the_workers_detector(make_client: Callable[..., TestClient],
                                                              size: int) -> None:
    """A post seen again (an extension re-rendering a feed) is answered from the cache, same record."""
    client = make_client(score_cache_size=size)
    det = client.app.state.model.detector  # type: ignore[attr-defined]
    assert det.cache_size == size
    hits = det.cache_hits
    first = client.post("/v1/score", json={"text": RISKY, "id": "x"}).json()
    again = client.post("/v1/score", json={"text": RISKY, "id": "x"}).json()
    assert first == again
    assert det.cache_hits - hits == (1 if size else 0)
