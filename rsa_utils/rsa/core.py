"""Representational similarity analysis: RDMs, RDM comparison, rankings and resampling intervals.

The method follows the authors' released code (SPEC §1): every feature is centred across the n
images, RDM[i, j] = 1 - Pearson(image i, image j), and two RDMs are compared by the Spearman
correlation of their off-diagonal upper triangles (ties get average ranks).

Everything is vectorised torch on the CPU or a GPU; arrays go in and come out as numpy.
Each RDM is ranked **once** and all pairs of a stack are compared in one matrix product.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch

METHODS = ("spearman", "pearson")


def _device(device: str | torch.device | None) -> torch.device:
    return torch.device(device) if device is not None else torch.device("cpu")


def _as_tensor(x, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    if isinstance(x, torch.Tensor):
        return x.to(device=device, dtype=dtype)
    return torch.as_tensor(np.asarray(x), dtype=dtype, device=device)


def _unit_patterns(features, dtype: torch.dtype, device) -> tuple[torch.Tensor, bool]:
    """Features (n, d) or (T, n, d) → (T, n, d) with every feature centred across images and
    every image centred and scaled to unit norm (so that x_i · x_j is their Pearson r)."""
    x = _as_tensor(features, dtype, _device(device))
    single = x.ndim == 2
    if single:
        x = x[None]
    if x.ndim != 3:
        raise ValueError(f"features must be (n, d) or (T, n, d); got shape {tuple(x.shape)}")
    _, n, d = x.shape
    if n < 3:
        raise ValueError(f"an RDM needs at least 3 images; got n={n}")
    bad = ~torch.isfinite(x).all(dim=2)
    if bad.any():
        t, i = (int(v) for v in bad.nonzero()[0])
        raise ValueError(f"features of image {i} (feature set {t}) contain NaN or inf")
    x = x - x.mean(dim=1, keepdim=True)  # centre each feature across images
    x = x - x.mean(dim=2, keepdim=True)  # Pearson: centre each image across features
    norm = x.norm(dim=2, keepdim=True)
    tiny = norm.squeeze(2) <= torch.finfo(dtype).eps * max(1.0, float(d) ** 0.5) * x.abs().amax()
    if tiny.any():
        t, i = (int(v) for v in tiny.nonzero()[0])
        raise ValueError(
            f"image {i} (feature set {t}) has a constant feature vector after centring; "
            "its correlation with other images is undefined"
        )
    return x / norm, single


def rdm(
    features,
    *,
    dtype: torch.dtype = torch.float32,
    device: str | torch.device | None = None,
    as_numpy: bool = True,
):
    """Representational dissimilarity matrix of one (n, d) or a stack (T, n, d) of feature sets.

    Each of the d features is centred across the n images; RDM[i, j] = 1 - Pearson correlation
    between images i and j; the diagonal is exactly 0. Returns (n, n) or (T, n, n), float32 by
    default (``dtype=torch.float64`` for double precision). Features of more than two trailing
    dims per image must be flattened by the caller.

    Raises ``ValueError`` naming the image when an image has a NaN/inf feature or a constant
    (zero-variance after centring) feature vector, for which the correlation is undefined.
    """
    x, single = _unit_patterns(features, dtype, device)
    out = 1.0 - x @ x.transpose(1, 2)
    out.diagonal(dim1=1, dim2=2).zero_()
    out = out[0] if single else out
    return out.cpu().numpy() if as_numpy else out


def condensed_rdms(
    features, *, dtype: torch.dtype = torch.float32, device=None, block: int = 512
) -> torch.Tensor:
    """The off-diagonal dissimilarities of :func:`rdm` for (T, n, d) features as (T, n(n-1)/2),
    without forming the n × n matrices: image blocks are multiplied only on and above the
    diagonal (about half the products of :func:`rdm` for large n).

    The pairs come in block order, not row-major order; the order is the same for every feature
    set, which is all that :func:`similarity_matrix` needs (it accepts condensed input).
    """
    x, _ = _unit_patterns(features, dtype, device)
    n = x.shape[1]
    parts = []
    for i in range(0, n, block):
        xi = x[:, i : i + block]
        for j in range(i, n, block):
            c = xi @ x[:, j : j + block].transpose(1, 2)
            if j == i:
                iu = torch.triu_indices(c.shape[1], c.shape[2], offset=1, device=c.device)
                c = c[:, iu[0], iu[1]]
            parts.append(c.reshape(len(x), -1).neg_().add_(1.0))
    return torch.cat(parts, dim=1)


#: Tolerances of the checks a square matrix passes as an RDM (symmetric, zero diagonal).
RDM_ATOL = 1e-5


def upper_triangle(
    rdms,
    *,
    device: str | torch.device | None = None,
    dtype=torch.float64,
    condensed: bool | None = None,
) -> torch.Tensor:
    """Off-diagonal upper triangles of (n, n) or (T, n, n) RDMs → (T, n(n-1)/2) torch tensor.

    A 2-D input is condensed rows (T, m) passed through when it is not square or when
    ``condensed=True``; a square 2-D input is otherwise one RDM and must be one: symmetric and
    with a zero diagonal within :data:`RDM_ATOL` (``ValueError`` naming what is wrong, e.g. for
    a similarity matrix or ``1 - corrcoef`` computed in another precision). ``dtype=None`` keeps
    the input's dtype.
    """
    if not isinstance(rdms, torch.Tensor):
        rdms = torch.as_tensor(np.asarray(rdms))
    r = rdms.to(
        device=_device(device) if device is not None else rdms.device, dtype=dtype or rdms.dtype
    )
    if r.ndim == 2 and not condensed and r.shape[0] == r.shape[1]:
        _check_rdm(r)
        r = r[None]
    if r.ndim == 3:
        n = r.shape[-1]
        iu = torch.triu_indices(n, n, offset=1, device=r.device)
        return r[:, iu[0], iu[1]]
    if r.ndim == 2:
        return r
    raise ValueError(f"RDMs must be (n, n), (T, n, n) or condensed (T, m); got {tuple(r.shape)}")


def _check_rdm(r: torch.Tensor) -> None:
    """``ValueError`` unless the square matrix ``r`` is symmetric with a zero diagonal."""
    n = r.shape[0]
    diag = float(r.diagonal().abs().max()) if n else 0.0
    asym = float((r - r.T).abs().max()) if n else 0.0
    if not (diag <= RDM_ATOL and asym <= RDM_ATOL):
        what = [f"its diagonal is not 0 (largest |value| {diag:.3g})"] if diag > RDM_ATOL else []
        what += [f"it is not symmetric (largest |r - rᵀ| {asym:.3g})"] if asym > RDM_ATOL else []
        raise ValueError(
            f"a square {n} x {n} input is read as an RDM, but {' and '.join(what)} (tolerance "
            f"{RDM_ATOL}); pass condensed=True if its rows are condensed RDMs"
        )


def _argsort_rows(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Sorted values and sorting order of each row of x (T, m).

    On the CPU numpy's vectorised (AVX-512) argsort, one row per thread, is about 3x faster
    than ``torch.sort``; elsewhere ``torch.sort``.
    """
    if x.device.type != "cpu":
        return torch.sort(x, dim=1)
    a = x.contiguous().numpy()
    order = np.empty(a.shape, dtype=np.int64)

    def one(i: int) -> None:
        order[i] = np.argsort(a[i])

    with ThreadPoolExecutor(max(1, torch.get_num_threads())) as pool:
        list(pool.map(one, range(len(a))))
    order_t = torch.from_numpy(order)
    return torch.gather(x, 1, order_t), order_t


