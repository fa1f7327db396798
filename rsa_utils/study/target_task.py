"""S3: a new task on a new domain -- the target small model, its task ranking and its checks.

The *target task* is semantic segmentation of the target domain (the Pascal VOC stand-in). A
small model (Table S1) is trained on it (:func:`rsa_utils.zoo.get_target_model`, snapshots at
``profile.checkpoints``). Its RDM on the target domain's ``rsa`` images is compared with the
RDM of every source task network on **the same images** (sources see target-domain images);
sorted descending, these similarities are the ranking used to choose an initialisation.

* S3.1 -- the ranking at each training checkpoint vs the final ranking (Fig S6);
* S3.2 -- the ranking from small source encoders vs Taskonomy-architecture encoders (Fig S7);
* S3.3 -- the ranking from n images vs from all images (Fig S8);
* S3.4 -- fine-tuning every source initialisation on the target task: mIoU vs similarity,
  beside the paper's published Pascal VOC mIoU (Fig S9).

Unless said otherwise the sources are the Taskonomy-architecture encoders (as in S3.4) and the
target model is the final small model. Shapes: images (n, 3, H, W); RDMs (n, n) or stacks
(K, n, n); rankings are pandas Series indexed by task name.

**Verdicts** follow the rules of :data:`rsa_utils.report.VERDICT_RULES`. The task checks of
S3.4 compare a task's rank with the middle of the ranking.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from tqdm.auto import tqdm

from rsa_utils.nets import parallel, transfer, zoo
from rsa_utils.rsa import consistency, features
from rsa_utils.study.profiles import Study
from rsa_utils.world.tasks import S34_TASKS, check_tasks, get_task

#: The published Pascal VOC mIoU (%) of each of the 17 initialisations (Fig S9 of the paper;
#: SPEC §5), in the paper's order (descending similarity), keyed by our task names. The
#: paper's (Taskonomy's) names: segment25d, class_places, edge3d, class_1000, segmentsemantic,
#: rgb2depth (z-buffer depth), rgb2sfnorm, keypoint3d, curvature, rgb2mist (Euclidean
#: distance), reshade, segment2d, room_layout, edge2d, keypoint2d, autoencoder, vanishing_point.
PAPER_VOC_MIOU: dict[str, float] = {
    "segment_unsup25d": 65.65,
    "class_scene": 65.29,
    "edge_occlusion": 64.97,
    "class_object": 64.93,
    "segment_semantic": 64.88,
    "depth_zbuffer": 64.87,
    "normal": 64.78,
    "keypoints3d": 64.75,
    "curvature": 64.72,
    "depth_euclidean": 64.38,
    "reshading": 63.00,
    "segment_unsup2d": 63.00,
    "room_layout": 62.59,
    "edge_texture": 60.08,
    "keypoints2d": 59.94,
    "autoencoding": 59.02,
    "vanishing_point": 58.92,
}
#: Tasks the supplement names as high similarity / high transfer (S3.4) ...
PAPER_HIGH: tuple[str, ...] = ("class_object", "normal", "segment_unsup25d")
#: ... and as low similarity / low transfer.
PAPER_LOW: tuple[str, ...] = ("autoencoding", "vanishing_point")
#: The consistency level of S3.1 and S3.3 ("stays above 0.99").
THRESHOLD = 0.99


def label(task: str) -> str:
    """The paper's plot label of a task (``"normal"`` → ``"surface normals"``)."""
    return get_task(task).label


# --- images and RDMs ---------------------------------------------------------------------------


def rsa_images(study: Study, n_images: int) -> torch.Tensor:
    """The first ``n_images`` of the target domain's ``rsa`` split → (n, 3, H, W) float32 CPU."""
    return features.images_of(study.target_set("rsa", n_images), n_images)


def model_rdm(model: torch.nn.Module, images: torch.Tensor, device="cpu") -> torch.Tensor:
    """RDM (n, n) of a model's encoder output on ``images`` (n, 3, H, W), as a CPU tensor."""
    return features.model_rdm(model, images, device=device).cpu()


