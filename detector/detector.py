"""``Detector``: the one entry point every interface (CLI, batch, API, web page) calls."""

from __future__ import annotations

import gc
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import numpy as np

from detector.bundle import Bundle, load_bundle
from detector.features import analyses
from detector.indicators import Analysis, IndicatorRegistry
from detector.inference import PROBE_POSTS, compile_scorer
from detector.result import LEVELS, MAX_MONEY_PER_POST, ScoreResult, cap_evidence
from detector.validation import MAX_TEXT_CHARS, InvalidTextError, text_problem, validate_text

__all__ = ["CACHE_SIZE", "MAX_TEXT_CHARS", "Detector", "InvalidTextError", "text_problem", "validate_text"]

#: Recently scored texts kept per detector, so an exact repost (the same advert spammed across
#: groups, or a post the browser extension sees again) is scored once. Scoring is deterministic,
#: so a cached result is the result; 4,096 posts hold about 13 MB.
CACHE_SIZE = 4096


@contextmanager
def _collection_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused (if it runs) while a detector loads: loading makes ~10^5
    lasting objects, which set off full collections that free nothing (~0.2 s of a 1.2 s load)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Detector:
    """Scores posts with a verified model bundle and explains each score with evidence."""

    def __init__(self, bundle: Bundle, registry: IndicatorRegistry | None = None,
                 cache_size: int = CACHE_SIZE) -> None:
        self.bundle = bundle
        self.pipeline = bundle.pipeline
        self.metadata = bundle.metadata
        self.registry = registry or IndicatorRegistry.default()
        self.labels: list[str] = list(self.metadata["labels"])
        self.thresholds: dict[str, float] = dict(self.metadata["thresholds"])
        classes = list(self.pipeline.classes_)
        self._col = {label: classes.index(label) for label in self.labels}
        probes = [self.registry.analyze(t) for t in PROBE_POSTS]
        #: analyses → (class probabilities, kinds or None): the one prediction path of :meth:`score_many`;
        #: :attr:`compiled` is False when it fell back to the estimator's own (slow) methods, with a warning
        self._score, self.compiled = compile_scorer(self.pipeline, probes)
        #: False for a bundle from before ``kind``: every record then says ``offer``
        self.predicts_kind = getattr(self.pipeline, "kind_", None) is not None
        #: text -> its result without an id, least recently used first (see :data:`CACHE_SIZE`)
        self.cache_size = max(0, int(cache_size))
        self._cache: OrderedDict[str, ScoreResult] = OrderedDict()
        self._cache_lock = threading.Lock()
        #: texts answered from the cache / scored, since this detector was made
        self.cache_hits = self.cache_misses = 0

    @classmethod
    def load(cls, path: str | Path | None = None, expected_sha256: str | None = None,
             cache_size: int = CACHE_SIZE) -> Detector:
        """Load the shipped (or given) bundle; refuses a file whose hash does not verify."""
        with _collection_paused():
            return cls(load_bundle(path, expected_sha256), cache_size=cache_size)

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
        """Score a batch: one vectorised model call for its distinct texts not in the cache (see
        :data:`CACHE_SIZE`). Every text must pass :func:`validate_text`."""
        if isinstance(texts, str):
            raise TypeError("score_many expects a sequence of texts, not one string")
        valid = [validate_text(t) for t in texts]
        ids = list(ids) if ids is not None else [None] * len(valid)
        if len(ids) != len(valid):
            raise ValueError(f"score_many got {len(valid)} texts but {len(ids)} ids")
        known = self._cached(valid)
        todo = [t for t in dict.fromkeys(valid) if t not in known]  # each new text once, in order
        if todo:
            docs = analyses(todo, self.registry)
            proba, predicted = self._score(docs)
            kinds = predicted if predicted is not None else ["offer"] * len(docs)
            fresh = {t: self._result(a, p, str(k)) for t, a, p, k in zip(todo, docs, proba, kinds, strict=True)}
            self._remember(fresh)
            known.update(fresh)
        self.cache_hits += len(valid) - len(todo)
        self.cache_misses += len(todo)
        return [known[t] if i is None else replace(known[t], id=i) for t, i in zip(valid, ids, strict=True)]

    def _cached(self, texts: Sequence[str]) -> dict[str, ScoreResult]:
        if not self.cache_size:
            return {}
        out = {}
        with self._cache_lock:
            cache = self._cache
            for t in texts:
                res = cache.get(t)
                if res is not None:
                    cache.move_to_end(t)
                    out[t] = res
        return out

    def _remember(self, results: dict[str, ScoreResult]) -> None:
        if not self.cache_size:
            return
        with self._cache_lock:
            cache = self._cache
            cache.update(results)
            while len(cache) > self.cache_size:
                cache.popitem(last=False)

    def _predict_proba(self, docs: Sequence[Analysis]) -> np.ndarray:
        """``pipeline.predict_proba`` without scikit-learn's per-call overhead (same numbers)."""
        return self._score(docs)[0]

    def _result(self, a: Analysis, p: np.ndarray, kind: str) -> ScoreResult:
        probs = {label: float(p[self._col[label]]) for label in self.labels}
        risk = probs["high"]
        level = self.level(risk)
        label = max(probs, key=lambda k: probs[k])
        if level == "tinggi":  # the level is the decision users act on; keep the label consistent
            label = "high"
        assert level in LEVELS
        evidence, cut = cap_evidence(a.risk_hits)
        counter, cut_counter = cap_evidence(a.counter_hits)
        money = a.money_dicts()
        return ScoreResult(
            risk_score=risk, risk_level=level, label=label, probabilities=probs,
            evidence=evidence, counter_evidence=counter,
            money=tuple(money[:MAX_MONEY_PER_POST]), model_version=self.version, kind=kind,
            truncated=cut + cut_counter + max(0, len(money) - MAX_MONEY_PER_POST),
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
