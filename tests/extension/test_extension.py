"""End-to-end tests of the browser extension (issue 6).

Headless Chromium (Debian ``chromium`` + ``chromium-driver``) loads ``extension/`` unpacked; its id is pinned
by the manifest's ``key``. Two real ``detector serve`` processes run on loopback (temporary SQLite DBs):
``main`` requires an API key, ``limited`` allows one request a minute (for the rate-limited state). The
extension reaches ``main`` through a small recording proxy defined here, so the test sees every request
body and header the extension sends. A local fixture page (``http.server``) holds a risky post, a
legitimate post, a repost of the risky one, a recipe and a news paragraph, and adds a second risky post ~1 s after load.

The extension is configured the way a person does it: through its options page (the service URL, the key,
"127.0.0.1" as an extra site, the privacy switch). Screenshots go to ``tests/_screenshots/``.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
EXT_SRC = REPO / "extension"
SHOTS = REPO / "tests" / "_screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
API_KEY = "ext-test-key-0123456789abcdef"

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import TimeoutException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

if not (CHROMIUM and CHROMEDRIVER):
    pytest.skip("needs Debian's chromium and chromium-driver (.ci/run installs them)", allow_module_level=True)

RISKY = ("LOKER ADMIN CS di Kamboja, gaji 15jt/bulan, tanpa pengalaman, tiket & visa ditanggung, "
         "berangkat minggu depan. Minat japri ya kak 🙏")
LEGIT = ["Rekrutmen Tenaga Kebersihan (Cleaning Service) — PT Bersih Prima Layanan, penempatan di mal Kota "
         "Bandung.",
         "Usia 18-40, min SMP. Gaji UMK Kota Bandung + BPJS + seragam gratis.",
         "Pendaftaran di kantor Jl. Soekarno Hatta, Bandung. Tidak ada biaya seragam atau pendaftaran."]
LATE = ("Dibutuhkan 10 org admin game di Myanmar. Gaji 1.500 USD, gak perlu skill. Semua biaya berangkat "
        "ditanggung bos, nanti potong gaji 3 bulan. WA 0813-xxxx-xxxx")
RECIPE = ("Resep nasi goreng kampung: panaskan dua sendok makan minyak, tumis bawang merah dan bawang putih "
          "sampai harum, masukkan nasi dingin, kecap manis, garam dan telur. Aduk rata lalu sajikan hangat "
          "dengan kerupuk dan acar.")
NEWS = ("Hujan deras sejak sore membuat beberapa ruas jalan di pusat kota tergenang setinggi lutut. "
        "Petugas mengimbau warga berhati-hati saat melintas dan memantau kabar cuaca terbaru.")

FEED_HTML = """<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>Grup Info Loker Jabar</title>
<style>
 body {{ font: 15px/1.5 sans-serif; margin: 0; background: #f0f2f5; }}
 header, footer {{ background: #1877f2; color: #fff; padding: 8px 16px; }}
 header a {{ color: #fff; margin-right: 12px; }}
 .post {{ background: #fff; border-radius: 8px; margin: 12px auto; padding: 10px 14px; max-width: 640px;
          overflow: hidden; cursor: pointer; }}
 .meta {{ color: #65676b; font-size: 13px; }}
</style></head>
<body>
<header><h1>Grup Info Loker Jabar</h1><nav><a href="#">Beranda</a><a href="#">Anggota</a>
<a href="#">Acara</a></nav></header>
<main id="feed">
  <div class="post" id="post-risky" onclick="window.postClicks = (window.postClicks || 0) + 1">
    <div class="meta"><b>Rina Loker</b> · 2 jam</div>
    <p>{risky}</p>
  </div>
  <div class="post" id="post-legit">
    <p>{legit0}</p>
    <p>{legit1}</p>
    <p>{legit2}</p>
  </div>
  <div class="post" id="post-recipe"><p>{recipe}</p></div>
  <div class="post" id="post-repost"><div class="meta"><b>Admin Grup</b> · 1 jam</div><p>{risky}</p></div>
  <article class="post" id="post-news"><h2>Banjir di pusat kota</h2><p>{news}</p></article>
</main>
<footer>Grup komunitas · aturan grup · bantuan</footer>
<script>
  document.cookie = "session=page-secret-cookie";
  setTimeout(function () {{
    var d = document.createElement("div");
    d.className = "post"; d.id = "post-late";
    d.innerHTML = '<div class="meta"><b>Bos Agen</b> · baru saja</div><p></p>';
    d.querySelector("p").textContent = {late_js};
    document.getElementById("feed").appendChild(d);
    document.body.setAttribute("data-late", "added");
  }}, 1000);
</script>
</body></html>
"""


# A generic site (added under "Situs tambahan") whose posts are whole <article>s: a byline with a poster
# name that names countries, a time, the message, and the usual buttons. Only the message may be sent.
POSTER = "Info Loker Malaysia Kamboja"
ARTICLE_MESSAGE = ("Dibutuhkan karyawan gudang di Cikarang, gaji sesuai UMK, lulusan SMA/SMK, kirim lamaran "
                   "ke HRD kantor kami. Tanpa biaya apa pun.")
ARTICLE_HTML = """<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>Forum Loker</title></head>
<body><main>
  <article id="post-article">
    <div class="byline"><a href="#">""" + POSTER + """</a> · <time datetime="2026-12-01">3 jam</time></div>
    <div class="body"><p>{message}</p><p>Minat japri.</p></div>
    <div class="actions"><span role="button">Suka</span> <span role="button">Komentari</span>
      <span role="button">Bagikan</span></div>
  </article>
  <article id="post-recipe2"><p>{recipe}</p></article>
</main></body></html>
"""


# ---------------------------------------------------------------------------------------- helpers


def extension_id(manifest: dict[str, Any]) -> str:
    """Chrome's id for an extension with this manifest ``key``: sha256(DER public key)[:16] as a-p."""
    digest = hashlib.sha256(base64.b64decode(manifest["key"])).hexdigest()[:32]
    return "".join(chr(ord("a") + int(c, 16)) for c in digest)


EXT_ID = extension_id(json.loads((EXT_SRC / "manifest.json").read_text(encoding="utf-8")))
EXT = f"chrome-extension://{EXT_ID}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _http(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            raw, status = resp.read(), resp.status
    except urllib.error.HTTPError as exc:
        raw, status = exc.read(), exc.code
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode("utf-8", "replace")


def _serve_command() -> list[str]:
    script = Path(sys.executable).with_name("detector")
    return [str(script), "serve"] if script.exists() else [sys.executable, "-m", "detector.cli", "serve"]


class Recorder(http.server.ThreadingHTTPServer):
    """A loopback reverse proxy in front of the service that keeps every request (method, path, headers, body)."""

    daemon_threads = True

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.delay = 0.0  # seconds to hold each scoring request (to see posts in their "pending" state)
        super().__init__(("127.0.0.1", 0), _ProxyHandler)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def clear(self) -> None:
        with self.lock:
            self.requests.clear()

    def snapshot(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.requests)

    def batch_texts(self) -> list[str]:
        """Every text sent to POST /v1/score/batch or /v1/score, in order."""
        out: list[str] = []
        for r in self.snapshot():
            if r["method"] != "POST" or not r["path"].startswith("/v1/score"):
                continue
            body = json.loads(r["body"])
            out.extend(item["text"] for item in body.get("items", []))
            if "text" in body:
                out.append(body["text"])
        return out


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    server: Recorder
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with self.server.lock:
            self.server.requests.append({"method": self.command, "path": self.path,
                                         "headers": {k.lower(): v for k, v in self.headers.items()},
                                         "body": body.decode("utf-8", "replace")})
        if self.path.startswith("/v1/score") and self.server.delay:
            time.sleep(self.server.delay)
        conn = http.client.HTTPConnection("127.0.0.1", self.server.upstream_port, timeout=30)
        fwd = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection", "content-length")}
        fwd["Content-Length"] = str(len(body))
        conn.request(self.command, self.path, body=body or None, headers=fwd)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in ("content-length", "connection", "transfer-encoding", "date", "server"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_OPTIONS = _forward


class _QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


def wait(driver: WebDriver, cond: Any, timeout: float = 20, msg: str = "") -> Any:
    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(cond, msg)


def shot(driver: WebDriver, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / f"extension_{name}.png"))


# The post's state and badge as the content script left them (the badge lives in an open shadow root).
POST_JS = """
const post = document.getElementById(arguments[0]);
if (!post) return null;
const marked = post.matches('[data-tppo-state]') ? post : post.querySelector('[data-tppo-state]');
const host = post.querySelector('[data-tppo-badge]');
const mark = post.querySelector('[data-tppo-mark]');
const btn = host && host.shadowRoot && host.shadowRoot.querySelector('button');
const pop = host && host.shadowRoot && host.shadowRoot.querySelector('[popover]');
return {state: marked ? marked.getAttribute('data-tppo-state') : null,
        badges: post.querySelectorAll('[data-tppo-badge]').length,
        level: host ? host.getAttribute('data-tppo-badge') : null,
        mark: mark ? mark.getAttribute('data-tppo-mark') : null,
        mark_label: mark ? mark.shadowRoot.querySelector('span').getAttribute('aria-label') : null,
        flags: host ? host.getAttribute('data-tppo-flags') : null,
        badge_text: btn ? btn.textContent : null,
        expanded: btn ? btn.getAttribute('aria-expanded') : null,
        popover_open: pop ? pop.matches(':popover-open') : null,
        popover_text: pop ? pop.textContent : null,
        flag_items: pop ? [...pop.querySelectorAll('ul.flags li')].map(li => ({
            flag: li.dataset.flag, words: [...li.querySelectorAll('q')].map(q => q.textContent)})) : []};
"""


def flag_name(flag: str, lang: str = "id") -> str:
    """A flag's short name in the vocabulary shared with the moderators' page (shared/vocab.js)."""
    text = (EXT_SRC / "shared" / "vocab.js").read_text(encoding="utf-8")
    block = text.split(f"  {lang}: {{", 1)[1]
    m = re.search(r'"flag\.' + flag + r'": ("(?:[^"\\]|\\.)+")', block)
    assert m, flag
    return str(json.loads(m.group(1)))


def post_info(driver: WebDriver, post_id: str) -> dict[str, Any]:
    """The post's state and badge; ``{}`` (falsy) while the post is not on the page."""
    return driver.execute_script(POST_JS, post_id) or {}


def configure(driver: WebDriver, *, service: str, key: str = "", sites: str = "127.0.0.1",
              privacy: bool = True, min_level: str = "sedang", lang: str = "id") -> None:
    """Fill in and save the options page as a person would."""
    driver.get(f"{EXT}/options.html")
    wait(driver, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true",
         msg="the options page did not load its settings")
    for field, value in (("serviceUrl", service), ("apiKey", key), ("customSites", sites)):
        el = driver.find_element(By.ID, field)
        el.clear()
        if value:
            el.send_keys(value)
    Select(driver.find_element(By.ID, "minLevel")).select_by_value(min_level)
    Select(driver.find_element(By.ID, "lang")).select_by_value(lang)
    box = driver.find_element(By.ID, "privacyJobOnly")
    if box.is_selected() != privacy:
        box.click()
    driver.find_element(By.ID, "save").click()
    wait(driver, lambda d: d.find_element(By.ID, "status").text.strip() != "", msg="saving never finished")
    saved = {"id": "Tersimpan.", "en": "Saved."}[lang]
    assert driver.find_element(By.ID, "status").text.strip() == saved, driver.find_element(By.ID, "status").text


def popup_check(driver: WebDriver, text: str) -> dict[str, Any]:
    """Open the popup page, check ``text``, and return what the popup shows."""
    driver.get(f"{EXT}/popup.html")
    wait(driver, lambda d: d.find_element(By.ID, "state").get_attribute("data-state") is not None)
    box = driver.find_element(By.ID, "text")
    box.clear()
    driver.execute_script("arguments[0].value = arguments[1];", box, text)  # emoji: not typeable by send_keys
    before = driver.find_element(By.ID, "result").get_attribute("innerHTML")
    driver.find_element(By.ID, "check").click()
    wait(driver, lambda d: d.find_element(By.ID, "check").is_enabled()
         and d.find_element(By.ID, "result").get_attribute("innerHTML") not in ("", before),
         msg="the popup showed no result")
    return driver.execute_script("""
        const s = document.getElementById('state'), r = document.getElementById('result');
        const pill = r.querySelector('.pill'), err = r.querySelector('.error');
        return {state: s.dataset.state, role: s.getAttribute('role'),
                state_text: s.textContent.replace(/\\s+/g, ' ').trim(),
                level: pill ? pill.dataset.level : null, error: err ? err.textContent : null,
                error_code: err ? err.dataset.code : null,
                flags: [...r.querySelectorAll('ul.flags li')].map(li => li.dataset.flag)};""")


# ---------------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    if not (REPO / "models" / "manifest.json").exists() and not os.environ.get("DETECTOR_MODELS_DIR"):
        pytest.fail("no trained model in models/ (the extension is tested against the real service)")
    tmp = tmp_path_factory.mktemp("ext-svc")
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("DETECTOR_") or k == "DETECTOR_MODELS_DIR"}
    base_env.update({"PYTHONUNBUFFERED": "1", "DETECTOR_ENVIRONMENT": "development",
                     "DETECTOR_LOG_LEVEL": "warning", "DETECTOR_ACCESS_LOG": "false"})
    specs = {
        "main": {"DETECTOR_API_KEYS": API_KEY, "DETECTOR_RATE_LIMIT_PER_MINUTE": "0"},
        "limited": {"DETECTOR_RATE_LIMIT_PER_MINUTE": "1", "DETECTOR_RATE_LIMIT_BURST": "1"},
    }
    procs: dict[str, Any] = {}
    try:
        for name, extra in specs.items():
            port = _free_port()
            env = dict(base_env, DETECTOR_FEEDBACK_DB=str(tmp / f"{name}.db"), **extra)
            log = open(tmp / f"{name}.log", "wb")  # noqa: SIM115 - closed in teardown
            # cwd is the temp dir, so a developer's .env in the repo cannot change the settings under test
            proc = subprocess.Popen([*_serve_command(), "--host", "127.0.0.1", "--port", str(port)],
                                    cwd=tmp, env=env, stdout=log, stderr=subprocess.STDOUT)
            procs[name] = {"proc": proc, "log": log, "port": port, "base": f"http://127.0.0.1:{port}"}
        deadline = time.monotonic() + 90
        for name, p in procs.items():
            while True:
                if p["proc"].poll() is not None:
                    pytest.fail(f"detector serve ({name}) exited:\n" + (tmp / f"{name}.log").read_text()[-3000:])
                try:
                    if _http("GET", p["base"] + "/readyz")[0] == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"detector serve ({name}) never became ready")
                time.sleep(0.2)
        proxy = Recorder(procs["main"]["port"])
        threading.Thread(target=proxy.serve_forever, daemon=True).start()
        yield {"main": procs["main"]["base"], "limited": procs["limited"]["base"], "proxy": proxy}
        proxy.shutdown()
        proxy.server_close()
    finally:
        for p in procs.values():
            p["proc"].terminate()
            try:
                p["proc"].wait(timeout=10)
            except subprocess.TimeoutExpired:
                p["proc"].kill()
                p["proc"].wait(timeout=5)
            p["log"].close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("fixture-site")
    html = FEED_HTML.format(risky=RISKY, legit0=LEGIT[0], legit1=LEGIT[1], legit2=LEGIT[2], recipe=RECIPE,
                            news=NEWS, late_js=json.dumps(LATE))
    (root / "feed.html").write_text(html, encoding="utf-8")
    (root / "article.html").write_text(ARTICLE_HTML.format(message=ARTICLE_MESSAGE, recipe=RECIPE), encoding="utf-8")

    def handler(*args: Any, **kwargs: Any) -> _QuietFiles:
        return _QuietFiles(*args, directory=str(root), **kwargs)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    # A copy in a temp folder: the id must come from the manifest key, not from the folder path.
    ext = tmp_path_factory.mktemp("ext") / "extension"
    shutil.copytree(EXT_SRC, ext)
    profile = tempfile.mkdtemp(prefix="chromium-ext-profile-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", f"--user-data-dir={profile}", "--window-size=1280,900", "--lang=id-ID",
                f"--disable-extensions-except={ext}", f"--load-extension={ext}"):
        opts.add_argument(arg)
    drv = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=opts)
    try:
        drv.set_page_load_timeout(30)
        yield drv
    finally:
        drv.quit()
        shutil.rmtree(profile, ignore_errors=True)


# ---------------------------------------------------------------------------------------- tests


def test_extension_loads_with_the_pinned_id(driver: WebDriver) -> None:
    driver.get(f"{EXT}/options.html")
    wait(driver, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true",
         msg=f"the extension is not loaded under {EXT_ID}")
    assert driver.find_element(By.ID, "origin").text == EXT
    shot(driver, "options")
    # defaults: privacy switch on, badges from "sedang", every built-in site on
    assert driver.find_element(By.ID, "privacyJobOnly").is_selected()
    assert Select(driver.find_element(By.ID, "minLevel")).first_selected_option.get_attribute("value") == "sedang"
    boxes = driver.find_elements(By.CSS_SELECTOR, "#builtin-sites input[data-site]")
    assert {b.get_attribute("data-site") for b in boxes} >= {"facebook", "instagram", "x", "jobboards"}
    assert all(b.is_selected() for b in boxes)


def test_job_advert_heuristic_in_page_context(driver: WebDriver) -> None:
    """The privacy switch's heuristic (lib/common.js) on its own, in a plain page."""
    driver.get("about:blank")
    driver.execute_script((EXT_SRC / "lib" / "common.js").read_text(encoding="utf-8"))
    samples = {
        RISKY: True, LATE: True, " ".join(LEGIT): True, RECIPE: False, NEWS: False,
        "Dicari kasir minimarket, gaji 3 juta, hubungi WA": True,
        "Info japri kerja Malaysia berangkat cepat": True,
        "We are hiring! Send your CV for the barista vacancy": True,
        "Selamat ulang tahun Bu, semoga sehat selalu dan panjang umur": False,
        "Kerja bakti RT 05 hari Minggu jam 7 pagi, bawa sapu": False,
    }
    got = driver.execute_script("return arguments[0].map(t => TPPO.looksLikeJobAdvert(t));", list(samples))
    assert dict(zip(samples, got, strict=True)) == samples


def test_feed_page_badges_risky_posts_and_keeps_other_text_private(
        driver: WebDriver, services: dict[str, Any], site: str) -> None:
    proxy: Recorder = services["proxy"]
    configure(driver, service=proxy.base, key=API_KEY, privacy=True, min_level="sedang")
    proxy.clear()
    started = time.monotonic()
    driver.get(site + "/feed.html")

    risky = wait(driver, lambda d: (i := post_info(d, "post-risky")) and i["level"] and i,
                 msg="the risky post got no badge")
    risky_after = time.monotonic() - started
    late = wait(driver, lambda d: (i := post_info(d, "post-late")) and i["state"] == "scored" and i,
                msg="the post added after load was never scored")
    legit = wait(driver, lambda d: (i := post_info(d, "post-legit")) and i["state"] == "scored" and i,
                 msg="the legitimate post was never scored")
    repost = post_info(driver, "post-repost")
    recipe = post_info(driver, "post-recipe")
    news = post_info(driver, "post-news")
    shot(driver, "feed")

    # What the service says about the same texts (the flags the badge must name).
    status, expected = _http("POST", services["main"] + "/v1/score", {"text": RISKY, "explain": False},
                             {"X-API-Key": API_KEY})
    assert status == 200 and expected["risk_level"] == "tinggi"

    assert risky["level"] == "tinggi" and risky["badges"] == 1, risky
    assert "tinggi" in risky["badge_text"].lower()
    assert risky["flags"].split() == expected["flags"]
    assert late["level"] == "tinggi" and late["badges"] == 1, late
    assert repost["level"] == "tinggi", "the same advert posted twice gets a badge twice (and is sent once)"
    assert legit["level"] != "tinggi" and legit["badges"] <= 1, legit
    assert legit["level"] is None, "a rendah post is below the default minimum level (sedang): no badge"
    assert recipe and recipe["state"] == "skipped" and recipe["badges"] == 0, recipe
    assert news and news["state"] == "skipped" and news["badges"] == 0, news

    # The popover lists every flag with the words that matched it.
    driver.execute_script(
        "document.querySelector('#post-risky [data-tppo-badge]').shadowRoot.querySelector('button').click();")
    opened = wait(driver, lambda d: (i := post_info(d, "post-risky")) and i["popover_open"] and i,
                  msg="the badge's popover did not open")
    shot(driver, "feed_popover")
    assert opened["expanded"] == "true"
    words_by_flag: dict[str, set[str]] = {}
    for ev in expected["evidence"]:
        words_by_flag.setdefault(ev["flag"], set()).add(ev["text"])
    assert {i["flag"]: set(i["words"]) for i in opened["flag_items"]} == words_by_flag
    assert "Gaji tidak wajar" in opened["popover_text"]  # the page's flag names, no code names
    assert not any(f"({flag})" in opened["popover_text"] for flag in expected["flags"])
    assert "96%" in opened["popover_text"] or "%" in opened["popover_text"]
    # Clicking the badge must not reach the page's own click handler on the post.
    assert driver.execute_script("return window.postClicks || 0") == 0
    driver.execute_script("document.body.click()")

    # Requests: only the three job adverts, each exactly once, with the key, no cookies, in batches.
    time.sleep(0.5)
    texts = proxy.batch_texts()
    assert not any("nasi goreng" in t or "Hujan deras" in t for t in texts), "non-advert text left the browser"
    assert sum(RISKY in t for t in texts) == 1
    assert sum(LATE in t for t in texts) == 1
    assert sum(LEGIT[1] in t for t in texts) == 1
    assert len(texts) == 3, texts
    reqs = [r for r in proxy.snapshot() if r["path"].startswith("/v1/")]
    assert reqs and all(r["method"] == "POST" and r["path"] == "/v1/score/batch" for r in reqs)  # no preflight
    assert len(reqs) <= 2, "the first posts should share one batch"
    for r in reqs:
        assert r["headers"].get("x-api-key") == API_KEY
        assert "cookie" not in r["headers"]
        assert r["headers"].get("origin") == EXT  # the service worker's origin, not the page's
    assert risky_after < 15

    # Reloading the page scores nothing again (the service worker caches by text hash).
    proxy.clear()
    driver.get(site + "/feed.html")
    wait(driver, lambda d: (i := post_info(d, "post-late")) and i["level"] == "tinggi",
         msg="after a reload the late post had no badge")
    assert post_info(driver, "post-risky")["level"] == "tinggi"
    assert proxy.batch_texts() == []


def test_privacy_switch_off_sends_other_text_too(driver: WebDriver, services: dict[str, Any], site: str) -> None:
    proxy: Recorder = services["proxy"]
    configure(driver, service=proxy.base, key=API_KEY, privacy=False, min_level="sedang")
    proxy.clear()
    driver.get(site + "/feed.html")
    wait(driver, lambda d: (i := post_info(d, "post-recipe")) and i["state"] == "scored",
         msg="with the privacy switch off the recipe should be scored")
    assert post_info(driver, "post-recipe")["badges"] == 0  # rendah: below the minimum level
    assert any("nasi goreng" in t for t in proxy.batch_texts())
    # header, nav and footer are never candidates
    assert not any("aturan grup" in t or "Beranda" in t for t in proxy.batch_texts())


def test_min_level_rendah_badges_the_legitimate_post(driver: WebDriver, services: dict[str, Any], site: str) -> None:
    configure(driver, service=services["proxy"].base, key=API_KEY, privacy=True, min_level="rendah")
    driver.get(site + "/feed.html")
    legit = wait(driver, lambda d: (i := post_info(d, "post-legit")) and i["level"] and i,
                 msg="with minimum level rendah the legitimate post should get a badge")
    assert legit["level"] == "rendah" and "rendah" in legit["badge_text"].lower()


def test_context_menu_check_shows_a_panel_and_fills_the_popup(
        driver: WebDriver, services: dict[str, Any], site: str) -> None:
    configure(driver, service=services["proxy"].base, key=API_KEY)
    driver.get(site + "/feed.html")
    wait(driver, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-late") == "added")
    feed = driver.current_window_handle
    driver.switch_to.new_window("tab")
    driver.get(f"{EXT}/options.html")
    selection = "Dicari TKW ke Hong Kong, tanpa biaya, paspor dan gaji dipegang agen sampai kontrak selesai. Japri."
    out = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        chrome.tabs.query({url: arguments[0] + '/*'}).then(([tab]) =>
            chrome.runtime.sendMessage({type: 'simulateMenuClick', text: arguments[1], tabId: tab.id}))
          .then(done, (e) => done({error: String(e)}));""", site, selection)
    assert out == {"ok": True}, out
    driver.close()
    driver.switch_to.window(feed)
    panel = wait(driver, lambda d: d.execute_script("""
        const h = document.getElementById('tppo-check-panel');
        return h && h.shadowRoot ? h.shadowRoot.textContent : null;"""), msg="no result panel on the page")
    shot(driver, "context_menu_panel")
    status, expected = _http("POST", services["main"] + "/v1/score", {"text": selection}, {"X-API-Key": API_KEY})
    assert status == 200
    levels = {"rendah": "Rendah", "sedang": "Sedang", "tinggi": "Tinggi"}
    assert "Periksa lowongan ini" in panel and levels[expected["risk_level"]] + " (" in panel
    for flag in expected["flags"]:  # named as the moderators' page names it, without the code name
        assert f"({flag})" not in panel
    for flag in expected["flags"]:
        assert flag_name(flag) in panel
    # The popup opened afterwards shows the same check.
    driver.get(f"{EXT}/popup.html")
    wait(driver, lambda d: d.find_element(By.ID, "text").get_attribute("value") == selection,
         msg="the popup did not show the last context-menu check")
    assert driver.find_element(By.CSS_SELECTOR, "#result .pill").get_attribute("data-level") == expected["risk_level"]


def test_popup_scores_text_and_shows_service_states(driver: WebDriver, services: dict[str, Any], site: str) -> None:
    # 1. working service and key
    configure(driver, service=services["proxy"].base, key=API_KEY)
    ok = popup_check(driver, "Lowongan kerja ke Malaysia jalur cepat tanpa PT, pakai visa kunjungan dulu. "
                             "Gaji RM 2.500. Paspor dipegang agen biar aman. Inbox aja")
    assert ok["state"] == "ok" and ok["level"] == "tinggi" and ok["flags"], ok
    shot(driver, "popup_ok")
    driver.find_element(By.ID, "fb-wrong").click()                 # "Tandai salah" in the popup too
    driver.find_element(By.CSS_SELECTOR, "[data-fb=low]").click()
    wait(driver, lambda d: d.find_element(By.ID, "fb-status").get_attribute("data-ok") == "true",
         msg="the popup's correction was not sent")

    # 2. key rejected
    configure(driver, service=services["proxy"].base, key="wrong-key")
    bad = popup_check(driver, RISKY)
    shot(driver, "popup_key_rejected")
    assert bad["state"] == "key_rejected" and bad["role"] == "alert", bad
    assert "Kunci API ditolak" in bad["state_text"] and "401" in bad["state_text"]
    assert bad["error_code"] == "key_rejected"

    # 3. service unreachable (a closed loopback port)
    configure(driver, service=f"http://127.0.0.1:{_free_port()}", key=API_KEY)
    down = popup_check(driver, RISKY)
    shot(driver, "popup_unreachable")
    assert down["state"] == "unreachable" and "tidak dapat dihubungi" in down["state_text"], down
    # ...and a page is left intact: its own script still runs, posts are only marked for a retry.
    driver.get(site + "/feed.html")
    wait(driver, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-late") == "added")
    info = wait(driver, lambda d: (i := post_info(d, "post-risky")) and i["state"] == "error" and i,
                msg="the risky post should be marked for a retry")
    assert info["badges"] == 0 and driver.find_element(By.ID, "post-risky").is_displayed()

    # 4. rate limited (a service that allows one request a minute)
    configure(driver, service=services["limited"], key="")
    first = popup_check(driver, LATE)
    assert first["state"] == "ok" and first["level"] == "tinggi", first
    limited = popup_check(driver, RISKY)
    shot(driver, "popup_rate_limited")
    assert limited["state"] == "rate_limited", limited
    assert "429" in limited["state_text"] and "Coba lagi dalam" in limited["state_text"]
    assert limited["error_code"] == "rate_limited"


def test_options_refuse_plain_http_to_a_remote_host(driver: WebDriver) -> None:
    driver.get(f"{EXT}/options.html")
    wait(driver, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true")
    url = driver.find_element(By.ID, "serviceUrl")
    url.clear()
    url.send_keys("http://detector.example.org")
    driver.find_element(By.ID, "save").click()
    try:
        wait(driver, lambda d: "https://" in d.find_element(By.ID, "status").text, timeout=5)
    except TimeoutException:
        pytest.fail("plain http to a remote host was accepted: " + driver.find_element(By.ID, "status").text)
    assert driver.find_element(By.ID, "status").get_attribute("data-kind") == "error"


def test_generic_site_sends_only_the_message_and_shows_quiet_states(
        driver: WebDriver, services: dict[str, Any], site: str) -> None:
    proxy: Recorder = services["proxy"]
    configure(driver, service=proxy.base, key=API_KEY, privacy=True, min_level="sedang")
    proxy.clear()
    proxy.delay = 2.0
    try:
        driver.get(site + "/article.html")
        pending = wait(driver, lambda d: (i := post_info(d, "post-article")) and i["mark"] == "pending" and i,
                       msg="the post showed no pending mark while it was being scored")
        assert pending["badges"] == 0 and "diperiksa" in pending["mark_label"]
        shot(driver, "article_pending")
    finally:
        proxy.delay = 0.0
    done = wait(driver, lambda d: (i := post_info(d, "post-article")) and i["state"] == "scored" and i)
    texts = proxy.batch_texts()
    assert texts == [ARTICLE_MESSAGE + "\n\nMinat japri."], texts
    for noise in (POSTER, "3 jam", "Suka", "Komentari", "Bagikan"):
        assert not any(noise in t for t in texts), noise
    status, rec = _http("POST", services["main"] + "/v1/score", {"text": texts[0]}, {"X-API-Key": API_KEY})
    assert status == 200 and "overseas" not in rec["flags"], rec["flags"]
    if rec["risk_level"] == "rendah" and rec["label"] == "low":
        assert done["mark"] == "low" and done["badges"] == 0, done   # scored low: a small grey tick
    recipe = post_info(driver, "post-recipe2")
    assert recipe["state"] == "skipped" and recipe["mark"] == "skipped" and recipe["badges"] == 0, recipe
    shot(driver, "article_scored")


def test_failed_posts_show_a_quiet_mark_and_popup_refuses_an_empty_check(
        driver: WebDriver, services: dict[str, Any], site: str) -> None:
    configure(driver, service=f"http://127.0.0.1:{_free_port()}", key=API_KEY)
    driver.get(site + "/article.html")
    failed = wait(driver, lambda d: (i := post_info(d, "post-article")) and i["state"] == "error" and i,
                  msg="the post was not marked failed while the service is down")
    assert failed["mark"] == "error" and failed["badges"] == 0 and "tidak dapat dihubungi" in failed["mark_label"]
    shot(driver, "article_failed")

    configure(driver, service=services["proxy"].base, key=API_KEY)
    first = popup_check(driver, RISKY)
    assert first["level"] == "tinggi"
    driver.find_element(By.ID, "text").clear()
    driver.find_element(By.ID, "check").click()
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#result .error"), msg="an empty check showed nothing")
    assert not driver.find_elements(By.CSS_SELECTOR, "#result .pill"), "the previous result stayed on screen"
    assert driver.find_element(By.CSS_SELECTOR, "#result .error").get_attribute("data-code") == "empty_text"


def test_mark_wrong_in_the_popover_sends_a_correction_by_hash(
        driver: WebDriver, services: dict[str, Any], site: str) -> None:
    proxy: Recorder = services["proxy"]
    configure(driver, service=proxy.base, key=API_KEY)
    driver.get(site + "/feed.html")
    wait(driver, lambda d: (i := post_info(d, "post-risky")) and i["level"] == "tinggi")
    proxy.clear()
    status = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const root = document.querySelector('#post-risky [data-tppo-badge]').shadowRoot;
        root.querySelector('button[part=badge]').click();
        root.querySelector('[data-fb=wrong]').click();
        root.querySelector('[data-fb=other_scam]').click();
        const st = root.querySelector('.fb-status');
        const t0 = Date.now();
        (function poll() {
          if (st.textContent || Date.now() - t0 > 10000) done({text: st.textContent, ok: st.dataset.ok});
          else setTimeout(poll, 100);
        })();""")
    shot(driver, "feed_mark_wrong")
    assert status["ok"] == "true" and "Terima kasih" in status["text"], status
    sent = [r for r in proxy.snapshot() if r["path"] == "/v1/feedback"]
    assert len(sent) == 1
    body = json.loads(sent[0]["body"])
    assert "text" not in body and body["store_text"] is False
    assert body["text_sha256"] == hashlib.sha256(RISKY.encode("utf-8")).hexdigest()
    assert (body["predicted_label"], body["correct_label"], body["reason"]) == ("high", "other_scam",
                                                                              "scam_not_trafficking")


def test_english_interface_in_the_options_popup_and_badges(
        driver: WebDriver, services: dict[str, Any], site: str) -> None:
    configure(driver, service=services["proxy"].base, key=API_KEY, lang="en")
    try:
        driver.get(f"{EXT}/options.html")
        wait(driver, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true")
        assert driver.find_element(By.ID, "save").text == "Save"
        assert driver.find_element(By.TAG_NAME, "h1").text == "TPPO Job Advert Check settings"
        out = popup_check(driver, RISKY)
        shot(driver, "popup_english")
        assert out["state_text"].startswith("Service connected"), out
        assert driver.find_element(By.ID, "check").text == "Check"
        assert driver.find_element(By.CSS_SELECTOR, "#result .pill").text.startswith("High · ")
        assert "Work abroad" in driver.find_element(By.ID, "result").text  # the page's English flag name
        driver.get(site + "/feed.html")
        risky = wait(driver, lambda d: (i := post_info(d, "post-risky")) and i["level"] and i)
        assert "High" in risky["badge_text"]
    finally:
        configure(driver, service=services["proxy"].base, key=API_KEY, lang="id")


def test_image_context_menu_sends_only_that_image_and_shows_the_poster_result(
        driver: WebDriver, services: dict[str, Any], site: str) -> None:
    """"Periksa gambar lowongan ini" (issue 17): the clicked image goes to POST /v1/score/image, with the key;
    browsing the page sent no image before the click."""
    import io

    sys.path.insert(0, str(REPO / "tests" / "ocr"))
    from ocr_helpers import need_tesseract, posters

    need_tesseract()
    img, _, _ = posters.render(posters.pick_adverts(1)[0], 0)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    src = "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode()
    configure(driver, service=services["proxy"].base, key=API_KEY)
    services["proxy"].clear()
    driver.get(site + "/feed.html")
    wait(driver, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-late") == "added")
    assert not [r for r in services["proxy"].snapshot() if r["path"].startswith("/v1/score/image")]
    feed = driver.current_window_handle
    driver.switch_to.new_window("tab")
    driver.get(f"{EXT}/options.html")
    out = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        chrome.tabs.query({url: arguments[0] + '/*'}).then(([tab]) =>
            chrome.runtime.sendMessage({type: 'simulateImageMenuClick', srcUrl: arguments[1], tabId: tab.id}))
          .then(done, (e) => done({error: String(e)}));""", site, src)
    assert out == {"ok": True}, out
    driver.close()
    driver.switch_to.window(feed)
    panel = wait(driver, lambda d: d.execute_script("""
        const h = document.getElementById('tppo-check-panel');
        return h && h.shadowRoot ? h.shadowRoot.textContent : null;"""), timeout=60, msg="no result panel on the page")
    shot(driver, "context_menu_image_panel")
    sent = [r for r in services["proxy"].snapshot() if r["path"].startswith("/v1/score/image")]
    assert len(sent) == 1
    headers = {k.lower(): v for k, v in sent[0]["headers"].items()}
    assert headers["content-type"].startswith("multipart/form-data") and headers["x-api-key"] == API_KEY
    assert "Periksa gambar lowongan ini" in panel and "Teks terbaca:" in panel
    assert re.search(r" \([<>]?\d+%\)", panel), panel  # the headline: badge word and score, as for a text
