"""Training the study's networks: each source task's model and the target-task model of S3, with their records.

:func:`train_task_model` trains the model of one source task on the source domain;
:func:`train_target_model` trains the small model for semantic segmentation on the target
domain (:data:`TARGET_TASK`). Each network's initial weights and batches come from its own
seed (:func:`~rsa_utils.nets.seeds.network_seed`); the loop is :func:`~rsa_utils.nets.loop.fit`,
the held-out numbers come from :mod:`rsa_utils.nets.evaluation`, and one summary line per model
is printed at the end (task, arch, steps, train/val loss, seconds). The data come from
:mod:`rsa_utils.datasets` through :func:`load_source_data` / :func:`load_target_data`
(module-level so tests can substitute fakes).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import torch

from rsa_utils.data.sources import SYNTHETIC, DataSources
from rsa_utils.nets.evaluation import evaluate, evaluate_baseline
from rsa_utils.nets.loop import (  # noqa: F401  (the loop's names, as train.fit etc.)
    DEVICE_DATA_MAX_BYTES,
    SCHEDULES,
    DeviceData,
    TrainConfig,
    TrainResult,
    checkpoint_steps,
    fit,
    lr_scheduler,
)
from rsa_utils.nets.models import TaskModel, build_model
from rsa_utils.nets.seeds import network_seed, seeded, step_generator  # noqa: F401
from rsa_utils.world.tasks import TARGET_TASK, Task, get_task


def load_source_data(
    split: str,
    n: int,
    *,
    image_size: int,
    seed: int,
    cache_dir: Any,
    device: Any,
    tasks: Sequence[str] | None = None,
    sources: DataSources = SYNTHETIC,
):
    """The source-domain dataset (see :func:`rsa_utils.datasets.source_data`); ``tasks`` limits
    the labels a batch decodes (the cache holds all of them either way)."""
    from rsa_utils.data.datasets import source_data

    return source_data(split, n, image_size=image_size, seed=seed, tasks=tasks, cache_dir=cache_dir,
                       device=device, **sources.source_kwargs())  # fmt: skip


def load_target_data(
    split: str,
    n: int,
    *,
    image_size: int,
    seed: int,
    cache_dir: Any,
    device: Any,
    sources: DataSources = SYNTHETIC,
):
    """The target-domain dataset (see :func:`rsa_utils.datasets.target_data`)."""
    from rsa_utils.data.datasets import target_data

    return target_data(split, n, image_size=image_size, seed=seed, cache_dir=cache_dir,
                       device=device, **sources.target_kwargs())  # fmt: skip


def task_baseline(
    task: Task | str,
    profile: Any,
    *,
    seed: int = 0,
    cache_dir: Any = None,
    sources: DataSources = SYNTHETIC,
    device: torch.device | str = "cpu",
) -> float:
    """:func:`evaluate_baseline` on the data a task network of ``profile`` is trained and tested
    on (read from the dataset cache). The quality gate reads this rather than the baseline stored
    with a trained network, so that a corrected baseline needs no retraining."""
    t = get_task(task) if isinstance(task, str) else task
    kw = {"image_size": profile.image_size, "seed": seed, "cache_dir": cache_dir, "device": device,
          "sources": sources, "tasks": [t.name]}  # fmt: skip
    train = load_source_data("train", profile.n_train, **kw)
    test = load_source_data("test", profile.n_test, **kw)
    return evaluate_baseline(t, train, test)


def init_model(
    task: Task | str, arch: str, profile: Any, seed: int, replicate: int = 0, role: str = "task"
) -> TaskModel:
    """A freshly initialised ``arch`` model of ``task``, its weights drawn from its own seed
    :func:`network_seed` (``seed``, ``role``, task, arch, ``replicate``); global RNG untouched."""
    name = task.name if isinstance(task, Task) else get_task(task).name
    return seeded(network_seed(seed, role, name, arch, replicate),
                  lambda: build_model(task, arch, profile))  # fmt: skip


def summary_line(task: str, arch: str, steps: int, record: dict[str, Any]) -> str:
    """The one-line summary printed per trained model."""
    return (
        f"[train] {task:<18s} {arch:<9s} steps={steps:<5d} train_loss={record['train_loss']:.4f} "
        f"val_loss={record['val_loss']:.4f} metric={record['metric']:.4f} "
        f"(baseline {record['baseline']:.4f}) {record['seconds']:.1f}s"
    )


def _run(
    task: Task,
    arch: str,
    profile: Any,
    train: Any,
    val: Any,
    test: Any,
    cfg: TrainConfig,
    device: torch.device | str,
    resume: dict[str, Any] | None,
    on_progress: Callable[[dict[str, Any]], None] | None,
    on_checkpoint: Callable[[float, dict[str, torch.Tensor]], None] | None,
    show_progress: bool,
    *,
    replicate: int = 0,
    role: str = "task",
) -> tuple[TrainResult, dict[str, Any]]:
    """Train one network: ``cfg.seed`` is the study seed; the network's own seed
    (:func:`network_seed`) sets its initial weights and its batches."""
    for d in (train, val, test):  # render / load now, so that `seconds` is training time only
        if hasattr(d, "prepare"):
            d.prepare()
    seed = cfg.seed
    cfg = dataclasses.replace(cfg, seed=network_seed(seed, role, task.name, arch, replicate))
    model = init_model(task, arch, profile, seed, replicate, role)
    res = fit(model, task, train, cfg, device, resume=resume, on_progress=on_progress,
              on_checkpoint=on_checkpoint, show_progress=show_progress)  # fmt: skip
    val_ev = evaluate(res.model, task, val, cfg.batch_size, device)
    test_ev = evaluate(res.model, task, test, cfg.batch_size, device)
    record = {
        "task": task.name, "arch": arch, "steps": cfg.steps, "seed": seed, "replicate": replicate,
        "network_seed": cfg.seed,
        "train_loss": res.train_loss, "val_loss": val_ev["loss"], "test_loss": test_ev["loss"],
        "metric": test_ev["metric"], "metric_name": task.metric,
        "baseline": evaluate_baseline(task, train, test),
        "higher_is_better": task.metric in ("accuracy", "miou"),
        "seconds": res.seconds, "resumed_from": res.resumed_from, "device": str(torch.device(device)),
        "n_params": sum(p.numel() for p in res.model.parameters()),
    }  # fmt: skip
    if show_progress:
        print(summary_line(task.name, arch, cfg.steps, record), flush=True)
    return res, record


def train_task_model(
    task: Task | str,
    arch: str,
    profile: Any,
    *,
    seed: int = 0,
    device: torch.device | str = "cpu",
    cache_dir: Any = None,
    checkpoints: Sequence[float] = (1.0,),
    resume: dict[str, Any] | None = None,
    on_progress: Callable[[dict[str, Any]], None] | None = None,
    on_checkpoint: Callable[[float, dict[str, torch.Tensor]], None] | None = None,
    save_every: int = 0,
    show_progress: bool = True,
    sources: DataSources = SYNTHETIC,
    replicate: int = 0,
) -> tuple[TrainResult, dict[str, Any]]:
    """Train replicate ``replicate`` of the ``arch`` model of source ``task`` (profile:
    image_size, n_train, n_val, n_test, recipe(arch, task), peak_lr(task), schedule, warmup, resnet_width) on
    ``sources``' source domain; returns the result and its record (metrics, seconds)."""
    t = get_task(task) if isinstance(task, str) else task
    kw = {"image_size": profile.image_size, "seed": seed, "cache_dir": cache_dir, "device": device,
          "sources": sources}  # fmt: skip
    kw["tasks"] = [t.name]
    train = load_source_data("train", profile.n_train, **kw)
    val = load_source_data("val", profile.n_val, **kw)
    test = load_source_data("test", profile.n_test, **kw)
    steps, batch = profile.recipe(arch, t.name)
    cfg = TrainConfig.of(profile, steps, seed, batch, profile.peak_lr(t.name), checkpoints=tuple(checkpoints),
                         save_every=save_every)  # fmt: skip
    return _run(t, arch, profile, train, val, test, cfg, device, resume, on_progress, on_checkpoint,
                show_progress, replicate=replicate)  # fmt: skip


