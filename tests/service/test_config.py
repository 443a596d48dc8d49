"""Settings from the environment or a .env file; `detector serve` refuses unsafe ones without leaking keys."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from service.core.config import Settings
from service.main import run_server


def test_settings_come_from_prefixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DETECTOR_PORT", "9123")
    monkeypatch.setenv("DETECTOR_CORS_ORIGINS", "https://a.example.org, chrome-extension://" + "a" * 32)
    monkeypatch.setenv("DETECTOR_API_KEYS", '["k1-0123456789abcdef", "k2-0123456789abcdef"]')
    monkeypatch.setenv("DETECTOR_ADMIN_KEY", "the-admin-0123456789")
    monkeypatch.setenv("DETECTOR_ALLOWED_HOSTS", "mod.example.org, *.example.net")
    monkeypatch.setenv("DETECTOR_BATCH_MAX_ITEMS", "2")
    s = Settings(_env_file=None)
    assert s.port == 9123 and s.batch_max_items == 2
    assert s.cors_origins == ["https://a.example.org", "chrome-extension://" + "a" * 32]
    assert s.api_keys == ["k1-0123456789abcdef", "k2-0123456789abcdef"]
    assert s.admin_keys == ["the-admin-0123456789"]
    assert s.allowed_hosts == ["mod.example.org", "*.example.net"]


def test_settings_come_from_a_dotenv_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = tmp_path / ".env"
    env.write_text("DETECTOR_ENVIRONMENT=production\nDETECTOR_FEEDBACK_DB=/srv/fb.db\nOTHER_TOOL=1\n"
                   "DETECTOR_API_KEYS=client-0123456789abcdef\nDETECTOR_ALLOWED_HOSTS=mod.example.org\n")
    s = Settings(_env_file=env)
    assert s.environment == "production" and s.db_url == "sqlite:////srv/fb.db"


def test_defaults_are_safe() -> None:
    s = Settings(_env_file=None)
    assert s.host == "127.0.0.1" and s.cors_origins == [] and s.api_keys == []
    assert s.max_text_chars == 20_000 and s.batch_max_items == 256
    assert s.rate_limit_per_minute > 0


def test_text_limit_cannot_exceed_the_cores() -> None:
    with pytest.raises(ValueError):
        Settings(_env_file=None, max_text_chars=20_001)


def test_serve_refuses_unsafe_production_settings_without_printing_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DETECTOR_ENVIRONMENT", "production")
    monkeypatch.setenv("DETECTOR_CORS_ORIGINS", "*")
    monkeypatch.setenv("DETECTOR_API_KEYS", "supersecret")
    monkeypatch.chdir(Path(__file__).parent)  # no .env here
    with pytest.raises(SystemExit) as exc:
        run_server()
    msg = str(exc.value)
    assert "not '*'" in msg and "at least 16" in msg and "supersecret" not in msg


def test_service_main_app_is_built_on_first_access_only(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import service.main as main

    monkeypatch.setattr(main, "_app", None)
    monkeypatch.setenv("DETECTOR_FEEDBACK_DB", str(tmp_path / "f.db"))
    app = main.app  # what `uvicorn service.main:app` imports
    assert app is main.app and app.state.settings.feedback_db == str(tmp_path / "f.db")
    assert not app.state.model.ready  # built, but the model is loaded only when it starts
    with pytest.raises(AttributeError):
        main.nothing_here  # noqa: B018


def test_serve_tells_its_workers_the_address_they_are_bound_to(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers build their settings from the environment; --host must reach them (it decides who may write
    feedback without a key), and uvicorn gets the protocol that answers malformed HTTP with JSON."""
    import uvicorn

    from service.http_protocol import JsonErrorHttpToolsProtocol

    seen: dict[str, object] = {}
    monkeypatch.setenv("DETECTOR_HOST", "127.0.0.1")  # restored after the test, whatever run_server sets
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: seen.update(kw, env_host=os.environ.get("DETECTOR_HOST")))
    monkeypatch.chdir(Path(__file__).parent)
    run_server(host="0.0.0.0", port=8123)
    assert seen["host"] == seen["env_host"] == "0.0.0.0" and seen["port"] == 8123
    assert seen["http"] is JsonErrorHttpToolsProtocol and Settings(_env_file=None).exposed
