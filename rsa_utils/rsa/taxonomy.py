"""Task taxonomy: clustering of similarity matrices and Taskonomy's transfer affinities (AHP).

Clustering follows SPEC §1: ``scipy.cluster.hierarchy.linkage(S, "single", "euclidean",
optimal_ordering=True)`` on the rows of the similarity matrix. Affinities follow Taskonomy:
per-image test losses of transfers from each source → pairwise win rates → analytic
hierarchy process (principal eigenvector of W / Wᵀ, normalised to sum 1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.cluster import hierarchy
from scipy.special import comb
from scipy.stats import bootstrap, spearmanr
from scipy.stats.contingency import crosstab


def linkage(similarity: pd.DataFrame | np.ndarray) -> np.ndarray:
    """Single-linkage, Euclidean, optimally ordered linkage of the rows of a (T, F) matrix: T
    tasks, each described by F values (a similarity matrix's row; a source's affinities to F
    targets)."""
    s = np.asarray(similarity, dtype=float)
    if s.ndim != 2 or s.shape[0] < 2 or not np.isfinite(s).all():
        raise ValueError(f"need a finite (T, F) matrix with T >= 2 rows; got shape {s.shape}"
                         + ("" if np.isfinite(s).all() else " with missing values"))  # fmt: skip
    return hierarchy.linkage(s, method="single", metric="euclidean", optimal_ordering=True)


def clusters(similarity: pd.DataFrame, k: int) -> pd.Series:
    """Flat cluster labels (1..k) of each task when the tree is cut into ``k`` clusters."""
    labels = hierarchy.fcluster(linkage(similarity), t=k, criterion="maxclust")
    return pd.Series(labels, index=similarity.index, name="cluster")


def leaf_order(similarity: pd.DataFrame) -> list:
    """The tasks in the dendrogram's (optimal) leaf order."""
    return [similarity.index[i] for i in hierarchy.leaves_list(linkage(similarity))]


def adjusted_rand_index(a: Sequence, b: Sequence) -> float:
    """Adjusted Rand index between two flat clusterings of the same items (1 = identical)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        raise ValueError(f"clusterings differ in length: {a.shape} vs {b.shape}")
    table = crosstab(a, b).count
    sum_cells = comb(table, 2).sum()
    sum_a, sum_b = comb(table.sum(1), 2).sum(), comb(table.sum(0), 2).sum()
    expected = sum_a * sum_b / comb(len(a), 2)
    top = (sum_a + sum_b) / 2
    if top == expected:
        return 1.0
    return float((sum_cells - expected) / (top - expected))


def moved_items(a: pd.Series, b: pd.Series) -> list:
    """Items whose cluster in ``b`` is not the one that most of their ``a``-cluster went to.

    ``a``, ``b``: flat cluster labels indexed by item. Each cluster of ``a`` is matched to the
    ``b`` cluster holding most of its members; the items outside that match moved.
    """
    moved = []
    for _, members in a.groupby(a):
        target = b.loc[members.index].mode().iloc[0]
        moved += [i for i in members.index if b.loc[i] != target]
    return [i for i in a.index if i in moved]


def moved_either_way(a: pd.Series, b: pd.Series) -> list:
    """Items that move in either direction (:func:`moved_items` of a → b and of b → a), in the
    order of ``a``'s index: a cluster that splits and one that merges both count."""
    moved = set(moved_items(a, b)) | set(moved_items(b, a))
    return [i for i in a.index if i in moved]


