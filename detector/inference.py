"""Exact, low-overhead ``predict_proba`` for the fitted estimators this project trains.

scikit-learn re-validates its input at every step of every call (``check_array`` with dataframe
probes, parameter validation, joblib dispatch inside ``FeatureUnion``): ~3.5 ms per call, which
dominated scoring one post. And ``CountVectorizer`` builds every character n-gram of every word in
Python. :func:`compile_predictor` walks a fitted estimator once and returns a function computing the
same probabilities from the fitted attributes:

* ``Pipeline``, ``FeatureUnion`` (weights, CSR ``hstack``) and ``TppoClassifier`` are composed
  without validation; a ``TextRuleStack`` runs its own ``predict_proba`` with its text model compiled;
* ``TfidfVectorizer``: counts are looked up per word from a cache of the word's vocabulary columns
  (``char_wb`` n-grams never cross whitespace), by token ids and pairs of them (word unigrams and
  bigrams, see :class:`_WordColumns`), or from the vectorizer's own analyzer; the tf-idf weighting
  and l2 norm are those of ``TfidfTransformer.transform``;
* TF-IDF features → multiclass logistic regression: a batch of at most :data:`SMALL_BATCH` posts (the
  browser extension's one post) is scored with numpy, row by row, in scipy's order of operations
  (:func:`_linear_text`), not through scipy.sparse, whose fixed cost per operation dominated one post;
* a logistic regression (>2 classes) and a sigmoid-calibrated ``CalibratedClassifierCV`` with one
  calibrated classifier are evaluated with the same numpy expressions as scikit-learn;
* a ``HistGradientBoostingClassifier`` without categorical features: all trees are flattened into
  node arrays and walked together, level by level, with numpy (scikit-learn calls one Cython
  predictor per tree, ~6 µs each: 600 trees cost ~6 ms per call however few posts it is given); leaf
  values are added in scikit-learn's order (baseline, then iteration by iteration); batches of
  :data:`NATIVE_TREE_ROWS` rows or more go to scikit-learn's own predictors on one thread instead;
* anything else runs through its own ``predict_proba`` or ``transform``.

The fitted estimator is never modified (the bundle can still be pickled as it was loaded). The
compiled function is checked against ``estimator.predict_proba`` on probe posts; if they differ by
more than :data:`TOLERANCE` the estimator's own method is used instead, with a warning.
"""

from __future__ import annotations

import re
import warnings
from array import array
from collections.abc import Callable, Sequence
from itertools import chain
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.extmath import safe_sparse_dot, softmax
from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2

from detector.memo import Memo
from detector.text import StemmedWords, token_feature

Transform = Callable[[Sequence[Any]], Any]
Proba = Callable[[Any], np.ndarray]

#: Largest difference from ``estimator.predict_proba`` accepted on the probe posts.
TOLERANCE = 1e-12
#: From this many rows on, the gradient-boosted trees run through scikit-learn's own Cython
#: predictors (one call per tree: cheaper per row on big batches); below it, the numpy walk
#: (scikit-learn's ~6 µs per tree and call would dominate a small batch).
NATIVE_TREE_ROWS = 256
#: Up to this many rows, the numpy tree walk first decides every node of every tree (a few thousand) for
#: each row and then follows one gather per level; beyond it, only the nodes on the rows' paths.
FEW_TREE_ROWS = 8
#: Largest batch a linear text model scores post by post, without scipy.sparse (see :func:`_linear_text`).
SMALL_BATCH = 8
#: Distinct words (char n-grams) or tokens (word n-grams) whose columns are cached, per vectorizer.
WORD_CACHE_SIZE = 200_000
#: Posts the compiled function is checked on (with a batch of all of them and each one alone).
PROBE_POSTS = (
    "LOKER CS ONLINE 🇰🇭 gaji 18jt/bln, tanpa pengalaman, tiket+visa+mess ditanggung. Usia 20-30, japri ya kak 🙏",
    "Dibutuhkan admin game di Myanmar. Gaji 1.500 USD, gak perlu skill. Biaya keberangkatan ditanggung.",
    "PT Maju Jaya (P3MI resmi, terdaftar SISKOP2MI) membuka lowongan perawat ke Jepang lewat program G to G.",
    "Dicari kurir paket area Tembalang, wajib punya SIM C. Gaji Rp 2.500.000 + uang bensin. Info WA 0812-xxxx",
    "Waspada! Modus lowongan kerja ke Kamboja dengan gaji besar adalah penipuan, laporkan ke BP2MI.",
    "Kerja dari rumah, cukup like & share, bayar pendaftaran 150rb dulu ya, cuan 500rb/hari 💰",
    "x",
)


