"""How posts reach the model: one scoring thread per worker, fed fairly from one queue per client.

Scoring never runs on the event loop (in the default ``batched`` mode): a 1M-character batch takes seconds
of CPU, and on the loop it held every other request, /healthz included, for all of them. The loop thread now
only needs the GIL between the scoring thread's bytecodes (every ``sys.getswitchinterval()``, 5 ms), so
other requests are answered while a batch is scored.

Posts wait in one queue per client (its API key, or its address without one) and the scoring thread takes
them round robin: each model call holds at most ``max_batch`` posts and ``max_chars`` characters (at least
one post), one post from each waiting client in turn. A client therefore waits at most about one call
behind another client's batch, however large, and posts that arrive together still share one
``score_many`` call (micro-batching: the pipeline's fixed per-call cost, most of a short post's ~1.3 ms, is
paid once per call). Each result is turned into its JSON bytes by the caller's ``render`` on the same
thread, so a large response is not encoded on the loop either.

``inline`` (score on the loop, one call per post) and ``threadpool`` (one thread-pool task per post, what a
plain ``def`` endpoint does) are kept for benchmarks. A worker holds at most ``max_queued_chars`` waiting
characters; past that, :class:`Overloaded`.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal

from starlette.concurrency import run_in_threadpool

from detector import Detector, ScoreResult

ScoringMode = Literal["batched", "inline", "threadpool"]
Render = Callable[[ScoreResult], Any]
log = logging.getLogger("service")


class Overloaded(Exception):
    """The worker already has ``max_queued_chars`` characters waiting to be scored."""


@dataclass(eq=False)
class _Item:
    text: str
    id: str | None
    render: Render
    future: asyncio.Future[Any]


def _identity(result: ScoreResult) -> ScoreResult:
    return result


class Scorer:
    def __init__(self, det: Detector, mode: ScoringMode = "batched", max_batch: int = 32,
                 max_chars: int = 40_000, max_queued_chars: int = 4_000_000,
                 thread_setup: Callable[[], None] | None = None) -> None:
        self.det = det
        self.mode = mode
        self.max_batch = max_batch
        self.max_chars = max_chars
        self.max_queued_chars = max_queued_chars
        self._thread_setup = thread_setup
        self._queues: OrderedDict[str, deque[_Item]] = OrderedDict()  # clients in round-robin order
        self._queued_chars = 0
        self._wakeup: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._pool: ThreadPoolExecutor | None = None

    @property
    def queued_chars(self) -> int:
        return self._queued_chars

    async def start(self) -> None:
        if self.mode == "batched":
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="score",
                                            initializer=self._thread_setup)
            self._wakeup = asyncio.Event()
            self._task = asyncio.create_task(self._run(), name="score-dispatcher")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        for queue in self._queues.values():
            for item in queue:
                item.future.cancel()
        self._queues.clear()
        self._queued_chars = 0
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    # -- submitting ----------------------------------------------------------------------------------------

    def submit(self, client: str, texts: Sequence[str], ids: Sequence[str | None],
               render: Render = _identity) -> list[asyncio.Future[Any]]:
        """Queue one client's valid texts (checked with :func:`detector.validation.text_problem`); one
        future per text, resolving to ``render(result)`` or to the exception that scoring raised.
        Cancelling a future drops its post if it has not been scored yet."""
        if not texts:
            return []
        loop = asyncio.get_running_loop()
        if self.mode == "threadpool":
            return [asyncio.ensure_future(run_in_threadpool(_score_one, self.det, t, i, render))
                    for t, i in zip(texts, ids, strict=True)]
        if self.mode == "inline" or not self._running():
            futures: list[asyncio.Future[Any]] = []
            for t, i in zip(texts, ids, strict=True):
                fut: asyncio.Future[Any] = loop.create_future()
                try:
                    fut.set_result(_score_one(self.det, t, i, render))
                except Exception as exc:
                    fut.set_exception(exc)
                futures.append(fut)
            return futures
        size = sum(len(t) for t in texts)
        if self._queued_chars and self._queued_chars + size > self.max_queued_chars:
            raise Overloaded(f"{self._queued_chars} characters are already waiting to be scored")
        queue = self._queues.get(client)
        if queue is None:
            queue = self._queues[client] = deque()
        items = [_Item(t, i, render, loop.create_future()) for t, i in zip(texts, ids, strict=True)]
        queue.extend(items)
        self._queued_chars += size
        assert self._wakeup is not None
        self._wakeup.set()
        return [item.future for item in items]

    async def score(self, text: str, id: str | None = None, client: str = "", render: Render = _identity) -> Any:
        """Score one valid text: ``render(result)``."""
        return await self.submit(client, [text], [id], render)[0]

    def _running(self) -> bool:
        return self._wakeup is not None and self._task is not None and not self._task.done()

    # -- the dispatcher (event loop) and the scoring thread ------------------------------------------------

    def _take(self) -> list[_Item]:
        """The next model call: round robin over the waiting clients, within ``max_batch`` and ``max_chars``."""
        chunk: list[_Item] = []
        chars = 0
        while self._queues and len(chunk) < self.max_batch:
            client, queue = next(iter(self._queues.items()))
            if not queue:
                del self._queues[client]
                continue
            item = queue[0]
            if chunk and chars + len(item.text) > self.max_chars and not item.future.done():
                break  # this client goes first in the next call
            queue.popleft()
            self._queued_chars -= len(item.text)
            if queue:
                self._queues.move_to_end(client)
            else:
                del self._queues[client]
            if not item.future.done():  # a cancelled post is dropped
                chunk.append(item)
                chars += len(item.text)
        return chunk

    async def _run(self) -> None:
        assert self._wakeup is not None and self._pool is not None
        loop = asyncio.get_running_loop()
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            # let requests that were read in the same loop iteration reach the queue first
            for _ in range(2):
                await asyncio.sleep(0)
            while chunk := self._take():
                try:
                    outcomes = await loop.run_in_executor(self._pool, self._score_chunk, chunk)
                except Exception as exc:  # never let the dispatcher die with requests waiting on it
                    log.exception("score dispatcher failed")
                    outcomes = [exc] * len(chunk)
                for item, outcome in zip(chunk, outcomes, strict=True):
                    if item.future.done():
                        continue
                    if isinstance(outcome, _Failed):
                        item.future.set_exception(outcome.exc)
                    elif isinstance(outcome, BaseException):
                        item.future.set_exception(outcome)
                    else:
                        item.future.set_result(outcome)

    def _score_chunk(self, chunk: list[_Item]) -> list[Any]:
        """On the scoring thread: one model call, then each result rendered; a post that breaks the call
        is isolated by scoring the others one by one."""
        try:
            results: list[ScoreResult | _Failed] = list(
                self.det.score_many([it.text for it in chunk], ids=[it.id for it in chunk]))
        except Exception:
            if len(chunk) == 1:
                log.exception("scoring failed")
                results = [_Failed(RuntimeError("scoring failed"))]
            else:
                return [self._score_chunk([it])[0] for it in chunk]
        out: list[Any] = []
        for item, res in zip(chunk, results, strict=True):
            if isinstance(res, _Failed):
                out.append(res)
                continue
            try:
                out.append(item.render(res))
            except Exception as exc:
                log.exception("rendering a result failed")
                out.append(_Failed(exc))
        return out


@dataclass
class _Failed:
    """A post's failure, carried from the scoring thread to its future."""

    exc: Exception


def _score_one(det: Detector, text: str, id: str | None, render: Render) -> Any:
    return render(det.score(text, id=id))
