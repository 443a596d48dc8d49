"""Builds the FastAPI app (``create_app``) and runs it (``run_server``, behind ``detector serve``).

Nothing expensive happens at import: the model is loaded and verified in the lifespan of each worker.
``service.main:app`` exists for ``uvicorn service.main:app`` and is built on first access.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from pydantic import ValidationError
from starlette.staticfiles import StaticFiles

from detector import __version__
from service import errors
from service.core.config import Settings
from service.db import Database
from service.deps import ModelState
from service.logging import AccessLogMiddleware, configure_logging
from service.middleware import BodyGateMiddleware, HeadAsGetMiddleware, TrustedHostsMiddleware
from service.ratelimit import RateLimiter
from service.routes import feedback, health, image, indicators, model, pages, score
from service.routes.pages import STATIC_DIR
from service.scoring import Scorer

log = logging.getLogger("service")

#: Scored once after loading: a bundle that verifies but cannot score never becomes ready.
CANARY = "Dicari admin CS di Kamboja, gaji 15 juta/bulan, tanpa pengalaman, tiket ditanggung. Minat japri."


def load_model(settings: Settings) -> ModelState:
    """Load and verify the bundle (SHA-256 against its manifest, then a canary score); never raises."""
    from detector import Detector
    from detector.bundle import BundleError

    try:
        det = Detector.load(settings.model_path, cache_size=settings.score_cache_size)
        det.score(CANARY)
    except BundleError as exc:
        log.error("model refused: %s", exc, extra={"event": "model_refused"})
        return ModelState(error=str(exc))
    except Exception as exc:  # a verified file that cannot score is as useless as a tampered one
        log.error("model failed its self-test: %r", exc, extra={"event": "model_refused"})
        detail = str(exc)[:200]
        return ModelState(error=f"the model failed its self-test ({type(exc).__name__}: {detail}); "
                                "was it trained with another version of the detector?")
    state = ModelState(detector=det, error=None, sha256=det.bundle.sha256, file=det.bundle.path.name,
                       loaded_at=datetime.now(UTC))
    log.info("model ready", extra={"event": "model_ready", "model_version": det.version,
                                   "sha256": state.sha256, "file": state.file})
    return state


def skip_sklearn_validation() -> None:
    """Inference only: skip scikit-learn's per-call input and parameter validation. A thread-local config:
    called on the scoring thread (and the loop thread, for the ``inline`` mode)."""
    try:
        import sklearn

        sklearn.set_config(assume_finite=True, skip_parameter_validation=True)
    except Exception:  # pragma: no cover - older scikit-learn
        pass


def _limit_native_threads(threads: int) -> None:
    """Keep BLAS/OpenMP to ``threads`` per worker: N workers each spinning one BLAS thread per core fight
    over the same cores."""
    if threads > 0:
        try:
            from threadpoolctl import threadpool_limits

            threadpool_limits(limits=threads)
        except Exception:  # pragma: no cover - threadpoolctl ships with scikit-learn
            pass


def freeze_heap() -> None:
    """Move everything loaded so far (the model: scikit-learn trees, the indicator registry) out of the
    garbage collector's reach. A full collection otherwise walks all of it and holds the GIL 100-140 ms
    at a time while a hostile batch allocates (6,000+ hits per post), stalling /healthz on the loop thread;
    frozen, the loop's worst stall during such a batch fell from 141 to 19 ms (in-process probe)."""
    gc.collect()
    gc.freeze()


