"""Model bundles on disk: a joblib file whose name carries version and content hash, and a
manifest holding its SHA-256. joblib is pickle, so a file is only unpickled after its hash has
been checked against the manifest (or a hash the caller got from a trusted place)."""

from __future__ import annotations

import json
import os
import tempfile
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib

from detector.files import atomic_write_text, file_sha256

MANIFEST = "manifest.json"
BUNDLE_FORMAT = 1


class BundleVersionWarning(UserWarning):
    """The bundle was trained under a different scikit-learn minor version than the one installed."""


class BundleError(RuntimeError):
    """The model bundle cannot be used (missing, unverified, tampered or incompatible)."""


@dataclass(frozen=True)
class Bundle:
    pipeline: Any
    metadata: dict[str, Any]
    path: Path
    sha256: str


def default_models_dir() -> Path:
    """``$DETECTOR_MODELS_DIR``, else the repository's ``models/`` folder."""
    env = os.environ.get("DETECTOR_MODELS_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "models"


def save_bundle(pipeline: Any, metadata: dict[str, Any], models_dir: str | Path) -> Path:
    """Write ``tppo-<version>-<sha8>.joblib`` atomically and record it in the manifest."""
    models_dir = Path(models_dir)
    models_dir.mkdir(parents=True, exist_ok=True)
    version = str(metadata["version"])
    payload = {"format": BUNDLE_FORMAT, "pipeline": pipeline, "metadata": metadata}
    fd, tmp = tempfile.mkstemp(dir=models_dir, suffix=".joblib.tmp")
    os.close(fd)
    try:
        joblib.dump(payload, tmp, compress=3)
        digest = file_sha256(tmp)
        final = models_dir / f"tppo-{version}-{digest[:8]}.joblib"
        os.chmod(tmp, 0o644)  # mkstemp creates 0600
        os.replace(tmp, final)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    manifest = {
        "file": final.name,
        "sha256": digest,
        "version": version,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "sklearn_version": metadata.get("sklearn_version"),
        "bundle_format": BUNDLE_FORMAT,
    }
    atomic_write_text(models_dir / MANIFEST, json.dumps(manifest, indent=2) + "\n")
    return final


def resolve(path: str | Path | None) -> tuple[Path, str]:
    """The bundle file and the SHA-256 it must have, from a models folder, manifest or file."""
    p = Path(path) if path is not None else default_models_dir()
    if p.is_dir():
        p = p / MANIFEST
    if p.name == MANIFEST or p.suffix == ".json":
        if not p.is_file():
            raise BundleError(f"no model manifest at {p}; train one with `detector train`")
        name, digest = _read_manifest(p)
        return p.parent / name, digest
    manifest_path = p.parent / MANIFEST
    if manifest_path.is_file():
        name, digest = _read_manifest(manifest_path)
        if name == p.name:
            return p, digest
    raise BundleError(f"{p} is not listed in a manifest beside it; pass its expected SHA-256")


def _read_manifest(path: Path) -> tuple[str, str]:
    """The bundle file name and SHA-256 a manifest lists; :class:`BundleError` if it is unreadable."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        return str(manifest["file"]), str(manifest["sha256"])
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise BundleError(f"model manifest {path} is unreadable: {exc!r}") from exc


def load_bundle(path: str | Path | None = None, expected_sha256: str | None = None) -> Bundle:
    """Verify, then load. Raises :class:`BundleError` on a missing or tampered file."""
    if expected_sha256 is None:
        file, expected_sha256 = resolve(path)
    else:
        file = Path(path) if path is not None else resolve(None)[0]
    if not file.is_file():
        raise BundleError(f"model bundle {file} does not exist")
    actual = file_sha256(file)
    if actual != expected_sha256:
        raise BundleError(
            f"model bundle {file.name} failed verification: SHA-256 {actual[:16]}… does not match "
            f"the expected {expected_sha256[:16]}…; refusing to unpickle it"
        )
    return _unpickle(file, actual)


def load_bundle_bytes(data: bytes, expected_sha256: str, name: str = "<bytes>") -> Bundle:
    """Load a bundle shipped as bytes (e.g. to a Dask/Spark worker), verified by its hash first."""
    import hashlib
    import io

    actual = hashlib.sha256(data).hexdigest()
    if actual != expected_sha256:
        raise BundleError(f"model bundle {name} failed verification on this worker: SHA-256 mismatch")
    try:
        payload = joblib.load(io.BytesIO(data))
    except Exception as exc:  # verified but unloadable: version skew between driver and worker
        raise BundleError(f"model bundle {name} could not be loaded on this worker: {exc!r}") from exc
    return _check_payload(payload, Path(name), actual)


def _unpickle(file: Path, digest: str) -> Bundle:
    try:
        payload = joblib.load(file)
    except Exception as exc:  # a verified but unloadable file: version skew, truncated dump
        raise BundleError(f"model bundle {file.name} could not be loaded: {exc!r}") from exc
    return _check_payload(payload, file, digest)


def _check_payload(payload: Any, file: Path, digest: str) -> Bundle:
    if not isinstance(payload, dict) or payload.get("format") != BUNDLE_FORMAT:
        raise BundleError(f"{file.name} is not a bundle of format {BUNDLE_FORMAT}")
    meta = payload.get("metadata") or {}
    for key in ("version", "thresholds", "labels"):
        if key not in meta:
            raise BundleError(f"{file.name} lacks metadata {key!r}; retrain it")
    _warn_on_version_skew(meta, file)
    return Bundle(pipeline=payload["pipeline"], metadata=meta, path=file, sha256=digest)


def _warn_on_version_skew(meta: dict[str, Any], file: Path) -> None:
    """Pickled estimators are only guaranteed to behave the same under the scikit-learn that made them."""
    from importlib.metadata import version

    trained = meta.get("sklearn_version")
    running = version("scikit-learn")
    if trained and trained.split(".")[:2] != running.split(".")[:2]:
        warnings.warn(
            f"model bundle {file.name} was trained with scikit-learn {trained} but {running} is installed; "
            "scores may differ: reinstall the pinned version or retrain with `detector train`",
            BundleVersionWarning,
            stacklevel=3,
        )
