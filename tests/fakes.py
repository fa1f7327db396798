"""Test fakes: random images and labels in the registry formats, in place of rendered data."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from rsa_utils.tasks import TARGET_TASK, TASKS, Task, get_task


def random_labels(task: Task, b: int, size: int, g: torch.Generator) -> torch.Tensor:
    """Random labels of ``task`` in its registry format for a batch of ``b`` images of ``size`` px."""
    n, shape = task.out_channels, (b, size, size)
    if task.target == "rgb":
        return torch.rand(b, 3, size, size, generator=g)
    if task.target == "ab":
        return torch.rand(b, 2, size, size, generator=g) - 0.5
    if task.target == "map":
        return torch.rand(b, n, size, size, generator=g)
    if task.target == "segments":
        blocks = torch.randint(0, 6, (b, size // 8, size // 8), generator=g)
        return blocks.repeat_interleave(8, 1).repeat_interleave(8, 2)
    if task.target == "vector":
        return torch.randn(b, n, generator=g)
    if task.target == "soft_class":
        return torch.softmax(3 * torch.randn(b, n, generator=g), 1)
    if task.target == "class":
        return torch.randint(0, n, (b,), generator=g)
    if task.target == "dense_class":
        lab = torch.randint(0, n, shape, generator=g)
        return torch.where(torch.rand(shape, generator=g) < 0.05, 255, lab)
    raise AssertionError(task.target)


class RandomData:
    """A stand-in dataset of random images and labels in the registry formats (tests, benchmarks).

    Same interface as :func:`rsa_utils.data.datasets.source_data` (``len``, ``batch(idx, device)``);
    ``target=True`` gives target-domain style labels (a (B, H, W) tensor for :data:`TARGET_TASK`).
    Sample i is a pure function of (seed, i); everything is generated at construction.
    """

    def __init__(self, n: int, image_size: int, tasks: Sequence[str] | None = None, seed: int = 0,
                 target: bool = False, delay: float = 0.0) -> None:  # fmt: skip
        g = torch.Generator().manual_seed(seed)
        self.n, self.delay, self.target = n, delay, target
        self.rgb = torch.rand(n, 3, image_size, image_size, generator=g)
        todo = [TARGET_TASK] if target else [get_task(t) for t in (tasks or TASKS)]
        self.labels = {t.name: random_labels(t, n, image_size, g) for t in todo}
        for t in todo:  # make the dense targets learnable from the image (a smooth function of it)
            if t.target in ("rgb", "map"):
                c = self.labels[t.name].shape[1]
                self.labels[t.name] = self.rgb.mean(1, keepdim=True).expand(-1, c, -1, -1).clone()

    def __len__(self) -> int:
        return self.n

    def batch(self, idx: Any, device: Any = "cpu") -> tuple[torch.Tensor, Any]:
        if self.delay:
            time.sleep(self.delay)
        idx = torch.as_tensor(np.asarray(idx), dtype=torch.long)
        labels = {k: v[idx].to(device) for k, v in self.labels.items()}
        return self.rgb[idx].to(device), (labels[TARGET_TASK.name] if self.target else labels)


def gallery_labels(b: int = 2, h: int = 16) -> dict[str, torch.Tensor]:
    """Random labels of every task for ``b`` images of ``h`` px, in the shapes the galleries
    draw (maps with at most 3 channels, segment and class maps with 5 ids)."""
    g = torch.Generator().manual_seed(0)
    out = {}
    for name, t in TASKS.items():
        if t.target == "rgb":
            out[name] = torch.rand(b, 3, h, h, generator=g)
        elif t.target == "ab":
            out[name] = torch.rand(b, 2, h, h, generator=g) - 0.5
        elif t.target == "map":
            out[name] = torch.rand(b, min(t.out_channels, 3), h, h, generator=g)
        elif t.target in ("segments", "dense_class"):
            out[name] = torch.randint(0, 5, (b, h, h), generator=g)
        elif t.target == "class":
            out[name] = torch.randint(0, t.out_channels, (b,), generator=g)
        else:
            out[name] = torch.rand(b, t.out_channels, generator=g)
    return out
