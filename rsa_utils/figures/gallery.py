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

from rsa_utils import rsa
from rsa_utils.world.labels import decode_depth
from rsa_utils.world.tasks import OBJECT_CATEGORIES, TARGET_CATEGORIES, TASKS


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


def same_label(a: str, b: str) -> bool:
    """Whether two tasks have the very same label: the clean RGB image (autoencoding,
    denoising, inpainting), which differ only in their inputs."""
    return TASKS[a].target == TASKS[b].target == "rgb"


def type_separation(similarity: pd.DataFrame) -> dict[str, float]:
    """Mean label-RSA similarity within 2D, within 3D and between 2D and 3D tasks, over pairs of
    different tasks whose labels differ (pairs with :func:`same_label` would count 1 for free)."""
    names = list(similarity.index)
    two = [n for n in names if TASKS[n].type == "2D"]
    three = [n for n in names if TASKS[n].type == "3D"]

    def mean(a, b, same):
        vals = [similarity.loc[x, y] for i, x in enumerate(a) for j, y in enumerate(b)
                if (not same or i < j) and not same_label(x, y)]  # fmt: skip
        return float(np.mean(vals))

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


def plot_source_gallery(
    rgb: torch.Tensor, labels: dict[str, torch.Tensor], n: int = 4, *, ncols: int = 9,
    fontsize: float = 9.5,
):  # fmt: skip
    """A block of panels per image: the RGB input (titled with the room type, the scene-class
    label, if given) then every dense label, ``ncols`` panels a row (9: two rows per image for
    the 17 dense tasks), each titled with its task (coloured by type). Returns the figure."""
    import matplotlib.pyplot as plt

    from rsa_utils.figures.style import type_color
    from rsa_utils.world.tasks import ROOM_TYPES

    dense = [k for k in labels if TASKS[k].dense]
    panels = 1 + len(dense)
    ncols = max(1, min(ncols, panels))
    rows = int(np.ceil(panels / ncols))
    n = min(n, rgb.shape[0])
    side = 1.2
    fig = plt.figure(figsize=(side * ncols, n * rows * (side + 0.32) + 0.45 * n),
                     layout="constrained")  # fmt: skip
    subfigs = np.atleast_1d(fig.subfigures(n, 1, hspace=0.02))
    for i, sub in enumerate(subfigs):
        axes = sub.subplots(rows, ncols, squeeze=False)
        title = "RGB input"
        if "class_scene" in labels:
            title = ROOM_TYPES[int(labels["class_scene"][i])].replace("_", " ")
        sub.suptitle(f"image {i + 1}: {title}", fontsize=fontsize + 1.5, fontweight="bold",
                     x=0.0, ha="left")  # fmt: skip
        flat = list(axes.flat)
        flat[0].imshow(rgb[i].permute(1, 2, 0).cpu().numpy())
        flat[0].set_title("RGB input", fontsize=fontsize)
        for ax, k in zip(flat[1:], dense):
            ax.imshow(
                label_image(k, labels[k][i]), cmap="gray", vmin=0, vmax=1, interpolation="nearest"
            )
            name = TASKS[k].label
            name = name.replace(" ", "\n", 1) if len(name) > 16 else name  # fits one column
            ax.set_title(name, fontsize=fontsize, color=type_color(k))
        for ax in flat:
            ax.set_xticks([])
            ax.set_yticks([])
        for ax in flat[panels:]:
            ax.axis("off")
    return fig


def plot_target_gallery(rgb: torch.Tensor, seg: torch.Tensor, n: int = 4):
    """Target-domain images over their semantic segmentations (titled with up to three of the
    categories present, one a line). Returns the figure."""
    import matplotlib.pyplot as plt

    n = min(n, rgb.shape[0])
    fig, axes = plt.subplots(2, n, figsize=(1.6 * n, 4.2), squeeze=False, layout="constrained")
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
        axes[1, i].set_title("\n".join(present[:3]), fontsize=11)
    for a in axes.flat:
        a.set_xticks([])
        a.set_yticks([])
    return fig


