"""``--report X.md|X.html``: level counts, top flags, destinations and salary ranges seen, and the
highest-risk posts with their evidence, rendered from a :class:`ScanSummary` (advert text escaped
in HTML)."""

from __future__ import annotations

import html
from typing import Any

from detector.batch.summary import ScanSummary
from detector.files import atomic_write_text

LEVEL_ORDER = ("tinggi", "sedang", "rendah")


def _sections(s: ScanSummary, title: str) -> list[tuple[str, list[str], list[list[str]]]]:
    """``(heading, header, rows)`` tables, shared by both renderings (cells are plain text)."""
    total = s.scored or 1
    levels = [[lvl, f"{s.levels.get(lvl, 0):,}", f"{100 * s.levels.get(lvl, 0) / total:.1f}%"] for lvl in LEVEL_ORDER]
    flags = [[f, f"{n:,}", f"{100 * n / total:.1f}%"] for f, n in s.flags.most_common(15)]
    dests = [[d, f"{n:,}"] for d, n in s.destinations.most_common(15)]
    sal = [[b, f"{sum(c.values()):,}", *(f"{c.get(lvl, 0):,}" for lvl in LEVEL_ORDER)] for b, c in s.salary_table()]
    rej = [[code, f"{n:,}"] for code, n in s.reject_reasons.most_common()]
    overview = [["rows read", f"{s.rows_read:,}"], ["scored", f"{s.scored:,}"], ["rejected", f"{s.rejected:,}"],
                ["time", f"{s.seconds:.1f} s"]]
    return [("Overview", ["", ""], overview), ("Risk levels", ["level", "posts", "share"], levels),
            ("Top red flags", ["flag", "posts", "share"], flags),
            ("Destinations named", ["destination", "posts"], dests),
            ("Salaries offered (highest amount per post, per month)", ["range", "posts", *LEVEL_ORDER], sal),
            ("Rejected rows", ["reason", "rows"], rej)]


def _post_id(e: dict[str, Any]) -> str:
    where = f"{e['source']} " if e.get("source") else ""
    return f"{e['id']} ({where}row {e['row']})"


def render_markdown(s: ScanSummary, title: str = "Scan report") -> str:
    def esc(x: str) -> str:
        return x.replace("|", "\\|").replace("\n", " ")

    out = [f"# {title}", ""]
    for heading, header, rows in _sections(s, title):
        out += [f"## {heading}", ""]
        if not rows:
            out += ["(none)", ""]
            continue
        out += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        out += ["| " + " | ".join(esc(c) for c in r) + " |" for r in rows]
        out.append("")
    out += ["## Highest-risk posts", ""]
    for i, e in enumerate(s.highest(), 1):
        out.append(f"{i}. **{e['risk_score']:.3f} {e['risk_level']}** — {esc(_post_id(e))}; flags: "
                   f"{', '.join(e['flags']) or '—'}")
        out.append(f"   > {esc(e['text'])}")
        if e["evidence"]:
            out.append("   evidence: " + "; ".join(f"{ev['flag']}: «{esc(ev['text'])}»" for ev in e["evidence"]))
        out.append("")
    return "\n".join(out) + "\n"


def render_html(s: ScanSummary, title: str = "Scan report") -> str:
    e_ = html.escape
    out = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">', f"<title>{e_(title)}</title>",
           "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
           "table{border-collapse:collapse;margin-bottom:1rem}td,th{border:1px solid #ccc;padding:.2rem .6rem;"
           "text-align:left}blockquote{background:#f6f6f6;margin:.3rem 0;padding:.4rem .8rem;white-space:pre-wrap}"
           "mark{background:#fdd}</style></head><body>", f"<h1>{e_(title)}</h1>"]
    for heading, header, rows in _sections(s, title):
        out.append(f"<h2>{e_(heading)}</h2>")
        if not rows:
            out.append("<p>(none)</p>")
            continue
        out.append("<table><tr>" + "".join(f"<th>{e_(h)}</th>" for h in header) + "</tr>")
        out += ["<tr>" + "".join(f"<td>{e_(c)}</td>" for c in r) + "</tr>" for r in rows]
        out.append("</table>")
    out.append("<h2>Highest-risk posts</h2><ol>")
    for e in s.highest():
        ev = "".join(f"<li>{e_(x['flag'])}: <mark>{e_(x['text'])}</mark></li>" for x in e["evidence"])
        out.append(f"<li><p><b>{e['risk_score']:.3f} {e_(e['risk_level'])}</b> — {e_(_post_id(e))}; flags: "
                   f"{e_(', '.join(e['flags']) or '—')}</p><blockquote>{e_(e['text'])}</blockquote>"
                   f"<ul>{ev}</ul></li>")
    out.append("</ol></body></html>")
    return "\n".join(out) + "\n"


HTML_SUFFIXES = (".html", ".htm")
MARKDOWN_SUFFIXES = (".md", ".markdown")


def write_report(s: ScanSummary, path: str, title: str = "Scan report") -> None:
    """Write the report (format from the extension: .md or .html) atomically."""
    low = path.lower()
    if low.endswith(HTML_SUFFIXES):
        text = render_html(s, title)
    elif low.endswith(MARKDOWN_SUFFIXES):
        text = render_markdown(s, title)
    else:
        raise ValueError(f"--report {path}: name it .md or .html")
    atomic_write_text(path, text)
