"""Running totals of a scan, bounded whatever the input size: counts per level, flag, reject
reason, destination and salary bucket, and a top-N heap of the highest-risk posts. JSON-able
(``state``/``from_state``) so checkpoints and engine workers can carry it; ``merge`` adds two."""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from detector.validation import repair_text

#: Categorical record fields counted per value (a record without the field is not counted), so a
#: field added to records is counted by naming it here.
CATEGORY_FIELDS = ("label", "kind")
TOP_N = 20
SNIPPET_CHARS = 400
#: Salary buckets in rupiah per month (upper bounds, exclusive).
SALARY_BUCKETS: tuple[tuple[float, str], ...] = (
    (3e6, "< Rp 3 jt"), (6e6, "Rp 3–6 jt"), (10e6, "Rp 6–10 jt"), (20e6, "Rp 10–20 jt"),
    (50e6, "Rp 20–50 jt"), (float("inf"), "≥ Rp 50 jt"),
)


def salary_bucket(money: list[dict[str, Any]]) -> str | None:
    """The bucket of the highest monthly rupiah amount a post offers, if any."""
    amounts = [m.get("idr_per_month_max") or m.get("idr_per_month_min") for m in money]
    best = max((a for a in amounts if a), default=None)
    if best is None:
        return None
    return next(label for bound, label in SALARY_BUCKETS if best < bound)


#: What each note counts, for the summary printed on stderr.
NOTES = {"text_repaired": "posts had lone surrogates (truncated emoji) or bytes that are not UTF-8 (CSV) "
                          "replaced by U+FFFD (record field 'repaired')",
         "csv_extra_fields": "CSV rows had more fields than the header; the extra fields were ignored"}


