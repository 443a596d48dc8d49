"""The compiled predictor (``detector.inference``) gives the estimators' own probabilities."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction.text import TfidfVectorizer

from detector import Detector, inference
from detector.features import analyses
from detector.inference import PROBE_POSTS, compile_predictor, compile_scorer
from detector.model import TextRuleStack, build_pipeline
from detector.offer_model import OfferRiskModel
from detector.text import StemmedWords, normalized_text

REPO = Path(__file__).resolve().parents[1]


def _posts(name: str, limit: int | None = None) -> list[str]:
    with (REPO / "data" / name).open(encoding="utf-8") as fh:
        return [json.loads(line)["text"] for line in fh if line.strip()][:limit]


@pytest.fixture(scope="module")
def shipped() -> Detector:
    return Detector.load()


def test_shipped_model_is_compiled_not_falling_back(shipped: Detector) -> None:
    assert shipped._predict_proba != shipped.pipeline.predict_proba
    assert shipped.compiled


# one post and 7 posts: the linear text models' numpy rows (SMALL_BATCH); 30 posts: scipy.sparse, each row
# sorted on its own; 440 posts: scipy.sparse, rows sorted through CSC (more entries than columns)
@pytest.mark.parametrize("batch", [1, 7, 30, 440], ids=["one-post", "small-batch", "mid-batch", "all-seed-posts"])
def test_compiled_shipped_model_equals_its_pipeline(shipped: Detector, batch: int) -> None:
    docs = analyses(_posts("seed_adverts.jsonl"), shipped.registry)[:batch]
    np.testing.assert_allclose(shipped._predict_proba(docs), shipped.pipeline.predict_proba(docs), rtol=0, atol=1e-12)


TRAIN = _posts("written_adverts.jsonl", 240)


@pytest.fixture(scope="module")
def labels() -> list[str]:
    with (REPO / "data" / "written_adverts.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line)["label"] for line in fh if line.strip()][:240]


@pytest.mark.parametrize(
    "make",
    [lambda: build_pipeline(random_state=1), lambda: TextRuleStack(cv=3, max_iter=30, random_state=1),
     lambda: OfferRiskModel(cv=3, max_iter=30, random_state=1),
     lambda: OfferRiskModel(cv=3, max_iter=30, use_text=False, random_state=1)],
    ids=["linear-pipeline", "text-rule-stack", "offer-risk-model", "offer-risk-model-rules-only"],
)
def test_compiled_freshly_trained_estimators_equal_their_own_predict_proba(make, labels: list[str]) -> None:  # noqa: ANN001
    est = make().fit(TRAIN, labels)
    probe = _posts("seed_adverts.jsonl", 60)
    fast = compile_predictor(est, PROBE_POSTS)
    assert fast != est.predict_proba
    np.testing.assert_allclose(fast(probe), est.predict_proba(probe), rtol=0, atol=1e-12)


@pytest.mark.parametrize("rows", [3, 50, inference.NATIVE_TREE_ROWS + 44],
                         ids=["numpy-walk-every-node", "numpy-walk", "native-predictors"])
def test_compiled_trees_equal_sklearn_raw_predictions_with_missing_values(rows: int) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 6))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5).astype(int)
    X[rng.random(X.shape) < 0.15] = np.nan  # learned missing-value directions
    hgb = HistGradientBoostingClassifier(max_iter=40, max_leaf_nodes=9, random_state=0).fit(X, y)
    raw = inference._hgb_raw(hgb)
    assert raw is not None
    Xt = rng.normal(size=(rows, 6))
    Xt[rng.random(Xt.shape) < 0.3] = np.nan
    np.testing.assert_array_equal(raw(Xt), hgb._raw_predict(Xt))
    np.testing.assert_allclose(compile_predictor(hgb, list(Xt[:3]))(Xt), hgb.predict_proba(Xt), rtol=0, atol=1e-12)


def test_compiled_trees_equal_sklearn_raw_predictions_one_row_at_a_time() -> None:
    """One row (a post scored alone): the 1-D walk, with and without missing features."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(400, 6))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5).astype(int)
    X[rng.random(X.shape) < 0.15] = np.nan
    hgb = HistGradientBoostingClassifier(max_iter=40, max_leaf_nodes=31, random_state=0).fit(X, y)
    raw = inference._hgb_raw(hgb)
    assert raw is not None
    Xt = rng.normal(size=(300, 6)) * rng.choice([0.01, 1.0, 100.0], size=(300, 1))
    Xt[rng.random(Xt.shape) < 0.05] = np.nan
    Xt[rng.random(Xt.shape) < 0.05] = np.inf
    for row in Xt:
        np.testing.assert_array_equal(raw(row[np.newaxis, :]), hgb._raw_predict(row[np.newaxis, :]))


def test_predictor_that_disagrees_on_probes_falls_back_with_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    est = build_pipeline(random_state=1).fit(TRAIN[:120], [*["low"] * 40, *["high"] * 40, *["other_scam"] * 40])
    monkeypatch.setattr(inference, "_proba", lambda e: lambda X: np.zeros((len(X), 3)))
    with pytest.warns(UserWarning, match="disagrees"):
        fast = compile_predictor(est, PROBE_POSTS)
    assert fast == est.predict_proba