def compile_predictor(estimator: Any, probes: Sequence[Any]) -> Proba:
    """A function equal to ``estimator.predict_proba``, checked on ``probes`` (posts or ``Analysis``)."""
    try:
        fast = _proba(estimator)
        batch = list(probes)
        want = np.asarray(estimator.predict_proba(batch))  # rows do not depend on the batch
        ok = _close(fast(batch), want) and all(_close(fast([p]), want[i:i + 1]) for i, p in enumerate(batch))
    except Exception as exc:  # an estimator shape this module misreads: never worse than the original
        warnings.warn(f"fast inference unavailable ({exc!r}); using the estimator as is", stacklevel=2)
        return estimator.predict_proba  # type: ignore[no-any-return]
    if not ok:
        warnings.warn("fast inference disagrees with the estimator on probe posts; using the estimator as is",
                      stacklevel=2)
        return estimator.predict_proba  # type: ignore[no-any-return]
    return fast


def _close(got: Any, want: Any) -> bool:
    got, want = np.asarray(got), np.asarray(want)
    return got.shape == want.shape and bool(np.all(np.abs(got - want) <= TOLERANCE))


# -- estimators ----------------------------------------------------------------------------------
Scorer = Callable[[Sequence[Any]], tuple[np.ndarray, np.ndarray | None]]


def compile_scorer(estimator: Any, probes: Sequence[Any]) -> tuple[Scorer, bool]:
    """``(score, compiled)``: ``score(docs)`` gives the class probabilities and the kinds (None for an
    estimator that predicts no kind: a bundle from before ``kind``), computing the kind model once for
    both. Checked against ``predict_proba`` and ``predict_kind`` on ``probes``; ``compiled`` is False when
    it fell back to the estimator's own methods (with a warning)."""
    from detector.offer_model import OfferRiskModel

    if not isinstance(estimator, OfferRiskModel) or estimator.kind_ is None:
        proba = compile_predictor(estimator, probes)
        return (lambda docs: (proba(docs), None)), proba is not estimator.predict_proba

    def slow(docs: Sequence[Any]) -> tuple[np.ndarray, np.ndarray | None]:
        return estimator.predict_proba(docs), estimator.predict_kind(docs)
    try:
        fast = _offer_scorer(estimator)
        # the estimator's own methods once, on all probes (a row does not depend on the batch); the compiled
        # function on all of them and on each alone (its one-post path)
        batch = list(probes)
        want_p, want_k = np.asarray(estimator.predict_proba(batch)), list(estimator.predict_kind(batch))
        ok = True
        for b, rows in [(batch, slice(None))] + [([p], slice(i, i + 1)) for i, p in enumerate(batch)]:
            got_p, got_k = fast(b)
            ok = ok and _close(got_p, want_p[rows]) and got_k is not None and list(got_k) == want_k[rows]
    except Exception as exc:  # an estimator shape this module misreads: never worse than the original
        warnings.warn(f"fast inference unavailable ({exc!r}); using the estimator as is", stacklevel=2)
        return slow, False
    if not ok:
        warnings.warn("fast inference disagrees with the estimator on probe posts; using the estimator as is",
                      stacklevel=2)
        return slow, False
    return fast, True


