"""Kinds of the written rows (:func:`detector.training.voices.written_kind`): only an awareness row that
tells of no particular offer is a ``warning``, since a warning trains the kind model that its words carry
no offer."""

from __future__ import annotations

import pytest

from detector.training.voices import written_kind


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
