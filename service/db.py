"""Feedback storage: SQLAlchemy 2 models and engine. SQLite (WAL mode) by default, any SQLAlchemy URL
(PostgreSQL) for a shared deployment. Tables are created on startup (no migrations yet)."""

from __future__ import annotations

import logging
import os
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, Float, Integer, String, Text, create_engine, event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

log = logging.getLogger("service")

#: The feedback file holds post texts: only its owner may read it. SQLite gives its -wal and -shm files
#: the database file's mode.
DB_FILE_MODE = 0o600


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(dt: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt


class Base(DeclarativeBase):
    pass


class Feedback(Base):
    """A moderator's verdict on one result. ``text`` is NULL unless the client asked to store it."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    model_version: Mapped[str] = mapped_column(String(64))
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    text_sha256: Mapped[str] = mapped_column(String(64), index=True)
    predicted_label: Mapped[str] = mapped_column(String(16))
    correct_label: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    predicted_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    client: Mapped[str | None] = mapped_column(String(32), nullable=True)  # key id, never the key

    def export_row(self) -> dict[str, Any]:
        """One JSONL row of ``GET /v1/feedback/export`` (read by ``detector train --feedback``)."""
        return {
            "id": self.id,
            "created_at": as_utc(self.created_at).isoformat(),
            "model_version": self.model_version,
            "text": self.text,
            "text_sha256": self.text_sha256,
            "predicted_label": self.predicted_label,
            "correct_label": self.correct_label,
            "reason": self.reason,
            "note": self.note,
            "predicted_score": self.predicted_score,
        }


class FeedbackExport(Base):
    """Each export: what it covered (feedback ids up to ``last_feedback_id``) and who asked."""

    __tablename__ = "feedback_export"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_feedback_id: Mapped[int] = mapped_column(Integer)
    rows: Mapped[int] = mapped_column(Integer)
    client: Mapped[str | None] = mapped_column(String(32), nullable=True)


def private_file(path: Path) -> None:
    """Create ``path`` (and its folder) readable by its owner only; warn when an existing one is readable
    by others (it is left as it is: an operator may have widened it on purpose, e.g. for a backup user)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, DB_FILE_MODE))
    except FileExistsError:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            log.warning("the feedback database %s is readable by others (mode %o); it holds post texts: "
                        "chmod 600 it", path, mode, extra={"event": "database_readable"})


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    try:
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=15000")
        cur.execute("PRAGMA foreign_keys=ON")
    finally:
        cur.close()


class Database:
    """Engine + session factory for one app instance."""

    def __init__(self, url: str) -> None:
        u = make_url(url)
        self.is_sqlite = u.get_backend_name() == "sqlite"
        kwargs: dict[str, Any] = {"pool_pre_ping": not self.is_sqlite}
        if self.is_sqlite:
            if u.database and u.database != ":memory:" and not u.database.startswith("file:"):
                private_file(Path(u.database).expanduser())
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 15}
        self.engine: Engine = create_engine(u, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def create_tables(self) -> None:
        # two workers starting at once may race on CREATE TABLE; the loser retries and finds the tables
        for attempt in range(5):
            try:
                Base.metadata.create_all(self.engine)
                return
            except OperationalError:
                if attempt == 4:
                    raise
                time.sleep(0.1 * (attempt + 1))

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.sessions() as s:
            yield s

    def dispose(self) -> None:
        self.engine.dispose()

    def journal_mode(self) -> str | None:
        if not self.is_sqlite:
            return None
        with self.engine.connect() as conn:
            return str(conn.exec_driver_sql("PRAGMA journal_mode").scalar())


# -- queries ----------------------------------------------------------------------------------------------

def last_exported_id(s: Session) -> tuple[int, datetime | None]:
    row = s.execute(select(FeedbackExport.last_feedback_id, FeedbackExport.created_at)
                    .order_by(FeedbackExport.last_feedback_id.desc(), FeedbackExport.id.desc()).limit(1)).first()
    return (int(row[0]), as_utc(row[1])) if row else (0, None)


def feedback_stats(s: Session) -> dict[str, Any]:
    last_id, last_at = last_exported_id(s)
    total = s.scalar(select(func.count()).select_from(Feedback)) or 0
    pending = s.scalar(select(func.count()).select_from(Feedback).where(Feedback.id > last_id)) or 0
    corrections = s.scalar(select(func.count()).select_from(Feedback)
                           .where(Feedback.id > last_id, Feedback.reason != "confirmed")) or 0
    return {"pending": pending, "pending_corrections": corrections, "total": total, "last_export_at": last_at}
