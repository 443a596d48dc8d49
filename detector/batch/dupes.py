"""Counting duplicate ids in a scan without keeping the ids: each scored id is kept as a 64-bit hash
(BLAKE2b) in a few sorted numpy arrays that merge like a binary counter, so memory is 8 bytes per
scored post (8 MB per million) and a look-up is a binary search per array. Two different ids share a
hash with a probability of about n²/2⁶⁵ (3 × 10⁻⁸ for a million ids).

The hashes are also appended, in output order, to a file (``OUT.ids.partial`` for a local scan, one
per engine partition), which ``--resume`` cuts back to its checkpoint and reloads, and the engine
driver reads to count duplicates across partitions."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable

import numpy as np


def id_hashes(ids: Iterable[str]) -> np.ndarray:
    return np.fromiter((int.from_bytes(hashlib.blake2b(i.encode("utf-8"), digest_size=8).digest(), "little")
                        for i in ids), dtype=np.uint64)


class IdCounter:
    """``add(hashes)`` returns how many of them were seen before (in earlier calls or this one)."""

    def __init__(self) -> None:
        self.levels: list[np.ndarray] = []
        self.duplicates = 0

    def add(self, hashes: np.ndarray) -> int:
        if not len(hashes):
            return 0
        uniq = np.unique(hashes)
        dup = len(hashes) - len(uniq)
        fresh = np.ones(len(uniq), dtype=bool)
        for level in self.levels:
            pos = np.searchsorted(level, uniq)
            pos[pos == len(level)] = 0
            fresh &= level[pos] != uniq
        dup += int((~fresh).sum())
        self._push(uniq[fresh])
        self.duplicates += dup
        return dup

    def _push(self, arr: np.ndarray) -> None:
        if not len(arr):
            return
        self.levels.append(arr)
        while len(self.levels) > 1 and len(self.levels[-2]) <= 2 * len(self.levels[-1]):
            b, a = self.levels.pop(), self.levels.pop()
            self.levels.append(np.union1d(a, b))


class IdFile:
    """The scored ids' hashes of a scan, appended as little-endian uint64 (8 bytes per record)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._fh = open(path, "ab")  # noqa: SIM115 - closed in close()

    def write(self, hashes: np.ndarray) -> None:
        self._fh.write(hashes.astype("<u8").tobytes())

    def checkpoint(self) -> int:
        self._fh.flush()
        os.fsync(self._fh.fileno())
        return self._fh.tell() // 8

    def restore(self, count: int) -> np.ndarray:
        """Cut back to ``count`` hashes and return them."""
        self._fh.flush()
        self._fh.truncate(count * 8)
        self._fh.seek(0, os.SEEK_END)
        return read_ids(self.path, count)

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()


def read_ids(path: str, count: int | None = None) -> np.ndarray:
    return np.fromfile(path, dtype="<u8", count=-1 if count is None else count).astype(np.uint64)
