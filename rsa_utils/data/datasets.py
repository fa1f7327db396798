"""Datasets: rendered once, cached as compact arrays, memory-mapped afterwards.

``source_data`` gives images and the labels of the 20 tasks of the source domain (the
synthetic Taskonomy, or a real Taskonomy folder); ``target_data`` gives images and semantic
segmentations of the target domain (the synthetic outdoor world, or Pascal VOC).

Cache layout (``cache_dir``, default :func:`rsa_utils.profiles.default_cache_dir`)::

    data/source-<GENERATOR_VERSION>-seed<seed>-<size>px-<split>/chunk00000/{rgb.npy, <task>.npy, meta.json}
    data/target-<GENERATOR_VERSION>-seed<seed>-<size>px-<split>/chunk00000/{rgb.npy, seg.npy, meta.json}

Sample ``i`` lives in chunk ``i // CHUNK``. A chunk holds its first ``count`` samples; a later
request for more samples of the same split re-renders only the chunks that are too short
(samples are pure functions of ``(seed, split, i)``, so a longer chunk extends a shorter one).
A chunk is written into a temporary folder (every file fsynced) and renamed into place, under
a file lock, so concurrent processes never see half a chunk; an unreadable chunk is reported
and rebuilt. All 20 labels are stored whatever ``tasks`` asks for, so the cache does not
depend on it. Storage: RGB uint8, maps and ab float16, segment ids uint16 (int32 when a
segmentation has 65535 segments or more), classes uint8, vectors float32.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import warnings
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch
from filelock import FileLock
from tqdm.auto import tqdm

from rsa_utils.data.sources import DATA_KINDS, TARGET_DATA_KINDS, check_choice, default_cache_dir
from rsa_utils.data.splits import SPLITS, Index, check_n, check_size, check_split, resolve_index  # noqa: F401
from rsa_utils.world.labels import SEGMENT_TASKS, make_labels, segment_jobs, worker_pool
from rsa_utils.world.packing import ScenePack, pack_scene
from rsa_utils.world.render import render
from rsa_utils.world.scene_parts import GENERATOR_VERSION
from rsa_utils.world.scene_priors import source_scene, target_scene
from rsa_utils.world.tasks import IGNORE_INDEX, TARGET_CATEGORIES, TASK_NAMES, TASKS, check_tasks

#: Samples per cache chunk.
CHUNK = 256
#: Images per render call (memory grows with batch x pixels x objects). On CUDA, 512 renders
#: 23 % faster than 256 at 128 px (benchmarks/render.md).
RENDER_BATCH = {"cpu": 32, "cuda": 512}
#: Render batches whose segmentations may still be running in the worker pool.
SEGMENTS_IN_FLIGHT = 4
#: Number of target categories + background.
N_TARGET_CLASSES = len(TARGET_CATEGORIES) + 1


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
    return (rgb.detach().clamp(0, 1) * 255 + 0.5).to(torch.uint8).cpu().numpy()


def _save_npy(path: Path, a: np.ndarray) -> None:
    with open(path, "wb") as f:
        np.save(f, a)
        f.flush()
        os.fsync(f.fileno())


# --- the chunked cache -----------------------------------------------------------------------------
class _ChunkCache:
    """Chunks of one (domain, seed, size, split) in ``root``.

    ``produce(ranges)`` renders the missing chunks: given ``[(first, count), ...]`` (runs of
    whole chunks) it yields ``(first, arrays)`` per render batch, in order; batches are split
    at chunk boundaries here. Finished chunks are written by a background thread while
    rendering goes on.
    """

    def __init__(
        self,
        root: Path,
        n: int,
        arrays: list[str],
        produce: Callable[[list[tuple[int, int]]], Iterator[tuple[int, dict[str, np.ndarray]]]],
        desc: str,
    ):
        self.root, self.n, self.arrays, self.produce, self.desc = root, n, arrays, produce, desc
        self.maps: list[dict[str, np.ndarray]] = []

    def _chunk_dir(self, k: int) -> Path:
        return self.root / f"chunk{k:05d}"

    def _load(self, k: int, need: int) -> dict[str, np.ndarray] | None:
        d = self._chunk_dir(k)
        meta = d / "meta.json"
        if not meta.exists():
            return None
        try:
            count = json.loads(meta.read_text())["count"]
            if count < need:
                return None
            out = {a: np.load(d / f"{a}.npy", mmap_mode="r") for a in self.arrays}
            if any(v.shape[0] != count for v in out.values()):
                raise ValueError("array lengths differ from meta.json")
            return out
        except Exception as e:  # a truncated or corrupt chunk: report and rebuild
            warnings.warn(f"cache chunk {d} is unreadable ({e}); rebuilding it", stacklevel=3)
            return None

    def ensure(self) -> list[dict[str, np.ndarray]]:
        if self.maps:
            return self.maps
        n_chunks = math.ceil(self.n / CHUNK)
        need = [min(CHUNK, self.n - k * CHUNK) for k in range(n_chunks)]
        maps: list[dict[str, np.ndarray] | None] = [self._load(k, need[k]) for k in range(n_chunks)]
        missing = [k for k in range(n_chunks) if maps[k] is None]
        if missing:
            self.root.mkdir(parents=True, exist_ok=True)
            with FileLock(str(self.root / ".lock")):
                todo = [k for k in missing if self._load(k, need[k]) is None]
                if todo:
                    self._build(todo, need)
            maps = [self._load(k, need[k]) for k in range(n_chunks)]
            if any(m is None for m in maps):
                raise RuntimeError(f"could not build the dataset cache in {self.root}")
        self.maps = maps  # type: ignore[assignment]
        return self.maps

    def _build(self, todo: list[int], need: list[int]) -> None:
        # consecutive missing chunks form one range, so render batches may span chunks
        ranges: list[list[int]] = []
        for k in todo:
            if ranges and ranges[-1][0] + ranges[-1][1] == k * CHUNK:
                ranges[-1][1] += need[k]
            else:
                ranges.append([k * CHUNK, need[k]])
        parts: dict[int, list[dict[str, np.ndarray]]] = {}
        done: dict[int, int] = {}
        writes: list = []
        total = sum(need[k] for k in todo)
        with tqdm(total=total, desc=self.desc, unit="img") as bar, ThreadPoolExecutor(1) as writer:
            for first, arrays in self.produce([(a, n) for a, n in ranges]):
                count = len(arrays["rgb"])
                bar.update(count)
                off = 0
                while off < count:  # split the batch at chunk boundaries
                    k = (first + off) // CHUNK
                    take = min(count - off, (k + 1) * CHUNK - first - off)
                    parts.setdefault(k, []).append(
                        {a: v[off : off + take] for a, v in arrays.items()}
                    )
                    done[k] = done.get(k, 0) + take
                    off += take
                    if done[k] == need[k]:
                        writes.append(writer.submit(self._write, k, need[k], parts.pop(k)))
                        while len(writes) > 2:  # bound the memory held by unwritten chunks
                            writes.pop(0).result()
            for w in writes:
                w.result()

    def _write(self, k: int, count: int, batches: list[dict[str, np.ndarray]]) -> None:
        """Write chunk ``k`` from its batches' arrays (run in the writer thread)."""
        arrays = {a: _concat([b[a] for b in batches]) for a in batches[0]}
        d = self._chunk_dir(k)
        tmp = self.root / f".tmp-{d.name}-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        for name, a in arrays.items():
            _save_npy(tmp / f"{name}.npy", a)
        meta = {"count": count, "first": k * CHUNK, "generator_version": GENERATOR_VERSION}
        with open(tmp / "meta.json", "w") as f:
            json.dump(meta, f)
            f.flush()
            os.fsync(f.fileno())
        if d.exists():
            old = self.root / f".old-{d.name}-{os.getpid()}"
            os.replace(d, old)
            shutil.rmtree(old, ignore_errors=True)
        os.replace(tmp, d)

    def gather(self, name: str, idx: np.ndarray) -> np.ndarray:
        maps = self.ensure()
        first = maps[0][name]
        out = np.empty((len(idx), *first.shape[1:]), dtype=first.dtype)
        chunk, off = idx // CHUNK, idx % CHUNK
        for k in np.unique(chunk):
            sel = np.nonzero(chunk == k)[0]
            arr = maps[k][name]
            if arr.dtype != out.dtype:  # uint16 vs int32 segment ids in different chunks
                out = out.astype(np.promote_types(out.dtype, arr.dtype))
            order = np.argsort(off[sel], kind="stable")
            out[sel[order]] = arr[off[sel][order]]
        return out


