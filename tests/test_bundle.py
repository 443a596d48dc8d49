"""Model bundles: verified by hash before unpickling; tampered or unlisted files are refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from detector import Detector
from detector.bundle import BundleError, load_bundle, load_bundle_bytes, resolve


def _bundle_file(models: Path) -> Path:
    manifest = json.loads((models / "manifest.json").read_text())
    return models / manifest["file"]


def test_shipped_bundle_name_carries_version_and_hash(models_copy: Path) -> None:
    manifest = json.loads((models_copy / "manifest.json").read_text())
    b = load_bundle(models_copy)
    assert manifest["file"] == f"tppo-{b.metadata['version']}-{manifest['sha256'][:8]}.joblib"
    assert b.sha256 == manifest["sha256"]
    for key in ("version", "sklearn_version", "thresholds", "metrics", "data", "labels"):
        assert key in b.metadata


def test_tampered_bundle_is_refused_before_unpickling(models_copy: Path) -> None:
    f = _bundle_file(models_copy)
    data = bytearray(f.read_bytes())
    data[len(data) // 2] ^= 0xFF
    f.write_bytes(bytes(data))
    with pytest.raises(BundleError, match="failed verification"):
        Detector.load(models_copy)


def test_bundle_not_listed_in_manifest_is_refused(models_copy: Path, tmp_path: Path) -> None:
    stray = tmp_path / "stray.joblib"
    stray.write_bytes(_bundle_file(models_copy).read_bytes())
    with pytest.raises(BundleError, match="not listed in a manifest"):
        resolve(stray)


def test_missing_manifest_gives_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="no model manifest"):
        Detector.load(tmp_path)


def test_bundle_bytes_verified_by_hash(models_copy: Path) -> None:
    f = _bundle_file(models_copy)
    good = json.loads((models_copy / "manifest.json").read_text())["sha256"]
    assert load_bundle_bytes(f.read_bytes(), good).sha256 == good
    with pytest.raises(BundleError, match="failed verification"):
        load_bundle_bytes(f.read_bytes() + b"x", good)


@pytest.mark.parametrize(
    "manifest_text",
    ["{not json", '{"sha256": "ab"}', "[1, 2]", "\udcff"],
    ids=["not-json", "no-file-key", "not-an-object", "undecodable"],
)
def test_corrupt_manifest_gives_a_clear_error(models_copy: Path, manifest_text: str) -> None:
    bundle = _bundle_file(models_copy)
    (models_copy / "manifest.json").write_bytes(manifest_text.encode("utf-8", "surrogateescape"))
    with pytest.raises(BundleError, match="unreadable"):
        Detector.load(models_copy)
    with pytest.raises(BundleError, match="unreadable"):
        resolve(bundle)  # a bundle file named directly still needs a readable manifest beside it


def test_unloadable_bundle_bytes_with_matching_hash_give_a_clear_error() -> None:
    import hashlib

    junk = b"not a joblib pickle"
    with pytest.raises(BundleError, match="could not be loaded"):
        load_bundle_bytes(junk, hashlib.sha256(junk).hexdigest(), name="junk.joblib")


def test_bundle_from_another_sklearn_minor_version_warns(monkeypatch: pytest.MonkeyPatch, models_copy: Path) -> None:
    import importlib.metadata

    from detector.bundle import BundleVersionWarning

    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version", lambda d: "0.1.0" if d == "scikit-learn" else real(d))
    with pytest.warns(BundleVersionWarning, match="trained with scikit-learn"):
        load_bundle(models_copy)


def test_bundle_from_the_installed_sklearn_loads_without_warning(models_copy: Path) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_bundle(models_copy)


@pytest.mark.parametrize("enabled", [True, False], ids=["collector-on", "collector-off"])
def test_loading_leaves_the_garbage_collector_as_it_was(models_copy: Path, enabled: bool) -> None:
    """Loading pauses the cyclic garbage collector and restores it, also when the load fails."""
    import gc

    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        assert Detector.load(models_copy).compiled
        assert gc.isenabled() is enabled
        bundle = resolve(models_copy)[0]
        bundle.write_bytes(bundle.read_bytes() + b"x")
        with pytest.raises(BundleError):
            Detector.load(models_copy)
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
