"""Consistency of similarity rankings across architectures, training and image counts.

Consistency of similarity rankings: between architectures (S1, S3.2), along training (S3.1)
and with the number of images (S3.3), each with an interval from resampling images.

A *ranking* of task t is its row of the similarity matrix without itself (SPEC §1); two
rankings of the same tasks are compared by Pearson's ρ (as in the supplement) and Spearman's r_s.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.stats as ss
import torch

from rsa_utils.rsa import core as rsa


def pearson(a, b) -> float:
    """Pearson's ρ of two equally long vectors (NaN if either is constant)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.std() == 0 or b.std() == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def spearman(a, b) -> float:
    """Spearman's r_s of two equally long vectors (NaN if either is constant)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.std() == 0 or b.std() == 0:
        return float("nan")
    return float(ss.spearmanr(a, b).statistic)


def ranking_correlations(
    sim_a: pd.DataFrame, sim_b: pd.DataFrame, tasks: Sequence[str] | None = None
) -> pd.Series:
    """Pearson ρ between task t's ranking in ``sim_a`` and in ``sim_b``, for every task t."""
    tasks = list(sim_a.index if tasks is None else tasks)
    if list(sim_a.index) != list(sim_b.index):
        raise ValueError("the two similarity matrices must list the same tasks in the same order")
    return pd.Series(
        {t: pearson(rsa.ranking(sim_a, t), rsa.ranking(sim_b, t)) for t in tasks}, name="rho"
    )


def matrix_correlation(sim_a: pd.DataFrame, sim_b: pd.DataFrame) -> float:
    """Pearson correlation between the off-diagonal upper triangles of two (T, T) matrices."""
    a, b = np.asarray(sim_a, float), np.asarray(sim_b, float)
    iu = np.triu_indices(len(a), 1)
    return pearson(a[iu], b[iu])


def mean_off_diagonal(sim: pd.DataFrame) -> float:
    """Mean of the off-diagonal upper triangle of a (T, T) matrix."""
    a = np.asarray(sim, float)
    return float(a[np.triu_indices(len(a), 1)].mean())


def two_architecture_statistic(names: Sequence[str]):
    """A :func:`rsa.bootstrap` statistic on a stack of 2T condensed RDMs (T of architecture A,
    then T of B): the T ranking correlations followed by the matrix correlation → (T + 1,)."""
    names = list(names)
    t = len(names)

    def stat(v: torch.Tensor) -> np.ndarray:
        sim = rsa.similarity_matrix(v, condensed=True).to_numpy()
        a = pd.DataFrame(sim[:t, :t], index=names, columns=names)
        b = pd.DataFrame(sim[t:, t:], index=names, columns=names)
        return np.append(ranking_correlations(a, b).to_numpy(), matrix_correlation(a, b))

    return stat


def compare_architectures(rdms_a: torch.Tensor, rdms_b: torch.Tensor, names: Sequence[str], *, n_boot: int = 100,
                          seed: int = 0, device=None, replicates_a: dict | None = None,
                          replicates_b: dict | None = None) -> tuple[pd.DataFrame, rsa.Resampled]:  # fmt: skip
    """S1: per-task ranking ρ and the matrix correlation between two architectures' RDMs
    (each (T, n, n), same images), with bootstrap intervals over images and, where
    ``replicates_*`` give another replicate's RDM (task name → (n, n)), over networks.

    Returns a table (rows: tasks and ``"matrix"``; columns: estimate, low, high) and the raw
    resampling result.
    """
    stack = torch.cat([torch.as_tensor(rdms_a), torch.as_tensor(rdms_b)])
    names = list(names)
    alt = {names.index(t): v for t, v in (replicates_a or {}).items() if t in names}
    alt |= {len(names) + names.index(t): v for t, v in (replicates_b or {}).items() if t in names}
    res = rsa.bootstrap(stack, two_architecture_statistic(names), n_boot=n_boot, seed=seed,
                        device=device, replicates=alt)  # fmt: skip
    table = pd.DataFrame(
        {"estimate": res.estimate, "low": res.low, "high": res.high}, index=[*names, "matrix"]
    )
    return table, res


def target_rankings_statistic(n_targets: int):
    """Statistic on a stack [K target RDMs, S source RDMs]: the (K, S) similarity of each target
    RDM to each source RDM (each row a ranking of the sources)."""

    def stat(v: torch.Tensor) -> np.ndarray:
        sim = rsa.similarity_matrix(v, condensed=True).to_numpy()
        return sim[:n_targets, n_targets:]

    return stat


