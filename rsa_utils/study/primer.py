"""The primer's numbers as one result: RSA of untrained torchvision networks on drawn shapes.

Images are drawn in code (scikit-image); features are the global-average-pooled last
convolutional stage of each network. The primer's figure is :mod:`rsa_utils.figures.primer`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch
import torchvision
from skimage import draw

from rsa_utils import rsa
from rsa_utils.study import report

SHAPES = ("disk", "square", "triangle", "ring", "bar")
ARCHITECTURES = ("resnet18", "alexnet", "vgg11", "mobilenet_v2", "squeezenet1_0")


def draw_shapes(
    n_per_shape: int = 12, size: int = 64, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Images of coloured shapes on textured backgrounds.

    Returns images (n, 3, size, size) float32 in [0, 1] and shape labels (n,) int, grouped by
    shape (n = n_per_shape × len(SHAPES)).
    """
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for k, shape in enumerate(SHAPES):
        for _ in range(n_per_shape):
            img = np.ones((size, size, 3)) * rng.uniform(0.2, 0.8, 3)
            img += rng.normal(0, 0.03, img.shape)
            c = rng.uniform(0.3, 0.7, 2) * size
            r = rng.uniform(0.15, 0.3) * size
            if shape == "disk":
                rr, cc = draw.disk(c, r, shape=img.shape[:2])
            elif shape == "square":
                rr, cc = draw.rectangle(c - r, c + r, shape=img.shape[:2])
            elif shape == "triangle":
                rr, cc = draw.polygon(
                    [c[0] - r, c[0] + r, c[0] + r], [c[1], c[1] - r, c[1] + r], img.shape[:2]
                )
            elif shape == "ring":
                rr, cc = draw.disk(c, r, shape=img.shape[:2])
                inner = (rr - c[0]) ** 2 + (cc - c[1]) ** 2 > (0.6 * r) ** 2
                rr, cc = rr[inner], cc[inner]
            else:
                rr, cc = draw.rectangle(
                    (c[0] - r / 4, c[1] - r), (c[0] + r / 4, c[1] + r), shape=img.shape[:2]
                )
            img[rr.astype(int), cc.astype(int)] = rng.uniform(0, 1, 3)
            images.append(np.clip(img, 0, 1).transpose(2, 0, 1))
            labels.append(k)
    return np.stack(images).astype(np.float32), np.array(labels)


@torch.no_grad()
def architecture_features(
    images: np.ndarray, names=ARCHITECTURES, seed: int = 0
) -> dict[str, np.ndarray]:
    """Pooled last-stage features (n, c) of each randomly initialised torchvision network.

    ``pixels`` (the raw images flattened) is included as a reference representation.
    """
    x = torch.as_tensor(images)
    x = (x - x.mean(dim=(0, 2, 3), keepdim=True)) / x.std(dim=(0, 2, 3), keepdim=True)
    feats = {"pixels": images.reshape(len(images), -1)}
    for name in names:
        torch.manual_seed(seed)
        net = getattr(torchvision.models, name)(weights=None).eval()
        body = (
            net.features
            if hasattr(net, "features")
            else torch.nn.Sequential(*list(net.children())[:-2])
        )
        feats[name] = body(x).mean(dim=(2, 3)).numpy()
    return feats


def shown_rdm(rdm, rank: bool = True) -> np.ndarray:
    """An RDM as :func:`rsa_utils.figures.primer.plot_rdms` shows it: with ``rank``, each dissimilarity as its percentile
    (0-100) within the RDM (average ranks, the diagonal included); otherwise 1 − r itself."""
    from scipy.stats import rankdata

    m = np.asarray(rdm, dtype=float)
    if not rank:
        return m
    return 100 * (rankdata(m, method="average").reshape(m.shape) - 1) / max(m.size - 1, 1)


def rdms_data(rdms: dict, n_per_shape: int, *, rank: bool = True) -> dict[str, pd.DataFrame]:
    """What :func:`rsa_utils.figures.primer.plot_rdms` shows: ``examples``, the image above each shape's column (shape,
    image index; pictures, so no pixels), and per representation the RDM as drawn
    (:func:`shown_rdm`), rows and columns named by image (``disk 1`` … in the figure's order)."""
    n = len(next(iter(rdms.values())))
    n_shapes = n // n_per_shape
    shapes = [SHAPES[k] if n_shapes <= len(SHAPES) else str(k) for k in range(n_shapes)]
    names = pd.Index([f"{shapes[i // n_per_shape]} {i % n_per_shape + 1}" for i in range(n)],
                     name="image")  # fmt: skip
    out = {"examples": pd.DataFrame({"shape": shapes,
                                     "image": [k * n_per_shape for k in range(n_shapes)]})}  # fmt: skip
    for name, rdm in rdms.items():
        out[name] = pd.DataFrame(shown_rdm(rdm, rank), index=names, columns=list(names))
    return out


