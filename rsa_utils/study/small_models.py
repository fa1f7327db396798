"""S1, small models against Taskonomy-architecture models: the section's numbers, prose values, claims."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.stats as ss
import torch

from rsa_utils.figures.style import TYPE_COLOR_NAMES
from rsa_utils.rsa import consistency, core, features
from rsa_utils.study import task_models
from rsa_utils.study.claims import Claim, gate_claims
from rsa_utils.study.profiles import Study
from rsa_utils.study.prose import fmt, fmt_interval
from rsa_utils.study.task_networks import longer_recipes
from rsa_utils.study.verdicts import direction_verdict, threshold_share, value_verdict
from rsa_utils.world.tasks import S1_TASKS, TASK_NAMES, TASKS, check_tasks

ARCHS = ("taskonomy", "small")


def claims_tested(usable: Sequence[str]) -> bool:
    """S1's claims need a 2D (other than 2D segment) and a 3D task among at least three."""
    types = {TASKS[t].type for t in usable if t != "segment_unsup2d"}
    return len(usable) >= 3 and {"2D", "3D"} <= types


@dataclass(frozen=True)
class S1Data:
    """What S1 reads off its networks: the RDMs of both architectures on the same images, the
    replicates' RDMs, the networks' quality and one image's predictions."""

    tasks: list[str]
    quality: pd.DataFrame  # the models chapter's quality rows of these tasks
    usable: list[str]  # tasks whose networks carry signal in both architectures
    set_aside: dict[str, str]  # the others → why
    rdms: dict[str, torch.Tensor]  # arch → (T, n, n), tasks in order
    replicates: dict[str, dict[str, torch.Tensor]]  # arch → claim task → (n, n) of replicate 1
    pictures: dict[str, dict[str, Any]]  # Fig S2: task → input, target, each arch's prediction

    @property
    def claim_tasks(self) -> list[str]:
        """The tasks the claims are computed on: the usable ones (all, if too few to test)."""
        return self.usable if claims_tested(self.usable) else list(self.tasks)


@dataclass(frozen=True)
class SmallModels:
    """S1 in one object: the networks' quality, both similarity matrices, the per-task ranking
    correlations (all tasks, and with intervals over images and networks on the tasks with
    signal), the prediction pictures, the prose's values (by glue name) and the claims (gated)."""

    tasks: list[str]
    quality: pd.DataFrame  # the models chapter's quality rows of these tasks
    sim_tk: pd.DataFrame
    sim_small: pd.DataFrame
    table: pd.DataFrame  # ranking ρ per task (all tasks) and between the matrices
    rho: pd.DataFrame  # by claim task: label, type, estimate, low, high
    pictures: dict[str, dict[str, Any]]
    text: dict[str, str]  # prose, glued as Markdown
    values: dict[str, Any]  # counts and plain values, glued as they are
    claims: list[Claim]


def _interval(frame: pd.DataFrame, row: str | None, digits: int = 2) -> str:
    """Row ``row`` of a frame with columns estimate, low, high as ``0.93 [0.90, 0.95]``
    (``—`` for no row)."""
    if row is None:
        return "—"
    return fmt_interval(*frame.loc[row, ["estimate", "low", "high"]], digits)


def _mean(values: np.ndarray) -> float:
    """The mean, NaN for no values (one task of a type has no pair)."""
    return float(values.mean()) if values.size else float("nan")


def _label(task: str | None) -> str:
    """A task's label, ``—`` for none."""
    return "—" if task is None else TASKS[task].label


def quality_draws(
    quality: pd.DataFrame, tasks: Sequence[str], n_draws: int, *, seed: int = 0
) -> np.ndarray:
    """(n_draws, T): each task's relative quality, the mean over both architectures, where each
    draw picks one of each architecture's replicates at random (column ``relative_quality_each``
    of the quality table; a task with one network always gives it). The pick is independent of
    which replicate the RDM draw of the same index took, so a task's ρ and quality vary apart."""
    rng = np.random.default_rng([seed, 37])
    out = np.zeros((n_draws, len(tasks)))
    for j, t in enumerate(tasks):
        rows = quality[quality.task == t]
        for each in rows.relative_quality_each:
            each = np.asarray(each, float)
            out[:, j] += each[rng.integers(0, len(each), size=n_draws)] / len(rows)
    return out


