"""The small checkpoint file that lets ``--resume`` continue an interrupted scan.

Beside ``OUT`` live ``OUT.partial`` (the output so far), ``OUT.rejects.jsonl.partial``,
``OUT.ids.partial`` (the scored ids' hashes, for the duplicate count) and ``OUT.checkpoint.json``:
rows done, the durable length of each partial with the SHA-256 of its last bytes (the sinks'
``checkpoint()``), and the running summary. The partials are fsynced before it is written, and it
is fsynced and renamed into place after each durable chunk, so after a crash the partials are
checked against it, cut back to it, and scanning restarts at the next row: no row is scored twice
or lost, and a partial that is not the one it describes is refused."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from detector.batch.formats import ScanInputError, Source

VERSION = 2  # 2: partials' tail hashes, the ids file


@dataclass(frozen=True)
class ScanPaths:
    out: str
    rejects: str

    @property
    def partial(self) -> str:
        return f"{self.out}.partial"

    @property
    def rejects_partial(self) -> str:
        return f"{self.rejects}.partial"

    @property
    def ids_partial(self) -> str:
        return f"{self.out}.ids.partial"

    @property
    def checkpoint(self) -> str:
        return f"{self.out}.checkpoint.json"


def fingerprint(src: Source, **options: Any) -> dict[str, Any]:
    """What must not change between a run and its resumption."""
    fp: dict[str, Any] = {"input": src.path if src.is_stdin or src.is_url else os.path.abspath(src.path),
                          "format": src.fmt, **options}
    if not src.is_stdin and not src.is_url:
        st = os.stat(src.path)
        fp.update(size=st.st_size, mtime_ns=st.st_mtime_ns)
    return fp


def save(path: str, state: dict[str, Any]) -> None:
    """Replace the checkpoint atomically and durably (the partials it names are fsynced already)."""
    path = os.path.abspath(path)
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(json.dumps({"version": VERSION, **state}, ensure_ascii=False))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def load(path: str, expected: dict[str, Any]) -> dict[str, Any] | None:
    """The checkpoint at ``path`` if there is one; refuses one made for another input/options."""
    p = Path(path)
    if not p.is_file():
        return None
    try:
        state = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ScanInputError(f"--resume: checkpoint {path} is unreadable ({exc}); delete it to start over") from exc
    if state.get("version") != VERSION:
        raise ScanInputError(f"--resume: checkpoint {path} has another format; delete it to start over")
    got = state.get("fingerprint", {})
    diff = sorted(k for k in set(got) | set(expected) if got.get(k) != expected.get(k))
    if diff:
        raise ScanInputError(f"--resume: checkpoint {path} was made for a different run (changed: "
                             f"{', '.join(diff)}); run without --resume to start over")
    return state  # type: ignore[no-any-return]


def remove(paths: ScanPaths) -> None:
    """Delete a previous run's partial state (a fresh run)."""
    import shutil

    for p in (paths.partial, paths.rejects_partial, paths.ids_partial, paths.checkpoint, f"{paths.checkpoint}.tmp"):
        if os.path.isdir(p):
            shutil.rmtree(p)
        elif os.path.exists(p):
            os.unlink(p)
