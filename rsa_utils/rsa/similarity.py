"""Similarity measures beside RSA on the same features: CKA and the DDS family (SPEC §6).

RSA (:mod:`rsa_utils.rsa`) compares two representations through their correlation-distance
RDMs and a Spearman correlation. Centered kernel alignment (CKA; Kornblith et al., 2019)
compares their centred Gram matrices instead; with a linear kernel it is invariant to
orthogonal transforms and isotropic scaling of either representation, not to arbitrary
invertible linear maps. The duality-diagram similarity (DDS; Dwivedi et al., 2021) family
standardises each feature (z-score), builds an image-by-image kernel (cosine, Laplacian, ...)
and compares kernels; here they are compared by CKA.

Features are ``(n_images, d)`` arrays (d may differ between the two); every measure returns a
number in [0, 1] (1 for representations equal up to the measure's invariances).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import torch

from rsa_utils.rsa import core as rsa
from rsa_utils.rsa.consistency import matrix_correlation
from rsa_utils.rsa.taxonomy import agreement_summary, transfer_agreement

#: Kernels of :func:`kernel_matrix`.
KERNELS: tuple[str, ...] = ("linear", "cosine", "laplacian")


def _features(x, device=None) -> torch.Tensor:
    t = torch.as_tensor(np.asarray(x) if not isinstance(x, torch.Tensor) else x)
    t = t.to(device=device or t.device, dtype=torch.float64)
    if t.ndim != 2:
        t = t.reshape(len(t), -1)
    return t


def zscore(x, device=None) -> torch.Tensor:
    """Each feature standardised over the images (constant features set to 0): (n, d) float64."""
    t = _features(x, device)
    sd = t.std(0, unbiased=False)
    return (t - t.mean(0)) / torch.where(sd > 0, sd, torch.ones_like(sd))


def kernel_matrix(x, kernel: str = "linear", device=None) -> torch.Tensor:
    """Image-by-image kernel (n, n) of features (n, d): ``linear`` x xᵀ, ``cosine``, or
    ``laplacian`` exp(−‖xᵢ − xⱼ‖₁ / median off-diagonal ‖·‖₁)."""
    if kernel not in KERNELS:
        raise ValueError(f"unknown kernel {kernel!r}; use one of {', '.join(KERNELS)}")
    t = _features(x, device)
    if kernel == "linear":
        return t @ t.T
    if kernel == "cosine":
        u = t / t.norm(dim=1, keepdim=True).clamp_min(1e-12)
        return u @ u.T
    dist = torch.cdist(t, t, p=1)
    off = dist[~torch.eye(len(t), dtype=torch.bool, device=t.device)]
    scale = off.median().clamp_min(1e-12) if off.numel() else torch.ones((), dtype=t.dtype)
    return torch.exp(-dist / scale)


def _centre(k: torch.Tensor) -> torch.Tensor:
    return k - k.mean(0, keepdim=True) - k.mean(1, keepdim=True) + k.mean()


def kernel_cka(kx: torch.Tensor, ky: torch.Tensor) -> float:
    """CKA of two kernels (n, n): ⟨HKₓH, HK_yH⟩ / (‖HKₓH‖ ‖HK_yH‖), H the centring matrix."""
    a, b = _centre(kx.to(torch.float64)), _centre(ky.to(torch.float64))
    den = a.norm() * b.norm()
    return float((a * b).sum() / den) if den > 0 else float("nan")


def linear_cka(x, y, device=None) -> float:
    """Linear CKA of two representations (n, d₁) and (n, d₂) of the same images."""
    return kernel_cka(kernel_matrix(x, "linear", device), kernel_matrix(y, "linear", device))


def dds(x, y, kernel: str = "cosine", device=None) -> float:
    """DDS-style similarity: z-scored features, a ``kernel`` per representation, compared by CKA."""
    return kernel_cka(
        kernel_matrix(zscore(x, device), kernel), kernel_matrix(zscore(y, device), kernel)
    )


def similarity_table(
    features: Mapping[str, np.ndarray] | Sequence[np.ndarray],
    measure: str = "linear_cka",
    names: Sequence[str] | None = None,
    device=None,
) -> pd.DataFrame:
    """Pairwise similarity (T, T) of T representations of the same images by ``measure``:
    ``linear_cka`` or ``dds_<kernel>`` (e.g. ``dds_cosine``, ``dds_laplacian``)."""
    if isinstance(features, Mapping):
        names, feats = list(features), list(features.values())
    else:
        feats = list(features)
        names = list(names) if names is not None else [str(i) for i in range(len(feats))]
    if measure == "linear_cka":
        kernels = [_centre(kernel_matrix(f, "linear", device)) for f in feats]
    elif measure.startswith("dds_") and measure[4:] in KERNELS:
        kernels = [_centre(kernel_matrix(zscore(f, device), measure[4:])) for f in feats]
    else:
        allowed = ["linear_cka", *(f"dds_{k}" for k in KERNELS)]
        raise ValueError(f"unknown measure {measure!r}; use one of {', '.join(allowed)}")
    flat = torch.stack([k.flatten() for k in kernels])
    gram = flat @ flat.T
    norm = gram.diagonal().sqrt()
    sim = (gram / torch.outer(norm, norm)).cpu().numpy()
    return pd.DataFrame(sim, index=names, columns=names)


# --- the "beyond the paper" comparison ---------------------------------------------------------
#: The encoder stages of layer-wise RSA (:func:`rsa_utils.features.encoder_features`, stages=True).
LAYERS: tuple[str, ...] = ("block 1", "block 2", "block 3", "block 4", "encoder output")
#: Display name → measure (``rsa`` or a :func:`similarity_table` measure).
MEASURES: dict[str, str] = {"RSA (the paper)": "rsa", "linear CKA": "linear_cka",
                            "DDS, cosine kernel": "dds_cosine", "DDS, Laplacian kernel": "dds_laplacian"}  # fmt: skip


def measure_matrices(features: Mapping[str, np.ndarray], device=None) -> dict[str, pd.DataFrame]:
    """Task × task similarity by every measure of :data:`MEASURES`, from task → features (n, d)."""
    names = list(features)
    out: dict[str, pd.DataFrame] = {}
    for label, m in MEASURES.items():
        if m == "rsa":
            out[label] = rsa.similarity_matrix(
                _rdms([features[t] for t in names], device), names, device=device
            )
        else:
            out[label] = similarity_table(features, m, device=device)
    return out


def layer_rsa_matrices(
    stages: Mapping[str, Sequence[np.ndarray]], device=None
) -> dict[str, pd.DataFrame]:
    """Task × task RSA at every layer of :data:`LAYERS`, from task → its five stage features."""
    names = list(stages)
    return {
        layer: rsa.similarity_matrix(_rdms([stages[t][i] for t in names], device), names, device=device)
        for i, layer in enumerate(LAYERS)
    }  # fmt: skip


def _rdms(features: Sequence[np.ndarray], device=None) -> torch.Tensor:
    """RDMs (T, n, n) of T representations whose dimensions may differ."""
    return torch.stack([rsa.rdm(f, device=device, as_numpy=False) for f in features])


def agreement_table(
    matrices: Mapping[str, pd.DataFrame], affinity: pd.DataFrame, seed: int = 0
) -> pd.DataFrame:
    """One row per similarity matrix: its agreement with the transfer affinities
    (:func:`rsa_utils.taxonomy.agreement_summary` of :func:`~rsa_utils.taxonomy.transfer_agreement`)."""
    rows = {
        k: agreement_summary(transfer_agreement(m, affinity), seed=seed)
        for k, m in matrices.items()
    }
    return pd.DataFrame(rows).T.astype({"positive": int, "targets": int})


def matrix_correlations(matrices: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Pearson correlation between the off-diagonal upper triangles of every pair of matrices."""
    names = list(matrices)
    return pd.DataFrame(
        [[matrix_correlation(matrices[a], matrices[b]) for b in names] for a in names],
        index=names, columns=names,
    )  # fmt: skip
