"""How single posts reach the model.

Scoring is ~1-6 ms of CPU, most of it a fixed per-call cost of the scikit-learn pipeline, so the default
(``batched``) runs on the event loop and lets requests that arrive together share one ``score_many`` call
(micro-batching): no thread pool fighting over the GIL, and under load the fixed cost is paid once per
batch instead of once per post. ``inline`` (one call per request on the loop) and ``threadpool`` (what a
plain ``def`` endpoint does) are kept for benchmarks.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Literal

from starlette.concurrency import run_in_threadpool

from detector import Detector, ScoreResult

ScoringMode = Literal["batched", "inline", "threadpool"]
log = logging.getLogger("service")


class Scorer:
    def __init__(self, det: Detector, mode: ScoringMode = "batched", max_batch: int = 32) -> None:
        self.det = det
        self.mode = mode
        self.max_batch = max_batch
        self._queue: list[tuple[str, str | None, asyncio.Future[ScoreResult]]] = []
        self._wakeup: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self.mode == "batched":
            self._wakeup = asyncio.Event()
            self._task = asyncio.create_task(self._run(), name="score-batcher")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        for _, _, fut in self._queue:
            if not fut.done():
                fut.cancel()
        self._queue.clear()

    async def score(self, text: str, id: str | None = None) -> ScoreResult:
        """Score one valid text (already checked with :func:`detector.detector.validate_text`)."""
        if self.mode == "threadpool":
            return await run_in_threadpool(self.det.score, text, id=id)
        if self.mode == "inline" or self._wakeup is None or self._task is None or self._task.done():
            return self.det.score(text, id=id)
        fut: asyncio.Future[ScoreResult] = asyncio.get_running_loop().create_future()
        self._queue.append((text, id, fut))
        self._wakeup.set()
        return await fut

    async def score_many(self, texts: Sequence[str], ids: Sequence[str | None], chunk: int = 32) -> list[ScoreResult]:
        """A client's batch, in chunks with a yield in between so single posts are not starved."""
        out: list[ScoreResult] = []
        for i in range(0, len(texts), chunk):
            if i:
                await asyncio.sleep(0)
            out.extend(self.det.score_many(texts[i:i + chunk], ids=ids[i:i + chunk]))
        return out

    async def _run(self) -> None:
        assert self._wakeup is not None
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            # let requests that were read in the same loop iteration reach the queue first
            for _ in range(2):
                await asyncio.sleep(0)
            while self._queue:
                batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch:]
                live = [b for b in batch if not b[2].done()]
                try:
                    if live:
                        self._score_batch(live)
                except Exception as exc:  # never let the batcher die with requests waiting on it
                    log.exception("score batcher failed")
                    for _, _, fut in live:
                        _settle(fut, exc=exc)
                await asyncio.sleep(0)

    def _score_batch(self, batch: list[tuple[str, str | None, asyncio.Future[ScoreResult]]]) -> None:
        try:
            results = self.det.score_many([t for t, _, _ in batch], ids=[i for _, i, _ in batch])
        except Exception:
            if len(batch) == 1:
                log.exception("scoring failed")
                _settle(batch[0][2], exc=RuntimeError("scoring failed"))
                return
            for item in batch:  # isolate the post that broke the batch
                self._score_batch([item])
            return
        for (_, _, fut), res in zip(batch, results, strict=True):
            _settle(fut, result=res)


def _settle(fut: asyncio.Future[ScoreResult], result: ScoreResult | None = None,
            exc: BaseException | None = None) -> None:
    if fut.done():
        return
    if exc is not None:
        fut.set_exception(exc)
    else:
        assert result is not None
        fut.set_result(result)