def target_rdms(
    study: Study, images: torch.Tensor, checkpoints: Sequence[float] = (1.0,)
) -> torch.Tensor:
    """RDMs (K, n, n) of the target small model at each fraction of training in ``checkpoints``
    (each must be in ``study.profile.checkpoints`` or be 1)."""
    out = []
    for c in tqdm(checkpoints, desc="target model checkpoints", leave=False):
        model = zoo.get_target_model(study.profile, study.seed, study.device, study.cache_dir,
                                     checkpoint=c, sources=study.sources)  # fmt: skip
        out.append(model_rdm(model, images, study.device))
    return torch.stack(out)


def source_rdms(
    study: Study, images: torch.Tensor, tasks: Sequence[str], arch: str = "taskonomy"
) -> torch.Tensor:
    """RDMs (S, n, n) of each source task's ``arch`` model (trained on the source domain, final
    weights) on the target-domain ``images``, in the order of ``tasks``."""
    out = []
    for t in tqdm(tasks, desc=f"source RDMs ({arch})", leave=False):
        model = zoo.get_model(t, arch, study.profile, study.seed, study.device, study.cache_dir,
                              sources=study.sources)  # fmt: skip
        out.append(model_rdm(model, images, study.device))
    return torch.stack(out)


def ranking(target_rdm: torch.Tensor, sources: torch.Tensor, tasks: Sequence[str]) -> pd.Series:
    """The target ranking: RSA of the target RDM (n, n) with each source RDM (S, n, n), sorted
    descending (Series: task → similarity in [-1, 1])."""
    sim = features.target_similarity(
        torch.as_tensor(target_rdm), torch.as_tensor(sources), list(tasks)
    )
    return sim.rename("similarity")


@dataclass
class S3Data:
    """What every S3 notebook starts from: the tasks, the RSA images, the target RDMs at each
    checkpoint (K, n, n) and the source RDMs per architecture (S, n, n)."""

    tasks: list[str]
    checkpoints: tuple[float, ...]
    images: torch.Tensor
    target: torch.Tensor
    sources: dict[str, torch.Tensor]
    #: task -> why its networks were set aside (quality gate)
    set_aside: dict[str, str] = dataclasses.field(default_factory=dict)
    #: False: too few source networks can carry a claim, or the target model fails its baseline
    tested: bool = True
    #: arch -> task -> RDM (n, n) of the task's replicate-1 network (intervals over networks)
    replicates: dict[str, dict[str, torch.Tensor]] = dataclasses.field(default_factory=dict)

    @property
    def set_aside_note(self) -> str:
        """Prose for claims rows: the source networks set aside and why ("" if none)."""
        from rsa_utils.nets.task_models import set_aside_note

        return set_aside_note(self.set_aside)

    @property
    def final(self) -> torch.Tensor:
        """The final target RDM (n, n)."""
        return self.target[-1]

    def ranking(self, arch: str = "taskonomy") -> pd.Series:
        """The final target model's ranking of the sources of ``arch``, sorted descending."""
        return ranking(self.final, self.sources[arch], self.tasks)


def load(
    study: Study,
    *,
    n_images: int | None = None,
    tasks: Sequence[str] | str | None = None,
    archs: Sequence[str] = ("taskonomy",),
    checkpoints: Sequence[float] | None = (1.0,),
) -> S3Data:
    """Images, target and source RDMs for S3 (models trained on first use by the zoo).

    ``n_images`` defaults to ``profile.n_rsa``, ``tasks`` to :data:`S34_TASKS`, ``checkpoints``
    (None: ``profile.checkpoints`` plus 1) must end with the final model. Source tasks whose
    networks (in any of ``archs``) fail their baseline or lack signal are set aside
    (:func:`rsa_utils.task_models.usable_tasks`); with fewer than 3 left, or a target model that
    does not beat its baseline, all are kept and ``tested`` is False.
    """
    from rsa_utils.nets.task_models import replicate_rdms, usable_tasks

    prof = study.profile
    tasks = check_tasks(tasks, S34_TASKS)
    if len(tasks) < 3:
        raise ValueError(f"S3 needs at least 3 source tasks to correlate rankings; got {tasks}")
    usable, set_aside = usable_tasks(study, tasks, archs)
    target = zoo.get_target_record(
        prof, study.seed, study.device, study.cache_dir, sources=study.sources
    )
    target_learned = target["metric"] > target["baseline"]
    tested = len(usable) >= 3 and target_learned
    if not target_learned:
        set_aside = {**set_aside, "target": "the target model fails its baseline"}
    tasks = usable if tested else tasks
    n = prof.n_rsa if n_images is None else int(n_images)
    cps = tuple(
        sorted(set(map(float, prof.checkpoints if checkpoints is None else checkpoints)) | {1.0})
    )
    images = rsa_images(study, n)
    return S3Data(
        tasks, cps, images, target_rdms(study, images, cps),
        {a: source_rdms(study, images, tasks, a) for a in archs}, set_aside, tested,
        {a: replicate_rdms(study, tasks, a, images) for a in archs},
    )  # fmt: skip


