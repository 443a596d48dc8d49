"""Layering: scoring never imports the offline training package (STYLE.md, "Where things go")."""

from __future__ import annotations

import subprocess
import sys


def test_when_a_post_is_scored_then_no_training_module_is_imported() -> None:
    code = ("import sys; from detector import Detector; Detector.load().score('gaji 15jt di Kamboja'); "
            "print(sorted(m for m in sys.modules if m.startswith('detector.training')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
