"""Service settings: environment variables (prefix ``DETECTOR_``) or a ``.env`` file.

List settings (``DETECTOR_CORS_ORIGINS``, ``DETECTOR_API_KEYS``, ``DETECTOR_ADMIN_KEYS``,
``DETECTOR_ALLOWED_HOSTS``) take either a JSON list or a comma-separated string. ``DETECTOR_ADMIN_KEY`` (one
key) is accepted as well as ``..._KEYS``. Keys shorter than :data:`MIN_KEY_CHARS` are refused in every
environment; ``environment="production"`` also refuses to run without client keys or a Host allow-list,
instead of silently running open.
"""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from detector.detector import CACHE_SIZE, MAX_TEXT_CHARS
from detector.ocr.images import MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS

#: Largest batch the schema admits whatever the settings say (the settings pick the real limit below it).
HARD_MAX_BATCH_ITEMS = 10_000
#: Shortest API key accepted (every environment): a short key is guessed, and guessing is only slowed down.
MIN_KEY_CHARS = 16
#: Host names a service bound to loopback answers to when ``allowed_hosts`` is not set.
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")

_ORIGIN = re.compile(r"^(https?|chrome-extension|moz-extension|safari-web-extension)://[^/\s?#]+$")
_CHROME_ID = re.compile(r"^[a-p]{32}$")
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")

StrList = Annotated[list[str], NoDecode]