# --- shared helpers ------------------------------------------------------------------------------


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


def fraction_label(f: float) -> str:
    """0.1 → ``1/10``, 0.5 → ``1/2``, 1 → ``1``, 0.3 → ``3/10`` (fractions of training)."""
    from fractions import Fraction

    fr = Fraction(f).limit_denominator(100)
    return str(fr.numerator) if fr.denominator == 1 else f"{fr.numerator}/{fr.denominator}"


# --- S3.1: training stage -------------------------------------------------------------------------


def checkpoint_table(
    data: S3Data, *, n_boot: int = 100, seed: int = 0, arch: str = "taskonomy", device=None
) -> pd.DataFrame:
    """S3.1: Pearson ρ between the ranking at each checkpoint and the final ranking, with a
    bootstrap over images → table (fraction, estimate, low, high), one row per checkpoint."""
    res = consistency.checkpoint_consistency(
        data.target, data.sources[arch], n_boot=n_boot, seed=seed, device=device
    )
    return pd.DataFrame(
        {"fraction": data.checkpoints, "estimate": res.estimate, "low": res.low, "high": res.high}
    )


def checkpoint_rankings(data: S3Data, arch: str = "taskonomy") -> pd.DataFrame:
    """The ranking at every checkpoint: (S tasks, K checkpoints), rows in the final order."""
    cols = {
        c: ranking(r, data.sources[arch], data.tasks) for c, r in zip(data.checkpoints, data.target)
    }
    df = pd.DataFrame(cols)
    return df.loc[cols[data.checkpoints[-1]].index]


def plot_checkpoints(table: pd.DataFrame, rankings: pd.DataFrame | None = None) -> plt.Figure:
    """ρ with the final ranking vs fraction of training (band: bootstrap interval; y axis
    zoomed to the data, :func:`rsa_utils.plots.consistency_ylim`, with the 0.99 line);
    optionally a second panel with the similarity of each source at every checkpoint (gray,
    dark = similar)."""
    from rsa_utils.figures.style import SIMILARITY_CMAP, consistency_ylim

    ncols = 1 if rankings is None else 2
    fig, axes = plt.subplots(1, ncols, figsize=(5.4 * ncols, 4.4), squeeze=False,
                             layout="constrained")  # fmt: skip
    ax = axes[0, 0]
    x = table["fraction"].to_numpy()
    ax.fill_between(
        x, table["low"], table["high"], color="C0", alpha=0.25, lw=0, label="95 % bootstrap"
    )
    ax.plot(x, table["estimate"], "o-", color="C0", label="all images", clip_on=False, zorder=3)
    ax.axhline(THRESHOLD, color="0.3", ls="--", lw=1.0, label=f"ρ = {THRESHOLD}")
    ax.set_xticks(x, [fraction_label(f) for f in x], fontsize=10)
    ax.tick_params(axis="y", labelsize=10)
    ax.set_xlabel("fraction of training of the target model", fontsize=10.5)
    ax.set_ylabel("Pearson ρ with the final ranking", fontsize=10.5)
    ax.set_ylim(*consistency_ylim(table["low"]))
    ax.legend(fontsize=10, loc="lower right")
    if rankings is not None:
        ax = axes[0, 1]
        im = ax.imshow(rankings.to_numpy(), aspect="auto", cmap=SIMILARITY_CMAP)
        ax.set_yticks(range(len(rankings)), [label(t) for t in rankings.index], fontsize=10)
        ax.set_xticks(
            range(rankings.shape[1]), [fraction_label(f) for f in rankings.columns], fontsize=10
        )
        ax.set_xlabel("fraction of training", fontsize=10.5)
        cb = fig.colorbar(im, ax=ax)
        cb.set_label("RSA with the target model (dark = similar)", fontsize=10.5)
        cb.ax.tick_params(labelsize=10)
    return fig


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
        replicates_large=data.replicates.get("taskonomy"),
    )  # fmt: skip
    return pd.DataFrame(
        {"estimate": res.estimate, "low": res.low, "high": res.high}, index=["rho", "r_s"]
    )


