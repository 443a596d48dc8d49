"""The Python API: contract fields, evidence offsets, money, errors, hard negatives."""

from __future__ import annotations

import pytest

from detector import Detector, InvalidTextError

CARD = "Dibutuhkan admin CS, gaji 15jt, tanpa pengalaman, kerja di 🇰🇭, tiket & visa ditanggung, info japri"


@pytest.fixture(scope="module")
def det() -> Detector:
    return Detector.load()


def test_result_record_has_the_contract_fields(det: Detector) -> None:
    rec = det.score(CARD, id="x1").to_dict()
    for key in ("id", "risk_score", "risk_level", "label", "flags", "evidence"):
        assert key in rec
    assert rec["id"] == "x1"
    assert rec["risk_level"] in ("rendah", "sedang", "tinggi")
    assert rec["label"] in ("low", "other_scam", "high")
    assert 0.0 <= rec["risk_score"] <= 1.0
    # The record rounds each probability to 4 decimals, so their sum is 1 within 3 half-units.
    assert abs(sum(rec["probabilities"].values()) - 1.0) <= 1.5e-4 + 1e-12
    assert abs(sum(det.score(CARD).probabilities.values()) - 1.0) < 1e-9
    assert rec["model_version"] == det.version


def test_card_example_is_high_risk_with_its_red_flags(det: Detector) -> None:
    res = det.score(CARD)
    assert res.risk_level == "tinggi" and res.label == "high"
    assert {"high_pay", "no_skills", "overseas", "paid_travel", "private_contact"} <= set(res.flags)
    assert res.destinations == ["kamboja"]


def test_evidence_offsets_index_the_original_text(det: Detector) -> None:
    res = det.score(CARD)
    for ev in res.to_dict()["evidence"]:
        assert CARD[ev["start"]:ev["end"]] == ev["text"]
        assert ev["reason_id"] and ev["reason_en"]
    flag = next(e for e in res.evidence if e.indicator == "overseas")
    assert flag.text == "🇰🇭"


def test_money_is_normalised_to_idr_per_month(det: Detector) -> None:
    money = det.score(CARD).money
    assert money and money[0]["text"] == "15jt"
    assert money[0]["idr_per_month_max"] == pytest.approx(15_000_000)


def test_counter_evidence_is_reported_separately(det: Detector) -> None:
    text = ("PT Arta Migran Sejahtera (P3MI, SIP2MI No. 45/2025) buka lowongan caregiver ke Taiwan, "
            "daftar lewat Disnaker dan SISKOP2MI.")
    res = det.score(text)
    names = {h.indicator for h in res.counter_evidence}
    assert {"licensed_agency", "official_registration"} <= names
    assert not {h.indicator for h in res.evidence} & names


def test_lang_selects_one_reason(det: Detector) -> None:
    ev = det.score(CARD).to_dict(lang="en")["evidence"][0]
    assert "reason" in ev and "reason_id" not in ev


@pytest.mark.parametrize(("bad", "message"), [
    ("", "empty"),
    ("   \n", "empty"),
    (None, "must be a string"),
    (123, "must be a string"),
    ("a" * 20_001, "limit"),
    ("gaji\x00 15jt", "NUL"),
])
def test_invalid_text_is_a_clear_error(det: Detector, bad: object, message: str) -> None:
    with pytest.raises(InvalidTextError, match=message):
        det.score(bad)  # type: ignore[arg-type]


def test_score_many_refuses_a_single_string(det: Detector) -> None:
    with pytest.raises(TypeError):
        det.score_many("one post")  # type: ignore[arg-type]


def test_batch_and_single_scores_agree(det: Detector) -> None:
    texts = [CARD, "Lowongan kasir toko, gaji UMR, lamaran ke toko langsung"]
    batch = det.score_many(texts)
    for t, r in zip(texts, batch, strict=True):
        assert det.score(t).risk_score == pytest.approx(r.risk_score)


REPOSTS = [CARD, "Lowongan kasir toko, gaji UMR, lamaran ke toko langsung", CARD, CARD + " ", CARD]


