"""Scoring chunks on N local processes, results in input order, a bounded number in flight.

On Linux the workers are forked from the process that already holds the verified detector
(its memory is shared copy-on-write); elsewhere they are spawned and each loads the bundle
once, verified against its SHA-256."""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from detector.batch.records import score_records
from detector.batch.signals import worker_init

if TYPE_CHECKING:
    from detector.detector import Detector

T = TypeVar("T")
#: (rows, explain) for texts; (rows, explain, base folder) for image paths (see ``batch/images.py``)
Task = tuple[list[tuple[int, str | None, str]], bool] | tuple[list[tuple[int, str | None, str]], bool, str]

_DETECTOR: Detector | None = None


def _init_forked(parent_pid: int) -> None:
    worker_init(parent_pid)
    _limit_threads()


def _init_spawned(parent_pid: int, path: str, sha256: str) -> None:
    global _DETECTOR
    from detector.detector import Detector

    worker_init(parent_pid)
    _limit_threads()
    _DETECTOR = Detector.load(path, expected_sha256=sha256)


def _limit_threads() -> None:
    """One BLAS/OpenMP thread per worker: N processes on N cores must not oversubscribe them."""
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        pass


def score_task(task: Task, detector: Detector | None = None) -> list[dict[str, Any]]:
    det = detector or _DETECTOR
    assert det is not None, "worker has no detector"
    if len(task) == 3:
        from detector.batch.images import score_image_records

        return score_image_records(det, task[0], task[1], task[2])
    return score_records(det, task[0], task[1])


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's workers so that ``shutdown`` cannot wait on them.

    A worker killed while it writes a result leaves a partial message in the result pipe. The pool's
    manager thread would wait for the rest of it for ever, because this process holds the pipe's write
    end as well (CPython 3.11-3.13). Closing that end turns the partial read into end-of-file, which the
    pool handles as a broken pool: futures fail, internals are joined, ``shutdown`` returns."""
    workers = list((getattr(pool, "_processes", None) or {}).values())
    for proc in workers:
        proc.kill()
    for proc in workers:
        proc.join(5)
    writer = getattr(getattr(pool, "_result_queue", None), "_writer", None)
    if writer is not None:
        writer.close()


class ChunkScorer:
    """``imap(tasks)`` yields ``(task, records)`` in order; in-process when ``jobs == 1``."""

    def __init__(self, detector: Detector, jobs: int = 1, in_flight: int | None = None) -> None:
        self.detector, self.jobs = detector, max(1, jobs)
        self.in_flight = in_flight or 2 * self.jobs
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> ChunkScorer:
        global _DETECTOR
        if self.jobs > 1:
            if sys.platform.startswith("linux"):
                _DETECTOR = self.detector  # inherited by the forked workers
                gc.freeze()  # keep the shared pages shared (no GC writes into them)
                self._pool = ProcessPoolExecutor(self.jobs, mp_context=mp.get_context("fork"),
                                                 initializer=_init_forked, initargs=(os.getpid(),))
            else:  # pragma: no cover - macOS / Windows
                b = self.detector.bundle
                self._pool = ProcessPoolExecutor(self.jobs, mp_context=mp.get_context("spawn"),
                                                 initializer=_init_spawned,
                                                 initargs=(os.getpid(), str(b.path), b.sha256))
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        if self._pool is not None:
            if exc_type is not None:  # interrupted or failed: the workers hold nothing worth waiting for
                _kill_workers(self._pool)
            self._pool.shutdown(wait=True, cancel_futures=True)
            gc.unfreeze()

    def imap(self, items: Iterable[T], task_of: Callable[[T], Task]) -> Iterator[tuple[T, list[dict[str, Any]]]]:
        if self._pool is None:
            for item in items:
                yield item, score_task(task_of(item), self.detector)
            return
        pending: deque[tuple[T, Future[list[dict[str, Any]]]]] = deque()
        for item in items:
            pending.append((item, self._pool.submit(score_task, task_of(item))))
            if len(pending) >= self.in_flight:
                first, fut = pending.popleft()
                yield first, fut.result()
        while pending:
            first, fut = pending.popleft()
            yield first, fut.result()