def win_rates(losses: np.ndarray) -> np.ndarray:
    """Pairwise win rates from per-image losses (S sources, N images) → (S, S).

    W[i, j] = fraction of images on which source i has a lower loss than source j (ties count
    one half); W[i, i] = 0.5.
    """
    x = np.asarray(losses, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"losses must be (sources, images); got shape {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError("losses contain NaN or inf")
    less = (x[:, None, :] < x[None, :, :]).mean(axis=2)
    equal = (x[:, None, :] == x[None, :, :]).mean(axis=2)
    return less + 0.5 * equal


def ahp_affinities(wins: np.ndarray, clip: tuple[float, float] = (0.001, 0.999)) -> np.ndarray:
    """Analytic hierarchy process on a win-rate matrix (S, S) → affinities (S,) summing to 1.

    W is clipped to ``clip``, W' = W / Wᵀ, and the result is the principal eigenvector of W'
    (Perron vector, positive) normalised to sum 1.
    """
    w = np.clip(np.asarray(wins, dtype=float), *clip)
    ratio = w / w.T
    vals, vecs = np.linalg.eig(ratio)
    v = np.abs(np.real(vecs[:, np.argmax(np.real(vals))]))
    return v / v.sum()


def affinity_matrix(losses: dict[str, np.ndarray], sources: Sequence[str]) -> pd.DataFrame:
    """Affinities of every source for every target from per-image transfer losses.

    ``losses[target]``: (S, N) test losses of the transfers from each of ``sources`` to that
    target. Returns a DataFrame (sources × targets), each column summing to 1.
    """
    cols = {t: ahp_affinities(win_rates(loss)) for t, loss in losses.items()}
    return pd.DataFrame(cols, index=list(sources))


def own_best_share(
    losses: dict[str, np.ndarray],
    sources: Sequence[str],
    *,
    n_boot: int = 100,
    seed: int = 0,
    twins: Mapping[str, Sequence[str]] | None = None,
) -> pd.Series:
    """For each target of ``losses`` (as :func:`affinity_matrix`; targets among ``sources``),
    the fraction of bootstrap draws over its test images (the same images for every source) in
    which its own encoder has the highest affinity → (T,), in [0, 1]. With ``twins`` (target →
    its label twins), a draw also counts when one of the target's twins is the best source."""
    sources = list(sources)
    rng = np.random.default_rng([seed, 2])
    out = {}
    for t, loss in losses.items():
        x = np.asarray(loss, dtype=float)
        draws = rng.integers(0, x.shape[1], size=(n_boot, x.shape[1]))
        own = [sources.index(u) for u in (t, *(twins or {}).get(t, ())) if u in sources]
        out[t] = float(
            np.mean([np.argmax(ahp_affinities(win_rates(x[:, d]))) in own for d in draws])
        )
    return pd.Series(out, name="own_best_share")


def transfer_agreement(similarity: pd.DataFrame, affinity: pd.DataFrame) -> pd.Series:
    """Per-target agreement of a task-similarity matrix (T × T, symmetric) with the transfer
    affinities (sources × targets): for each target, Spearman's r_s between its similarity to
    the other tasks and their affinities as its sources (the target itself left out). NaN where
    either column is constant."""
    r = per_target_correlations(similarity, affinity)
    return r.reindex(affinity.columns).rename("r_s")


def per_target_correlations(
    a: pd.DataFrame, b: pd.DataFrame, exclude_self: bool = True
) -> pd.Series:
    """Spearman r_s per target between two sources x targets frames: for each column shared by
    both, over their common sources (without the target itself when ``exclude_self``; pairs with a
    NaN dropped). Targets with an undefined r_s (a constant column) are left out → (T,)."""
    targets = [t for t in a.columns if t in b.columns]
    sources = [s for s in a.index if s in b.index]
    if not targets:
        raise ValueError("the two frames share no target column")
    if len(sources) < 3:
        raise ValueError(f"the two frames share {len(sources)} sources; need at least 3")
    out = {}
    for t in targets:
        rows = [s for s in sources if not (exclude_self and s == t)]
        x = a.loc[rows, t].to_numpy(float)
        y = b.loc[rows, t].to_numpy(float)
        ok = np.isfinite(x) & np.isfinite(y)
        x, y = x[ok], y[ok]
        if x.size < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
            continue
        r = float(spearmanr(x, y).statistic)
        if np.isfinite(r):
            out[t] = r
    return pd.Series(out, dtype=float, name="spearman")


def agreement_summary(agree: pd.Series, *, n_resamples: int = 1000, seed: int = 0) -> dict:
    """Mean of per-target agreements (:func:`transfer_agreement`) with a percentile bootstrap
    interval over targets, and how many are positive: {mean, low, high, positive, targets}."""
    v = agree.dropna().to_numpy(float)
    res = bootstrap((v,), np.mean, n_resamples=n_resamples, method="percentile",
                    random_state=np.random.default_rng(seed))  # fmt: skip
    return {"mean": float(v.mean()), "low": float(res.confidence_interval.low),
            "high": float(res.confidence_interval.high), "positive": int((v > 0).sum()), "targets": len(v)}  # fmt: skip