def _proba(est: Any) -> Proba:
    from detector.model import TextRuleStack, TppoClassifier
    from detector.offer_model import OfferRiskModel

    if isinstance(est, Pipeline):
        steps = [_transform(s) for _, s in est.steps[:-1] if s not in (None, "passthrough")]
        final = _proba(est.steps[-1][1])

        def pipeline(X: Any) -> np.ndarray:
            for step in steps:
                X = step(X)
            return final(X)
        return _linear_text(est, pipeline, steps[0] if len(steps) == 1 else None) or pipeline
    if isinstance(est, TppoClassifier):
        return _proba(est.estimator_)
    if isinstance(est, TextRuleStack):
        return _stack(est)
    if isinstance(est, OfferRiskModel):
        return _offer(est)
    if isinstance(est, CalibratedClassifierCV):
        return _calibrated(est)
    if isinstance(est, HistGradientBoostingClassifier) and len(est.classes_) > 2:
        raw = _hgb_raw(est)
        if raw is not None:
            return lambda X: softmax(raw(X), copy=False)
    if type(est) is LogisticRegression and len(est.classes_) > 2:
        decision = _decision(est)
        return lambda X: softmax(decision(X), copy=False)
    return est.predict_proba  # type: ignore[no-any-return]


def _stack(est: Any) -> Proba:
    """``TextRuleStack.predict_proba`` with its text model and its meta-model compiled."""
    from detector.features import analyses

    text, rules, meta = _proba(est.text_), est.rules_.transform, _proba(est.meta_)

    def stack(X: Any) -> np.ndarray:
        docs = analyses(X)
        return meta(np.hstack([text(docs), rules(docs)]))
    return stack


def _offer(est: Any) -> Proba:
    """``OfferRiskModel.predict_proba`` with its text, risk, fraud and kind models compiled."""
    scorer = _offer_scorer(est)
    return lambda X: scorer(X)[0]


def _offer_scorer(est: Any) -> Scorer:
    from detector.features import analyses
    from detector.offer_model import CLASSES, combine, decide_kinds
    from detector.risk_features import CLAIM_WORDS, without_claims

    text = _proba(est.text_)
    text_cols = [list(est.text_.classes_).index(c) if c in est.text_.classes_ else None for c in CLASSES]
    risk = _proba(est.risk_)
    fraud = _proba(est.fraud_) if est.fraud_ is not None else None
    kind = _proba(est.kind_) if est.kind_ is not None else None
    kind_classes = np.asarray(est.kind_.classes_, dtype=object) if est.kind_ is not None else None
    features, indicators = est.risk_features_.transform, est.indicators_.transform

    def score(X: Any) -> tuple[np.ndarray, np.ndarray | None]:
        docs = analyses(X)
        raw = text(without_claims(docs))
        t = np.column_stack([raw[:, c] if c is not None else np.zeros(len(docs)) for c in text_cols])
        p_high = risk(features(docs, text_high=t[:, 0]))[:, 1]
        p_fraud = fraud(np.hstack([indicators(docs), t]))[:, 1] if fraud is not None else np.zeros(len(docs))
        if kind is None or kind_classes is None:
            return combine(p_high, p_fraud), None
        kinds, share = decide_kinds(kind(without_claims(docs, CLAIM_WORDS)), kind_classes)
        return combine(p_high, p_fraud, share), kinds
    return score


