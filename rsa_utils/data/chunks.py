"""The chunk cache of a dataset split: compact arrays in chunk folders, written atomically under a lock, memory-mapped.

Sample ``i`` lives in chunk ``i // CHUNK`` (``<root>/chunk00000/{<array>.npy, meta.json}``). A
chunk holds its first ``count`` samples; a later request for more samples of the same split
re-renders only the chunks that are too short (samples are pure functions of
``(seed, split, i)``, so a longer chunk extends a shorter one). A chunk is written into a
temporary folder (every file fsynced) and renamed into place, under a file lock, so concurrent
processes never see half a chunk; an unreadable chunk is reported and rebuilt.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from filelock import FileLock
from tqdm.auto import tqdm

from rsa_utils.world.scene_parts import GENERATOR_VERSION
from rsa_utils.world.segmentation import concat

#: Samples per cache chunk.
CHUNK = 256


def _save_npy(path: Path, a: np.ndarray) -> None:
    with open(path, "wb") as f:
        np.save(f, a)
        f.flush()
        os.fsync(f.fileno())


class ChunkCache:
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
        arrays = {a: concat([b[a] for b in batches]) for a in batches[0]}
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
