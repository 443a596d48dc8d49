"""Scores Indonesian social-media job adverts for trafficking (TPPO) recruitment risk."""

from detector.detector import Detector, InvalidTextError
from detector.result import ScoreResult

__all__ = ["Detector", "InvalidTextError", "ScoreResult"]
__version__ = "0.1.0"
