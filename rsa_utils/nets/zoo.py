"""The zoo of task networks: each source network and the target model, trained on first use and cached.

Every network is an entry of the cache (:mod:`rsa_utils.nets.cache`), keyed by everything that
determines it (task, architecture, the profile's training fields, seed, data). CLI:
``python -m rsa_utils.zoo train --profile cpu --tasks a,b --archs small,taskonomy --shard i/n
[--target]`` and ``python -m rsa_utils.zoo ls``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
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
from rsa_utils.nets.models import ARCHS, TaskModel, check_arch, model_from_config
from rsa_utils.study.profiles import Profile, get_profile, resolve_device, setup
from rsa_utils.world.tasks import TASK_NAMES, check_tasks, get_task

#: Progress snapshots per training run, each written only if PROGRESS_MIN_SECONDS have passed
#: since the previous one (or the start): a killed run loses at most the larger of
#: 1/PROGRESS_SNAPSHOTS of it and PROGRESS_MIN_SECONDS. Runs of seconds (the gpu profile's)
#: write none; a snapshot of a ResNet-50 and its Adam state is ~0.3 GB.
PROGRESS_SNAPSHOTS = 10
PROGRESS_MIN_SECONDS = 30.0


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


# --- the CLI ---------------------------------------------------------------------------------------


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
