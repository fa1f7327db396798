"""Pictures and statistics of the synthetic world (the data chapter's helpers).

``label_similarity`` is RSA applied to the labels themselves (no network): each task's targets
over the same images are flattened into features, a 1 - Pearson RDM is computed per task, and
the RDMs are compared with Spearman's correlation (the study's recipe, SPEC section 1). If the
world separates task types, 3D labels resemble 3D labels more than 2D ones.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from . import rsa
from .labels import decode_depth
from .tasks import OBJECT_CATEGORIES, TARGET_CATEGORIES, TASKS


# --- label RSA ---------------------------------------------------------------------------------------
def label_features(name: str, x: torch.Tensor) -> torch.Tensor:
    """Features (B, F) float64 of one task's labels for RSA.

    Maps and images are flattened; segment ids become their boundary map (ids themselves are
    arbitrary); class maps and classes are one-hot encoded; vectors are used as they are.
    """
    fmt = TASKS[name].target
    x = x.detach().cpu()
    b = x.shape[0]
    if fmt == "segments":
        edge = torch.zeros(x.shape, dtype=torch.float64)
        edge[:, :, :-1] += (x[:, :, 1:] != x[:, :, :-1]).double()
        edge[:, :-1, :] += (x[:, 1:, :] != x[:, :-1, :]).double()
        return edge.reshape(b, -1)
    if fmt == "dense_class":
        n = TASKS[name].out_channels
        return F.one_hot(x.clamp(0, n - 1), n).double().reshape(b, -1)
    if fmt == "class":
        return F.one_hot(x, TASKS[name].out_channels).double()
    return x.double().reshape(b, -1)


def label_similarity(
    labels: dict[str, torch.Tensor], names: Sequence[str] | None = None
) -> pd.DataFrame:
    """Spearman correlation between the label RDMs of every pair of tasks: (T, T) DataFrame
    (:func:`rsa_utils.rsa.rdm` of :func:`label_features`, then :func:`rsa_utils.rsa.similarity_matrix`)."""
    names = list(names or labels)
    rdms = np.stack([rsa.rdm(label_features(n, labels[n]), dtype=torch.float64) for n in names])
    return rsa.similarity_matrix(rdms, names)


def type_separation(similarity: pd.DataFrame) -> dict[str, float]:
    """Mean label-RSA similarity within 2D, within 3D and between 2D and 3D tasks."""
    names = list(similarity.index)
    two = [n for n in names if TASKS[n].type == "2D"]
    three = [n for n in names if TASKS[n].type == "3D"]
    s = similarity.to_numpy()

    def mean(a, b, same):
        ia, ib = [names.index(n) for n in a], [names.index(n) for n in b]
        block = s[np.ix_(ia, ib)]
        return float(block[~np.eye(len(a), dtype=bool)].mean() if same else block.mean())

    return {
        "within_2d": mean(two, two, True),
        "within_3d": mean(three, three, True),
        "between": mean(two, three, False),
    }


# --- statistics ----------------------------------------------------------------------------------------
def class_frequencies(seg: torch.Tensor, categories: Sequence[str]) -> pd.Series:
    """Fraction of pixels per class (background first) of a dense class map (B, H, W)."""
    n = len(categories) + 1
    v = seg.reshape(-1)
    v = v[(v >= 0) & (v < n)]
    counts = torch.bincount(v.cpu(), minlength=n).double()
    return pd.Series((counts / counts.sum()).numpy(), index=["background", *categories])


def depth_statistics(depth_encoded: torch.Tensor) -> pd.Series:
    """Quantiles (m) of the decoded z-depth of an encoded depth batch (B, 1, H, W)."""
    d = decode_depth(depth_encoded.detach().float().cpu()).reshape(-1)
    q = torch.quantile(
        d[torch.randperm(d.numel(), generator=torch.Generator().manual_seed(0))[:200000]],
        torch.tensor([0.0, 0.05, 0.5, 0.95, 1.0]),
    )
    return pd.Series(q.numpy(), index=["min", "5%", "median", "95%", "max"])


# --- pictures ----------------------------------------------------------------------------------------
def label_image(name: str, x: torch.Tensor) -> np.ndarray:
    """One image's label as something ``imshow`` shows: (H, W, 3) or (H, W) array."""
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


