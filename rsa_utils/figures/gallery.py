"""The data chapter's figures: galleries of the synthetic world, class statistics, label RSA.

The numbers drawn here are computed in :mod:`rsa_utils.study.synthetic_world` (and
:mod:`rsa_utils.study.label_rsa`); the pictures of labels in :mod:`rsa_utils.world.pictures`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

from rsa_utils.figures.dendrogram import plot_dendrogram
from rsa_utils.figures.plots import dendrogram_data
from rsa_utils.figures.style import (
    SIMILARITY_CMAP,
    color_ticks,
    type_boundaries,
    type_color,
    type_legend,
)
from rsa_utils.study import report
from rsa_utils.study.synthetic_world import SyntheticWorld
from rsa_utils.world.pictures import label_image
from rsa_utils.world.tasks import ROOM_TYPES, TARGET_CATEGORIES, TASKS

#: The book's figure functions: name → (the figure it saves, the table whose data it glues).
BOOK_FIGURES: dict[str, tuple[str, str]] = {
    "figure_source_gallery": ("data_source_gallery", ""),
    "figure_target_gallery": ("data_target_gallery", ""),
    "figure_statistics": ("data_statistics", ""),
    "figure_label_rsa": ("data_label_rsa", ""),
    "table_depth": ("", "data_table_depth"),
    "table_separation": ("", "data_table_separation"),
    "table_label_real": ("", "data_table_label_real"),
}


def plot_source_gallery(
    rgb: torch.Tensor, labels: dict[str, torch.Tensor], n: int = 4, *, ncols: int = 9,
    fontsize: float = 9.5,
):  # fmt: skip
    """A block of panels per image: the RGB input (titled with the room type, the scene-class
    label, if given) then every dense label, ``ncols`` panels a row (9: two rows per image for
    the 17 dense tasks), each titled with its task (coloured by type). Returns the figure."""
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


def plot_class_statistics(source: pd.Series, target: pd.Series, rooms: pd.Series):
    """Three bar panels: pixel share per object category of the source images and of the target
    images (``source``, ``target``: shares without the background) and images per room type.
    Returns the figure."""
    fig, axes = plt.subplots(3, 1, figsize=(8, 11), gridspec_kw={"height_ratios": [1, 1, 0.8]})
    source.plot.bar(ax=axes[0], color="tab:blue", title="source: pixel share per object category")
    target.plot.bar(ax=axes[1], color="tab:orange", title="target: pixel share per category")
    rooms.plot.bar(ax=axes[2], color="tab:gray", title="source: room types")
    for a in axes:
        a.tick_params(labelsize=9)
        a.title.set_fontsize(11)
    fig.tight_layout()
    return fig


def plot_label_similarity(similarity: pd.DataFrame, *, fontsize: float = 10.0):
    """The label-RSA matrix (gray, dark = similar) beside its single-linkage dendrogram
    (:func:`rsa_utils.figures.dendrogram.plot_dendrogram`), task names coloured by type. Sized so that 20
    names are readable at about 700 px wide."""
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


# --- the chapter's figures and tables, each saved with its data by one call -------------------------


def figure_source_gallery(world: SyntheticWorld) -> None:
    """The source gallery (``data_source_gallery``): drawn, saved with its panel list, closed."""
    rgb, labels = world.gallery
    fig = plot_source_gallery(rgb, labels, n=len(rgb))
    report.save_figure(fig, "data_source_gallery", dpi=150,
                       data=source_gallery_panels(labels, len(rgb)))  # fmt: skip
    plt.close(fig)


def figure_target_gallery(world: SyntheticWorld) -> None:
    """The target gallery (``data_target_gallery``): drawn, saved with its panel list, closed."""
    rgb, seg = world.target_gallery
    fig = plot_target_gallery(rgb, seg, n=len(rgb))
    report.save_figure(fig, "data_target_gallery", dpi=150,
                       data=target_gallery_panels(seg, len(rgb)))  # fmt: skip
    plt.close(fig)


def figure_statistics(world: SyntheticWorld) -> None:
    """The class statistics (``data_statistics``): drawn, saved with the bars' data, closed."""
    source, target = world.source_shares.iloc[1:], world.target_shares.iloc[1:]
    fig = plot_class_statistics(source, target, world.rooms)
    data = {"source": source.rename_axis("category").to_frame("pixel_share"),
            "target": target.rename_axis("category").to_frame("pixel_share"),
            "rooms": world.rooms.rename_axis("room_type").to_frame("images")}  # fmt: skip
    report.save_figure(fig, "data_statistics", dpi=150, data=data)
    plt.close(fig)


def figure_label_rsa(world: SyntheticWorld) -> None:
    """The label RSA beside its tree (``data_label_rsa``): drawn, saved with the matrix and the
    tree's merges, closed."""
    fig = plot_label_similarity(world.similarity)
    report.save_figure(fig, "data_label_rsa", dpi=150,
                       data={"matrix": world.similarity, "tree": dendrogram_data(world.similarity)})  # fmt: skip
    plt.close(fig)


def table_depth(world: SyntheticWorld) -> pd.DataFrame:
    """The depth quantiles, their data glued as ``data_table_depth_data``."""
    return report.table(world.depth, "data_table_depth", digits=None)


def table_separation(world: SyntheticWorld) -> pd.DataFrame:
    """The mean label RSA within and between types, data glued as ``data_table_separation_data``."""
    return report.table(world.separation, "data_table_separation", digits=None)


def table_label_real(world: SyntheticWorld) -> pd.DataFrame:
    """The agreement with Taskonomy by target type, data glued as ``data_table_label_real_data``."""
    return report.table(world.real_by_type, "data_table_label_real", digits=None)
