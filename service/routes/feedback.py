"""Moderators' feedback: POST /v1/feedback, GET /v1/feedback/stats, GET /v1/feedback/export and
POST /v1/feedback/export/ack (admin).

Writing needs a key unless the request is local (``deps.require_writer``) and spends the key's feedback
quota. The export is a plain read: it changes nothing, so a retried or interrupted download loses nothing.
Only the acknowledgement says "rows up to N are taken" and restarts ``pending``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Query, Request
from sqlalchemy import func, select
from starlette.responses import StreamingResponse

from service.db import Database, Feedback, FeedbackExport, as_utc, feedback_stats, last_exported_id
from service.deps import AdminDep, ClientDep, SessionDep, SettingsDep, WriterDep
from service.errors import ApiError
from service.routes import ERROR_RESPONSES, json_bytes
from service.schemas import ErrorBody, ExportAck, FeedbackCreate, FeedbackPublic, FeedbackStats

router = APIRouter(prefix="/v1/feedback", tags=["feedback"], responses=ERROR_RESPONSES)

_EXPORT_PAGE = 500


def _public(row: Feedback) -> FeedbackPublic:
    return FeedbackPublic(
        id=row.id, created_at=as_utc(row.created_at), model_version=row.model_version,
        text_stored=row.text is not None, text_sha256=row.text_sha256, predicted_label=row.predicted_label,
        correct_label=row.correct_label, reason=row.reason, note=row.note,
    )


@router.post("", response_model=FeedbackPublic, status_code=201, summary="Say a result was right or wrong",
             responses={403: {"model": ErrorBody, "description": "Not local, and no key is configured"}})
def create_feedback(body: FeedbackCreate, session: SessionDep, principal: WriterDep,
                    settings: SettingsDep) -> FeedbackPublic:
    """The text is stored only with `store_text: true`; otherwise only its SHA-256 is kept (or send only
    `text_sha256`). Rows with a text are what `detector train --feedback` learns from, so writing needs
    an API key unless the service is bound to loopback and asked from the same machine; each key (or
    address) may write `feedback_per_hour` rows."""
    assert body.text_sha256 is not None
    if body.text is not None and len(body.text) > settings.max_text_chars:  # the limit the schema states
        raise ApiError(422, "text_too_long", f"text is longer than {settings.max_text_chars} characters "
                       "(limit max_text_chars)", field="text", limit="max_text_chars")
    row = Feedback(
        model_version=body.model_version,
        text=body.text if body.store_text else None,
        text_sha256=body.text_sha256,
        predicted_label=body.predicted_label,
        correct_label=body.correct_label,
        reason=body.reason,
        note=body.note,
        predicted_score=body.predicted_score,
        client=principal.key_id,
    )
    session.add(row)
    session.commit()
    return _public(row)


@router.get("/stats", response_model=FeedbackStats, summary="Feedback waiting for retraining")
def stats(session: SessionDep, _: ClientDep) -> dict[str, Any]:
    """`pending` counts feedback stored since the last export (all of it before the first export);
    `pending_corrections` those of them that say the model was wrong; `total` everything stored."""
    return feedback_stats(session)


@router.get(
    "/export",
    summary="Export feedback as JSONL (admin)",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}},
                     "description": "One JSON object per line: id, created_at, model_version, text (null when "
                                    "only the hash was stored), text_sha256, predicted_label, correct_label, "
                                    "reason, note, predicted_score. Header X-Feedback-Last-Id: the newest id "
                                    "the export covers, for POST /v1/feedback/export/ack"},
               403: {"model": ErrorBody, "description": "Not an admin key"}},
)
def export(request: Request, session: SessionDep, _: AdminDep,
           since_id: int = Query(0, ge=0, le=2**62, description="Only rows with a larger id.")) -> StreamingResponse:
    """Everything stored (or only rows after `since_id`), oldest first, for `detector train --feedback FILE`.
    A plain read: `pending` does not change until the export is acknowledged (POST /v1/feedback/export/ack
    with the `X-Feedback-Last-Id` header's value)."""
    last_id = session.scalar(select(func.max(Feedback.id))) or 0
    count = session.scalar(select(func.count()).select_from(Feedback)
                           .where(Feedback.id > since_id, Feedback.id <= last_id)) or 0
    db: Database = request.app.state.db
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return StreamingResponse(
        _rows(db, since_id, last_id), media_type="application/x-ndjson",
        headers={"Content-Disposition": f'attachment; filename="feedback-{stamp}.jsonl"',
                 "Cache-Control": "no-store", "X-Feedback-Rows": str(count), "X-Feedback-Last-Id": str(last_id)},
    )


@router.post("/export/ack", response_model=FeedbackStats, summary="Acknowledge an export (admin)",
             responses={403: {"model": ErrorBody, "description": "Not an admin key"}})
def acknowledge_export(body: ExportAck, session: SessionDep, principal: AdminDep) -> dict[str, Any]:
    """Say that rows up to `last_id` (an export's `X-Feedback-Last-Id`) are taken for retraining: `pending`
    in /v1/feedback/stats then counts only newer rows. Acknowledging an older id than before changes
    nothing."""
    newest = session.scalar(select(func.max(Feedback.id))) or 0
    if body.last_id > newest:
        raise ApiError(422, "invalid_value", f"last_id: there is no feedback with id {body.last_id} yet "
                       f"(the newest is {newest})", field="last_id")
    previous, _ = last_exported_id(session)
    if body.last_id > previous:
        rows = session.scalar(select(func.count()).select_from(Feedback)
                              .where(Feedback.id > previous, Feedback.id <= body.last_id)) or 0
        session.add(FeedbackExport(last_feedback_id=body.last_id, rows=rows, client=principal.key_id))
        session.commit()
    return feedback_stats(session)


def _rows(db: Database, after: int, last_id: int) -> Iterator[bytes]:
    """Keyset-paginated, each page in its own short session (no long read transaction)."""
    while True:
        with db.session() as s:
            page = list(s.scalars(select(Feedback).where(Feedback.id > after, Feedback.id <= last_id)
                                  .order_by(Feedback.id).limit(_EXPORT_PAGE)))
        if not page:
            return
        yield b"".join(json_bytes(r.export_row()) + b"\n" for r in page)
        after = page[-1].id
