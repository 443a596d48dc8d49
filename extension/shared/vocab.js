/* One vocabulary for the moderators' page and the browser extension: levels, labels, kinds,
 * short flag names, score formatting, and what a record asks of a moderator.
 *
 * Pure ES module: no DOM, no network, so a test (or the extension's service worker) can import it.
 * The extension carries a byte-identical copy in extension/shared/vocab.js (an unpacked extension
 * cannot load files outside its folder); tests/extension/test_extension_static.py keeps them equal.
 *
 * Flag names: a short name here for each indicator of detector/resources/indicators.yaml (a test
 * checks the set); an indicator from /v1/indicators with a `label` overrides it, and an unknown flag
 * falls back to the indicator's `description`, then to its code name.
 */

export const LEVELS = ["rendah", "sedang", "tinggi"];
export const LABELS = ["high", "other_scam", "low"];
export const KINDS = ["offer", "question", "report", "warning", "other"];
export const REVIEW_STATES = ["new", "correct", "corrected", "escalated"];

const WORDS = {
  id: {
    "level.rendah": "Rendah", "level.sedang": "Sedang", "level.tinggi": "Tinggi",
    "level.full.rendah": "Risiko rendah", "level.full.sedang": "Risiko sedang — periksa lebih lanjut",
    "level.full.tinggi": "Risiko tinggi perekrutan TPPO",
    "label.high": "Indikasi perekrutan TPPO",
    "label.other_scam": "Indikasi penipuan lowongan kerja (bukan TPPO)",
    "label.low": "Tidak ada indikasi kuat",
    "category.tppo": "TPPO", "category.job_fraud": "Penipuan kerja", "category.none": "Tanpa indikasi",
    "kind.offer": "Tawaran kerja", "kind.question": "Pertanyaan", "kind.report": "Laporan kasus",
    "kind.warning": "Peringatan/edukasi", "kind.other": "Bukan soal kerja",
    "review.new": "Baru", "review.correct": "Benar", "review.corrected": "Dikoreksi",
    "review.escalated": "Dieskalasi",
    "act.now": "Perlu tindakan",
    "flag.high_pay": "Gaji tidak wajar",
    "flag.wage_anomaly": "Gaji di bawah upah minimum",
    "flag.no_skills": "Tanpa syarat keahlian",
    "flag.overseas": "Kerja di luar negeri",
    "flag.paid_travel": "Perjalanan ditanggung",
    "flag.nonprocedural": "Jalur tidak resmi",
    "flag.private_contact": "Kontak hanya via chat pribadi",
    "flag.urgency": "Desakan waktu",
    "flag.demographic_targeting": "Menyasar usia/penampilan/status",
    "flag.fees_or_debt": "Biaya di muka / utang",
    "flag.task_scam": "Kerja \"tugas\" berbayar",
    "flag.upfront_payment": "Bayar supaya diterima",
    "flag.impersonation": "Mengaku rekruter perusahaan terkenal",
    "flag.document_control": "Dokumen ditahan",
    "flag.secrecy": "Diminta merahasiakan",
    "flag.vague_employer": "Perusahaan tidak jelas",
    "flag.licensed_agency": "Agen berizin (P3MI/SIP2MI)",
    "flag.official_programme": "Program resmi pemerintah",
    "flag.official_registration": "Pendaftaran lewat kanal resmi",
    "flag.company_identity": "Identitas perusahaan jelas",
    "flag.awareness_context": "Teks peringatan/edukasi",
  },
  en: {
    "level.rendah": "Low", "level.sedang": "Medium", "level.tinggi": "High",
    "level.full.rendah": "Low risk", "level.full.sedang": "Medium risk — check further",
    "level.full.tinggi": "High risk of trafficking recruitment",
    "label.high": "Trafficking-recruitment risk",
    "label.other_scam": "Job fraud (not trafficking)",
    "label.low": "No strong indication",
    "category.tppo": "Trafficking", "category.job_fraud": "Job fraud", "category.none": "No indication",
    "kind.offer": "Job offer", "kind.question": "Question", "kind.report": "Case report",
    "kind.warning": "Warning/awareness", "kind.other": "Not about a job",
    "review.new": "New", "review.correct": "Correct", "review.corrected": "Corrected",
    "review.escalated": "Escalated",
    "act.now": "Needs action",
    "flag.high_pay": "Implausible pay",
    "flag.wage_anomaly": "Pay below the minimum wage",
    "flag.no_skills": "No skills required",
    "flag.overseas": "Work abroad",
    "flag.paid_travel": "Travel paid for",
    "flag.nonprocedural": "Unofficial route",
    "flag.private_contact": "Private-chat contact only",
    "flag.urgency": "Time pressure",
    "flag.demographic_targeting": "Targets age/looks/status",
    "flag.fees_or_debt": "Up-front fees / debt",
    "flag.task_scam": "Paid \"task\" job",
    "flag.upfront_payment": "Pay to be hired",
    "flag.impersonation": "Poses as a known company's recruiter",
    "flag.document_control": "Documents withheld",
    "flag.secrecy": "Asked to keep it secret",
    "flag.vague_employer": "Unclear employer",
    "flag.licensed_agency": "Licensed agency (P3MI/SIP2MI)",
    "flag.official_programme": "Official government programme",
    "flag.official_registration": "Official registration channel",
    "flag.company_identity": "Clear company identity",
    "flag.awareness_context": "Warning/awareness text",
  },
};

