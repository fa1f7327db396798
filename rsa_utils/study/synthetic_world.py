"""The data chapter's numbers as one result: what the images hold, how Taskonomy-like they are."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import torch

from rsa_utils.data.datasets import source_data, target_data
from rsa_utils.figures.style import type_colors_text
from rsa_utils.study import report, taskonomy_results
from rsa_utils.study.label_rsa import (
    label_similarity,
    separation_reading,
    tasks_by_type,
    type_separation,
)
from rsa_utils.study.profiles import Study
from rsa_utils.world.labels import decode_depth
from rsa_utils.world.scenes import GENERATOR_VERSION
from rsa_utils.world.tasks import OBJECT_CATEGORIES, ROOM_TYPES, TARGET_CATEGORIES, TASKS

#: Images of the RSA set whose labels are compared by label RSA (at most).
LABEL_RSA_IMAGES = 100


@dataclass(frozen=True)
class SyntheticWorld:
    """The data chapter in one object: the gallery images, the class statistics, the label RSA
    and its agreement with Taskonomy, and the prose's values by glue name (``values``: plain
    values for ``{glue:}`` and ``{glue:text}``; ``text``: Markdown for ``{glue:md}``)."""

    summary: str  # profile, image size, device and generator, one line
    gallery: tuple[torch.Tensor, dict]  # the first n RSA images (n, 3, H, W) and their labels
    target_gallery: tuple[torch.Tensor, torch.Tensor]  # 2n target images and classes (2n, H, W)
    source_shares: pd.Series  # pixel share per class of the RSA set, background first
    target_shares: pd.Series  # the same for the target training set
    rooms: pd.Series  # RSA images per room type
    depth: pd.DataFrame  # one row: quantiles (m) of the z-depth of the RSA set
    similarity: pd.DataFrame  # (T, T) label RSA, tasks grouped by type
    separation: pd.DataFrame  # mean Spearman within 2D, within 3D, between 2D and 3D labels
    real_by_type: pd.DataFrame  # per-target Spearman with Taskonomy's affinities, by target type
    values: dict[str, Any]
    text: dict[str, str]


def class_frequencies(seg: torch.Tensor, categories: Sequence[str]) -> pd.Series:
    """Fraction of pixels per class (background first) of a dense class map (B, H, W); pixels
    outside the classes (e.g. 255, ignored) are left out."""
    n = len(categories) + 1
    v = seg.reshape(-1)
    v = v[(v >= 0) & (v < n)]
    counts = torch.bincount(v.cpu(), minlength=n).double()
    return pd.Series((counts / counts.sum()).numpy(), index=["background", *categories])


def depth_statistics(depth_encoded: torch.Tensor) -> pd.Series:
    """Quantiles (m) of the decoded z-depth of an encoded depth batch (B, 1, H, W), over at
    most 200,000 pixels drawn with a fixed seed."""
    d = decode_depth(depth_encoded.detach().float().cpu()).reshape(-1)
    q = torch.quantile(
        d[torch.randperm(d.numel(), generator=torch.Generator().manual_seed(0))[:200000]],
        torch.tensor([0.0, 0.05, 0.5, 0.95, 1.0]),
    )
    return pd.Series(q.numpy(), index=["min", "5%", "median", "95%", "max"])


def world_sets(study: Study) -> tuple[Any, Any]:
    """The RSA image set (all twenty labels) and the target training set of the study's
    profile, rendered now (or read from the cache)."""
    p = study.profile
    kw = {"image_size": p.image_size, "seed": study.seed, "cache_dir": study.cache_dir,
          "device": study.device}  # fmt: skip
    return (source_data("rsa", p.n_rsa, **kw).prepare(),
            target_data("train", p.target_train, **kw).prepare())  # fmt: skip


def _pct(x: float) -> str:
    return f"{100 * x:.0f}"


def synthetic_world(
    study: Study, n_gallery: int = 4, *, sets: tuple | None = None
) -> SyntheticWorld:
    """Everything the data chapter reports. ``sets``: the RSA and target sets (default:
    :func:`world_sets`); anything with ``len`` and ``batch(slice, device)`` will do."""
    p = study.profile
    rsa_set, target_set = sets if sets is not None else world_sets(study)
    gallery = rsa_set.batch(slice(0, n_gallery))
    target_gallery = target_set.batch(slice(0, 2 * n_gallery))
    # what is in the images: every image of both sets
    _, stats_lab = rsa_set.batch(slice(0, len(rsa_set)), "cpu")
    src = class_frequencies(stats_lab["segment_semantic"], OBJECT_CATEGORIES)
    tgt = class_frequencies(
        target_set.batch(slice(0, len(target_set)), "cpu")[1], TARGET_CATEGORIES
    )
    rooms = pd.Series(
        torch.bincount(stats_lab["class_scene"], minlength=len(ROOM_TYPES)).numpy(),
        index=list(ROOM_TYPES),
    )
    depth_q = depth_statistics(stats_lab["depth_zbuffer"])
    in_view = (stats_lab["segment_semantic"] > 0).flatten(1).any(1).float().mean().item()
    # label RSA, and how far it agrees with Taskonomy's transfer affinities
    n_label = min(len(rsa_set), LABEL_RSA_IMAGES)
    order = tasks_by_type()
    sim = label_similarity(rsa_set.batch(slice(0, n_label))[1], order)
    sep = type_separation(sim)
    real = taskonomy_results.load_taskonomy_transfers("affinity", "16k")  # sources × targets
    label_real = taskonomy_results.per_target_spearman(sim, real, seed=study.seed)
    per_target = taskonomy_results.per_target_correlations(sim, real)
    real_by_type = taskonomy_results.agreement_by_type({"label RSA vs Taskonomy": sim}, real)
    values = {
        "data_image_size": p.image_size,
        "data_type_colors": type_colors_text(),
        "data_n_rsa": p.n_rsa,
        "data_generator": GENERATOR_VERSION,
        "data_src_object_share": _pct(1 - src["background"]),
        "data_tgt_object_share": _pct(1 - tgt["background"]),
        "data_objects_in_view": _pct(in_view),
        "data_depth_median": f"{depth_q['median']:.1f}",
        "data_depth_p5": f"{depth_q['5%']:.1f}",
        "data_depth_p95": f"{depth_q['95%']:.1f}",
        "data_label_rsa_n": n_label,
        "data_n_tasks": len(order),
        "data_within_2d": f"{sep['within_2d']:.2f}",
        "data_within_3d": f"{sep['within_3d']:.2f}",
        "data_between": f"{sep['between']:.2f}",
        "data_separation_reading": separation_reading(sep),
        "data_label_real_n": label_real[3],
    }
    text = {
        "data_label_real": report.fmt_interval(*label_real[:3]),
        "data_real_best": ", ".join(TASKS[t].label for t in per_target.nlargest(3).index),
        "data_real_worst": ", ".join(TASKS[t].label for t in per_target.nsmallest(3).index),
    }
    summary = (f"profile {p.name}: {p.image_size} px, device {study.device}, "
               f"generator {GENERATOR_VERSION}")  # fmt: skip
    return SyntheticWorld(
        summary, gallery, target_gallery, src, tgt, rooms,
        depth=pd.DataFrame({"z-depth (m)": depth_q}).T.round(2), similarity=sim,
        separation=pd.Series(sep).round(3).rename_axis("label pairs").to_frame("mean Spearman"),
        real_by_type=real_by_type.round(2), values=values, text=text,
    )  # fmt: skip