def _sample_many(domain: str, seed: int, split: str, indices: list[int]) -> list[ScenePack]:
    fn = source_scene if domain == "source" else target_scene
    return [pack_scene(fn(seed, split, i)) for i in indices]


#: Render batches sampled ahead of the one being rendered (in worker processes).
SAMPLE_AHEAD = 2


def _scene_batches(domain: str, seed: int, split: str, ranges, step: int):
    """``(first, packed scenes)`` of the render batches of ``ranges`` [(first, count), ...],
    sampled ahead in worker processes when :func:`rsa_utils.labels.worker_pool` gives a pool."""
    batches = [
        list(range(s, min(s + step, first + count)))
        for first, count in ranges
        for s in range(first, first + count, step)
    ]
    pool = worker_pool()
    if pool is None:
        for b in batches:
            yield b[0], _sample_many(domain, seed, split, b)
        return
    n = pool._max_workers

    def submit(b):
        return [
            pool.submit(_sample_many, domain, seed, split, [int(i) for i in part])
            for part in np.array_split(b, min(n, len(b)))
        ]

    ahead = [submit(b) for b in batches[: SAMPLE_AHEAD + 1]]
    for k, b in enumerate(batches):
        if k + SAMPLE_AHEAD + 1 < len(batches):
            ahead.append(submit(batches[k + SAMPLE_AHEAD + 1]))
        yield b[0], [sc for f in ahead.pop(0) for sc in f.result()]


