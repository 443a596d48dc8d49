"""Shared by the moderators' page browser tests: one real ``detector serve`` (loopback, free port,
temporary SQLite feedback DB) and one headless Chromium (Debian ``chromium`` + ``chromium-driver``,
driven by Selenium) per test module, and the helpers that drive the page.
Screenshots for review are written to ``tests/_screenshots/`` (gitignored)."""

from __future__ import annotations

import base64
import csv
import json
import os
import shutil
import socket
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

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "tests" / "_screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
ADMIN_KEY = "test-admin-key-0123456789"
BATCH_LIMIT = 2  # tiny, so that a 5-row file is scored in several batches

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402,F401 - re-exported

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
    # The queue is redrawn as results arrive: an element read in one poll may be gone in the next.
    return WebDriverWait(driver, timeout, poll_frequency=0.1,
                         ignored_exceptions=(StaleElementReferenceException,)).until(cond, msg)


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
    return wait(driver, lambda d: next(iter(csss(d, "#single-result [data-testid=level-badge]")), None),
                msg="no result badge appeared")


def upload(driver: WebDriver, path: Path) -> None:
    css(driver, "#tab-batch").click()
    css(driver, "#file-input").send_keys(str(path))
    wait(driver, lambda d: css(d, "#batch-progress-wrap").get_attribute("hidden") is not None
         and "…" not in css(d, "#batch-status").text and css(d, "#batch-status").text.strip() != "",
         msg="the file was never fully scored")


def download_csv(driver: WebDriver, button: str) -> list[dict[str, str]]:
    """Click ``button`` and read the CSV it downloads, once the file is complete (it ends in CRLF)."""
    for old in driver.downloads.glob("*"):  # type: ignore[attr-defined]
        old.unlink()
    css(driver, button).click()

    def complete(d: WebDriver) -> Path | None:
        path = next(iter(d.downloads.glob("*.csv")), None)  # type: ignore[attr-defined]
        return path if path and path.read_bytes().endswith(b"\r\n") else None

    out = wait(driver, complete, msg="no CSV downloaded")
    with out.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


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


