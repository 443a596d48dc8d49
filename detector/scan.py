"""Batch scanning (kept for compatibility): the implementation lives in :mod:`detector.batch`."""

from detector.batch import Row, ScanInputError, ScanSummary, check_row, scan, score_frame

__all__ = ["Row", "ScanInputError", "ScanSummary", "check_row", "scan", "score_frame"]
