"""Profiles: one parameter that sets the scale of everything, and the notebooks' common setup.

=========  =============================================  =====================================
profile    what for                                       budget (whole book, six notebooks)
=========  =============================================  =====================================
smoke      tests and CI: every code path, tiny sizes      <= 5 min on a 2-core CPU
cpu        default without a GPU: networks that learn     <= 60 min on a 2-core CPU
gpu        default with a GPU: the published book         <= 9 min on one H200, one command
paper      the paper's scale (256 px, 2000 RDM images)    hours on one GPU; shardable by task
=========  =============================================  =====================================

``auto`` picks ``gpu`` when CUDA is available, else ``cpu``. Every field of a profile can be
overridden (``get_profile("cpu", steps=50)``), which is how notebook parameters reach it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from rsa_utils.data import datasets
from rsa_utils.data.sources import (  # noqa: F401  (re-exported: profiles.DataSources etc.)
    DATA_KINDS,
    SYNTHETIC,
    TARGET_DATA_KINDS,
    DataSources,
    check_choice,
    default_cache_dir,
)
from rsa_utils.nets.loop import PRECISIONS, SCHEDULES  # the training loop's choices
from rsa_utils.nets.models import ARCHS
from rsa_utils.paths import REPO_ROOT  # noqa: F401
from rsa_utils.world.tasks import S34_TASKS, TASK_NAMES, get_task

#: The order in which tasks get replicates when a profile cannot afford them for all: the 17
#: sources of S3 (and with them S1's 14 tasks but three), then the three tasks with a modified input.
REPLICATE_ORDER: tuple[str, ...] = (*S34_TASKS, *(t for t in TASK_NAMES if t not in S34_TASKS))

#: The notebooks' common parameters and their defaults, in the order of every parameters cell:
#: the first four in every notebook, all eight in those that train or read networks
#: (``tests/test_notebook_layout.py`` keeps the cells identical to this).
COMMON_PARAMETERS: dict[str, Any] = {
    "profile": "auto", "device": "auto", "seed": 0, "cache_dir": None,
    "data": "synthetic", "data_root": None, "target_data": "synthetic", "target_root": None,
}  # fmt: skip
PROFILE_NAMES: tuple[str, ...] = ("smoke", "cpu", "gpu", "paper")


@dataclass(frozen=True)
class Profile:
    """The scale of one run of the study. Sizes in pixels, counts in images, steps in optimiser steps."""

    name: str
    image_size: int  # square input images, px (paper: 256)
    resnet_width: int  # base width of the Taskonomy-architecture ResNet-50 (torchvision: 64)
    n_train: int  # source-domain training images per task model
    n_val: int  # source-domain validation images
    n_test: int  # held-out source images (metrics, transfer test losses)
    n_rsa: int  # the fixed image set for RDMs (paper: 2000)
    steps: int  # optimiser steps per task model
    batch_size: int
    lr: float
    transfer_train: int  # images to train each S2 transfer readout
    transfer_steps: int
    transfer_batch: int  # images per step of the S2 readouts (all 20 targets train in each step)
    target_train: int  # target-domain images for the target small model / fine-tuning
    target_steps: int  # steps of the target small model (S3)
    finetune_steps: int  # steps of each S3.4 fine-tuning run
    finetune_lr: float  # peak learning rate of fine-tuning (lower than training from scratch)
    n_boot: int  # bootstrap draws over images for intervals
    replicates: int = 2  # networks per task and architecture (independent seeds; noise ceiling)
    target_models: int = 2  # target-domain small models (own seeds); S3's intervals draw one
    taskonomy_steps: int | None = None  # the ResNet's own steps (None: steps); see recipe()
    taskonomy_batch: int | None = None  # its batch size (None: batch_size)
    replicate_tasks: int = (
        20  # tasks that get all replicates (S3.4's sources first); others get one
    )
    schedule: str = (
        "onecycle"  # learning-rate schedule of every network (rsa_utils.nets.loop.lr_scheduler)
    )
    warmup: float = 0.15  # fraction of a run's steps spent warming up (onecycle)
    precision: str = (
        "fp32"  # forward passes in training: fp32, or bf16 autocast (rsa_utils.nets.loop.autocast)
    )
    readout_decoder: str = "small"  # the decoder S2's readouts end in: an architecture of ARCHS
    workers: int = 1  # networks trained side by side in separate processes (one thread each on CPU)
    checkpoints: tuple[float, ...] = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
    image_counts: tuple[int, ...] = (100, 200, 300, 400, 500, 1000, 1500, 2000)
    extra: dict[str, Any] = field(default_factory=dict)

    def replace(self, **overrides: Any) -> Profile:
        """A copy with some fields changed; unknown field names raise ``ValueError``."""
        names = {f.name for f in dataclasses.fields(self)}
        bad = sorted(set(overrides) - names)
        if bad:
            raise ValueError(
                f"unknown profile field(s) {bad}; allowed: {sorted(names - {'name', 'extra'})}"
            )
        out = dataclasses.replace(self, **overrides)
        out.check()
        return out

    def check(self) -> None:
        """``ValueError`` naming a field whose value is not allowed."""
        check_choice("schedule", self.schedule, SCHEDULES)
        check_choice("precision", self.precision, PRECISIONS)
        check_choice("readout_decoder", self.readout_decoder, ARCHS)
        for f in ("replicates", "target_models", "workers", "steps", "batch_size", "n_boot"):
            if not isinstance(getattr(self, f), int) or getattr(self, f) < 1:
                raise ValueError(
                    f"parameter {f}={getattr(self, f)!r} is not allowed; use an integer >= 1"
                )
        for f in ("taskonomy_steps", "taskonomy_batch"):
            v = getattr(self, f)
            if v is not None and (not isinstance(v, int) or v < 1):
                raise ValueError(f"parameter {f}={v!r} is not allowed; use an integer >= 1 or None")
        if not 0 <= self.replicate_tasks <= len(TASK_NAMES):
            raise ValueError(f"parameter replicate_tasks={self.replicate_tasks!r}: use 0..20")
        if not 0 < self.warmup < 1:
            raise ValueError(f"parameter warmup={self.warmup!r}: use a fraction in (0, 1)")

    def recipe(self, arch: str, task: str | None = None) -> tuple[int, int]:
        """(optimiser steps, images per step) of a task network of ``arch`` (of ``task``: times
        its ``steps_factor``, see :class:`~rsa_utils.tasks.Task`). The Taskonomy
        architecture may have its own (``taskonomy_steps``, ``taskonomy_batch``, e.g.
        ``get_profile("cpu", taskonomy_steps=1000, taskonomy_batch=16)``). No profile sets them:
        on the cpu profile 1000 steps of 16 images cost the ResNet's fully connected heads and
        its signal more than they gave its dense tasks (benchmarks/learning.md)."""
        factor = 1 if task is None else get_task(task).steps_factor_of(arch)
        if arch == "taskonomy":
            steps, batch = (
                self.taskonomy_steps or self.steps,
                self.taskonomy_batch or self.batch_size,
            )
        else:
            steps, batch = self.steps, self.batch_size
        return steps * factor, batch

    def peak_lr(self, task: str | None = None) -> float:
        """The peak learning rate of a task network (of ``task``: times its ``lr_factor``)."""
        return self.lr * (1.0 if task is None else get_task(task).lr_factor)

    def replicates_of(self, task: str) -> int:
        """Networks per architecture for ``task``: ``replicates`` for the first
        ``replicate_tasks`` tasks of :data:`REPLICATE_ORDER`, 1 for the rest."""
        return self.replicates if REPLICATE_ORDER.index(task) < self.replicate_tasks else 1

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


PROFILES: dict[str, Profile] = {
    "smoke": Profile(
        name="smoke", image_size=32, resnet_width=8, n_train=48, n_val=16, n_test=16, n_rsa=24,
        steps=4, batch_size=8, lr=1e-2, transfer_train=16, transfer_steps=3, transfer_batch=8, target_train=32,
        target_steps=10, finetune_steps=3, finetune_lr=3e-3, n_boot=20, replicates=2, replicate_tasks=20, target_models=3,
        workers=2, checkpoints=(0.5, 1.0), image_counts=(8, 16, 24),
    ),
    "cpu": Profile(
        name="cpu", image_size=64, resnet_width=16, n_train=3072, n_val=128, n_test=128, n_rsa=400,
        steps=600, batch_size=32, lr=1e-2, transfer_train=512, transfer_steps=160, transfer_batch=16,
        target_train=512, target_steps=700, finetune_steps=300, finetune_lr=3e-3, n_boot=100,
        replicates=2, replicate_tasks=20, target_models=8, workers=2,
        image_counts=(50, 80, 100, 150, 200, 250, 300, 350),
    ),  # 8 target models: S3's intervals sample the spread between target networks (book.md 19)
    "gpu": Profile(
        name="gpu", image_size=128, resnet_width=64, n_train=8192, n_val=256, n_test=512, n_rsa=1000,
        steps=400, batch_size=128, lr=1e-2, transfer_train=1024, transfer_steps=300, transfer_batch=128,
        target_train=2048, target_steps=1000, finetune_steps=300, finetune_lr=3e-3, n_boot=100,
        replicates=2, replicate_tasks=20, target_models=4, precision="bf16", workers=4,
        image_counts=(100, 200, 300, 400, 500, 600, 800, 1000),
    ),
    "paper": Profile(
        name="paper", image_size=256, resnet_width=64, n_train=40000, n_val=1000, n_test=2000,
        n_rsa=2000, steps=20000, batch_size=64, lr=1e-2, transfer_train=4000, transfer_steps=3000, transfer_batch=64,
        target_train=1464, target_steps=20000, finetune_steps=3000, finetune_lr=3e-3, n_boot=100,
        replicates=2, replicate_tasks=20, precision="bf16", workers=1,
        image_counts=(100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1200, 1400, 1600, 1800, 2000),
    ),
}  # fmt: skip


def resolve_device(device: str = "auto") -> torch.device:
    """``auto`` | ``cpu`` | ``cuda`` | ``cuda:N`` → a torch device (clear error if unavailable)."""
    if not isinstance(device, str) or not (
        device in ("auto", "cpu", "cuda") or (device.startswith("cuda:") and device[5:].isdigit())
    ):
        raise ValueError(
            f"parameter device={device!r} is not allowed; allowed values: 'auto', 'cpu', 'cuda', 'cuda:N'"
        )
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.startswith("cuda"):
        if not torch.cuda.is_available():
            raise ValueError(
                f"parameter device={device!r}: CUDA is not available on this machine; use 'cpu' or 'auto'"
            )
        idx = int(device[5:]) if ":" in device else 0
        if idx >= torch.cuda.device_count():
            raise ValueError(
                f"parameter device={device!r}: only {torch.cuda.device_count()} CUDA device(s) present"
            )
    return torch.device(device)


def get_profile(
    name: str = "auto", device: str | torch.device = "auto", **overrides: Any
) -> Profile:
    """The named profile (``auto``: gpu with CUDA, else cpu) with ``overrides`` applied.

    Overrides whose value is ``None`` are ignored, so notebook parameters can default to None.
    """
    if name == "auto":
        dev = device if isinstance(device, torch.device) else resolve_device(device)
        name = "gpu" if dev.type == "cuda" else "cpu"
    check_choice("profile", name, ("auto", *PROFILE_NAMES))
    overrides = {k: v for k, v in overrides.items() if v is not None}
    for k in ("checkpoints", "image_counts"):
        if k in overrides:
            overrides[k] = tuple(overrides[k])
    return PROFILES[name].replace(**overrides)


@dataclass(frozen=True)
class Study:
    """What every notebook sets up from its parameters (see :func:`setup`)."""

    profile: Profile
    device: torch.device
    seed: int
    cache_dir: Path
    sources: DataSources  # where the images of both domains come from

    def source_set(self, split: str, n: int, tasks=None):
        """``n`` images of a source-domain split at the profile's size, from the study's data."""
        return datasets.source_data(split, n, image_size=self.profile.image_size, seed=self.seed, tasks=tasks,
                           cache_dir=self.cache_dir, device=self.device, **self.sources.source_kwargs())  # fmt: skip

    def target_set(self, split: str, n: int):
        """``n`` images of a target-domain split at the profile's size, from the study's data."""
        return datasets.target_data(split, n, image_size=self.profile.image_size, seed=self.seed,
                           cache_dir=self.cache_dir, device=self.device, **self.sources.target_kwargs())  # fmt: skip


def setup(
    profile: str = "auto",
    device: str = "auto",
    seed: int = 0,
    cache_dir: str | None = None,
    data: str = "synthetic",
    data_root: str | None = None,
    target_data: str = "synthetic",
    target_root: str | None = None,
    **overrides: Any,
) -> Study:
    """Validate the common notebook parameters (DESIGN.md) and return a :class:`Study`.

    Every bad value fails here, before any work, naming the parameter and the allowed values.
    """
    dev = resolve_device(device)
    prof = get_profile(profile, dev, **overrides)
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"parameter seed={seed!r} is not allowed; use a non-negative integer")
    check_choice("data", data, DATA_KINDS)
    check_choice("target_data", target_data, TARGET_DATA_KINDS)
    roots = {}
    for pname, kind, root, needs in (
        ("data_root", data, data_root, "taskonomy"),
        ("target_root", target_data, target_root, "voc"),
    ):
        if kind == needs:
            if root is None:
                raise ValueError(
                    f"parameter {pname} is required when {pname.split('_')[0]}={needs!r}"
                )
            if not Path(root).is_dir():
                raise ValueError(f"parameter {pname}={root!r}: no such directory")
        roots[pname] = Path(root) if root is not None else None
    cdir = Path(cache_dir) if cache_dir else default_cache_dir()
    cdir.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    sources = DataSources(data, roots["data_root"], target_data, roots["target_root"])
    return Study(prof, dev, seed, cdir, sources)
