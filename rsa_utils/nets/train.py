"""Training: one readable loop for every task network, and the target-task model of S3.

:func:`fit` is the loop: Adam with a one-cycle learning-rate schedule (warm-up over
``warmup`` of the steps to the profile's ``lr``, cosine decay to ~0; ``schedule="constant"`` is
the earlier recipe, kept for the learning-curve benchmark); on CUDA bf16 autocast and
channels_last, on CPU float32 and channels_last (1.5-1.8x faster there, see
benchmarks/learning.md). It is deterministic for a fixed seed on CPU: every network of the study
draws its initial weights from its own seed (:func:`network_seed`: the study seed, the
network's role, task, architecture and replicate), and every step draws its batch indices, input
noise and metric-loss pixel pairs from its own ``torch.Generator`` seeded by (that seed, step) --
so no RNG state has to be saved to resume, and a resumed run ends with exactly the weights of an
uninterrupted one.

Progress (model + optimiser state, step, loss history) is handed to ``on_progress`` every
``save_every`` steps, and snapshots of the weights at ``checkpoints`` (fractions of training)
to ``on_checkpoint``; :mod:`rsa_utils.zoo` stores both. A tqdm bar runs while training, and
one summary line per model is printed at the end (task, arch, steps, train/val loss, seconds).

On CUDA, :func:`fit` first copies the whole training split to the GPU (:class:`DeviceData`),
so that no step waits for host-side gathering and decoding (benchmarks/train.md).

:func:`train_task_model` trains the model of one source task on the source domain;
:func:`train_target_model` trains the small model for semantic segmentation on the target
domain (:data:`TARGET_TASK`). The data come from :mod:`rsa_utils.datasets` through
:func:`load_source_data` / :func:`load_target_data` (module-level so tests can substitute fakes).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from tqdm.auto import tqdm

from rsa_utils.data.sources import SYNTHETIC, DataSources
from rsa_utils.nets.losses import (
    baseline_metric,
    baseline_prediction,
    confusion_matrix,
    fit_baseline,
    miou_from_confusion,
    task_loss,
    task_metric,
)
from rsa_utils.nets.models import TaskModel, build_model
from rsa_utils.study.profiles import SCHEDULES
from rsa_utils.world.tasks import TARGET_TASK, Task, get_task, task_input

#: Largest training set (bytes on the device) that :func:`fit` copies to the GPU up front.
DEVICE_DATA_MAX_BYTES = 8 * 2**30


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


def _len(data: Any) -> int:
    return len(data) if hasattr(data, "__len__") else int(data.n)


def _target(labels: Any, task: Task) -> torch.Tensor:
    """The label tensor of ``task`` from a batch's labels (a dict for source data, a tensor for target)."""
    return labels[task.name] if isinstance(labels, dict) else labels


def network_seed(seed: int, role: str, *parts: Any) -> int:
    """The seed of one network of the study: a 63-bit hash of the study ``seed``, the network's
    ``role`` ("task", "target", "readout", "finetune") and what identifies it within the role
    (task, architecture, replicate; source and target for a readout). Distinct networks get
    unrelated seeds; the same arguments always give the same one."""
    blob = json.dumps([int(seed), str(role), *map(str, parts)]).encode()
    return int.from_bytes(hashlib.sha256(blob).digest()[:8], "little") >> 1


def seeded(seed: int, build: Callable[[], Any]) -> Any:
    """``build()`` under ``torch.manual_seed(seed)`` in a forked RNG (the global RNG is untouched)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build()


def lr_scheduler(opt: torch.optim.Optimizer, steps: int, schedule: str, warmup: float):
    """The learning-rate schedule of a run of ``steps`` optimiser steps: ``onecycle`` is
    :class:`torch.optim.lr_scheduler.OneCycleLR` (a cosine ramp over the fraction ``warmup`` of
    the steps from lr/25 up to the optimiser's lr, then a cosine decay to lr/25e4, Adam's beta1 cycled
    0.95 → 0.85 → 0.95); ``constant`` keeps the optimiser's lr (the earlier recipe)."""
    if schedule == "constant":
        return torch.optim.lr_scheduler.LambdaLR(opt, lambda _: 1.0)
    if schedule != "onecycle":
        raise ValueError(f"schedule={schedule!r} is not allowed; allowed values: {SCHEDULES}")
    lr = opt.param_groups[0]["lr"]
    return torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=lr, total_steps=max(2, steps), pct_start=warmup, anneal_strategy="cos"
    )


