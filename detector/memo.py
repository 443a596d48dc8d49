"""``Memo``: a bounded cache that is a plain dict, for the per-word and per-chunk lookups of scoring."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Memo(dict[K, V]):
    """``memo[key]`` is ``compute(key)``, computed on first sight and kept: a hit is a plain dict lookup
    (cheaper than an ``lru_cache`` call). Emptied when it holds ``max_size`` keys."""

    def __init__(self, compute: Callable[[K], V], max_size: int) -> None:
        super().__init__()
        self.compute = compute
        self.max_size = max_size

    def __missing__(self, key: K) -> V:
        value = self.compute(key)
        if len(self) >= self.max_size:
            self.clear()
        self[key] = value
        return value
