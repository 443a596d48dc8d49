"""Image rules and the word-to-offset-to-box mapping: no Tesseract needed."""

from __future__ import annotations

import numpy as np
import pytest
from ocr_helpers import BAD_IMAGES, png_bytes

from detector.ocr.engine import RawWord
from detector.ocr.images import ImageError, ImageLimits, open_image
from detector.ocr.layout import Box, assemble
from detector.ocr.preprocess import contrast_map, prepare, scale_for

DECODE_ERRORS = {k: v for k, v in BAD_IMAGES.items() if v[1] != "no_text_found"}


@pytest.mark.parametrize("name", sorted(DECODE_ERRORS))
def test_when_image_is_bad_then_open_image_names_the_problem(name: str) -> None:
    make, code = DECODE_ERRORS[name]
    with pytest.raises(ImageError) as err:
        open_image(make())
    assert err.value.code == code
    assert "Traceback" not in str(err.value) and len(str(err.value)) < 300


def test_when_image_has_more_bytes_than_the_limit_then_it_is_too_large_before_decoding() -> None:
    data = png_bytes(200, 200)
    with pytest.raises(ImageError) as err:
        open_image(data, ImageLimits(max_bytes=len(data) - 1))
    assert err.value.code == "image_too_large"


def test_when_image_is_a_long_strip_then_the_side_limit_refuses_it() -> None:
    with pytest.raises(ImageError) as err:
        open_image(png_bytes(3000, 10), ImageLimits(max_side=2000))
    assert err.value.code == "image_too_large" and "2,000 per side" in str(err.value)


def test_when_png_has_transparency_then_it_is_composited_on_white() -> None:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGBA", (20, 20), (0, 0, 0, 0)).save(buf, "PNG")
    assert open_image(buf.getvalue()).getpixel((5, 5)) == (255, 255, 255)


def _words(*rows: tuple[str, int, int, int, tuple[int, int, int]]) -> list[RawWord]:
    return [RawWord(t, 90.0, x, y, w, 20, *line) for t, x, y, w, line in rows]


def test_when_words_are_assembled_then_each_word_sits_at_its_offsets_and_lines_and_blocks_are_separated() -> None:
    raw = _words(("GAJI", 0, 0, 80, (1, 1, 1)), ("15JT", 100, 0, 80, (1, 1, 1)), ("tiket", 0, 40, 90, (1, 1, 2)),
                 ("WA", 0, 200, 40, (2, 1, 1)))
    r = assemble(raw, 1.0, 500, 500)
    assert r.text == "GAJI 15JT\ntiket\n\nWA"
    for w in r.words:
        assert r.text[w.start:w.end] == w.text


def test_when_a_span_covers_words_on_two_lines_then_it_gets_one_box_per_line() -> None:
    raw = _words(("tiket", 10, 10, 50, (1, 1, 1)), ("pesawat", 70, 12, 80, (1, 1, 1)),
                 ("ditanggung", 10, 40, 100, (1, 1, 2)), ("japri", 10, 80, 50, (1, 1, 3)))
    r = assemble(raw, 1.0, 500, 500)
    start = r.text.index("pesawat")
    end = r.text.index("ditanggung") + len("ditanggung")
    assert r.boxes_for(start, end) == [Box(70, 12, 80, 20), Box(10, 40, 100, 20)]
    assert r.boxes_for(0, 3) == [Box(10, 10, 50, 20)]  # part of a word: the word's box
    assert r.boxes_for(len(r.text), len(r.text)) == []


def test_when_words_were_read_on_an_upscaled_image_then_boxes_are_in_the_original_pixels() -> None:
    r = assemble(_words(("kamboja", 200, 100, 300, (1, 1, 1))), 2.0, 400, 300)
    assert r.words[0].box == Box(100, 50, 150, 10)
    clipped = assemble(_words(("edge", 700, 500, 300, (1, 1, 1))), 2.0, 400, 300)
    b = clipped.words[0].box
    assert b.x + b.w <= 400 and b.y + b.h <= 300


def test_when_text_is_light_on_a_coloured_band_then_the_contrast_map_makes_it_dark_on_white() -> None:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (600, 400), (255, 255, 255))
    d = ImageDraw.Draw(img)
    d.rectangle([0, 0, 600, 150], fill=(200, 30, 30))  # red band with white "letters" (3-pixel strokes)
    for x in range(100, 300, 12):
        d.rectangle([x, 50, x + 2, 90], fill=(255, 255, 255))
        d.rectangle([x, 240, x + 2, 280], fill=(20, 20, 20))  # black ones on the white page
    out = np.asarray(contrast_map(img))
    assert out[70, 197] < 60 and out[260, 197] < 60  # strokes of both polarities dark
    assert out[30, 500] > 230 and out[350, 500] > 230  # band and page white
    assert out[150, 500] > 200  # the band's edge is not drawn as a line


@pytest.mark.parametrize(("size", "scale"), [((1080, 1080), 2000 / 1080), ((3000, 2000), 1.0), ((200, 100), 3.0)])
def test_when_image_is_small_then_it_is_scaled_up_within_bounds(size: tuple[int, int], scale: float) -> None:
    assert scale_for(*size) == pytest.approx(scale)


def test_when_mode_is_none_then_the_image_is_read_as_it_is() -> None:
    from PIL import Image

    img = Image.new("RGB", (100, 100), "white")
    assert prepare(img, "none") == (img, 1.0)
    with pytest.raises(ValueError, match="pre-processing mode"):
        prepare(img, "sharpen")  # type: ignore[arg-type]


def test_when_a_jpeg_carries_an_exif_rotation_then_it_is_decoded_upright_as_browsers_show_it() -> None:
    import io

    from PIL import Image

    img = Image.new("RGB", (300, 100), "white")
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif.tobytes())
    assert open_image(buf.getvalue()).size == (100, 300)  # boxes are reported in this upright frame


def test_when_two_readings_are_compared_then_the_one_with_more_sure_letters_is_more_legible() -> None:
    from detector.ocr.reader import legibility

    def reading(*words: tuple[str, float]) -> object:
        return assemble([RawWord(t, c, 0, 0, 10, 10, 1, 1, 1) for t, c in words], 1.0, 100, 100)

    lost_headline = reading(("gaji", 95), ("15jt", 93))
    whole = reading(("LOKER", 91), ("KAMBOJA", 90), ("gaji", 95), ("15jt", 93))
    noisy = reading(("gaji", 95), ("15jt", 93), ("~a%Ee", 20), ("oo", 35))
    assert legibility(whole) > legibility(lost_headline) == legibility(noisy) == 8  # type: ignore[arg-type]
