"""Shared constants and assertions of the service tests."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

REPO = Path(__file__).resolve().parents[2]

RISKY = ("🇰🇭 LOKER ADMIN CS di Kamboja, gaji 15jt/bulan, tanpa pengalaman, tiket & visa ditanggung, "
         "berangkat minggu depan. Minat japri ya kak 🙏")
LEGIT = ("Rekrutmen Tenaga Kebersihan (Cleaning Service) — PT Bersih Prima Layanan, penempatan di mal Kota "
         "Bandung. Usia 18-40, min SMP. Gaji UMK Kota Bandung + BPJS + seragam gratis. Tidak ada biaya.")
CONTRACT = ("id", "risk_score", "risk_level", "label", "flags", "evidence")
ADMIN_KEY = "admin-key-0123456789abcdef"
CLIENT_KEY = "client-key-0123456789abcdef"
#: Where a test client connects from, and the Host it names: this machine, as a local user would.
LOCAL = ("127.0.0.1", 50000)
LOCAL_URL = "http://127.0.0.1:8000"


def local_client(app: FastAPI, **kwargs: Any) -> TestClient:
    """A TestClient that looks like a browser on the same machine (loopback address and Host)."""
    return TestClient(app, base_url=LOCAL_URL, client=LOCAL, **kwargs)


def shipped_models() -> Path:
    """The shipped models folder ($DETECTOR_MODELS_DIR overrides it, as in the core)."""
    return Path(os.environ.get("DETECTOR_MODELS_DIR") or REPO / "models")


def assert_error(resp: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is ``status`` with the service's error body (and ``code``, if given)."""
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/json"), resp.headers
    body = resp.json()
    assert set(body) == {"error", "request_id"}, body
    err = body["error"]
    assert isinstance(err["code"], str) and err["code"] and isinstance(err["message"], str) and err["message"]
    assert body["request_id"] == resp.headers["x-request-id"]
    if code is not None:
        assert err["code"] == code, err
    return dict(err)