def correlation_with_last(rankings: np.ndarray) -> np.ndarray:
    """Pearson ρ of each row of ``rankings`` (K, S) with its last row → (K,)."""
    rankings = np.asarray(rankings)
    return np.array([pearson(r, rankings[-1]) for r in rankings])


def _other_targets(target_replicate: Any) -> list[torch.Tensor]:
    """A ``target_replicate`` argument as the list of the other target models' RDMs: [] for
    None or an empty list, one for a single RDM stack."""
    if target_replicate is None:
        return []
    items = target_replicate if isinstance(target_replicate, list) else [target_replicate]
    return [torch.as_tensor(t) for t in items]


def checkpoint_consistency(target_rdms: torch.Tensor, source_rdms: torch.Tensor, *, n_boot: int = 100, seed: int = 0,
                           device=None, replicates: dict[int, Any] | None = None,
                           target_replicate: Any = None) -> rsa.Resampled:  # fmt: skip
    """S3.1: ρ between the source ranking at each of K checkpoints (target_rdms (K, n, n), the
    last = final) and the final ranking, with a bootstrap over images → estimate (K,).
    ``replicates`` maps a row of ``source_rdms`` to another replicate's RDM (n, n), and
    ``target_replicate`` (K, n, n) holds another target model's checkpoints (a list: several
    target models'): each draw then takes one network of each, the same one for every
    checkpoint's ranking."""
    k = len(target_rdms)
    rank = target_rankings_statistic(k)

    def stat(v):
        return correlation_with_last(rank(v))

    stack = torch.cat([torch.as_tensor(target_rdms), torch.as_tensor(source_rdms)])
    alt: dict = {k + row: v for row, v in (replicates or {}).items()}
    if others := _other_targets(target_replicate):
        alt[tuple(range(k))] = others
    return rsa.bootstrap(stack, stat, n_boot=n_boot, seed=seed, device=device, replicates=alt)


def size_consistency(target_rdm: torch.Tensor, small_rdms: torch.Tensor, large_rdms: torch.Tensor, *,
                     n_boot: int = 100, seed: int = 0, device=None, tasks: Sequence[str] | None = None,
                     replicates_small: dict | None = None, replicates_large: dict | None = None,
                     target_replicate: Any = None) -> rsa.Resampled:  # fmt: skip
    """S3.2: the target's similarity to S sources with small encoders vs with Taskonomy-
    architecture encoders; estimate = [ρ, r_s] with a bootstrap over images and, where
    ``replicates_*`` give another replicate's RDM (task name in ``tasks`` → (n, n)) or
    ``target_replicate`` another target model's (n, n) (a list: several), over the networks."""
    s = len(small_rdms)
    rank = target_rankings_statistic(1)

    def stat(v):
        r = rank(v)[0]
        return np.array([pearson(r[:s], r[s:]), ss.spearmanr(r[:s], r[s:]).statistic])

    stack = torch.cat(
        [
            torch.as_tensor(target_rdm)[None],
            torch.as_tensor(small_rdms),
            torch.as_tensor(large_rdms),
        ]
    )
    tasks = list(tasks or [])
    alt = {1 + tasks.index(t): v for t, v in (replicates_small or {}).items() if t in tasks}
    alt |= {1 + s + tasks.index(t): v for t, v in (replicates_large or {}).items() if t in tasks}
    if others := _other_targets(target_replicate):
        alt[0] = others
    return rsa.bootstrap(stack, stat, n_boot=n_boot, seed=seed, device=device, replicates=alt)


def target_similarity(target_rdm: torch.Tensor, source_rdms: torch.Tensor, *, n_boot: int = 100,
                      seed: int = 0, device=None, replicates: dict[int, Any] | None = None,
                      target_replicate: Any = None) -> rsa.Resampled:  # fmt: skip
    """S3.4: the target's similarity to each of S sources (target_rdm (n, n), source_rdms
    (S, n, n)) → estimate (S,) and draws (n_boot, S), with a bootstrap over images and, where
    ``replicates`` (row → (n, n)) or ``target_replicate`` (n, n; a list: several target
    models') give other networks' RDMs,
    over the networks: the spread a source's place in the ranking has."""
    rank = target_rankings_statistic(1)

    def stat(v):
        return rank(v)[0]

    stack = torch.cat([torch.as_tensor(target_rdm)[None], torch.as_tensor(source_rdms)])
    alt: dict = {1 + row: v for row, v in (replicates or {}).items()}
    if others := _other_targets(target_replicate):
        alt[0] = others
    return rsa.bootstrap(stack, stat, n_boot=n_boot, seed=seed, device=device, replicates=alt)