def plot_source_gallery(rgb: torch.Tensor, labels: dict[str, torch.Tensor], n: int = 4):
    """A grid: one row per image, the RGB input then every dense label; low-dimensional labels
    are written under the row's title. Returns the matplotlib figure."""
    import matplotlib.pyplot as plt

    dense = [k for k in labels if TASKS[k].dense]
    cols = 1 + len(dense)
    n = min(n, rgb.shape[0])
    fig, axes = plt.subplots(n, cols, figsize=(1.3 * cols, 1.45 * n + 0.3), squeeze=False)
    for i in range(n):
        axes[i, 0].imshow(rgb[i].permute(1, 2, 0).cpu().numpy())
        title = "RGB"
        if "class_scene" in labels:
            from .tasks import ROOM_TYPES

            title = ROOM_TYPES[int(labels["class_scene"][i])].replace("_", " ")
        axes[i, 0].set_title(title, fontsize=7)
        for j, k in enumerate(dense, 1):
            axes[i, j].imshow(
                label_image(k, labels[k][i]), cmap="gray", vmin=0, vmax=1, interpolation="nearest"
            )
            if i == 0:
                axes[i, j].set_title(TASKS[k].label, fontsize=7)
    for a in axes.flat:
        a.set_xticks([])
        a.set_yticks([])
    fig.tight_layout(pad=0.2)
    return fig


def plot_target_gallery(rgb: torch.Tensor, seg: torch.Tensor, n: int = 4):
    """Target-domain images over their semantic segmentations. Returns the figure."""
    import matplotlib.pyplot as plt

    n = min(n, rgb.shape[0])
    fig, axes = plt.subplots(2, n, figsize=(1.6 * n, 3.4), squeeze=False)
    rng = np.random.default_rng(2)
    pal = rng.uniform(0.15, 1.0, (256, 3))
    pal[0] = 0.0
    for i in range(n):
        axes[0, i].imshow(rgb[i].permute(1, 2, 0).cpu().numpy())
        axes[1, i].imshow(pal[seg[i].cpu().numpy()], interpolation="nearest")
        present = [
            TARGET_CATEGORIES[c - 1]
            for c in seg[i].unique().tolist()
            if 0 < c <= len(TARGET_CATEGORIES)
        ]
        axes[1, i].set_title(", ".join(present[:3]), fontsize=7)
    for a in axes.flat:
        a.set_xticks([])
        a.set_yticks([])
    fig.tight_layout(pad=0.2)
    return fig


def plot_label_similarity(similarity: pd.DataFrame):
    """The label-RSA matrix (gray, dark = high) beside its single-linkage dendrogram."""
    import matplotlib.pyplot as plt
    from scipy.cluster.hierarchy import dendrogram, linkage

    names = list(similarity.index)
    z = linkage(similarity.to_numpy(), "single", "euclidean", optimal_ordering=True)
    fig, (a0, a1) = plt.subplots(1, 2, figsize=(11, 4.8), gridspec_kw={"width_ratios": [1.1, 1]})
    labels = [TASKS[n].label for n in names]
    im = a0.imshow(similarity.to_numpy(), cmap="gray_r", vmin=-1, vmax=1)
    a0.set_xticks(range(len(names)), labels, rotation=90, fontsize=7)
    a0.set_yticks(range(len(names)), labels, fontsize=7)
    fig.colorbar(im, ax=a0, fraction=0.046, label="Spearman between label RDMs")
    colors = {"2D": "tab:blue", "3D": "tab:red", "geometric": "tab:green", "semantic": "tab:purple"}
    dendrogram(
        z, labels=labels, orientation="left", ax=a1, color_threshold=0, above_threshold_color="k"
    )
    for t in a1.get_yticklabels():
        name = names[labels.index(t.get_text())]
        t.set_color(colors[TASKS[name].type])
        t.set_fontsize(7)
    a1.set_xlabel("single-linkage distance")
    fig.tight_layout()
    return fig


__all__ = [
    "label_features", "label_similarity", "type_separation", "class_frequencies", "depth_statistics",
    "label_image", "plot_source_gallery", "plot_target_gallery", "plot_label_similarity", "OBJECT_CATEGORIES",
]  # fmt: skip
