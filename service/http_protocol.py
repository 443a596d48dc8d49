"""uvicorn's httptools protocol with the service's JSON error body for requests it cannot parse.

A request line or header that is not HTTP (``Content-Length: abc``, a bare LF, a header without a colon)
never reaches the app: uvicorn answers it with a plain-text 400 of its own. This protocol answers the same
400 with the documented body instead (``{"error": {"code": "bad_request", ...}, "request_id": ...}``) and
closes the connection, as uvicorn does. ``detector serve`` passes it to uvicorn as ``http=``.
"""

from __future__ import annotations

import uuid

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from service.errors import error_bytes

MESSAGE = "the request is not valid HTTP/1.1 (request line or a header such as Content-Length is malformed)"


class JsonErrorHttpToolsProtocol(HttpToolsProtocol):
    def send_400_response(self, msg: str) -> None:
        request_id = uuid.uuid4().hex
        body = error_bytes("bad_request", MESSAGE, request_id=request_id)
        head = [STATUS_LINE[400]]
        for name, value in self.server_state.default_headers:
            head.extend([name, b": ", value, b"\r\n"])
        head.extend([
            b"content-type: application/json\r\n",
            b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
            b"x-request-id: " + request_id.encode("ascii") + b"\r\n",
            b"x-content-type-options: nosniff\r\n",
            b"connection: close\r\n",
            b"\r\n",
        ])
        self.transport.write(b"".join(head) + body)
        self.transport.close()
