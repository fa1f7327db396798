"""Representations of trained networks on a fixed image set, and their RDMs.

The RSA representation of a task network is its encoder output (8 x H/16 x W/16, flattened);
the Taskonomy-architecture encoder also exposes its four ResNet stages (layer-wise RSA).
Each network sees the images through its own task's input transform (grayscale for
colorization, noise for denoising, a masked centre for inpainting), with fixed noise.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import torch

from rsa_utils.rsa import core as rsa

#: Seed of the input noise of the denoising network when features are extracted.
FEATURE_NOISE_SEED = 1234


def images_of(data, n: int | None = None, batch_size: int = 256) -> torch.Tensor:
    """The first ``n`` RGB images of a dataset (anything with ``batch``): (n, 3, H, W) float32 CPU."""
    n = len(data) if n is None else n
    if n > len(data):
        raise ValueError(f"asked for {n} images of a dataset of {len(data)}")
    return torch.cat(
        [data.batch(slice(s, min(s + batch_size, n)), "cpu")[0] for s in range(0, n, batch_size)]
    )


def _model_input(model, x: torch.Tensor, start: int) -> torch.Tensor:
    task = getattr(model, "task", None)
    if task is None or getattr(task, "input", "rgb") == "rgb":
        return x
    g = torch.Generator().manual_seed(FEATURE_NOISE_SEED + start)
    return task.input_of(x, generator=g)


@torch.no_grad()
def encoder_features(
    model, images: torch.Tensor, *, device="cpu", batch_size: int = 128, stages: bool = False
) -> np.ndarray | list[np.ndarray]:
    """Flattened encoder output of ``model`` for ``images`` (N, 3, H, W) → (N, 8·H/16·W/16) float32.

    ``stages=True`` (Taskonomy architecture only) returns a list: the four ResNet stage outputs
    (each spatially average-pooled to 4 x 4 to keep d manageable) and the encoder output.
    """
    model = model.eval().to(device)
    outs: list[list[np.ndarray]] = []
    for s in range(0, len(images), batch_size):
        x = _model_input(model, images[s : s + batch_size], s).to(device)
        if stages:
            hs = model.stages(x)
            z = model.encoder.compress(hs[-1])
            feats = [torch.nn.functional.adaptive_avg_pool2d(h, 4) for h in hs] + [z]
        else:
            feats = [model.encode(x)]
        outs.append([f.float().flatten(1).cpu().numpy() for f in feats])
    cols = [np.concatenate(parts) for parts in zip(*outs)]
    return cols if stages else cols[0]


def model_rdm(model, images: torch.Tensor, *, device="cpu", batch_size: int = 128) -> torch.Tensor:
    """RDM (n, n) of one model's representation of ``images`` (n, 3, H, W), on ``device``."""
    feats = encoder_features(model, images, device=device, batch_size=batch_size)
    return rsa.rdm(feats, device=device, as_numpy=False)


def model_rdms(
    models: Mapping[str, torch.nn.Module],
    images: torch.Tensor,
    *,
    device="cpu",
    batch_size: int = 128,
) -> tuple[list[str], torch.Tensor]:
    """RDMs (T, n, n) of every model's representation of the same images, and the names."""
    names = list(models)
    return names, torch.stack(
        [model_rdm(models[k], images, device=device, batch_size=batch_size) for k in names]
    )


def target_similarity(target_rdm: torch.Tensor, source_rdms: torch.Tensor, names: list[str]):
    """RSA (Spearman) of a new task's RDM (n, n) with each source RDM (T, n, n) → Series by name,
    sorted descending (the task ranking for choosing an initialisation)."""
    stack = torch.cat([target_rdm[None].to(source_rdms), source_rdms])
    sim = rsa.similarity_matrix(stack, ["__target__", *names], device=source_rdms.device)
    return sim.loc["__target__"].drop("__target__").sort_values(ascending=False)