def train_target_model(
    profile: Any,
    *,
    seed: int = 0,
    device: torch.device | str = "cpu",
    cache_dir: Any = None,
    checkpoints: Sequence[float] | None = None,
    resume: dict[str, Any] | None = None,
    on_progress: Callable[[dict[str, Any]], None] | None = None,
    on_checkpoint: Callable[[float, dict[str, torch.Tensor]], None] | None = None,
    save_every: int = 0,
    show_progress: bool = True,
    sources: DataSources = SYNTHETIC,
    replicate: int = 0,
) -> tuple[TrainResult, dict[str, Any]]:
    """Train replicate ``replicate`` of the small model for :data:`TARGET_TASK` on ``sources``'
    target domain (profile.target_train images, profile.target_steps steps, snapshots at
    profile.checkpoints); replicates differ only in their network seed (initial weights, batches)."""
    kw = {"image_size": profile.image_size, "seed": seed, "cache_dir": cache_dir, "device": device,
          "sources": sources}  # fmt: skip
    train = load_target_data("train", profile.target_train, **kw)
    val = load_target_data("val", profile.n_val, **kw)
    test = load_target_data("test", profile.n_test, **kw)
    fr = tuple(sorted(set(profile.checkpoints if checkpoints is None else checkpoints) | {1.0}))
    cfg = TrainConfig.of(profile, profile.target_steps, seed, checkpoints=fr, save_every=save_every)
    return _run(TARGET_TASK, "small", profile, train, val, test, cfg, device, resume, on_progress,
                on_checkpoint, show_progress, replicate=replicate, role="target")  # fmt: skip
