"""What a scoreable post is: the one set of rules the core, the batch scans and the service apply.

Kept apart from :mod:`detector.detector` so that light importers (a batch driver that only plans
partitions and merges files, the service's request schemas) do not load scikit-learn to know them."""

from __future__ import annotations

import re
from typing import Any

#: A UTF-16 surrogate code point on its own: what a JavaScript string cut in the middle of an emoji
#: (``"\\ud83c"``) decodes to, and what ``errors="surrogateescape"`` makes of a byte that is not
#: UTF-8. No UTF-8 encoder writes one, so it must go before a record is written.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

#: Longest post accepted (characters). Longer input is an error, never silently truncated.
MAX_TEXT_CHARS = 20_000

#: Characters that show nothing, as a regex class body: what ``str.strip()`` removes, zero-width and
#: other format characters (ZWSP to RLM, bidi controls, word joiner, invisible operators, BOM), soft
#: hyphen, variation selectors, Hangul fillers. A post of only these is blank to a reader
#: (``invisible_text``). The service's OpenAPI schema states the same class (ECMA and Python agree on it).
INVISIBLE_CLASS = (r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\xad\u034f\u061c\u115f\u1160\u1680\u17b4\u17b5"
                   r"\u180b-\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u206a-\u206f\u3000\u3164"
                   r"\ufe00-\ufe0f\ufeff\uffa0")
_VISIBLE = re.compile(f"[^{INVISIBLE_CLASS}]")


class InvalidTextError(ValueError):
    """The input is not a scoreable post (not a string, empty, too long, binary).

    ``code`` names the rule it broke (``not_string``, ``empty_text``, ``too_long``, ``nul_byte``,
    ``invisible_text``)."""

    def __init__(self, message: str, code: str = "invalid_text") -> None:
        super().__init__(message)
        self.code = code


def text_problem(text: Any, max_chars: int = MAX_TEXT_CHARS) -> tuple[str, str] | None:
    """``(code, message)`` when ``text`` is not a scoreable post, else None: the one set of rules."""
    if not isinstance(text, str):
        return "not_string", f"text must be a string, got {type(text).__name__}"
    if not text.strip():
        return "empty_text", "text is empty"
    if len(text) > max_chars:
        return "too_long", f"text is {len(text)} characters long; the limit is {max_chars}"
    if "\x00" in text:
        return "nul_byte", "text contains a NUL byte"
    if _VISIBLE.search(text) is None:
        return "invisible_text", "text has only invisible characters (zero-width spaces, format characters)"
    return None


def repair_text(text: str) -> tuple[str, int]:
    """``text`` with each lone surrogate replaced by U+FFFD, and how many were replaced. One code
    point stands for one, so offsets into the repaired text are offsets into the original."""
    if text.isascii():
        return text, 0
    return _LONE_SURROGATE.subn("\ufffd", text)


def id_problem(value: str | None) -> tuple[str, str] | None:
    """``(code, message)`` when an id cannot be written as given (an id is never altered)."""
    if value is not None and _LONE_SURROGATE.search(value):
        return "invalid_id", ("id contains a lone UTF-16 surrogate (a truncated emoji) or a byte that is not UTF-8; "
                              "it cannot be written as given")
    return None


def validate_text(text: Any, max_chars: int = MAX_TEXT_CHARS) -> str:
    problem = text_problem(text, max_chars)
    if problem is not None:
        raise InvalidTextError(problem[1], code=problem[0])
    return str(text)
