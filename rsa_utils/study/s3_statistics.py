"""S3.1-S3.4's statistics: consistency over checkpoints, model size and image counts; transfer checks."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.stats as ss
import torch

from rsa_utils.rsa import consistency
from rsa_utils.study.s3_data import (
    PAPER_HIGH,
    PAPER_LOW,
    PAPER_VOC_MIOU,
    THRESHOLD,
    S3Data,
    label,
    ranking,
)

# --- shared helpers ------------------------------------------------------------------------------


def replicate_rows(data: S3Data, arch: str) -> dict[int, torch.Tensor]:
    """The sources of ``arch`` with a second network: row in ``data.sources[arch]`` → its RDM."""
    reps = data.replicates.get(arch, {})
    return {data.tasks.index(t): v for t, v in reps.items() if t in data.tasks}


def other_targets(data: S3Data) -> list[torch.Tensor]:
    """The final RDMs (n, n) of the other target models ([] with only one)."""
    return [r[-1] for r in data.target_replicates]


def n_target_models(data: S3Data) -> int:
    """How many target models the intervals draw from."""
    return 1 + len(data.target_replicates)


def stays_above(
    x: Sequence[float], y: Sequence[float], threshold: float = THRESHOLD
) -> float | None:
    """The smallest ``x[i]`` from which every ``y[j]`` (j >= i, x ascending) exceeds
    ``threshold``; None if the last value does not."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    order = np.argsort(x)
    x, y = x[order], y[order]
    above = y > threshold
    if not above[-1]:
        return None
    i = len(y) - 1
    while i > 0 and above[i - 1]:
        i -= 1
    return float(x[i])


def correlation_verdict(paper: float, est: float, low: float, high: float) -> str:
    """A correlation the paper quotes: :func:`rsa_utils.report.value_verdict`."""
    from rsa_utils.study.report import value_verdict

    return value_verdict(paper, est, low, high)


def paper_point(points: Sequence[float], paper: float) -> float:
    """The first of our ``points`` at or after the paper's point (the paper's own if none is):
    where a curve measured on another grid must stay above a threshold to match the paper."""
    later = [float(x) for x in points if x >= paper - 1e-9]
    return min(later) if later else float(paper)


# --- S3.1: training stage -------------------------------------------------------------------------


def checkpoint_table(
    data: S3Data, *, n_boot: int = 100, seed: int = 0, arch: str = "taskonomy", device=None
) -> pd.DataFrame:
    """S3.1: Pearson ρ between the ranking at each checkpoint and the final ranking, with a
    bootstrap over images and over the sources' replicates (where they have two networks) →
    table (fraction, estimate, low, high), one row per checkpoint."""
    res = consistency.checkpoint_consistency(
        data.target, data.sources[arch], n_boot=n_boot, seed=seed, device=device,
        replicates=replicate_rows(data, arch), target_replicate=data.target_replicates,
    )  # fmt: skip
    return pd.DataFrame(
        {"fraction": data.checkpoints, "estimate": res.estimate, "low": res.low, "high": res.high}
    )


def first_checkpoint_per_target(data: S3Data, arch: str = "taskonomy") -> list[float]:
    """S3.1 for each target model alone (sources' first networks, all images): Pearson ρ
    between its ranking at the first checkpoint and its own final ranking, one per target
    model (the first, then the others). How far apart they lie is the spread between target
    networks that the bootstrap draws from."""
    out = []
    for stack in [data.target, *data.target_replicates]:
        first, final = (ranking(stack[i], data.sources[arch], data.tasks)[list(data.tasks)]
                        for i in (0, -1))  # fmt: skip
        out.append(consistency.pearson(first.to_numpy(), final.to_numpy()))
    return out


def checkpoint_rankings(data: S3Data, arch: str = "taskonomy") -> pd.DataFrame:
    """The ranking at every checkpoint: (S tasks, K checkpoints), rows in the final order."""
    cols = {
        c: ranking(r, data.sources[arch], data.tasks) for c, r in zip(data.checkpoints, data.target)
    }
    df = pd.DataFrame(cols)
    return df.loc[cols[data.checkpoints[-1]].index]


# --- S3.2: model size ---------------------------------------------------------------------------