@dataclass
class ScanSummary:
    rows_read: int = 0
    scored: int = 0
    rejected: int = 0
    seconds: float = 0.0
    levels: Counter[str] = field(default_factory=Counter)
    flags: Counter[str] = field(default_factory=Counter)
    reject_reasons: Counter[str] = field(default_factory=Counter)
    destinations: Counter[str] = field(default_factory=Counter)
    salaries: dict[str, Counter[str]] = field(default_factory=dict)  # bucket -> level -> posts
    top: list[tuple[float, int, str, dict[str, Any]]] = field(default_factory=list)  # min-heap
    top_n: int = TOP_N
    categories: dict[str, Counter[str]] = field(default_factory=dict)  # field -> value -> posts
    #: Things worth a word that are not rejects: rows whose text was repaired, CSV rows with more
    #: fields than the header (the extra ones ignored).
    notes: Counter[str] = field(default_factory=Counter)
    duplicate_ids: int = 0  # scored posts whose id an earlier scored post had

    # -- adding ---------------------------------------------------------------------------------
    def add_record(self, rec: dict[str, Any], text: str | None = None) -> None:
        self.rows_read += 1
        self.scored += 1
        level = rec["risk_level"]
        self.levels[level] += 1
        self.flags.update(rec["flags"])
        self.destinations.update(rec.get("destinations") or ())
        for name in CATEGORY_FIELDS:
            value = rec.get(name)
            if value is not None:
                self.categories.setdefault(name, Counter())[str(value)] += 1
        if rec.get("repaired"):
            self.notes["text_repaired"] += 1
        bucket = salary_bucket(rec.get("money") or [])
        if bucket:
            self.salaries.setdefault(bucket, Counter())[level] += 1
        key = (float(rec["risk_score"]), -int(rec["row"]), str(rec.get("source") or ""))
        if len(self.top) < self.top_n or key > self.top[0][:3]:
            entry = {"id": rec["id"], "row": rec["row"], "source": rec.get("source"), "risk_score": rec["risk_score"],
                     "risk_level": level, "label": rec["label"], "flags": rec["flags"],
                     "text": repair_text((text or "")[:SNIPPET_CHARS])[0],
                     "evidence": [{"flag": e["flag"], "text": e["text"]} for e in rec["evidence"]]}
            item = (*key, entry)
            if len(self.top) < self.top_n:
                heapq.heappush(self.top, item)
            else:
                heapq.heapreplace(self.top, item)

    def add_reject(self, code: str) -> None:
        self.rows_read += 1
        self.rejected += 1
        self.reject_reasons[code] += 1

    def merge(self, other: ScanSummary) -> None:
        self.rows_read += other.rows_read
        self.scored += other.scored
        self.rejected += other.rejected
        for mine, theirs in ((self.levels, other.levels), (self.flags, other.flags),
                             (self.reject_reasons, other.reject_reasons), (self.destinations, other.destinations)):
            mine.update(theirs)
        for bucket, counts in other.salaries.items():
            self.salaries.setdefault(bucket, Counter()).update(counts)
        for name, counts in other.categories.items():
            self.categories.setdefault(name, Counter()).update(counts)
        self.notes.update(other.notes)
        self.duplicate_ids += other.duplicate_ids
        for item in other.top:
            if len(self.top) < self.top_n:
                heapq.heappush(self.top, item)
            elif item[:3] > self.top[0][:3]:
                heapq.heapreplace(self.top, item)

    # -- reading --------------------------------------------------------------------------------
    def highest(self) -> list[dict[str, Any]]:
        """The top-N posts, highest risk first."""
        return [e for *_, e in sorted(self.top, key=lambda t: t[:3], reverse=True)]

    def salary_table(self) -> list[tuple[str, Counter[str]]]:
        order = [label for _, label in SALARY_BUCKETS]
        return [(b, self.salaries[b]) for b in order if b in self.salaries]

    def reject_rate(self) -> float:
        return self.rejected / self.rows_read if self.rows_read else 0.0

    def to_dict(self) -> dict[str, Any]:
        """The public summary (``--summary-json``)."""
        return {"rows_read": self.rows_read, "scored": self.scored, "rejected": self.rejected,
                "duplicate_ids": self.duplicate_ids, "notes": dict(self.notes.most_common()),
                "counts": {name: dict(c.most_common()) for name, c in self.categories.items()},
                "seconds": round(self.seconds, 3),
                "rows_per_second": round(self.rows_read / self.seconds, 1) if self.seconds else None,
                "levels": dict(self.levels.most_common()), "flags": dict(self.flags.most_common()),
                "reject_reasons": dict(self.reject_reasons.most_common()),
                "destinations": dict(self.destinations.most_common(20)),
                "salaries": {b: dict(c) for b, c in self.salary_table()}}

    def state(self) -> dict[str, Any]:
        return {"rows_read": self.rows_read, "scored": self.scored, "rejected": self.rejected,
                "seconds": self.seconds, "levels": dict(self.levels), "flags": dict(self.flags),
                "reject_reasons": dict(self.reject_reasons), "destinations": dict(self.destinations),
                "salaries": {b: dict(c) for b, c in self.salaries.items()},
                "top": [list(t) for t in self.top], "top_n": self.top_n,
                "categories": {k: dict(c) for k, c in self.categories.items()}, "notes": dict(self.notes),
                "duplicate_ids": self.duplicate_ids}

    @classmethod
    def from_state(cls, d: dict[str, Any]) -> ScanSummary:
        s = cls(rows_read=d["rows_read"], scored=d["scored"], rejected=d["rejected"], seconds=d["seconds"],
                levels=Counter(d["levels"]), flags=Counter(d["flags"]), reject_reasons=Counter(d["reject_reasons"]),
                destinations=Counter(d["destinations"]),
                salaries={b: Counter(c) for b, c in d["salaries"].items()},
                top=[(t[0], t[1], t[2], t[3]) for t in d["top"]], top_n=d.get("top_n", TOP_N),
                categories={k: Counter(c) for k, c in d.get("categories", {}).items()},
                notes=Counter(d.get("notes", {})), duplicate_ids=d.get("duplicate_ids", 0))
        heapq.heapify(s.top)
        return s

    def lines(self) -> list[str]:
        """A short human-readable summary (the CLI prints it to stderr)."""
        rate = f" ({self.rows_read / self.seconds:,.0f} rows/s)" if self.seconds else ""
        out = [f"rows read {self.rows_read:,} · scored {self.scored:,} · rejected {self.rejected:,} · "
               f"{self.seconds:.1f} s{rate}"]
        if self.levels:
            out.append("levels: " + " · ".join(f"{k} {v:,}" for k, v in sorted(self.levels.items())))
        if self.flags:
            out.append("flags: " + " · ".join(f"{k} {v:,}" for k, v in self.flags.most_common()))
        if self.reject_reasons:
            out.append("rejected: " + " · ".join(f"{k} {v:,}" for k, v in self.reject_reasons.most_common()))
        for name, counts in self.categories.items():
            out.append(f"{name}: " + " · ".join(f"{k} {v:,}" for k, v in counts.most_common()))
        if self.duplicate_ids:
            out.append(f"duplicate ids: {self.duplicate_ids:,} scored posts had the id of an earlier one "
                       "(each was scored)")
        for note, n in self.notes.most_common():
            out.append(f"note: {n:,} {NOTES.get(note, note)}")
        return out
