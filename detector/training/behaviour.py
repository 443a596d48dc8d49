"""Behavioural tests of a model (CheckList style): minimum functionality, invariance, direction.

The tables live here so that ``tests/behaviour/`` runs them in CI and ``detector train`` reports the
same pass rates in EVALUATION.md. The texts are ours, written for these tests only: no training row is
one of them, and the voice frames here differ from the ones :mod:`detector.training.voices` trains on.

* **minimum functionality**: a clear case must get its level, label or kind.
* **invariance**: the level must not change when only the telling changes: voice (asked about,
  forwarded, told as a report), case, emoji, line breaks, names and cities, a phone number or a
  hashtag, one typo.
* **direction**: adding a red flag never lowers risk; a licence claim never clears a post with a
  strong red flag; more pay for the same unskilled job abroad never lowers risk, from the destination's
  legal minimum up (below it the pay is underpayment, the ``wage_anomaly`` red flag, see
  :func:`applicable`). "Never lowers" allows
  :data:`SCORE_TOLERANCE` for floating-point noise only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

_LEVELS = ("rendah", "sedang", "tinggi")
#: A directional case passes when the new score is at least the old one minus this.
SCORE_TOLERANCE = 1e-9
#: Pass rates the issue asks for, per family.
TARGETS = {"minimum_functionality": 1.0, "invariance": 0.97, "direction_red_flag": 0.99,
           "direction_licence": 0.99, "direction_pay": 0.99}

#: (id, text, what must hold): level / label / kind expectations of clear cases.
MINIMUM: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("scam-compound-advert", "Lowongan CS online di Sihanoukville, gaji 1.200 USD/bln, gak perlu pengalaman, "
     "tiket pesawat & visa ditanggung bos. Berangkat pakai visa turis dulu, minat langsung WA 0813-xxxx-xxxx",
     {"level": "tinggi", "label": "high", "kind": "offer"}),
    ("card-advert-with-emoji", "🇰🇭 LOKER ADMIN CS, gaji 15jt/bln, tanpa pengalaman, tiket & visa ditanggung, "
     "berangkat minggu depan. Minat japri ya kak 🙏", {"level": "tinggi", "label": "high", "kind": "offer"}),
    ("umrah-visa-domestic-worker", "Dicari ART untuk majikan di Riyadh, gaji 6 juta, berangkat pakai visa umroh, "
     "gratis semua biaya, paspor nanti dipegang agen biar aman. Usia 18-35. Japri aja",
     {"level": "tinggi", "label": "high"}),
    ("fishing-crew-debt", "Butuh ABK kapal ikan Taiwan, tanpa sertifikat BST tidak apa-apa, gaji 450 USD, "
     "biaya keberangkatan dipotong dari gaji 8 bulan pertama. Buku pelaut diurus kami, berangkat minggu depan",
     {"level": "tinggi", "label": "high"}),
    ("minor-bar-hostess", "Cari cewek usia 16-20 thn buat LC karaoke di Batam, gaji 10jt + tips, mess gratis, "
     "tanpa izin ortu gpp, ongkos jalan kami tanggung. DM aja ya",
     {"level": "tinggi", "label": "high"}),
    ("question-about-cambodia-offer", "Min, saya ditawari kerja jadi admin di Kamboja gaji 15 juta, katanya tanpa "
     "pengalaman dan tiket ditanggung, nanti paspor dipegang perusahaan. Aman gak ya?",
     {"level": "tinggi", "kind": "question"}),
    ("report-of-myanmar-offer", "Polres menangkap perekrut yang memberangkatkan empat pemuda ke Myanmar. Korban "
     "dijanjikan kerja sebagai operator komputer bergaji 20 juta tanpa keahlian, berangkat dengan visa turis "
     "lewat Thailand, lalu paspornya ditahan.",
     {"level": "tinggi", "kind": "report"}),
    ("task-scam", "Halo kak, saya HR dari marketplace, ada kerja paruh waktu cukup like dan follow toko, komisi "
     "50rb per tugas. Untuk tugas premium isi saldo dulu 200rb ya, nanti cair 2x lipat",
     {"label": "other_scam", "level_not": "tinggi"}),
    ("pay-to-apply-bumn", "REKRUTMEN BERSAMA BUMN 2026 dibuka untuk lulusan SMA/SMK. Wajib transfer biaya "
     "pendaftaran dan seragam Rp350.000 ke rekening panitia sebelum tes. Daftar lewat link bit.ly/xxxx",
     {"label": "other_scam", "level_not": "tinggi"}),
    ("local-shop-job", "Dicari pramuniaga toko baju di Pasar Klewer Solo, jam 8-16, gaji 2,2 juta + makan siang. "
     "Lamaran antar langsung ke toko, tanya Bu Sri",
     {"level": "rendah", "label": "low", "kind": "offer"}),
    ("g-to-g-korea", "Pendaftaran Program G to G Korea (EPS-TOPIK) sektor manufaktur dibuka lewat SISKOP2MI. "
     "Syarat lulus ujian EPS-TOPIK, tanpa biaya calo. Info resmi hanya di kanal KP2MI dan BP3MI.",
     {"level_not": "tinggi", "label_not": "high"}),
    ("generic-warning", "WASPADA! Ciri lowongan kerja luar negeri palsu: gaji terlalu tinggi, tanpa syarat, "
     "berangkat pakai visa turis, komunikasi hanya lewat WA. Cek dulu di KP2MI sebelum berangkat.",
     {"level": "rendah", "kind": "warning"}),
    ("not-about-a-job", "Bu, nanti jemput adek jam 2 ya di sekolah, aku masih rapat. Jangan lupa beli gas.",
     {"level": "rendah", "kind": "other"}),
)

#: Offers the invariance and direction families perturb: (id, text, is_risky_unskilled_abroad).
BASES: tuple[tuple[str, str], ...] = (
    ("kh-admin", "Lowongan admin chat di Phnom Penh, gaji 14 jt per bulan, tanpa pengalaman, tiket dan visa "
     "ditanggung perusahaan. Minat chat Mas Dimas 0812-xxxx-xxxx"),
    ("mm-operator", "Dibutuhkan operator komputer di Myawaddy, gaji 1.000 USD, tidak perlu skill, berangkat via "
     "Bangkok pakai visa kunjungan. Hubungi Bu Ratna di Medan"),
    ("sa-art", "Info kerja ART di Jeddah, gaji 5,5 jt, berangkat lewat jalur umroh, semua biaya dari sponsor, "
     "potong gaji 6 bulan. Daftar ke Pak Haris di Cianjur"),
    ("my-sawit", "Kerja kebun sawit Sabah, gaji RM 2.000, tanpa paspor kerja, masuk lewat jalur tikus Nunukan, "
     "ongkos ditalangi dulu. Info Bang Udin di Makassar"),
    ("jp-dancer", "Dicari penari untuk klub di Osaka, gaji 25 juta, yang penting cantik dan berani tampil, usia "
     "18-25, visa diurus kami. Kontak Kak Sinta di Bandung"),
    ("tw-abk", "Rekrut ABK kapal ikan Taiwan, gaji 400 USD, tanpa pengalaman melaut, dokumen pelaut kami buatkan, "
     "biaya dipotong gaji. Hub Pak Joko di Tegal"),
    ("shop-solo", "Dicari kasir toko bangunan di Solo, gaji 2,4 juta, min SMA, pengalaman 1 tahun. Lamaran ke "
     "Jl. Slamet Riyadi 12, Bu Wati"),
    ("nurse-de", "Program perawat ke Jerman lewat kerja sama resmi KP2MI, wajib STR dan bahasa Jerman B1, "
     "gaji sesuai kontrak. Pendaftaran di SISKOP2MI, info dari Pak Andi di Jakarta"),
    ("cafe-jogja", "Cafe di Jogja cari barista, gaji 2 juta + service, training dulu 2 minggu. Kirim CV ke "
     "email kami, tanya Mbak Rina"),
)

_RED_FLAGS = (
    "Paspor nanti dipegang perusahaan selama kontrak.",
    "Berangkatnya pakai visa turis ya, jangan bilang mau kerja.",
    "Jangan kasih tau keluarga dulu sampai berangkat.",
    "Biaya proses 15 juta dipotong dari gaji.",
    "Slot tinggal 3, harus berangkat minggu ini!",
    "Tidak perlu ijazah, yang penting mau kerja.",
)
_LICENCE = " Resmi terdaftar di SISKOP2MI, P3MI berizin SIP2MI No. 123/2024."
_STRONG = ("kh-admin", "mm-operator", "sa-art", "my-sawit", "tw-abk")


def _voices(text: str) -> list[tuple[str, str]]:
    return [
        ("asked", f"Teman2, kakak saya dapet tawaran kerja kayak gini: {text} Menurut kalian gimana?"),
        ("forwarded", f"Diteruskan dari grup RT:\n\n{text}"),
        ("reported", f"Warga kampung kami melaporkan pesan yang mereka terima: {text}"),
    ]


def _perturbations(text: str) -> list[tuple[str, str]]:
    swapped = text.replace("Mas Dimas", "Mbak Yuli").replace("Bu Ratna", "Pak Rahmat").replace("Medan", "Padang")
    swapped = swapped.replace("Cianjur", "Garut").replace("Makassar", "Kendari").replace("Bandung", "Bekasi")
    swapped = swapped.replace("Tegal", "Brebes").replace("Bu Wati", "Pak Dedi").replace("Pak Andi", "Bu Maya")
    typo = text.replace("gaji", "gjai", 1) if "gaji" in text else text + " "
    return [
        *_voices(text),
        ("upper", text.upper()),
        ("lower", text.lower()),
        ("emoji", f"🔥🔥 {text} 🙏✈️"),
        ("line-breaks", text.replace(", ", ",\n")),
        ("names-cities", swapped),
        ("phone", f"{text} WA 0857-xxxx-xxxx"),
        ("hashtag", f"{text} #lokerterbaru #infokerja"),
        ("typo", typo),
    ]


@dataclass(frozen=True)
class Pair:
    family: str
    id: str
    before: str
    after: str


def invariance_pairs() -> Iterator[Pair]:
    for bid, text in BASES:
        for pid, changed in _perturbations(text):
            yield Pair("invariance", f"{bid}/{pid}", text, changed)


def red_flag_pairs() -> Iterator[Pair]:
    for bid, text in BASES:
        for i, flag in enumerate(_RED_FLAGS):
            yield Pair("direction_red_flag", f"{bid}/+flag{i}", text, f"{text} {flag}")


def licence_pairs() -> Iterator[Pair]:
    for bid, text in BASES:
        if bid in _STRONG:
            for vid, told in [("advert", text), *_voices(text)]:
                yield Pair("direction_licence", f"{bid}/{vid}", told, told + _LICENCE)


def pay_chains() -> Iterator[Pair]:
    """The same unskilled job abroad, pay raised from 5 to 40 juta in steps."""
    jobs = ("admin chat di Kamboja, tanpa pengalaman, tiket ditanggung",
            "operator di Myanmar, gak perlu skill, berangkat via Thailand",
            "ART di Dubai, tanpa keahlian, berangkat gratis",
            "buruh pabrik di Malaysia, tanpa pengalaman, mess gratis",
            "pelayan restoran di Jepang, tanpa bahasa Jepang",
            "ABK kapal ikan asing, tanpa sertifikat")
    steps = (5, 8, 12, 15, 20, 25, 30, 40)
    for j, job in enumerate(jobs):
        for lo, hi in zip(steps, steps[1:], strict=False):
            yield Pair("direction_pay", f"job{j}/{lo}->{hi}", f"Kerja {job}, gaji {lo} juta per bulan. Info japri.",
                       f"Kerja {job}, gaji {hi} juta per bulan. Info japri.")


FAMILIES: dict[str, Callable[[], Iterator[Pair]]] = {
    "invariance": invariance_pairs, "direction_red_flag": red_flag_pairs,
    "direction_licence": licence_pairs, "direction_pay": pay_chains,
}


def applicable(family: str, before: Any) -> bool:
    """A pay chain starts at or above the destination's legal minimum: below it, pay is underpayment
    (``wage_anomaly``, itself a red flag), and raising it towards the minimum rightly lowers that flag."""
    return not (family == "direction_pay" and "wage_anomaly" in before.flags)


def pair_passes(family: str, before: Any, after: Any) -> bool:
    """``before``/``after``: scored results (``risk_score``, ``risk_level``)."""
    if family == "invariance":
        return bool(before.risk_level == after.risk_level)
    if family == "direction_licence":  # the claim must not lower the level of a post with a strong red flag
        return _LEVELS.index(after.risk_level) >= _LEVELS.index(before.risk_level)
    return bool(after.risk_score >= before.risk_score - SCORE_TOLERANCE)


def minimum_passes(res: Any, want: dict[str, Any]) -> bool:
    checks = {"level": res.risk_level == want.get("level"), "label": res.label == want.get("label"),
              "kind": res.kind == want.get("kind"), "level_not": res.risk_level != want.get("level_not"),
              "label_not": res.label != want.get("label_not")}
    return all(checks[k] for k in want)


def rates(detector: Any) -> dict[str, dict[str, Any]]:
    """Pass rate and failures of every family, for EVALUATION.md."""
    out: dict[str, dict[str, Any]] = {}
    mft = [(cid, minimum_passes(detector.score(text), want)) for cid, text, want in MINIMUM]
    out["minimum_functionality"] = _rate(mft, TARGETS["minimum_functionality"])
    for family, make in FAMILIES.items():
        pairs = list(make())
        scored = detector.score_many([t for p in pairs for t in (p.before, p.after)])
        results = [(p.id, pair_passes(family, scored[2 * i], scored[2 * i + 1])) for i, p in enumerate(pairs)
                   if applicable(family, scored[2 * i])]
        out[family] = _rate(results, TARGETS[family])
    return out


def _rate(results: list[tuple[str, bool]], target: float) -> dict[str, Any]:
    return {"n": len(results), "pass_rate": sum(ok for _, ok in results) / max(1, len(results)),
            "failures": [cid for cid, ok in results if not ok], "target": target}
