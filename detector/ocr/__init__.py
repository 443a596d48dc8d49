"""Poster adverts: read the text on an image with Tesseract and score it with the detector, keeping
each evidence item's boxes on the image. Needs the ``ocr`` extra (pytesseract, Pillow) and Debian's
``tesseract-ocr``, ``tesseract-ocr-ind`` and ``tesseract-ocr-eng``; without them every image call
raises :class:`ImageError` with code ``ocr_unavailable`` and the text features are untouched.

Nothing here is imported by text scoring: ``detector.ocr`` loads only when an image is scored."""

from detector.ocr.engine import tesseract_problem
from detector.ocr.images import IMAGE_FORMATS, IMAGE_SUFFIXES, ImageError, ImageLimits
from detector.ocr.layout import Box, Reading
from detector.ocr.preprocess import MODES, Mode
from detector.ocr.reader import read_image, score_image, with_image

__all__ = ["IMAGE_FORMATS", "IMAGE_SUFFIXES", "MODES", "Box", "ImageError", "ImageLimits", "Mode", "Reading",
           "read_image", "score_image", "tesseract_problem", "with_image"]
