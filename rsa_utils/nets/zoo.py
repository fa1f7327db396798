"""The model zoo: a content-addressed cache of trained things, trained on first use.

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

:func:`cached` is the generic mechanism (later code caches transfer readouts, fine-tuning runs
through it); :func:`get_model`, :func:`get_record`, :func:`get_target_model` are the zoo of task
networks. CLI: ``python -m rsa_utils.zoo train --profile cpu --tasks a,b --archs small,taskonomy
--shard i/n [--target]`` and ``python -m rsa_utils.zoo ls``.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import filelock
import pandas as pd
import torch

from rsa_utils.data.sources import SYNTHETIC, DataSources, default_cache_dir
from rsa_utils.nets.models import ARCHS, TaskModel, check_arch, model_from_config
from rsa_utils.study.profiles import Profile, get_profile, resolve_device, setup
from rsa_utils.world.tasks import TASK_NAMES, check_tasks, get_task

#: Bump when the meaning of cached entries changes (training loop, models, losses).
ZOO_VERSION = (
    2  # 2: every network its own seed (train.network_seed), one-cycle schedule, replicates
)
#: Progress snapshots per training run, each written only if PROGRESS_MIN_SECONDS have passed
#: since the previous one (or the start): a killed run loses at most the larger of
#: 1/PROGRESS_SNAPSHOTS of it and PROGRESS_MIN_SECONDS. Runs of seconds (the gpu profile's)
#: write none; a snapshot of a ResNet-50 and its Adam state is ~0.3 GB.
PROGRESS_SNAPSHOTS = 10
PROGRESS_MIN_SECONDS = 30.0

try:  # the scene generator's version, so a changed world invalidates trained models
    from rsa_utils.world.scene_parts import GENERATOR_VERSION
except Exception:  # noqa: BLE001 - scenes may not exist yet
    GENERATOR_VERSION = "unversioned"


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
            "record": record,
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


# --- the zoo of task networks -------------------------------------------------------------------

SOURCE_FIELDS = ("image_size", "n_train", "n_val", "n_test", "steps", "batch_size", "lr", "schedule",
                 "warmup")  # fmt: skip
TARGET_FIELDS = (
    "image_size",
    "target_train",
    "n_val",
    "n_test",
    "target_steps",
    "batch_size",
    "lr",
    "schedule",
    "warmup",
)


def model_key(
    task: str,
    arch: str,
    profile: Profile,
    seed: int,
    checkpoints: Sequence[float],
    sources: DataSources = SYNTHETIC,
    replicate: int = 0,
) -> dict[str, Any]:
    """The key fields of a source task model (resnet_width only matters for the taskonomy arch)."""
    key = {"task": task, "arch": arch, "seed": seed, "replicate": int(replicate), "checkpoints": sorted(float(c) for c in checkpoints),
           **sources.source_key(), **{f: getattr(profile, f) for f in SOURCE_FIELDS}}  # fmt: skip
    if arch == "taskonomy":
        key["resnet_width"] = profile.resnet_width
    return key


def target_key(profile: Profile, seed: int, sources: DataSources = SYNTHETIC) -> dict[str, Any]:
    """The key fields of the target-task small model."""
    return {"task": "target_segmentation", "arch": "small", "seed": seed, **sources.target_key(),
            "checkpoints": sorted(set(map(float, profile.checkpoints)) | {1.0}),
            **{f: getattr(profile, f) for f in TARGET_FIELDS}}  # fmt: skip


def _train_build(train_fn: Callable[..., Any], steps: int, show_progress: bool, **kw: Any):
    """A :func:`cached` builder around :func:`rsa_utils.train.train_task_model` / ``train_target_model``."""

    def build(progress: Progress) -> tuple[Any, dict[str, Any]]:
        resume = progress.load()
        snaps: dict[str, dict[str, torch.Tensor]] = (
            dict(resume.get("snapshots", {})) if resume else {}
        )

        def on_checkpoint(fraction: float, state: dict[str, torch.Tensor]) -> None:
            snaps[repr(float(fraction))] = state

        last_save = [time.monotonic()]

        def on_progress(state: dict[str, Any]) -> None:
            if time.monotonic() - last_save[0] < PROGRESS_MIN_SECONDS:
                return
            progress.save({**state, "snapshots": snaps})
            last_save[0] = time.monotonic()

        if resume is not None and show_progress:
            print(
                f"[zoo] resuming {kw.get('task', 'target')} from step {resume['step']}", flush=True
            )
        res, record = train_fn(resume=resume, on_progress=on_progress, on_checkpoint=on_checkpoint,
                               save_every=max(1, steps // PROGRESS_SNAPSHOTS), show_progress=show_progress,
                               **kw)  # fmt: skip
        payload = {"config": res.model.config(), "snapshots": snaps, "history": res.history}
        return payload, record

    return build


def _profile(profile: Profile | str) -> Profile:
    return get_profile(profile) if isinstance(profile, str) else profile


def _model_from_payload(payload: dict[str, Any], checkpoint: float, device: Any) -> TaskModel:
    snaps = payload["snapshots"]
    k = repr(float(checkpoint))
    if k not in snaps:
        raise ValueError(f"checkpoint {checkpoint} not stored; stored: {sorted(map(float, snaps))}")
    config = dict(payload["config"])
    if config["task"] == "target_segmentation":
        from rsa_utils.nets.models import SmallModel
        from rsa_utils.world.tasks import TARGET_TASK

        model: TaskModel = SmallModel(TARGET_TASK, image_size=config["image_size"])
    else:
        model = model_from_config(config)
    model.load_state_dict(snaps[k])
    return model.to(resolve_device(device) if isinstance(device, str) else device).eval()


def _source_entry(task, arch, profile, seed, device, cache_dir, checkpoint, show_progress,
                  sources=SYNTHETIC, replicate=0):  # fmt: skip
    from rsa_utils.nets import train

    check_arch(arch)
    task = get_task(task).name
    profile = _profile(profile)
    cps = (
        (1.0,)
        if float(checkpoint) == 1.0
        else tuple(sorted(set(profile.checkpoints) | {1.0, float(checkpoint)}))
    )
    dev = resolve_device(device) if isinstance(device, str) else device
    build = _train_build(train.train_task_model, profile.steps, show_progress, task=task, arch=arch,
                         profile=profile, seed=seed, device=dev, cache_dir=cache_dir, checkpoints=cps,
                         sources=sources, replicate=replicate)  # fmt: skip
    key = model_key(task, arch, profile, seed, cps, sources, replicate)
    return cached("model", key, build, cache_dir=cache_dir)


def get_model(
    task: str,
    arch: str,
    profile: Profile | str,
    seed: int = 0,
    device: str | torch.device = "cpu",
    cache_dir: str | os.PathLike | None = None,
    checkpoint: float = 1.0,
    show_progress: bool = True,
    sources: DataSources = SYNTHETIC,
    replicate: int = 0,
) -> TaskModel:
    """The trained ``arch`` model of source ``task`` (eval mode, on ``device``); trains on first use
    on ``sources``' source domain. ``replicate`` picks one of the task's independently seeded
    networks (0: the one the sections use; 1, ...: the replicates of the noise ceiling).

    ``checkpoint`` < 1 asks for the weights at that fraction of training (the run is then
    trained with snapshots at ``profile.checkpoints`` as a separate entry).
    """
    payload, _ = _source_entry(
        task, arch, profile, seed, device, cache_dir, checkpoint, show_progress, sources, replicate
    )
    return _model_from_payload(payload, checkpoint, device)


def get_record(
    task: str,
    arch: str,
    profile: Profile | str,
    seed: int = 0,
    device: str | torch.device = "cpu",
    cache_dir: str | os.PathLike | None = None,
    checkpoint: float = 1.0,
    show_progress: bool = True,
    sources: DataSources = SYNTHETIC,
    replicate: int = 0,
) -> dict[str, Any]:
    """The record of :func:`get_model`'s model: metric, metric_name, baseline, higher_is_better,
    train_loss, val_loss, test_loss, seconds, n_params, device, resumed_from (trains on first use)."""
    _, meta = _source_entry(
        task, arch, profile, seed, device, cache_dir, checkpoint, show_progress, sources, replicate
    )
    return dict(meta["record"])


def _target_entry(profile, seed, device, cache_dir, show_progress, sources=SYNTHETIC):
    from rsa_utils.nets import train

    profile = _profile(profile)
    dev = resolve_device(device) if isinstance(device, str) else device
    build = _train_build(train.train_target_model, profile.target_steps, show_progress, profile=profile,
                         seed=seed, device=dev, cache_dir=cache_dir, sources=sources)  # fmt: skip
    key = target_key(profile, seed, sources)
    return cached("target_model", key, build, cache_dir=cache_dir)


def get_target_model(
    profile: Profile | str,
    seed: int = 0,
    device: str | torch.device = "cpu",
    cache_dir: str | os.PathLike | None = None,
    checkpoint: float = 1.0,
    show_progress: bool = True,
    sources: DataSources = SYNTHETIC,
) -> TaskModel:
    """The small model trained on the target task of ``sources``' target domain, at
    ``checkpoint`` (one of profile.checkpoints or 1)."""
    payload, _ = _target_entry(profile, seed, device, cache_dir, show_progress, sources)
    return _model_from_payload(payload, checkpoint, device)


def get_target_record(
    profile: Profile | str,
    seed: int = 0,
    device: str | torch.device = "cpu",
    cache_dir: str | os.PathLike | None = None,
    show_progress: bool = True,
    sources: DataSources = SYNTHETIC,
) -> dict[str, Any]:
    """The record of the target-task model (see :func:`get_record`)."""
    return dict(
        _target_entry(profile, seed, device, cache_dir, show_progress, sources)[1]["record"]
    )


# --- listing and the CLI ---------------------------------------------------------------------


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
    """A table of the cached entries with their records (one row per entry)."""
    rows = []
    for kind, key, meta, status in iter_entries(cache_dir):
        kd, rec = (meta or {}).get("key_dict", {}), (meta or {}).get("record", {})
        rows.append({
            "kind": kind, "key": key, "status": status, "task": kd.get("task"), "arch": kd.get("arch"), "replicate": kd.get("replicate"),
            "image_size": kd.get("image_size"), "steps": kd.get("steps", kd.get("target_steps")),
            "seed": kd.get("seed"), "metric_name": rec.get("metric_name"), "metric": rec.get("metric"),
            "baseline": rec.get("baseline"), "train_loss": rec.get("train_loss"),
            "val_loss": rec.get("val_loss"), "seconds": rec.get("seconds"),
            "MB": round((meta or {}).get("size", 0) / 1e6, 2),
        })  # fmt: skip
    return pd.DataFrame(rows)


def _shard(spec: str) -> tuple[int, int]:
    try:
        i, n = (int(v) for v in spec.split("/"))
        assert 0 <= i < n
    except Exception:  # noqa: BLE001
        raise ValueError(f"--shard {spec!r}: expected i/n with 0 <= i < n") from None
    return i, n


def main(argv: Sequence[str] | None = None) -> int:
    """``train`` the zoo (shardable) or ``ls`` its entries."""
    ap = argparse.ArgumentParser(prog="python -m rsa_utils.zoo", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    tr = sub.add_parser("train", help="train (or check) models into the zoo")
    tr.add_argument("--profile", default="auto")
    tr.add_argument("--tasks", default=None, help="comma-separated task names (default: all 20)")
    tr.add_argument("--archs", default=",".join(ARCHS))
    tr.add_argument(
        "--shard",
        default="0/1",
        help="i/n: this worker's share of the (task, arch, replicate) jobs",
    )
    tr.add_argument("--target", action="store_true", help="also the target-task model (in shard 0)")
    tr.add_argument("--seed", type=int, default=0)
    tr.add_argument("--device", default="auto")
    tr.add_argument("--cache-dir", default=None)
    tr.add_argument("--data", default="synthetic", help="synthetic | taskonomy (with --data-root)")
    tr.add_argument("--data-root", default=None)
    tr.add_argument(
        "--target-data", default="synthetic", help="synthetic | voc (with --target-root)"
    )
    tr.add_argument("--target-root", default=None)
    ls = sub.add_parser("ls", help="list cached entries with their metrics")
    ls.add_argument("--cache-dir", default=None)
    args = ap.parse_args(argv)
    if args.cmd == "ls":
        df = list_entries(args.cache_dir)
        with pd.option_context("display.max_rows", None, "display.width", 200):
            print(
                df.to_string(index=False)
                if len(df)
                else f"(no entries under {zoo_dir(args.cache_dir)})"
            )
        return 0
    study = setup(args.profile, args.device, args.seed, args.cache_dir, args.data, args.data_root,
                  args.target_data, args.target_root)  # fmt: skip
    device, profile, sources = study.device, study.profile, study.sources
    tasks = check_tasks(args.tasks, TASK_NAMES)
    archs = [check_arch(a.strip()) for a in args.archs.split(",") if a.strip()]
    i, n = _shard(args.shard)
    jobs = [(t, a, r) for t in tasks for a in archs for r in range(profile.replicates_of(t))][i::n]
    t0 = time.perf_counter()
    for t, a, r in jobs:
        get_record(t, a, profile, args.seed, device, args.cache_dir, sources=sources, replicate=r)
    if args.target and i == 0:
        get_target_record(profile, args.seed, device, args.cache_dir, sources=sources)
    print(f"[zoo] shard {i}/{n}: {len(jobs)} models ready in {time.perf_counter() - t0:.1f}s "
          f"(profile {profile.name}, device {device})")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
