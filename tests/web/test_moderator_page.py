"""End-to-end tests of the moderators' web page (issue 5).

One real ``detector serve`` (loopback, free port, temporary SQLite feedback DB) and one headless
Chromium (Debian ``chromium`` + ``chromium-driver``, driven by Selenium) for the whole module.
Screenshots for review are written to ``tests/_screenshots/`` (gitignored).
"""

from __future__ import annotations

import base64
import csv
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "tests" / "_screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
ADMIN_KEY = "test-admin-key-0123456789"
BATCH_LIMIT = 2  # tiny, so that a 5-row file is scored in several batches

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

if not (CHROMIUM and CHROMEDRIVER):
    pytest.skip("needs Debian's chromium and chromium-driver (.ci/run installs them)",
                allow_module_level=True)

# A risky advert: the emoji flag comes first, so any code-point/UTF-16 mix-up would shift every
# highlight after it.
RISKY = ("🇰🇭 LOKER ADMIN CS di Kamboja, gaji 15jt/bulan, tanpa pengalaman, "
         "tiket & visa ditanggung, berangkat minggu depan. Minat japri ya kak 🙏")
# A legitimate, licensed placement: counter-evidence (shown differently) and not "tinggi".
LEGIT = ("PT Arta Migran Sejahtera (P3MI, SIP2MI No. 45/2025) buka lowongan caregiver ke Taiwan, "
         "daftar lewat Disnaker dan SISKOP2MI.")
CLEANER = ("Rekrutmen Tenaga Kebersihan (Cleaning Service) — PT Bersih Prima Layanan, penempatan di mal "
           "Kota Bandung. Usia 18-40, min SMP. Gaji UMK Kota Bandung + BPJS + seragam gratis. "
           "Pendaftaran di kantor Jl. Soekarno Hatta, Bandung. Tidak ada biaya seragam atau pendaftaran.")
MIXED = [
    ("r1", RISKY),
    ("r2", CLEANER),
    ("r3", "Dibutuhkan 10 org admin game di Myanmar. Gaji 1.500 USD, gak perlu skill. Semua biaya "
           "berangkat ditanggung bos, nanti potong gaji 3 bulan. WA 0813-xxxx-xxxx"),
    ("r4", "Shift malam kasir minimarket 24 jam di Jl. Kaliurang. 55rb/shift. Tanya langsung ke kasir."),
    ("r5", "Info kerja ke Malaysia jalur cepat tanpa PT, pake visa kunjungan dulu.\n"
           "Gaji RM 2.500 🇲🇾. Paspor dipegang agen biar aman. Inbox aja"),
]


# ---------------------------------------------------------------------------- helpers


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _http(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None,
          timeout: float = 10) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
            status = resp.status
    except urllib.error.HTTPError as exc:
        raw, status = exc.read(), exc.code
    text = raw.decode("utf-8", "replace")
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


