"""A progress bar on stderr when it is a terminal (rows, rows/s, ETA when the size is known);
nothing in pipes and CI."""

from __future__ import annotations

import sys
from typing import Any


def wanted(flag: bool | None) -> bool:
    """``--progress/--no-progress``, defaulting to "stderr is a terminal"."""
    if flag is not None:
        return flag
    return bool(getattr(sys.stderr, "isatty", lambda: False)())


class Progress:
    def __init__(self, enabled: bool, total_rows: int | None = None, desc: str = "scan") -> None:
        self._bar: Any = None
        if enabled:
            import tqdm

            tqdm.tqdm.monitor_interval = 0  # no monitor thread (worker processes are forked)
            self._bar = tqdm.tqdm(total=total_rows, unit=" rows", unit_scale=True, desc=desc, file=sys.stderr,
                                  dynamic_ncols=True, smoothing=0.1)

    def update(self, rows: int, total_estimate: int | None = None) -> None:
        """``rows`` more rows done; ``total_estimate`` re-estimates the total (from bytes read)."""
        if self._bar is None:
            return
        if total_estimate:
            self._bar.total = max(self._bar.n + rows, total_estimate)
        self._bar.update(rows)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