def plot_label_similarity(similarity: pd.DataFrame, *, fontsize: float = 10.0):
    """The label-RSA matrix (gray, dark = similar) beside its single-linkage dendrogram
    (:func:`rsa_utils.taxonomy.plot_dendrogram`), task names coloured by type. Sized so that 20
    names are readable at about 700 px wide."""
    import matplotlib.pyplot as plt

    from rsa_utils.figures.dendrogram import plot_dendrogram
    from rsa_utils.figures.style import SIMILARITY_CMAP, color_ticks, type_boundaries, type_legend

    names = list(similarity.index)
    fig, (a0, a1) = plt.subplots(1, 2, figsize=(11.5, 6.6), layout="constrained",
                                 gridspec_kw={"width_ratios": [1.25, 1]})  # fmt: skip
    labels = [TASKS[n].label for n in names]
    im = a0.imshow(similarity.to_numpy(dtype=float), cmap=SIMILARITY_CMAP, vmin=-1, vmax=1)
    a0.set_xticks(range(len(names)), labels, rotation=90, fontsize=fontsize)
    a0.set_yticks(range(len(names)), labels, fontsize=fontsize)
    color_ticks(a0, names)
    type_boundaries(a0, names)
    cb = fig.colorbar(im, ax=a0, shrink=0.8, aspect=30)
    cb.set_label("Spearman between label RDMs (dark = similar)", fontsize=fontsize)
    cb.ax.tick_params(labelsize=fontsize)
    plot_dendrogram(similarity, ax=a1, fontsize=fontsize)
    type_legend(fig, {TASKS[n].type for n in names}, fontsize=fontsize)
    return fig


# --- what the pictures show (the data files of the galleries) ---------------------------------------
# A gallery's panels are pictures: their pixels are the rendered images and labels themselves
# (reproducible from the seed), so its data file lists what each panel shows, not its pixels.


def source_gallery_panels(
    labels: dict[str, torch.Tensor], n: int = 4, *, ncols: int = 9, first: int = 0,
    split: str = "rsa",
) -> pd.DataFrame:  # fmt: skip
    """What :func:`plot_source_gallery` shows, one row per panel: the image (its number in the
    figure and its index in ``split``, from ``first``), its room type, the panel's place in the
    image's block (row, column) and what it shows (``rgb`` for the input, else the task)."""
    from rsa_utils.world.tasks import ROOM_TYPES

    dense = [k for k in labels if TASKS[k].dense]
    ncols = max(1, min(ncols, 1 + len(dense)))
    n = min(n, next(iter(labels.values())).shape[0])
    rows = []
    for i in range(n):
        room = ROOM_TYPES[int(labels["class_scene"][i])] if "class_scene" in labels else ""
        for p, what in enumerate(["rgb", *dense]):
            rows.append({"image": i + 1, "split": split, "index": first + i, "room_type": room,
                         "row": p // ncols + 1, "column": p % ncols + 1, "shows": what,
                         "title": "RGB input" if what == "rgb" else TASKS[what].label})  # fmt: skip
    return pd.DataFrame(rows)


def target_gallery_panels(
    seg: torch.Tensor, n: int = 4, *, first: int = 0, split: str = "train"
) -> pd.DataFrame:
    """What :func:`plot_target_gallery` shows, one row per column of the figure: the image's
    index in ``split`` and the categories present in its segmentation (the title names the first
    three)."""
    n = min(n, seg.shape[0])
    rows = []
    for i in range(n):
        present = [TARGET_CATEGORIES[c - 1] for c in seg[i].unique().tolist()
                   if 0 < c <= len(TARGET_CATEGORIES)]  # fmt: skip
        rows.append({"column": i + 1, "split": split, "index": first + i,
                     "categories": "; ".join(present), "title": "; ".join(present[:3])})  # fmt: skip
    return pd.DataFrame(rows)


__all__ = [
    "label_features", "label_similarity", "type_separation", "class_frequencies", "depth_statistics",
    "label_image", "plot_source_gallery", "plot_target_gallery", "plot_label_similarity", "OBJECT_CATEGORIES",
    "source_gallery_panels", "target_gallery_panels",
]  # fmt: skip
