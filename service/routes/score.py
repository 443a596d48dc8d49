"""POST /v1/score and /v1/score/batch."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Body
from starlette.responses import Response

from detector import ScoreResult
from detector.detector import InvalidTextError, validate_text
from service.core.config import Settings
from service.deps import ClientDep, ScorerDep, SettingsDep
from service.errors import ApiError, error_detail
from service.routes import ERROR_RESPONSES, json_bytes
from service.schemas import BatchRequest, BatchResponse, ScoreRequest, ScoreResponse
from service.scoring import Scorer

log = logging.getLogger("service")

router = APIRouter(prefix="/v1", tags=["score"], responses=ERROR_RESPONSES)

_EXAMPLE = ("LOKER ADMIN CS di Kamboja, gaji 15jt/bulan, tanpa pengalaman, tiket & visa ditanggung, "
            "berangkat minggu depan. Minat japri ya kak")


def check_text(text: str | None, settings: Settings, field: str = "text") -> str:
    """The text as the core will accept it, or an :class:`ApiError` naming the problem (and the limit)."""
    if text is None:
        raise ApiError(422, "missing_text", f"{field} is required", field=field)
    if not text.strip():
        raise ApiError(422, "empty_text", f"{field} is empty or only whitespace", field=field)
    if len(text) > settings.max_text_chars:
        raise ApiError(422, "text_too_long",
                       f"{field} is {len(text)} characters long; the limit is {settings.max_text_chars} "
                       "(limit max_text_chars)", field=field, limit="max_text_chars")
    if "\x00" in text:
        raise ApiError(422, "nul_byte", f"{field} contains a NUL byte", field=field)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ApiError(422, "invalid_unicode", f"{field} contains an unpaired UTF-16 surrogate",
                       field=field) from None
    try:
        return validate_text(text, max_chars=settings.max_text_chars)
    except InvalidTextError as exc:
        raise ApiError(422, "invalid_text", f"{field}: {exc}", field=field) from None


def _score_alone(scorer: Scorer, text: str, item_id: str | None) -> ScoreResult | None:
    """After a failed batch: score one post on its own, so one bad post does not fail the others."""
    try:
        return scorer.det.score(text, id=item_id)
    except Exception:
        log.exception("scoring failed for one batch item")
        return None


def _json(data: Any, status: int = 200) -> Response:
    return Response(json_bytes(data), status_code=status, media_type="application/json")


@router.post("/score", response_model=ScoreResponse, summary="Score one advert")
async def score(
    body: Annotated[ScoreRequest, Body(openapi_examples={"risky": {"value": {"text": _EXAMPLE, "lang": "en"}}})],
    scorer: ScorerDep,
    settings: SettingsDep,
    _: ClientDep,
) -> Response:
    """The detection core's result: risk score and level, label, red flags with offsets (Unicode code points
    into `text`) and reasons, counter-evidence, money amounts and the model version."""
    text = check_text(body.text, settings)
    result = await scorer.score(text, id=body.id)
    return _json(result.to_dict(lang=body.lang, explain=body.explain))


@router.post("/score/batch", response_model=BatchResponse, summary="Score up to batch_max_items adverts")
async def score_batch(body: BatchRequest, scorer: ScorerDep, settings: SettingsDep, _: ClientDep) -> Response:
    """One result per item, in order. An item that cannot be scored (empty, too long, NUL byte, ...) gets
    `ok: false` and an `error`; the other items are still scored."""
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
    out: list[dict[str, Any] | None] = [None] * n
    valid: list[int] = []
    texts: list[str] = []
    for i, item in enumerate(body.items):
        try:
            texts.append(check_text(item.text, settings, field=f"items.{i}.text"))
            valid.append(i)
        except ApiError as exc:
            out[i] = {"index": i, "id": item.id, "ok": False, "error": exc.detail()}
    ids = [body.items[i].id for i in valid]
    results: list[ScoreResult | None]
    try:
        results = list(await scorer.score_many(texts, ids, chunk=settings.score_chunk))
    except Exception:
        results = [_score_alone(scorer, t, item_id) for t, item_id in zip(texts, ids, strict=True)]
    for i, res in zip(valid, results, strict=True):
        if res is None:
            out[i] = {"index": i, "id": body.items[i].id, "ok": False,
                      "error": error_detail("scoring_failed", "the model could not score this text",
                                            field=f"items.{i}.text")}
        else:
            out[i] = {"index": i, "id": body.items[i].id, "ok": True,
                      "result": res.to_dict(lang=body.lang, explain=body.explain)}
    errors = sum(1 for o in out if o is not None and not o["ok"])
    return _json({"results": out, "count": n, "errors": errors, "model_version": scorer.det.version})