def rank_rows(x: torch.Tensor) -> torch.Tensor:
    """Ranks (1-based, float64) along the last axis with average ranks for ties, like
    ``scipy.stats.rankdata(x, axis=-1)``. x: (T, m) → (T, m). One sort per row."""
    t, m = x.shape
    vals, order = _argsort_rows(x)
    starts = torch.ones_like(vals, dtype=torch.bool)
    starts[:, 1:] = vals[:, 1:] != vals[:, :-1]  # a tie group starts here (every row starts one)
    starts = starts.flatten()
    first = starts.nonzero().squeeze(1)  # flat position where each group starts
    last = torch.cat([first[1:], first.new_tensor([t * m])]) - 1  # ... and ends
    # average rank of each group within its row: (first + last) / 2 - row start + 1
    group_rank = (
        (first + last).to(torch.float64) / 2 - torch.div(first, m, rounding_mode="floor") * m + 1
    )
    group = torch.cumsum(starts, 0) - 1  # group of each flat position
    avg = group_rank[group].view(t, m)
    return torch.empty_like(avg).scatter_(1, order, avg)


def _correlate_rows(v: torch.Tensor) -> torch.Tensor:
    """Pearson correlation between all rows of v (T, m) → (T, T), from one float64 Gram matrix
    (covariance = G/m − μμᵀ), without centred copies of the long rows."""
    v = v.to(torch.float64)
    m = v.shape[1]
    mu = v.mean(dim=1)
    cov = (v @ v.T) / m - torch.outer(mu, mu)
    sd = cov.diagonal().clamp_min(0).sqrt()
    if (sd <= 1e-12 * mu.abs().clamp_min(1)).any():
        raise ValueError("an RDM is constant over all image pairs; its correlation is undefined")
    return (cov / torch.outer(sd, sd)).clamp(-1.0, 1.0)


