"""``Detector``: the one entry point every interface (CLI, batch, API, web page) calls."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from detector.bundle import Bundle, load_bundle
from detector.features import analyses
from detector.indicators import Analysis, IndicatorRegistry
from detector.inference import PROBE_POSTS, compile_predictor
from detector.result import LEVELS, ScoreResult

#: Longest post accepted (characters). Longer input is an error, never silently truncated.
MAX_TEXT_CHARS = 20_000


class InvalidTextError(ValueError):
    """The input is not a scoreable post (not a string, empty, too long, binary).

    ``code`` names the rule it broke (``not_string``, ``empty_text``, ``too_long``, ``nul_byte``)."""

    def __init__(self, message: str, code: str = "invalid_text") -> None:
        super().__init__(message)
        self.code = code


def text_problem(text: Any, max_chars: int = MAX_TEXT_CHARS) -> tuple[str, str] | None:
    """``(code, message)`` when ``text`` is not a scoreable post, else None: the one set of rules."""
    if not isinstance(text, str):
        return "not_string", f"text must be a string, got {type(text).__name__}"
    if not text.strip():
        return "empty_text", "text is empty"
    if len(text) > max_chars:
        return "too_long", f"text is {len(text)} characters long; the limit is {max_chars}"
    if "\x00" in text:
        return "nul_byte", "text contains a NUL byte"
    return None


def validate_text(text: Any, max_chars: int = MAX_TEXT_CHARS) -> str:
    problem = text_problem(text, max_chars)
    if problem is not None:
        raise InvalidTextError(problem[1], code=problem[0])
    return str(text)


class Detector:
    """Scores posts with a verified model bundle and explains each score with evidence."""

    def __init__(self, bundle: Bundle, registry: IndicatorRegistry | None = None) -> None:
        self.bundle = bundle
        self.pipeline = bundle.pipeline
        self.metadata = bundle.metadata
        self.registry = registry or IndicatorRegistry.default()
        self.labels: list[str] = list(self.metadata["labels"])
        self.thresholds: dict[str, float] = dict(self.metadata["thresholds"])
        classes = list(self.pipeline.classes_)
        self._col = {label: classes.index(label) for label in self.labels}
        #: ``pipeline.predict_proba`` without scikit-learn's per-call overhead (same numbers).
        self._predict_proba = compile_predictor(self.pipeline, [self.registry.analyze(t) for t in PROBE_POSTS])

    @classmethod
    def load(cls, path: str | Path | None = None, expected_sha256: str | None = None) -> Detector:
        """Load the shipped (or given) bundle; refuses a file whose hash does not verify."""
        return cls(load_bundle(path, expected_sha256))

    @property
    def version(self) -> str:
        return str(self.metadata["version"])

    def analyze(self, text: str) -> Analysis:
        return self.registry.analyze(validate_text(text))

    def level(self, risk_score: float) -> str:
        if risk_score >= self.thresholds["tinggi"]:
            return "tinggi"
        if risk_score >= self.thresholds["sedang"]:
            return "sedang"
        return "rendah"

    def score(self, text: str, *, id: str | None = None) -> ScoreResult:
        return self.score_many([text], ids=[id])[0]

    def score_many(self, texts: Sequence[str], ids: Sequence[str | None] | None = None) -> list[ScoreResult]:
        """Score a batch (one vectorised model call). Every text must pass :func:`validate_text`."""
        if isinstance(texts, str):
            raise TypeError("score_many expects a sequence of texts, not one string")
        docs = analyses([validate_text(t) for t in texts], self.registry)
        if not docs:
            return []
        proba = np.asarray(self._predict_proba(docs))
        ids = list(ids) if ids is not None else [None] * len(docs)
        return [self._result(a, p, i) for a, p, i in zip(docs, proba, ids, strict=True)]

    def _result(self, a: Analysis, p: np.ndarray, id_: str | None) -> ScoreResult:
        probs = {label: float(p[self._col[label]]) for label in self.labels}
        risk = probs["high"]
        level = self.level(risk)
        label = max(probs, key=lambda k: probs[k])
        if level == "tinggi":  # the level is the decision users act on; keep the label consistent
            label = "high"
        assert level in LEVELS
        return ScoreResult(
            risk_score=risk, risk_level=level, label=label, probabilities=probs,
            evidence=tuple(a.risk_hits), counter_evidence=tuple(a.counter_hits),
            money=tuple(a.money_dicts()), model_version=self.version, id=id_,
        )

    def iter_scores(self, texts: Iterable[str], batch_size: int = 512) -> Iterable[ScoreResult]:
        batch: list[str] = []
        for t in texts:
            batch.append(t)
            if len(batch) >= batch_size:
                yield from self.score_many(batch)
                batch = []
        if batch:
            yield from self.score_many(batch)
