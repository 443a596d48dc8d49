"""Kinds of the written rows (:func:`detector.training.voices.written_kind`): only an awareness row that
tells of no particular offer is a ``warning``, since a warning trains the kind model that its words carry
no offer."""

from __future__ import annotations

import pytest

from detector.training.data import Record
from detector.training.voices import risk_label_known, tells_of_an_offer_of_unknown_risk, written_kind


@pytest.mark.parametrize(("category", "text", "kind"), [
    ("high_risk", "Dicari admin CS ke Kamboja gaji 15jt, japri", "offer"),
    ("job_seeker", "Cari kerja apa aja, lulusan SMK", "question"),
    ("awareness", "⚠️ WASPADA lowongan luar negeri: gaji tinggi tanpa pengalaman, visa turis. Cek P3MI di BP2MI.",
     "warning"),
    ("awareness", "Adik saya ditawari kerja di Laos gaji 12jt, tiket ditanggung. Aman gak ya?", "question"),
    ("awareness", "Barusan nemu postingan di grup loker: \"Butuh cewek 18-23 buat kerja di cafe, gaji 15jt\"",
     "report"),
    ("awareness", "Tolong viralkan, kakak saya berangkat ke Kamboja katanya kerja CS gaji 15jt, sekarang minta tolong",
     "report"),
    ("awareness", "Kemarin ada yg DM aku di IG: \"mau kerja jadi LC di Jepang? gaji 40jt\"", "report"),
    ("awareness", "Imigrasi menunda keberangkatan 17 WNI yang diduga akan bekerja nonprosedural ke Kamboja",
     "report"),
], ids=["advert", "job-seeker", "generic-warning", "asks-about-an-offer", "relays-a-post", "family-account",
        "dm-received", "event"])
def test_only_an_awareness_row_about_no_particular_offer_is_a_warning(category: str, text: str, kind: str) -> None:
    assert written_kind(category, text) == kind


@pytest.mark.parametrize(("category", "kind", "source", "unknown"), [
    ("awareness", "report", "seed", True),       # news of a particular offer, labelled low by the old policy
    ("awareness", "question", "written", True),
    ("awareness", "warning", "seed", False),     # a generic warning is rendah by policy: its low label holds
    ("scam_compound", "report", "case", False),  # a real case's label is the offer's risk in every voice
    ("pay_to_apply", "offer", "seed", False),
], ids=["awareness-report", "awareness-question", "awareness-warning", "case-report", "advert"])
def test_only_awareness_accounts_of_an_offer_have_an_unknown_risk_label(category: str, kind: str, source: str,
                                                                       unknown: bool) -> None:
    r = Record(id="r", text="t", label="low" if category == "awareness" else "high", category=category,
               source=source, kind=kind)
    assert tells_of_an_offer_of_unknown_risk(r) is unknown
    assert risk_label_known(r) is (not unknown and kind != "warning")