def similarity_matrix(
    rdms,
    names: Sequence[str] | None = None,
    *,
    method: str = "spearman",
    device: str | torch.device | None = None,
    condensed: bool | None = None,
) -> pd.DataFrame:
    """All-pairs RDM similarity of a stack of T RDMs (T, n, n) or condensed (T, m).

    ``spearman`` (the paper): each RDM's upper triangle ranked once (average ranks for ties),
    then Pearson between rank vectors. ``pearson``: Pearson on the raw dissimilarities.
    Returns a (T, T) DataFrame labelled by ``names`` (default 0..T-1), values in [-1, 1].
    """
    if method not in METHODS:
        raise ValueError(f"method={method!r} is not allowed; allowed: {METHODS}")
    v = upper_triangle(rdms, device=device, dtype=None, condensed=condensed)
    if method == "spearman":
        v = rank_rows(v)
    s = _correlate_rows(v).cpu().numpy()
    names = list(names) if names is not None else list(range(len(s)))
    if len(names) != len(s):
        raise ValueError(f"{len(names)} names for {len(s)} RDMs")
    return pd.DataFrame(s, index=names, columns=names)


def compare_rdms(
    a, b, *, method: str = "spearman", device: str | torch.device | None = None
) -> float:
    """Similarity of two RDMs (n, n) (or condensed): Spearman (default) or Pearson, in [-1, 1]."""
    va, vb = upper_triangle(a, device=device), upper_triangle(b, device=device)
    if va.shape != vb.shape:
        raise ValueError(f"RDMs differ in size: {tuple(va.shape)} vs {tuple(vb.shape)}")
    both = torch.cat([va, vb])
    return float(similarity_matrix(both, method=method, device=device, condensed=True).iloc[0, 1])


def ranking(similarity: pd.DataFrame, task: str, *, sort: bool = False) -> pd.Series:
    """Task ``task``'s similarity scores to every other task (its row without itself).

    In the matrix's order by default (so two rankings of the same tasks can be correlated);
    ``sort=True`` sorts descending (the most similar task first).
    """
    if task not in similarity.index:
        raise ValueError(
            f"unknown task {task!r}; the matrix has: {', '.join(map(str, similarity.index))}"
        )
    row = similarity.loc[task].drop(task)
    return row.sort_values(ascending=False) if sort else row


@dataclass
class Resampled:
    """A statistic on all images, its resampling distribution and a percentile interval."""

    estimate: np.ndarray | float
    samples: np.ndarray  # (n_draws, ...) the statistic on each draw
    low: np.ndarray | float
    high: np.ndarray | float
    level: float

    def __repr__(self) -> str:
        return f"Resampled(estimate={self.estimate!r}, interval=[{self.low!r}, {self.high!r}] @ {self.level})"


