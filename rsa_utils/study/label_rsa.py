"""RSA on the labels themselves, before any network: their similarity, the separation of types.

Each task's targets over the same images are flattened into features, a 1 - Pearson RDM is
computed per task, and the RDMs are compared with Spearman's correlation (the study's recipe,
SPEC section 1). If the world separates task types, 3D labels resemble 3D labels more than 2D ones.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from rsa_utils import rsa
from rsa_utils.world.tasks import TASK_TYPES, TASKS, tasks_of_type


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


#: Label-RSA similarity at or above which two tasks are *label twins*: their labels order the
#: images alike, being the very same image (autoencoding, denoising, inpainting) or the same
#: depth measured two ways (z-depth, distance). The next most similar labels correlate < 0.8.
TWIN_THRESHOLD = 0.95


def label_twins(
    similarity: pd.DataFrame, threshold: float = TWIN_THRESHOLD
) -> dict[str, list[str]]:
    """Task → its label twins: the other tasks whose label RDMs correlate with its own at
    ``threshold`` or more (``similarity``: :func:`label_similarity`); [] for most tasks."""
    names = list(similarity.index)
    return {a: [b for b in names if b != a and similarity.loc[a, b] >= threshold] for a in names}


def tasks_by_type() -> list[str]:
    """Every task, grouped 2D, 3D, geometric, semantic (the order of the label-RSA matrix)."""
    return [n for t in TASK_TYPES for n in tasks_of_type(t)]


def same_label(a: str, b: str) -> bool:
    """Whether two tasks have the very same label: the clean RGB image (autoencoding,
    denoising, inpainting), which differ only in their inputs."""
    return TASKS[a].target == TASKS[b].target == "rgb"


def _mean_pairs(similarity: pd.DataFrame, a: list[str], b: list[str], same: bool) -> float:
    vals = [similarity.loc[x, y] for i, x in enumerate(a) for j, y in enumerate(b)
            if (not same or i < j) and not same_label(x, y)]  # fmt: skip
    return float(np.mean(vals))


def type_separation(similarity: pd.DataFrame) -> dict[str, float]:
    """Mean label-RSA similarity within 2D, within 3D and between 2D and 3D tasks, over pairs of
    different tasks whose labels differ (pairs with :func:`same_label` would count 1 for free)."""
    names = list(similarity.index)
    two = [n for n in names if TASKS[n].type == "2D"]
    three = [n for n in names if TASKS[n].type == "3D"]
    return {
        "within_2d": _mean_pairs(similarity, two, two, True),
        "within_3d": _mean_pairs(similarity, three, three, True),
        "between": _mean_pairs(similarity, two, three, False),
    }


def separation_reading(sep: dict[str, float]) -> str:
    """What :func:`type_separation` says in words: a type forms a group of its own when its
    pairs correlate more than twice as much as 2D-3D pairs."""
    between = 2 * sep["between"]
    if sep["within_3d"] > between and sep["within_2d"] < between:
        return ("the 3D labels form a group of their own before any network sees them, while the "
                "2D labels resemble each other little more than they resemble the 3D ones")  # fmt: skip
    if min(sep["within_2d"], sep["within_3d"]) > between:
        return "both types form groups of their own before any network sees them"
    return "the labels do not separate the task types clearly"
