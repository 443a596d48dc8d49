"""Bounded work and output per request (issue 14): capped evidence in the record, a capped response, a
budget of characters per key, scoring off the event loop, round-robin between clients, a bounded queue."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from fastapi.testclient import TestClient
from svc_helpers import CLIENT_KEY, RISKY, assert_error

from detector.result import MAX_EVIDENCE_PER_POST
from service.scoring import Overloaded, Scorer

OTHER_KEY = "other-client-key-0123456789"
HOSTILE = "🇰🇭 " * 5000  # 15,000 characters, 5,000 hits of one flag
MONEY = "$1000 USD " * 100  # 1,000 characters, 100 money amounts (20 kept: a ~5 kB record)


def test_a_hostile_post_lists_capped_evidence_and_counts_the_rest(client: TestClient) -> None:
    rec = client.post("/v1/score", json={"text": HOSTILE}).json()
    assert len(rec["evidence"]) <= MAX_EVIDENCE_PER_POST and rec["truncated"] > 4000
    assert rec["flags"] and rec["risk_level"] in ("rendah", "sedang", "tinggi")
    batch = client.post("/v1/score/batch", json={"items": [{"text": HOSTILE}, {"text": RISKY}]}).json()
    assert [r["result"]["truncated"] for r in batch["results"]] == [rec["truncated"], 0]
    schema = client.get("/openapi.json").json()["components"]["schemas"]["ScoreResponse"]
    assert "truncated" in schema["properties"]


def test_a_batch_response_stops_at_max_response_bytes_and_names_the_items_left_out(
        make_client: Callable[..., TestClient]) -> None:
    limit = 64 * 1024
    client = make_client(max_response_bytes=limit)
    r = client.post("/v1/score/batch", json={"items": [{"id": f"m{i}", "text": f"{i} {MONEY}"} for i in range(10)]})
    assert r.status_code == 200 and len(r.content) <= limit
    body = r.json()
    ok = [x["ok"] for x in body["results"]]
    assert ok[0] and not ok[-1] and ok == sorted(ok, reverse=True)  # the first records, then the rest named
    left_out = [x for x in body["results"] if not x["ok"]]
    assert body["errors"] == len(left_out) and body["count"] == 10
    for x in left_out:
        assert x["error"]["code"] == "response_too_large" and x["error"]["limit"] == "max_response_bytes"
        assert x["error"]["field"] == f"items.{x['index']}" and x["id"] == f"m{x['index']}"


def test_a_single_result_over_max_response_bytes_is_refused_naming_the_limit(
        make_client: Callable[..., TestClient]) -> None:
    # The core caps a record (evidence, counter evidence, money) well below the smallest limit Settings accepts
    # (64 KiB), so the limit is lowered on the running app to reach this defence in depth.
    from service.deps import get_settings

    client = make_client()
    small = client.app.state.settings.model_copy(update={"max_response_bytes": 6 * 1024})  # 7 kB record
    client.app.dependency_overrides[get_settings] = lambda: small
    err = assert_error(client.post("/v1/score", json={"text": "$1000 USD " * 2000}), 422, "response_too_large")
    assert err["limit"] == "max_response_bytes"
    assert client.post("/v1/score", json={"text": MONEY, "explain": False}).status_code == 200


def test_characters_scored_per_minute_are_budgeted_per_key(make_client: Callable[..., TestClient]) -> None:
    client = make_client(api_keys=[CLIENT_KEY, OTHER_KEY], score_chars_per_minute=60, max_text_chars=1000,
                         batch_max_chars=2000)
    mine, other = {"X-API-Key": CLIENT_KEY}, {"X-API-Key": OTHER_KEY}
    text = ("a" * 999 + " ")[:1000]
    assert client.post("/v1/score", json={"text": text}, headers=mine).status_code == 200
    assert client.post("/v1/score/batch", json={"items": [{"text": text}]}, headers=mine).status_code == 200
    r = client.post("/v1/score", json={"text": "LOKER"}, headers=mine)  # the burst (2,000) is spent
    err = assert_error(r, 429, "rate_limited")
    assert err["limit"] == "score_chars_per_minute" and int(r.headers["retry-after"]) >= 1
    assert client.post("/v1/score", json={"text": text}, headers=other).status_code == 200


# -- scoring off the event loop -----------------------------------------------------------------------------

@pytest.fixture()
def held_scoring(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[TestClient], tuple[threading.Event,
                                                                                              threading.Event]]]:
    """``hold(client)``: posts containing LAMBAT stop inside the model call until ``release`` is set."""
    release = threading.Event()

    def hold(client: TestClient) -> tuple[threading.Event, threading.Event]:
        det = client.app.state.model.detector  # type: ignore[attr-defined]
        real = det.score_many
        started = threading.Event()

        def slow(texts: Sequence[str], ids: Any = None) -> Any:
            if any("LAMBAT" in t for t in texts):
                started.set()
                release.wait(30)
            return real(texts, ids=ids)

        monkeypatch.setattr(det, "score_many", slow)
        return started, release

    yield hold
    release.set()


def _in_thread(fn: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    out: dict[str, Any] = {}
    t = threading.Thread(target=lambda: out.update(r=fn()), daemon=True)
    t.start()
    return t, out


def test_healthz_and_other_requests_are_answered_while_a_batch_is_scored(
        make_client: Callable[..., TestClient], held_scoring: Any) -> None:
    client = make_client()
    started, release = held_scoring(client)
    worker, out = _in_thread(lambda: client.post("/v1/score/batch",
                                                 json={"items": [{"text": f"LAMBAT {RISKY}"}] * 3}))
    assert started.wait(30)
    # the batch is inside a model call (held): the event loop is free to answer
    assert client.get("/healthz").status_code == 200
    assert client.get("/v1/indicators").status_code == 200
    assert "r" not in out
    release.set()
    worker.join(30)
    assert out["r"].status_code == 200 and out["r"].json()["errors"] == 0


def test_when_too_much_is_waiting_new_work_gets_503_overloaded(make_client: Callable[..., TestClient],
                                                                held_scoring: Any) -> None:
    client = make_client(score_queue_max_chars=1000, score_chunk_chars=1000)
    started, release = held_scoring(client)
    text = f"LAMBAT {RISKY} " + "x" * 500  # one post per model call: the other seven wait, 4,000+ characters
    worker, out = _in_thread(lambda: client.post("/v1/score/batch", json={"items": [{"text": text}] * 8}))
    assert started.wait(30)
    r = client.post("/v1/score", json={"text": RISKY})
    err = assert_error(r, 503, "overloaded")
    assert err["limit"] == "score_queue_max_chars" and r.headers["retry-after"]
    release.set()
    worker.join(30)
    assert out["r"].status_code == 200 and out["r"].json()["errors"] == 0
    assert client.post("/v1/score", json={"text": RISKY}).status_code == 200


def test_a_batch_of_only_bad_items_leaves_the_scorer_running(client: TestClient) -> None:
    body = client.post("/v1/score/batch", json={"items": [{"text": " "}, {"text": None}]}).json()
    assert body["errors"] == 2
    scorer = client.app.state.scorer  # type: ignore[attr-defined]
    assert client.post("/v1/score", json={"text": RISKY}).status_code == 200
    assert scorer._task is not None and not scorer._task.done()


class FakeDetector:
    """Records each model call; the first call waits for ``gate``."""

    version = "fake"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.started, self.gate = threading.Event(), threading.Event()

    def score_many(self, texts: Sequence[str], ids: Any = None) -> list[str]:
        self.started.set()
        self.gate.wait(30)
        self.calls.append(list(texts))
        return [f"scored {t}" for t in texts]


def _calls(max_batch: int, max_chars: int, queued: dict[str, list[str]]) -> list[list[str]]:
    """The model calls a Scorer makes for ``queued`` (per client, in order), while a first call is held."""

    async def run() -> list[list[str]]:
        det = FakeDetector()
        scorer = Scorer(det, max_batch=max_batch, max_chars=max_chars)  # type: ignore[arg-type]
        await scorer.start()
        futures = scorer.submit("first", ["x"], [None])
        for _ in range(3000):
            if det.started.is_set():
                break
            await asyncio.sleep(0.01)
        for client, texts in queued.items():
            futures += scorer.submit(client, texts, [None] * len(texts))
        det.gate.set()
        results = await asyncio.gather(*futures)
        assert results == [f"scored {t}" for t in ["x", *[t for ts in queued.values() for t in ts]]]
        await scorer.stop()
        return det.calls[1:]

    return asyncio.run(run())


ROUND_ROBIN = [
    # max_batch, max_chars, queued per client -> model calls
    (4, 100, {"a": ["a1", "a2", "a3", "a4", "a5", "a6"], "b": ["b1", "b2"], "c": ["c1"]},
     [["a1", "b1", "c1", "a2"], ["b2", "a3", "a4", "a5"], ["a6"]]),
    (32, 10, {"a": ["aaaaaaaa1", "aaaaaaaa2", "aaaaaaaa3"], "b": ["b1"]},
     [["aaaaaaaa1"], ["b1"], ["aaaaaaaa2"], ["aaaaaaaa3"]]),  # b waits for one of a's posts, not three
    (32, 10, {"a": ["a" * 50], "b": ["b" * 50]}, [["a" * 50], ["b" * 50]]),  # a long post still goes alone
    (32, 1000, {"a": ["a1", "a2"], "b": ["b1"]}, [["a1", "b1", "a2"]]),  # posts waiting together share a call
]


@pytest.mark.parametrize("max_batch, max_chars, queued, calls", ROUND_ROBIN)
def test_scorer_serves_waiting_clients_round_robin_within_the_call_limits(
        max_batch: int, max_chars: int, queued: dict[str, list[str]], calls: list[list[str]]) -> None:
    assert _calls(max_batch, max_chars, queued) == calls


def test_scorer_refuses_work_past_its_queue_limit_but_always_takes_some() -> None:
    async def run() -> None:
        det = FakeDetector()
        scorer = Scorer(det, max_queued_chars=10)  # type: ignore[arg-type]
        await scorer.start()
        first = scorer.submit("a", ["x" * 50], [None])  # more than the limit, into an empty queue: taken
        for _ in range(3000):
            if det.started.is_set():
                break
            await asyncio.sleep(0.01)
        waiting = scorer.submit("a", ["y" * 8], [None])
        with pytest.raises(Overloaded):
            scorer.submit("b", ["z" * 3], [None])
        det.gate.set()
        assert await asyncio.gather(*first, *waiting) == ["scored " + "x" * 50, "scored " + "y" * 8]
        await scorer.stop()

    asyncio.run(run())


# -- HEAD ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/v1/indicators", "/v1/model", "/v1/feedback/stats",
                                  "/v1/feedback/export", "/", "/openapi.json"])
def test_head_on_a_get_route_answers_like_get_without_a_body(client: TestClient, path: str) -> None:
    get, head = client.get(path), client.head(path)
    assert get.status_code == head.status_code == 200
    assert head.content == b"" and head.headers["content-type"] == get.headers["content-type"]


def test_head_on_a_post_route_is_still_405(client: TestClient) -> None:
    r = client.head("/v1/score")
    assert r.status_code == 405 and r.content == b""


def test_the_batch_response_is_valid_json_with_ids_escaped(client: TestClient) -> None:
    odd_id = 'quote " and \\ and \u2028'
    items: list[dict[str, Any]] = [{"id": odd_id, "text": RISKY}, {"id": None, "text": " "}, {"text": RISKY}]
    r = client.post("/v1/score/batch", json={"items": items})
    body = json.loads(r.content)
    assert [x["id"] for x in body["results"]] == [odd_id, None, None]
    assert [x["ok"] for x in body["results"]] == [True, False, True] and body["errors"] == 1