/** The shared words of one language ("id" unless "en"). */
export function word(key, lang) {
  const table = WORDS[lang === "en" ? "en" : "id"];
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : (WORDS.id[key] ?? key);
}

/** Every flag that has a short name here (tests compare it with the indicator registry). */
export const FLAG_NAMES = Object.keys(WORDS.id).filter((k) => k.startsWith("flag.")).map((k) => k.slice(5));

function pick(obj, lang) {
  if (!obj) return "";
  if (typeof obj === "string") return obj;
  return obj[lang] || obj.id || obj.en || "";
}

/** Short name of a flag: /v1/indicators `label`, else ours, else its description, else its code. */
export function flagLabel(flag, lang, indicators) {
  const ind = indicators && indicators[flag];
  if (ind && ind.label) return pick(ind.label, lang);
  const key = "flag." + flag;
  const ours = word(key, lang);
  if (ours !== key) return ours;
  if (ind && ind.description) return pick(ind.description, lang) || flag;
  return String(flag);
}

/** The reason a hit (or, failing that, its indicator) gives, in ``lang``. */
export function flagReason(hit, lang, indicators) {
  const r = hit && (hit["reason_" + lang] || hit.reason_id || hit.reason);
  if (r) return r;
  const ind = indicators && hit && indicators[hit.flag];
  return ind && ind.reason ? pick(ind.reason, lang) : "";
}

/** A risk score (0..1) as a percentage: "<1%" and ">99%" at the ends, "–" when there is none. */
export function pct(score) {
  const n = Number(score);
  if (score === null || score === undefined || score === "" || !Number.isFinite(n)) return "–";
  const p = Math.round(n * 100);
  if (p >= 100 && n < 1) return ">99%";
  if (p <= 0 && n > 0) return "<1%";
  return p + "%";
}

export function levelOf(r) { return r && LEVELS.includes(r.risk_level) ? r.risk_level : "rendah"; }
export function labelOf(r) { return r && LABELS.includes(r.label) ? r.label : "low"; }
/** A record without `kind` (older services) is an offer. */
export function kindOf(r) { return r && KINDS.includes(r.kind) ? r.kind : "offer"; }

/** tppo | job_fraud | none: what the label says the post is, whatever its level. */
export function categoryOf(r) {
  const label = labelOf(r);
  return label === "high" ? "tppo" : label === "other_scam" ? "job_fraud" : "none";
}

/** Reports and warnings talk about trafficking; they are not risky posts to act on. */
export function isInformational(r) { const k = kindOf(r); return k === "report" || k === "warning"; }

/** `tinggi` on an offer or a question needs a moderator to act (the record's `needs_action` when it has one). */
export function needsAction(r) {
  if (r && typeof r.needs_action === "boolean") return r.needs_action;
  const k = kindOf(r);
  return (k === "offer" || k === "question") && levelOf(r) === "tinggi";
}

/**
 * The badge a record gets: {tone, text, level}. tone is a level (rendah|sedang|tinggi), "fraud"
 * for job fraud at a low TPPO level (never a green "low"), or "info" for a report, a warning or a
 * post not about a job (never a red "act now").
 */
export function badgeFor(r, lang) {
  const level = levelOf(r);
  const kind = kindOf(r);
  if (kind === "report" || kind === "warning" || kind === "other") {
    return { tone: "info", level, kind, text: word("kind." + kind, lang) };
  }
  if (categoryOf(r) === "job_fraud" && level === "rendah") {
    return { tone: "fraud", level, kind, text: word("category.job_fraud", lang) };
  }
  return { tone: level, level, kind, text: word("level." + level, lang) };
}

/** Evidence grouped by flag in first-seen order: [{flag, label, words, reason}], words without repeats. */
export function evidenceGroups(hits, lang, indicators) {
  const groups = new Map();
  for (const h of hits || []) {
    if (!h || !h.flag) continue;
    if (!groups.has(h.flag)) {
      groups.set(h.flag, { flag: h.flag, label: flagLabel(h.flag, lang, indicators), words: [],
                           reason: flagReason(h, lang, indicators) });
    }
    const w = String(h.text || "");
    if (w && !groups.get(h.flag).words.includes(w)) groups.get(h.flag).words.push(w);
  }
  return [...groups.values()];
}

/**
 * What every view of a record shows (the page's card and table, the extension's badge, popover,
 * popup and context-menu panel): the badge, the score as text, the kind, whether it needs action,
 * and the red flags and counter-evidence grouped with their names, matched words and reasons.
 */
export function recordView(r, lang, indicators) {
  const b = badgeFor(r, lang);
  const flags = evidenceGroups(r.evidence, lang, indicators);
  for (const f of r.flags || []) {   // a flag whose evidence was left out still gets its line
    if (!flags.some((g) => g.flag === f)) flags.push({ flag: f, label: flagLabel(f, lang, indicators), words: [], reason: "" });
  }
  return {
    tone: b.tone, level: b.level, kind: b.kind, badgeText: b.text, scoreText: pct(r.risk_score),
    levelText: word("level.full." + b.level, lang), kindText: word("kind." + b.kind, lang), act: needsAction(r),
    flags, counter: evidenceGroups(r.counter_evidence, lang, indicators),
  };
}
