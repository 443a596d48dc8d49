"""Shipping the model bundle to engine workers: its bytes travel once (a Dask scatter or a Spark
broadcast) with the manifest's SHA-256; a worker verifies the hash before unpickling and keeps
one :class:`Detector` per process."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from detector.bundle import BundleError, resolve
from detector.files import file_sha256

if TYPE_CHECKING:
    from detector.detector import Detector

_CACHE: dict[str, Detector] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True)
class ShippedBundle:
    data: bytes
    sha256: str
    name: str = "<bundle>"

    @classmethod
    def from_model(cls, model: str | None = None) -> ShippedBundle:
        """The bundle named by ``--model`` (or the shipped one), checked here before it is sent."""
        file, sha = resolve(model)
        if not file.is_file():
            raise BundleError(f"model bundle {file} does not exist")
        if file_sha256(file) != sha:
            raise BundleError(f"model bundle {file.name} failed verification: SHA-256 does not match the manifest; "
                              "refusing to send it to workers")
        return cls(file.read_bytes(), sha, file.name)


def detector_for(data: bytes, sha256: str, name: str = "<bundle>") -> Detector:
    """This process's detector for the bundle ``sha256``, loaded from ``data`` once. The bytes are
    checked on every call (a few ms per partition), so a bad copy is refused even after a good one."""
    import hashlib

    if hashlib.sha256(data).hexdigest() != sha256:
        raise BundleError(f"model bundle {name} failed verification on this worker: SHA-256 mismatch; "
                          "refusing to unpickle it")
    with _LOCK:
        det = _CACHE.get(sha256)
        if det is None:
            from detector.batch.pool import _limit_threads
            from detector.bundle import load_bundle_bytes
            from detector.detector import Detector

            _limit_threads()
            det = Detector(load_bundle_bytes(data, sha256, name))
            _CACHE[sha256] = det
        return det
