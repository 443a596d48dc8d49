"""Static checks of the extension (no browser): manifest, pinned id, files, no remote code, icons, sites.json."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
EXT = REPO / "extension"
DOCUMENTED_ID = "jenjemocjbfkhccaehphleaoldanbedg"

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_icons  # noqa: E402


def manifest() -> dict[str, Any]:
    return json.loads((EXT / "manifest.json").read_text(encoding="utf-8"))


def chrome_id(key_b64: str) -> str:
    digest = hashlib.sha256(base64.b64decode(key_b64)).hexdigest()[:32]
    return "".join(chr(ord("a") + int(c, 16)) for c in digest)


def test_manifest_is_mv3_with_the_documented_pinned_id() -> None:
    m = manifest()
    assert m["manifest_version"] == 3
    assert chrome_id(m["key"]) == DOCUMENTED_ID
    readme = (EXT / "README.md").read_text(encoding="utf-8")
    assert DOCUMENTED_ID in readme and f"chrome-extension://{DOCUMENTED_ID}" in readme


def test_permissions_are_the_narrow_ones() -> None:
    m = manifest()
    assert sorted(m["host_permissions"]) == ["http://127.0.0.1/*", "http://localhost/*"]
    assert m["optional_host_permissions"] == ["https://*/*"]
    assert set(m["permissions"]) == {"storage", "contextMenus", "scripting", "activeTab"}
    assert "externally_connectable" not in m and "web_accessible_resources" not in m


def test_every_referenced_file_exists() -> None:
    m = manifest()
    files = [m["background"]["service_worker"], m["action"]["default_popup"], m["options_ui"]["page"],
             *m["icons"].values(), *m["action"]["default_icon"].values()]
    for cs in m["content_scripts"]:
        assert cs["js"][0] == "lib/common.js", "the shared heuristic must load before content.js"
        files += cs["js"]
    for f in files:
        assert (EXT / f).is_file(), f
    for html in EXT.glob("*.html"):
        for src in re.findall(r'(?:src|href)="([^"]+)"', html.read_text(encoding="utf-8")):
            assert (EXT / src).is_file(), f"{html.name}: {src}"


def test_no_remote_or_inline_code() -> None:
    for html in EXT.glob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), f"inline script in {html.name}"
        assert not re.search(r'src="(?:https?:)?//', text), f"remote script in {html.name}"
        assert not re.search(r"\son[a-z]+\s*=", text), f"inline event handler in {html.name}"
    for js in EXT.rglob("*.js"):
        text = js.read_text(encoding="utf-8")
        assert not re.search(r"\beval\s*\(|new Function\s*\(|\.innerHTML\s*=", text), js.name
        assert "importScripts(\"http" not in text


def test_sites_config_matches_the_manifest() -> None:
    conf = json.loads((EXT / "sites.json").read_text(encoding="utf-8"))
    matches = [p for cs in manifest()["content_scripts"] for p in cs["matches"]]
    ids = set()
    for site in conf["sites"]:
        assert site["id"] not in ids
        ids.add(site["id"])
        assert site["name"] and site["hosts"] and isinstance(site["posts"], list)
        assert all(isinstance(s, str) and s.strip() for s in site["posts"])
        for host in site["hosts"]:
            assert any(host in p for p in matches), f"{host} has selectors but no content script match"
    assert {"facebook", "instagram", "x", "jobboards"} <= ids


@pytest.mark.parametrize("size", make_icons.SIZES)
def test_icons_are_current_pngs(size: int) -> None:
    data = (EXT / "icons" / f"icon{size}.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    w, h = struct.unpack(">II", data[16:24])
    assert (w, h) == (size, size)
    assert data == make_icons.render(size), "run tests/extension/make_icons.py"


@pytest.mark.skipif(not shutil.which("node"), reason="node is not installed (only used for a syntax check)")
def test_javascript_parses() -> None:
    for js in EXT.rglob("*.js"):
        res = subprocess.run(["node", "--check", str(js)], capture_output=True, text=True, timeout=30)
        assert res.returncode == 0, f"{js}: {res.stderr}"


def test_the_extension_shares_the_pages_vocabulary_byte_for_byte() -> None:
    """One vocabulary (levels, kinds, flag names, score format) for the page and the extension: an
    unpacked extension cannot load files outside its folder, so it carries an identical copy."""
    page = EXT.parent / "service" / "static" / "shared" / "vocab.js"
    assert (EXT / "shared" / "vocab.js").read_bytes() == page.read_bytes(), \
        "copy service/static/shared/vocab.js to extension/shared/vocab.js"


def test_the_vocabulary_names_every_indicator_and_no_other() -> None:
    from detector.indicators import IndicatorRegistry

    text = (EXT / "shared" / "vocab.js").read_text(encoding="utf-8")
    names = {ind.name for ind in IndicatorRegistry.default()}
    for lang in ("id", "en"):
        block = text.split(f"  {lang}: {{", 1)[1].split("\n  },", 1)[0]
        assert set(re.findall(r'"flag\.(\w+)"', block)) == names, lang


def test_no_extension_code_names_flags_or_levels_itself() -> None:
    """Display words come from shared/vocab.js only (issue 16: "Gaji tidak wajar" on the page and
    "Gaji tidak wajar tinggi (high_pay)" in the extension)."""
    for js in [*EXT.glob("*.js"), *EXT.glob("lib/*.js")]:
        text = js.read_text(encoding="utf-8")
        assert "FLAG_LABELS" not in text and "LEVEL_TEXT" not in text, js.name
        assert "Math.round(r.score * 100)" not in text, js.name
