"""Pure ASGI middleware: the Host allow-list, HEAD answered as GET, and the request body gate (body size
limits that hold for chunked uploads too, JSON-only, UTF-8-only POST bodies; image uploads:
multipart/form-data only, within their own limit). Errors use the service's error body and name the limit
that was hit."""

from __future__ import annotations

from collections.abc import Sequence

from starlette._utils import parse_host_header
from starlette.datastructures import Headers
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import error_bytes


class TrustedHostsMiddleware(TrustedHostMiddleware):
    """Starlette's Host allow-list (exact names, ``*.example.org``, or ``*``) with the JSON error body and
    no www redirect. A page on evil.example whose name an attacker re-points at 127.0.0.1 (DNS rebinding)
    sends ``Host: evil.example`` and is refused. Health checks answer whatever the Host, for probes that
    address the container by its IP."""

    def __init__(self, app: ASGIApp, allowed_hosts: Sequence[str],
                 exempt_paths: tuple[str, ...] = ("/healthz", "/readyz")) -> None:
        super().__init__(app, allowed_hosts=allowed_hosts, www_redirect=False)
        self.exempt_paths = exempt_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.allow_any or scope["type"] != "http" or scope["path"] in self.exempt_paths:
            await self.app(scope, receive, send)
            return
        parsed = parse_host_header(Headers(scope=scope).get("host"))
        host = parsed.host.lower() if parsed is not None else ""
        if any(host == p or (p.startswith("*.") and host.endswith(p[1:])) for p in self.allowed_hosts):
            await self.app(scope, receive, send)
            return
        await _Reject(400, "invalid_host", "the Host header names a host this service does not answer to "
                      "(limit allowed_hosts)", "allowed_hosts")(scope, receive, send)


class HeadAsGetMiddleware:
    """HEAD on a GET route gets the GET's status and headers without the body (FastAPI routes list GET
    only, so HEAD was 405). The access log still sees HEAD."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def no_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, no_body)

_BODY_METHODS = {"POST", "PUT", "PATCH"}
#: Room for the multipart envelope (boundaries, part headers, the small form fields) above the image.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


class BodyGateMiddleware:
    """Reads the whole body (counting bytes as they arrive, whatever Content-Length says), refuses it past
    the limit for its path, checks Content-Type and UTF-8, then replays it to the app."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, max_batch_body_bytes: int,
                 batch_paths: tuple[str, ...] = ("/v1/score/batch",), max_image_bytes: int = 10 * 1024 * 1024,
                 image_paths: tuple[str, ...] = ("/v1/score/image",)) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_batch_body_bytes = max_batch_body_bytes
        self.batch_paths = batch_paths
        self.max_image_bytes = max_image_bytes
        self.image_paths = image_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        upload = scope["path"] in self.image_paths
        if upload:
            limit, limit_name = self.max_image_bytes + MULTIPART_OVERHEAD_BYTES, "max_image_bytes"
        elif scope["path"] in self.batch_paths:
            limit, limit_name = self.max_batch_body_bytes, "max_batch_body_bytes"
        else:
            limit, limit_name = self.max_body_bytes, "max_body_bytes"
        headers = dict(scope.get("headers", []))

        def fail(status: int, code: str, message: str, limit: str | None = None) -> _Reject:
            return _Reject(status, code, message, limit)

        too_large = fail(413, "image_too_large" if upload else "body_too_large",
                         f"the request body is larger than {limit} bytes (limit {limit_name})", limit_name)
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                if int(declared) > limit:
                    await too_large(scope, receive, send)
                    return
            except ValueError:
                await fail(400, "bad_request", "invalid Content-Length header")(scope, receive, send)
                return

        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await too_large(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)

        if body and upload:
            mime = headers.get(b"content-type", b"").decode("latin-1").lower().partition(";")[0].strip()
            if mime != "multipart/form-data":
                await fail(415, "unsupported_media_type", "send the image as multipart/form-data with a field "
                           f"named image (got {mime or 'no Content-Type'})")(scope, receive, send)
                return
        elif body:
            ctype = headers.get(b"content-type", b"").decode("latin-1").lower()
            mime, _, params = ctype.partition(";")
            mime = mime.strip()
            if not (mime == "application/json" or (mime.startswith("application/") and mime.endswith("+json"))):
                await fail(415, "unsupported_media_type",
                           f"send the body as application/json (got {mime or 'no Content-Type'})")(scope, receive, send)
                return
            charset = params.partition("charset=")[2].strip().strip('"') if "charset=" in params else "utf-8"
            if charset not in ("utf-8", "utf8"):
                await fail(415, "unsupported_media_type",
                           f"JSON bodies must be UTF-8 (got charset={charset})")(scope, receive, send)
                return
            try:
                body.decode("utf-8")
            except UnicodeDecodeError as exc:
                msg = f"the request body is not valid UTF-8 (bad byte at offset {exc.start})"
                await fail(400, "invalid_encoding", msg)(scope, receive, send)
                return

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class _Reject:
    """A tiny ASGI JSON error response (sent from middleware, outside FastAPI's handlers)."""

    def __init__(self, status: int, code: str, message: str, limit: str | None) -> None:
        self.status, self.code, self.message, self.limit = status, code, message, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = scope.setdefault("state", {})
        state["error_code"] = self.code
        body = error_bytes(self.code, self.message, limit=self.limit, request_id=state.get("request_id"))
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        if self.status == 413:  # the rest of the upload is not read: do not reuse the connection
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
