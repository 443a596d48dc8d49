from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ocr_helpers import render_posters


@pytest.fixture(scope="session")
def poster_set(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """The test posters (rendered once per session) and their manifest rows."""
    folder = tmp_path_factory.mktemp("posters")
    return folder, render_posters(folder)