def test_a_repost_is_scored_once_and_gets_its_own_id(det: Detector) -> None:
    fresh = Detector(det.bundle, cache_size=4)
    results = fresh.score_many(REPOSTS, ids=["a", "b", "c", "d", None])
    assert (fresh.cache_misses, fresh.cache_hits) == (3, 2)  # CARD, the cashier post, CARD + " "
    assert [r.id for r in results] == ["a", "b", "c", "d", None]
    again = fresh.score(CARD, id="e")
    assert (fresh.cache_misses, fresh.cache_hits) == (3, 3) and again.id == "e"


def test_cached_results_equal_uncached_ones(det: Detector) -> None:
    cached, uncached = Detector(det.bundle), Detector(det.bundle, cache_size=0)
    first = [r.to_dict() for r in cached.score_many(REPOSTS, ids=list("abcde"))]
    second = [r.to_dict() for r in cached.score_many(REPOSTS, ids=list("abcde"))]  # all from the cache
    plain = [r.to_dict() for r in uncached.score_many(REPOSTS, ids=list("abcde"))]
    assert first == second == plain
    assert cached.cache_hits == 2 + len(REPOSTS) and uncached.cache_hits == 2  # within one batch, always
    assert len(uncached._cache) == 0


def test_the_cache_keeps_the_most_recently_used_texts(det: Detector) -> None:
    small = Detector(det.bundle, cache_size=2)
    small.score_many(["pos satu kasir", "pos dua satpam"])
    small.score("pos satu kasir")  # now the most recent
    small.score("pos tiga sopir")  # evicts "pos dua satpam"
    assert list(small._cache) == ["pos satu kasir", "pos tiga sopir"]


def test_score_many_refuses_ids_of_another_length(det: Detector) -> None:
    with pytest.raises(ValueError, match="2 texts but 1 ids"):
        det.score_many([CARD, CARD], ids=["only-one"])


def test_when_one_flag_repeats_thousands_of_times_then_evidence_is_capped_and_counted(det: Detector) -> None:
    from detector.result import MAX_EVIDENCE_PER_FLAG, MAX_EVIDENCE_PER_POST

    text = "🇰🇭 " * 6_600
    rec = det.score(text).to_dict()
    assert "overseas" in rec["flags"]
    kept = [e for e in rec["evidence"] if e["flag"] == "overseas"]
    assert len(kept) == MAX_EVIDENCE_PER_FLAG
    assert len(rec["evidence"]) + len(rec["counter_evidence"]) <= 2 * MAX_EVIDENCE_PER_POST
    assert rec["truncated"] >= 6_600 - MAX_EVIDENCE_PER_FLAG


def test_when_every_flag_fires_once_then_nothing_is_truncated(det: Detector) -> None:
    rec = det.score(CARD).to_dict()
    assert rec["truncated"] == 0


def test_cap_keeps_every_flags_first_hit_under_the_post_cap() -> None:
    from detector.indicators import Hit
    from detector.result import MAX_EVIDENCE_PER_POST, cap_evidence

    reason = det_reason()
    hits = [Hit(indicator=f"f{i % 30}", kind="risk", start=i, end=i + 1, text="x", score=0.5, weight=1.0,
                pattern="p", reason=reason) for i in range(600)]
    kept, cut = cap_evidence(hits)
    assert len(kept) == MAX_EVIDENCE_PER_POST and cut == 600 - MAX_EVIDENCE_PER_POST
    assert kept == tuple(sorted(kept, key=lambda h: h.start))
    assert {h.indicator for h in kept} == {f"f{i}" for i in range(30)}


def det_reason():  # type: ignore[no-untyped-def]
    from detector.indicators.base import Text2

    return Text2(id="alasan", en="reason")


def test_when_a_post_repeats_an_amount_thousands_of_times_then_money_is_capped_and_counted(det: Detector) -> None:
    from detector.result import MAX_MONEY_PER_POST

    rec = det.score("$1000 USD " * 1_900).to_dict()
    assert len(rec["money"]) == MAX_MONEY_PER_POST
    assert rec["truncated"] >= 1_900 - MAX_MONEY_PER_POST