def shape_contrast(rdm, n_per_shape: int, standardise: bool = True) -> float:
    """Mean dissimilarity between images of different shapes minus the mean between different
    images of the same shape, for an RDM (n, n) of images grouped by shape (:func:`draw_shapes`).
    Positive: the representation separates the shapes (dark blocks on the RDM's diagonal).
    ``standardise``: in units of the standard deviation of the RDM's off-diagonal entries, so
    that representations with different spreads of dissimilarity compare."""
    m = np.asarray(rdm, dtype=float)
    group = np.arange(len(m)) // n_per_shape
    same = group[:, None] == group[None, :]
    off = ~np.eye(len(m), dtype=bool)
    diff = m[~same].mean() - m[same & off].mean()
    return float(diff / m[off].std()) if standardise else float(diff)


def contrast_reading(contrast: dict[str, float], threshold: float = 0.5) -> str:
    """What the shape contrasts (:func:`shape_contrast`, name → standard deviations) say about
    the RDMs: which representations keep the shapes apart by at least ``threshold``."""
    strongest = max(contrast, key=contrast.get)
    if contrast[strongest] < threshold:
        return (f"none of the representations keeps the shapes apart by more than half a standard "
                f"deviation (largest: {strongest}), so no blocks appear")  # fmt: skip
    apart = ", ".join(k for k, v in contrast.items() if v >= threshold)
    return f"{apart} keep the shapes apart by at least half a standard deviation, and their RDMs show blocks"


def mean_rsa_with_pixels(condensed: torch.Tensor) -> float:
    """The mean RSA between the first RDM (the pixels) and each of the others, from condensed
    RDMs (R, m): the statistic the primer bootstraps."""
    return rsa.similarity_matrix(condensed, condensed=True).iloc[0, 1:].mean()


@dataclass(frozen=True)
class Primer:
    """The primer in one object: the images, the RDMs and their similarity matrix, and the
    prose's values by glue name (``values``: plain values; ``text``: Markdown)."""

    images: np.ndarray  # (n, 3, size, size), grouped by shape
    n_per_shape: int
    rdms: dict[str, Any]  # representation → RDM (n, n); ``pixels`` first
    similarity: pd.DataFrame  # (R, R) Spearman between the RDMs
    values: dict[str, int]
    text: dict[str, str]


def rsa_primer(
    n_per_shape: int = 12, image_size: int = 64, *, n_boot: int = 100, seed: int = 0,
    device=None, names=ARCHITECTURES,
) -> Primer:  # fmt: skip
    """Everything the primer reports: shapes drawn, features of each untrained network
    (``names``) and of the pixels, their RDMs, the RSA between them, the shape contrast of each
    RDM and a bootstrap over images of the pixels' mean RSA with the networks."""
    images, _ = draw_shapes(n_per_shape, image_size, seed)
    features = architecture_features(images, names, seed=seed)
    reps = list(features)
    rdms = {k: rsa.rdm(v, device=device) for k, v in features.items()}
    sim = rsa.similarity_matrix([rdms[k] for k in reps], reps, device=device)
    contrast = {k: shape_contrast(rdms[k], n_per_shape) for k in reps}
    boot = rsa.bootstrap(list(rdms.values()), mean_rsa_with_pixels, n_boot=n_boot, seed=seed,
                         device=device)  # fmt: skip
    text = {
        "contrast_list": "; ".join(f"{k} {report.fmt(v)}" for k, v in contrast.items()),
        "contrast_reading": contrast_reading(contrast),
        "pixels_mean": report.fmt(boot.estimate),
        "pixels_ci": f"[{report.fmt(boot.low)}, {report.fmt(boot.high)}]",
        "pixels_best": sim.loc["pixels"].drop("pixels").idxmax(),
    }
    values = {"n_images": len(images), "n_networks": len(reps) - 1}
    return Primer(images, n_per_shape, rdms, sim, values, text)
