"""The moderators' web page: ``/`` is service/static/index.html (a placeholder until it exists)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from starlette.responses import FileResponse, HTMLResponse, Response

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

router = APIRouter(include_in_schema=False)

_HEADERS = {"Cache-Control": "no-cache", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"}
_PLACEHOLDER = """<!doctype html><html lang="id"><head><meta charset="utf-8"><title>TPPO detector</title></head>
<body><h1>TPPO detector</h1><p>Layanan berjalan. Halaman moderator belum dipasang.
The service is running; the moderators' page is not installed. API: <a href="docs">/docs</a>.</p></body></html>
"""


@router.get("/")
async def index() -> Response:
    page = STATIC_DIR / "index.html"
    if page.is_file():
        return FileResponse(page, media_type="text/html; charset=utf-8", headers=_HEADERS)
    return HTMLResponse(_PLACEHOLDER, headers=_HEADERS)
