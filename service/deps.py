"""Typed dependencies. All but the database session are ``async`` so FastAPI does not hop to the thread
pool for them, and each takes only the request (no nested ``Depends``): on the scoring path every
dependency FastAPI has to solve costs more than the check itself."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from detector import Detector
from service.core.config import Settings, is_loopback
from service.db import Database
from service.errors import ApiError
from service.ratelimit import RateLimiter
from service.scoring import Scorer

Role = Literal["anonymous", "client", "admin"]


@dataclass
class ModelState:
    """What the lifespan found: a verified detector, or why there is none."""

    detector: Detector | None = None
    error: str | None = "the model is not loaded yet"
    sha256: str | None = None
    file: str | None = None
    loaded_at: datetime | None = None

    @property
    def ready(self) -> bool:
        return self.detector is not None


@dataclass(frozen=True)
class Principal:
    role: Role
    key_id: str | None = None  # first 12 hex of the key's SHA-256; the key itself is never stored or logged
    #: whose budgets this request spends: the key id, or ``addr:<client address>`` without a key
    bucket: str = "addr:?"


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_model_state(request: Request) -> ModelState:
    state: ModelState = request.app.state.model
    return state


ModelStateDep = Annotated[ModelState, Depends(get_model_state)]


def _unavailable(state: ModelState) -> ApiError:
    return ApiError(503, "model_unavailable", f"the model is not available: {state.error}",
                    headers={"Retry-After": "30"})


async def get_detector(request: Request) -> Detector:
    state: ModelState = request.app.state.model
    if state.detector is None:
        raise _unavailable(state)
    return state.detector


DetectorDep = Annotated[Detector, Depends(get_detector)]


async def get_scorer(request: Request) -> Scorer:
    state: ModelState = request.app.state.model
    scorer: Scorer | None = getattr(request.app.state, "scorer", None)
    if scorer is None or state.detector is None:
        raise _unavailable(state)
    return scorer


ScorerDep = Annotated[Scorer, Depends(get_scorer)]


def get_db(request: Request) -> Iterator[Session]:
    db: Database = request.app.state.db
    with db.session() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_db)]


# -- API keys ---------------------------------------------------------------------------------------------

def key_id(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()[:12]


def _presented_key(request: Request) -> str | None:
    key = request.headers.get("x-api-key")
    if key is None:
        auth = request.headers.get("authorization", "")
        scheme, _, token = auth.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            key = token.strip()
    return key


def _matches(key: str, keys: list[str]) -> bool:
    k = key.encode("utf-8", "replace")
    found = False
    for candidate in keys:  # compare with every key, in constant time each
        found |= hmac.compare_digest(k, candidate.encode("utf-8"))
    return found


_WWW_AUTH = {"WWW-Authenticate": 'ApiKey header="X-API-Key"'}


def client_address(request: Request) -> str:
    """The peer's address (after uvicorn applied X-Forwarded-For from a proxy in FORWARDED_ALLOW_IPS)."""
    return request.client.host if request.client else "?"


def _too_many(limiter: RateLimiter, wait: float, what: str, limit: str, quota: int) -> ApiError:
    retry = limiter.retry_after(wait)
    return ApiError(429, "rate_limited", f"{what} (limit {limit}); retry after {retry} s", limit=limit,
                    headers={"Retry-After": retry, "X-RateLimit-Limit": str(quota)})


def authenticate(request: Request, settings: Settings) -> Principal:
    """No client keys configured: scoring is open (anonymous). Keys configured: a valid one is required.
    Admin keys are valid client keys too. A wrong key is refused, unless no key at all is configured.
    Wrong keys are counted per address: past ``auth_failures_per_minute`` the address gets 429 for every
    key, right or wrong, until its bucket refills (so guessing cannot go on, and learns nothing)."""
    key = _presented_key(request)
    address = client_address(request)
    if key is not None and not settings.api_keys and not settings.admin_keys:
        key = None  # an open service: a key the client happens to send changes nothing
    if key is None:
        if settings.api_keys:
            raise ApiError(401, "missing_api_key", "this service needs an API key (X-API-Key header)",
                           headers=_WWW_AUTH)
        return Principal("anonymous", bucket=f"addr:{address}")
    failures: RateLimiter = request.app.state.auth_failures
    wait = failures.blocked(address)
    if wait > 0:
        raise _too_many(failures, wait, "too many requests with a wrong API key from this address",
                        "auth_failures_per_minute", settings.auth_failures_per_minute)
    if _matches(key, settings.admin_keys):
        principal = Principal("admin", key_id(key), bucket=key_id(key))
    elif _matches(key, settings.api_keys):
        principal = Principal("client", key_id(key), bucket=key_id(key))
    else:
        failures.hit(address)
        raise ApiError(401, "invalid_api_key", "the API key is not valid", headers=_WWW_AUTH)
    request.scope.setdefault("state", {})["key_id"] = principal.key_id
    return principal


