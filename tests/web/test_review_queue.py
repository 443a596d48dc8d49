"""The moderators' working day (issue 16): a review queue that survives a reload, keyboard review,
bulk marks and export with review state, header-less and semicolon imports, kind-specific cards,
and the small defects measured in the issue, each reproduced here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.web.page_kit import (
    ADMIN_KEY,
    MIXED,
    RISKY,
    Keys,
    Select,
    WebDriver,
    _http,
    css,
    csss,
    download_csv,
    driver,
    open_page,
    server,
    shot,
    text_of,
    upload,
    wait,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
__all__ = ["driver", "server"]  # fixtures used by name

TASK_SCAM = ("Kerja paruh waktu dari rumah: like dan follow akun TikTok, dibayar 50rb per tugas. "
             "Wajib deposit 100rb dulu untuk aktivasi akun, hubungi admin WA.")
TEN = [t for _, t in MIXED] + [
    TASK_SCAM,
    "Lowongan admin, bayar biaya pendaftaran 250rb ke rekening kami untuk seragam dan pelatihan.",
    "Dicari tukang las berpengalaman untuk proyek di Cikarang, gaji sesuai UMK, hubungi kantor.",
    "Loker pabrik garmen Semarang, lulusan SMA, kirim lamaran ke HRD, tanpa biaya apa pun.",
    "Butuh cepat LC karaoke di Batam, gaji 20jt, cewek usia 18-25 good looking, tiket ditanggung.",
]


@pytest.fixture()
def page(server: dict[str, Any], driver: WebDriver) -> WebDriver:
    """The page with an empty queue: the IndexedDB database is deleted from a same-origin page
    that holds no connection to it, then the page is opened."""
    driver.get(server["base"] + "/static/next_steps.json")
    driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const req = indexedDB.deleteDatabase('tppo-moderator');
        req.onsuccess = req.onerror = req.onblocked = () => done(true);""")
    open_page(driver, server["base"])
    return driver


def keys(driver: WebDriver, *presses: str) -> None:
    """Key presses sent to whatever has focus (the queue's row after j/k)."""
    for k in presses:
        driver.switch_to.active_element.send_keys(k)


def first(driver: WebDriver, sel: str) -> Any:
    """The first element matching ``sel``, or None (for waits)."""
    found = csss(driver, sel)
    return found[0] if found else None


def rows(driver: WebDriver) -> list[Any]:
    return csss(driver, "#results-body tr.row-main")


def upload_unscorable(driver: WebDriver, path: Path) -> Any:
    """Upload a file none of whose rows can be scored; return the (shown) error box."""
    css(driver, "#tab-batch").click()
    css(driver, "#file-input").send_keys(str(path))
    wait(driver, lambda d: css(d, "#batch-errors").is_displayed() and csss(d, "[data-testid=file-error]"),
         msg="no error shown")
    return css(driver, "#batch-errors")


def write(server: dict[str, Any], name: str, content: str) -> Path:
    path = server["tmp"] / name
    path.write_text(content, encoding="utf-8")
    return path