def plot_size(table: pd.DataFrame) -> plt.Figure:
    """Thick bars (Taskonomy-architecture encoders) with thin bars (small encoders) on top, one
    pair per source task, sorted by the thick bars (legend above the axes)."""
    fig, ax = plt.subplots(figsize=(max(6.0, 0.42 * len(table)), 4.0), layout="constrained")
    x = np.arange(len(table))
    ax.bar(
        x,
        table["taskonomy"],
        width=0.8,
        color="0.75",
        edgecolor="0.4",
        label="Taskonomy architecture (thick)",
    )
    ax.bar(x, table["small"], width=0.25, color="C3", label="small model (thin)")
    ax.axhline(0, color="k", lw=0.6)
    ax.set_xticks(x, table["label"], rotation=60, ha="right", fontsize=9)
    ax.tick_params(axis="y", labelsize=9)
    ax.set_ylabel("RSA with the target small model", fontsize=9.5)
    ax.legend(fontsize=9, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False,
              title="Similarity rankings: Taskonomy architecture (thick) vs small (thin)",
              title_fontsize=10)  # fmt: skip
    return fig


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
    and from all images → table (n, fraction, estimate = median, low, high = central 95 %)."""
    n_all = data.final.shape[-1]
    df = consistency.image_count_consistency(
        data.final, data.sources[arch], usable_counts(counts, n_all), n_draws=n_draws, seed=seed,
        device=device,
    )  # fmt: skip
    df.insert(1, "fraction", df["n"] / n_all)
    return df


def plot_image_counts(table: pd.DataFrame, n_all: int) -> plt.Figure:
    """ρ with the all-image ranking vs number of images (median and 95 % band; y axis zoomed
    to the data, :func:`rsa_utils.plots.consistency_ylim`, with the 0.99 line)."""
    from rsa_utils.figures.style import consistency_ylim

    fig, ax = plt.subplots(figsize=(5.6, 4.0), layout="constrained")
    ax.fill_between(table["n"], table["low"], table["high"], color="C2", alpha=0.25, lw=0,
                    label="central 95 % of draws")  # fmt: skip
    ax.plot(table["n"], table["estimate"], "o-", color="C2", label="median over draws",
            clip_on=False, zorder=3)  # fmt: skip
    ax.axhline(THRESHOLD, color="0.3", ls="--", lw=1.0, label=f"ρ = {THRESHOLD}")
    ax.set_xlabel(f"number of images n (of {n_all})", fontsize=10)
    ax.set_ylabel(f"Pearson ρ with the ranking from {n_all} images", fontsize=10)
    ax.tick_params(labelsize=9.5)
    ax.set_ylim(*consistency_ylim(table["low"]))
    ax.legend(fontsize=9.5, loc="lower right")
    return fig


# --- S3.4: transfer performance -------------------------------------------------------------------


def finetune_all(study: Study, tasks: Sequence[str]) -> pd.DataFrame:
    """Fine-tune every source initialisation and both baselines on the target task (cached in
    the zoo) → table indexed by init (miou in %, seconds, kind = ``source`` | ``baseline``)."""
    rows = {}
    inits = [*tasks, *transfer.FINETUNE_BASELINES]
    jobs = [
        (init, study.profile, study.seed, str(study.device), study.cache_dir, study.sources)
        for init in inits
    ]
    runs = parallel.run(_finetune_job, jobs, study.profile.workers, cpu=study.device.type == "cpu")
    got = {args[0]: rec for args, rec in tqdm(runs, total=len(jobs),
                                              desc=f"fine-tuning ({study.profile.workers} side by side)")}  # fmt: skip
    for init in inits:
        rec = got[init]
        kind = "baseline" if init in transfer.FINETUNE_BASELINES else "source"
        rows[init] = {
            "miou": 100 * float(rec["miou"]),
            "seconds": float(rec["seconds"]),
            "kind": kind,
        }
    df = pd.DataFrame.from_dict(rows, orient="index")
    df.index.name = "init"
    return df


def _finetune_job(init, profile, seed, device, cache_dir, sources) -> dict:
    return transfer.finetune(
        init, profile, seed=seed, device=device, cache_dir=cache_dir, sources=sources
    )


def most_beat(miou: pd.Series, majority: float) -> bool:
    """Whether more than half of the fine-tuned runs (mIoU, %) beat predicting the majority class
    (``majority``, %): without that, their mIoU ranking says nothing about transfer, and S3.4's
    mIoU claims are not tested."""
    return bool((miou > majority).sum() > len(miou) / 2)


def transfer_table(similarity: pd.Series, miou: pd.Series) -> pd.DataFrame:
    """S3.4: one row per source task in descending similarity order: label, similarity,
    similarity rank (1 = most similar), mIoU (%) and mIoU rank (1 = best)."""
    sim = similarity.sort_values(ascending=False)
    df = pd.DataFrame({"label": [label(t) for t in sim.index], "similarity": sim,
                       "miou": miou[sim.index].astype(float)})  # fmt: skip
    df["similarity_rank"] = np.arange(1, len(df) + 1)
    df["miou_rank"] = df["miou"].rank(ascending=False, method="min").astype(int)
    df.index.name = "task"
    return df[["label", "similarity", "similarity_rank", "miou", "miou_rank"]]


def task_checks(table: pd.DataFrame) -> pd.DataFrame:
    """The paper's named tasks (:data:`PAPER_HIGH`, :data:`PAPER_LOW`) that are in ``table``:
    their similarity and mIoU ranks, and whether each lies in the expected half of the S
    tasks (high: rank <= S/2; low: rank > S/2). A column whose values are all equal (e.g. every
    run at the same mIoU) cannot order the tasks: its check is None (not tested)."""
    s = len(table)
    tied = {c: table[c].nunique() < 2 for c in ("similarity", "miou")}
    rows = []
    for group, names in (("high", PAPER_HIGH), ("low", PAPER_LOW)):
        for t in names:
            if t not in table.index:
                continue
            r = table.loc[t]
            ok = {}
            for c in ("similarity", "miou"):
                rank = r[f"{c}_rank"]
                ok[c] = (
                    None if tied[c] else bool(rank <= s / 2 if group == "high" else rank > s / 2)
                )
            rows.append({"task": t, "label": r.label, "paper": group, "similarity_rank": int(r.similarity_rank),
                         "miou_rank": int(r.miou_rank), "similarity_as_paper": ok["similarity"],
                         "miou_as_paper": ok["miou"]})  # fmt: skip
    cols = [
        "task",
        "label",
        "paper",
        "similarity_rank",
        "miou_rank",
        "similarity_as_paper",
        "miou_as_paper",
    ]
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
    ours = ", ".join(f"{r.label} {r[rank_col]}" for _, r in sub.iterrows())
    ok = sub[column]
    if ok.isna().any():
        return f"{ours} (all tied){missing}", "not tested"
    return ours + missing, share_verdict(ok.tolist())


def transfer_spearman(table: pd.DataFrame, *, seed: int = 0) -> tuple[float, float, float]:
    """Spearman r_s between similarity and mIoU over the sources with a bootstrap interval over
    tasks (:func:`rsa_utils.consistency.spearman_with_interval`); NaNs if either is constant."""
    if table["similarity"].nunique() < 2 or table["miou"].nunique() < 2:
        return float("nan"), float("nan"), float("nan")
    return consistency.spearman_with_interval(table["similarity"], table["miou"], seed=seed)


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


def _mark_named(ax, tasks: Sequence[str]) -> None:
    for tick, t in zip(ax.get_xticklabels(), tasks):
        if t in PAPER_HIGH:
            tick.set_color("C2")
        elif t in PAPER_LOW:
            tick.set_color("C3")


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


def plot_transfer(
    table: pd.DataFrame, baselines: pd.Series, paper: pd.DataFrame | None = None
) -> plt.Figure:
    """(a) our mIoU per source initialisation in descending similarity order, the similarity on
    a second axis and the baselines as labelled horizontal lines (legend above the axes);
    (b) if ``paper`` is given: our mIoU (y) against the paper's published Pascal VOC mIoU (x)
    for the tasks in both, each point labelled, Spearman's r_s in the title. Task labels: green
    = the paper's high-similarity tasks, red = its low-similarity tasks."""
    from scipy.stats import spearmanr

    from rsa_utils.figures.style import separate_labels

    panels = 1 if paper is None else 2
    width = max(7.5, 0.45 * len(table))
    heights = [4.6] if paper is None else [4.6, 5.0]
    fig, axes = plt.subplots(panels, 1, figsize=(width, sum(heights) + 0.4), squeeze=False,
                             layout="constrained", height_ratios=heights)  # fmt: skip
    ax = axes[0, 0]
    x = np.arange(len(table))
    ax.bar(x, table["miou"], color="C0", width=0.7, label="fine-tuned from the source encoder")
    styles = {"scratch": ("k", "--"), "frozen_random": ("0.45", ":")}
    for name, value in baselines.items():
        color, ls = styles.get(name, ("k", "-."))
        ax.axhline(
            value, color=color, ls=ls, lw=1.2, label=f"{name.replace('_', ' ')} ({value:.1f})"
        )
    lo = min(float(table["miou"].min()), float(baselines.min()) if len(baselines) else np.inf)
    hi = max(float(table["miou"].max()), float(baselines.max()) if len(baselines) else -np.inf)
    pad = max(1.0, 0.15 * (hi - lo))
    ax.set_ylim(max(0.0, lo - pad), hi + pad)
    ax.set_ylabel("target test mIoU (%)", fontsize=10)
    ax.set_xticks(x, table["label"], rotation=60, ha="right", fontsize=9.5)
    ax.tick_params(axis="y", labelsize=9.5)
    _mark_named(ax, list(table.index))
    tw = ax.twinx()
    tw.plot(x, table["similarity"], "o-", color="C1", ms=4, lw=1, label="RSA similarity")
    tw.set_ylabel("RSA with the target model", color="C1", fontsize=10)
    tw.tick_params(axis="y", labelsize=9.5)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = tw.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize=9, loc="lower center", bbox_to_anchor=(0.5, 1.0),
              ncol=2, frameon=False, title_fontsize=10,
              title="(a) this reproduction: sources in descending similarity order")  # fmt: skip
    if paper is not None:
        ax = axes[1, 0]
        both = transfer_vs_paper(table, paper)
        shared = list(both.index)
        ours, theirs = both["miou"], both["paper_miou"]
        ok = len(shared) >= 3 and ours.nunique() > 1 and theirs.nunique() > 1
        r_s = float(spearmanr(theirs, ours).statistic) if ok else float("nan")
        ax.scatter(theirs, ours, color="C0", s=28, zorder=3)
        texts = []
        for t in shared:
            color = "C2" if t in PAPER_HIGH else "C3" if t in PAPER_LOW else "k"
            texts.append(ax.annotate(label(t), (theirs[t], ours[t]), xytext=(5, 2),
                                     textcoords="offset points", fontsize=9, color=color))  # fmt: skip
        ax.set_xlabel("the paper's published Pascal VOC mIoU (%)", fontsize=10)
        ax.set_ylabel("our target test mIoU (%)", fontsize=10)
        ax.tick_params(labelsize=9.5)
        ax.margins(x=0.12, y=0.1)
        rs_text = f"Spearman r_s = {r_s:.2f}" if np.isfinite(r_s) else "Spearman r_s undefined"
        ax.set_title(f"(b) ours vs the paper, {len(shared)} shared tasks: {rs_text}", fontsize=10)
        fig.canvas.draw()  # final layout, then keep the point labels apart
        separate_labels(ax, texts)
    return fig
