"""End-to-end tests of the moderators' web page (issue 5): one post, a file, feedback, errors.

The server, browser and helpers are in ``tests/web/page_kit.py``.
"""

from __future__ import annotations

import json
import sqlite3
import time
from typing import Any

import pytest

from tests.web.page_kit import (
    ADMIN_KEY,
    LEGIT,
    MIXED,
    RISKY,
    By,
    Select,
    WebDriver,
    _http,
    css,
    csss,
    download_csv,
    driver,
    page,
    paste_and_score,
    pending,
    phone,
    server,
    shot,
    text_of,
    upload,
    wait,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
__all__ = ["driver", "page", "server"]  # fixtures used by name


# ---------------------------------------------------------------------------- tests


def test_risky_post_shows_tinggi_and_highlights_the_right_words(page: WebDriver, server: dict[str, Any]) -> None:
    badge = paste_and_score(page, RISKY)
    assert badge.get_attribute("data-level") == "tinggi"
    assert badge.is_displayed() and badge.text.strip() == "Tinggi"

    marks = csss(page, "#single-result mark.hl-risk")
    assert marks, "no highlighted evidence"
    by_flag: dict[str, list[str]] = {}
    for m in marks:
        by_flag.setdefault(str(m.get_attribute("data-flag")), []).append(text_of(m))
    assert "Kamboja" in by_flag.get("overseas", []), by_flag
    assert any(t.startswith("15jt") for t in by_flag.get("high_pay", [])), by_flag  # "15jt" or "15jt/bulan"
    # ... and exactly the service's evidence, word for word (offsets converted right after the 🇰🇭 emoji)
    status, api = _http("POST", server["base"] + "/v1/score", {"text": RISKY})
    assert status == 200
    expected = _group(api["evidence"])
    assert {k: sorted(v) for k, v in by_flag.items()} == {k: sorted(v) for k, v in expected.items()}
    # every span came straight from the converted offsets (no fallback re-alignment)
    assert not csss(page, "#single-result mark[data-realigned]")
    # the whole post is still there, in order, exactly once
    assert text_of(css(page, "#single-result [data-testid=post-text]")) == RISKY

    # hover/tap explanation
    kamboja = next(m for m in csss(page, '#single-result mark[data-flag="overseas"]') if text_of(m) == "Kamboja")
    page.execute_script("arguments[0].scrollIntoView({block: 'center'})", kamboja)
    kamboja.click()
    tip = css(page, "#tip")
    wait(page, lambda d: tip.is_displayed(), msg="no explanation on tap")
    assert len(tip.text.strip()) > 20
    shot(page, "01_risky_post_desktop", full=False)

    # what to do next comes from the repo's next_steps.json
    steps = css(page, "#single-result [data-testid=next-steps]")
    assert "SISKOP2MI" in steps.text and "110" in steps.text
    assert csss(page, "#single-result [data-testid=money-list] q")
    shot(page, "02_risky_post_full_desktop")
    phone(page, True)
    time.sleep(0.2)
    assert page.execute_script(
        "return document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"), \
        "the page scrolls sideways on a 360 px phone"
    shot(page, "03a_risky_post_phone_top", full=False)
    page.execute_script("document.querySelector('#single-result [data-testid=result]').scrollIntoView()")
    shot(page, "03b_risky_post_phone_result", full=False)
    shot(page, "03c_risky_post_phone_full")
    phone(page, False)


def test_legit_post_is_not_tinggi_and_shows_counter_evidence(page: WebDriver, server: dict[str, Any]) -> None:
    badge = paste_and_score(page, LEGIT)
    assert badge.get_attribute("data-level") in ("rendah", "sedang")
    # counter-evidence is highlighted too, with its own style, exactly where the service found it
    counter: dict[str, list[str]] = {}
    for m in csss(page, "#single-result mark.hl-counter"):
        counter.setdefault(str(m.get_attribute("data-flag")), []).append(text_of(m))
    status, api = _http("POST", server["base"] + "/v1/score", {"text": LEGIT})
    assert status == 200 and api["counter_evidence"], api
    expected = _group(api["counter_evidence"])
    assert {k: sorted(v) for k, v in counter.items()} == {k: sorted(v) for k, v in expected.items()}
    risk_mark = csss(page, "#single-result mark.hl-risk")
    counter_mark = css(page, "#single-result mark.hl-counter")
    if risk_mark:  # drawn differently from a red flag
        assert (risk_mark[0].value_of_css_property("background-color")
                != counter_mark.value_of_css_property("background-color"))
        assert counter_mark.value_of_css_property("border-bottom-style") == "dashed"
    assert csss(page, "#single-result [data-testid=counter-list] li")
    assert css(page, "#single-result [data-testid=next-steps]").text.strip()
    shot(page, "04_legit_post_desktop")


def test_english_toggle_and_keyboard_explanations(page: WebDriver) -> None:
    paste_and_score(page, RISKY)
    css(page, "#lang-toggle").click()
    wait(page, lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en")
    assert css(page, "#single-result [data-testid=level-badge]").text.strip() == "High"
    assert "What to do next" in css(page, "#single-result [data-testid=next-steps]").text
    # keyboard: focusing a highlight shows its reason
    mark = css(page, '#single-result mark.hl[data-flag="overseas"]')
    page.execute_script("arguments[0].focus()", mark)
    wait(page, lambda d: css(d, "#tip").is_displayed())
    assert mark.get_attribute("aria-describedby") == "tip"
    shot(page, "05_english", full=False)
    css(page, "#lang-toggle").click()
    wait(page, lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "id")


def test_upload_jsonl_scores_every_row_in_batches(page: WebDriver, server: dict[str, Any]) -> None:
    path = server["tmp"] / "posts.jsonl"
    path.write_text("".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n" for i, t in MIXED),
                    encoding="utf-8")
    upload(page, path)
    rows = csss(page, "#results-body tr.row-main")
    assert len(rows) == len(MIXED)
    assert not css(page, "#batch-errors").is_displayed()
    assert [r.get_attribute("data-line") for r in rows] == ["1", "2", "3", "4", "5"]
    levels = {css(r, ".cell-id").text: r.get_attribute("data-level") for r in rows}
    assert levels["r1"] == "tinggi" and levels["r2"] != "tinggi"
    shot(page, "06_table_desktop")


def test_bad_rows_are_reported_and_good_rows_still_scored(page: WebDriver, server: dict[str, Any]) -> None:
    # A CSV with a quoted multi-line field; lines 4 and 7 are bad (empty text, unterminated quote).
    content = (
        "id,text\n"                                                        # line 1
        'c1,"Kerja ke Kamboja, gaji 15jt\nbaris kedua ""dikutip"" japri"\n'  # lines 2-3
        "c2,\n"                                                            # line 4: empty text
        "c3,Lowongan satpam di Depok, hubungi kantor\n"                   # line 5
        'c4,"🇲🇾 Malaysia tanpa pengalaman, tiket ditanggung"\n'          # line 6
        'c5,"tanda kutip tidak ditutup\n'                                  # line 7: unterminated
    )
    path = server["tmp"] / "posts_bad.csv"
    path.write_text(content, encoding="utf-8")
    upload(page, path)
    box = css(page, "#batch-errors")
    assert box.is_displayed()
    summary = css(page, "[data-testid=bad-rows-summary]")
    assert summary.get_attribute("data-count") == "2"
    assert "2 baris" in summary.text and "4" in summary.text and "7" in summary.text
    assert [li.get_attribute("data-line") for li in csss(box, "li")] == ["4", "7"]
    rows = csss(page, "#results-body tr.row-main")
    assert [r.get_attribute("data-line") for r in rows] == ["2", "5", "6"]
    shot(page, "07_bad_rows")

    # a CSV without a text column: the columns found, and a picker for the one holding the posts
    wrong = server["tmp"] / "no_text_column.csv"
    wrong.write_text("nama,pesan\nA,Lowongan kerja ke Kamboja gaji 15jt tanpa pengalaman\n", encoding="utf-8")
    css(page, "#file-input").send_keys(str(wrong))
    picker = wait(page, lambda d: css(d, "[data-testid=column-picker]") if css(
        d, "[data-testid=column-picker]").is_displayed() else None)
    assert "text" in picker.text and "nama, pesan" in picker.text
    page.execute_script("arguments[0].scrollIntoView({block: 'center'})", picker)
    shot(page, "12_column_picker", full=False)
    Select(css(page, "#pick-column")).select_by_value("1")
    css(page, "#pick-ok").click()
    wait(page, lambda d: [r.get_attribute("data-line") for r in csss(d, "#results-body tr.row-main")] == ["2"])
    assert not picker.is_displayed()


def test_sort_filter_expand_and_export(page: WebDriver, server: dict[str, Any]) -> None:
    path = server["tmp"] / "posts.jsonl"
    if not path.exists():
        path.write_text("".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n"
                                for i, t in MIXED), encoding="utf-8")
    upload(page, path)

    def scores() -> list[float]:
        return [float(r.get_attribute("data-score") or 0) for r in csss(page, "#results-body tr.row-main")]

    Select(css(page, "#sort-select")).select_by_value("risk_desc")
    assert scores() == sorted(scores(), reverse=True)
    css(page, 'th[data-col="score"] .sort-btn').click()  # header click toggles the direction
    assert scores() == sorted(scores())
    assert css(page, 'th[data-col="score"]').get_attribute("aria-sort") == "ascending"

    Select(css(page, "#filter-level")).select_by_value("tinggi")
    rows = csss(page, "#results-body tr.row-main")
    assert rows and all(r.get_attribute("data-level") == "tinggi" for r in rows)
    n_high = len(rows)
    Select(css(page, "#filter-level")).select_by_value("")
    Select(css(page, "#filter-flag")).select_by_value("overseas")
    rows = csss(page, "#results-body tr.row-main")
    assert rows and all(csss(r, '.chip[data-flag="overseas"]') for r in rows)
    Select(css(page, "#filter-flag")).select_by_value("")
    assert len(csss(page, "#results-body tr.row-main")) == len(MIXED)

    # expand a row to its highlighted text
    Select(css(page, "#sort-select")).select_by_value("line")
    css(page, '#results-body tr.row-main[data-line="1"] .expand-btn').click()
    detail = wait(page, lambda d: css(d, '#results-body tr.row-detail[data-line="1"]'))
    assert text_of(css(detail, "[data-testid=post-text]")) == RISKY
    assert any(text_of(m) == "Kamboja" for m in csss(detail, 'mark[data-flag="overseas"]'))
    shot(page, "08_row_expanded")
    phone(page, True)
    time.sleep(0.2)
    page.execute_script("document.getElementById('table-area').scrollIntoView()")
    shot(page, "09_table_phone", full=False)
    phone(page, False)

    # export what the table shows (filtered to tinggi)
    Select(css(page, "#filter-level")).select_by_value("tinggi")
    table = download_csv(page, "#export-btn")
    assert len(table) == n_high
    assert all(r["risk_level"] == "tinggi" for r in table)
    assert RISKY in {r["text"] for r in table}


def test_file_dropped_on_the_page_is_scored(page: WebDriver) -> None:
    body = "\n".join(json.dumps({"text": t}, ensure_ascii=False) for _, t in MIXED[:3])
    page.execute_script("""
        const dt = new DataTransfer();
        dt.items.add(new File([arguments[0]], 'dropped.jsonl', {type: 'application/json'}));
        for (const type of ['dragenter', 'dragover', 'drop']) {
          document.querySelector('main').dispatchEvent(
            new DragEvent(type, {dataTransfer: dt, bubbles: true, cancelable: true}));
        }""", body)
    wait(page, lambda d: len(csss(d, "#results-body tr.row-main")) == 3
         and "dropped.jsonl" in css(d, "#batch-status").text)
    assert css(page, "#panel-batch").is_displayed()


def test_feedback_is_stored_and_counted(page: WebDriver, server: dict[str, Any]) -> None:
    before = pending(page)
    paste_and_score(page, RISKY)
    css(page, "#single-result [data-testid=fb-wrong]").click()
    Select(css(page, "#single-result [data-testid=fb-label]")).select_by_value("other_scam")
    Select(css(page, "#single-result [data-testid=fb-reason]")).select_by_index(1)
    css(page, "#single-result [data-testid=fb-note]").send_keys("uji e2e")
    css(page, "#single-result [data-testid=fb-store]").click()
    css(page, "#single-result [data-testid=fb-submit]").click()
    status = css(page, "#single-result [data-testid=fb-status]")
    wait(page, lambda d: "fb-status ok" in (status.get_attribute("class") or ""),
         msg=f"feedback not accepted: {status.text}")
    wait(page, lambda d: pending(d) == before + 1, msg="pending counter did not go up")
    shot(page, "10_feedback_sent", full=False)

    # "Correct" on another result is stored too
    paste_and_score(page, LEGIT)
    css(page, "#single-result [data-testid=fb-correct]").click()
    wait(page, lambda d: "fb-status ok" in (css(d, "#single-result [data-testid=fb-status]")
                                            .get_attribute("class") or ""))

    rows = _stored_feedback(server)
    wrong = [r for r in rows if r.get("correct_label") == "other_scam" and r.get("note") == "uji e2e"]
    assert wrong, rows
    assert wrong[-1].get("predicted_label") == "high"
    assert wrong[-1].get("text") == RISKY


def _group(hits: list[dict[str, Any]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for h in sorted(hits, key=lambda h: (h["start"], -h["end"])):
        out.setdefault(h["flag"], []).append(h["text"])
    return out


def _stored_feedback(server: dict[str, Any]) -> list[dict[str, Any]]:
    status, body = _http("GET", server["base"] + "/v1/feedback/export", headers={"X-API-Key": ADMIN_KEY})
    if status == 200:
        if isinstance(body, dict):
            body = body.get("items") or body.get("feedback") or body.get("rows") or []
        if isinstance(body, str):  # JSONL
            return [json.loads(line) for line in body.splitlines() if line.strip()]
        return list(body)
    # fall back to reading the SQLite file directly
    con = sqlite3.connect(server["db"])
    con.row_factory = sqlite3.Row
    try:
        tables = [r[0] for r in con.execute("select name from sqlite_master where type='table'")]
        table = next(t for t in tables if "feedback" in t)
        return [dict(r) for r in con.execute(f"select * from {table}")]  # noqa: S608 - test-only
    finally:
        con.close()


def test_unreachable_service_shows_a_banner_not_a_blank_page(page: WebDriver, server: dict[str, Any]) -> None:
    # The service "goes away" after the page loaded: every API call now fails at the network level.
    page.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*/v1/*"]})
    try:
        box = css(page, "#post-text")
        page.execute_script("arguments[0].value = arguments[1];", box, RISKY)
        css(page, "#score-btn").click()
        banner = css(page, "#banner")
        wait(page, lambda d: banner.is_displayed(), msg="no banner when the service is unreachable")
        assert "Layanan tidak dapat dihubungi" in banner.text
        assert css(page, "#banner-retry").is_displayed()
        assert css(page, "#post-text").is_displayed()  # the page is still there
        assert "Layanan tidak dapat dihubungi" in css(page, "#single-error").text

        # a file uploaded meanwhile is paused, not lost
        path = server["tmp"] / "posts_offline.jsonl"
        path.write_text("".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for _, t in MIXED),
                        encoding="utf-8")
        css(page, "#tab-batch").click()
        css(page, "#file-input").send_keys(str(path))
        wait(page, lambda d: "Layanan tidak dapat dihubungi" in css(d, "#batch-status").text)
        shot(page, "11_service_unreachable", full=False)
    finally:
        page.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})
    css(page, "#banner-retry").click()
    wait(page, lambda d: not css(d, "#banner").is_displayed(), msg="banner stayed after a good retry")
    wait(page, lambda d: len(csss(d, "#results-body tr.row-main")) == len(MIXED),
         msg="the paused file did not resume after retry")


def test_accessibility_basics(page: WebDriver) -> None:
    paste_and_score(page, RISKY)
    problems = page.execute_script("""
        const bad = [];
        for (const el of document.querySelectorAll('input, select, textarea, button')) {
          if (el.closest('[hidden]')) continue;
          const name = (el.getAttribute('aria-label') || '').trim()
            || (el.labels && [...el.labels].map(l => l.textContent).join(' ').trim())
            || (el.tagName === 'BUTTON' && el.textContent.trim());
          if (!name) bad.push(el.outerHTML.slice(0, 120));
        }
        return bad;""")
    assert problems == []
    assert page.find_element(By.TAG_NAME, "html").get_attribute("lang") == "id"

    # WCAG AA contrast of the level badges (text vs background)
    ratios = page.execute_script("""
        function lum(c) {
          const v = c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number).map(x => {
            x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
          return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
        }
        const out = {};
        for (const lv of ['rendah', 'sedang', 'tinggi']) {
          const b = document.createElement('span');
          b.className = 'badge badge-' + lv; b.textContent = lv;
          document.body.appendChild(b);
          const s = getComputedStyle(b);
          const a = lum(s.color), c = lum(s.backgroundColor);
          out[lv] = (Math.max(a, c) + 0.05) / (Math.min(a, c) + 0.05);
          b.remove();
        }
        return out;""")
    assert all(r >= 4.5 for r in ratios.values()), ratios
