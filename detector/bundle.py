"""Model bundles on disk: a joblib file whose name carries version and content hash, and a
manifest holding its SHA-256. joblib is pickle, so a file is only unpickled after its hash has
been checked against the manifest (or a hash the caller got from a trusted place)."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import joblib

from detector.data import file_sha256

MANIFEST = "manifest.json"
BUNDLE_FORMAT = 1


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
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "sklearn_version": metadata.get("sklearn_version"),
        "bundle_format": BUNDLE_FORMAT,
    }
    _atomic_write_text(models_dir / MANIFEST, json.dumps(manifest, indent=2) + "\n")
    return final


def resolve(path: str | Path | None) -> tuple[Path, str]:
    """The bundle file and the SHA-256 it must have, from a models folder, manifest or file."""
    p = Path(path) if path is not None else default_models_dir()
    if p.is_dir():
        p = p / MANIFEST
    if p.name == MANIFEST or p.suffix == ".json":
        if not p.is_file():
            raise BundleError(f"no model manifest at {p}; train one with `detector train`")
        try:
            manifest = json.loads(p.read_text(encoding="utf-8"))
            return p.parent / manifest["file"], str(manifest["sha256"])
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise BundleError(f"model manifest {p} is unreadable: {exc!r}") from exc
    manifest_path = p.parent / MANIFEST
    if manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("file") == p.name:
            return p, str(manifest["sha256"])
    raise BundleError(f"{p} is not listed in a manifest beside it; pass its expected SHA-256")


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
    payload = joblib.load(io.BytesIO(data))
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
    return Bundle(pipeline=payload["pipeline"], metadata=meta, path=file, sha256=digest)


def _atomic_write_text(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
