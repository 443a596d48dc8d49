"""Scores Indonesian social-media job adverts for trafficking (TPPO) recruitment risk.

``Detector``, ``InvalidTextError`` and ``ScoreResult`` are imported on first use, so that light
entry points (``detector --help``, batch workers that only read files) do not pay for loading
scikit-learn, NumPy and the stemmer.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from detector.detector import Detector, InvalidTextError
    from detector.result import ScoreResult

__all__ = ["Detector", "InvalidTextError", "ScoreResult"]
__version__ = "0.2.0"

_LAZY = {
    "Detector": "detector.detector",
    "InvalidTextError": "detector.detector",
    "ScoreResult": "detector.result",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'detector' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
