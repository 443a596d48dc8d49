"""A real `detector serve` with 2 uvicorn workers on loopback: readiness, keep-alive latency, a chunked
upload over the limit, and feedback from many connections landing in one SQLite file."""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from svc_helpers import ADMIN_KEY, REPO, RISKY

pytestmark = pytest.mark.slow

HOST = "127.0.0.1"
BODY_LIMIT = 64 * 1024


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, models_dir: Path) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("serve")
    port = _free_port()
    env = dict(os.environ)
    env.update({
        "DETECTOR_MODEL_PATH": str(models_dir),
        "DETECTOR_FEEDBACK_DB": str(tmp / "feedback.db"),
        "DETECTOR_ADMIN_KEYS": ADMIN_KEY,
        "DETECTOR_MAX_BODY_BYTES": str(BODY_LIMIT),
        "DETECTOR_RATE_LIMIT_PER_MINUTE": "0",
    })
    log_path = tmp / "server.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "detector.cli", "serve", "--host", HOST, "--port", str(port),
                                 "--workers", "2"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 90
            # both models verified, then the socket listening (each worker listens after its lifespan started)
            while log_path.read_text(errors="replace").count("Application startup complete") < 2 \
                    or not _listening(port):
                assert proc.poll() is None, log_path.read_text(errors="replace")[-3000:]
                assert time.monotonic() < deadline, log_path.read_text(errors="replace")[-3000:]
                time.sleep(0.2)
            assert log_path.read_text(errors="replace").count('"model_ready"') == 2
            yield {"port": port, "proc": proc, "log": log_path, "tmp": tmp}
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


def _listening(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=2):
            return True
    except OSError:
        return False


def _json(port: int, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
          ) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://{HOST}:{port}{path}", data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_both_workers_are_ready_and_score(server: dict[str, Any]) -> None:
    port = server["port"]
    for _ in range(10):
        status, body = _json(port, "GET", "/readyz")
        assert status == 200 and json.loads(body)["status"] == "ready"
    status, body = _json(port, "POST", "/v1/score", {"text": RISKY})
    assert status == 200 and json.loads(body)["risk_level"] == "tinggi"
    status, body = _json(port, "GET", "/")
    assert status == 200 and b"<html" in body.lower()


def test_keep_alive_requests_have_no_nagle_floor(server: dict[str, Any]) -> None:
    """uvicorn on the plain asyncio loop with 2 workers adds ~44 ms to keep-alive requests; uvloop doesn't."""
    conn = http.client.HTTPConnection(HOST, server["port"], timeout=10)
    body = json.dumps({"text": RISKY, "explain": False})
    times = []
    try:
        for _ in range(40):
            t = time.perf_counter()
            conn.request("POST", "/v1/score", body=body, headers={"Content-Type": "application/json"})
            r = conn.getresponse()
            r.read()
            assert r.status == 200
            times.append(time.perf_counter() - t)
    finally:
        conn.close()
    assert statistics.median(times[5:]) < 0.030, times


def _chunked_upload(port: int, total: int) -> tuple[int, dict[str, Any]]:
    """POST a body of `total` bytes with Transfer-Encoding: chunked (no Content-Length) over a raw socket."""
    with socket.create_connection((HOST, port), timeout=10) as s:
        s.sendall(f"POST /v1/score HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/json\r\n"
                  "Transfer-Encoding: chunked\r\n\r\n".encode())
        payload = b'{"text": "' + b"a" * (total - 12) + b'"}'
        try:
            for i in range(0, len(payload), 8192):
                chunk = payload[i:i + 8192]
                s.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            s.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered 413 and closed before the upload ended: that is the point
        data = b""
        while b"\r\n\r\n" not in data or len(data) < data.index(b"\r\n\r\n") + 4 + _length(data):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return int(head[9:12]), json.loads(rest[:_length(data)] or b"{}")


def _length(data: bytes) -> int:
    for line in data.split(b"\r\n\r\n")[0].split(b"\r\n")[1:]:
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":")[1])
    return 0


def test_chunked_upload_over_the_limit_is_413(server: dict[str, Any]) -> None:
    status, body = _chunked_upload(server["port"], 100 * 1024)
    assert status == 413, body
    assert body["error"]["code"] == "body_too_large" and body["error"]["limit"] == "max_body_bytes"
    # a chunked upload under the limit still works
    status, body = _chunked_upload(server["port"], 8 * 1024)
    assert status == 200, body


def test_feedback_from_many_connections_reaches_one_database(server: dict[str, Any]) -> None:
    port = server["port"]

    def post(i: int) -> int:
        status, body = _json(port, "POST", "/v1/feedback", {
            "model_version": "0.1.0", "text": f"{RISKY} {i}", "store_text": True, "predicted_label": "high",
            "correct_label": "other_scam", "reason": "scam_not_trafficking"})
        assert status == 201, body
        return int(json.loads(body)["id"])

    with ThreadPoolExecutor(max_workers=12) as pool:
        ids = list(pool.map(post, range(40)))
    assert len(set(ids)) == 40
    status, body = _json(port, "GET", "/v1/feedback/export", headers={"X-API-Key": ADMIN_KEY})
    assert status == 200
    rows = [json.loads(line) for line in body.decode().splitlines()]
    assert {r["id"] for r in rows} >= set(ids)


def test_access_log_lines_are_json_without_text(server: dict[str, Any]) -> None:
    _json(server["port"], "POST", "/v1/score", {"text": "PENANDA-RAHASIA loker kamboja"})
    time.sleep(0.3)
    lines = [json.loads(line) for line in server["log"].read_text().splitlines() if line.startswith("{")]
    access = [e for e in lines if e.get("event") == "access"]
    assert access and all({"request_id", "status", "duration_ms", "path"} <= set(e) for e in access)
    assert "PENANDA-RAHASIA" not in server["log"].read_text()


def _raw(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes, read until the server closes or the declared body has arrived."""
    with socket.create_connection((HOST, port), timeout=10) as s:
        s.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data or len(data) < data.index(b"\r\n\r\n") + 4 + _length(data):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    headers = dict(line.decode("latin-1").lower().split(": ", 1) for line in head.split(b"\r\n")[1:] if b": " in line)
    return int(head[9:12]), headers, body


@pytest.mark.parametrize("request_bytes", [
    b"POST /v1/score HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}",
    b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nNo colon here\r\n\r\n",
    b"GARBAGE\r\n\r\n",
])
def test_malformed_http_gets_the_json_error_body(server: dict[str, Any], request_bytes: bytes) -> None:
    status, headers, body = _raw(server["port"], request_bytes)
    assert status == 400 and headers["content-type"] == "application/json", (headers, body)
    err = json.loads(body)
    assert err["error"]["code"] == "bad_request" and err["request_id"] == headers["x-request-id"]
    assert _json(server["port"], "GET", "/healthz")[0] == 200  # and the worker is fine


def test_a_foreign_host_name_is_refused_by_the_real_server(server: dict[str, Any]) -> None:
    status, body = _json(server["port"], "GET", "/v1/feedback/stats", headers={"Host": "evil.example.com"})
    assert status == 400 and json.loads(body)["error"]["code"] == "invalid_host"
    assert _json(server["port"], "GET", "/v1/feedback/stats")[0] == 200
