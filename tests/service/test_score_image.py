"""POST /v1/score/image: a poster read and scored, its limits, and bad images with clear errors."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from svc_helpers import CONTRACT, assert_error

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ocr"))
from ocr_helpers import BAD_IMAGES, need_tesseract, png_bytes, posters  # noqa: E402

STATUS = {"unreadable_image": 422, "unsupported_format": 415, "image_too_large": 413, "no_text_found": 422}


@pytest.fixture(scope="module")
def poster_jpeg() -> bytes:
    """A high-risk advert rendered as a poster (the benchmark's renderer, first high advert)."""
    advert = posters.pick_adverts(1)[0]
    img, _, _ = posters.render(advert, 0)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def _post(client: TestClient, data: bytes, name: str = "poster.jpg", **fields: str) -> object:
    return client.post("/v1/score/image", files={"image": (name, data, "application/octet-stream")}, data=fields)


def test_when_a_poster_is_posted_then_the_record_has_ocr_and_boxes_for_every_evidence_item(
        client: TestClient, poster_jpeg: bytes) -> None:
    need_tesseract()
    r = _post(client, poster_jpeg, id="poster-1", lang="en")
    assert r.status_code == 200, r.text  # type: ignore[attr-defined]
    body = r.json()  # type: ignore[attr-defined]
    for key in (*CONTRACT, "ocr", "boxes", "counter_boxes"):
        assert key in body
    assert body["id"] == "poster-1" and body["risk_level"] in ("sedang", "tinggi") and body["flags"]
    text = body["ocr"]["text"]
    assert body["ocr"]["engine"] == "tesseract" and 0 < body["ocr"]["mean_confidence"] <= 100
    for ev, entry in zip(body["evidence"], body["boxes"], strict=True):
        assert text[ev["start"]:ev["end"]] == ev["text"] and ev["reason"]
        assert entry["flag"] == ev["flag"] and entry["boxes"]


@pytest.mark.parametrize("name", sorted(BAD_IMAGES))
def test_when_the_image_is_bad_then_the_error_says_what_is_wrong(client: TestClient, name: str) -> None:
    need_tesseract()
    make, code = BAD_IMAGES[name]
    err = assert_error(_post(client, make(), name), STATUS[code], code)
    assert err["field"] == "image"


def test_when_the_image_has_more_pixels_than_the_setting_then_it_is_refused_before_reading(
        make_client: Callable[..., TestClient]) -> None:
    need_tesseract()
    client = make_client(max_image_pixels=100_000)
    err = assert_error(_post(client, png_bytes(400, 300)), 413, "image_too_large")
    assert "100,000 pixels" in err["message"]


def test_when_the_body_is_larger_than_max_image_bytes_then_413_before_parsing(
        make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_image_bytes=2048)
    err = assert_error(_post(client, b"\xff\xd8" + bytes(200_000)), 413, "image_too_large")
    assert err["limit"] == "max_image_bytes"


def test_when_the_image_is_sent_as_json_or_raw_bytes_then_415(client: TestClient, poster_jpeg: bytes) -> None:
    assert_error(client.post("/v1/score/image", json={"image": "aGVsbG8="}), 415, "unsupported_media_type")
    assert_error(client.post("/v1/score/image", content=poster_jpeg, headers={"content-type": "image/jpeg"}),
                 415, "unsupported_media_type")


def test_when_the_image_field_is_missing_or_a_field_is_wrong_then_422_names_it(client: TestClient) -> None:
    err = assert_error(client.post("/v1/score/image", files={"photo": ("a.png", png_bytes(10, 10), "image/png")}),
                       422, "missing_field")
    assert err["field"] == "image"
    err = assert_error(_post(client, png_bytes(10, 10), preprocess="sharpen"), 422, "invalid_value")
    assert err["field"] == "preprocess"
    err = assert_error(_post(client, png_bytes(10, 10), colour="red"), 422, "unknown_field")
    assert err["field"] == "colour"


def test_when_the_multipart_body_is_malformed_then_400(client: TestClient) -> None:
    r = client.post("/v1/score/image", content=b"--xyz\r\nContent-Disposition: form-data; name=\"image\"\r\n\r\nabc",
                    headers={"content-type": "multipart/form-data; boundary=xyz"})
    assert r.status_code in (400, 422), r.text
    assert_error(r, r.status_code)


def test_when_tesseract_is_missing_then_503_and_text_scoring_still_works(
        client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from detector.ocr import engine

    monkeypatch.setattr(engine, "tesseract_problem", lambda: "Tesseract is not installed or not on PATH")
    err = assert_error(_post(client, png_bytes(100, 100)), 503, "ocr_unavailable")
    assert "Tesseract" in err["message"]
    assert client.post("/v1/score", json={"text": "gaji 15jt di Kamboja"}).status_code == 200


def test_an_image_passes_the_gates_a_text_passes_host_character_budget_and_response_size(
        make_client: Callable[..., TestClient], poster_jpeg: bytes) -> None:
    """The text read from a poster is charged, queued and capped as a typed post is (issue 14's gates)."""
    need_tesseract()
    from service.deps import get_settings
    from service.ratelimit import RateLimiter

    assert_error(_post(make_client(allowed_hosts=["mod.example.org"]), poster_jpeg), 400, "invalid_host")
    client = make_client()
    client.app.state.char_limiter = RateLimiter(1, 200)  # 200 characters, then one a minute
    assert _post(client, poster_jpeg).status_code == 200  # type: ignore[attr-defined]
    err = assert_error(_post(client, poster_jpeg), 429, "rate_limited")  # the text read was charged
    assert err["limit"] == "score_chars_per_minute"
    client = make_client()
    small = client.app.state.settings.model_copy(update={"max_response_bytes": 200})
    client.app.dependency_overrides[get_settings] = lambda: small
    err = assert_error(_post(client, poster_jpeg), 422, "response_too_large")
    assert (err["field"], err["limit"]) == ("image", "max_response_bytes")
