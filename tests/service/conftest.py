"""Fixtures: apps built with a temporary SQLite file and settings overrides, run with ``with TestClient``
so the lifespan loads and verifies the model."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from svc_helpers import local_client, shipped_models

from service.core.config import Settings
from service.main import create_app


@pytest.fixture(scope="session")
def models_dir() -> Path:
    path = shipped_models()
    if not (path / "manifest.json").is_file():
        pytest.fail(f"no trained model in {path} (run `detector train` or set DETECTOR_MODELS_DIR)")
    return path


@pytest.fixture(scope="session", autouse=True)
def _load_the_shipped_model_once(models_dir: Path) -> Iterator[None]:
    """Apps in these tests load the shipped model through the real, verifying loader once per session;
    any other path (tampered copies, missing folders) goes through it every time."""
    import detector

    real = detector.Detector.load
    cache: dict[str, detector.Detector] = {}

    def load(path: str | Path | None = None, expected_sha256: str | None = None,
             cache_size: int = detector.detector.CACHE_SIZE) -> detector.Detector:
        if path is not None and Path(path).resolve() == models_dir.resolve() and expected_sha256 is None:
            key = f"shipped-{cache_size}"
            if key not in cache:
                cache[key] = real(path, cache_size=cache_size)
            return cache[key]
        return real(path, expected_sha256, cache_size=cache_size)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(detector.Detector, "load", staticmethod(load))
        yield


@pytest.fixture()
def tampered_models(tmp_path: Path, models_dir: Path) -> Path:
    """A copy of the shipped models folder with one byte of the bundle flipped."""
    dst = tmp_path / "tampered"
    dst.mkdir()
    for p in models_dir.iterdir():
        if p.suffix in (".json", ".joblib"):
            shutil.copy2(p, dst / p.name)
    bundle = next(dst.glob("*.joblib"))
    data = bytearray(bundle.read_bytes())
    data[len(data) // 2] ^= 0xFF
    bundle.write_bytes(bytes(data))
    return dst


SettingsFactory = Callable[..., Settings]


@pytest.fixture()
def make_settings(tmp_path: Path, models_dir: Path) -> SettingsFactory:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "model_path": str(models_dir),
            "feedback_db": str(tmp_path / "feedback.db"),
            "rate_limit_per_minute": 0,
            "score_chars_per_minute": 0,
            "access_log": False,
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)

    return make


AppFactory = Callable[..., FastAPI]


@pytest.fixture()
def make_app(make_settings: SettingsFactory) -> AppFactory:
    def make(**overrides: Any) -> FastAPI:
        return create_app(make_settings(**overrides))

    return make


@pytest.fixture()
def make_client(make_app: AppFactory) -> Iterator[Callable[..., TestClient]]:
    """``make_client(**settings)`` -> a started TestClient (closed after the test)."""
    clients: list[TestClient] = []

    def make(**overrides: Any) -> TestClient:
        c = local_client(make_app(**overrides), raise_server_exceptions=False)
        c.__enter__()
        clients.append(c)
        return c

    yield make
    for c in reversed(clients):
        c.__exit__(None, None, None)


@pytest.fixture()
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()
