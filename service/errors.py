"""One error shape for every 4xx/5xx: ``{"error": {"code", "message", "field"?, "limit"?}, "request_id"}``.

Validation errors never echo the offending input back (it may be advert text).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

log = logging.getLogger("service")

_STATUS_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    406: "not_acceptable", 409: "conflict", 413: "body_too_large", 415: "unsupported_media_type",
    422: "invalid_value", 429: "rate_limited", 500: "internal_error", 503: "model_unavailable",
}


class ApiError(Exception):
    """Raise anywhere in a route or dependency; rendered as the error body with ``status``."""

    def __init__(self, status: int, code: str, message: str, *, field: str | None = None,
                 limit: str | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.field, self.limit, self.headers = field, limit, headers

    def detail(self) -> dict[str, Any]:
        return error_detail(self.code, self.message, self.field, self.limit)


def error_detail(code: str, message: str, field: str | None = None, limit: str | None = None) -> dict[str, Any]:
    d: dict[str, Any] = {"code": code, "message": message}
    if field is not None:
        d["field"] = field
    if limit is not None:
        d["limit"] = limit
    return d


def error_bytes(code: str, message: str, *, field: str | None = None, limit: str | None = None,
                request_id: str | None = None) -> bytes:
    body = {"error": error_detail(code, message, field, limit), "request_id": request_id}
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def _request_id(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


def error_response(request: Request, status: int, code: str, message: str, *, field: str | None = None,
                   limit: str | None = None, headers: dict[str, str] | None = None) -> Response:
    request.scope.setdefault("state", {})["error_code"] = code
    return Response(error_bytes(code, message, field=field, limit=limit, request_id=_request_id(request)),
                    status_code=status, media_type="application/json", headers=headers)


# -- validation errors -> one clear, machine-readable error ----------------------------------------------

_LIMIT_OF_FIELD = {"text": "max_text_chars", "items": "batch_max_items", "note": "max_note_chars"}
_TYPE_ERRORS = ("_type", "_parsing")


def _field(loc: tuple[Any, ...]) -> str | None:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    return ".".join(parts) or None


def describe_validation_error(err: dict[str, Any]) -> tuple[int, str, str, str | None, str | None]:
    """(status, code, message, field, limit) for one pydantic error (its ``input`` is never used)."""
    etype = str(err.get("type", ""))
    loc = tuple(err.get("loc", ()))
    field = _field(loc)
    ctx = err.get("ctx") or {}
    leaf = str(loc[-1]) if loc else ""
    name = field or "body"
    if etype == "json_invalid":
        return 400, "invalid_json", f"the request body is not valid JSON: {ctx.get('error', 'parse error')}", None, None
    if field is None and etype == "missing":
        return 422, "missing_body", "a JSON object body is required", None, None
    if field is None and (etype.endswith(_TYPE_ERRORS) or etype == "model_attributes_type"):
        return 422, "wrong_type", "the request body must be a JSON object", None, None
    if etype in ("string_too_long", "too_long"):
        limit = _LIMIT_OF_FIELD.get(leaf)
        n = ctx.get("max_length")
        # the input's type (never its value) says what was counted
        what = "items" if etype == "too_long" and not isinstance(err.get("input"), str) else "characters"
        if leaf == "text":
            return 422, "text_too_long", f"{name} is longer than {n} characters (limit max_text_chars)", field, limit
        if leaf == "items":
            return (422, "batch_too_large", f"{name} has more than {n} items (limit batch_max_items)",
                    field, limit)
        return 422, "too_long", f"{name} has more than {n} {what}", field, limit
    if etype == "string_too_short" and leaf == "text":
        return 422, "empty_text", f"{name} is empty", field, None
    if etype in ("string_too_short", "too_short"):
        return 422, "too_short", f"{name} is too short: {err.get('msg', '')}", field, None
    if etype == "missing":
        return 422, "missing_field", f"{name} is required", field, None
    if etype == "string_unicode":
        return 422, "invalid_unicode", f"{name} is not valid Unicode (unpaired surrogate)", field, None
    if etype.endswith(_TYPE_ERRORS):
        return 422, "wrong_type", f"{name}: {err.get('msg', 'wrong type')}", field, None
    if etype in ("empty_text", "invisible_text", "nul_byte", "invalid_unicode"):
        return 422, etype, f"{name} {err.get('msg', etype)}", field, None
    if etype in ("hash_mismatch", "text_required"):
        return 422, etype, f"{name}: {err.get('msg', etype)}", field, None
    # literal_error, string_pattern_mismatch, greater_than, value_error, ...
    return 422, "invalid_value", f"{name}: {err.get('msg', 'invalid value')}", field, None


def validation_error_response(request: Request, errors: list[dict[str, Any]]) -> Response:
    # report the most specific error first: limits before generic type errors
    ordered = sorted(errors, key=lambda e: 0 if "too_long" in str(e.get("type")) else 1)
    status, code, message, field, limit = describe_validation_error(ordered[0] if ordered else {})
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return error_response(request, status, code, message, field=field, limit=limit)


# -- handlers ---------------------------------------------------------------------------------------------

async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(request, exc.status, exc.code, exc.message, field=exc.field, limit=exc.limit,
                          headers=exc.headers)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return validation_error_response(request, list(exc.errors()))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    code = _STATUS_CODES.get(status, "error" if status >= 500 else "bad_request")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    if status == 404:
        message = "no such endpoint; see /docs"
    elif status == 405:
        message = f"method {request.method} is not allowed here"
    elif status == 400 and "parsing the body" in message:
        code, message = "invalid_json", "the request body could not be parsed as JSON"
    return error_response(request, status, code, message, headers=getattr(exc, "headers", None))


async def _unhandled(request: Request, exc: Exception) -> Response:
    # never reached by design; the traceback is logged without the request body
    log.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path,
              exc_info=exc, extra={"request_id": _request_id(request)})
    return error_response(request, 500, "internal_error", "internal error; it has been logged with the request id")


def install(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unhandled)
