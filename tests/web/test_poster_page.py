"""The moderators' page checks a poster image: boxes drawn over the red flags, the read text beside it
(issue 17). The real ``detector serve`` and headless Chromium of ``tests/web/page_kit.py``, as in
``test_moderator_page.py``; screenshots go to ``tests/_screenshots/``."""

from __future__ import annotations

import base64
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.web.page_kit import REPO, SHOTS, By, WebDriver, WebDriverWait, driver, server

pytestmark = [pytest.mark.browser, pytest.mark.slow]
__all__ = ["driver", "server"]  # fixtures used by name

sys.path.insert(0, str(REPO / "tests" / "ocr"))
from ocr_helpers import BAD_IMAGES, need_tesseract, posters  # noqa: E402


@pytest.fixture(scope="module")
def poster_file(server: dict[str, Any]) -> Path:
    need_tesseract()
    advert = posters.pick_adverts(1)[0]  # a high-risk advert
    img, _, _ = posters.render(advert, 0)
    path = server["tmp"] / "poster.jpg"
    img.save(path, "JPEG", quality=85)
    return path


def _record(base: str, path: Path) -> dict[str, Any]:
    import httpx

    with path.open("rb") as fh:
        r = httpx.post(base + "/v1/score/image", files={"image": (path.name, fh, "image/jpeg")}, timeout=60)
    assert r.status_code == 200, r.text
    return dict(r.json())


def _shot(driver: WebDriver, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    data = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    (SHOTS / f"{name}.png").write_bytes(base64.b64decode(data["data"]))


def _open(driver: WebDriver, base: str) -> None:
    driver.get(base + "/")
    WebDriverWait(driver, 20).until(lambda d: d.find_element(By.ID, "poster-choose").text.strip())


def test_when_a_poster_is_chosen_then_its_red_flags_are_boxed_on_the_image_and_its_text_is_shown(
        driver: WebDriver, server: dict[str, Any], poster_file: Path) -> None:
    record = _record(server["base"], poster_file)
    expected = [(e["flag"], b) for e in record["boxes"] for b in e["boxes"]]
    assert expected, record["flags"]
    _open(driver, server["base"])
    driver.find_element(By.ID, "poster-input").send_keys(str(poster_file))
    WebDriverWait(driver, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".poster-box-risk"))
    driver.execute_script("document.getElementById('panel-poster').scrollIntoView()")
    boxes = driver.find_elements(By.CSS_SELECTOR, ".poster-box-risk")
    assert len(boxes) == len(expected)
    img = driver.find_element(By.ID, "poster-img").rect
    w, h = record["ocr"]["width"], record["ocr"]["height"]
    for el, (flag, b) in zip(boxes, expected, strict=True):
        assert el.get_attribute("data-flag") == flag
        r = el.rect  # where the browser drew it, against where the service says the words are
        assert abs((r["x"] - img["x"]) / img["width"] - b["x"] / w) < 0.01
        assert abs((r["y"] - img["y"]) / img["height"] - b["y"] / h) < 0.01
        assert abs(r["width"] / img["width"] - b["w"] / w) < 0.01
    shown = driver.find_element(By.ID, "poster-text").get_attribute("textContent")
    assert shown == record["ocr"]["text"]
    marks = driver.find_elements(By.CSS_SELECTOR, "#poster-text mark.hl-risk")
    assert {m.get_attribute("data-flag") for m in marks} == set(record["flags"])
    assert len(driver.find_elements(By.CSS_SELECTOR, "#poster-flags li")) == len(record["evidence"])
    _shot(driver, "poster-check")


def test_when_the_file_is_not_an_image_then_the_page_says_why(driver: WebDriver, server: dict[str, Any]) -> None:
    bad = server["tmp"] / "archive.png"
    bad.write_bytes(BAD_IMAGES["archive.png"][0]())
    _open(driver, server["base"])
    driver.find_element(By.ID, "poster-input").send_keys(str(bad))
    err = WebDriverWait(driver, 30).until(lambda d: d.find_element(By.ID, "poster-error").text.strip() or None)
    assert "ZIP archive" in err
    assert not driver.find_element(By.ID, "poster-result").is_displayed()


def test_when_the_language_is_switched_then_the_poster_panel_follows(driver: WebDriver, server: dict[str, Any]) -> None:
    _open(driver, server["base"])
    assert "poster" in driver.find_element(By.ID, "poster-heading").text.lower()
    driver.find_element(By.ID, "lang-toggle").click()
    WebDriverWait(driver, 10).until(
        lambda d: d.find_element(By.ID, "poster-heading").text == "Check a poster advert (image)")