def _render_batches(device: torch.device) -> int:
    return RENDER_BATCH["cuda" if device.type == "cuda" else "cpu"]


@contextmanager
def _cpu_threads(device: torch.device):
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


# --- source domain -----------------------------------------------------------------------------------
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
        root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self.root = (
            root
            / "data"
            / f"source-{GENERATOR_VERSION}-seed{self.seed}-{self.image_size}px-{split}"
        )
        self._cache = _ChunkCache(
            self.root, self.n, ["rgb", *_stored_tasks()], self._produce, f"rendering source/{split}"
        )

    def _produce(self, ranges):
        """Render the batches of ``ranges`` with all labels (see :class:`_ChunkCache`).

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

        step = _render_batches(self.device)
        with _cpu_threads(self.device):
            for first, scenes in _scene_batches("source", self.seed, self.split, ranges, step):
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


def _concat(parts: list[np.ndarray]) -> np.ndarray:
    dt = parts[0].dtype
    for p in parts[1:]:
        dt = np.promote_types(dt, p.dtype)
    return np.concatenate([p.astype(dt, copy=False) for p in parts])


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
        root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self.root = (
            root
            / "data"
            / f"target-{GENERATOR_VERSION}-seed{self.seed}-{self.image_size}px-{split}"
        )
        self._cache = _ChunkCache(
            self.root, self.n, ["rgb", "seg"], self._produce, f"rendering target/{split}"
        )

    def _produce(self, ranges):
        step = _render_batches(self.device)
        with _cpu_threads(self.device):
            for first, scenes in _scene_batches("target", self.seed, self.split, ranges, step):
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


# --- entry points --------------------------------------------------------------------------------------
def source_data(
    split: str,
    n: int,
    *,
    image_size: int,
    seed: int = 0,
    tasks=None,
    cache_dir=None,
    device="cpu",
    data: str = "synthetic",
    data_root=None,
) -> SourceData:
    """The source-domain dataset: ``data="synthetic"`` (rendered, cached) or ``"taskonomy"``
    (a Taskonomy folder at ``data_root``, see :mod:`rsa_utils.realdata`)."""
    check_choice("data", data, DATA_KINDS)
    if data == "taskonomy":
        from rsa_utils.data.realdata import TaskonomyData

        return TaskonomyData(
            data_root, split, n, image_size=image_size, seed=seed, tasks=tasks, device=device
        )
    return SourceData(
        split, n, image_size=image_size, seed=seed, tasks=tasks, cache_dir=cache_dir, device=device
    )


def target_data(
    split: str,
    n: int,
    *,
    image_size: int,
    seed: int = 0,
    cache_dir=None,
    device="cpu",
    target_data: str = "synthetic",
    target_root=None,
) -> TargetData:
    """The target-domain dataset: ``target_data="synthetic"`` (rendered, cached) or ``"voc"``
    (Pascal VOC 2012 segmentation at ``target_root``, see :mod:`rsa_utils.realdata`)."""
    check_choice("target_data", target_data, TARGET_DATA_KINDS)
    if target_data == "voc":
        from rsa_utils.data.realdata import VOCData

        return VOCData(target_root, split, n, image_size=image_size, seed=seed, device=device)
    return TargetData(
        split, n, image_size=image_size, seed=seed, cache_dir=cache_dir, device=device
    )
