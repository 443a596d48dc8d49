"""Kinds for the written rows, and the same written offers retold in other voices (training only).

Our written rows are almost all adverts, so a model trained on them learns "advert style means risk"
and misses real offers told as a question or a report (issue 13). Two remedies live here:

* :func:`written_kind` gives each written row its ``kind`` from its category and, for the awareness
  category (news, testimonies, questions and warnings mixed), from the words that mark a specific case
  or a question. Awareness rows that tell of a specific offer have no risk label we can trust (they
  were labelled ``low`` under the old policy), so they train ``kind`` only (:func:`risk_label_known`).
* :func:`retold` wraps a written offer in a question or a relayed account, keeping the offer's text
  (and so its facts and label) whole. These rows are synthetic, share their source row's
  cross-validation group, and never reach a test split. The behavioural tests use other wordings.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import regex

from detector.training.data import Record

_QUESTION = regex.compile(
    r"\?|\b(?:ada\s+(?:yang|yg)\s+(?:tau|tahu)|aman\s+(?:gak|ga|nggak|tidak)|beneran|asli\s+(?:gak|ga|nggak)|"
    r"mohon\s+(?:info|pencerahan)|gimana|bagaimana|tanya)\b")
_ASKER = regex.compile(r"\b(?:saya|aku|adik|kakak|anak|suami|istri|teman|sepupu|ponakan|keponakan)\b.{0,60}"
                       r"\b(?:ditawari|ditawarin|dapat\s+tawaran|dapet\s+tawaran|dikirimi|diajak|dapat\s+wa)")
_CASE = regex.compile(
    r"\b(?:korban|polisi|polda|polres|polresta|bareskrim|mengamankan|diamankan|ditangkap|tersangka|terdakwa|"
    r"divonis|vonis|dipulangkan|repatriasi|kbri|kjri|berita|liputan|kisah|dijanjikan|diiming|ditawari|"
    r"menggagalkan|digagalkan|dicegah|dulu\s+saya|saya\s+dulu|pengalaman\s+saya)\b")
#: Marks of one particular offer that the writer (or someone close) met, or an event: an awareness row with
#: one of these relays a particular offer, so it is a ``report`` (kind only), not a generic ``warning``.
_PARTICULAR = regex.compile(
    r"\b(?:(?:aku|saya|sy|gue|gw|kami)\s+(?:terima|dapat|dapet|pernah|berangkat|direkrut|diajak|hampir)|"
    r"(?:dm|chat|wa|kirim|dikirim|nawarin|menawari)\s+(?:aku|saya|gue|gw)|ke\s+saya\s+kemarin|"
    r"(?:kakak|kakakku|adik|adikku|sepupu|sepupuku|keponakan|ponakan|temen|temenku|teman|temanku|anak|suami|istri)"
    r"(?:ku|\s+(?:saya|aku|gue|gw|kos(?:ku)?))|namaku|survivor|disekap|pemulangan|mendampingi|"
    r"menunda\s+keberangkatan|permohonan\s+paspor|nemu\s+postingan|poster\s+yang|dapat\s+broadcast|"
    r"tangkapan\s+layar|screenshot|si\s+\w+\s+anak(?:nya|e)|barang\s+bukti|transkrip)\b")


def written_kind(category: str, text: str) -> str:
    """The ``kind`` of a seed or written row (see :data:`detector.result.KINDS`)."""
    if category == "job_seeker":
        return "question"
    if category != "awareness":
        return "offer"
    low = text.lower()
    if _ASKER.search(low) and _QUESTION.search(low):
        return "question"
    if _CASE.search(low) or _PARTICULAR.search(low):
        return "report"
    return "warning"


def risk_label_known(r: Record) -> bool:
    """Whether a row trains the risk and fraud models (every row trains ``kind``).

    False for an awareness row that tells of a specific offer (its old ``low`` label is not the offer's
    risk), and for every ``warning``: a warning carries no offer, and its risk is taken away by ``kind``
    (see :func:`detector.offer_model.combine`), so its listed red flags must not teach the risk model that
    red flags are safe."""
    if r.kind == "warning":
        return False
    return not tells_of_an_offer_of_unknown_risk(r)


def tells_of_an_offer_of_unknown_risk(r: Record) -> bool:
    """An awareness row that asks about or tells of a particular offer: its ``low`` label (old policy) is
    not that offer's risk, so it trains ``kind`` only and is left out of risk metrics. A generic warning
    keeps its label: the policy makes it ``rendah``."""
    return r.category == "awareness" and r.kind in ("question", "report")


_QUESTION_FRAMES = (
    "Min, izin tanya. Saya dapat tawaran kerja begini:\n\n{offer}\n\nIni aman gak ya? Mohon pencerahan 🙏",
    "Kak, adik saya dikirimi pesan ini lewat WA: \"{offer}\" Katanya tinggal berangkat. Ada yg tau resmi atau bukan?",
    "Ada yang pernah ikut lowongan ini? {offer} — aku mau daftar tapi ragu, takut ketipu",
    "Permisi admin, teman saya ditawari kerja sama orang yg dia kenal di FB. Isinya: {offer}. Sebaiknya gimana?",
)
_FORWARD_FRAMES = (
    "Forward dari grup sebelah, siapa tau ada yg butuh:\n{offer}",
    "*Info dari teman, silakan disebar*\n\n{offer}",
)
_REPORT_FRAMES = (
    "Sepupu saya cerita, dia dapat tawaran ini dari kenalannya: {offer} Dia sudah kirim berkas minggu lalu.",
    "Seorang warga desa kami mendapat pesan berikut dan sempat ingin mendaftar: «{offer}»",
    "Kemarin ada postingan begini di grup loker kampung: \"{offer}\" Lumayan banyak yang komen minat.",
)
_FRAMES = ((_QUESTION_FRAMES, "question"), (_FORWARD_FRAMES, "offer"), (_REPORT_FRAMES, "report"))


def retold(records: Sequence[Record], share: float, seed: int) -> list[Record]:
    """About ``share`` of the offer rows, each retold once: as a question, a forward or a relayed account."""
    rng = random.Random(seed)
    out = []
    for r in records:
        if r.kind != "offer" or r.source not in ("seed", "written") or rng.random() >= share:
            continue
        frames, kind = _FRAMES[rng.randrange(len(_FRAMES))]
        text = rng.choice(frames).format(offer=r.text.strip())
        out.append(Record(id=f"{r.id}~{kind}", text=text, label=r.label, category=r.category, flags=r.flags,
                          source="retold", synthetic=True, kind=kind, extra={"from": r.id}))
    return out
