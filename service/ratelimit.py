"""Per-key token buckets (in memory, per worker process: with N workers a key gets up to N times the rate).

One class for every budget: requests per minute, characters scored per minute (a request costs its
characters), feedback rows per hour, failed authentications per address."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict


class RateLimiter:
    """``per_minute`` tokens per minute on average, bursts of up to ``burst``; 0 disables it."""

    def __init__(self, per_minute: float, burst: float, max_keys: int = 100_000) -> None:
        self.per_minute = per_minute
        self.rate = per_minute / 60.0
        self.burst = float(max(burst, 1))
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, updated)
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.per_minute > 0

    def hit(self, key: str, now: float | None = None, cost: float = 1.0) -> float:
        """Take ``cost`` tokens for ``key`` (at most ``burst``): 0.0 if allowed, else the seconds until
        they are available (nothing is taken then)."""
        if not self.enabled:
            return 0.0
        cost = min(cost, self.burst)
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, updated = self._buckets.pop(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - updated) * self.rate)
            if tokens >= cost:
                self._buckets[key] = (tokens - cost, now)
                wait = 0.0
            else:
                self._buckets[key] = (tokens, now)
                wait = (cost - tokens) / self.rate
            while len(self._buckets) > self.max_keys:  # forget the least recently seen keys
                self._buckets.popitem(last=False)
        return wait

    def blocked(self, key: str, now: float | None = None) -> float:
        """Seconds until ``key`` has a whole token again (0.0 if it has one now); takes nothing."""
        if not self.enabled:
            return 0.0
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, updated = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - updated) * self.rate)
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate

    @staticmethod
    def retry_after(wait: float) -> str:
        return str(max(1, math.ceil(wait)))