def size_table(data: S3Data) -> pd.DataFrame:
    """S3.2: the target's similarity to each source with small and with Taskonomy-architecture
    encoders → table indexed by task (label, small, taskonomy), sorted by ``taskonomy`` desc."""
    small = ranking(data.final, data.sources["small"], data.tasks)
    large = ranking(data.final, data.sources["taskonomy"], data.tasks)
    df = pd.DataFrame({"label": [label(t) for t in large.index], "small": small[large.index],
                       "taskonomy": large})  # fmt: skip
    df.index.name = "task"
    return df


def size_correlation(
    data: S3Data, *, n_boot: int = 100, seed: int = 0, device=None
) -> pd.DataFrame:
    """S3.2: Pearson ρ and Spearman r_s between the two rankings, with a bootstrap over images
    and over the source networks' replicates → table indexed ``rho``, ``r_s`` (estimate, low, high)."""
    res = consistency.size_consistency(
        data.final, data.sources["small"], data.sources["taskonomy"], n_boot=n_boot, seed=seed,
        device=device, tasks=data.tasks, replicates_small=data.replicates.get("small"),
        replicates_large=data.replicates.get("taskonomy"), target_replicate=other_targets(data),
    )  # fmt: skip
    return pd.DataFrame(
        {"estimate": res.estimate, "low": res.low, "high": res.high}, index=["rho", "r_s"]
    )


def replicate_correlations(data: S3Data) -> pd.DataFrame:
    """S3.2 with one fixed network per source and target: ρ and r_s between the two rankings on
    all images when every network is the first (row 0) or, where there is one, the second (row 1)
    → table indexed by replicate (rho, r_s). How far apart the rows lie is the part of the
    result that rests on which networks were trained."""
    rows = {}
    for rep in (0, 1):
        rank = {}
        for arch in ("small", "taskonomy"):
            src = torch.as_tensor(data.sources[arch]).clone()
            for row, v in (replicate_rows(data, arch) if rep else {}).items():
                src[row] = torch.as_tensor(v).to(src)
            target = data.final if not rep or not data.target_replicates else other_targets(data)[0]
            rank[arch] = ranking(target, src, data.tasks)[list(data.tasks)].to_numpy()
        rows[rep] = {"rho": consistency.pearson(rank["small"], rank["taskonomy"]),
                     "r_s": float(ss.spearmanr(rank["small"], rank["taskonomy"]).statistic)}  # fmt: skip
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("replicate")


# --- S3.3: number of images -----------------------------------------------------------------------


def usable_counts(counts: Sequence[int], n_images: int) -> list[int]:
    """The image counts that can be drawn from ``n_images`` (3 <= n < n_images), ascending. The
    total itself is left out: its ranking is the reference, so its ρ is 1 by construction."""
    out = sorted({int(c) for c in counts if 3 <= int(c) < n_images})
    if not out:
        raise ValueError(f"no image count in {list(counts)} lies in [3, n_images={n_images})")
    return out


def image_count_table(
    data: S3Data, counts: Sequence[int], *, n_draws: int = 100, seed: int = 0,
    arch: str = "taskonomy", device=None,
) -> pd.DataFrame:  # fmt: skip
    """S3.3: Pearson ρ between the ranking from n images (``n_draws`` draws without replacement)
    and from all images → table (n, fraction, estimate = median, low, high = central 95 %).
    Sources with a second network contribute either to each draw (the same one for both
    rankings), so the band covers the choice of networks as well as of images."""
    n_all = data.final.shape[-1]
    df = consistency.image_count_consistency(
        data.final, data.sources[arch], usable_counts(counts, n_all), n_draws=n_draws, seed=seed,
        device=device, replicates=replicate_rows(data, arch), target_replicate=other_targets(data),
    )  # fmt: skip
    df.insert(1, "fraction", df["n"] / n_all)
    return df


def most_beat(miou: pd.Series, majority: float) -> bool:
    """Whether more than half of the fine-tuned runs (mIoU, %) beat predicting the majority class
    (``majority``, %): without that, their mIoU ranking says nothing about transfer, and S3.4's
    mIoU claims are not tested."""
    return bool((miou > majority).sum() > len(miou) / 2)


