from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
MODELS = REPO / "models"


@pytest.fixture()
def models_copy(tmp_path: Path) -> Path:
    """A private copy of the shipped models folder (safe to tamper with)."""
    dst = tmp_path / "models"
    dst.mkdir()
    for p in MODELS.iterdir():
        if p.suffix in (".json", ".joblib"):
            shutil.copy2(p, dst / p.name)
    return dst
