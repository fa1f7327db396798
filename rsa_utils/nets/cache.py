"""The zoo's cache: content-addressed entries, atomic writes, locks, integrity checks, resumable builds.

Layout under ``<cache_dir>/zoo/<kind>/``: ``<key>.pt`` (the payload, ``torch.save`` of plain
dicts and tensors, loaded with ``weights_only=True``), ``<key>.json`` (the sidecar: the key's
fields, the payload's sha256 and size, the record of metrics; written last, so it marks a
complete entry), ``<key>.lock`` (a :mod:`filelock` lock) and, while a build runs,
``<key>.progress.pt`` (resumable training state).

* **Keys** hash everything that determines the result (:func:`cache_key`): the caller's fields
  (task, arch, the profile's training fields, seed, ...) plus :data:`ZOO_VERSION` and the scene
  generator's version.
* **Atomic writes**: write to a temporary file in the same folder, flush + fsync, ``os.replace``.
* **Concurrency**: one file lock per key; a second process asking for the same entry waits,
  then loads what the first built (it is trained once).
* **Corruption**: a payload whose sha256 or size differs from the sidecar, an unreadable
  sidecar, or a payload that ``torch.load`` rejects is reported (a warning) and rebuilt.
* **Resume**: builders get a :class:`Progress` handle; training saves its state there every
  K steps, and a build killed mid-way resumes from the last saved step.

:func:`cached` is the generic mechanism: task networks (:mod:`rsa_utils.nets.zoo`), transfer
readouts and fine-tuning runs are cached through it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import filelock
import pandas as pd
import torch

from rsa_utils.data.sources import default_cache_dir
from rsa_utils.world.scene_parts import GENERATOR_VERSION

#: Bump when the meaning of cached entries changes (training loop, models, losses).
#: 2: every network its own seed (seeds.network_seed), one-cycle schedule, replicates;
#: 3: the Taskonomy architecture's residual branches start at zero (models.TaskonomyEncoder)
ZOO_VERSION = 3
#: The environment variable naming the notebook an entry is built for: the runner sets it for
#: each notebook it executes, and the entry's sidecar records it (``built_by``), so that
#: notebooks run side by side are each credited with what they built.
BUILT_BY_ENV = "RSA_NOTEBOOK"


class CorruptEntryWarning(UserWarning):
    """A cache entry failed its integrity check and is being rebuilt."""


def zoo_dir(cache_dir: str | os.PathLike | None = None) -> Path:
    """``<cache_dir>/zoo`` (``cache_dir`` defaults to :func:`rsa_utils.profiles.default_cache_dir`)."""
    return Path(cache_dir if cache_dir is not None else default_cache_dir()) / "zoo"


def cache_key(kind: str, key_dict: dict[str, Any]) -> str:
    """A 20-hex-digit hash of ``kind``, ``key_dict`` (JSON, sorted keys), the zoo and generator versions."""
    full = {
        "kind": kind,
        "zoo_version": ZOO_VERSION,
        "generator_version": GENERATOR_VERSION,
        **key_dict,
    }
    blob = json.dumps(full, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:20]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temporary file, fsync, ``os.replace``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename durable too
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def atomic_torch_save(obj: Any, path: Path) -> None:
    """``torch.save`` to ``path`` atomically."""
    import io

    buf = io.BytesIO()
    torch.save(obj, buf)
    atomic_write_bytes(path, buf.getvalue())


class Progress:
    """Resumable state of one build: ``load()`` the last snapshot (or None), ``save(state)``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, Any] | None:
        if not self.path.exists():
            return None
        try:
            return torch.load(self.path, map_location="cpu", weights_only=True)
        except Exception as e:  # noqa: BLE001
            warnings.warn(f"unreadable progress file {self.path} ({e}); starting over", CorruptEntryWarning,
                          stacklevel=2)  # fmt: skip
            self.clear()
            return None

    def save(self, state: dict[str, Any]) -> None:
        atomic_torch_save(state, self.path)

    def clear(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


class Entry:
    """The files of one cache entry."""

    def __init__(
        self, kind: str, key_dict: dict[str, Any], cache_dir: str | os.PathLike | None
    ) -> None:
        self.kind, self.key_dict = kind, key_dict
        self.key = cache_key(kind, key_dict)
        base = zoo_dir(cache_dir) / kind
        self.payload = base / f"{self.key}.pt"
        self.meta = base / f"{self.key}.json"
        self.lock = base / f"{self.key}.lock"
        self.progress = Progress(base / f"{self.key}.progress.pt")

    def read_meta(self) -> dict[str, Any] | None:
        try:
            return json.loads(self.meta.read_text())
        except (OSError, ValueError):
            return None

    def check(self) -> tuple[str, dict[str, Any] | None]:
        """``("ok", meta)``, ``("missing", None)`` or ``("corrupt: why", meta)`` (no torch.load)."""
        if not self.meta.exists() and not self.payload.exists():
            return "missing", None
        meta = self.read_meta()
        if meta is None:
            return "corrupt: sidecar JSON missing or unreadable", None
        if not self.payload.exists():
            return "corrupt: payload missing", meta
        size = self.payload.stat().st_size
        if size != meta.get("size"):
            return f"corrupt: payload has {size} bytes, sidecar says {meta.get('size')}", meta
        if _sha256(self.payload) != meta.get("sha256"):
            return "corrupt: sha256 mismatch", meta
        return "ok", meta

    def load(self) -> Any:
        return torch.load(self.payload, map_location="cpu", weights_only=True)

    def remove(self) -> None:
        for p in (self.payload, self.meta):
            with contextlib.suppress(FileNotFoundError):
                p.unlink()


def _try_load(entry: Entry) -> tuple[Any, dict[str, Any]] | None:
    """The payload and meta of a valid entry; a corrupt one is reported, removed, and None returned."""
    status, meta = entry.check()
    if status == "missing":
        return None
    if status == "ok":
        try:
            return entry.load(), meta  # type: ignore[return-value]
        except Exception as e:  # noqa: BLE001
            status = f"corrupt: torch.load failed ({type(e).__name__}: {e})"
    warnings.warn(f"zoo entry {entry.kind}/{entry.key} is {status}; rebuilding it", CorruptEntryWarning,
                  stacklevel=3)  # fmt: skip
    entry.remove()
    return None


def cached(
    kind: str,
    key_dict: dict[str, Any],
    build_fn: Callable[[Progress], tuple[Any, dict[str, Any]]],
    *,
    cache_dir: str | os.PathLike | None = None,
    lock_timeout: float = -1,
) -> tuple[Any, dict[str, Any]]:
    """The cached result for (``kind``, ``key_dict``), built by ``build_fn`` on first use.

    ``build_fn(progress)`` returns ``(payload, record)``: ``payload`` is what ``torch.save``
    stores (dicts, lists, tensors, numbers, strings -- it is loaded with ``weights_only=True``),
    ``record`` a JSON-able dict kept in the sidecar (metrics, seconds). ``progress`` lets a
    long build save and resume its state. Returns ``(payload, meta)``; ``meta["record"]`` is the
    record, ``meta["built_here"]`` whether this call built it.
    """
    entry = Entry(kind, key_dict, cache_dir)
    got = _try_load(entry)
    if got is not None:
        return got[0], {**got[1], "built_here": False}
    entry.lock.parent.mkdir(parents=True, exist_ok=True)
    with filelock.FileLock(str(entry.lock), timeout=lock_timeout):
        got = _try_load(entry)  # built by another process while we waited?
        if got is not None:
            return got[0], {**got[1], "built_here": False}
        payload, record = build_fn(entry.progress)
        atomic_torch_save(payload, entry.payload)
        meta = {
            "kind": kind, "key": entry.key, "key_dict": key_dict, "zoo_version": ZOO_VERSION,
            "generator_version": GENERATOR_VERSION, "sha256": _sha256(entry.payload),
            "size": entry.payload.stat().st_size, "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "record": record, "built_by": os.environ.get(BUILT_BY_ENV) or None,
        }  # fmt: skip
        atomic_write_bytes(entry.meta, json.dumps(meta, indent=1, default=str).encode())
        entry.progress.clear()
    return payload, {**meta, "built_here": True}


def peek(
    kind: str, key_dict: dict[str, Any], cache_dir: str | os.PathLike | None = None
) -> dict | None:
    """The sidecar of a valid entry, or None (never builds)."""
    status, meta = Entry(kind, key_dict, cache_dir).check()
    return meta if status == "ok" else None


# --- listing ---------------------------------------------------------------------


def iter_entries(
    cache_dir: str | os.PathLike | None = None,
) -> Iterator[tuple[str, str, dict | None, str]]:
    """(kind, key, sidecar or None, status) of every entry under the zoo."""
    root = zoo_dir(cache_dir)
    if not root.exists():
        return
    for kdir in sorted(p for p in root.iterdir() if p.is_dir()):
        keys = {p.name.split(".")[0] for p in kdir.iterdir() if p.suffix in (".pt", ".json")
                and not p.name.startswith(".") and ".progress" not in p.name}  # fmt: skip
        for key in sorted(keys):
            e = Entry.__new__(Entry)
            e.kind, e.key = kdir.name, key
            e.payload, e.meta = kdir / f"{key}.pt", kdir / f"{key}.json"
            status, meta = e.check()
            yield kdir.name, key, meta, status


def list_entries(cache_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """A table of the cached entries with their records (one row per entry).
    ``baseline_at_training`` is the trivial baseline recorded when the entry was trained; the
    quality gate recomputes it with the current rule (:func:`~rsa_utils.nets.train.task_baseline`),
    which for L1 tasks trained before the median became their baseline gives another value."""
    rows = []
    for kind, key, meta, status in iter_entries(cache_dir):
        kd, rec = (meta or {}).get("key_dict", {}), (meta or {}).get("record", {})
        rows.append({
            "kind": kind, "key": key, "status": status, "task": kd.get("task"), "arch": kd.get("arch"), "replicate": kd.get("replicate"),
            "image_size": kd.get("image_size"), "steps": kd.get("steps", kd.get("target_steps")),
            "seed": kd.get("seed"), "metric_name": rec.get("metric_name"), "metric": rec.get("metric"),
            "baseline_at_training": rec.get("baseline"), "train_loss": rec.get("train_loss"),
            "val_loss": rec.get("val_loss"), "seconds": rec.get("seconds"),
            "MB": round((meta or {}).get("size", 0) / 1e6, 2),
        })  # fmt: skip
    return pd.DataFrame(rows)
