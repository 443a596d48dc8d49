"""POST /v1/score and /v1/score/batch.

Each request is bounded: its characters are charged to the client's ``score_chars_per_minute`` budget before
any scoring, scoring and JSON encoding run on the scoring thread (``scoring.py``), and a batch's response
stops growing at ``max_response_bytes``: the records that would not fit get the per-item error
``response_too_large`` (their scoring is cancelled if it has not started), so a client can send them again.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from starlette.responses import Response

from detector import ScoreResult
from detector.validation import text_problem
from service.core.config import Settings
from service.deps import ClientDep, Principal, ScorerDep, SettingsDep, charge_characters
from service.errors import ApiError, error_detail
from service.routes import ERROR_RESPONSES, json_bytes
from service.schemas import BatchRequest, BatchResponse, Lang, ScoreRequest, ScoreResponse
from service.scoring import Overloaded, Scorer

log = logging.getLogger("service")

router = APIRouter(prefix="/v1", tags=["score"], responses=ERROR_RESPONSES)

_EXAMPLE = ("LOKER ADMIN CS di Kamboja, gaji 15jt/bulan, tanpa pengalaman, tiket & visa ditanggung, "
            "berangkat minggu depan. Minat japri ya kak")

#: text_problem's codes as the API names them, with the setting behind a limit.
_TEXT_CODES: dict[str, tuple[str, str | None]] = {"too_long": ("text_too_long", "max_text_chars")}


def check_text(text: str | None, settings: Settings, field: str = "text") -> str:
    """The text as the core will accept it, or an :class:`ApiError` naming the problem (and the limit)."""
    if text is None:
        raise ApiError(422, "missing_text", f"{field} is required", field=field)
    problem = text_problem(text, max_chars=settings.max_text_chars)
    if problem is not None:
        code, limit = _TEXT_CODES.get(problem[0], (problem[0], None))
        message = field + problem[1].removeprefix("text") + (f" (limit {limit})" if limit else "")
        raise ApiError(422, code, message, field=field, limit=limit)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ApiError(422, "invalid_unicode", f"{field} contains an unpaired UTF-16 surrogate",
                       field=field) from None
    return text


def _render(lang: Lang | None, explain: bool) -> Any:
    def render(result: ScoreResult) -> bytes:  # runs on the scoring thread
        return json_bytes(result.to_dict(lang=lang, explain=explain))

    return render


def submit(scorer: Scorer, principal: Principal, texts: list[str], ids: list[str | None], render: Any,
           ) -> list[asyncio.Future[Any]]:
    """Queue checked texts in the principal's fair queue (one future each, resolving to ``render(result)``),
    or 503 ``overloaded``."""
    try:
        return scorer.submit(principal.bucket, texts, ids, render)
    except Overloaded as exc:
        raise ApiError(503, "overloaded", f"the service is busy ({exc}); try again shortly",
                       limit="score_queue_max_chars", headers={"Retry-After": "2"}) from None


def too_large_message(size: int, limit: int) -> str:
    return (f"the result is {size} bytes, more than the {limit} a response may have (limit max_response_bytes); "
            "send a shorter text, or explain=false")


@router.post("/score", response_model=ScoreResponse, summary="Score one advert")
async def score(
    body: Annotated[ScoreRequest, Body(openapi_examples={"risky": {"value": {"text": _EXAMPLE, "lang": "en"}}})],
    request: Request,
    scorer: ScorerDep,
    settings: SettingsDep,
    principal: ClientDep,
) -> Response:
    """The detection core's result: risk score and level, label, red flags with offsets (Unicode code points
    into `text`) and reasons, counter-evidence, money amounts and the model version. At most 5 evidence
    items per flag and 40 per post are listed; `truncated` counts the rest."""
    text = check_text(body.text, settings)
    charge_characters(request, principal, len(text))
    [future] = submit(scorer, principal, [text], [body.id], _render(body.lang, body.explain))
    data: bytes = await future
    if len(data) > settings.max_response_bytes:
        raise ApiError(422, "response_too_large", too_large_message(len(data), settings.max_response_bytes),
                       field="text", limit="max_response_bytes")
    return Response(data, media_type="application/json")


@router.post("/score/batch", response_model=BatchResponse,
             summary="Score up to batch_max_items adverts (batch_max_chars characters in all)")
async def score_batch(body: BatchRequest, request: Request, scorer: ScorerDep, settings: SettingsDep,
                      principal: ClientDep) -> Response:
    """One result per item, in order. An item that cannot be scored (empty, too long, NUL byte, ...) gets
    `ok: false` and an `error`; the other items are still scored. Items whose records would take the
    response past `max_response_bytes` get the error `response_too_large`: send them again."""
    n = len(body.items)
    if n > settings.batch_max_items:
        raise ApiError(422, "batch_too_large",
                       f"items has {n} entries; the limit is {settings.batch_max_items} (limit batch_max_items)",
                       field="items", limit="batch_max_items")
    total = sum(len(item.text) for item in body.items if item.text is not None)
    if total > settings.batch_max_chars:
        raise ApiError(422, "batch_too_large",
                       f"the texts add up to {total} characters; the limit is {settings.batch_max_chars} "
                       "(limit batch_max_chars)", field="items", limit="batch_max_chars")
    parts: list[bytes | None] = [None] * n
    failed = [False] * n
    valid: list[int] = []
    texts: list[str] = []
    for i, item in enumerate(body.items):
        try:
            texts.append(check_text(item.text, settings, field=f"items.{i}.text"))
            valid.append(i)
        except ApiError as exc:
            parts[i], failed[i] = _item(i, item.id, error=exc.detail()), True
    charge_characters(request, principal, sum(len(t) for t in texts))
    futures = submit(scorer, principal, texts, [body.items[i].id for i in valid],
                      _render(body.lang, body.explain))
    try:
        await _collect(parts, failed, valid, futures, body, settings.max_response_bytes, scorer.det.version)
    finally:
        for future in futures:  # the client went away, or the response is full: drop what is not scored
            if not future.cancel() and not future.cancelled():
                future.exception()  # a failure nobody read is not logged as "never retrieved"
    tail = json_bytes({"count": n, "errors": sum(failed), "model_version": scorer.det.version})
    out = b"".join([b'{"results":[', b",".join(p or b"" for p in parts), b"],", tail[1:]])
    return Response(out, media_type="application/json")


async def _collect(parts: list[bytes | None], failed: list[bool], valid: list[int],
                   futures: list[asyncio.Future[Any]], body: BatchRequest, max_bytes: int, version: str) -> None:
    """Fill ``parts`` in order with the rendered records while the response stays within ``max_bytes``,
    counting every pending record at the size of its ``response_too_large`` error until it arrives."""
    n = len(parts)
    fallback = {i: _item(i, body.items[i].id, error=error_detail(
        "response_too_large", "the response reached its size limit before this record (limit "
        "max_response_bytes); send this item again", field=f"items.{i}", limit="max_response_bytes"))
        for i in valid}
    envelope = len(json_bytes({"results": [], "count": n, "errors": n, "model_version": version})) + max(n - 1, 0)
    size = envelope + sum(len(p) for p in parts if p is not None) + sum(len(b) for b in fallback.values())
    full = False
    for i, future in zip(valid, futures, strict=True):
        if not full:
            try:
                part = _item(i, body.items[i].id, record=await future)
            except Exception:
                part = _item(i, body.items[i].id, error=error_detail(
                    "scoring_failed", "the model could not score this text", field=f"items.{i}.text"))
                failed[i] = True
            full = size + len(part) - len(fallback[i]) > max_bytes
        if full:
            future.cancel()
            parts[i], failed[i] = fallback[i], True
            continue
        parts[i] = part
        size += len(part) - len(fallback[i])


def _item(index: int, item_id: str | None, *, record: bytes | None = None,
          error: dict[str, Any] | None = None) -> bytes:
    """One entry of ``results`` as bytes (a rendered record is spliced in, not parsed again)."""
    if record is not None:
        return b'{"index":%d,"id":%s,"ok":true,"result":%s}' % (index, json_bytes(item_id), record)
    return json_bytes({"index": index, "id": item_id, "ok": False, "error": error})