def step_generator(seed: int, step: int) -> torch.Generator:
    """The CPU generator of one training step (batch indices, input noise, metric pairs)."""
    return torch.Generator().manual_seed((seed * 1_000_003 + step * 7919 + 12345) % (2**63 - 1))


class DeviceData:
    """All of a dataset copied once to an accelerator, so a training step never waits for the host.

    Wraps anything with ``len`` and ``batch(idx, device)``; :meth:`batch` indexes the device
    copy. Used by :func:`fit` on CUDA when the data fit in ``max_bytes`` (GPU profile: ~0.5-2 GB).
    """

    def __init__(self, data: Any, device: torch.device, chunk: int = 512) -> None:
        self.n, self.device = _len(data), device
        rgbs, labels = [], []
        for s in range(0, self.n, chunk):
            rgb, lab = data.batch(np.arange(s, min(self.n, s + chunk)), device)
            rgbs.append(rgb)
            labels.append(lab)
        self.rgb = torch.cat(rgbs)
        if isinstance(labels[0], dict):
            self.labels: Any = {k: torch.cat([lab[k] for lab in labels]) for k in labels[0]}
        else:
            self.labels = torch.cat(labels)

    def __len__(self) -> int:
        return self.n

    def batch(self, idx: Any, device: Any = None) -> tuple[torch.Tensor, Any]:
        ii = torch.as_tensor(np.asarray(idx), dtype=torch.long).to(self.device, non_blocking=True)
        if isinstance(self.labels, dict):
            return self.rgb[ii], {k: v[ii] for k, v in self.labels.items()}
        return self.rgb[ii], self.labels[ii]


def _device_bytes(data: Any, task: Task) -> int:
    """Rough size of ``data`` on the device (float32 images + the task's labels)."""
    rgb, lab = data.batch(np.arange(1), "cpu")
    t = _target(lab, task)
    return _len(data) * (rgb.numel() * 4 + t.numel() * t.element_size())


@dataclass
class TrainConfig:
    """What one training run needs besides the model and the data."""

    steps: int
    batch_size: int
    lr: float
    seed: int = 0
    checkpoints: tuple[float, ...] = (1.0,)
    save_every: int = 0  # steps between progress snapshots (0: never)
    schedule: str = "onecycle"  # see lr_scheduler
    warmup: float = 0.15  # fraction of the steps spent warming up (onecycle)

    @classmethod
    def of(cls, profile: Any, steps: int, seed: int, **kw: Any) -> TrainConfig:
        """The config of a run of ``steps`` steps with ``profile``'s batch size, lr and schedule."""
        return cls(steps, profile.batch_size, profile.lr, seed, schedule=profile.schedule,
                   warmup=profile.warmup, **kw)  # fmt: skip


@dataclass
class TrainResult:
    """The outcome of :func:`fit`. Losses are task losses (see :mod:`rsa_utils.losses`)."""

    model: TaskModel
    history: list[float]  # training loss per step
    train_loss: float  # mean training loss over the last 10% of steps
    seconds: float  # wall time of the loop (this process and earlier, killed ones)
    resumed_from: int = 0  # step the run resumed from (0: fresh)
    extra: dict[str, Any] = field(default_factory=dict)


def checkpoint_steps(steps: int, fractions: Sequence[float]) -> dict[int, float]:
    """Step at which each checkpoint fraction is taken: {step: fraction} (step >= 1)."""
    return {max(1, round(f * steps)): float(f) for f in fractions}


