"""Unsupervised segmentation: Felzenszwalb's graph segmentation of batches in background workers, and the shared worker pool.

Segmentations run on the CPU (scikit-image), images in parallel (threads, or worker processes
on many-core machines), at most :data:`SEGMENT_MAX_SIZE` px (larger images are segmented
downsampled, labels upsampled). What is segmented and with which parameters are the label
recipes' choice (:mod:`rsa_utils.world.labels`).
"""

from __future__ import annotations

import math
import multiprocessing as mp
import os
import warnings
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import torch
import torch.nn.functional as F
from skimage.segmentation import felzenszwalb

#: Use a process pool (instead of threads) for CPU-side work on machines with this many cores.
PROCESS_POOL_MIN_CPUS = 8
_POOL: ProcessPoolExecutor | None = None


def worker_pool() -> ProcessPoolExecutor | None:
    """A shared pool of worker processes on machines with many cores, else None.

    Used for the Felzenszwalb segmentations and for scene sampling, whose Python work would
    otherwise be serialised by the GIL while the GPU waits. ``RSA_DATA_WORKERS`` sets the size
    (0 disables it). Workers are forked, like PyTorch's DataLoader workers: they run numpy and
    scikit-image code only, never CUDA, and need no ``if __name__ == "__main__"`` guard.
    """
    global _POOL
    n = int(os.environ.get("RSA_DATA_WORKERS", os.cpu_count() or 1))
    if n < PROCESS_POOL_MIN_CPUS:
        return None
    if _POOL is None:
        _POOL = ProcessPoolExecutor(max_workers=n, mp_context=mp.get_context("fork"))
    return _POOL


def _felzenszwalb_many(images: np.ndarray, params: dict, f: int, h: int, w: int) -> np.ndarray:
    """Segment ids of images (B, h', w', C) float32, upsampled ``f`` times (nearest) and cropped
    to (h, w): (B, h, w) uint16, or int32 if an image has 65535 segments or more. Runs in the
    worker processes, so the main process only concatenates."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        seg = np.stack([felzenszwalb(im, channel_axis=-1, **params) for im in images])
    if f > 1:
        seg = seg.repeat(f, -2).repeat(f, -1)[..., :h, :w]
    return np.ascontiguousarray(seg, dtype=np.uint16 if seg.max(initial=0) < 65535 else np.int32)


#: Segmentations of larger images are computed at this size (area-downsampled by an integer
#: factor) and upsampled with nearest neighbours: Felzenszwalb on the CPU would otherwise
#: dominate the data pipeline at 128 px and above (measured in benchmarks/render.md).
SEGMENT_MAX_SIZE = 64


def segment_inputs(feat: torch.Tensor, params: dict) -> tuple[np.ndarray, dict, int]:
    """What a worker segments: ``feat`` (B, C, H, W) area-downsampled by the integer factor ``f``
    that brings it to at most :data:`SEGMENT_MAX_SIZE` px, as host images (B, h', w', C) float32,
    with ``params``' ``min_size`` scaled to that area. Returns (images, params, f)."""
    f = math.ceil(max(feat.shape[-2:]) / SEGMENT_MAX_SIZE)
    small = F.avg_pool2d(feat.float(), f, ceil_mode=True) if f > 1 else feat.float()
    p = dict(params)
    p["min_size"] = max(4, int(round(p["min_size"] * (small.shape[-1] / 64) ** 2)))
    return small.permute(0, 2, 3, 1).cpu().numpy(), p, f


def concat(parts: list[np.ndarray]) -> np.ndarray:
    """The arrays ``parts`` end to end, in the dtype that holds them all."""
    return np.concatenate(parts, dtype=np.result_type(*parts))


class SegmentJob:
    """One Felzenszwalb segmentation of a batch, running in the background.

    Construction downsamples the feature image ``feat`` (B, C, H, W) on its device, copies it
    to the host and hands it to the worker pool (:func:`worker_pool`) in parts; without a pool
    the images are segmented at once in threads. :meth:`numpy` waits and returns the segment
    ids (B, H, W) (uint16, the storage format), :meth:`tensor` the same as int64 on a device.
    """

    def __init__(self, feat: torch.Tensor, params: dict):
        images, p, f = segment_inputs(feat, params)
        h, w = feat.shape[-2:]
        pool = worker_pool() if len(images) >= 16 else None
        self._futures, self._seg = [], None
        if pool is not None:
            parts = np.array_split(images, min(len(images), pool._max_workers))
            self._futures = [pool.submit(_felzenszwalb_many, x, p, f, h, w) for x in parts]
            return
        workers = min(len(images), os.cpu_count() or 1, 8)
        if workers > 1:  # scikit-image's Felzenszwalb releases the GIL for most of its work
            with ThreadPoolExecutor(workers) as ex:
                out = list(ex.map(lambda im: _felzenszwalb_many(im[None], p, f, h, w), images))
        else:
            out = [_felzenszwalb_many(im[None], p, f, h, w) for im in images]
        self._seg = concat(out)

    def numpy(self) -> np.ndarray:
        """Segment ids (B, H, W), uint16 (int32 beyond 65534 segments in an image)."""
        if self._seg is None:
            self._seg = concat([fut.result() for fut in self._futures])
        return self._seg

    def tensor(self, device: torch.device | str = "cpu") -> torch.Tensor:
        return torch.from_numpy(self.numpy()).long().to(device)
