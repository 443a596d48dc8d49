"""Moderators' feedback: POST /v1/feedback, GET /v1/feedback/stats, GET /v1/feedback/export (admin)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Query, Request
from sqlalchemy import func, select
from starlette.responses import StreamingResponse

from service.db import Database, Feedback, FeedbackExport, as_utc, feedback_stats
from service.deps import AdminDep, ClientDep, SessionDep
from service.routes import ERROR_RESPONSES, json_bytes
from service.schemas import ErrorBody, FeedbackCreate, FeedbackPublic, FeedbackStats

router = APIRouter(prefix="/v1/feedback", tags=["feedback"], responses=ERROR_RESPONSES)

_EXPORT_PAGE = 500


def _public(row: Feedback) -> FeedbackPublic:
    return FeedbackPublic(
        id=row.id, created_at=as_utc(row.created_at), model_version=row.model_version,
        text_stored=row.text is not None, text_sha256=row.text_sha256, predicted_label=row.predicted_label,
        correct_label=row.correct_label, reason=row.reason, note=row.note,
    )


@router.post("", response_model=FeedbackPublic, status_code=201, summary="Say a result was right or wrong")
def create_feedback(body: FeedbackCreate, session: SessionDep, principal: ClientDep) -> FeedbackPublic:
    """The text is stored only with `store_text: true`; otherwise only its SHA-256 is kept (or send only
    `text_sha256`). Rows with a text are what `detector train --feedback` learns from."""
    assert body.text_sha256 is not None
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
                                    "reason, note, predicted_score"},
               403: {"model": ErrorBody, "description": "Not an admin key"}},
)
def export(request: Request, session: SessionDep, principal: AdminDep,
           since_id: int = Query(0, ge=0, le=2**62, description="Only rows with a larger id.")) -> StreamingResponse:
    """Everything stored (or only rows after `since_id`), oldest first, for
    `detector train --feedback FILE`. The export is recorded: `pending` in /v1/feedback/stats restarts at 0."""
    last_id = session.scalar(select(func.max(Feedback.id))) or 0
    count = session.scalar(select(func.count()).select_from(Feedback)
                           .where(Feedback.id > since_id, Feedback.id <= last_id)) or 0
    session.add(FeedbackExport(last_feedback_id=last_id, rows=count, client=principal.key_id))
    session.commit()
    db: Database = request.app.state.db
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return StreamingResponse(
        _rows(db, since_id, last_id), media_type="application/x-ndjson",
        headers={"Content-Disposition": f'attachment; filename="feedback-{stamp}.jsonl"',
                 "Cache-Control": "no-store", "X-Feedback-Rows": str(count)},
    )


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