#: S3.3: random choices of one network per source and target that the draws are split over
#: (with replicates; at most one choice per draw).
N_CHOICES = 10


def image_count_consistency(target_rdm: torch.Tensor, source_rdms: torch.Tensor, counts: Sequence[int], *,
                            n_draws: int = 100, seed: int = 0, device=None,
                            replicates: dict[int, Any] | None = None, target_replicate: Any = None,
                            n_choices: int = N_CHOICES) -> pd.DataFrame:  # fmt: skip
    """S3.3: ρ between the ranking from n images (drawn without replacement, ``n_draws`` times)
    and the ranking from all images, for every n in ``counts`` → table (n, estimate, low, high).

    The estimate is the median over draws; the band is the central 95 % of the draws. The
    table's ``attrs["n_choices"]`` says over how many choices of networks the draws were split.
    ``replicates`` maps a row of ``source_rdms`` to another replicate's RDM (n, n), and
    ``target_replicate`` is another target model's RDM (n, n), or a list of several: the draws
    are then split over
    ``n_choices`` random choices of one network per source and target, each compared with the
    ranking from all images by the same networks, so the band also covers which networks were
    trained.
    """
    stack = torch.cat([torch.as_tensor(target_rdm)[None], torch.as_tensor(source_rdms)])
    rank = target_rankings_statistic(1)
    alts = {1 + row: v for row, v in (replicates or {}).items()}  # row of the stack → other RDM
    if others := _other_targets(target_replicate):
        alts[0] = others
    rows = sorted(alts)
    k = min(n_choices, n_draws) if rows else 1
    g = torch.Generator().manual_seed(seed)
    chosen = []  # (stack with one network per source, its ranking from all images, draws, seed)
    for c in range(k):
        s = stack
        if rows:
            s = stack.clone()
            for row in rows:
                options = alts[row] if isinstance(alts[row], list) else [alts[row]]
                pick = rsa.pick_network(torch.rand(1, generator=g).item(), len(options))
                if pick is not None:
                    s[row] = torch.as_tensor(options[pick]).to(s)
        chosen.append(
            (s, rank(rsa.upper_triangle(s))[0], n_draws // k + (c < n_draws % k), seed + c)
        )
    table = []
    for n in counts:
        samples = []
        for s, full, draws, sd in chosen:
            res = rsa.subsample(s, lambda v, full=full: pearson(rank(v)[0], full), n,
                                n_draws=draws, seed=sd, device=device)  # fmt: skip
            samples.append(np.atleast_1d(res.samples))
        drawn = np.concatenate(samples)
        low, high = np.nanquantile(drawn, [0.025, 0.975])
        table.append({"n": n, "estimate": float(np.nanmedian(drawn)), "low": float(low),
                      "high": float(high)})  # fmt: skip
    out = pd.DataFrame(table)
    out.attrs["n_choices"] = k  # how many choices of networks the draws were split over
    return out


def spearman_with_interval(
    x, y, *, n_resamples: int = 1000, seed: int = 0
) -> tuple[float, float, float]:
    """Spearman r_s of paired values with a 95 % percentile bootstrap interval over the pairs
    (``scipy.stats.bootstrap``, paired). A draw whose values are all tied (few pairs drawn with
    repeats) has no r_s and is left out of the percentiles; NaN if every draw is."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ss.ConstantInputWarning)
        est = float(ss.spearmanr(x, y).statistic)

        def stat(a, b):
            return ss.spearmanr(a, b).statistic

        warnings.simplefilter("ignore", ss.DegenerateDataWarning)  # NaN draws, handled below
        res = ss.bootstrap((x, y), stat, paired=True, vectorized=False, n_resamples=n_resamples,
                           method="percentile", random_state=np.random.default_rng(seed))  # fmt: skip
    draws = np.asarray(res.bootstrap_distribution, float)
    if not np.isfinite(draws).any():
        return est, float("nan"), float("nan")
    low, high = np.nanpercentile(draws, [2.5, 97.5])
    return est, float(low), float(high)


def spearman_over_draws(
    x, y, x_draws, y_draws, *, n_resamples: int = 1000, seed: int = 0
) -> tuple[float, float, float]:
    """Spearman r_s of per-task values ``x``, ``y`` (T,) with a 95 % interval that resamples
    the tasks *and* what each task's values rest on: ``x_draws``, ``y_draws`` (B, T) hold each
    task's value under B draws of its images and networks (e.g. ``Resampled.samples``). Draw i
    takes row i mod B of both and T tasks with replacement, so every task's value varies with
    its networks as well as the set of tasks (a hierarchical bootstrap). A draw whose values are
    all tied has no r_s and is left out; NaN if every draw is."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    xd, yd = np.asarray(x_draws, float), np.asarray(y_draws, float)
    if xd.shape != yd.shape or xd.ndim != 2 or xd.shape[1] != len(x) or len(x) != len(y):
        raise ValueError(f"x, y ({len(x)}, {len(y)}) and their draws {xd.shape}, {yd.shape} "
                         "must describe the same tasks: draws of shape (B, T)")  # fmt: skip
    rng = np.random.default_rng([seed, 36])
    n_b, n_t = xd.shape
    stats = np.full(n_resamples, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ss.ConstantInputWarning)
        est = float(ss.spearmanr(x, y).statistic)
        for i in range(n_resamples):
            rows = rng.integers(0, n_t, size=n_t)
            stats[i] = ss.spearmanr(xd[i % n_b, rows], yd[i % n_b, rows]).statistic
    if not np.isfinite(stats).any():
        return est, float("nan"), float("nan")
    low, high = np.nanpercentile(stats, [2.5, 97.5])
    return est, float(low), float(high)


def mean_difference(
    a, b, *, paired: bool = False, n_resamples: int = 1000, seed: int = 0
) -> tuple[float, float, float]:
    """mean(a) − mean(b) with a 95 % percentile bootstrap interval (``scipy.stats.bootstrap``):
    over the pairs (a_i, b_i) when ``paired``, else over each group independently. A group of
    one value has nothing to resample (the interval is NaN); an empty group has no mean (all NaN)."""
    a, b = np.asarray(a, float), np.asarray(b, float)

    def stat(x, y, axis=-1):
        return np.mean(x, axis=axis) - np.mean(y, axis=axis)

    if min(len(a), len(b)) < 2:
        est = float(stat(a, b)) if min(len(a), len(b)) else float("nan")
        return est, float("nan"), float("nan")

    res = ss.bootstrap((a, b), stat, paired=paired, vectorized=True, n_resamples=n_resamples,
                       method="percentile", random_state=np.random.default_rng(seed))  # fmt: skip
    return (
        float(stat(a, b)),
        float(res.confidence_interval.low),
        float(res.confidence_interval.high),
    )


def off_diagonal(sim: pd.DataFrame, tasks: Sequence[str]) -> np.ndarray:
    """The similarities of the task pairs (i < j) among ``tasks``: (T (T − 1) / 2,)."""
    a = np.asarray(sim.loc[list(tasks), list(tasks)], float)
    return a[np.triu_indices(len(a), 1)]


def block_mean_difference(
    sim_a: pd.DataFrame, sim_b: pd.DataFrame, tasks: Sequence[str], *, n_resamples: int = 1000,
    seed: int = 0,
) -> tuple[float, float, float]:  # fmt: skip
    """Mean similarity among ``tasks`` (their off-diagonal pairs) in ``sim_a`` minus that in
    ``sim_b``, with a 95 % percentile bootstrap interval that resamples the tasks (pairs of a
    task with a copy of itself are left out), since the pairs share tasks and are not
    independent. With fewer than three tasks there is nothing to resample (one pair): the
    interval is undefined (NaN), not the pair's own value."""
    tasks = list(tasks)
    a = np.asarray(sim_a.loc[tasks, tasks], float)
    b = np.asarray(sim_b.loc[tasks, tasks], float)
    d = a - b
    k = len(tasks)
    rng = np.random.default_rng(seed)

    p, q = np.triu_indices(k, 1)  # positions in a (resampled) list of k tasks

    def stat(idx):
        i, j = idx[p], idx[q]
        keep = i != j
        return float(d[i[keep], j[keep]].mean()) if keep.any() else np.nan

    est = stat(np.arange(k))
    if k < 3:
        return est, float("nan"), float("nan")
    draws = np.array([stat(rng.integers(0, k, k)) for _ in range(n_resamples)])
    low, high = np.nanpercentile(draws, [2.5, 97.5])
    return est, float(low), float(high)