def _pair_mask_condensed(rdms: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    """Condensed RDMs of the images ``idx`` (with repeats), dropping pairs of an image with itself."""
    m = len(idx)
    iu = torch.triu_indices(m, m, offset=1, device=rdms.device)
    a, b = idx[iu[0]], idx[iu[1]]
    keep = a != b
    return rdms[:, a[keep], b[keep]]


def _stack(rdms, dev) -> torch.Tensor:
    r = (
        _as_tensor(rdms, torch.float64, dev)
        if not isinstance(rdms, torch.Tensor)
        else rdms.to(dev, torch.float64)
    )
    return r[None] if r.ndim == 2 else r


def _alternatives(v, dev) -> list[torch.Tensor]:
    """A ``replicates`` value as a list of stacks: one RDM stack, or a list of several
    networks' (each (n, n) or (len, n, n))."""
    return [_stack(a, dev) for a in v] if isinstance(v, list) else [_stack(v, dev)]


def pick_network(u: float, n_alternatives: int) -> int | None:
    """Which of a network's ``n_alternatives`` other replicates a draw takes for a uniform
    ``u`` in [0, 1): index ``floor(u (m + 1))`` when below m, else None (the given network).
    Each of the m + 1 networks is equally likely; with one alternative, u < 0.5 takes it."""
    i = int(u * (n_alternatives + 1))
    return i if i < n_alternatives else None


def _resample(
    rdms, statistic, n_draws, size, replace, seed, level, device, replicates=None
) -> Resampled:
    dev = _device(device)
    r = _stack(rdms, dev)
    n = r.shape[-1]
    # (rows, the other replicates' RDMs [(len(rows), n, n), ...]), one group per network
    groups = sorted(((k,) if isinstance(k, int) else tuple(k), _alternatives(v, dev))
                    for k, v in (replicates or {}).items())  # fmt: skip
    for rows, alts in groups:
        for alt in alts:
            if len(rows) != len(alt):
                raise ValueError(f"replicates: rows {rows} need {len(rows)} RDMs, got {len(alt)}")
    g = torch.Generator().manual_seed(seed)
    samples, on_all = [], []
    for _ in range(n_draws):
        idx = (
            torch.randint(n, (size,), generator=g)
            if replace
            else torch.randperm(n, generator=g)[:size]
        )
        drawn = r
        if groups:  # each network with replicates: one of them, at random
            picks = [pick_network(u, len(alts))
                     for u, (_, alts) in zip(torch.rand(len(groups), generator=g).tolist(), groups)]  # fmt: skip
            if any(p is not None for p in picks):
                drawn = r.clone()
                for (rows, alts), p in zip(groups, picks):
                    if p is not None:
                        drawn[list(rows)] = alts[p]
            on_all.append(np.asarray(statistic(upper_triangle(drawn))))
        samples.append(np.asarray(statistic(_pair_mask_condensed(drawn, idx.to(dev)))))
    samples = np.stack(samples)
    # the estimate: on all images; with replicates, averaged over the draws' choices of network,
    # so that it does not rest on which replicate happens to be listed first
    full = np.nanmean(np.stack(on_all), 0) if groups else np.asarray(statistic(upper_triangle(r)))
    alpha = (1 - level) / 2
    low, high = np.nanquantile(samples, [alpha, 1 - alpha], axis=0)
    return Resampled(full if full.ndim else float(full), samples, low, high, level)


def bootstrap(
    rdms,
    statistic: Callable[[torch.Tensor], float | np.ndarray],
    *,
    n_boot: int = 100,
    seed: int = 0,
    level: float = 0.95,
    device: str | torch.device | None = None,
    replicates: dict[int, Any] | None = None,
) -> Resampled:
    """Bootstrap over images (and, with ``replicates``, over networks) for any statistic built
    from RDMs.

    rdms: (T, n, n) (or one (n, n)). ``statistic`` receives condensed RDMs (T, m) as a float64
    torch tensor (pass it to :func:`similarity_matrix` etc.) and returns a number or array.
    Each draw resamples the n images with replacement; pairs of an image with its own copy are
    dropped. ``replicates`` maps a row of ``rdms`` to the RDM (n, n) of another replicate of the
    same network (same task and architecture, another seed), or to a list of several such
    replicates' RDMs: each draw takes one of the networks at random, each equally likely
    (:func:`pick_network`), so the interval also covers the variance between independently
    trained networks. A key may also be a tuple of rows that belong to one network (e.g. its
    checkpoints) with their replicate's RDMs (len, n, n), or a list of those: they are swapped
    together. Returns the estimate on all images, the draws and a percentile interval. Without ``replicates`` the
    estimate is the statistic of the given rows; with them, its mean over the draws' choices of
    network (each evaluated on all images): the value expected from a study that trained one
    replicate of each network, whichever it was.
    """
    n = np.shape(rdms)[-1]
    return _resample(rdms, statistic, n_boot, n, True, seed, level, device, replicates)


def subsample(
    rdms,
    statistic: Callable[[torch.Tensor], float | np.ndarray],
    n: int,
    *,
    n_draws: int = 100,
    seed: int = 0,
    level: float = 0.95,
    device: str | torch.device | None = None,
) -> Resampled:
    """Like :func:`bootstrap` but each draw takes ``n`` distinct images (without replacement)."""
    total = np.shape(rdms)[-1]
    if not 3 <= n <= total:
        raise ValueError(f"subsample size n={n} must lie in [3, {total}] (the number of images)")
    return _resample(rdms, statistic, n_draws, n, False, seed, level, device)


def spearman_matrix_stat(
    names: Sequence[str] | None = None,
) -> Callable[[torch.Tensor], np.ndarray]:
    """A statistic for :func:`bootstrap`: the Spearman similarity matrix as an array (T, T)."""

    def stat(v: torch.Tensor) -> np.ndarray:
        return similarity_matrix(v, names, condensed=True).to_numpy()

    return stat