def small_models(study: Study, tasks: Sequence[str] | None = None) -> SmallModels:
    """Everything S1 reports for ``tasks`` (default: the 14 tasks of S1): :func:`load`, then
    :func:`compare`. Trains the networks on first use, then loads them."""
    return compare(study, load(study, tasks))


def load(study: Study, tasks: Sequence[str] | None = None) -> S1Data:
    """The networks of both architectures for ``tasks`` read into :class:`S1Data`."""
    tasks = check_tasks(tasks, default=S1_TASKS)
    nets = {arch: task_models.load_models(tasks, arch, study) for arch in ARCHS}
    # the quality gate of the models chapter (its noise ceiling is read against all 20 tasks)
    quality = task_models.quality_table(TASK_NAMES, study).query("task in @tasks")
    usable, set_aside = task_models.usable_tasks(study, tasks)
    images = features.images_of(study.source_set("rsa", study.profile.n_rsa, tasks=tasks))
    rdms = {a: features.model_rdms(nets[a], images, device=study.device)[1] for a in ARCHS}
    claim_tasks = usable if claims_tested(usable) else tasks
    # intervals over images and over networks: each draw takes either replicate of a task's network
    reps = {a: task_models.replicate_rdms(study, claim_tasks, a, images) for a in ARCHS}
    pictures = task_models.prediction_pictures(tasks, nets, study, index=0)
    return S1Data(list(tasks), quality, usable, set_aside, rdms, reps, pictures)