def _hgb_raw(est: HistGradientBoostingClassifier) -> Proba | None:
    """``est._raw_predict`` for numeric features; None where the model has categorical splits."""
    predictors = est._predictors
    trees = [p for iteration in predictors for p in iteration]
    if not trees or any(len(it) != est.n_trees_per_iteration_ for it in predictors):
        return None
    nodes = [t.nodes for t in trees]
    if any(bool(n["is_categorical"].any()) for n in nodes):
        return None
    sizes = [len(n) for n in nodes]
    offsets = np.cumsum([0, *sizes[:-1]])
    flat = np.concatenate(nodes)
    shift = np.repeat(offsets, sizes)
    leaf = flat["is_leaf"].astype(bool)
    here = np.arange(len(flat), dtype=np.intp)
    # A leaf points to itself on both sides (feature 0, threshold +inf), so every tree can be walked
    # for the same number of levels without masking: once at a leaf, a post stays there.
    feature = np.where(leaf, 0, flat["feature_idx"]).astype(np.intp)
    threshold = np.where(leaf, np.inf, flat["num_threshold"]).astype(np.float64)
    missing_left = flat["missing_go_to_left"].astype(bool) | leaf
    left = np.where(leaf, here, flat["left"].astype(np.intp) + shift)
    right = np.where(leaf, here, flat["right"].astype(np.intp) + shift)
    value = flat["value"].astype(np.float64)
    roots = offsets.astype(np.intp)
    depth = int(flat["depth"].max())
    n_iter, k = len(predictors), est.n_trees_per_iteration_
    baseline = np.asarray(est._baseline_prediction, dtype=np.float64).reshape(1, 1, k)
    n_features = int(est.n_features_in_)

    def raw(X: Any) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != n_features:
            raise ValueError(f"expected {n_features} features, got shape {X.shape}")
        n = X.shape[0]
        if n >= NATIVE_TREE_ROWS:  # scikit-learn's own (Cython) predictors, on one thread
            return np.ascontiguousarray(est._raw_predict(X, n_threads=1))
        node = np.repeat(roots[np.newaxis, :], n, axis=0)
        rows = np.arange(n)[:, np.newaxis]
        if n <= FEW_TREE_ROWS:  # every node's next node at once, then one gather per level
            x = X[:, feature]
            go_left = x <= threshold  # False for NaN
            if np.isnan(X).any():
                go_left |= np.isnan(x) & missing_left
            following = np.where(go_left, left, right)
            if n == 1:  # one post (the browser extension's): 1-D gathers, two levels each
                two_on = following[0][following[0]]
                node = roots
                for _ in range((depth + 1) // 2):
                    node = two_on[node]
                node = node[np.newaxis, :]
            else:
                for _ in range(depth):
                    node = following[rows, node]
        else:
            for _ in range(depth):
                x = X[rows, feature[node]]
                go_left = x <= threshold[node]  # False for NaN
                nan = np.isnan(x)
                if nan.any():
                    go_left |= nan & missing_left[node]
                node = np.where(go_left, left[node], right[node])
        leaves = value[node].reshape(n, n_iter, k)
        # scikit-learn adds each tree's value in turn to the baseline: a sequential (cumulative) sum.
        summed = np.cumsum(np.concatenate([np.broadcast_to(baseline, (n, 1, k)), leaves], axis=1), axis=1)
        return np.ascontiguousarray(summed[:, -1, :])
    return raw


def _decision(lr: LogisticRegression) -> Proba:
    coef_t = lr.coef_.T if lr.coef_.ndim == 2 else lr.coef_
    intercept = lr.intercept_

    def decision(X: Any) -> np.ndarray:
        scores = safe_sparse_dot(X, coef_t, dense_output=True) + intercept
        return scores.reshape(-1) if scores.ndim > 1 and scores.shape[1] == 1 else scores  # type: ignore[no-any-return]
    return decision


def _calibrated(cv: CalibratedClassifierCV) -> Proba:
    """``CalibratedClassifierCV.predict_proba`` for one sigmoid-calibrated multiclass linear model."""
    if len(cv.calibrated_classifiers_) != 1:
        return cv.predict_proba  # type: ignore[no-any-return]
    cal = cv.calibrated_classifiers_[0]
    n_classes = len(cal.classes)
    if cal.method != "sigmoid" or n_classes < 2:
        return cv.predict_proba  # type: ignore[no-any-return]
    if type(cal.estimator) is LogisticRegression:
        decision: Proba | None = _decision(cal.estimator)
    elif type(cal.estimator) is HistGradientBoostingClassifier:
        decision = _hgb_raw(cal.estimator)  # its decision_function is the raw prediction
    else:
        decision = None
    if decision is None:
        return cv.predict_proba  # type: ignore[no-any-return]
    if n_classes == 2:
        s = cal.calibrators[0]
        a, b = np.asarray(s.a_), np.asarray(s.b_)

        def binary(X: Any) -> np.ndarray:
            pred = np.asarray(decision(X)).reshape(-1)
            proba = np.zeros((pred.shape[0], 2))
            proba[:, 1] = expit(-(a * pred + b))
            proba[:, 0] = 1.0 - proba[:, 1]
            proba[(1.0 < proba) & (proba <= 1.0 + 1e-5)] = 1.0
            return proba
        return binary
    columns = LabelEncoder().fit(cal.classes).transform(cal.estimator.classes_)
    sigmoids = [(int(c), np.asarray(s.a_), np.asarray(s.b_)) for c, s in zip(columns, cal.calibrators, strict=True)]

    def calibrated(X: Any) -> np.ndarray:
        pred = decision(X)
        proba = np.zeros((pred.shape[0], n_classes))
        for j, (col, a, b) in enumerate(sigmoids):
            proba[:, col] = expit(-(a * pred[:, j] + b))
        denominator = np.sum(proba, axis=1)[:, np.newaxis]
        proba = np.divide(proba, denominator, out=np.full_like(proba, 1 / n_classes), where=denominator != 0)
        proba[(1.0 < proba) & (proba <= 1.0 + 1e-5)] = 1.0
        return proba  # scikit-learn averages over calibrated classifiers: here there is one
    return calibrated


# -- linear text models ----------------------------------------------------------------------------
class _OneRow:
    """The attributes of a one-row CSR matrix that ``inplace_csr_row_normalize_l2`` reads."""

    def __init__(self, data: np.ndarray, indices: np.ndarray, n_columns: int) -> None:
        self.data, self.indices = data, indices
        self.indptr = np.array([0, len(indices)], dtype=indices.dtype)
        self.shape = (1, n_columns)


def _linear_text(pipe: Pipeline, generic: Proba, features: Transform | None) -> Proba | None:
    """``Pipeline([TF-IDF or a FeatureUnion of them, multiclass LogisticRegression])``: a batch of at most
    :data:`SMALL_BATCH` posts is scored post by post with numpy, larger ones by ``generic`` (whose compiled
    first step is ``features``: its TF-IDF vectorizers, and their caches, serve both); None for any
    other pipeline. scipy.sparse costs tens of µs per matrix operation whatever its size (building,
    summing duplicates, normalising, stacking, multiplying): for one post the text model spent ~400 µs
    there and ~45 µs on its features.

    The numbers are scipy's: each TF-IDF row is :meth:`_Tfidf.row`, and the decision is the sum of the
    products value × coefficient taken in the row's column order and accumulated one by one in the
    coefficients' precision, as scipy's CSR × dense product does (``np.cumsum`` is sequential), plus the
    intercept."""
    if len(pipe.steps) != 2:
        return None
    clf = pipe.steps[1][1]
    if type(clf) is not LogisticRegression or len(clf.classes_) <= 2:
        return None
    if isinstance(features, _Tfidf):
        tfidfs = [features]
    elif isinstance(features, _Union) and all(isinstance(t, _Tfidf) and w is None for t, w in features.parts):
        tfidfs = [t for t, _ in features.parts]  # type: ignore[misc]  # all _Tfidf, checked above
    else:
        return None
    offsets = [int(o) for o in np.cumsum([0] + [len(t.vocabulary) for t in tfidfs[:-1]])]
    coef_t = np.ascontiguousarray(clf.coef_.T)
    dtype = np.result_type(*(t.dtype for t in tfidfs), coef_t.dtype)
    intercept = np.asarray(clf.intercept_)

    def proba(X: Any) -> np.ndarray:
        if isinstance(X, str) or len(X) > SMALL_BATCH:
            return generic(X)
        decision = np.zeros((len(X), coef_t.shape[1]), dtype=dtype)
        for i, doc in enumerate(X):
            rows = [tfidf.row(doc) for tfidf in tfidfs]
            cols = np.concatenate([c.astype(np.intp) + offset for (c, _), offset in zip(rows, offsets, strict=True)])
            if len(cols):
                values = np.concatenate([v for _, v in rows])
                decision[i] = np.cumsum(values[:, np.newaxis] * coef_t[cols], axis=0, dtype=dtype)[-1]
        return softmax(decision + intercept, copy=False)  # type: ignore[no-any-return]
    return proba


# -- transformers --------------------------------------------------------------------------------
def _transform(t: Any) -> Transform:
    if isinstance(t, FeatureUnion):
        return _union(t)
    if type(t) is TfidfVectorizer and t.input == "content" and not t.binary and t.norm in ("l2", None):
        return _Tfidf(t)
    return t.transform  # type: ignore[no-any-return]


def _union(u: FeatureUnion) -> Transform:
    weights = u.transformer_weights or {}
    parts = [(_transform(t), weights.get(name)) for name, t in u.transformer_list if t != "drop"]
    if not parts or any(t == "passthrough" for _, t in u.transformer_list):
        return u.transform  # type: ignore[no-any-return]
    return _Union(parts)


class _Union:
    """``FeatureUnion.transform``: its compiled ``parts`` (with their weights), stacked as scikit-learn does."""

    def __init__(self, parts: list[tuple[Transform, Any]]) -> None:
        self.parts = parts

    def __call__(self, X: Any) -> Any:
        Xs = [f(X) if w is None else f(X) * w for f, w in self.parts]
        if any(sp.issparse(x) for x in Xs):  # = sp.hstack(Xs).tocsr(), without the detour through COO
            return sp.hstack([x if sp.issparse(x) else sp.csr_matrix(x) for x in Xs], format="csr")
        return np.hstack(Xs)


#: Token patterns whose tokens never contain a space, so a vocabulary entry "a b" can only be a bigram,
#: each with a pattern whose ``findall`` gives the same tokens faster: in a left-to-right scan a run of
#: word characters is always entered at its first character and taken whole, so the word boundaries
#: ``\b`` can never fail there (``test_fast_token_patterns_find_the_same_tokens``).
_SPACELESS_TOKEN_PATTERNS = {r"(?u)\b\w\w+\b": r"\w\w+", r"(?u)\b\w+\b|\?": r"\w+|\?"}
#: ASCII characters that are not ``\w`` (letters, digits, ``_``) → a space; "?" is kept.
_ASCII_NON_WORD = str.maketrans({c: " " for c in map(chr, range(128)) if not (c.isalnum() or c in "_?")})


def _tokenizer(pattern: str) -> Callable[[str], list[str]]:
    r"""``re.findall`` of one of :data:`_SPACELESS_TOKEN_PATTERNS`; on an ASCII text (where ``\w`` is
    ``[A-Za-z0-9_]``) by C string methods instead: the runs of word characters, and each "?" for the
    pattern that has it."""
    findall = re.compile(_SPACELESS_TOKEN_PATTERNS[pattern]).findall
    if pattern.endswith(r"|\?"):
        def words_and_questions(text: str) -> list[str]:
            if not text.isascii():
                return findall(text)  # type: ignore[no-any-return]
            return text.replace("?", " ? ").translate(_ASCII_NON_WORD).split()
        return words_and_questions

    def words(text: str) -> list[str]:
        if not text.isascii():
            return findall(text)  # type: ignore[no-any-return]
        return [w for w in text.replace("?", " ").translate(_ASCII_NON_WORD).split() if len(w) > 1]
    return words


class _WordTokens(NamedTuple):
    """How a word vectorizer's analyzer reads a post: its ``raw`` tokens, each made a unigram by ``feature``
    (None: as it is); its n-grams are these unigrams and, up to ``ngram_max``, pairs of them."""

    raw: Callable[[Any], list[str]]
    feature: Callable[[str], str] | None
    ngram_max: int


def _word_tokens(vec: TfidfVectorizer) -> _WordTokens | None:
    """How ``vec``'s analyzer tokenises (None: another analyzer, used as it is).

    Our :class:`~detector.text.StemmedWords` (n-grams up to 2), or scikit-learn's ``word`` analyzer with
    n-grams 1 to 1 or 2, no stop words and a token pattern of :data:`_SPACELESS_TOKEN_PATTERNS`."""
    if isinstance(vec.analyzer, StemmedWords):
        ngram_max = vec.analyzer.ngram_max
        return _WordTokens(StemmedWords.raw_tokens, token_feature, ngram_max) if ngram_max in (1, 2) else None
    if (vec.analyzer != "word" or vec.stop_words is not None or vec.tokenizer is not None
            or vec.ngram_range not in ((1, 1), (1, 2)) or vec.token_pattern not in _SPACELESS_TOKEN_PATTERNS):
        return None
    decode, preprocess = vec.decode, vec.build_preprocessor()
    tokenize = _tokenizer(vec.token_pattern)
    return _WordTokens(lambda doc: tokenize(preprocess(decode(doc))), None, vec.ngram_range[1])


class _WordColumns:
    """The vocabulary columns of a word vectorizer's unigrams and bigrams, found through token ids.

    Every unigram that occurs in the vocabulary, alone or in a bigram, gets an id (``unknown`` = their
    number, for any other); a bigram is then the pair of its ids, and a post's columns are those of its
    ids and of its consecutive pairs of ids. A batch looks its pairs up all at once, as ``a × n + b`` keys
    in a sorted array (numpy), a single post in a dict."""

    def __init__(self, words: _WordTokens, vocabulary: dict[str, int]) -> None:
        self.raw = words.raw
        grams = [(g.split(" "), c) for g, c in vocabulary.items()]
        ids: dict[str, int] = {}
        for parts, _ in grams:
            for w in parts:
                ids.setdefault(w, len(ids))
        self.unknown = len(ids)
        self.n = len(ids) + 1
        unigram = np.full(self.n, -1, dtype=np.intp)
        pairs: dict[tuple[int, int], int] = {}
        for parts, c in grams:
            if len(parts) == 1:
                unigram[ids[parts[0]]] = c
            else:
                pairs[(ids[parts[0]], ids[parts[1]])] = c
        self.unigram, self.unigram_list = unigram, unigram.tolist()
        self.pairs = pairs if words.ngram_max >= 2 else {}
        keys = np.array([a * self.n + b for a, b in self.pairs], dtype=np.int64)
        order = np.argsort(keys)
        self.pair_keys = keys[order]
        self.pair_columns = np.array(list(self.pairs.values()), dtype=np.intp)[order]
        feature, unknown = words.feature, self.unknown
        # raw token -> the id of its unigram (unknown for a unigram in no n-gram of the vocabulary)
        self.token_ids: Memo[str, int] = Memo(lambda raw: ids.get(raw if feature is None else feature(raw), unknown),
                                              WORD_CACHE_SIZE)

    def of_post(self, doc: Any) -> list[int]:
        """The column of every unigram and bigram occurrence in ``doc``."""
        ids = list(map(self.token_ids.__getitem__, self.raw(doc)))
        found = [c for c in map(self.unigram_list.__getitem__, ids) if c >= 0]
        if self.pairs:
            found += [c for c in map(self.pairs.get, zip(ids, ids[1:], strict=False)) if c is not None]
        return found

    def of_batch(self, docs: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
        """``(rows, columns)`` of every unigram and bigram occurrence in ``docs``."""
        tokens = [self.raw(doc) for doc in docs]
        lengths = np.fromiter(map(len, tokens), dtype=np.intp, count=len(tokens))
        flat = list(chain.from_iterable(tokens))
        ids = np.fromiter(map(self.token_ids.__getitem__, flat), dtype=np.intp, count=len(flat))
        rows = np.repeat(np.arange(len(docs), dtype=np.intp), lengths)
        columns = self.unigram[ids]
        known = columns >= 0
        rows_found, columns_found = [rows[known]], [columns[known]]
        if len(self.pair_keys) and len(ids) > 1:
            keys = ids[:-1].astype(np.int64) * self.n + ids[1:]
            at = np.minimum(np.searchsorted(self.pair_keys, keys), len(self.pair_keys) - 1)
            hit = (self.pair_keys[at] == keys) & (rows[:-1] == rows[1:])  # a pair never spans two posts
            rows_found.append(rows[:-1][hit])
            columns_found.append(self.pair_columns[at[hit]])
        return np.concatenate(rows_found), np.concatenate(columns_found)


class _Tfidf:
    """``TfidfVectorizer.transform`` without per-call validation, with cached per-word n-gram columns."""

    def __init__(self, vec: TfidfVectorizer) -> None:
        self.vocabulary: dict[str, int] = vec.vocabulary_
        self.dtype = vec.dtype
        self.sublinear_tf = bool(vec.sublinear_tf)
        self.idf: np.ndarray | None = np.asarray(vec.idf_) if vec.use_idf else None
        self.l2 = vec.norm == "l2"
        self.analyze = vec.build_analyzer()
        # Column indices as raw bytes of C ints: a document's columns are one bytes.join away.
        self.index = np.int32 if len(self.vocabulary) <= np.iinfo(np.int32).max else np.int64
        self.typecode = "i" if self.index is np.int32 else "q"
        assert array(self.typecode).itemsize == np.dtype(self.index).itemsize
        self.per_word: Callable[[str], bytes] | None = None
        # Word unigrams and bigrams: looked up by token ids, without joining every bigram into a string.
        words = _word_tokens(vec)
        self.words = _WordColumns(words, self.vocabulary) if words is not None else None
        if vec.analyzer == "char_wb":
            self.preprocess = vec.build_preprocessor()
            self.decode = vec.decode
            ngrams = CountVectorizer(analyzer="char_wb", ngram_range=vec.ngram_range, lowercase=False).build_analyzer()
            vocab, typecode = self.vocabulary, self.typecode

            def columns(word: str) -> bytes:
                return array(typecode, [c for g in ngrams(word) if (c := vocab.get(g)) is not None]).tobytes()
            self.per_word = Memo(columns, WORD_CACHE_SIZE).__getitem__

    def _columns(self, doc: Any) -> bytes:
        """The vocabulary column of every n-gram occurrence in ``doc`` (repeats are counted later)."""
        if self.per_word is not None:
            return b"".join(map(self.per_word, self.preprocess(self.decode(doc)).split()))
        if self.words is not None:
            return array(self.typecode, self.words.of_post(doc)).tobytes()
        get = self.vocabulary.get
        return array(self.typecode, [c for c in map(get, self.analyze(doc)) if c is not None]).tobytes()

    def row(self, doc: Any) -> tuple[np.ndarray, np.ndarray]:
        """``(columns, values)`` of ``doc``'s row of :meth:`__call__` (columns sorted), without building a
        sparse matrix: the same operations on the same numbers, so the same values."""
        cols, counts = np.unique(np.frombuffer(self._columns(doc), dtype=self.index), return_counts=True)
        data = counts.astype(self.dtype)
        if self.sublinear_tf:
            np.log(data, data)
            data += 1.0
        if self.idf is not None:
            data *= self.idf[cols]
        if self.l2:
            inplace_csr_row_normalize_l2(_OneRow(data, cols, len(self.vocabulary)))
        return cols, data

    def __call__(self, docs: Sequence[Any]) -> Any:
        if isinstance(docs, str):
            raise ValueError("Iterable over raw text documents expected, string object received.")
        indptr = np.zeros(len(docs) + 1, dtype=self.index)
        if self.words is not None:
            rows, columns = self.words.of_batch(docs)
            indptr[1:] = np.cumsum(np.bincount(rows, minlength=len(docs)))
            j = columns[np.argsort(rows, kind="stable")].astype(self.index)
        else:
            parts = [self._columns(doc) for doc in docs]
            width = np.dtype(self.index).itemsize
            indptr[1:] = np.cumsum(np.array([len(b) for b in parts], dtype=np.int64) // width)
            j = np.frombuffer(bytearray(b"".join(parts)), dtype=self.index)  # writable: indices get sorted
        # One entry per occurrence; summing duplicates (in C) gives the counts, sorted by column.
        X = sp.csr_matrix((np.ones(len(j), dtype=self.dtype), j, indptr),
                          shape=(len(docs), len(self.vocabulary)), dtype=self.dtype)
        # Sorting each row's columns (what sum_duplicates does first) is a comparison sort per row;
        # to CSC and back is two counting sorts, linear in entries + columns, leaving every row sorted:
        # the same matrix, ~4x faster on a batch of char n-grams (~530 occurrences per post), but a
        # loss when the entries are few beside the columns (one post: ~70 µs for 40,000 columns).
        if X.nnz >= X.shape[1]:
            X = X.tocsc().tocsr()
        X.sum_duplicates()
        if self.sublinear_tf:
            np.log(X.data, X.data)
            X.data += 1.0
        if self.idf is not None:
            X.data *= self.idf[X.indices]
        if self.l2:
            inplace_csr_row_normalize_l2(X)
        return X
