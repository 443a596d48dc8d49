"""Service settings: environment variables (prefix ``DETECTOR_``) or a ``.env`` file.

List settings (``DETECTOR_CORS_ORIGINS``, ``DETECTOR_API_KEYS``, ``DETECTOR_ADMIN_KEYS``) take either a JSON
list or a comma-separated string. ``DETECTOR_ADMIN_KEY`` (one key) is accepted as well as ``..._KEYS``.
``environment="production"`` refuses unsafe values instead of silently running with them.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from detector.detector import CACHE_SIZE, MAX_TEXT_CHARS
from detector.ocr.images import MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS

#: Largest batch the schema admits whatever the settings say (the settings pick the real limit below it).
HARD_MAX_BATCH_ITEMS = 10_000
#: Shortest API key accepted in production.
MIN_KEY_CHARS = 16

_ORIGIN = re.compile(r"^(https?|chrome-extension|moz-extension|safari-web-extension)://[^/\s?#]+$")
_CHROME_ID = re.compile(r"^[a-p]{32}$")
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")

StrList = Annotated[list[str], NoDecode]


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

    # API keys (X-API-Key or Authorization: Bearer). No client keys = scoring is open.
    api_keys: StrList = Field(default_factory=list)
    admin_keys: StrList = Field(
        default_factory=list,
        validation_alias=AliasChoices("admin_keys", "DETECTOR_ADMIN_KEYS", "DETECTOR_ADMIN_KEY"),
    )

    # per key (or per client address without a key), per worker process; 0 turns it off
    rate_limit_per_minute: int = Field(default=1200, ge=0)
    rate_limit_burst: int = Field(default=120, ge=1)

    # input limits
    max_text_chars: int = Field(default=MAX_TEXT_CHARS, ge=1, le=MAX_TEXT_CHARS)
    batch_max_items: int = Field(default=256, ge=1, le=HARD_MAX_BATCH_ITEMS)
    #: Total characters of one batch: long, number-heavy posts cost up to ~30 µs of CPU per character.
    batch_max_chars: int = Field(default=1_000_000, ge=1)
    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    max_batch_body_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
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
    #: Recently scored posts remembered per worker, so a post a browser sees again is answered without
    #: scoring it again (about 3 KB each; 0 turns it off).
    score_cache_size: int = Field(default=CACHE_SIZE, ge=0, le=1_000_000)

    @field_validator("cors_origins", "api_keys", "admin_keys", mode="before")
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

    @model_validator(mode="after")
    def _safe_in_production(self) -> Settings:
        if self.environment != "production":
            return self
        problems = []
        if "*" in self.cors_origins:
            problems.append("cors_origins must list exact origins, not '*'")
        for origin in self.cors_origins:
            host = origin.split("://", 1)[-1].split(":")[0]
            if origin.startswith("http://") and host not in _LOCAL_HOSTS:
                problems.append(f"cors origin {origin} is plain http")
        short = [k for k in [*self.api_keys, *self.admin_keys] if len(k) < MIN_KEY_CHARS]
        if short:
            problems.append(f"API keys must be at least {MIN_KEY_CHARS} characters")
        if problems:
            raise ValueError("unsafe settings for environment=production: " + "; ".join(problems))
        return self

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
            "max_image_bytes": self.max_image_bytes,
            "max_image_pixels": self.max_image_pixels,
            "rate_limit_per_minute": self.rate_limit_per_minute,
        }