def compare(study: Study, data: S1Data) -> SmallModels:
    """S1's numbers from :class:`S1Data`: similarity matrices, ranking correlations with
    intervals (``study.profile.n_boot`` draws), the prose's values and the gated claims."""
    prof, tasks, names = study.profile, data.tasks, data.tasks
    present_types = [t for t in TYPE_COLOR_NAMES if any(TASKS[n].type == t for n in tasks)]
    side = prof.image_size // 16
    claim_tasks, quality = data.claim_tasks, data.quality
    rdms_tk, rdms_small = data.rdms["taskonomy"], data.rdms["small"]
    sim_tk = core.similarity_matrix(rdms_tk, names, device=study.device)
    sim_small = core.similarity_matrix(rdms_small, names, device=study.device)
    table, _ = consistency.compare_architectures(rdms_tk, rdms_small, names, n_boot=prof.n_boot,
                                                 seed=study.seed, device=study.device)  # fmt: skip
    keep = [names.index(t) for t in claim_tasks]
    reps = data.replicates
    table_c, res_c = consistency.compare_architectures(rdms_tk[keep], rdms_small[keep], claim_tasks, n_boot=prof.n_boot,
                                                   seed=study.seed, device=study.device,
                                                   replicates_a=reps["taskonomy"], replicates_b=reps["small"])  # fmt: skip
    rho = table_c.drop("matrix").assign(
        type=[TASKS[t].type for t in claim_tasks], label=[TASKS[t].label for t in claim_tasks]
    )
    two_d = rho[(rho.type == "2D") & (rho.index != "segment_unsup2d")]
    three_d = rho[rho.type == "3D"]
    # the least agreeing task of each group (None: no task of the group can carry a claim)
    worst_2d, worst_3d = (g.estimate.idxmin() if len(g) else None for g in (two_d, three_d))
    q = (
        quality.pivot(index="task", columns="arch", values="relative_quality")
        .mean(axis=1)
        .loc[claim_tasks]
    )
    # hierarchical: tasks, and each task's ρ and quality under a draw of its images and networks
    r_q, lo_q, hi_q = consistency.spearman_over_draws(
        rho.estimate.loc[claim_tasks], q, res_c.samples[:, : len(claim_tasks)],
        quality_draws(quality, claim_tasks, len(res_c.samples), seed=study.seed), seed=study.seed,
    )  # fmt: skip
    mat = table_c.loc["matrix"]
    lighter = consistency.block_mean_difference(sim_small, sim_tk, three_d.index, seed=study.seed)
    by_type = (
        quality.assign(type=[TASKS[t].type for t in quality.task])
        .groupby("type")
        .relative_quality.median()
    )
    steps = {a: prof.recipe(a)[0] for a in ("small", "taskonomy")}
    longer = longer_recipes(prof, tasks)
    values = {
        "n_tasks": len(tasks), "image_size": prof.image_size, "n_images": prof.n_rsa,
        "n_boot": prof.n_boot,
        "type_colors": ", ".join(f"{t} {TYPE_COLOR_NAMES[t]}" for t in present_types),
        "rep_size": 8 * side * side, "n_replicated": len(reps["small"]),
        "n_claim_tasks": len(data.usable), "steps": prof.steps,
    }  # fmt: skip
    text = {
        "rep_shape": f"8 × {side} × {side}",
        "n_per_task": ", ".join(f"{TASKS[t].label} {TASKS[t].out_channels}" for t in tasks),
        "set_aside": task_models.set_aside_text(data.set_aside),
        "min_rho_2d": _interval(two_d, worst_2d),
        "min_rho_2d_task": _label(worst_2d),
        "min_rho_3d": _interval(three_d, worst_3d),
        "min_rho_3d_task": _label(worst_3d),
        "mean_rho_2d": fmt(two_d.estimate.mean()),
        "mean_rho_3d": fmt(three_d.estimate.mean()),
        "seg2d_clause": (f"reaches {_interval(rho, 'segment_unsup2d')}" if "segment_unsup2d" in rho.index
                         else f"is set aside ({data.set_aside.get('segment_unsup2d', 'not among the tasks')})"),
        "rho_quality": fmt_interval(r_q, lo_q, hi_q),
        "rho_quality_p": f"{ss.spearmanr(rho.estimate.loc[claim_tasks], q).pvalue:.2g}",
        "matrix_r": fmt_interval(mat.estimate, mat.low, mat.high, 3),
        "mean_sim_tk_3d": fmt(_mean(consistency.off_diagonal(sim_tk, three_d.index))),
        "mean_sim_small_3d": fmt(_mean(consistency.off_diagonal(sim_small, three_d.index))),
        "lighter_3d": fmt_interval(*lighter),
        "train_steps": (f"{steps['small']} steps" if steps["small"] == steps["taskonomy"]
                        else f"{steps['small']} (small) and {steps['taskonomy']} (Taskonomy architecture) steps")
                       + ("" if longer == "none" else f" (except {longer})"),
        "q_2d": fmt(by_type.get("2D", float("nan"))),
        "q_3d": fmt(by_type.get("3D", float("nan"))),
    }  # fmt: skip
    diff_3d_2d = consistency.mean_difference(three_d.estimate, two_d.estimate, seed=study.seed)
    share_2d = threshold_share(two_d.estimate, two_d.low, two_d.high, 0.97)
    share_3d = threshold_share(three_d.estimate, three_d.low, three_d.high, 0.77)
    claims = [
        Claim("S1", "2D tasks (except 2D segment): ranking ρ small vs Taskonomy > 0.97", "> 0.97",
              f"{share_2d[1]}; min {text['min_rho_2d']} ({_label(worst_2d)})", share_2d[0]),
        Claim("S1", "3D tasks: ranking ρ small vs Taskonomy > 0.77", "> 0.77",
              f"{share_3d[1]}; min {text['min_rho_3d']} ({_label(worst_3d)})", share_3d[0]),
        Claim("S1", "3D tasks agree less than 2D tasks: mean ρ (3D − 2D)", "< 0",
              fmt_interval(*diff_3d_2d), direction_verdict(*diff_3d_2d, sign=-1)),
        Claim("S1", "Pearson between the two similarity matrices", "0.8510", text["matrix_r"],
              value_verdict(0.851, mat.estimate, mat.low, mat.high)),
        Claim("S1", "small models' 3D block is lighter: mean 3D similarity (small − Taskonomy)", "< 0",
              text["lighter_3d"], direction_verdict(*lighter, sign=-1)),
        Claim("S1", "higher agreement where predictions look better: Spearman (ρ, quality) over tasks",
              "> 0 (observed visually)", text["rho_quality"], direction_verdict(r_q, lo_q, hi_q)),
    ]  # fmt: skip
    claims = gate_claims(
        claims, task_models.set_aside_note(data.set_aside), claims_tested(data.usable)
    )
    return SmallModels(
        list(tasks), quality, sim_tk, sim_small, table, rho, data.pictures, text, values, claims
    )
