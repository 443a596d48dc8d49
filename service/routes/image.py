"""POST /v1/score/image: a poster advert sent as an image, read with Tesseract and scored like a text.

The record is the text record plus ``ocr`` (the text read, mean confidence, engine and version, image
size) and ``boxes`` / ``counter_boxes`` (each evidence item's boxes on the image). The request passes
the same middleware as a text (Host allow-list, rate limit, body gate) and, once read, its text the
same path: the text rules, the client's ``score_chars_per_minute`` budget, the scoring thread's fair
queue (``scoring.py``; the record is rendered there too) and ``max_response_bytes``.

Limits of the image itself: the body gate refuses a body over ``max_image_bytes`` (plus the multipart
envelope) before it is parsed; the image's format is checked by content and its pixel count
(``max_image_pixels``) from its header, before a pixel is decoded; at most ``ocr_concurrency`` images
are read at once per worker, each in its own Tesseract process with a time limit, off the event loop."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response

from detector import ScoreResult
from detector.ocr import MODES, ImageError, ImageLimits, Reading, read_image, with_image
from detector.validation import text_problem
from service.core.config import Settings
from service.deps import ClientDep, ScorerDep, SettingsDep, charge_characters
from service.errors import ApiError
from service.routes import ERROR_RESPONSES, json_bytes
from service.routes.score import submit, too_large_message
from service.schemas import MAX_ID_CHARS

router = APIRouter(prefix="/v1", tags=["score"], responses=ERROR_RESPONSES)

#: HTTP status of each :class:`ImageError` code.
IMAGE_ERROR_STATUS = {"unreadable_image": 422, "unsupported_format": 415, "image_too_large": 413,
                      "no_text_found": 422, "ocr_failed": 422, "ocr_unavailable": 503}
_LIMIT_OF_CODE = {"image_too_large": "max_image_bytes / max_image_pixels"}

_FORM_SCHEMA = {
    "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["image"], "additionalProperties": False,
        "properties": {
            "image": {"type": "string", "format": "binary", "description": "PNG, JPEG or WebP"},
            "id": {"type": "string", "maxLength": MAX_ID_CHARS},
            "lang": {"type": "string", "enum": ["id", "en"], "description": "language of reasons (default both)"},
            "explain": {"type": "boolean", "default": True},
            "preprocess": {"type": "string", "enum": list(MODES), "default": "grey"},
        }}}}},
}


async def _form(request: Request) -> FormData:
    try:
        return await request.form(max_files=1, max_fields=8, max_part_size=64 * 1024)
    except AssertionError as exc:  # Starlette's way of saying python-multipart is not installed
        raise ApiError(503, "ocr_unavailable", "image uploads need python-multipart: "
                       "pip install 'tppo-detector[ocr]'") from exc
    except Exception as exc:  # noqa: BLE001 - MultiPartException and parser errors: a malformed body
        raise ApiError(400, "invalid_multipart", f"the multipart body cannot be parsed: {exc}") from None


#: The form's fields (the schema below lists them and admits no other).
_FIELDS = ("image", "id", "lang", "explain", "preprocess")


def _field(form: FormData, name: str, choices: tuple[str, ...] | None = None, max_chars: int = 64) -> str | None:
    value = form.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ApiError(422, "wrong_type", f"{name} must be a text field, not a file", field=name)
    if len(value) > max_chars:
        raise ApiError(422, "too_long", f"{name} is longer than {max_chars} characters", field=name)
    if choices is not None and value not in choices:
        raise ApiError(422, "invalid_value", f"{name} must be one of {', '.join(choices)}", field=name)
    return value


def _slots(request: Request, settings: Settings) -> asyncio.Semaphore:
    slots: asyncio.Semaphore | None = getattr(request.app.state, "ocr_slots", None)
    if slots is None:
        slots = request.app.state.ocr_slots = asyncio.Semaphore(settings.ocr_concurrency)
    return slots


def _checked_text(reading: Reading, settings: Settings) -> str:
    """The text read, if the core accepts it (the text rules of ``/v1/score``), else 422 ``invalid_text``."""
    problem = text_problem(reading.text, max_chars=settings.max_text_chars)
    if problem is not None:
        limit = "max_text_chars" if problem[0] == "too_long" else None
        raise ApiError(422, "invalid_text", f"the text read from the image cannot be scored: {problem[1]}",
                       field="image", limit=limit)
    return reading.text


@router.post("/score/image", summary="Score a poster advert (image)", openapi_extra=_FORM_SCHEMA,
             responses={200: {"description": "The score record plus `ocr`, `boxes` and `counter_boxes`"}})
async def score_poster(request: Request, scorer: ScorerDep, settings: SettingsDep, principal: ClientDep) -> Response:
    """Read the text on a PNG, JPEG or WebP poster with Tesseract and score it. Evidence offsets point into
    `ocr.text`; `boxes[i]` holds the boxes (pixels of the image as decoded, EXIF orientation applied) of
    `evidence[i]`."""
    form = await _form(request)
    upload = form.get("image")
    if not isinstance(upload, UploadFile):  # first: a misnamed file field is best told this
        raise ApiError(422, "missing_field", "image is required: send the file in a multipart field named image",
                       field="image")
    unknown = sorted(set(form.keys()) - set(_FIELDS))
    if unknown:
        raise ApiError(422, "unknown_field", f"unknown form field {unknown[0]!r} (fields: {', '.join(_FIELDS)})",
                       field=unknown[0][:64])
    item_id = _field(form, "id", max_chars=MAX_ID_CHARS)
    lang = _field(form, "lang", ("id", "en"))
    explain = _field(form, "explain", ("true", "false", "1", "0")) in (None, "true", "1")
    mode: Any = _field(form, "preprocess", MODES) or "grey"
    data = await upload.read()
    limits = ImageLimits(max_bytes=settings.max_image_bytes, max_pixels=settings.max_image_pixels)
    async with _slots(request, settings):
        try:
            reading = await run_in_threadpool(read_image, data, mode, limits)
        except ImageError as exc:
            raise ApiError(IMAGE_ERROR_STATUS.get(exc.code, 422), exc.code, str(exc), field="image",
                           limit=_LIMIT_OF_CODE.get(exc.code)) from None
    text = _checked_text(reading, settings)
    charge_characters(request, principal, len(text))

    def render(result: ScoreResult) -> bytes:  # runs on the scoring thread
        return json_bytes(with_image(result, reading, mode).to_dict(lang=lang, explain=explain))

    [future] = submit(scorer, principal, [text], [item_id], render)
    out: bytes = await future
    if len(out) > settings.max_response_bytes:
        raise ApiError(422, "response_too_large", too_large_message(len(out), settings.max_response_bytes),
                       field="image", limit="max_response_bytes")
    return Response(out, media_type="application/json")
