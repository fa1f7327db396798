"""The training loop: Adam with a one-cycle learning-rate schedule, one seeded generator per step, resumable.

:func:`fit` runs Adam with a one-cycle learning-rate schedule (warm-up over ``warmup`` of the
steps to the profile's ``lr``, cosine decay to ~0; ``schedule="constant"`` is the earlier
recipe, kept for the learning-curve benchmark); channels_last (1.5-1.8x faster on the CPU, see
benchmarks/learning.md), with bf16 autocast where the profile says ``precision="bf16"`` (the GPU
profiles, :func:`autocast`). It is
deterministic for a fixed seed on CPU: every step draws its batch indices, input noise and
metric-loss pixel pairs from its own generator (:func:`rsa_utils.nets.seeds.step_generator`),
so no RNG state has to be saved to resume, and a resumed run ends with exactly the weights of
an uninterrupted one.

Progress (model + optimiser state, step, loss history) is handed to ``on_progress`` every
``save_every`` steps, and snapshots of the weights at ``checkpoints`` (fractions of training)
to ``on_checkpoint``; :mod:`rsa_utils.zoo` stores both. A tqdm bar runs while training.

On CUDA, :func:`fit` first copies the whole training split to the GPU (:class:`DeviceData`),
so that no step waits for host-side gathering and decoding (benchmarks/train.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from tqdm.auto import tqdm

from rsa_utils.nets.losses import training_loss
from rsa_utils.nets.seeds import step_generator
from rsa_utils.world.tasks import Task, task_input

if TYPE_CHECKING:  # the loop trains any module; study.profiles reads SCHEDULES without torchvision
    from rsa_utils.nets.models import TaskModel

#: Largest training set (bytes on the device) that :func:`fit` copies to the GPU up front.
DEVICE_DATA_MAX_BYTES = 8 * 2**30
#: Learning-rate schedules of the training loop (see :func:`lr_scheduler`).
SCHEDULES: tuple[str, ...] = ("onecycle", "constant")
#: Arithmetic of the forward passes in training: ``bf16`` autocast (weights, gradients and the
#: optimiser stay float32) or plain ``fp32`` (see :func:`autocast`).
PRECISIONS: tuple[str, ...] = ("bf16", "fp32")


def autocast(device: torch.device | str, precision: str):
    """The autocast context of a training forward pass on ``device``: bfloat16 for ``bf16`` (the
    GPU profiles), a no-op for ``fp32`` (the CPU profiles: on this project's 2-core CPU bf16 was
    1.1-1.4x faster but its networks agreed less between replicates, benchmarks/precision.md)."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision={precision!r} is not allowed; allowed values: {PRECISIONS}")
    return torch.autocast(
        torch.device(device).type, dtype=torch.bfloat16, enabled=precision == "bf16"
    )


def data_size(data: Any) -> int:
    """Number of samples of a dataset (``len``, or its ``n``)."""
    return len(data) if hasattr(data, "__len__") else int(data.n)


def task_target(labels: Any, task: Task) -> torch.Tensor:
    """The label tensor of ``task`` from a batch's labels (a dict for source data, a tensor for target)."""
    return labels[task.name] if isinstance(labels, dict) else labels


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


class DeviceData:
    """All of a dataset copied once to an accelerator, so a training step never waits for the host.

    Wraps anything with ``len`` and ``batch(idx, device)``; :meth:`batch` indexes the device
    copy. Used by :func:`fit` on CUDA when the data fit in ``max_bytes`` (GPU profile: ~0.5-2 GB).
    """

    def __init__(self, data: Any, device: torch.device, chunk: int = 512) -> None:
        self.n, self.device = data_size(data), device
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
    t = task_target(lab, task)
    return data_size(data) * (rgb.numel() * 4 + t.numel() * t.element_size())


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
    precision: str = "fp32"  # see autocast

    @classmethod
    def of(cls, profile: Any, steps: int, seed: int, batch_size: int | None = None,
           lr: float | None = None, **kw: Any) -> TrainConfig:  # fmt: skip
        """The config of a run of ``steps`` steps with ``profile``'s schedule, its peak lr (or
        ``lr``) and its batch size (or ``batch_size``)."""
        return cls(steps, batch_size or profile.batch_size, profile.lr if lr is None else lr, seed, schedule=profile.schedule,
                   warmup=profile.warmup, precision=profile.precision, **kw)  # fmt: skip


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
    n = data_size(data)
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
        target = task_target(labels, task).to(device, non_blocking=True)
        x = task_input(task, rgb.to(device), generator=g).contiguous(
            memory_format=torch.channels_last
        )
        with autocast(device, cfg.precision):
            loss = training_loss(task, model.decoder, model.encode(x), target, generator=g)
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
            on_checkpoint(ckpt_at[done], cpu_state(model))
        if (
            on_progress is not None
            and cfg.save_every
            and done % cfg.save_every == 0
            and done < cfg.steps
        ):
            history += torch.stack(losses).float().cpu().tolist() if losses else []
            losses = []
            on_progress({"step": done, "model": cpu_state(model), "optimizer": opt.state_dict(),
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


def cpu_state(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """A copy of ``model``'s state dict on the CPU (what the snapshots hold)."""
    return {k: v.detach().to("cpu", copy=True).contiguous() for k, v in model.state_dict().items()}
