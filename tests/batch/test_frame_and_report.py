"""``score_frame`` (the function every engine maps) and the summary report."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from detector.batch import scan, score_frame
from detector.batch.frame import scored_records
from detector.cli import main
from tests.batch.conftest import CARD, corpus, read_jsonl, write_jsonl


def test_score_frame_keeps_order_and_marks_rejects(det) -> None:  # noqa: ANN001
    df = pd.DataFrame({"post_id": [1, 2, 3, 4], "isi": [CARD, "", 5, "Lowongan kasir toko, gaji UMR"]})
    out = score_frame(df, detector=det, text_field="isi", id_field="post_id")
    assert list(out["id"]) == ["1", "2", "3", "4"] and list(out["row"]) == [1, 2, 3, 4]
    assert list(out["reject_code"].fillna("")) == ["", "empty_text", "not_string", ""]
    assert out.loc[0, "risk_level"] == "tinggi" and "overseas" in out.loc[0, "flags"]
    scored, rejects = scored_records(out)
    assert [r["id"] for r in scored] == ["1", "4"] and [r["row"] for r in rejects] == [2, 3]
    assert {"id", "risk_score", "risk_level", "label", "flags", "evidence"} <= set(scored[0])


def test_score_frame_records_equal_local_scan(det, tmp_path: Path) -> None:  # noqa: ANN001
    rows = corpus(30, seed=2)
    scan(det, str(write_jsonl(tmp_path / "in.jsonl", rows)), str(tmp_path / "out.jsonl"))
    scored, _ = scored_records(score_frame(pd.DataFrame(rows), detector=det))
    assert scored == read_jsonl(tmp_path / "out.jsonl")


def test_reports_show_levels_flags_destinations_salaries_and_top_posts(tmp_path: Path) -> None:
    # Hostile markup in every post, so whichever posts rank highest, their text must come out escaped.
    hostile = " <script>alert(1)</script>"
    rows = [{**r, "text": r["text"] + hostile} for r in [*corpus(60, seed=9), {"id": "card", "text": CARD}]]
    inp = write_jsonl(tmp_path / "in.jsonl", rows)
    for ext in ("md", "html"):
        res = CliRunner().invoke(main, ["scan", str(inp), "--out", str(tmp_path / "o.jsonl"), "-j", "1", "-q",
                                        "--report", str(tmp_path / f"r.{ext}")])
        assert res.exit_code == 0, res.output
    md = (tmp_path / "r.md").read_text(encoding="utf-8")
    for heading in ("Risk levels", "Top red flags", "Destinations named", "Salaries offered", "Highest-risk posts"):
        assert heading in md
    assert "overseas" in md and "Rp" in md
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("<li><p>") == 20  # top-N posts


def test_report_needs_md_or_html(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["scan", "x.jsonl", "--out", str(tmp_path / "o.jsonl"), "--report", "r.pdf"])
    assert res.exit_code == 2 and ".md or .html" in res.output
