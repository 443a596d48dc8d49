"""POST /v1/feedback, GET /v1/feedback/stats, GET /v1/feedback/export: persistence, privacy, concurrency."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from svc_helpers import LEGIT, RISKY, assert_error, local_client

from detector.training.data import load_feedback


def fb(**kw: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"model_version": "0.1.0", "predicted_label": "high", "correct_label": "other_scam",
                            "reason": "scam_not_trafficking"}
    body.update(kw)
    return body


def export(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    r = client.get("/v1/feedback/export", params=params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in r.text.splitlines() if line.strip()]


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_when_store_text_then_text_is_kept_for_retraining(client: TestClient) -> None:
    r = client.post("/v1/feedback", json=fb(text=RISKY, store_text=True, note="uji"))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["text_stored"] is True and body["text_sha256"] == sha(RISKY) and body["id"] >= 1
    assert "text" not in body  # not echoed back
    [row] = export(client)
    assert row["text"] == RISKY and row["correct_label"] == "other_scam" and row["note"] == "uji"
    for key in ("id", "created_at", "model_version", "text", "text_sha256", "predicted_label", "correct_label",
                "reason", "note"):
        assert key in row


def test_when_store_text_not_asked_then_only_the_hash_is_stored(client: TestClient, tmp_path: Path) -> None:
    r = client.post("/v1/feedback", json=fb(text=RISKY))
    assert r.status_code == 201 and r.json()["text_stored"] is False
    [row] = export(client)
    assert row["text"] is None and row["text_sha256"] == sha(RISKY)
    con = sqlite3.connect(tmp_path / "feedback.db")
    try:  # the text is nowhere in the database
        assert con.execute("select count(*) from feedback where text is not null").fetchone()[0] == 0
    finally:
        con.close()
    assert RISKY.encode() not in (tmp_path / "feedback.db").read_bytes()


def test_when_only_the_hash_is_sent_then_it_is_stored(client: TestClient) -> None:
    h = sha(LEGIT).upper()
    r = client.post("/v1/feedback", json=fb(text_sha256=h, predicted_label="low", correct_label="low",
                                            reason="confirmed"))
    assert r.status_code == 201, r.text
    assert r.json()["text_sha256"] == h.lower()


@pytest.mark.parametrize("body, code", [
    (fb(), "text_required"),
    (fb(text_sha256=sha("x"), store_text=True), "text_required"),
    (fb(text=RISKY, text_sha256=sha("something else")), "hash_mismatch"),
    (fb(text=RISKY, text_sha256="abc"), "invalid_value"),
    (fb(text=RISKY, correct_label="maybe"), "invalid_value"),
    (fb(text=RISKY, reason="because"), "invalid_value"),
    (fb(text=RISKY, reason="confirmed"), "invalid_value"),  # confirmed but labels differ
    (fb(text=RISKY, note="x" * 1001), "too_long"),
    (fb(text=RISKY, note="a\x00b"), "nul_byte"),
    (fb(text="   "), "empty_text"),
    (fb(text=RISKY, store_text="yes"), "wrong_type"),
    (fb(text=RISKY, predicted_score=1.5), "invalid_value"),
    ({"text": RISKY}, "missing_field"),
])
def test_bad_feedback_is_refused_with_a_clear_error(client: TestClient, body: dict[str, Any], code: str) -> None:
    assert_error(client.post("/v1/feedback", json=body), 422, code)


def test_stats_count_pending_feedback_until_an_export_is_acknowledged(client: TestClient) -> None:
    assert client.get("/v1/feedback/stats").json() == {"pending": 0, "pending_corrections": 0, "total": 0,
                                                        "last_export_at": None}
    client.post("/v1/feedback", json=fb(text=RISKY, store_text=True))
    client.post("/v1/feedback", json=fb(text=LEGIT, predicted_label="low", correct_label="low", reason="confirmed"))
    s = client.get("/v1/feedback/stats").json()
    assert (s["pending"], s["pending_corrections"], s["total"]) == (2, 1, 2)
    r = client.get("/v1/feedback/export")
    assert r.headers["x-feedback-last-id"] == "2" and r.headers["x-feedback-rows"] == "2"
    assert client.get("/v1/feedback/stats").json()["pending"] == 2  # the export itself changed nothing
    ack = client.post("/v1/feedback/export/ack", json={"last_id": 2})
    assert ack.status_code == 200, ack.text
    assert (ack.json()["pending"], ack.json()["total"]) == (0, 2) and ack.json()["last_export_at"]
    client.post("/v1/feedback", json=fb(text=RISKY))
    assert client.get("/v1/feedback/stats").json()["pending"] == 1
    rows = export(client, since_id=2)
    assert [r["id"] for r in rows] == [3]


@pytest.mark.parametrize("params", [{}, {"since_id": 5}, {"since_id": 10**6}])
def test_export_has_no_side_effect_even_when_it_returns_no_rows(client: TestClient, params: dict[str, int]) -> None:
    for i in range(5):
        client.post("/v1/feedback", json=fb(text=f"{RISKY} {i}"))
    before = client.get("/v1/feedback/stats").json()
    for _ in range(2):
        export(client, **params)
        assert client.head("/v1/feedback/export", params=params).status_code == 200
    assert client.get("/v1/feedback/stats").json() == before
    assert before["pending"] == 5 and before["last_export_at"] is None


def test_acknowledging_an_older_export_changes_nothing_and_a_future_one_is_refused(client: TestClient) -> None:
    for i in range(3):
        client.post("/v1/feedback", json=fb(text=f"{RISKY} {i}"))
    assert client.post("/v1/feedback/export/ack", json={"last_id": 2}).json()["pending"] == 1
    assert client.post("/v1/feedback/export/ack", json={"last_id": 1}).json()["pending"] == 1
    err = assert_error(client.post("/v1/feedback/export/ack", json={"last_id": 4}), 422, "invalid_value")
    assert err["field"] == "last_id" and "newest is 3" in err["message"]
    assert_error(client.post("/v1/feedback/export/ack", json={"last_id": "2"}), 422, "wrong_type")
    assert client.get("/v1/feedback/stats").json()["pending"] == 1


def test_export_is_what_the_trainer_reads(client: TestClient, tmp_path: Path) -> None:
    client.post("/v1/feedback", json=fb(text=RISKY, store_text=True))
    client.post("/v1/feedback", json=fb(text=LEGIT))  # hash only: nothing to learn from
    path = tmp_path / "feedback.jsonl"
    path.write_bytes(client.get("/v1/feedback/export").content)
    records = load_feedback(path)
    assert [(r.text, r.label) for r in records] == [(RISKY, "other_scam")]


def test_feedback_survives_an_app_restart(make_app: Callable[..., FastAPI]) -> None:
    with local_client(make_app()) as first:
        ids = [first.post("/v1/feedback", json=fb(text=f"{RISKY} {i}", store_text=True)).json()["id"]
               for i in range(3)]
    # the first app is shut down (its engine disposed); a new one opens the same SQLite file
    with local_client(make_app()) as second:
        rows = export(second)
        assert [r["id"] for r in rows] == ids and rows[0]["text"] == f"{RISKY} 0"
        assert second.post("/v1/feedback", json=fb(text=RISKY)).json()["id"] == ids[-1] + 1


def test_concurrent_posts_lose_no_writes(client: TestClient) -> None:
    def post(i: int) -> int:
        r = client.post("/v1/feedback", json=fb(text=f"{RISKY} #{i}", store_text=i % 2 == 0))
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    with ThreadPoolExecutor(max_workers=16) as pool:
        ids = list(pool.map(post, range(50)))
    assert len(set(ids)) == 50
    rows = export(client)
    assert len(rows) == 50 and {r["id"] for r in rows} == set(ids)
    assert sum(r["text"] is not None for r in rows) == 25


def test_two_apps_on_one_database_lose_no_writes(make_client: Callable[..., TestClient]) -> None:
    """Like two workers: separate engines on one SQLite file (WAL) writing at the same time."""
    a, b = make_client(), make_client()

    def post(i: int) -> int:
        c = a if i % 2 else b
        r = c.post("/v1/feedback", json=fb(text=f"{LEGIT} {i}"))
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    with ThreadPoolExecutor(max_workers=16) as pool:
        ids = list(pool.map(post, range(60)))
    assert sorted(ids) == list(range(1, 61))
    assert a.get("/v1/feedback/stats").json()["total"] == 60


def test_sqlite_runs_in_wal_mode(client: TestClient) -> None:
    db = client.app.state.db  # type: ignore[attr-defined]
    assert db.journal_mode() == "wal"


def test_any_sqlalchemy_url_can_be_used(make_client: Callable[..., TestClient], tmp_path: Path) -> None:
    client = make_client(database_url=f"sqlite:///{tmp_path / 'other.sqlite3'}")
    assert client.post("/v1/feedback", json=fb(text=RISKY)).status_code == 201
    assert (tmp_path / "other.sqlite3").exists() and not (tmp_path / "feedback.db").exists()


def test_an_over_long_note_is_counted_in_characters(client: TestClient) -> None:
    err = assert_error(client.post("/v1/feedback", json=fb(text=RISKY, note="x" * 1001)), 422, "too_long")
    assert err["field"] == "note" and "1000 characters" in err["message"] and "items" not in err["message"]
