"""The synthetic datasets: source images with the labels of the 20 tasks, target images with segmentations, chunk-cached.

Cache layout (``cache_dir``, default :func:`rsa_utils.data.sources.default_cache_dir`; chunks:
:mod:`rsa_utils.data.chunks`)::

    data/source-<GENERATOR_VERSION>-seed<seed>-<size>px-<split>/chunk00000/{rgb.npy, <task>.npy, meta.json}
    data/target-<GENERATOR_VERSION>-seed<seed>-<size>px-<split>/chunk00000/{rgb.npy, seg.npy, meta.json}

All 20 labels are stored whatever ``tasks`` asks for, so the cache does not depend on it.
Storage: RGB uint8, maps and ab float16, segment ids uint16 (int32 when a segmentation has
65535 segments or more), classes uint8, vectors float32.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path

import numpy as np
import torch

from rsa_utils.data.chunks import ChunkCache
from rsa_utils.data.pipeline import cpu_threads, render_batch_size, scene_batches
from rsa_utils.data.sources import default_cache_dir
from rsa_utils.data.splits import Index, check_n, check_size, check_split, resolve_index
from rsa_utils.world.labels import SEGMENT_TASKS, make_labels, segment_jobs
from rsa_utils.world.render import render
from rsa_utils.world.scene_parts import GENERATOR_VERSION
from rsa_utils.world.tasks import IGNORE_INDEX, N_TARGET_CLASSES, TASK_NAMES, TASKS, check_tasks

#: Render batches whose segmentations may still be running in the worker pool.
SEGMENTS_IN_FLIGHT = 4


# --- storage formats ---------------------------------------------------------------------------------
def _stored_tasks() -> list[str]:
    """Tasks with an array of their own (the ``rgb``-format ones share ``rgb.npy``)."""
    return [n for n in TASK_NAMES if TASKS[n].target != "rgb"]


def _encode(name: str, x: torch.Tensor | np.ndarray) -> np.ndarray:
    """A label in its storage format (converted on its device before the copy to the host)."""
    fmt = TASKS[name].target
    if fmt == "segments":
        a = x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else x
        small = a.dtype == np.uint16 or a.max(initial=0) < 65535
        return a.astype(np.uint16 if small else np.int32, copy=False)
    a = x.detach()
    if fmt in ("map", "ab"):
        return a.to(torch.float16).cpu().numpy()
    a = a.cpu()
    if fmt in ("vector", "soft_class"):
        return a.float().numpy()
    if fmt in ("class", "dense_class"):
        return a.numpy().astype(np.uint8)
    raise AssertionError(fmt)


def _decode(name: str, a: np.ndarray, device=None) -> torch.Tensor:
    """A stored label as a tensor on ``device`` (copied in its compact dtype, converted there)."""
    fmt = TASKS[name].target
    t = torch.from_numpy(np.ascontiguousarray(a))
    t = t.to(device) if device is not None else t
    if fmt in ("map", "ab", "vector", "soft_class"):
        return t.float()
    return t.long()


def _to_uint8(rgb: torch.Tensor) -> np.ndarray:
    """RGB in [0, 1] (B, 3, H, W) as stored: uint8, rounded."""
    return (rgb.detach().clamp(0, 1) * 255 + 0.5).to(torch.uint8).cpu().numpy()


# --- source domain -----------------------------------------------------------------------------------
def split_dir(cache_dir, domain: str, seed: int, image_size: int, split: str) -> Path:
    """``<cache_dir>/data/<domain>-<GENERATOR_VERSION>-seed<seed>-<size>px-<split>``: a split's
    chunk folder (``cache_dir`` defaults to :func:`rsa_utils.profiles.default_cache_dir`)."""
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    return root / "data" / f"{domain}-{GENERATOR_VERSION}-seed{seed}-{image_size}px-{split}"


class SourceData:
    """``n`` images of one split of the source domain with the labels of ``tasks``.

    ``len(ds) == n``; ``ds.tasks`` (names), ``ds.image_size`` (px), ``ds.split``, ``ds.seed``.
    :meth:`batch` returns ``(rgb, labels)``: rgb float32 (B, 3, H, W) in [0, 1] and one tensor
    per task in the registry's format (see :mod:`rsa_utils.tasks`), on ``device``.
    """

    kind = "synthetic"

    def __init__(
        self,
        split: str,
        n: int,
        *,
        image_size: int,
        seed: int = 0,
        tasks=None,
        cache_dir=None,
        device="cpu",
    ):
        self.split, self.n, self.image_size, self.seed = (
            check_split(split),
            check_n(n),
            check_size(image_size),
            int(seed),
        )
        self.tasks = check_tasks(tasks)
        self.device = torch.device(device)
        self.root = split_dir(cache_dir, "source", self.seed, self.image_size, split)
        self._cache = ChunkCache(
            self.root, self.n, ["rgb", *_stored_tasks()], self._produce, f"rendering source/{split}"
        )

    def _produce(self, ranges):
        """Render the batches of ``ranges`` with all labels (see :class:`~rsa_utils.data.chunks.ChunkCache`).

        The segmentations of a batch run in worker processes (on many-core machines) while the
        next batches are ray-cast; up to :data:`SEGMENTS_IN_FLIGHT` batches wait for them.
        """
        stored = _stored_tasks()
        others = [n for n in stored if n not in SEGMENT_TASKS]
        pending: deque = deque()

        def finish(item):
            first, arrays, jobs = item
            arrays.update({n: _encode(n, job.numpy()) for n, job in jobs.items()})
            return first, arrays

        step = render_batch_size(self.device)
        with cpu_threads(self.device):
            for first, scenes in scene_batches("source", self.seed, self.split, ranges, step):
                r = render(scenes, self.image_size, self.device)
                jobs = segment_jobs(r, stored)
                arrays = {"rgb": _to_uint8(r.rgb)}
                arrays.update({n: _encode(n, x) for n, x in make_labels(r, others).items()})
                pending.append((first, arrays, jobs))
                while len(pending) > SEGMENTS_IN_FLIGHT:
                    yield finish(pending.popleft())
            while pending:
                yield finish(pending.popleft())

    def __len__(self) -> int:
        return self.n

    def prepare(self) -> SourceData:
        """Render (or find in the cache) every image now; returns ``self``."""
        self._cache.ensure()
        return self

    def batch(self, idx: Index, device=None) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        ii = resolve_index(idx, self.n)
        dev = torch.device(device) if device is not None else self.device
        rgb = torch.from_numpy(self._cache.gather("rgb", ii)).to(dev).float() / 255
        out = {}
        for name in self.tasks:
            out[name] = (
                rgb
                if TASKS[name].target == "rgb"
                else _decode(name, self._cache.gather(name, ii), dev)
            )
        return rgb, out

    def __repr__(self) -> str:
        return f"SourceData({self.kind}, split={self.split!r}, n={self.n}, image_size={self.image_size}, seed={self.seed}, tasks={len(self.tasks)})"


# --- target domain -----------------------------------------------------------------------------------
class TargetData:
    """``n`` images of one split of the target domain with semantic segmentations.

    :meth:`batch` returns ``(rgb, seg)``: rgb float32 (B, 3, H, W) in [0, 1], seg int64
    (B, H, W) with 0 = background, 1..20 = :data:`rsa_utils.tasks.TARGET_CATEGORIES`, 255 =
    ignore (:data:`rsa_utils.tasks.IGNORE_INDEX`; only real VOC labels have it).
    """

    kind = "synthetic"
    n_classes = N_TARGET_CLASSES
    ignore_index = IGNORE_INDEX

    def __init__(
        self, split: str, n: int, *, image_size: int, seed: int = 0, cache_dir=None, device="cpu"
    ):
        self.split, self.n, self.image_size, self.seed = (
            check_split(split),
            check_n(n),
            check_size(image_size),
            int(seed),
        )
        self.device = torch.device(device)
        self.root = split_dir(cache_dir, "target", self.seed, self.image_size, split)
        self._cache = ChunkCache(
            self.root, self.n, ["rgb", "seg"], self._produce, f"rendering target/{split}"
        )

    def _produce(self, ranges):
        step = render_batch_size(self.device)
        with cpu_threads(self.device):
            for first, scenes in scene_batches("target", self.seed, self.split, ranges, step):
                r = render(scenes, self.image_size, self.device)
                yield (
                    first,
                    {"rgb": _to_uint8(r.rgb), "seg": r.category.to(torch.uint8).cpu().numpy()},
                )

    def __len__(self) -> int:
        return self.n

    def prepare(self) -> TargetData:
        self._cache.ensure()
        return self

    def batch(self, idx: Index, device=None) -> tuple[torch.Tensor, torch.Tensor]:
        ii = resolve_index(idx, self.n)
        dev = torch.device(device) if device is not None else self.device
        rgb = torch.from_numpy(self._cache.gather("rgb", ii)).to(dev).float() / 255
        seg = torch.from_numpy(self._cache.gather("seg", ii)).to(dev).long()
        return rgb, seg

    def __repr__(self) -> str:
        return f"TargetData({self.kind}, split={self.split!r}, n={self.n}, image_size={self.image_size}, seed={self.seed})"
