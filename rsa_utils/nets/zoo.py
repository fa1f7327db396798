"""The zoo of task networks: each source network and the target model, trained on first use and cached.

Every network is an entry of the cache (:mod:`rsa_utils.nets.cache`), keyed by everything that
determines it (task, architecture, the profile's training fields, seed, data). ``profile`` is a
:class:`rsa_utils.profiles.Profile` (or any object with its fields), ``device`` a torch device
or its name. The command line (``python -m rsa_utils.zoo train|ls``) is
:mod:`rsa_utils.study.zoo_cli`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from typing import Any

import torch

from rsa_utils.data.sources import SYNTHETIC, DataSources
from rsa_utils.nets.cache import (  # noqa: F401  (the cache's names, as zoo.cached etc.)
    GENERATOR_VERSION,
    ZOO_VERSION,
    CorruptEntryWarning,
    Entry,
    Progress,
    _sha256,
    _try_load,
    atomic_torch_save,
    atomic_write_bytes,
    cache_key,
    cached,
    iter_entries,
    list_entries,
    peek,
    zoo_dir,
)
from rsa_utils.nets.models import TaskModel, check_arch, model_from_config
from rsa_utils.world.tasks import TARGET_TASK, get_task

#: Progress snapshots per training run, each written only if PROGRESS_MIN_SECONDS have passed
#: since the previous one (or the start): a killed run loses at most the larger of
#: 1/PROGRESS_SNAPSHOTS of it and PROGRESS_MIN_SECONDS. Runs of seconds (the gpu profile's)
#: write none; a snapshot of a ResNet-50 and its Adam state is ~0.3 GB.
PROGRESS_SNAPSHOTS = 10
PROGRESS_MIN_SECONDS = 30.0


# --- the zoo of task networks -------------------------------------------------------------------

SOURCE_FIELDS = ("image_size", "n_train", "n_val", "n_test", "steps", "batch_size", "lr", "schedule",
                 "warmup", "precision")  # fmt: skip
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
    "precision",
)


def model_key(
    task: str,
    arch: str,
    profile: Any,
    seed: int,
    checkpoints: Sequence[float],
    sources: DataSources = SYNTHETIC,
    replicate: int = 0,
) -> dict[str, Any]:
    """The key fields of a source task model (resnet_width only matters for the taskonomy arch;
    steps and batch_size are the task's on that architecture,
    :meth:`~rsa_utils.study.profiles.Profile.recipe`, and lr its peak, ``Profile.peak_lr``; the
    task's ``revision`` and ``class_weights`` enter only where set, so other tasks keep their keys)."""
    key = {"task": task, "arch": arch, "seed": seed, "replicate": int(replicate), "checkpoints": sorted(float(c) for c in checkpoints),
           **sources.source_key(), **{f: getattr(profile, f) for f in SOURCE_FIELDS}}  # fmt: skip
    key["steps"], key["batch_size"] = profile.recipe(arch, task)
    key["lr"] = profile.peak_lr(task)
    if arch == "taskonomy":
        key["resnet_width"] = profile.resnet_width
    t = get_task(task)
    if t.class_weights is not None:  # only a weighted loss: the other tasks keep their keys
        key["class_weights"] = list(t.class_weights)
    if t.revision:  # only where the loss or metric changed: the other tasks keep their keys
        key["revision"] = t.revision
    return key


def target_key(
    profile: Any, seed: int, sources: DataSources = SYNTHETIC, replicate: int = 0
) -> dict[str, Any]:
    """The key fields of the target-task small model (replicate 0 keeps the key it had before
    target models had replicates)."""
    return {"task": "target_segmentation", "arch": "small", "seed": seed, **sources.target_key(),
            "checkpoints": sorted(set(map(float, profile.checkpoints)) | {1.0}),
            **{f: getattr(profile, f) for f in TARGET_FIELDS},
            **({"replicate": int(replicate)} if replicate else {}),
            **({"class_weights": list(TARGET_TASK.class_weights)} if TARGET_TASK.class_weights else {})}  # fmt: skip


def _train_build(train_fn: Callable[..., Any], steps: int, show_progress: bool, **kw: Any):
    """A :func:`cached` builder around :func:`rsa_utils.nets.train.train_task_model` / ``train_target_model``."""

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


def _model_from_payload(payload: dict[str, Any], checkpoint: float, device: Any) -> TaskModel:
    snaps = payload["snapshots"]
    k = repr(float(checkpoint))
    if k not in snaps:
        raise ValueError(f"checkpoint {checkpoint} not stored; stored: {sorted(map(float, snaps))}")
    config = dict(payload["config"])
    if config["task"] == "target_segmentation":
        from rsa_utils.nets.models import SmallModel

        model: TaskModel = SmallModel(TARGET_TASK, image_size=config["image_size"])
    else:
        model = model_from_config(config)
    model.load_state_dict(snaps[k])
    return model.to(torch.device(device)).eval()


def _source_entry(task, arch, profile, seed, device, cache_dir, checkpoint, show_progress,
                  sources=SYNTHETIC, replicate=0):  # fmt: skip
    from rsa_utils.nets import train

    check_arch(arch)
    task = get_task(task).name
    cps = (
        (1.0,)
        if float(checkpoint) == 1.0
        else tuple(sorted(set(profile.checkpoints) | {1.0, float(checkpoint)}))
    )
    dev = torch.device(device)
    build = _train_build(train.train_task_model, profile.recipe(arch, task)[0], show_progress, task=task, arch=arch,
                         profile=profile, seed=seed, device=dev, cache_dir=cache_dir, checkpoints=cps,
                         sources=sources, replicate=replicate)  # fmt: skip
    key = model_key(task, arch, profile, seed, cps, sources, replicate)
    return cached("model", key, build, cache_dir=cache_dir)


def get_model(
    task: str,
    arch: str,
    profile: Any,
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
    profile: Any,
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


def _target_entry(profile, seed, device, cache_dir, show_progress, sources=SYNTHETIC, replicate=0):
    from rsa_utils.nets import train

    dev = torch.device(device)
    build = _train_build(train.train_target_model, profile.target_steps, show_progress, profile=profile,
                         seed=seed, device=dev, cache_dir=cache_dir, sources=sources,
                         replicate=replicate)  # fmt: skip
    key = target_key(profile, seed, sources, replicate)
    return cached("target_model", key, build, cache_dir=cache_dir)


def get_target_model(
    profile: Any,
    seed: int = 0,
    device: str | torch.device = "cpu",
    cache_dir: str | os.PathLike | None = None,
    checkpoint: float = 1.0,
    show_progress: bool = True,
    sources: DataSources = SYNTHETIC,
    replicate: int = 0,
) -> TaskModel:
    """Replicate ``replicate`` of the small model trained on the target task of ``sources``'
    target domain, at ``checkpoint`` (one of profile.checkpoints or 1)."""
    payload, _ = _target_entry(profile, seed, device, cache_dir, show_progress, sources, replicate)
    return _model_from_payload(payload, checkpoint, device)


def get_target_record(
    profile: Any,
    seed: int = 0,
    device: str | torch.device = "cpu",
    cache_dir: str | os.PathLike | None = None,
    show_progress: bool = True,
    sources: DataSources = SYNTHETIC,
    replicate: int = 0,
) -> dict[str, Any]:
    """The record of the target-task model (see :func:`get_record`)."""
    entry = _target_entry(profile, seed, device, cache_dir, show_progress, sources, replicate)
    return dict(entry[1]["record"])