def transfer_table(
    similarity: pd.Series,
    miou: pd.Series,
    replicates: dict[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """S3.4: one row per source task in descending similarity order: label, similarity,
    similarity rank (1 = most similar), mIoU (%) and mIoU rank (1 = best). With ``replicates``
    ({"similarity": ..., "miou": ...}, each tasks × replicates, NaN where a task has fewer
    networks), their columns are kept as ``similarity_rep0``, ``miou_rep0``, ... (the
    similarity and mIoU are then each task's means over its networks)."""
    sim = similarity.sort_values(ascending=False)
    df = pd.DataFrame({"label": [label(t) for t in sim.index], "similarity": sim,
                       "miou": miou[sim.index].astype(float)})  # fmt: skip
    df["similarity_rank"] = np.arange(1, len(df) + 1)
    df["miou_rank"] = df["miou"].rank(ascending=False, method="min").astype(int)
    df.index.name = "task"
    out = df[["label", "similarity", "similarity_rank", "miou", "miou_rank"]]
    for name, frame in (replicates or {}).items():
        for r in frame.columns:
            out[f"{name}_rep{r}"] = frame.loc[out.index, r].astype(float)
    return out


def replicate_columns(table: pd.DataFrame, name: str) -> np.ndarray:
    """The per-replicate values ``<name>_rep0``, ``<name>_rep1``, ... of a :func:`transfer_table`
    → (tasks, replicates), NaN where a task has fewer networks; (tasks, 0) without any."""
    cols = sorted(c for c in table.columns if c.startswith(f"{name}_rep"))
    return table[cols].to_numpy(float) if cols else np.empty((len(table), 0))


def miou_draws(images: dict, *, n_boot: int = 100, seed: int = 0) -> pd.DataFrame:
    """Bootstrap over the target's test images of every fine-tuned init's mIoU (%): ``images``
    maps an init to its per-image intersections and unions (n_test, classes), one pair or a
    list of pairs (one per replicate; :func:`~rsa_utils.study.s3_data.finetune_images`). Every
    draw resamples the same images for all inits (paired) and, for an init with k replicates,
    k of them with replacement, whose mIoUs it averages → (n_boot, inits)."""
    from rsa_utils.nets.transfer import miou_of_images

    runs = {k: [v] if isinstance(v, tuple) else list(v) for k, v in images.items()}
    n = len(next(iter(runs.values()))[0][0])
    rng = np.random.default_rng([seed, 34])
    draws = rng.integers(0, n, size=(n_boot, n))
    out = {}
    for k, reps in runs.items():
        per = np.stack([100 * miou_of_images(i, u, draws) for i, u in reps], axis=1)  # (D, k)
        pick = rng.integers(0, len(reps), size=(n_boot, len(reps)))
        out[k] = np.take_along_axis(per, pick, axis=1).mean(1)
    return pd.DataFrame(out)


def similarity_draws(
    data: S3Data, *, n_boot: int = 100, seed: int = 0, arch: str = "taskonomy", device=None
) -> pd.DataFrame:
    """S3.4: the final target model's similarity to each source of ``arch`` in each bootstrap
    draw over images and networks (either replicate of each source and of the target model)
    → (n_boot, S) with the tasks as columns; for :func:`task_checks`' similarity ranks."""
    res = consistency.target_similarity(
        data.final, data.sources[arch], n_boot=n_boot, seed=seed, device=device,
        replicates=replicate_rows(data, arch), target_replicate=other_targets(data),
    )  # fmt: skip
    return pd.DataFrame(np.asarray(res.samples), columns=list(data.tasks))


def in_half(rank, s: int, group: str):
    """Whether rank(s) (1 = first of ``s``) lie in the paper's half: high, rank <= s/2; low, rank > s/2."""
    return rank <= s / 2 if group == "high" else rank > s / 2


def task_checks(
    table: pd.DataFrame,
    miou_boot: pd.DataFrame | None = None,
    similarity_boot: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The paper's named tasks (:data:`PAPER_HIGH`, :data:`PAPER_LOW`) that are in ``table``:
    their similarity and mIoU ranks, and whether each lies in the expected half of the S
    tasks (high: rank <= S/2; low: rank > S/2). A column whose values are all equal (e.g. every
    run at the same mIoU) cannot order the tasks: its check is None (not tested).

    With ``miou_boot`` (:func:`miou_draws` of the S sources) or ``similarity_boot``
    (:func:`similarity_draws`), draws × sources, that rank gets a 95 % interval over the
    draws (``miou_rank_low``, ``miou_rank_high``; ``similarity_rank_low``, ...), and
    ``miou_undecided`` / ``similarity_undecided`` is True where that interval reaches both
    halves: the rank could go either way."""
    s = len(table)
    tied = {c: table[c].nunique() < 2 for c in ("similarity", "miou")}
    boots = {c: b[list(table.index)].rank(axis=1, ascending=False, method="min")
             for c, b in (("similarity", similarity_boot), ("miou", miou_boot)) if b is not None}  # fmt: skip
    rows = []
    for group, names in (("high", PAPER_HIGH), ("low", PAPER_LOW)):
        for t in names:
            if t not in table.index:
                continue
            r = table.loc[t]
            ok = {}
            for c in ("similarity", "miou"):
                rank = r[f"{c}_rank"]
                ok[c] = None if tied[c] else bool(in_half(rank, s, group))
            row = {"task": t, "label": r.label, "paper": group, "similarity_rank": int(r.similarity_rank),
                   "miou_rank": int(r.miou_rank), "similarity_as_paper": ok["similarity"],
                   "miou_as_paper": ok["miou"]}  # fmt: skip
            for c, ranks in boots.items():
                lo, hi = np.percentile(ranks[t].to_numpy(), [2.5, 97.5])
                row |= {f"{c}_rank_low": int(np.floor(lo)), f"{c}_rank_high": int(np.ceil(hi)),
                        f"{c}_undecided": bool(in_half(lo, s, group) != in_half(hi, s, group))}  # fmt: skip
            rows.append(row)
    cols = ["task", "label", "paper", "similarity_rank", "miou_rank", "similarity_as_paper",
            "miou_as_paper"]  # fmt: skip
    for c in boots:
        cols += [f"{c}_rank_low", f"{c}_rank_high", f"{c}_undecided"]
    return pd.DataFrame(rows, columns=cols).set_index("task")


def group_verdict(checks: pd.DataFrame, group: str, column: str) -> tuple[str, str]:
    """(ours, verdict) for one group of named tasks and one column of :func:`task_checks`:
    ours lists each tested task's rank and counts the named tasks that are not in this run
    (set aside); holds if all tested tasks are as the paper says, partly if more than half are
    (:func:`rsa_utils.report.share_verdict`); ``not tested`` if none is tested or the column
    is tied."""
    from rsa_utils.study.report import share_verdict, untested_note

    named = PAPER_HIGH if group == "high" else PAPER_LOW
    sub = checks[checks["paper"] == group]
    missing = untested_note(len(named) - len(sub))
    if sub.empty:
        return "none of the named tasks in this run", "not tested"
    rank_col = column.replace("_as_paper", "_rank")
    undecided_col = column.replace("_as_paper", "_undecided")

    def rank_text(r) -> str:
        if undecided_col in sub and pd.notna(r.get(f"{rank_col}_low")):
            return f"{r.label} {r[rank_col]} ({r[f'{rank_col}_low']}–{r[f'{rank_col}_high']})"
        return f"{r.label} {r[rank_col]}"

    ours = ", ".join(rank_text(r) for _, r in sub.iterrows())
    ok = sub[column]
    if ok.isna().any():
        return f"{ours} (all tied){missing}", "not tested"
    undecided = sub[undecided_col].tolist() if undecided_col in sub else None
    return ours + missing, share_verdict(ok.tolist(), undecided)


def transfer_spearman(
    table: pd.DataFrame, *, seed: int = 0, n_resamples: int = 1000
) -> tuple[float, float, float]:
    """Spearman r_s between similarity and mIoU over the sources, with a 95 % bootstrap interval
    over tasks (:func:`rsa_utils.consistency.spearman_with_interval`); NaNs if either is
    constant. Where the table has per-replicate columns (:func:`transfer_table`), each draw
    also resamples every drawn task's networks with replacement and averages its similarity
    and mIoU over the same networks, so the interval covers which networks were trained."""
    if table["similarity"].nunique() < 2 or table["miou"].nunique() < 2:
        return float("nan"), float("nan"), float("nan")
    sim, miou = replicate_columns(table, "similarity"), replicate_columns(table, "miou")
    if sim.shape[1] < 2 or sim.shape != miou.shape:
        return consistency.spearman_with_interval(table["similarity"], table["miou"], seed=seed)
    est = float(ss.spearmanr(table["similarity"], table["miou"]).statistic)
    rng = np.random.default_rng([seed, 35])
    have = ~np.isnan(sim) & ~np.isnan(miou)  # (T, R): the networks each task has
    n_t, n_r = sim.shape
    stats = []
    for _ in range(n_resamples):
        rows = rng.integers(0, n_t, size=n_t)
        # per drawn task, its networks drawn with replacement among those it has
        k = have[rows].sum(1)
        pick = (rng.random((n_t, n_r)) * k[:, None]).astype(int)  # index among its networks
        order = np.argsort(~have[rows], axis=1, kind="stable")  # its networks first
        cols = np.take_along_axis(order, pick, axis=1)
        mask = np.arange(n_r)[None] < k[:, None]  # k draws for a task with k networks
        a = np.where(mask, np.take_along_axis(sim[rows], cols, axis=1), 0).sum(1) / k
        b = np.where(mask, np.take_along_axis(miou[rows], cols, axis=1), 0).sum(1) / k
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ss.ConstantInputWarning)
            stats.append(ss.spearmanr(a, b).statistic)
    stats = np.asarray(stats, float)
    if not np.isfinite(stats).any():
        return est, float("nan"), float("nan")
    low, high = np.nanpercentile(stats, [2.5, 97.5])
    return est, float(low), float(high)


def spearman_verdict(est: float, low: float, high: float) -> str:
    """r_s > 0 claimed without a number: :func:`rsa_utils.report.direction_verdict`."""
    from rsa_utils.study.report import direction_verdict

    return direction_verdict(est, low, high)


def paper_table() -> pd.DataFrame:
    """The paper's Pascal VOC mIoU (%) in the paper's order, with labels."""
    return pd.DataFrame(
        {"label": [label(t) for t in PAPER_VOC_MIOU], "miou": list(PAPER_VOC_MIOU.values())},
        index=pd.Index(list(PAPER_VOC_MIOU), name="task"),
    )


def paper_group(task: str) -> str:
    """``high`` / ``low``: a task the supplement names as high- / low-similarity (green / red
    labels in Fig S9); otherwise empty."""
    return "high" if task in PAPER_HIGH else "low" if task in PAPER_LOW else ""


def transfer_vs_paper(table: pd.DataFrame, paper: pd.DataFrame) -> pd.DataFrame:
    """Fig S9 (b): our mIoU beside the paper's for the source tasks in both (our order)."""
    shared = [t for t in table.index if t in paper.index]
    return pd.DataFrame(
        {"label": [label(t) for t in shared], "paper_miou": paper.loc[shared, "miou"].astype(float),
         "miou": table.loc[shared, "miou"].astype(float), "named": [paper_group(t) for t in shared]},
        index=pd.Index(shared, name="task"),
    )  # fmt: skip


def transfer_data(
    table: pd.DataFrame, baselines: pd.Series, paper: pd.DataFrame | None = None
) -> dict[str, pd.DataFrame]:
    """What :func:`plot_transfer` shows: ``a_transfer`` (bars: mIoU; line: similarity; label
    colour: ``named``), ``a_baselines`` (the horizontal lines) and, with ``paper``, ``b_paper``
    (:func:`transfer_vs_paper`)."""
    bars = table[["label", "similarity", "miou"]].assign(
        named=[paper_group(t) for t in table.index]
    )
    out = {"a_transfer": bars,
           "a_baselines": baselines.astype(float).rename_axis("baseline").to_frame("miou")}  # fmt: skip
    if paper is not None:
        out["b_paper"] = transfer_vs_paper(table, paper)
    return out
