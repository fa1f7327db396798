"""Taskonomy's published transfer results (``book/data/taskonomy``): reader and rank comparisons.

The CSVs hold Taskonomy's first-order transfers (Zamir et al., CVPR 2018; MIT licence, see the
folder's ``README.md`` and ``LICENSE``) between the study's 20 tasks: 20 sources x 18 targets
(colorization and inpainting are sources only). :func:`load_taskonomy_transfers` turns one file
into a sources x targets frame under the names of :data:`rsa_utils.tasks.TASK_NAMES`;
:func:`per_target_spearman` and :func:`ranking_spearman` compare such frames / per-source
rankings with bootstrap intervals, and :func:`comparison_row` makes one table row of a result.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import scipy.stats as ss

from rsa_utils.paths import REPO_ROOT
from rsa_utils.rsa.taxonomy import per_target_correlations  # noqa: F401 (part of this module's API)
from rsa_utils.world.tasks import TASK_NAMES

#: Where the shipped CSVs live.
TASKONOMY_RESULTS_DIR = REPO_ROOT / "book" / "data" / "taskonomy"

#: Upstream (Taskonomy code) task name -> this project's registry name, for all 20 tasks.
TASKONOMY_TO_REGISTRY: dict[str, str] = {
    "autoencoder": "autoencoding",
    "colorization": "colorization",
    "denoise": "denoising",
    "edge2d": "edge_texture",
    "impainting_whole": "inpainting",  # upstream's spelling
    "keypoint2d": "keypoints2d",
    "segment2d": "segment_unsup2d",
    "curvature": "curvature",
    "rgb2mist": "depth_euclidean",
    "rgb2depth": "depth_zbuffer",
    "edge3d": "edge_occlusion",
    "keypoint3d": "keypoints3d",
    "rgb2sfnorm": "normal",
    "reshade": "reshading",
    "segment25d": "segment_unsup25d",
    "room_layout": "room_layout",
    "vanishing_point_well_defined": "vanishing_point",
    "class_1000": "class_object",
    "class_places": "class_scene",
    "segmentsemantic_rb": "segment_semantic",
}

#: Which files exist: kind -> the training-set regimes it was published for.
TASKONOMY_RESULT_FILES: dict[str, tuple[str, ...]] = {
    "affinity": ("16k", "1k"),
    "winrate_vs_pixels": ("16k", "1k"),
    "winrate_vs_task": ("16k",),
}

#: Columns of a comparison table; one row per :func:`comparison_row`.
COMPARISON_COLUMNS: tuple[str, ...] = ("comparison", "spearman", "low", "high", "n_targets")


def registry_name(upstream: str) -> str:
    """The registry name of an upstream Taskonomy task name; ``ValueError`` for an unmapped one."""
    try:
        return TASKONOMY_TO_REGISTRY[upstream]
    except KeyError:
        raise ValueError(
            f"unknown Taskonomy task name {upstream!r}; mapped names are: "
            f"{', '.join(TASKONOMY_TO_REGISTRY)}"
        ) from None


def taskonomy_results_path(kind: str = "affinity", regime: str = "16k", root=None) -> Path:
    """Path of the CSV for ``kind`` and ``regime`` under ``root`` (default
    :data:`TASKONOMY_RESULTS_DIR`); ``ValueError`` for a kind or regime that was not published."""
    if kind not in TASKONOMY_RESULT_FILES:
        raise ValueError(
            f"unknown kind {kind!r}; allowed kinds are: {', '.join(TASKONOMY_RESULT_FILES)}"
        )
    regimes = TASKONOMY_RESULT_FILES[kind]
    if regime not in regimes:
        raise ValueError(
            f"no regime {regime!r} for kind {kind!r}; allowed regimes are: {', '.join(regimes)}"
        )
    return Path(TASKONOMY_RESULTS_DIR if root is None else root) / f"{kind}_{regime}.csv"


def load_taskonomy_transfers(
    kind: str = "affinity", regime: str = "16k", root=None
) -> pd.DataFrame:
    """Taskonomy's first-order transfer results as a sources x targets frame (20 x 18).

    ``kind``: ``affinity`` (AHP affinity, higher = better source), ``winrate_vs_pixels`` (win rate
    against training from scratch) or ``winrate_vs_task`` (win rate against the fully supervised
    target network, 16k only); ``regime``: ``16k`` or ``1k`` (transfer training set size).
    Index = source names, columns = target names, both in :data:`~rsa_utils.tasks.TASK_NAMES`
    order; the diagonal (source = target) is included. A missing file raises ``FileNotFoundError``.
    """
    path = taskonomy_results_path(kind, regime, root)
    if not path.is_file():
        raise FileNotFoundError(f"Taskonomy results file not found: {path}")
    raw = pd.read_csv(path)
    need = {"source_taskonomy", "target_taskonomy", "value"}
    if not need <= set(raw.columns):
        raise ValueError(f"{path}: expected columns {sorted(need)}, found {list(raw.columns)}")
    src = raw["source_taskonomy"].map(registry_name)
    tgt = raw["target_taskonomy"].map(registry_name)
    for col, mapped in (("source", src), ("target", tgt)):  # the file's own registry names
        if col in raw.columns and not (raw[col] == mapped).all():
            bad = raw.loc[raw[col] != mapped, [col, f"{col}_taskonomy"]].iloc[0].tolist()
            raise ValueError(f"{path}: {col} {bad[0]!r} disagrees with upstream name {bad[1]!r}")
    long = pd.DataFrame({"source": src, "target": tgt, "value": raw["value"].astype(float)})
    dup = long.duplicated(["source", "target"])
    if dup.any():
        s, t = long.loc[dup, ["source", "target"]].iloc[0]
        raise ValueError(f"{path}: duplicate entry for source {s!r}, target {t!r}")
    frame = long.pivot(index="source", columns="target", values="value")
    frame = frame.reindex(
        index=[n for n in TASK_NAMES if n in frame.index],
        columns=[n for n in TASK_NAMES if n in frame.columns],
    )
    frame.index.name, frame.columns.name = "source", "target"
    return frame


def _check_boot(n_boot: int, ci: float) -> None:
    if int(n_boot) < 1:
        raise ValueError(f"n_boot must be >= 1, got {n_boot}")
    if not 0 < ci < 1:
        raise ValueError(f"ci must be in (0, 1), got {ci}")


def _percentiles(draws: np.ndarray, ci: float) -> tuple[float, float]:
    draws = draws[np.isfinite(draws)]
    if draws.size == 0:
        return float("nan"), float("nan")
    lo, hi = np.percentile(draws, [100 * (1 - ci) / 2, 100 * (1 + ci) / 2])
    return float(lo), float(hi)


def per_target_spearman(
    a: pd.DataFrame,
    b: pd.DataFrame,
    n_boot: int = 1000,
    seed: int = 0,
    ci: float = 0.95,
    exclude_self: bool = True,
) -> tuple[float, float, float, int]:
    """Mean over targets of the per-target Spearman r_s between two sources x targets frames
    (see :func:`per_target_correlations`), with a percentile bootstrap interval that resamples
    the targets with replacement (``n_boot`` draws, ``numpy.random.default_rng(seed)``).

    Returns ``(mean, low, high, n_targets)``, ``n_targets`` = targets with a defined r_s; all
    NaN with ``n_targets = 0`` when none has one.
    """
    _check_boot(n_boot, ci)
    r = per_target_correlations(a, b, exclude_self=exclude_self).to_numpy()
    n = r.size
    if n == 0:
        return float("nan"), float("nan"), float("nan"), 0
    rng = np.random.default_rng(seed)
    draws = r[rng.integers(0, n, size=(int(n_boot), n))].mean(axis=1)  # (n_boot,)
    low, high = _percentiles(draws, ci)
    return float(r.mean()), low, high, int(n)


def _rowwise_spearman(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Spearman r_s of each row pair of (B, n) arrays (average ranks for ties; NaN if constant) → (B,)."""
    rx = ss.rankdata(x, axis=1)
    ry = ss.rankdata(y, axis=1)
    rx -= rx.mean(axis=1, keepdims=True)
    ry -= ry.mean(axis=1, keepdims=True)
    num = (rx * ry).sum(axis=1)
    den = np.sqrt((rx**2).sum(axis=1) * (ry**2).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def ranking_spearman(
    a: pd.Series, b: pd.Series, n_boot: int = 1000, seed: int = 0, ci: float = 0.95
) -> tuple[float, float, float, int]:
    """Spearman r_s between two per-source score series over their common index (pairs with a
    NaN dropped), with a percentile bootstrap interval resampling the (a, b) pairs with
    replacement (``n_boot`` draws, ``numpy.random.default_rng(seed)``; draws with a constant
    side are skipped). E.g. a published per-source ranking against an RSA ranking.

    Returns ``(rho, low, high, n)``, ``n`` = number of sources used (at least 3).
    """
    _check_boot(n_boot, ci)
    common = [s for s in a.index if s in b.index]
    x = a.loc[common].to_numpy(float)
    y = b.loc[common].to_numpy(float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    n = x.size
    if n < 3:
        raise ValueError(f"the two series share {n} sources with finite values; need at least 3")
    rho = float(ss.spearmanr(x, y).statistic)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(int(n_boot), n))
    low, high = _percentiles(_rowwise_spearman(x[idx], y[idx]), ci)
    return rho, low, high, int(n)


def comparison_row(name: str, result: tuple[float, float, float, int]) -> dict:
    """One row of a comparison table (keys :data:`COMPARISON_COLUMNS`) from the result of
    :func:`per_target_spearman` or :func:`ranking_spearman` (for the latter, ``n_targets`` holds
    the number of sources)."""
    est, low, high, n = result
    return dict(zip(COMPARISON_COLUMNS, (name, float(est), float(low), float(high), int(n))))


#: The three comparisons of S2 with the published affinities, in the order of the table.
REAL_COMPARISONS: dict[str, str] = {
    "rsa": "our RSA (networks) vs Taskonomy's affinities",
    "affinity": "our recomputed affinities vs Taskonomy's",
    "labels": "label RSA (the world's labels alone) vs Taskonomy's affinities",
}


def real_taskonomy_comparisons(
    real: pd.DataFrame,
    *,
    rsa_similarity: pd.DataFrame,
    affinity: pd.DataFrame,
    label_similarity: pd.DataFrame,
    n_boot: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """S2's comparisons with Taskonomy's published affinities ``real`` (sources x targets): the
    mean per-target Spearman (:func:`per_target_spearman`, bootstrap over targets) of our RSA
    between networks (task x task, read as sources x targets), our recomputed affinities
    (sources x targets) and the RSA between the world's labels (task x task). Each is compared
    over the tasks it holds. Returns a frame with :data:`COMPARISON_COLUMNS` and a ``key`` index
    (``rsa``, ``affinity``, ``labels``)."""
    frames = {"rsa": rsa_similarity, "affinity": affinity, "labels": label_similarity}
    rows = [
        comparison_row(REAL_COMPARISONS[k], per_target_spearman(f, real, n_boot=n_boot, seed=seed))
        for k, f in frames.items()
    ]
    return pd.DataFrame(
        rows, columns=list(COMPARISON_COLUMNS), index=pd.Index(list(frames), name="key")
    )


def as_target_matrix(real: pd.DataFrame, tasks) -> pd.DataFrame:
    """The published sources x targets frame as a task x task matrix (rows = targets, columns =
    sources), NaN rows for the tasks that are sources only (colorization, inpainting): the
    layout of Fig S5's affinity panels."""
    return real.T.reindex(index=list(tasks), columns=list(tasks))


def agreement_by_type(frames: dict[str, pd.DataFrame], real: pd.DataFrame) -> pd.DataFrame:
    """Per-target Spearman with ``real`` (:func:`per_target_correlations`) averaged within each
    task type of the target: rows = task types, columns = the keys of ``frames`` (mean r_s) and
    ``n`` (targets of that type compared; the first frame's)."""
    from rsa_utils.world.tasks import TASKS

    per = {k: per_target_correlations(f, real) for k, f in frames.items()}
    out = pd.DataFrame(per)
    out["type"] = [TASKS[t].type for t in out.index]
    means = out.groupby("type")[list(frames)].mean()
    means["n"] = out.groupby("type")[next(iter(frames))].count()
    return means
