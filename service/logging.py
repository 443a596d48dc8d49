"""Structured JSON logs: one access line per request (request id, method, path, status, duration).
Bodies and query strings are never logged: advert text must not end up in log files."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "x-request-id"
_CLIENT_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,64}$")
_MAX_PATH = 200

access_log = logging.getLogger("service.access")
_RESERVED = set(vars(logging.makeLogRecord({})))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "pid": record.process,
            "msg": record.getMessage(),
        }
        for k, v in vars(record).items():
            if k not in _RESERVED and k not in out and not k.startswith("_"):
                out[k] = v
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def configure_logging(level: str = "info") -> None:
    """JSON lines on stderr for the ``service`` loggers (idempotent)."""
    logger = logging.getLogger("service")
    logger.setLevel(level.upper())
    if not any(getattr(h, "_service_json", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        handler._service_json = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.propagate = False


def new_request_id(headers: list[tuple[bytes, bytes]]) -> str:
    for k, v in headers:
        if k == b"x-request-id":
            try:
                rid = v.decode("ascii")
            except UnicodeDecodeError:
                break
            if _CLIENT_ID.match(rid):
                return rid
            break
    return uuid.uuid4().hex


class AccessLogMiddleware:
    """Outermost middleware: assigns the request id (client's ``X-Request-ID`` if sane, else a new one),
    returns it in the response header, and logs one JSON line when the response is finished."""

    def __init__(self, app: ASGIApp, enabled: bool = True) -> None:
        self.app = app
        self.enabled = enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        rid = new_request_id(scope.get("headers", []))
        state = scope.setdefault("state", {})
        state["request_id"] = rid
        status = 0
        sent = 0

        async def send_wrapper(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode("ascii")),
                                      (b"x-content-type-options", b"nosniff")]
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except BaseException:
            status = status or 500
            raise
        finally:
            if self.enabled:
                client = scope.get("client")
                path = scope.get("path", "")
                access_log.info("access", extra={
                    "event": "access",
                    "request_id": rid,
                    "method": scope.get("method"),
                    "path": path if len(path) <= _MAX_PATH else path[:_MAX_PATH] + "…",
                    "status": status,
                    "duration_ms": round((time.perf_counter() - start) * 1000, 3),
                    "bytes_out": sent,
                    "client": client[0] if client else None,
                    "key_id": state.get("key_id"),
                    "error_code": state.get("error_code"),
                })