def _client(request: Request, settings: Settings) -> Principal:
    principal = authenticate(request, settings)
    limiter: RateLimiter = request.app.state.limiter
    wait = limiter.hit(principal.bucket)
    if wait > 0:
        raise _too_many(limiter, wait, f"rate limit of {settings.rate_limit_per_minute} requests per minute "
                        "exceeded", "rate_limit_per_minute", settings.rate_limit_per_minute)
    return principal


def charge_characters(request: Request, principal: Principal, chars: int) -> None:
    """Spend ``chars`` of the principal's ``score_chars_per_minute`` budget, or 429."""
    limiter: RateLimiter = request.app.state.char_limiter
    wait = limiter.hit(principal.bucket, cost=chars)
    if wait > 0:
        per_minute = request.app.state.settings.score_chars_per_minute
        raise _too_many(limiter, wait, f"this client may have {per_minute} characters scored per minute",
                        "score_chars_per_minute", per_minute)


async def require_client(request: Request) -> Principal:
    """Authenticated (or open) and within the rate limit of its key, or of its address without a key."""
    return _client(request, request.app.state.settings)


ClientDep = Annotated[Principal, Depends(require_client)]


def local_request(request: Request, settings: Settings) -> bool:
    """Bound to loopback and asked from this machine (a proxy's X-Forwarded-For counts as the client)."""
    return is_loopback(settings.host) and is_loopback(client_address(request))


async def require_writer(request: Request) -> Principal:
    """Who may add training data: a key, unless no client key is configured and the request is local
    (the service bound to loopback, the client on this machine). Then the feedback quota of the key or
    address."""
    settings: Settings = request.app.state.settings
    principal = _client(request, settings)
    if principal.role == "anonymous" and not local_request(request, settings):
        if not settings.admin_keys:
            raise ApiError(403, "feedback_disabled",
                           "feedback from beyond this machine needs an API key, and the service has none "
                           "(DETECTOR_API_KEYS)")
        raise ApiError(401, "missing_api_key", "feedback from beyond this machine needs an API key "
                       "(X-API-Key header)", headers=_WWW_AUTH)
    quota: RateLimiter = request.app.state.feedback_limiter
    wait = quota.hit(principal.bucket)
    if wait > 0:
        raise _too_many(quota, wait, f"feedback quota of {settings.feedback_per_hour} rows per hour exceeded",
                        "feedback_per_hour", settings.feedback_per_hour)
    return principal


WriterDep = Annotated[Principal, Depends(require_writer)]


async def require_admin(request: Request) -> Principal:
    """An admin key; with no key configured at all, a local request in development (see
    :func:`local_request`) and nobody else."""
    settings: Settings = request.app.state.settings
    principal = _client(request, settings)
    if principal.role == "admin":
        return principal
    if not settings.admin_keys:
        if settings.environment == "development" and not settings.api_keys and local_request(request, settings):
            return principal  # nothing configured: open, for local development on this machine only
        raise ApiError(403, "admin_disabled", "no admin key is configured (DETECTOR_ADMIN_KEYS)")
    if principal.role == "anonymous":
        raise ApiError(401, "missing_api_key", "this endpoint needs an admin API key (X-API-Key header)",
                       headers=_WWW_AUTH)
    raise ApiError(403, "forbidden", "this endpoint needs an admin API key")


AdminDep = Annotated[Principal, Depends(require_admin)]