def test_reload_keeps_the_queue_and_its_review_state(page: WebDriver, server: dict[str, Any]) -> None:
    upload(page, write(server, "reload.jsonl", "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in MIXED)))
    assert len(rows(page)) == len(MIXED)
    css(page, "#results-body tr.row-main").click()
    keys(page, "e")
    wait(page, lambda d: rows(d)[0].get_attribute("data-review") == "escalated")
    page.refresh()
    wait(page, lambda d: len(rows(d)) == len(MIXED), msg="the queue did not survive a reload")
    assert [r.get_attribute("data-review") for r in rows(page)] == ["escalated"] + ["new"] * (len(MIXED) - 1)
    assert "peramban" in text_of(css(page, "#queue-persist"))


def test_keyboard_review_of_ten_posts_from_a_headerless_text_file(page: WebDriver, server: dict[str, Any]) -> None:
    upload(page, write(server, "ten.txt", "\n".join(t.replace("\n", " ") for t in TEN) + "\n"))
    assert [r.get_attribute("data-line") for r in rows(page)] == [str(i) for i in range(1, 11)]
    css(page, "body").send_keys("?")
    wait(page, lambda d: css(d, "#keys-help").is_displayed(), msg="? shows no help")
    keys(page, "?")
    css(page, "#results-body tr.row-main").click()
    levels = [r.get_attribute("data-level") for r in rows(page)]
    plan = ["3", "1", "e", "2", "3", "1", "e", "2", "3", "1"]
    for i, k in enumerate(plan):
        keys(page, k)
        if i < len(plan) - 1:
            keys(page, "j")
    wait(page, lambda d: all(r.get_attribute("data-review") != "new" for r in rows(d)),
         msg="not every post was reviewed from the keyboard")
    by_key = {"1": "rendah", "2": "sedang", "3": "tinggi"}
    for r, k, lv in zip(rows(page), plan, levels, strict=True):
        want = "escalated" if k == "e" else ("correct" if by_key[k] == lv else "corrected")
        assert r.get_attribute("data-review") == want, (k, lv, r.get_attribute("data-review"))
    keys(page, "k", "k")
    assert "row-current" in (rows(page)[7].get_attribute("class") or "")
    shot(page, "queue_keyboard_review", full=False)


def test_bulk_mark_and_export_say_what_they_export(page: WebDriver, server: dict[str, Any]) -> None:
    upload(page, write(server, "bulk.jsonl", "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in MIXED)))
    assert "Tawaran kerja " in css(page, "#batch-status").text  # counted per kind
    assert "Perlu tindakan: " in css(page, "#batch-status").text
    Select(css(page, "#filter-level")).select_by_value("tinggi")
    n_high = len(rows(page))
    assert 0 < n_high < len(MIXED)
    name = css(page, "#moderator-name")
    name.clear()
    name.send_keys("Sari", Keys.TAB)  # kept in this browser, written into each review and feedback
    css(page, "#select-all").click()
    assert css(page, "[data-testid=bulk-count]").text.startswith(str(n_high))
    css(page, "#bulk-escalate").click()
    wait(page, lambda d: all(r.get_attribute("data-review") == "escalated" for r in rows(d)))
    assert css(page, "#export-btn").text == f"Ekspor yang tersaring ({n_high} dari {len(MIXED)})"
    filtered = download_csv(page, "#export-btn")
    assert len(filtered) == n_high and {r["review"] for r in filtered} == {"escalated"}
    assert {"review", "reviewed_at", "feedback_label", "kind", "category"} <= set(filtered[0])
    assert {r["reviewed_by"] for r in filtered} == {"Sari"}
    css(page, "#results-body tr.row-main .expand-btn").click()
    history = wait(page, lambda d: css(d, "#results-body tr.row-detail [data-testid=history]"))
    assert "dieskalasi" in history.text and "Sari" in history.text
    everything = download_csv(page, "#export-all-btn")
    assert len(everything) == len(MIXED)
    assert sorted(r["review"] for r in everything) == sorted(["escalated"] * n_high + ["new"] * (len(MIXED) - n_high))
    shot(page, "queue_bulk_escalated")


def test_semicolon_csv_with_excel_headers_and_blank_line_blocks(page: WebDriver, server: dict[str, Any]) -> None:
    content = ("No;Isi Postingan;Akun;Tanggal;Tautan\r\n"
               '1;"Loker ke Kamboja; gaji 15jt, tanpa pengalaman";Info Loker Asia;2026-11-30;https://example.org/p/1\r\n'
               "2;Lowongan satpam di Depok, hubungi kantor;PT Aman;2026-12-01;\r\n")
    upload(page, write(server, "excel.csv", content))
    wait(page, lambda d: [r.get_attribute("data-line") for r in rows(d)] == ["2", "3"])
    assert "Info Loker Asia" in css(rows(page)[0], ".cell-meta").text
    exported = download_csv(page, "#export-btn")
    assert exported[0]["account"] == "Info Loker Asia" and exported[0]["url"] == "https://example.org/p/1"
    assert exported[0]["text"] == "Loker ke Kamboja; gaji 15jt, tanpa pengalaman"

    blocks = write(server, "blocks.txt",
                   "Dibutuhkan admin\ndi Kamboja, gaji 15jt\n\nLowongan kasir minimarket\nJl. Kaliurang\n")
    upload(page, blocks)
    assert [r.get_attribute("data-line") for r in rows(page)] == ["1", "4"]


def test_one_long_line_in_a_text_file_is_a_row_not_an_error_dump(page: WebDriver, server: dict[str, Any]) -> None:
    box = upload_unscorable(page, write(server, "long.txt", "gaji besar kerja luar negeri " * 7000))  # 200 KB
    assert len(text_of(box)) < 600, "the line was dumped into the error box"
    assert "Baris 1: teks terlalu panjang" in text_of(box)
    assert "Baris lainnya" not in box.text  # no other rows were checked, so it must not say so


def test_error_messages_agree_with_what_happened_in_both_languages(page: WebDriver, server: dict[str, Any]) -> None:
    upload(page, write(server, "half.jsonl", json.dumps({"text": RISKY}) + "\n{bad json\n"))
    summary = css(page, "[data-testid=bad-rows-summary]")
    assert summary.text == "1 baris tidak valid dan dilewati (baris 2). Baris lainnya tetap diperiksa."
    css(page, "#lang-toggle").click()
    wait(page, lambda d: css(d, "[data-testid=bad-rows-summary]").text
         == "1 invalid row was skipped (line 2). The other rows were still checked.")
    css(page, "#lang-toggle").click()
    upload_unscorable(page, write(server, "allbad.jsonl", "{bad json\n"))
    assert css(page, "[data-testid=bad-rows-summary]").text == "1 baris tidak valid (baris 1)."
    assert "Tidak ada baris yang bisa diperiksa" in css(page, "[data-testid=file-error]").text


def test_feedback_form_preselects_nothing_and_refuses_the_prediction(page: WebDriver, server: dict[str, Any]) -> None:
    box = css(page, "#post-text")
    page.execute_script("arguments[0].value = arguments[1];", box, TASK_SCAM)
    css(page, "#score-btn").click()
    card = wait(page, lambda d: first(d, "#single-result [data-testid=result]"))
    predicted = css(card, "[data-testid=label]").get_attribute("data-label")
    css(card, "[data-testid=fb-wrong]").click()
    label = Select(css(card, "[data-testid=fb-label]"))
    assert label.first_selected_option.get_attribute("value") == ""
    label.select_by_value(str(predicted))
    Select(css(card, "[data-testid=fb-reason]")).select_by_value("legit_job")
    css(card, "[data-testid=fb-submit]").click()
    status = css(card, "[data-testid=fb-status]")
    assert "fb-status err" in (status.get_attribute("class") or "") and "sama dengan prediksi" in status.text


def test_job_fraud_gets_fraud_steps_never_no_action_needed(page: WebDriver) -> None:
    box = css(page, "#post-text")
    page.execute_script("arguments[0].value = arguments[1];", box, TASK_SCAM)
    css(page, "#score-btn").click()
    badge = wait(page, lambda d: first(d, "#single-result [data-testid=level-badge]"))
    steps = css(page, "#single-result [data-testid=next-steps]").text
    if css(page, "#single-result [data-testid=label]").get_attribute("data-label") == "other_scam":
        assert badge.get_attribute("data-tone") != "rendah" and badge.text == "Penipuan kerja"
        assert "penipuan lowongan kerja" in steps.lower()
        assert "Penipuan kerja" in css(page, "#single-loading").text  # what a screen reader hears too
    assert "Tidak perlu tindakan khusus" not in steps
    page.execute_script("document.querySelector('#single-result [data-testid=result]').scrollIntoView()")
    shot(page, "job_fraud_post", full=False)


RENDER = """
const [done, records] = [arguments[arguments.length - 1], arguments[0]];
import('/static/result-card.js').then((m) => {
  const area = document.getElementById('single-result');
  area.replaceChildren(...records.map((r, i) => m.renderResultCard({text: r.text, result: r}, {key: 'k' + i})));
  done(true);
});"""


def _record(text: str, **kw: Any) -> dict[str, Any]:
    rec = {"id": "x", "risk_score": 0.93, "risk_level": "tinggi", "label": "high", "flags": ["overseas"],
           "evidence": [{"flag": "overseas", "start": 0, "end": 7, "text": text[:7]}], "counter_evidence": [],
           "money": [], "text": text}
    rec.update(kw)
    return rec


def test_each_kind_is_rendered_as_itself(page: WebDriver) -> None:
    records = [
        _record("Kamboja: korban TPPO asal Sukabumi dipulangkan", kind="report"),
        _record("Waspada! Lowongan ke Kamboja gaji 15jt itu modus TPPO", kind="warning"),
        _record("Kak, ada yang nawarin kerja di Kamboja gaji 15jt, aman gak?", kind="question"),
        _record("Kamboja admin gaji 15jt tiket ditanggung"),  # no kind: an offer
    ]
    page.execute_async_script(RENDER, records)
    cards = csss(page, "#single-result [data-testid=result]")
    kinds = [c.get_attribute("data-kind") for c in cards]
    assert kinds == ["report", "warning", "question", "offer"]
    for card in cards[:2]:  # report, warning: flags shown, no red "act now"
        assert css(card, "[data-testid=level-badge]").get_attribute("data-tone") == "info"
        assert not csss(card, "[data-testid=act-now]")
        assert csss(card, '[data-testid=flag-list] li[data-flag="overseas"]')
        assert css(card, "[data-testid=kind-note]").is_displayed()
    assert "Laporan kasus" in css(cards[0], "[data-testid=level-badge]").text
    question = css(cards[2], "[data-testid=next-steps]").text
    assert "Cara membalas penanya" in question and "Balas orang yang bertanya" in question
    assert csss(cards[2], "[data-testid=act-now]") and csss(cards[3], "[data-testid=act-now]")
    assert css(cards[3], "[data-testid=level-badge]").get_attribute("data-tone") == "tinggi"
    page.execute_script("document.getElementById('single-result').scrollIntoView()")
    shot(page, "kinds_report_warning_question_offer")


def test_feedback_keeps_the_moderators_name_and_marks_the_queue_row(page: WebDriver, server: dict[str, Any]) -> None:
    name = css(page, "#moderator-name")
    name.clear()
    name.send_keys("Dewi", Keys.TAB)
    box = css(page, "#post-text")
    page.execute_script("arguments[0].value = arguments[1];", box, MIXED[1][1])
    css(page, "#score-btn").click()
    card = wait(page, lambda d: first(d, "#single-result [data-testid=result]"))
    css(card, "[data-testid=fb-correct]").click()
    wait(page, lambda d: "fb-status ok" in (css(d, "#single-result [data-testid=fb-status]").get_attribute("class")
                                            or ""))
    status, body = _http("GET", server["base"] + "/v1/feedback/export", headers={"X-API-Key": ADMIN_KEY})
    assert status == 200
    if isinstance(body, str):  # JSONL
        stored = [json.loads(line) for line in body.splitlines() if line.strip()]
    else:
        stored = [body] if isinstance(body, dict) else list(body)
    assert any((r.get("note") or "").startswith("[moderator: Dewi]") for r in stored), stored
    css(page, "#tab-batch").click()
    row = wait(page, lambda d: rows(d) and rows(d)[-1])
    assert row.get_attribute("data-review") == "correct"
