"""Each indicator: a table of hits (with exact offsets into the original text) and near-misses."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from detector.indicators import Indicator, IndicatorRegistry, LiteralCheck, Pattern, Text2
from detector.indicators.base import UNTIMED_MAX_CHARS, Hit

REG = IndicatorRegistry.default()


def hits_of(text: str, name: str) -> list[Hit]:
    return [h for h in REG.analyze(text).hits if h.indicator == name]


def assert_hit(text: str, name: str, expected: str) -> Hit:
    """``expected`` must be covered by a hit of ``name`` whose offsets index the ORIGINAL text."""
    found = hits_of(text, name)
    assert found, f"{name} did not fire on {text!r}"
    start = text.index(expected)
    for h in found:
        assert text[h.start:h.end] == h.text  # evidence is always an exact slice of the input
        if h.start <= start and start + len(expected) <= h.end:
            return h
    raise AssertionError(f"{name} fired on {[h.text for h in found]}, none covering {expected!r}")


HITS = [
    # (indicator, text, substring that must be covered by the evidence)
    ("high_pay", "Dibutuhkan admin CS gaji 15jt tanpa pengalaman", "15jt"),
    ("high_pay", "Operator produksi, gaji Rp 12.000.000/bulan", "Rp 12.000.000"),
    ("high_pay", "kerja jaga toko online gaji 2 digit", "gaji 2 digit"),
    ("high_pay", "Marketing online salary 1.200 USD per month", "1.200 USD"),
    ("high_pay", "Pelayan restoran, gaji 600rb/hari", "600rb"),
    ("high_pay", "Lowongan PRT Hongkong gaji 25 juta, tanpa pengalaman", "25 juta"),  # > 2x HK$5,100
    ("high_pay", "Jaga lansia di Taiwan, gaji NT$ 45.000", "NT$ 45.000"),  # > 2x NT$20,000 (caregiver)
    ("high_pay", "Admin di Kamboja gaji 15jt", "15jt"),  # the 8 juta floor (garment minimum US$210 x2 is lower)
    ("high_pay", "Kerja kebun sawit Malaysia gaji RM 5.000", "RM 5.000"),  # > 2x RM1,700
    ("wage_anomaly", "Dancer di Jepang gaji Rp 2 juta per bulan", "Rp 2 juta"),  # minimum ~18.6 juta
    ("wage_anomaly", "Kerja pabrik Malaysia gaji RM 1.200 sebulan", "RM 1.200"),
    ("wage_anomaly", "Kerja di Thailand gaji 200 baht/hari", "200 baht"),  # per day against 337 baht a day
    ("wage_anomaly", "PRT ke Arab Saudi gaji 900 riyal", "900 riyal"),  # SPSK minimum SAR 1,500
    ("wage_anomaly", "Operator pabrik di Taiwan, gaji NT$ 18.000/bulan", "NT$ 18.000"),  # minimum NT$29,500
    ("no_skills", "Dibutuhkan admin, TANPA PENGALAMAN, langsung kerja", "TANPA PENGALAMAN"),
    ("no_skills", "tdk perlu pngalaman, yg penting mau kerja", "tdk perlu pngalaman"),
    ("no_skills", "Tidak perlu bisa bahasa Inggris", "Tidak perlu bisa bahasa"),
    ("no_skills", "Lulusan SD boleh melamar", "Lulusan SD"),
    ("overseas", "Kerja di Kamboja sebagai CS", "Kamboja"),
    ("overseas", "Penempatan 🇰🇭 langsung terbang", "🇰🇭"),
    ("overseas", "lowongan k a m b o j a gaji besar", "k a m b o j a"),
    ("overseas", "kerja di luar negeri, proses cepat", "luar negeri"),
    ("paid_travel", "Tiket & visa ditanggung perusahaan", "Tiket & visa ditanggung"),
    ("paid_travel", "GRATIS tiket pesawat PP", "GRATIS tiket"),
    ("paid_travel", "semua biaya ditanggung bos", "semua biaya ditanggung"),
    ("nonprocedural", "Berangkat pakai visa turis dulu ya", "visa turis"),
    ("nonprocedural", "bisa lewat jalur belakang, aman", "jalur belakang"),
    ("nonprocedural", "Tanpa PT, langsung ke majikan", "Tanpa PT"),
    ("nonprocedural", "Nanti bilang ke imigrasi mau liburan saja", "bilang ke imigrasi mau liburan"),
    ("nonprocedural", "berangkat dengan visa umroh", "visa umroh"),
    ("private_contact", "Minat? japri aja kak", "japri"),
    ("private_contact", "Info lengkap hub WA 0812-xxxx-xxxx", "0812-xxxx-xxxx"),
    ("private_contact", "Daftar di t.me/lokerkh", "t.me/"),
    ("urgency", "DIBUTUHKAN SEGERA 10 orang", "DIBUTUHKAN SEGERA"),
    ("urgency", "langsung berangkat minggu depan", "berangkat minggu depan"),
    ("urgency", "kuota terbatas, siapa cepat dia dapat", "kuota terbatas"),
    ("demographic_targeting", "Wanita usia 18-25 th, berpenampilan menarik", "berpenampilan menarik"),
    ("demographic_targeting", "Syarat: usia 16-20 tahun", "usia 16-20 tahun"),
    ("demographic_targeting", "belum menikah, tinggi min 160 cm", "belum menikah"),
    ("demographic_targeting", "Tidak perlu izin orang tua", "Tidak perlu izin orang tua"),
    ("fees_or_debt", "Biaya pendaftaran 500rb, transfer dulu", "Biaya pendaftaran"),
    ("fees_or_debt", "Biaya keberangkatan dipotong gaji 6 bulan", "dipotong gaji"),
    ("fees_or_debt", "DP 2 juta untuk proses visa", "DP 2"),
    ("document_control", "Paspor dipegang perusahaan selama kontrak", "Paspor dipegang"),
    ("document_control", "ijazah asli ditahan sbg jaminan", "ijazah asli ditahan"),
    ("document_control", "Pekerja tidak boleh pegang HP selama kerja", "tidak boleh pegang HP"),
    ("secrecy", "Jangan bilang ke keluarga dulu ya", "Jangan bilang ke keluarga"),
    ("secrecy", "lokasi kerja dirahasiakan", "dirahasiakan"),
    ("secrecy", "tidak usah pamit ke orang tua", "tidak usah pamit"),
    ("nonprocedural", "Tidak perlu mendaftar ke Disnaker, semua diurus sponsor", "Tidak perlu mendaftar ke Disnaker"),
    ("nonprocedural", "Bisa berangkat sebelum ID SISKOP2MI terbit", "sebelum ID SISKOP2MI terbit"),
    ("nonprocedural", "Nek ditakoni, ojo ngomong kerjo", "ojo ngomong kerjo"),  # Javanese: don't say it's work
    ("document_control", "Bawa KTP asli dan KK asli untuk dititipkan ke sponsor",
     "KTP asli dan KK asli untuk dititipkan ke sponsor"),
    ("document_control", "Orang tua menyerahkan akta kelahiran asli kepada pengurus",
     "menyerahkan akta kelahiran asli kepada pengurus"),
    ("document_control", "Selama kerja HP nggak boleh dibawa", "HP nggak boleh dibawa"),
    ("secrecy", "Diharapkan tidak menginformasikan keberangkatan kepada aparat desa",
     "tidak menginformasikan keberangkatan kepada aparat"),
    ("vague_employer", "Kerja di perusahaan besar di luar negeri", "perusahaan besar"),
    ("vague_employer", "Nama perusahaan via japri", "Nama perusahaan via japri"),
    ("licensed_agency", "PT Maju Jaya (P3MI) SIP2MI No. 123/2025", "SIP2MI"),
    ("official_programme", "Program G to G Korea EPS-TOPIK 2026", "G to G"),
    ("official_registration", "Daftar hanya di siskop2mi.bp2mi.go.id", "siskop2mi"),
    ("official_registration", "Tanpa biaya, daftar di Disnaker setempat", "Disnaker"),
    ("company_identity", "Kirim CV ke hrd@sinarmas-logistik.co.id", "hrd@sinarmas-logistik.co.id"),
    ("company_identity", "Alamat kantor: Jl. Gatot Subroto No. 12, Bandung", "Jl. Gatot Subroto No. 12"),
    # pattern gaps measured on real texts: English "no experience", typos, possessive -nya
    ("no_skills", "Admin CS, no experience needed", "no experience"),
    ("no_skills", "Experience not required, training provided", "Experience not required"),
    ("no_skills", "Pengalaman tidak diperlukan, yang penting jujur", "Pengalaman tidak diperlukan"),
    ("paid_travel", "Tiekt dan visa ditanggung perusahaan", "Tiekt dan visa ditanggung"),  # a letter swap
    ("paid_travel", "gratsi tikit pesawat ke Kamboja", "gratsi tikit"),
    ("paid_travel", "tiketnya ditanggung bos, tinggal berangkat", "tiketnya ditanggung"),
    ("nonprocedural", "Visa turis, nanti diurus di sana", "Visa turis"),  # no denial: still fires
    ("nonprocedural", "Tidak perlu visa kerja, cukup visa turis", "visa turis"),  # the denial is another clause
    ("nonprocedural", "Bukan visa kerja tapi visa kunjungan, aman", "visa kunjungan"),
    ("nonprocedural", "pakai visa tursi saja", "visa tursi"),
    ("nonprocedural", "Tidak usah takut pakai visa turis, aman", "pakai visa turis"),  # "tidak" denies nothing here
    ("official_registration", "Tidak ada biaya, daftar di Disnaker", "Disnaker"),
    # report voice (what happened to someone) and question voice (an offer asked about)
    ("high_pay", "Korban dijanjikan gaji 15 juta sebagai admin di Kamboja", "15 juta"),
    ("high_pay", "Mereka diiming-imingi gaji besar bekerja di luar negeri", "diiming-imingi gaji besar"),
    ("high_pay", "Saya ditawari kerja jadi admin di Myanmar gaji 20 juta, apakah aman?", "20 juta"),
    ("overseas", "Korban ditawari bekerja sebagai operator di Kamboja", "Kamboja"),
    ("overseas", "Apakah benar ada lowongan di Myawaddy?", "Myawaddy"),
    ("no_skills", "Saya ditawari kerja, katanya tidak perlu pengalaman, benarkah?", "tidak perlu pengalaman"),
    ("no_skills", "Korban dijanjikan kerja tanpa pengalaman", "tanpa pengalaman"),
    ("nonprocedural", "Korban berangkat menggunakan visa turis melalui Batam", "visa turis"),
    ("nonprocedural", "Apakah aman berangkat pakai visa kunjungan?", "visa kunjungan"),
    ("document_control", "Setibanya di sana, paspornya ditahan oleh majikan", "paspornya ditahan"),
    ("document_control", "Paspor mereka disita perusahaan", "Paspor mereka disita"),
    ("document_control", "Apa wajar paspor dipegang agen selama kontrak?", "paspor dipegang"),
    ("paid_travel", "Korban dijanjikan tiket dan visa ditanggung", "tiket dan visa ditanggung"),
    ("paid_travel", "Saya ditawari kerja, katanya semua biaya ditanggung, apa benar?", "semua biaya ditanggung"),
    ("fees_or_debt", "Korban diminta membayar biaya pendaftaran 5 juta", "biaya pendaftaran"),
    ("fees_or_debt", "Apakah wajar diminta bayar dulu sebelum berangkat?", "bayar dulu"),
    ("secrecy", "Korban diminta merahasiakan keberangkatan dari keluarga", "merahasiakan"),
    ("secrecy", "Mereka dilarang memberi tahu keluarga soal tujuan", "dilarang memberi tahu keluarga"),
    ("urgency", "Saya disuruh segera berangkat minggu depan, wajar tidak?", "segera"),
    ("demographic_targeting", "Korban, gadis usia 16 tahun, direkrut jadi pelayan", "usia 16 tahun"),
    ("wage_anomaly", "Korban dijanjikan gaji Rp 2 juta sebulan sebagai penari di Jepang", "Rp 2 juta"),
    ("wage_anomaly", "Saya ditawari kerja pabrik di Taiwan gaji NT$ 18.000, wajar tidak?", "NT$ 18.000"),
    ("wage_anomaly", "Anak usia 15 kerja di kebun sawit Malaysia, gaji RM 40/hari", "RM 40/hari"),
    ("high_pay", "ABK kapal ikan Korea, gaji 1.200 USD, tanpa pengalaman", "1.200 USD"),  # crews: 8 juta floor
    ("wage_anomaly", "ABK kapal ikan Taiwan, gaji USD 450, tanpa pengalaman", "USD 450"),  # minimum US$550
    # job fraud (other_scam): task scams, paying to be hired, borrowed company names
    ("task_scam", "Kerja paruh waktu, cukup like dan follow akun toko, dibayar tiap hari", "like dan follow"),
    ("task_scam", "Komisi 50rb per tugas, WD setiap hari", "Komisi 50rb per tugas"),
    ("task_scam", "Subscribe & screenshot dibayar 10rb/ss", "Subscribe & screenshot"),
    ("task_scam", "Untuk membuka tugas berikutnya, isi saldo dulu 300rb", "isi saldo"),
    ("task_scam", "Kasih bintang 5 di Google Maps, 1 review = 15rb", "1 review = 15"),
    ("task_scam", "Dapat combo task, saldo jadi minus, harus isi ulang dulu", "combo task"),
    ("task_scam", "Cuma rating hotel dapet 50rb! Sehari bisa 20 hotel", "Cuma rating"),
    ("task_scam", "Cukup tonton 20 video sehari dapet 100rb", "Cukup tonton"),
    ("task_scam", "Tonton 20 video sehari dapet 100rb", "Tonton 20 video sehari dapet"),
    ("task_scam", "like status WA & share iklan, 5rb per share", "5rb per share"),
    ("task_scam", "Job dari rumah: like postingan & follow akun brand 150rb/hari", "like postingan & follow"),
    ("task_scam", "Checkout produk pake saldo sendiri dulu, dana + komisi 10% balik", "pake saldo sendiri"),
    ("task_scam", "Halo, ada tugas merchant, transfer 200rb dulu nanti balik 260rb", "tugas merchant"),
    ("task_scam", "Saya ditawari kerja sampingan, tiap video dibayar 15rb, katanya aman?", "tiap video dibayar"),
    ("upfront_payment", "Lolos interview, transfer ke travel agent untuk tiket interview di Jakarta",
     "transfer ke travel agent"),
    ("upfront_payment", "Biaya tes kesehatan & psikotes 1,2 jt dibayar ke panitia", "Biaya tes kesehatan"),
    ("upfront_payment", "Calon karyawan wajib membeli seragam 450rb di koperasi", "wajib membeli seragam"),
    ("upfront_payment", "Biaya pembuatan kartu kerja ditanggung pelamar (300rb)", "ditanggung pelamar"),
    ("upfront_payment", "Lamaran kakak kami terima, silakan transfer biaya aktivasi akun 199rb",
     "Lamaran kakak kami terima, silakan transfer"),
    ("upfront_payment", "Korban diminta bayar tiket pesawat untuk interview lewat biro perjalanan",
     "tiket pesawat untuk interview"),
    ("impersonation", "Halo, saya HRD Shopee, kami buka kerja paruh waktu dari HP", "HRD Shopee"),
    ("impersonation", "Rekrutmen Bersama BUMN 2025, daftar di bit.ly/rbb-bumn, biaya formulir 150rb",
     "Rekrutmen Bersama BUMN"),
    ("impersonation", "Lowongan BUMN tanpa tes, admin kantor cabang", "BUMN tanpa tes"),
    ("impersonation", "Saya rekruter dari J&T Express, gaji 6 juta", "rekruter dari J&T"),
    ("impersonation", "Tugas like produk Tokopedia, komisi per order", "Tokopedia, komisi per"),
    ("awareness_context", "WASPADA modus lowongan kerja ke Kamboja!", "WASPADA"),
    ("awareness_context", "Korban TPPO dipulangkan dari Myanmar", "TPPO"),
    ("awareness_context", "Terdakwa perekrut itu divonis 6 tahun", "Terdakwa"),
    ("awareness_context", "gaji 9jt tanpa syarat? itu jebakan", "jebakan"),
    ("awareness_context", "Jangan mau berangkat jadi ART pakai visa ziarah", "Jangan mau"),
    ("awareness_context", "Ratusan PMI nonprosedural dipulangkan dari Sabah", "nonprosedural"),
    ("awareness_context", "Polisi mengamankan 12 PMI yang berangkat lewat jalur tikus", "mengamankan"),
    ("nonprocedural", "berangkat lewat jalur tikus Nunukan", "jalur tikus"),
    ("nonprocedural", "Tanpa izin BP2MI, langsung berangkat", "Tanpa izin BP2MI"),
    ("nonprocedural", "Berangkat gak perlu PT, gak perlu Disnaker", "gak perlu Disnaker"),
    ("nonprocedural", "ABK jalur cepat, gak usah ikut BP2MI/ujian", "gak usah ikut BP2MI"),
    ("nonprocedural", "Tidak usah pi urus di Disnaker, lama", "Tidak usah pi urus di Disnaker"),
    ("nonprocedural", "Nonprosedural tapi aman kok, banyak yang sudah berangkat", "Nonprosedural tapi aman"),
    ("nonprocedural", "P3MI? tidak perlu, kami sponsor langsung", "P3MI? tidak perlu"),
    ("licensed_agency", "Resmi, P3MI berizin SIP2MI No. 123/2024", "SIP2MI No. 123/2024"),
    ("official_registration", "Resmi terdaftar di SISKOP2MI", "terdaftar di SISKOP2MI"),
]


@pytest.mark.parametrize(("name", "text", "expected"), HITS, ids=[f"{n}:{t[:30]}" for n, t, _ in HITS])
def test_when_red_flag_is_present_then_indicator_fires_at_exact_offsets(name: str, text: str, expected: str) -> None:
    assert_hit(text, name, expected)


NEAR_MISSES = [
    # (indicator, text that must NOT fire it)
    ("high_pay", "Admin gudang, gaji UMR Rp 4.800.000"),
    ("high_pay", "Dokter spesialis anestesi, gaji 45 juta/bulan"),
    ("high_pay", "Biaya pendaftaran 15 juta"),  # a fee, not a salary
    ("high_pay", "Usia 18-35 tahun, pengalaman 2 tahun"),
    ("high_pay", "Operator pabrik Taiwan, gaji NT$ 29.500 sesuai upah minimum"),  # the legal minimum itself
    ("high_pay", "saya ditawari kerja di Taiwan gaji NT$ 28.590"),
    ("high_pay", "Kerja di Korea program EPS gaji 30 juta"),  # ~1.2x Korea's minimum
    ("high_pay", "Caregiver Taiwan gaji 15 juta"),  # 1.5x the caregiver minimum
    ("high_pay", "Tugas like komisi 50rb per tugas"),  # per task, not a monthly salary
    ("wage_anomaly", "Magang Jepang uang saku 2 juta"),  # an allowance, not base pay
    ("wage_anomaly", "Caregiver Taiwan gaji NT$ 20.000"),  # exactly the caregiver minimum
    ("wage_anomaly", "Admin di Kamboja gaji 5 juta"),  # Cambodia's minimum binds garment factories only
    ("wage_anomaly", "Kerja di Jakarta gaji 2 juta"),  # Indonesian posts are not tested (UMP exemptions)
    ("wage_anomaly", "Kerja di Jepang, bonus Rp 2 juta tiap bulan, gaji 25 juta"),
    ("wage_anomaly", "Kerja di Thailand gaji 400 baht/hari"),
    ("wage_anomaly", "ABK kapal ikan Korea, gaji USD 450"),  # no fishing-crew minimum in the table for Korea
    ("wage_anomaly", "ABK kapal ikan Taiwan, gaji USD 550"),  # exactly Taiwan's distant-water crew minimum
    ("wage_anomaly", "Pemandu lagu KTV di Nagoya, Batam, gaji 3 juta"),  # Nagoya in Batam is not Japan
    ("wage_anomaly", "Magang resmi ke Jepang, upah mengikuti upah minimum (±150.000 yen)"),
    ("wage_anomaly", "Perkebunan Sarawak Malaysia lewat P3MI, gaji RM 1.500 + lembur"),  # last year's minimum
    ("wage_anomaly", "Restoran padang cabang Medan Johor, gaji 2,8 juta"),  # Medan Johor is in Medan
    ("no_skills", "Minimal pengalaman 2 tahun di bidang yang sama"),
    ("no_skills", "Pengalaman tidak diutamakan? Tidak, wajib berpengalaman"),
    ("overseas", "Penempatan Jakarta Selatan, kantor di Kuningan"),
    ("overseas", "Gaji ditransfer ke rekening negara ini"),
    ("overseas", "Dicari LC untuk KTV di Nagoya, Batam"),  # Nagoya is Batam's nightlife district here
    ("paid_travel", "Tiket konser dijual murah"),
    ("paid_travel", "Uang transport diganti sesuai kuitansi"),
    ("nonprocedural", "Visa kerja resmi diurus oleh P3MI berizin"),
    ("nonprocedural", "Paket umrah promo bulan Ramadan"),
    ("private_contact", "Kirim lamaran ke email hrd@ptabc.co.id"),
    ("urgency", "Lowongan dibuka sampai 30 Desember, seleksi bertahap"),
    ("demographic_targeting", "Pria/wanita usia 20-45 tahun boleh melamar"),
    ("fees_or_debt", "Tanpa biaya pendaftaran, gratis"),
    ("fees_or_debt", "Tidak dipungut biaya apa pun"),
    ("document_control", "Paspor tidak akan ditahan, tetap dipegang pekerja"),
    ("document_control", "Siapkan paspor dan KTP untuk pendaftaran"),
    ("document_control", "Paspor tidak ditahan oleh agen, tetap dipegang pekerja"),
    ("document_control", "Siapkan KTP asli, serahkan fotokopinya ke HRD"),
    ("official_registration", "Tidak perlu mendaftar ke Disnaker, semua diurus sponsor"),
    ("secrecy", "Kami terbuka, silakan tanya ke keluarga dulu"),
    ("secrecy", "Jangan lupa memberitahukan jadwal kepada keluarga"),
    ("vague_employer", "PT Sinar Abadi bergerak di bidang distribusi"),
    ("licensed_agency", "Agen kami terpercaya dan cepat"),
    ("nonprocedural", "Daftar resmi lewat Disnaker atau LTSA, tanpa biaya"),
    ("nonprocedural", "Berangkat resmi, bukan visa turis"),  # a denial, not a route
    ("nonprocedural", "Kami tidak pakai visa kunjungan, semua visa kerja"),
    ("nonprocedural", "Kami tidak menggunakan visa turis untuk bekerja"),
    ("nonprocedural", "Tanpa biaya, daftar di Disnaker setempat"),
    ("nonprocedural", "Tanpa perantara daftar di Disnaker setempat"),
    ("nonprocedural", "Ratusan PMI nonprosedural dipulangkan dari Sabah"),  # the word itself is a news word
    ("nonprocedural", "Lewat P3MI tidak memungut biaya apa pun"),
    ("secrecy", "Dilarang memberi tahu password kepada siapa pun"),
    ("official_registration", "Proses cepat, tdk perlu ke Disnaker"),
    ("nonprocedural", "Perusahaan kami tidak pernah lewat jalur belakang"),
    ("document_control", "Paspor tidak ditahan, dipegang sendiri"),
    ("document_control", "Paspornya tidak akan ditahan oleh majikan"),
    ("paid_travel", "Tidak ada tiket gratis, semua sesuai prosedur"),
    ("paid_travel", "Tiket kereta dijual di stasiun"),
    ("no_skills", "Experience in sales is required"),
    ("no_skills", "Minimal pengalaman 2 tahun di bidang sales"),
    ("high_pay", "Korban dijanjikan pekerjaan di pabrik"),  # a promise, but of no pay at all
    ("task_scam", "Tugas harian: merapikan gudang dan mencatat stok"),  # duties, not a task scam
    ("task_scam", "Part time barista, shift sore, gaji 2,5 juta"),
    ("task_scam", "Like dan follow IG kami untuk info lowongan terbaru"),
    ("task_scam", "Cukup kirim CV, kami hubungi yang lolos"),
    ("task_scam", "Mengelola rating dan ulasan pelanggan di marketplace"),
    ("task_scam", "Mencatat saldo awal dan saldo akhir kas harian"),
    ("task_scam", "Membalas Google review pelanggan restoran"),
    ("upfront_payment", "Seleksi gratis, tidak ada biaya tes kesehatan"),
    ("upfront_payment", "Tunjangan: uang medical, THR, uang lembur"),  # an allowance paid to the worker
    ("upfront_payment", "Biaya pelatihan LPK sesuai ketentuan dan tertulis di perjanjian"),
    ("upfront_payment", "Pendaftaran cuma lewat Disnaker, bukan lewat orang yang minta uang jaminan"),
    ("impersonation", "Shopee membuka lowongan di situs karier resminya"),
    ("impersonation", "Rekrutmen Bersama BUMN hanya di rekrutmenbersama.fhcibumn.id, tanpa biaya"),
    ("official_programme", "Program magang mandiri tanpa seleksi"),
    ("company_identity", "Kirim CV ke lowongan.kerja123@gmail.com"),
    ("awareness_context", "Dibutuhkan admin gaji 8 juta, tanpa pengalaman"),
    ("awareness_context", "Lowongan resmi, jalur cepat, berangkat bulan depan"),
    # a red-flag sentence is never counter-evidence
    ("awareness_context", "berangkat lewat jalur tikus Nunukan"),
    ("awareness_context", "Jangan mau ketinggalan, kuota terbatas!"),
    ("awareness_context", "Jangan percaya agen lain, kami yang resmi"),
    ("awareness_context", "Gaji besar, cek dulu testimoninya"),
    ("awareness_context", "Korban dijanjikan gaji 15 juta sebagai admin di Kamboja"),  # "korban" lowers nothing
    ("licensed_agency", "Tanpa izin BP2MI, langsung berangkat"),
    ("licensed_agency", "Kami bukan P3MI resmi, tapi lebih cepat"),
    ("licensed_agency", "Agennya tidak punya SIP2MI"),
    ("official_programme", "Bukan program G to G, jalur mandiri lebih cepat"),
    ("official_registration", "tidak perlu lewat BP2MI, semua diurus"),
    ("official_registration", "Tidak terdaftar di SISKOP2MI tapi aman"),
]


@pytest.mark.parametrize(("name", "text"), NEAR_MISSES, ids=[f"{n}:{t[:30]}" for n, t in NEAR_MISSES])
def test_when_text_only_resembles_red_flag_then_indicator_stays_silent(name: str, text: str) -> None:
    fired = hits_of(text, name)
    assert not fired, f"{name} fired on {[h.text for h in fired]}"


def test_minor_age_range_is_marked_as_minor() -> None:
    h = assert_hit("Dicari gadis usia 15-17 th untuk kerja di kafe", "demographic_targeting", "usia 15-17 th")
    assert h.details["minor"] is True and h.details["min_age"] == 15


def test_high_risk_destination_carries_tier_and_name() -> None:
    h = assert_hit("kerja di Sihanoukville", "overseas", "Sihanoukville")
    assert h.details == {"destination": "kamboja", "tier": 3, "high_risk_destination": True}
    low = assert_hit("kerja di Jepang", "overseas", "Jepang")
    assert low.details["tier"] == 1 and low.score < h.score


def test_high_pay_depends_on_role() -> None:
    admin = hits_of("Admin gaji 30 juta per bulan", "high_pay")
    doctor = hits_of("Dokter spesialis gaji 30 juta per bulan", "high_pay")
    assert admin and not doctor


def test_high_pay_names_the_minimum_wage_it_compared_against() -> None:
    h = assert_hit("Lowongan PRT Hongkong gaji 25 juta", "high_pay", "25 juta")
    assert h.details["destination"] == "hong_kong" and h.details["sector"] == "domestic"
    assert h.details["minimum"] == 5100 and h.details["minimum_currency"] == "HKD"
    assert h.details["threshold_idr_per_month"] == round(2 * h.details["minimum_idr_per_month"])
    assert h.details["ratio_to_minimum"] > 2


def test_wage_anomaly_names_the_minimum_and_the_shortfall() -> None:
    h = assert_hit("Dancer di Jepang gaji Rp 2 juta per bulan", "wage_anomaly", "Rp 2 juta")
    assert h.details["destination"] == "jepang" and h.details["minimum_period"] == "hour"
    assert h.details["ratio_to_minimum"] < 0.2 and h.score > 0.9
    assert h.details["min_wage_table_date"] and h.details["minimum_effective"]


def test_the_destination_named_nearest_the_amount_decides() -> None:
    text = "Kerja di Kamboja gaji 15 juta. Atau ke Taiwan gaji NT$ 30.000"
    paid = {h.text: h.details.get("destination") for h in hits_of(text, "high_pay")}
    assert paid == {"15 juta": "kamboja"}  # NT$ 30,000 is near Taiwan's legal minimum


@pytest.mark.parametrize(("text", "name", "expected", "details"), [
    ("PT Maju Jaya, P3MI berizin SIP2MI No. 123/2024", "licensed_agency", "SIP2MI No. 123/2024",
     {"claim": True, "licence_number": True}),
    ("Agen resmi, SIP2MI ada", "licensed_agency", "SIP2MI", {"claim": True}),
    ("Resmi terdaftar di SISKOP2MI", "official_registration", "terdaftar di SISKOP2MI", {"claim": True}),
    ("Program G to G Korea EPS-TOPIK", "official_programme", "G to G", {"claim": True}),
])
def test_a_licence_asserted_by_the_post_is_marked_as_a_claim(text: str, name: str, expected: str,
                                                            details: dict[str, bool]) -> None:
    h = assert_hit(text, name, expected)
    assert h.kind == "counter" and details.items() <= h.details.items()


def test_a_destination_inside_a_programme_name_keeps_the_programme() -> None:
    assert_hit("Seleksi Program IM Japan kerja sama Kemnaker", "official_programme", "IM Japan")
    assert_hit("Seleksi Program IM Japan kerja sama Kemnaker", "overseas", "Japan")


def test_an_official_channel_the_reader_is_sent_to_is_not_a_claim() -> None:
    h = assert_hit("Daftar hanya di siskop2mi.bp2mi.go.id", "official_registration", "siskop2mi")
    assert "claim" not in h.details


def test_counter_evidence_never_comes_from_a_red_flags_own_words() -> None:
    for text in ("tidak perlu lewat BP2MI, semua diurus", "berangkat lewat jalur tikus Nunukan",
                 "Tanpa izin BP2MI, langsung berangkat", "Bukan lewat P3MI resmi, tanpa PT"):
        a = REG.analyze(text)
        for c in a.counter_hits:
            assert not any(r.start < c.end and c.start < r.end for r in a.risk_hits), (text, c.text)


def test_every_hit_reason_is_bilingual_and_flags_come_from_registry() -> None:
    a = REG.analyze(
        "Dibutuhkan admin CS, gaji 15jt, tanpa pengalaman, kerja di 🇰🇭, tiket & visa ditanggung, info japri"
    )
    assert set(a.flags()) >= {"high_pay", "no_skills", "overseas", "paid_travel", "private_contact"}
    for h in a.hits:
        assert h.reason.id and h.reason.en
        assert h.indicator in REG.names()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"score": 1.5}, "score must be in"),
        ({"regex": "(unclosed"}, "invalid regex"),
        ({"regex": "a*"}, "matches the empty string"),
        ({"name": "  "}, "must not be empty"),
    ],
)
def test_pattern_validates_itself_on_construction(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"name": "p", "regex": "abc", "score": 0.5} | kwargs
    with pytest.raises(ValueError, match=message):
        Pattern(**args)  # type: ignore[arg-type]


def _indicator(**kw: object) -> Indicator:
    base: dict[str, object] = dict(
        name="x_flag", kind="risk", weight=1.0, description=Text2("a", "b"), reason=Text2("c", "d"),
        guidance="g", patterns=(Pattern("p", "abc", 0.5),),
    )
    return Indicator(**(base | kw))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "Bad-Name"}, "snake_case"),
        ({"kind": "maybe"}, "kind must be"),
        ({"weight": 0}, "weight must be"),
        ({"guidance": " "}, "guidance"),
        ({"patterns": ()}, "needs patterns"),
        ({"negation_words": 11}, "negation_words"),
        ({"description": None}, None),
    ],
)
def test_indicator_validates_itself_on_construction(kwargs: dict[str, object], message: str | None) -> None:
    if kwargs.get("description", 1) is None:
        with pytest.raises(ValueError):
            _indicator(description=Text2("", "x"))
        return
    with pytest.raises(ValueError, match=message):
        _indicator(**kwargs)


@pytest.mark.parametrize(("text", "clause", "words", "fires"), [
    ("bukan abc", False, 0, False),
    ("bukan, abc", False, 0, False),  # a plain window crosses the comma
    ("bukan, abc", True, 0, True),  # a clause-scoped negation does not
    ("bukan ini itu abc", True, 2, True),  # too far back for two words
    ("bukan itu abc", True, 2, False),
])
def test_negation_scope_follows_clause_and_word_limits(text: str, clause: bool, words: int, fires: bool) -> None:
    from detector.indicators.base import AnalysisContext
    from detector.normalize import normalize

    ind = _indicator(negations=("bukan",), clause_negations=clause, negation_words=words)
    ctx = AnalysisContext(normalized=normalize(text), money=())
    assert bool(ind.analyze(ctx)) is fires


def test_registry_rejects_duplicate_names() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        IndicatorRegistry([_indicator(), _indicator()])


def test_registry_yaml_rejects_unknown_keys(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nindicators:\n  - name: a\n    kind: risk\n    wieght: 1\n")
    with pytest.raises(ValueError, match="unknown keys"):
        IndicatorRegistry.from_yaml(bad)


@pytest.mark.parametrize("hostile", [
    "1." * 100_000,
    "a " * 100_000,
    "gaji " + "9" * 50_000,
    "tiket " + "& visa " * 20_000,
    "x" * 200_000,
])
def test_hostile_input_is_analysed_without_error(hostile: str) -> None:
    # Per-regex timeouts bound the work on pathological input; speed is measured in benchmarks/.
    a = REG.analyze(hostile)
    assert a.original == hostile


@dataclass(frozen=True)
class _Checking(Indicator):
    """An indicator whose extra_hits would run the regex of its one literal check."""

    check_regex: str = "abc"

    def literal_checks(self) -> tuple[LiteralCheck, ...]:
        return (LiteralCheck("shared", self.check_regex),)


def test_one_literal_check_name_for_two_regexes_is_refused() -> None:
    base = {"kind": "risk", "weight": 1.0, "description": Text2("a", "b"), "reason": Text2("c", "d"),
            "guidance": "g", "patterns": (Pattern("p", "abc", 0.5),)}
    same = [_Checking(name="a_flag", **base), _Checking(name="b_flag", **base)]  # type: ignore[arg-type]
    assert "shared" in IndicatorRegistry(same)._screened
    with pytest.raises(ValueError, match="literal check 'shared' names another regex"):
        IndicatorRegistry([same[0], _Checking(name="b_flag", check_regex="xyz", **base)])  # type: ignore[arg-type]


class _TimeoutSpy:
    """Wraps a compiled regex and records whether each search was given a time-out."""

    def __init__(self, compiled: object) -> None:
        self.compiled, self.timed = compiled, []

    def finditer(self, text: str, **kwargs: object) -> object:
        self.timed.append("timeout" in kwargs)
        return self.compiled.finditer(text, **kwargs)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("regex", "length", "timed"), [
    (r"tiket\s+gratis", 200, False),
    (r"tiket\s+gratis", UNTIMED_MAX_CHARS + 1, True),
    (r"(?:tiket|visa)(?:\s*(?:dan|&)\s*(?:tiket|visa))*\s+gratis", 200, True),  # a long repeat of a variable part
    (r"(?:\w+\s){0,50}gratis", 200, True),
    (r"(?:tiket\s+){0,3}gratis", 200, False),  # a few repeats only
])
def test_a_search_runs_with_the_time_out_on_long_texts_and_for_patterns_that_can_explode(
        regex: str, length: int, timed: bool) -> None:
    pat = Pattern(name="p", regex=regex, score=0.5)
    spy = _TimeoutSpy(pat.compiled)
    object.__setattr__(pat, "compiled", spy)
    text = ("tiket dan visa gratis " * (length // 22 + 1))[:length]
    assert [m.span() for m in pat.run(text)] == [m.span() for m in spy.compiled.finditer(text)]  # type: ignore[attr-defined]
    assert spy.timed[0] is timed


def test_pattern_with_upper_case_letters_is_refused() -> None:
    # patterns run on the normalised (lower-cased) text: an upper-case literal could never match
    with pytest.raises(ValueError, match="lower case"):
        Pattern("p", "Kamboja", 0.5)
    assert Pattern("p", r"\bkamboja\S*\d", 0.5).compiled.search("ke kamboja!1")


class _TimesOut:
    """A compiled regex stand-in whose every search exceeds its time limit."""

    def search(self, *_a: object, **_k: object) -> None:
        raise TimeoutError("regex timed out")

    finditer = search


@pytest.mark.parametrize(("module", "attr", "text"), [
    ("detector.indicators.money_based", "_SKILLED_ROLE", "Dokter spesialis gaji 30 juta per bulan"),
    ("detector.indicators.people", "_AGE_RANGE", "Dicari gadis usia 15-17 th untuk kafe"),
    ("detector.indicators.people", "_MINOR_WORDS", "anak lulusan SMP boleh ikut"),
    ("detector.indicators.people", "_EMAIL", "Kirim CV ke hrd@sinarmas-logistik.co.id"),
])
def test_when_a_rule_regex_times_out_then_the_post_is_still_analysed(monkeypatch: pytest.MonkeyPatch, module: str,
                                                                     attr: str, text: str) -> None:
    # A busy machine can stall a search past its wall-clock limit; a scan must not crash on it.
    import importlib

    monkeypatch.setattr(importlib.import_module(module), attr, _TimesOut())
    a = REG.analyze(text)
    assert a.original == text
