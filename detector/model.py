"""The learned model: TF-IDF over stemmed words and characters + indicator features,
feeding a calibrated, class-weighted logistic regression over three classes."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from detector.features import IndicatorFeatures
from detector.text import StemmedWords, normalized_text

LABELS = ("low", "other_scam", "high")


@functools.cache
def _threadpools() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _single_openmp_thread() -> Any:
    return _threadpools().limit(limits=1, user_api="openmp")


class TppoClassifier(ClassifierMixin, BaseEstimator):
    """Class-weighted logistic regression with probabilities calibrated by cross-validation.

    One logistic regression is fitted on all data; a sigmoid (or isotonic) calibrator per class
    is learnt from out-of-fold decisions (``CalibratedClassifierCV(ensemble=False)``), so scoring
    costs a single linear model.
    """

    def __init__(self, *, C: float = 4.0, class_weight: str | dict[Any, float] | None = "balanced",
                 calibration: str = "sigmoid", cv: int = 5, max_iter: int = 3000,
                 random_state: int | None = 0) -> None:
        self.C = C
        self.class_weight = class_weight
        self.calibration = calibration
        self.cv = cv
        self.max_iter = max_iter
        self.random_state = random_state

    def _base(self) -> LogisticRegression:
        return LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=self.max_iter,
                                  random_state=self.random_state)

    def fit(self, X: Any, y: Any) -> TppoClassifier:
        if self.calibration not in ("sigmoid", "isotonic"):
            raise ValueError(f"calibration must be 'sigmoid' or 'isotonic', got {self.calibration!r}")
        if not (isinstance(self.C, (int, float)) and self.C > 0):
            raise ValueError(f"C must be a positive number, got {self.C!r}")
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"])
        check_classification_targets(y)
        self.classes_, counts = np.unique(y, return_counts=True)
        if len(self.classes_) < 2:
            raise ValueError(
                f"TppoClassifier needs samples of at least 2 classes in y; got 1 class ({self.classes_[0]!r})")
        n_splits = int(min(self.cv, counts.min()))
        if n_splits >= 2:
            folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=self.random_state)
            self.estimator_: Any = CalibratedClassifierCV(self._base(), method=self.calibration,
                                                          cv=folds, ensemble=False)
        else:  # too few examples of a class to calibrate: plain (still probabilistic) model
            self.estimator_ = clone(self._base())
        self.estimator_.fit(X, y)
        self.n_iter_ = np.atleast_1d(self._lr().n_iter_)
        return self

    def _lr(self) -> LogisticRegression:
        est = self.estimator_
        return est.calibrated_classifiers_[0].estimator if hasattr(est, "calibrated_classifiers_") else est

    def predict_proba(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "estimator_")
        X = validate_data(self, X, accept_sparse=["csr", "csc"], reset=False)
        proba: np.ndarray = self.estimator_.predict_proba(X)
        return proba

    def predict(self, X: Any) -> np.ndarray:
        proba = self.predict_proba(X)
        return np.asarray(self.classes_[np.argmax(proba, axis=1)])

    @property
    def coef_(self) -> np.ndarray:
        """Coefficients of the underlying logistic regression (for explanations)."""
        check_is_fitted(self, "estimator_")
        return np.asarray(self._lr().coef_)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def build_pipeline(*, C: float = 4.0, indicator_weight: float = 3.0, char_ngrams: bool = True,
                   random_state: int = 0) -> Pipeline:
    """The production pipeline. Input: posts as str (or ``Analysis`` objects); output: 3 classes."""
    parts: list[tuple[str, Any]] = [
        ("words", TfidfVectorizer(analyzer=StemmedWords(ngram_max=2), sublinear_tf=True, min_df=2,
                                  max_features=40_000, dtype=np.float32)),
    ]
    if char_ngrams:
        parts.append(("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5),
                                               preprocessor=normalized_text, lowercase=False,
                                               sublinear_tf=True, min_df=3, max_features=60_000,
                                               dtype=np.float32)))
    parts.append(("indicators", IndicatorFeatures()))
    union = FeatureUnion(parts, transformer_weights={"indicators": indicator_weight})
    return Pipeline([("features", union),
                     ("clf", TppoClassifier(C=C, random_state=random_state))])


def build_tfidf_baseline(random_state: int = 0) -> Pipeline:
    """Baseline: plain word TF-IDF on raw lower-cased text + logistic regression."""
    return Pipeline([
        ("tfidf", TfidfVectorizer(sublinear_tf=True, min_df=2, ngram_range=(1, 2))),
        ("clf", LogisticRegression(max_iter=3000, class_weight="balanced", random_state=random_state)),
    ])


def text_model(*, C: float = 4.0, random_state: int = 0, char_ngrams: bool = True, word_features: int = 40_000,
               char_features: int = 60_000) -> Pipeline:
    """Stemmed-word (1-2) and character (3-5) TF-IDF → class-weighted logistic regression."""
    parts: list[tuple[str, Any]] = [
        ("words", TfidfVectorizer(analyzer=StemmedWords(ngram_max=2), sublinear_tf=True, min_df=2,
                                  max_features=word_features, dtype=np.float32)),
    ]
    if char_ngrams:
        parts.append(("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), preprocessor=normalized_text,
                                               lowercase=False, sublinear_tf=True, min_df=3,
                                               max_features=char_features, dtype=np.float32)))
    return Pipeline([("features", FeatureUnion(parts)),
                     ("clf", LogisticRegression(C=C, class_weight="balanced", max_iter=3000,
                                                random_state=random_state))])


class TextRuleStack(ClassifierMixin, BaseEstimator):
    """Stacked model: out-of-fold class probabilities of the text model (stemmed-word and character
    TF-IDF + logistic regression) and the indicator features feed a gradient-boosted meta-model,
    whose probabilities are calibrated by cross-validation.

    The meta-model can learn interactions a linear model cannot, e.g. that an awareness post which
    quotes every bait word is not recruiting, or that a licensed G-to-G programme abroad is fine.
    Input: posts as str or ``Analysis`` objects.
    """

    def __init__(self, *, C: float = 4.0, char_ngrams: bool = True, cv: int = 5, max_iter: int = 200,
                 learning_rate: float = 0.05, max_leaf_nodes: int = 15, l2_regularization: float = 1.0,
                 random_state: int = 0) -> None:
        self.C = C
        self.char_ngrams = char_ngrams
        self.cv = cv
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.l2_regularization = l2_regularization
        self.random_state = random_state

    def _text_model(self) -> Pipeline:
        return text_model(C=self.C, char_ngrams=self.char_ngrams, random_state=self.random_state)

    def _meta_model(self, n_splits: int) -> Any:
        from sklearn.ensemble import HistGradientBoostingClassifier

        hgb = HistGradientBoostingClassifier(
            max_iter=self.max_iter, learning_rate=self.learning_rate, max_leaf_nodes=self.max_leaf_nodes,
            l2_regularization=self.l2_regularization, class_weight="balanced", random_state=self.random_state)
        folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=self.random_state)
        return CalibratedClassifierCV(hgb, method="sigmoid", cv=folds, ensemble=False)

    def fit(self, X: Any, y: Any) -> TextRuleStack:
        from detector.features import analyses

        docs = analyses(X)
        y = np.asarray(y)
        check_classification_targets(y)
        self.classes_, counts = np.unique(y, return_counts=True)
        if len(self.classes_) < 2:
            raise ValueError("TextRuleStack needs samples of at least 2 classes in y; got 1 class")
        n_splits = int(min(self.cv, counts.min()))
        if n_splits < 2:
            per_class = dict(zip(self.classes_, counts, strict=True))
            raise ValueError(f"TextRuleStack needs at least 2 samples per class, got {per_class}")
        from sklearn.model_selection import cross_val_predict

        folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=self.random_state)
        oof = cross_val_predict(self._text_model(), docs, y, cv=folds, method="predict_proba")
        self.text_ = self._text_model().fit(docs, y)
        self.rules_ = IndicatorFeatures().fit(docs)
        Z = np.hstack([oof, self.rules_.transform(docs)])
        self.meta_ = self._meta_model(n_splits).fit(Z, y)
        return self

    def _z(self, X: Any) -> np.ndarray:
        from detector.features import analyses

        check_is_fitted(self, "meta_")
        docs = analyses(X)
        return np.hstack([self.text_.predict_proba(docs), self.rules_.transform(docs)])

    def predict_proba(self, X: Any) -> np.ndarray:
        Z = self._z(X)
        # One OpenMP thread: the trees cost microseconds per post, and on a busy machine (batch
        # workers, uvicorn workers) OpenMP threads contend and make prediction ~100x slower.
        with _single_openmp_thread():
            proba: np.ndarray = self.meta_.predict_proba(Z)
        return proba

    def predict(self, X: Any) -> np.ndarray:
        return np.asarray(self.classes_[np.argmax(self.predict_proba(X), axis=1)])

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags
