"""The page's pure ES modules (import, queue, guidance, the shared vocabulary, the feedback rule, the poster boxes),
run in Node without a browser: they touch no DOM, so they can be tested on their own."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

STATIC = Path(__file__).resolve().parents[2] / "service" / "static"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(not NODE, reason="node is not installed")


def run(body: str) -> Any:
    """Run ``body`` (an async ES module body that sets ``out``) and return ``out`` as JSON."""
    imports = "\n".join(f'import * as {name} from "{(STATIC / file).as_uri()}";' for name, file in (
        ("imp", "import.js"), ("queue", "queue.js"), ("guide", "guidance.js"), ("vocab", "shared/vocab.js"),
        ("fb", "feedback.js"), ("boxes", "poster-boxes.js")))
    script = f"{imports}\nlet out = null;\n{body}\nconsole.log(JSON.stringify(out));"
    res = subprocess.run([str(NODE), "--input-type=module", "-e", script], capture_output=True, text=True,
                         timeout=30, check=False)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def test_plain_text_is_one_post_per_line_or_per_block() -> None:
    out = run("""out = [
      imp.parseFileContent('a.txt', 'loker satu\\nloker dua\\n\\n', 20000),
      imp.parseFileContent('b.txt', 'blok satu\\nlanjut\\n\\nblok dua\\n', 20000),
      imp.parseFileContent('c.txt', 'x'.repeat(200000), 20000)];""")
    lines, blocks, long = out
    assert [(r["line"], r["text"]) for r in lines["rows"]] == [(1, "loker satu"), (2, "loker dua")]
    assert [(r["line"], r["text"]) for r in blocks["rows"]] == [(1, "blok satu\nlanjut"), (4, "blok dua")]
    assert long["rows"] == [] and long["bad"] == [{"line": 1, "key": "row.err.toolong", "params": {"max": 20000}}]
    assert long["error"] is None and long["pick"] is None


def test_csv_delimiter_is_sniffed_and_extra_columns_carried() -> None:
    out = run("""out = [
      imp.parseFileContent('x.csv',
        'No;Isi Postingan;Akun;Tanggal;Tautan\\r\\n1;"a; b";budi;2026-12-01;https://e.org/1\\r\\n', 20000),
      imp.parseFileContent('t.tsv', 'id\\ttext\\n7\\thalo dunia\\n', 20000),
      imp.parseFileContent('n.csv', 'nama,pesan\\nA,halo\\n', 20000),
      imp.parseFileContent('n.csv', 'nama,pesan\\nA,halo\\n', 20000, {column: 1}),
      imp.parseFileContent('n.csv', 'nama,pesan\\nA,halo\\n', 20000, {column: 1, header: false})];""")
    semi, tab, pick, picked, no_header = out
    assert semi["rows"] == [{"line": 2, "text": "a; b", "account": "budi", "date": "2026-12-01",
                             "url": "https://e.org/1"}]
    assert tab["rows"] == [{"line": 2, "id": "7", "text": "halo dunia"}]
    assert pick["rows"] == [] and [c["name"] for c in pick["pick"]["columns"]] == ["nama", "pesan"]
    assert [r["text"] for r in picked["rows"]] == ["halo"]
    assert [r["text"] for r in no_header["rows"]] == ["pesan", "halo"]


def test_review_states_history_and_export() -> None:
    out = run("""
      const a = {key: 'a', line: 1, text: '=1+1', sourceName: 's', addedAt: '1',
                 result: {risk_level: 'tinggi', risk_score: 0.9, label: 'high', flags: ['overseas']}};
      const b = {key: 'b', line: 2, text: 'b', sourceName: 's', addedAt: '1',
                 result: {risk_level: 'rendah', risk_score: 0.001, label: 'other_scam', flags: [], kind: 'question'}};
      queue.setLevel(a, 'tinggi', {by: 'Sari'});
      queue.setLevel(b, 'sedang', {by: 'Sari'});
      queue.review(b, 'escalated', {});
      const f = Object.assign({}, queue.EMPTY_FILTERS, {category: 'job_fraud'});
      out = {a: a.review, b: b.review, bLevel: b.reviewLevel, hist: b.history.map(h => h.action + ':' + h.by),
             fraud: queue.visible([a, b], f, 'line').map(i => i.key),
             offers: queue.visible([a, b], Object.assign({}, queue.EMPTY_FILTERS, {kind: 'offer'}), 'line')
               .map(i => i.key),
             csv: queue.exportCSV([a, b])};""")
    assert (out["a"], out["b"], out.get("bLevel")) == ("correct", "escalated", None)
    assert out["hist"] == ["corrected:Sari", "escalated:"]
    assert out["fraud"] == ["b"] and out["offers"] == ["a"]  # a record without kind is an offer
    head, first, second = out["csv"].lstrip("\ufeff").strip().split("\r\n")
    assert head.startswith('"source","line","id"') and '"review"' in head and '"feedback_label"' in head
    assert first.endswith('"\'=1+1"')  # no formula reaches a spreadsheet
    assert '"escalated"' in second and '"question"' in second and '"job_fraud"' in second


def test_guidance_per_kind_and_job_fraud() -> None:
    out = run(f"""
      const ns = JSON.parse(await (await import('node:fs/promises')).readFile('{STATIC / "next_steps.json"}', 'utf8'));
      const title = (g) => g.blocks.map(b => b.title.en);
      const rec = (o) => Object.assign({{risk_level: 'tinggi', label: 'high'}}, o);
      out = {{
        fraud: guide.guidanceFor(rec({{risk_level: 'rendah', label: 'other_scam'}}), ns),
        report: guide.guidanceFor(rec({{kind: 'report'}}), ns),
        warning: guide.guidanceFor(rec({{kind: 'warning'}}), ns),
        question: guide.guidanceFor(rec({{kind: 'question'}}), ns),
        offer: guide.guidanceFor(rec({{}}), ns),
        low: guide.guidanceFor(rec({{risk_level: 'rendah', label: 'low'}}), ns),
      }};
      for (const k of Object.keys(out)) out[k] = {{titles: title(out[k]), channels: out[k].channels}};""")
    assert out["fraud"] == {"titles": ["Suspected job fraud (not trafficking)"], "channels": True}
    assert out["report"]["titles"] == ["A case report: not an advert to act on"]
    assert out["warning"] == {"titles": ["A warning or awareness post"], "channels": False}
    assert out["question"]["titles"][0].startswith("A question about a job offer")
    assert out["offer"]["titles"][0].startswith("High risk")
    assert out["low"] == {"titles": ["Low risk"], "channels": False}


def test_vocabulary_badges_scores_and_the_feedback_rule() -> None:
    out = run("""out = {
      pct: [0, 0.0008, 0.5, 0.996, 1, null].map(vocab.pct),
      tones: [{risk_level: 'tinggi', label: 'high', kind: 'report'}, {risk_level: 'rendah', label: 'other_scam'},
              {risk_level: 'tinggi', label: 'high'}].map(r => vocab.badgeFor(r, 'en')),
      act: [{risk_level: 'tinggi', kind: 'question'}, {risk_level: 'tinggi', kind: 'warning'}].map(vocab.needsAction),
      flag: [vocab.flagLabel('high_pay', 'id'),
             vocab.flagLabel('new_flag', 'en', {new_flag: {description: {en: 'New'}}})],
      fb: [fb.correctionProblem('other_scam', 'other_scam', 'legit_job'),
           fb.correctionProblem('low', 'low', 'missed_flag'),
           fb.correctionProblem('high', '', 'other'), fb.correctionProblem('high', 'low', '')],
    };""")
    assert out["pct"] == ["0%", "<1%", "50%", ">99%", "100%", "–"]
    assert [(b["tone"], b["text"]) for b in out["tones"]] == [("info", "Case report"), ("fraud", "Job fraud"),
                                                              ("tinggi", "High")]
    assert out["act"] == [True, False]
    assert out["flag"] == ["Gaji tidak wajar", "New"]
    assert out["fb"] == ["fb.same_label", None, "fb.need_label", "fb.need_reason"]


def test_record_view_groups_evidence_once_for_every_view() -> None:
    out = run("""out = vocab.recordView({risk_level: 'tinggi', risk_score: 0.0004, label: 'high',
      flags: ['overseas', 'urgency'],
      evidence: [{flag: 'overseas', text: 'Kamboja', reason_en: 'abroad'}, {flag: 'overseas', text: 'Kamboja'},
                 {flag: 'overseas', text: 'Myanmar'}],
      counter_evidence: [{flag: 'licensed_agency', text: 'P3MI'}]}, 'en');""")
    assert out["flags"] == [
        {"flag": "overseas", "label": "Work abroad", "words": ["Kamboja", "Myanmar"], "reason": "abroad"},
        {"flag": "urgency", "label": "Time pressure", "words": [], "reason": ""},
    ]
    assert out["counter"][0]["label"] == "Licensed agency (P3MI/SIP2MI)"
    assert (out["badgeText"], out["scoreText"], out["kind"], out["act"]) == ("High", "<1%", "offer", True)


def test_poster_boxes_are_placed_in_percent_of_the_image_each_with_its_evidence_item() -> None:
    out = run("""out = [
      boxes.boxPlacements({ocr: {width: 200, height: 400},
        evidence: [{flag: "overseas", text: "Korea"}, {flag: "fees_or_debt", text: "Biaya"}],
        boxes: [{flag: "overseas", boxes: [{x: 20, y: 40, w: 50, h: 20}]},
                {flag: "fees_or_debt", boxes: [{x: 0, y: 0, w: 10, h: 10}, {x: 100, y: 200, w: 100, h: 40}]}],
        counter_evidence: [{flag: "licensed_agency", text: "P3MI"}],
        counter_boxes: [{flag: "licensed_agency", boxes: []}]}),
      boxes.boxPlacements({evidence: [], boxes: []})];""")
    placed, typed = out
    assert [(p["index"], p["flag"], p["kind"], p["text"]) for p in placed] == [
        (0, "overseas", "risk", "Korea"), (1, "fees_or_debt", "risk", "Biaya"), (1, "fees_or_debt", "risk", "Biaya")]
    assert (placed[0]["left"], placed[0]["top"], placed[0]["width"], placed[0]["height"]) == (10, 10, 25, 5)
    assert (placed[2]["left"], placed[2]["top"], placed[2]["width"], placed[2]["height"]) == (50, 50, 50, 10)
    assert typed == []  # a typed post (no ocr) has no boxes
