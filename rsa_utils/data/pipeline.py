"""The rendering pipeline of the synthetic datasets: scenes sampled ahead in worker processes, render batches, CPU threads."""

from __future__ import annotations

import os
from contextlib import contextmanager

import numpy as np
import torch

from rsa_utils.world.packing import ScenePack, pack_scene
from rsa_utils.world.scene_priors import source_scene, target_scene
from rsa_utils.world.segmentation import worker_pool

#: Images per render call (memory grows with batch x pixels x objects). On CUDA, 512 renders
#: 23 % faster than 256 at 128 px (benchmarks/render.md).
RENDER_BATCH = {"cpu": 32, "cuda": 512}
#: Render batches sampled ahead of the one being rendered (in worker processes).
SAMPLE_AHEAD = 2


def sample_scenes(domain: str, seed: int, split: str, indices: list[int]) -> list[ScenePack]:
    """The packed scenes ``indices`` of one split of ``domain`` ("source" or "target")."""
    fn = source_scene if domain == "source" else target_scene
    return [pack_scene(fn(seed, split, i)) for i in indices]


def scene_batches(domain: str, seed: int, split: str, ranges, step: int):
    """``(first, packed scenes)`` of the render batches of ``ranges`` [(first, count), ...],
    sampled ahead in worker processes when :func:`~rsa_utils.world.segmentation.worker_pool` gives a pool."""
    batches = [
        list(range(s, min(s + step, first + count)))
        for first, count in ranges
        for s in range(first, first + count, step)
    ]
    pool = worker_pool()
    if pool is None:
        for b in batches:
            yield b[0], sample_scenes(domain, seed, split, b)
        return
    n = pool._max_workers

    def submit(b):
        return [
            pool.submit(sample_scenes, domain, seed, split, [int(i) for i in part])
            for part in np.array_split(b, min(n, len(b)))
        ]

    ahead = [submit(b) for b in batches[: SAMPLE_AHEAD + 1]]
    for k, b in enumerate(batches):
        if k + SAMPLE_AHEAD + 1 < len(batches):
            ahead.append(submit(batches[k + SAMPLE_AHEAD + 1]))
        yield b[0], [sc for f in ahead.pop(0) for sc in f.result()]


def render_batch_size(device: torch.device) -> int:
    """Images per render call on ``device`` (:data:`RENDER_BATCH`)."""
    return RENDER_BATCH["cuda" if device.type == "cuda" else "cpu"]


@contextmanager
def cpu_threads(device: torch.device):
    """One intra-op thread for CPU rendering when other processes already load every core.

    The ray caster runs many small tensor operations; with more threads than free cores each
    one waits for descheduled threads (measured: 4x slower at load 7 on 2 cores). Results do
    not depend on the thread count.
    """
    before = torch.get_num_threads()
    busy = (
        device.type == "cpu"
        and hasattr(os, "getloadavg")
        and os.getloadavg()[0] >= (os.cpu_count() or 1) + 1
    )
    if busy:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)