def fit(
    model: TaskModel,
    task: Task,
    data: Any,
    cfg: TrainConfig,
    device: torch.device | str = "cpu",
    *,
    resume: dict[str, Any] | None = None,
    on_progress: Callable[[dict[str, Any]], None] | None = None,
    on_checkpoint: Callable[[float, dict[str, torch.Tensor]], None] | None = None,
    desc: str | None = None,
    show_progress: bool = True,
) -> TrainResult:
    """Train ``model`` on ``task`` with Adam for ``cfg.steps`` steps of ``cfg.batch_size`` images,
    the learning rate following ``cfg.schedule`` (:func:`lr_scheduler`).

    ``data.batch(idx, device)`` -> (rgb (B, 3, H, W) in [0, 1], labels); ``resume`` is a state
    given earlier to ``on_progress`` ({"step", "model", "optimizer", "scheduler", "history",
    "seconds"}).
    Snapshots are CPU state dicts.
    """
    device = torch.device(device)
    cuda = device.type == "cuda"
    model.to(device).to(memory_format=torch.channels_last)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    sched = lr_scheduler(opt, cfg.steps, cfg.schedule, cfg.warmup)
    if (
        cuda
        and not isinstance(data, DeviceData)
        and _device_bytes(data, task) < DEVICE_DATA_MAX_BYTES
    ):
        data = DeviceData(data, device)  # one copy to the GPU, then no host work per batch
    n = _len(data)
    bs = min(cfg.batch_size, n)
    start, history, seconds0 = 0, [], 0.0
    if resume is not None:
        model.load_state_dict(resume["model"])
        opt.load_state_dict(resume["optimizer"])
        sched.load_state_dict(resume["scheduler"])
        start, history, seconds0 = (
            int(resume["step"]),
            list(resume["history"]),
            float(resume["seconds"]),
        )
    ckpt_at = checkpoint_steps(cfg.steps, cfg.checkpoints)
    t0 = time.perf_counter()
    losses: list[torch.Tensor] = []
    bar = tqdm(range(start, cfg.steps), desc=desc or f"{task.name}/{model.arch}", disable=not show_progress,
               leave=False, initial=start, total=cfg.steps)  # fmt: skip
    for step in bar:
        g = step_generator(cfg.seed, step)
        idx = np.sort(torch.randperm(n, generator=g)[:bs].numpy())
        rgb, labels = data.batch(idx, device)
        target = _target(labels, task).to(device, non_blocking=True)
        x = task_input(task, rgb.to(device), generator=g).contiguous(
            memory_format=torch.channels_last
        )
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=cuda):
            pred = model(x)
        loss = task_loss(task, pred, target, generator=g)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        losses.append(loss.detach())
        done = step + 1
        if done % 10 == 0 or done == cfg.steps:
            history += torch.stack(losses).float().cpu().tolist()
            losses = []
            bar.set_postfix(loss=f"{history[-1]:.4f}", refresh=False)
        if done in ckpt_at and on_checkpoint is not None:
            on_checkpoint(ckpt_at[done], _cpu_state(model))
        if (
            on_progress is not None
            and cfg.save_every
            and done % cfg.save_every == 0
            and done < cfg.steps
        ):
            history += torch.stack(losses).float().cpu().tolist() if losses else []
            losses = []
            on_progress({"step": done, "model": _cpu_state(model), "optimizer": opt.state_dict(),
                         "scheduler": sched.state_dict(), "history": list(history), "seconds": seconds0 + time.perf_counter() - t0})  # fmt: skip
    bar.close()
    if losses:
        history += torch.stack(losses).float().cpu().tolist()
    if cuda:
        torch.cuda.synchronize(device)
    tail = history[-max(1, len(history) // 10) :] if history else [float("nan")]
    model.eval()
    return TrainResult(
        model, history, float(np.mean(tail)), seconds0 + time.perf_counter() - t0, start
    )


def _cpu_state(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().to("cpu", copy=True).contiguous() for k, v in model.state_dict().items()}


@torch.no_grad()
def evaluate(
    model: torch.nn.Module,
    task: Task,
    data: Any,
    batch_size: int,
    device: torch.device | str = "cpu",
) -> dict[str, float]:
    """Mean loss and held-out metric of ``model`` on all of ``data`` (eval mode, fixed randomness).

    The metric is the mean per-image :func:`~rsa_utils.losses.task_metric`, except ``miou``,
    which is the dataset mIoU from one confusion matrix.
    """
    device = torch.device(device)
    was_training = model.training
    model.eval()
    n = _len(data)
    total, metric_sum = 0.0, 0.0
    conf = torch.zeros(task.out_channels, task.out_channels, dtype=torch.long)
    for s in range(0, n, batch_size):
        idx = np.arange(s, min(n, s + batch_size))
        g = step_generator(0, -1 - s)
        rgb, labels = data.batch(idx, device)
        target = _target(labels, task).to(device)
        x = task_input(task, rgb.to(device), generator=g)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
            pred = model(x)
        total += float(task_loss(task, pred, target, reduction="none", generator=g).sum())
        if task.metric == "miou":
            conf += confusion_matrix(pred.argmax(1).cpu(), target.cpu(), task.out_channels)
        else:
            metric_sum += float(task_metric(task, pred, target, generator=g).sum())
    model.train(was_training)
    metric = miou_from_confusion(conf) if task.metric == "miou" else metric_sum / n
    return {"loss": total / n, "metric": metric}


def evaluate_baseline(
    task: Task, train: Any, test: Any, n_fit: int = 256, batch_size: int = 64
) -> float:
    """Held-out metric of the trivial baseline (:func:`~rsa_utils.losses.fit_baseline`) fitted on
    the first ``n_fit`` training images (mean prediction / majority class / same-segment rate)."""
    idx = np.arange(min(n_fit, _len(train)))
    fitted = fit_baseline(task, _target(train.batch(idx, "cpu")[1], task))
    n = _len(test)
    conf = torch.zeros(task.out_channels, task.out_channels, dtype=torch.long)
    metric_sum = 0.0
    for s in range(0, n, batch_size):
        ids = np.arange(s, min(n, s + batch_size))
        target = _target(test.batch(ids, "cpu")[1], task)
        if task.metric == "miou":
            pred = baseline_prediction(fitted, len(ids))
            conf += confusion_matrix(pred.argmax(1), target, task.out_channels)
        else:
            g = step_generator(0, -1 - s)
            metric_sum += float(baseline_metric(task, fitted, target, generator=g).sum())
    return miou_from_confusion(conf) if task.metric == "miou" else metric_sum / n


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
    image_size, n_train, n_val, n_test, steps, batch_size, lr, schedule, warmup, resnet_width) on
    ``sources``' source domain; returns the result and its record (metrics, seconds)."""
    t = get_task(task) if isinstance(task, str) else task
    kw = {"image_size": profile.image_size, "seed": seed, "cache_dir": cache_dir, "device": device,
          "sources": sources}  # fmt: skip
    kw["tasks"] = [t.name]
    train = load_source_data("train", profile.n_train, **kw)
    val = load_source_data("val", profile.n_val, **kw)
    test = load_source_data("test", profile.n_test, **kw)
    cfg = TrainConfig.of(profile, profile.steps, seed, checkpoints=tuple(checkpoints),
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
) -> tuple[TrainResult, dict[str, Any]]:
    """Train the small model for :data:`TARGET_TASK` on ``sources``' target domain
    (profile.target_train images, profile.target_steps steps, snapshots at profile.checkpoints)."""
    kw = {"image_size": profile.image_size, "seed": seed, "cache_dir": cache_dir, "device": device,
          "sources": sources}  # fmt: skip
    train = load_target_data("train", profile.target_train, **kw)
    val = load_target_data("val", profile.n_val, **kw)
    test = load_target_data("test", profile.n_test, **kw)
    fr = tuple(sorted(set(profile.checkpoints if checkpoints is None else checkpoints) | {1.0}))
    cfg = TrainConfig.of(profile, profile.target_steps, seed, checkpoints=fr, save_every=save_every)
    return _run(TARGET_TASK, "small", profile, train, val, test, cfg, device, resume, on_progress,
                on_checkpoint, show_progress, role="target")  # fmt: skip
