"""The splits of a dataset and the checks of its arguments: split names, sizes, counts, indices."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

SPLITS: tuple[str, ...] = ("train", "val", "test", "rsa")
Index = torch.Tensor | np.ndarray | slice | Sequence[int] | int


def check_split(split: str) -> str:
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; valid splits are: {', '.join(SPLITS)}")
    return split


def check_size(image_size: int) -> int:
    if not isinstance(image_size, int | np.integer) or image_size < 8 or image_size % 8:
        raise ValueError(f"image_size={image_size!r}: use a positive multiple of 8 (px)")
    return int(image_size)


def check_n(n: int) -> int:
    if not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n={n!r}: use a positive number of images")
    return int(n)


def resolve_index(idx: Index, n: int) -> np.ndarray:
    """Any index (LongTensor, ndarray, slice, list, int) -> int64 ndarray within [0, n)."""
    if isinstance(idx, slice):
        out = np.arange(n)[idx]
    elif isinstance(idx, torch.Tensor):
        out = idx.detach().cpu().numpy().astype(np.int64).reshape(-1)
    else:
        out = np.asarray(idx, dtype=np.int64).reshape(-1)
    if out.size and (out.min() < -n or out.max() >= n):
        raise IndexError(
            f"index out of range for a dataset of {n} images: {out.min()}..{out.max()}"
        )
    return np.where(out < 0, out + n, out)