def test_compiled_kind_equals_the_models_own_kinds(labels: list[str]) -> None:
    kinds = ["question" if i % 3 == 0 else "report" if i % 3 == 1 else "offer" for i in range(len(TRAIN))]
    est = OfferRiskModel(cv=3, max_iter=30, random_state=1).fit(TRAIN, labels, kind=kinds)
    score, compiled = compile_scorer(est, PROBE_POSTS)
    assert compiled
    probe = analyses(_posts("seed_adverts.jsonl", 60))
    proba, kinds = score(probe)
    assert kinds is not None and list(kinds) == list(est.predict_kind(probe))
    np.testing.assert_allclose(proba, est.predict_proba(probe), rtol=0, atol=1e-12)


def test_a_model_fitted_without_kinds_has_no_compiled_kind_and_says_offer(labels: list[str]) -> None:
    est = OfferRiskModel(cv=3, max_iter=30, random_state=1).fit(TRAIN, labels)
    score, compiled = compile_scorer(est, PROBE_POSTS)
    assert compiled and score(analyses(TRAIN[:3]))[1] is None
    assert set(est.predict_kind(TRAIN[:5])) == {"offer"}


@pytest.mark.parametrize(
    ("make", "by_tokens"),
    [(lambda: TfidfVectorizer(analyzer=StemmedWords(ngram_max=2)), True),
     (lambda: TfidfVectorizer(analyzer=StemmedWords(ngram_max=1)), True),
     (lambda: TfidfVectorizer(preprocessor=normalized_text, lowercase=False, ngram_range=(1, 2),
                              token_pattern=r"(?u)\b\w+\b|\?"), True),
     (lambda: TfidfVectorizer(preprocessor=normalized_text, ngram_range=(1, 1)), True),
     # a token pattern that may match a space: "a b" could be one token, so the analyzer is used
     (lambda: TfidfVectorizer(preprocessor=normalized_text, ngram_range=(1, 2), token_pattern=r"\w+(?: \w+)?"), False),
     (lambda: TfidfVectorizer(preprocessor=normalized_text, ngram_range=(1, 3)), False),
     (lambda: TfidfVectorizer(preprocessor=normalized_text, stop_words=["dan"]), False)],
    ids=["stemmed-bigrams", "stemmed-unigrams", "word-bigrams-question-mark", "word-unigrams",
         "pattern-with-space", "trigrams", "stop-words"],
)
def test_word_ngram_columns_by_token_ids_are_the_analyzers_columns(make, by_tokens: bool) -> None:  # noqa: ANN001
    vec = make().fit(TRAIN)
    tfidf = inference._Tfidf(vec)
    assert (tfidf.words is not None) is by_tokens
    get = vec.vocabulary_.get
    analyze = vec.build_analyzer()
    posts = _posts("seed_adverts.jsonl", 80)
    # a post of one token and an empty post between others: a bigram never spans two posts
    bigram = next((g for g in vec.vocabulary_ if " " in g), "kerja luar")
    first, second = bigram.split(" ", 1)
    docs = analyses([*posts, f"ok {first}", second, "", f"{second} {first}", first, f"{second}?"])
    for doc in docs:  # one post at a time (a dict of id pairs)
        expected = sorted(c for c in map(get, analyze(doc)) if c is not None)
        assert sorted(np.frombuffer(tfidf._columns(doc), dtype=tfidf.index).tolist()) == expected
    for batch in (docs, docs[-7:], docs[-4:-3]):  # a batch at a time (numpy, sorted pair keys)
        got, want = tfidf(batch), vec.transform(batch)
        assert (got != want).nnz == 0 and np.array_equal(got.indptr, want.indptr)


_TOKEN_PATTERN_PROBES = [
    "a bc d_e 12 x1?? ?a? é ño-ño ke-2 _ __x Ⅻ ٣٤ 漢字 a\u200bb", "?", "", "  ", "_?_", "ab?cd", "a" * 5,
    *_posts("seed_adverts.jsonl", 40),
]


@pytest.mark.parametrize("pattern", sorted(inference._SPACELESS_TOKEN_PATTERNS))
@pytest.mark.parametrize("alphabet", ["ab1_ ?-.é漢\u0301\n", "aZ9_ ?-.,/\t\n\x00~"], ids=["unicode", "ascii"])
def test_fast_token_patterns_find_the_same_tokens(pattern: str, alphabet: str) -> None:
    import random
    import re
    rng = random.Random(0)
    fuzz = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(30))) for _ in range(2000)]
    ascii_all = "".join(map(chr, range(128)))
    faster = re.compile(inference._SPACELESS_TOKEN_PATTERNS[pattern]).findall
    tokenize = inference._tokenizer(pattern)
    for text in [*_TOKEN_PATTERN_PROBES, ascii_all, ascii_all[::-1], *fuzz]:
        want = re.compile(pattern).findall(text)
        assert faster(text) == want, text
        assert tokenize(text) == want, text


@pytest.mark.parametrize(
    "make",
    [lambda: TfidfVectorizer(analyzer=StemmedWords(ngram_max=2)),
     lambda: TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), preprocessor=normalized_text, lowercase=False)],
    ids=["word-token-ids", "char-ngram-columns"],
)
def test_column_caches_stay_bounded_and_give_the_same_columns(make, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(inference, "WORD_CACHE_SIZE", 3)
    vec = make().fit(TRAIN)
    tfidf = inference._Tfidf(vec)
    docs = analyses(_posts("seed_adverts.jsonl", 30))
    got, want = tfidf(docs), vec.transform(docs)
    assert (got != want).nnz == 0
    memo = tfidf.words.token_ids if tfidf.words is not None else tfidf.per_word.__self__  # type: ignore[union-attr]
    assert 0 < len(memo) <= 3
