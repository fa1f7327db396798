"""A first look at RSA on something small and real: torchvision architectures on drawn shapes.

Used by the book's primer chapter: images are drawn in code (scikit-image), features are the
global-average-pooled last convolutional stage of randomly initialised torchvision networks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
import torchvision
from skimage import draw

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


def plot_rdms(
    images: np.ndarray, rdms: dict, n_per_shape: int, *, ncols: int = 3, rank: bool = True,
    fontsize: float = 10.0,
):  # fmt: skip
    """One example image per shape above a grid of the RDMs (``rdms``: name → (n, n), images
    grouped by shape as :func:`draw_shapes` returns them), each large enough to show the
    blocks on its diagonal. Colours follow the book's convention (gray, **dark = similar**,
    :data:`rsa_utils.plots.DISSIMILARITY_CMAP`). ``rank``: show each RDM's dissimilarities as
    percentiles within the RDM (what the Spearman correlation of RSA compares), so that RDMs of
    different spread share one colour bar; otherwise raw 1 − r on [0, 2]. Returns the figure."""
    import matplotlib.pyplot as plt

    from rsa_utils.figures.style import DISSIMILARITY_CMAP

    names = list(rdms)
    n_shapes = len(images) // n_per_shape
    shape_names = SHAPES[:n_shapes] if n_shapes <= len(SHAPES) else range(n_shapes)
    nrows = int(np.ceil(len(names) / ncols))
    side = 3.3
    fig = plt.figure(figsize=(side * ncols + 1.2, 1.9 + nrows * (side + 0.4)), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[1.9, nrows * (side + 0.4)])
    ex = top.subplots(1, n_shapes, squeeze=False)[0]
    for k, ax in enumerate(ex):
        ax.imshow(np.asarray(images[k * n_per_shape]).transpose(1, 2, 0))
        ax.set_title(str(shape_names[k]), fontsize=fontsize)
        ax.set_xticks([]), ax.set_yticks([])
    top.suptitle(f"one image per shape ({n_per_shape} images of each, in this order)",
                 fontsize=fontsize)  # fmt: skip
    axes = bottom.subplots(nrows, ncols, squeeze=False)
    centres = [(k + 0.5) * n_per_shape - 0.5 for k in range(n_shapes)]
    edges = [k * n_per_shape - 0.5 for k in range(1, n_shapes)]
    for ax, name in zip(axes.flat, names):
        m = shown_rdm(rdms[name], rank)
        im = ax.imshow(m, cmap=DISSIMILARITY_CMAP, vmin=0, vmax=100 if rank else 2,
                       interpolation="nearest")  # fmt: skip
        ax.set_title(name, fontsize=fontsize + 1)
        ax.set_xticks(centres, [str(s) for s in shape_names], rotation=90, fontsize=fontsize - 1)
        ax.set_yticks(centres, [str(s) for s in shape_names], fontsize=fontsize - 1)
        ax.set_xticks(edges, minor=True), ax.set_yticks(edges, minor=True)
        ax.tick_params(which="major", length=0)
        ax.tick_params(which="minor", length=6)
    for ax in list(axes.flat)[len(names) :]:
        ax.axis("off")
    cb = bottom.colorbar(im, ax=list(axes.flat), shrink=0.6, aspect=30)
    what = "dissimilarity percentile within the RDM" if rank else "dissimilarity 1 − r"
    cb.set_label(f"{what} (dark = similar)", fontsize=fontsize)
    cb.ax.tick_params(labelsize=fontsize - 1)
    return fig


def shown_rdm(rdm, rank: bool = True) -> np.ndarray:
    """An RDM as :func:`plot_rdms` shows it: with ``rank``, each dissimilarity as its percentile
    (0-100) within the RDM (average ranks, the diagonal included); otherwise 1 − r itself."""
    from scipy.stats import rankdata

    m = np.asarray(rdm, dtype=float)
    if not rank:
        return m
    return 100 * (rankdata(m, method="average").reshape(m.shape) - 1) / max(m.size - 1, 1)


def rdms_data(rdms: dict, n_per_shape: int, *, rank: bool = True) -> dict[str, pd.DataFrame]:
    """What :func:`plot_rdms` shows: ``examples``, the image above each shape's column (shape,
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