def shot(driver: WebDriver, name: str, full: bool = True) -> Path:
    """Save a (full-page) PNG to tests/_screenshots/ for human review."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    if full:
        m = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        size = m.get("cssContentSize") or m["contentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 6000), "scale": 1}
        data = driver.execute_cdp_cmd("Page.captureScreenshot",
                                      {"format": "png", "captureBeyondViewport": True, "clip": clip})
        path.write_bytes(base64.b64decode(data["data"]))
    else:
        driver.save_screenshot(str(path))
    return path


def phone(driver: WebDriver, on: bool) -> None:
    """Emulate a 360 px wide phone (headless windows cannot be made that narrow)."""
    if on:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": 360, "height": 780, "deviceScaleFactor": 1, "mobile": True})
    else:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def wait(driver: WebDriver, cond: Any, timeout: float = 20, msg: str = "") -> Any:
    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(cond, msg)


def css(driver: WebDriver | WebElement, sel: str) -> WebElement:
    return driver.find_element(By.CSS_SELECTOR, sel)


def csss(driver: WebDriver | WebElement, sel: str) -> list[WebElement]:
    return driver.find_elements(By.CSS_SELECTOR, sel)


def text_of(el: WebElement) -> str:
    return str(el.get_attribute("textContent"))


def open_page(driver: WebDriver, base: str) -> None:
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})
    driver.get(base + "/")
    # The page is ready once it has talked to the service (model version and pending counter shown).
    wait(driver, lambda d: css(d, "#pending-count").get_attribute("data-pending") not in (None, ""),
         msg="the page never loaded its data from the service")
    assert not css(driver, "#banner").is_displayed()


def paste_and_score(driver: WebDriver, text: str) -> WebElement:
    """Put ``text`` in the box, press Ctrl+Enter, and return the badge of the NEW result card."""
    old = csss(driver, "#single-result [data-testid=result]")
    box = css(driver, "#post-text")
    box.clear()
    # send_keys cannot type characters outside the BMP (emoji): set the value from JS instead.
    driver.execute_script("arguments[0].value = arguments[1];", box, text)
    box.send_keys(Keys.CONTROL, Keys.ENTER)  # the keyboard shortcut, not a mouse click
    if old:
        wait(driver, EC.staleness_of(old[0]), msg="the result card was not replaced")
    return wait(driver, lambda d: (csss(d, "#single-result [data-testid=level-badge]") or [None])[0],
                msg="no result badge appeared")


def upload(driver: WebDriver, path: Path) -> None:
    css(driver, "#tab-batch").click()
    css(driver, "#file-input").send_keys(str(path))
    wait(driver, lambda d: css(d, "#batch-progress-wrap").get_attribute("hidden") is not None
         and "…" not in css(d, "#batch-status").text and css(d, "#batch-status").text.strip() != "",
         msg="the file was never fully scored")


def pending(driver: WebDriver) -> int:
    return int(css(driver, "#pending-count").get_attribute("data-pending") or -1)


# ---------------------------------------------------------------------------- fixtures


def _serve_command() -> list[str]:
    script = Path(sys.executable).with_name("detector")
    if script.exists():
        return [str(script), "serve"]
    return [sys.executable, "-m", "detector.cli", "serve"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    models = Path(os.environ.get("DETECTOR_MODELS_DIR") or REPO / "models")
    if not (models / "manifest.json").exists():
        pytest.fail(f"no trained model in {models} (the page is tested against the real service)")
    tmp = tmp_path_factory.mktemp("svc")
    db = tmp / "feedback.db"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DETECTOR_") or k == "DETECTOR_MODELS_DIR"}
    env.update({
        "PYTHONUNBUFFERED": "1",
        "DETECTOR_ENVIRONMENT": "development",
        "DETECTOR_FEEDBACK_DB": str(db),
        "DETECTOR_ADMIN_KEY": ADMIN_KEY,
        "DETECTOR_BATCH_MAX_ITEMS": str(BATCH_LIMIT),
        "DETECTOR_RATE_LIMIT_PER_MINUTE": "0",
        "DETECTOR_LOG_LEVEL": "warning",
        "DETECTOR_ACCESS_LOG": "false",
    })
    log = open(tmp / "server.log", "wb")  # noqa: SIM115 - closed in teardown
    # cwd is the temp dir, so a developer's .env in the repo cannot change the settings under test
    proc = subprocess.Popen([*_serve_command(), "--host", "127.0.0.1", "--port", str(port)],
                            cwd=tmp, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"detector serve exited ({proc.returncode}):\n"
                            + (tmp / "server.log").read_text(errors="replace")[-4000:])
            try:
                status, _ = _http("GET", base + "/readyz", timeout=2)
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("detector serve never became ready:\n"
                            + (tmp / "server.log").read_text(errors="replace")[-4000:])
            time.sleep(0.2)
        yield {"base": base, "db": db, "tmp": tmp, "proc": proc}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()


@pytest.fixture(scope="module")
def driver(server: dict[str, Any]) -> Iterator[WebDriver]:
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    downloads = server["tmp"] / "downloads"
    downloads.mkdir()
    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-extensions", f"--user-data-dir={profile}",
                "--window-size=1280,900", "--lang=id-ID"):
        opts.add_argument(arg)
    drv = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=opts)
    try:
        drv.set_page_load_timeout(30)
        drv.execute_cdp_cmd("Network.enable", {})
        drv.execute_cdp_cmd("Browser.setDownloadBehavior",
                            {"behavior": "allow", "downloadPath": str(downloads)})
        drv.downloads = downloads  # type: ignore[attr-defined]
        yield drv
    finally:
        drv.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture()
def page(server: dict[str, Any], driver: WebDriver) -> WebDriver:
    open_page(driver, server["base"])
    return driver


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
    for old in page.downloads.glob("*"):  # type: ignore[attr-defined]
        old.unlink()
    css(page, "#export-btn").click()
    out = wait(page, lambda d: next((p for p in d.downloads.glob("*.csv")), None),  # type: ignore[attr-defined]
               msg="no CSV downloaded")
    with out.open(encoding="utf-8-sig", newline="") as fh:
        table = list(csv.DictReader(fh))
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
