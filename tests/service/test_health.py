"""/healthz, /readyz and a tampered or missing model bundle."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from svc_helpers import RISKY, assert_error


def test_healthz_and_readyz_when_the_model_verifies(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "model_version": None, "sha256": None}
    r = client.get("/readyz")
    assert r.status_code == 200 and r.json()["status"] == "ready" and len(r.json()["sha256"]) == 64


def test_when_bundle_is_tampered_then_never_ready_and_scoring_says_why(
        make_client: Callable[..., TestClient], tampered_models: Path) -> None:
    client = make_client(model_path=str(tampered_models))
    assert client.get("/healthz").status_code == 200  # the process is up ...
    err = assert_error(client.get("/readyz"), 503, "model_unavailable")  # ... but not ready
    assert "verification" in err["message"]
    r = client.post("/v1/score", json={"text": RISKY})
    err = assert_error(r, 503, "model_unavailable")
    assert "failed verification" in err["message"] and r.headers["retry-after"]
    assert_error(client.post("/v1/score/batch", json={"items": [{"text": RISKY}]}), 503, "model_unavailable")
    assert_error(client.get("/v1/model"), 503, "model_unavailable")
    # reference data and feedback do not need the model
    assert client.get("/v1/indicators").status_code == 200
    assert client.get("/v1/feedback/stats").status_code == 200


def test_when_model_folder_is_missing_then_not_ready(make_client: Callable[..., TestClient], tmp_path: Path) -> None:
    client = make_client(model_path=str(tmp_path / "nothing-here"))
    err = assert_error(client.get("/readyz"), 503, "model_unavailable")
    assert "manifest" in err["message"]


def test_the_model_is_loaded_once_per_app_not_per_request(make_client: Callable[..., TestClient],
                                                          monkeypatch: object) -> None:
    import detector

    calls = []
    original = detector.Detector.load

    def counting(*a: object, **kw: object) -> detector.Detector:
        calls.append(1)
        return original(*a, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(detector.Detector, "load", staticmethod(counting))  # type: ignore[attr-defined]
    client = make_client()
    for _ in range(3):
        assert client.post("/v1/score", json={"text": RISKY}).status_code == 200
    assert len(calls) == 1


def test_importing_the_app_module_loads_no_model() -> None:
    import subprocess
    import sys

    code = ("import detector\n"
            "def boom(*a, **k): raise SystemExit('a model was loaded at import')\n"
            "detector.Detector.load = boom\n"
            "import service.main\n"
            "assert service.main._app is None\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])