def is_loopback(host: str | None) -> bool:
    """``127.0.0.1``, ``::1``, ``[::1]``, ``localhost``: only this machine can connect (``0.0.0.0`` cannot)."""
    if not host:
        return False
    host = host.strip().strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _split_list(value: Any) -> Any:
    """``'a, b'`` or ``'["a","b"]'`` -> ``["a", "b"]``; lists pass through; blanks are dropped."""
    if value is None:
        return []
    if isinstance(value, str):
        s = value.strip()
        if not s:
            return []
        if s.startswith("["):
            value = json.loads(s)
        else:
            value = s.split(",")
    if isinstance(value, (list, tuple, set)):
        return [str(v).strip() for v in value if str(v).strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="DETECTOR_", env_file=".env", env_file_encoding="utf-8", extra="ignore",
        validate_by_name=True, validate_by_alias=True,
    )

    environment: Literal["development", "production"] = "development"

    # server (`detector serve` flags override these)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    forwarded_allow_ips: str = Field(default="127.0.0.1", description="Proxies whose X-Forwarded-For is trusted.")

    # model: a models folder, manifest or bundle file; None = the shipped model (Detector.load())
    model_path: str | None = None

    # feedback store: a SQLite file (WAL mode) unless a full SQLAlchemy URL is given
    feedback_db: str = "feedback.db"
    database_url: str | None = Field(default=None, description="Any SQLAlchemy URL, e.g. postgresql+psycopg://...")

    # browser clients: exact origins, e.g. https://mod.example.org, chrome-extension://<32-letter id>
    cors_origins: StrList = Field(default_factory=list)

    # Host header allow-list (DNS rebinding): exact names or "*.example.org"; "*" = any (not in production).
    # Empty = loopback names only, or any host when bound beyond loopback in development (with a warning).
    allowed_hosts: StrList = Field(default_factory=list)

    # API keys (X-API-Key or Authorization: Bearer). No client keys = scoring is open, and feedback is
    # writable without a key only from this machine while bound to loopback.
    api_keys: StrList = Field(default_factory=list)
    admin_keys: StrList = Field(
        default_factory=list,
        validation_alias=AliasChoices("admin_keys", "DETECTOR_ADMIN_KEYS", "DETECTOR_ADMIN_KEY"),
    )

    # per key (or per client address without a key), per worker process; 0 turns it off
    rate_limit_per_minute: int = Field(default=1200, ge=0)
    rate_limit_burst: int = Field(default=120, ge=1)
    #: Failed authentications per client address per minute (bursts of as many); past it, every request
    #: from that address gets 429 until the bucket refills, right key or not. 0 turns it off.
    auth_failures_per_minute: int = Field(default=10, ge=0)
    #: Feedback rows one key (or address) may write per hour, in bursts of up to ``feedback_burst``.
    feedback_per_hour: int = Field(default=600, ge=0)
    feedback_burst: int = Field(default=60, ge=1)
    #: Characters one key (or address) may have scored per minute, per worker; a request may use up to
    #: ``batch_max_chars`` at once when its bucket is full. Bounds the CPU one client takes. 0 turns it off.
    score_chars_per_minute: int = Field(default=2_000_000, ge=0)

    # input limits
    max_text_chars: int = Field(default=MAX_TEXT_CHARS, ge=1, le=MAX_TEXT_CHARS)
    batch_max_items: int = Field(default=256, ge=1, le=HARD_MAX_BATCH_ITEMS)
    #: Total characters of one batch: hostile posts cost up to ~3.5 µs of CPU per character (a 1M-character
    #: batch: ~3.5 s of one core; benchmarks/bench_abuse.py).
    batch_max_chars: int = Field(default=1_000_000, ge=1)
    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    max_batch_body_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    #: Largest response body: a batch whose records would exceed it answers the first ones and gives the
    #: rest the per-item error ``response_too_large`` (money amounts are not capped in the record).
    max_response_bytes: int = Field(default=4 * 1024 * 1024, ge=64 * 1024)
    #: POST /v1/score/image: largest image file, most pixels (checked from the header, before decoding),
    #: and images read at once per worker (each is a Tesseract process of 1-2 s of CPU and ~100-300 MB).
    max_image_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=MAX_IMAGE_BYTES)
    max_image_pixels: int = Field(default=MAX_IMAGE_PIXELS, ge=10_000, le=MAX_IMAGE_PIXELS)
    ocr_concurrency: int = Field(default=2, ge=1, le=64)

    # operations
    access_log: bool = True
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"
    docs_enabled: bool = True
    #: How single posts are scored: "batched" (event loop, concurrent posts share one model call),
    #: "inline" (event loop, one call each) or "threadpool" (what a plain `def` endpoint does). See scoring.py.
    scoring: Literal["batched", "inline", "threadpool"] = "batched"
    #: BLAS/OpenMP threads per worker process (0 = leave the libraries' default: one per core).
    inference_threads: int = Field(default=1, ge=0, le=64)
    #: Most posts per model call, for micro-batches and for chunks of a client's batch.
    score_chunk: int = Field(default=32, ge=1, le=1024)
    #: Most characters per model call (at least one post): bounds how long a client waits behind another's
    #: batch (one call; ~3.5 ms per 1,000 hostile characters) and the memory one call needs.
    score_chunk_chars: int = Field(default=MAX_TEXT_CHARS, ge=1000)
    #: Characters waiting to be scored in one worker, all clients together; past it new work gets
    #: 503 ``overloaded`` (bounded memory whatever the number of keys or addresses).
    score_queue_max_chars: int = Field(default=4_000_000, ge=1)
    #: Recently scored posts remembered per worker, so a post a browser sees again is answered without
    #: scoring it again (about 3 KB each; 0 turns it off).
    score_cache_size: int = Field(default=CACHE_SIZE, ge=0, le=1_000_000)

    @field_validator("cors_origins", "api_keys", "admin_keys", "allowed_hosts", mode="before")
    @classmethod
    def _lists(cls, v: Any) -> Any:
        return _split_list(v)

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, v: list[str]) -> list[str]:
        out = []
        for origin in v:
            origin = origin.rstrip("/")
            if origin != "*" and not _ORIGIN.match(origin):
                raise ValueError(f"CORS origin {origin!r} must be scheme://host[:port] with no path, or '*'")
            if origin.startswith("chrome-extension://") and not _CHROME_ID.match(origin.split("://", 1)[1]):
                raise ValueError(f"CORS origin {origin!r}: a Chrome extension id is 32 letters a-p")
            out.append(origin)
        return out

    @field_validator("allowed_hosts")
    @classmethod
    def _hosts(cls, v: list[str]) -> list[str]:
        out = []
        for host in v:
            host = host.lower()
            if "*" in host[1:] or (host.startswith("*") and host != "*" and not host.startswith("*.")):
                raise ValueError(f"allowed host {host!r}: a wildcard must be like '*.example.org'")
            out.append(host)
        return out

    @model_validator(mode="after")
    def _safe(self) -> Settings:
        """Short keys are refused everywhere; production also refuses to run open or with loose values."""
        problems = []
        short = [k for k in [*self.api_keys, *self.admin_keys] if len(k) < MIN_KEY_CHARS]
        if short:
            problems.append(f"API keys must be at least {MIN_KEY_CHARS} characters ({len(short)} shorter)")
        if self.environment == "production":
            if not self.api_keys:
                problems.append("api_keys must be set: without client keys anyone can score and write feedback")
            if not self.allowed_hosts:
                problems.append("allowed_hosts must list the host names clients use (e.g. mod.example.org)")
            elif "*" in self.allowed_hosts:
                problems.append("allowed_hosts must list exact names, not '*'")
            if "*" in self.cors_origins:
                problems.append("cors_origins must list exact origins, not '*'")
            for origin in self.cors_origins:
                host = origin.split("://", 1)[-1].split(":")[0]
                if origin.startswith("http://") and host not in _LOCAL_HOSTS:
                    problems.append(f"cors origin {origin} is plain http")
        if problems:
            where = " for environment=production" if self.environment == "production" else ""
            raise ValueError(f"unsafe settings{where}: " + "; ".join(problems))
        return self

    @property
    def exposed(self) -> bool:
        """Bound beyond loopback (``0.0.0.0``, a LAN address): other machines can connect directly."""
        return not is_loopback(self.host)

    def trusted_hosts(self) -> list[str]:
        """The Host allow-list in force: the configured one; else loopback names (and the bound address);
        else, bound to every interface in development, any host."""
        if self.allowed_hosts:
            return list(self.allowed_hosts)
        if self.exposed and self.host in ("0.0.0.0", "::", ""):
            return ["*"]
        names = list(LOOPBACK_NAMES)
        host = self.host.strip("[]").lower()
        host = f"[{host}]" if ":" in host else host  # an IPv6 address is bracketed in a Host header
        if host not in names:
            names.append(host)
        return names

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.feedback_db}"

    def limits(self) -> dict[str, int]:
        return {
            "max_text_chars": self.max_text_chars,
            "batch_max_items": self.batch_max_items,
            "batch_max_chars": self.batch_max_chars,
            "max_body_bytes": self.max_body_bytes,
            "max_batch_body_bytes": self.max_batch_body_bytes,
            "max_response_bytes": self.max_response_bytes,
            "max_image_bytes": self.max_image_bytes,
            "max_image_pixels": self.max_image_pixels,
            "rate_limit_per_minute": self.rate_limit_per_minute,
            "score_chars_per_minute": self.score_chars_per_minute,
        }