def warn_if_exposed(settings: Settings) -> None:
    """A loud start-up warning when other machines can connect and nothing needs a key."""
    if settings.exposed and not settings.api_keys:
        log.warning(
            "WARNING: bound to %s, beyond loopback, with no client keys: anyone who can reach this port can "
            "score posts%s. Feedback needs a key from other machines and is refused without one. Set "
            "DETECTOR_API_KEYS (and DETECTOR_ALLOWED_HOSTS), or bind to 127.0.0.1 behind a TLS proxy "
            "(service/README.md, Deploying).", settings.host,
            " (any Host header is accepted)" if settings.trusted_hosts() == ["*"] else "",
            extra={"event": "exposed_without_keys", "host": settings.host})


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    log.info("service starting", extra={
        "event": "starting", "environment": settings.environment, "scoring": settings.scoring,
        "cors_origins": settings.cors_origins, "api_keys": len(settings.api_keys),
        "admin_keys": len(settings.admin_keys), "database": "sqlite" if settings.database_url is None else "url",
        "limits": settings.limits(),
    })
    warn_if_exposed(settings)
    db = Database(settings.db_url)
    db.create_tables()
    app.state.db = db
    app.state.limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)
    app.state.char_limiter = RateLimiter(settings.score_chars_per_minute,
                                         max(settings.batch_max_chars, settings.max_text_chars))
    app.state.feedback_limiter = RateLimiter(settings.feedback_per_hour / 60, settings.feedback_burst)
    app.state.auth_failures = RateLimiter(settings.auth_failures_per_minute, settings.auth_failures_per_minute)
    skip_sklearn_validation()
    _limit_native_threads(settings.inference_threads)
    state = load_model(settings)
    app.state.model = state
    freeze_heap()
    scorer = None
    if state.detector is not None:
        scorer = Scorer(state.detector, mode=settings.scoring, max_batch=settings.score_chunk,
                        max_chars=settings.score_chunk_chars, max_queued_chars=settings.score_queue_max_chars,
                        thread_setup=skip_sklearn_validation)
        await scorer.start()
    app.state.scorer = scorer
    try:
        yield
    finally:
        if scorer is not None:
            await scorer.stop()
        db.dispose()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings if settings is not None else Settings()
    configure_logging(settings.log_level)
    app = FastAPI(
        title="TPPO detector",
        summary="Scores Indonesian job adverts for human-trafficking (TPPO) recruitment risk and explains why.",
        version=__version__,
        lifespan=lifespan,
        docs_url="/docs" if settings.docs_enabled else None,
        redoc_url=None,
        openapi_url="/openapi.json" if settings.docs_enabled else None,
    )
    _document_limits(app, settings)
    app.state.settings = settings
    app.state.model = ModelState()
    app.state.scorer = None
    errors.install(app)
    for r in (score.router, image.router, indicators.router, model.router, feedback.router, health.router,
              pages.router):
        app.include_router(r)
    if STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    # added innermost first: the access log wraps everything, CORS headers reach every error
    app.add_middleware(BodyGateMiddleware, max_body_bytes=settings.max_body_bytes,
                       max_batch_body_bytes=settings.max_batch_body_bytes, max_image_bytes=settings.max_image_bytes)
    app.add_middleware(HeadAsGetMiddleware)
    app.add_middleware(TrustedHostsMiddleware, allowed_hosts=settings.trusted_hosts())
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "X-API-Key", "Authorization", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After", "X-RateLimit-Limit"],
            allow_credentials=False,
            max_age=600,
        )
    app.add_middleware(AccessLogMiddleware, enabled=settings.access_log)
    return app


def _document_limits(app: FastAPI, settings: Settings) -> None:
    """The OpenAPI schema states this deployment's limits, not only the core's hard ones."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, summary=app.summary, routes=app.routes)
            comps = schema.get("components", {}).get("schemas", {})
            for name in ("ScoreRequest", "FeedbackCreate"):
                text = comps.get(name, {}).get("properties", {}).get("text", {})
                for variant in [text, *text.get("anyOf", [])]:
                    if "maxLength" in variant:
                        variant["maxLength"] = settings.max_text_chars
            items = comps.get("BatchRequest", {}).get("properties", {}).get("items", {})
            if "maxItems" in items:
                items["maxItems"] = settings.batch_max_items
                items["description"] = (f"At most {settings.batch_max_items} items (batch_max_items) and "
                                        f"{settings.batch_max_chars} characters of text in all (batch_max_chars).")
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _settings_or_exit(**overrides: Any) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:  # print the problems, never the values (they may be keys)
        lines = [f"  {'.'.join(str(p) for p in e['loc']) or 'settings'}: {e['msg']}" for e in exc.errors()]
        raise SystemExit("invalid service settings (DETECTOR_* environment or .env):\n" + "\n".join(lines)) from None


def run_server(host: str | None = None, port: int | None = None, workers: int | None = None) -> None:
    """``detector serve``: uvicorn with uvloop + httptools; each worker builds the app from the same
    environment and loads and verifies the model itself."""
    import uvicorn

    from service.http_protocol import JsonErrorHttpToolsProtocol

    overrides = {k: v for k, v in {"host": host, "port": port, "workers": workers}.items() if v is not None}
    settings = _settings_or_exit(**overrides)
    # each worker builds its settings from the environment: it must know the address it is bound to
    os.environ["DETECTOR_HOST"] = settings.host
    uvicorn.run(
        "service.main:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        loop="uvloop",
        http=JsonErrorHttpToolsProtocol,
        access_log=False,  # service.logging writes one structured line per request instead
        log_level=settings.log_level,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        server_header=False,
    )


_app: FastAPI | None = None


def __getattr__(name: str) -> Any:
    """``service.main:app``, built from the environment on first use (not at import)."""
    global _app
    if name == "app":
        if _app is None:
            _app = create_app()
        return _app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":  # pragma: no cover
    run_server()
    sys.exit(0)
