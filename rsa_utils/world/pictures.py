"""Labels and network outputs as pictures: (H, W) or (H, W, 3) arrays in [0, 1] for ``imshow``."""

from __future__ import annotations

import numpy as np
import torch

from rsa_utils.world.tasks import TASKS


def label_image(name: str, x: torch.Tensor) -> np.ndarray:
    """One image's label of task ``name`` as a picture: (H, W, 3) or (H, W) array.

    RGB and 3-channel maps as they are, colour channels (ab) and 2-channel maps mapped to RGB,
    1-channel maps as gray; segment and class maps (H, W) ints in a fixed random palette
    (class 0, the background, black)."""
    fmt = TASKS[name].target
    x = x.detach().cpu()
    if fmt == "rgb":
        return x.permute(1, 2, 0).numpy()
    if fmt == "ab":
        ab = x.numpy() * 2.5 + 0.5
        return np.clip(np.stack([ab[0], 0.5 * (ab[0] + ab[1]), ab[1]], -1), 0, 1)
    if fmt == "map":
        if x.shape[0] == 3:
            return x.permute(1, 2, 0).numpy()
        if x.shape[0] == 2:
            return np.clip(
                np.stack([x[0].numpy(), x[1].numpy(), np.full(x.shape[1:], 0.5)], -1), 0, 1
            )
        return x[0].numpy()
    if fmt in ("segments", "dense_class"):
        rng = np.random.default_rng(1)
        pal = rng.uniform(0.15, 1.0, (int(x.max()) + 1, 3))
        if fmt == "dense_class":
            pal[0] = 0.0
        return pal[x.numpy()]
    raise ValueError(f"task {name!r} has no image label (format {fmt!r})")


def prediction_image(name: str, pred: torch.Tensor) -> np.ndarray:
    """One image's network output (C, H, W) of task ``name`` as a picture (like its label):
    maps clamped to [0, 1]; pixel embeddings (metric-loss tasks) by their first 3 principal
    components, each scaled to [0, 1]."""
    t = TASKS[name]
    pred = pred.detach().float().cpu()
    if t.target == "segments":
        e = pred.flatten(1).T  # (HW, C)
        e = e - e.mean(0)
        _, _, v = torch.linalg.svd(e, full_matrices=False)
        pcs = (e @ v[:3].T).T.reshape(3, *pred.shape[1:])
        lo, hi = pcs.flatten(1).min(1).values, pcs.flatten(1).max(1).values
        return (
            ((pcs - lo[:, None, None]) / (hi - lo).clamp_min(1e-6)[:, None, None])
            .permute(1, 2, 0)
            .numpy()
        )
    if t.target in ("rgb", "map"):
        return label_image(name, pred.clamp(0, 1))
    raise ValueError(f"no picture for predictions of {name!r} (target format {t.target!r})")
