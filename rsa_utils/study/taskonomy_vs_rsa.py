"""S2, Taskonomy's transfer affinities against RSA: the section's numbers, prose values and claims."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rsa_utils.nets import transfer
from rsa_utils.rsa import core, features, taxonomy
from rsa_utils.study import task_models, taskonomy_results
from rsa_utils.study.claims import Claim, gate_claims
from rsa_utils.study.label_rsa import label_similarity, label_twins
from rsa_utils.study.profiles import Study
from rsa_utils.study.prose import fmt, fmt_interval
from rsa_utils.study.verdicts import (
    CLUSTER_MAX_MOVED,
    CLUSTER_MIN_ARI,
    clusters_verdict,
    direction_verdict,
    share_verdict,
)
from rsa_utils.world.tasks import OBJECT_CATEGORIES, ROOM_TYPES, TASK_NAMES, TASKS, check_tasks


@dataclass(frozen=True)
class S2Data:
    """What S2 reads off its readouts and networks: per-image transfer losses, the RSA matrix
    of the Taskonomy-architecture networks and the RSA of the world's labels."""

    tasks: list[str]
    losses: dict[str, np.ndarray]  # target → (S, n_test) test losses of each source's readout
    sim: pd.DataFrame  # (T, T) RSA of the networks
    label_sim: pd.DataFrame  # (T, T) RSA of the labels of the same images (at most 100)
    usable: list[str]  # tasks whose networks carry signal
    set_aside: dict[str, str]  # the others → why


@dataclass(frozen=True)
class TaskonomyVsRSA:
    """S2 in one object: the affinities (recomputed and published), the RSA matrix, the two
    clusterings, the per-target agreement, the comparisons with Taskonomy's published results,
    the prose's values (by glue name) and the claims (gated where networks carry them)."""

    trees: dict[str, pd.DataFrame]  # Fig S4: the matrices whose dendrograms are drawn
    matrices: dict[str, pd.DataFrame]  # Fig S5: published, recomputed, RSA (rows = targets)
    clusters: pd.DataFrame  # by task: affinity and RSA cluster, label, moved
    agreement: pd.DataFrame  # by target: per-target Spearman, label
    real: pd.DataFrame  # comparisons with Taskonomy's published affinities
    real_by_type: pd.DataFrame
    text: dict[str, str]
    values: dict[str, Any]
    claims: list[Claim]


def check_clusters(n_clusters: int, n_tasks: int) -> int:
    """``n_clusters`` if the trees of ``n_tasks`` tasks can be cut into that many (2 to T − 1)."""
    if not 2 <= n_clusters < n_tasks:
        raise ValueError(f"parameter n_clusters={n_clusters} must lie in [2, {n_tasks - 1}]")
    return n_clusters


def type_reading(by_type: pd.DataFrame) -> str:
    """Where the networks fall furthest short of Taskonomy's ranking, against the labels: the
    same type (the world's labels set the limit) or another (the training does). ``by_type``:
    task type → ``label RSA`` and ``RSA (networks)``."""
    net, lab = by_type["RSA (networks)"].idxmin(), by_type["label RSA"].idxmin()
    if net == lab:
        return f"networks and labels alike fall furthest short on {net} targets: the world's labels set that limit"
    return (f"the networks fall furthest short on {net} targets, whose labels follow Taskonomy "
            f"better ({fmt(by_type.loc[net, 'label RSA'])}) than the {lab} labels do: there the "
            "shortfall lies in the training, not in the labels")  # fmt: skip


def taskonomy_vs_rsa(
    study: Study, tasks: Sequence[str] | None = None, n_clusters: int = 4
) -> TaskonomyVsRSA:
    """Everything S2 reports for ``tasks`` (default: all 20), trees cut into ``n_clusters``:
    :func:`load`, then :func:`compare`. Readouts and networks are trained once, then cached."""
    tasks = check_tasks(tasks, default=TASK_NAMES)
    check_clusters(n_clusters, len(tasks))
    return compare(study, load(study, tasks), n_clusters)


def load(study: Study, tasks: Sequence[str] | None = None) -> S2Data:
    """The transfer readouts' losses and the networks' and labels' RSA for ``tasks``."""
    P = study.profile
    tasks = check_tasks(tasks, default=TASK_NAMES)
    losses = transfer.all_transfer_losses(P, source_tasks=tasks, targets=tasks, seed=study.seed, device=study.device,
                                          cache_dir=study.cache_dir, sources=study.sources, workers=P.workers)  # fmt: skip
    nets = task_models.load_models(tasks, "taskonomy", study)
    images = features.images_of(study.source_set("rsa", P.n_rsa, tasks=tasks))
    names, rdms = features.model_rdms(nets, images, device=study.device)
    sim = core.similarity_matrix(rdms, names, device=study.device)
    # the comparisons use the networks that can carry a claim (models chapter)
    usable, set_aside = task_models.usable_tasks(study, tasks, ("taskonomy",))
    rsa_set = study.source_set("rsa", P.n_rsa, tasks=tasks)
    label_sim = label_similarity(rsa_set.batch(slice(0, min(len(rsa_set), 100)))[1], tasks)
    return S2Data(list(tasks), losses, sim, label_sim, usable, set_aside)


def compare(study: Study, data: S2Data, n_clusters: int = 4) -> TaskonomyVsRSA:
    """S2's numbers from :class:`S2Data`: affinities, trees and clusters, per-target agreement,
    the comparisons with Taskonomy's published affinities, the prose's values and the claims."""
    P, tasks = study.profile, data.tasks
    losses, sim, label_sim = data.losses, data.sim, data.label_sim
    check_clusters(n_clusters, len(tasks))
    affinity = taxonomy.affinity_matrix(losses, tasks)  # sources × targets, columns sum to 1
    own_best = [affinity[t].idxmax() == t for t in tasks]
    # a target whose own-best status flips in more than 2.5 % of the draws over its test images
    # either way could go either way (the verdict rules' undecided member)
    share = taxonomy.own_best_share(losses, tasks, n_boot=P.n_boot, seed=study.seed)
    own_undecided = [bool(0.025 < share[t] < 0.975) for t in tasks]
    # Fig S5 shows affinities with rows = targets (self-affinity on the diagonal); the trees of
    # Fig S4 describe each task as a source by its affinities to the targets (rows = sources),
    # the one layout that places colorization and inpainting (sources only in Taskonomy) in the
    # published tree as well.
    affinity_tt = affinity.T.loc[tasks, tasks]
    real = taskonomy_results.load_taskonomy_transfers(
        "affinity", "16k"
    )  # sources × targets (20 × 18)
    real = real.loc[[t for t in tasks if t in real.index], [t for t in tasks if t in real.columns]]
    real_tt = taskonomy_results.as_target_matrix(real, tasks)
    usable, set_aside = data.usable, data.set_aside
    tested = len(usable) > n_clusters
    ct = usable if tested else list(tasks)
    # the claim: over the targets whose networks can carry one, the own encoder or a label
    # twin's (one function learnt from two phrasings of a label) is the best source
    twins = label_twins(label_sim)
    twin_share = taxonomy.own_best_share({t: losses[t] for t in ct}, tasks, n_boot=P.n_boot,
                                         seed=study.seed, twins=twins)  # fmt: skip
    twin_best = [affinity[t].idxmax() in (t, *twins[t]) for t in ct]
    twin_undecided = [bool(0.025 < twin_share[t] < 0.975) for t in ct]
    aff_c = taxonomy.affinity_matrix({t: losses[t][[tasks.index(s) for s in ct]] for t in ct}, ct)
    sim_c = sim.loc[ct, ct]
    trees = {"Taskonomy, published (16k images)": real, "Taskonomy way, recomputed here": affinity.loc[tasks, tasks],
             "RSA (ours)": sim}  # fmt: skip
    parts = pd.DataFrame({"affinity": taxonomy.clusters(aff_c.loc[ct, ct], n_clusters),
                          "rsa": taxonomy.clusters(sim_c, n_clusters)})  # fmt: skip
    ari = taxonomy.adjusted_rand_index(parts.affinity, parts.rsa)
    moved = taxonomy.moved_either_way(parts.affinity, parts.rsa)
    matrices = {"Taskonomy, published affinities": real_tt, "Recomputed affinities (unscaled)": affinity_tt,
                "RSA (ours)": sim}  # fmt: skip
    off = ~np.eye(len(tasks), dtype=bool)
    agree = taxonomy.transfer_agreement(sim_c, aff_c)
    agree_sum = taxonomy.agreement_summary(agree, seed=study.seed)
    agree_ci = (agree_sum["mean"], agree_sum["low"], agree_sum["high"])
    agree_table = agree.to_frame().assign(label=[TASKS[t].label for t in agree.index]).round(3)
    real_c = real.loc[[t for t in ct if t in real.index], [t for t in ct if t in real.columns]]
    real_cmp = taskonomy_results.real_taskonomy_comparisons(
        real_c, rsa_similarity=sim_c, affinity=aff_c, label_similarity=label_sim.loc[ct, ct], seed=study.seed
    )  # fmt: skip
    real_cmp.loc["labels_all"] = pd.Series(taskonomy_results.comparison_row(
        "label RSA, all tasks", taskonomy_results.per_target_spearman(label_sim, real, seed=study.seed)))  # fmt: skip
    real_cmp = real_cmp.astype({"n_targets": int})
    by_type = taskonomy_results.agreement_by_type({"RSA (networks)": sim, "recomputed affinities": affinity,
                                                   "label RSA": label_sim}, real).round(2)  # fmt: skip
    moved_text = ", ".join(TASKS[t].label for t in moved) or "none"
    values = {
        "n_tasks": len(tasks), "n_transfers": len(tasks) ** 2, "transfer_train": P.transfer_train,
        "n_test": P.n_test, "n_images": P.n_rsa, "transfer_steps": P.transfer_steps,
        "n_real_targets": real.shape[1], "n_claim_tasks": len(usable), "n_clusters": n_clusters,
        "n_moved": len(moved), "max_moved": CLUSTER_MAX_MOVED,
        "n_object_categories": len(OBJECT_CATEGORIES), "n_room_types": len(ROOM_TYPES),
        "real_n_all": int(real_cmp.loc["labels_all", "n_targets"]),
    }  # fmt: skip
    text = {
        "self_wins": f"{100 * np.mean(own_best):.0f} %",
        "self_undecided": f"{sum(own_undecided)} of {len(tasks)}",
        "self_or_twin": f"{sum(twin_best)} of {len(ct)}",
        "self_or_twin_undecided": f"{sum(twin_undecided)}",
        "self_top3": f"{100 * np.mean([t in affinity[t].nlargest(3).index for t in tasks]):.0f} %",
        "chance_wins": f"{100 / len(tasks):.0f} %",
        "set_aside": task_models.set_aside_text(set_aside),
        "ari": fmt(ari),
        "moved": moved_text,
        "min_ari": fmt(CLUSTER_MIN_ARI, 1),
        "aff_range": f"[{affinity_tt.to_numpy()[off].min():.3g}, {affinity_tt.to_numpy()[off].max():.3g}]",
        "rsa_range": f"[{fmt(sim.to_numpy()[off].min())}, {fmt(sim.to_numpy()[off].max())}]",
        "mean_rs": fmt_interval(*agree_ci),
        "n_pos": f"{agree_sum['positive']} of {agree_sum['targets']}",
        **{f"real_{k}": fmt_interval(r.spearman, r.low, r.high) for k, r in real_cmp.iterrows()},
        "label_best_type": by_type["label RSA"].idxmax(),
        "label_worst_type": by_type["label RSA"].idxmin(),
        "net_best_type": by_type["RSA (networks)"].idxmax(),
        "net_worst_type": by_type["RSA (networks)"].idxmin(),
        "type_reading": type_reading(by_type),
    }  # fmt: skip
    claims = [
        Claim("S2", "RSA and transfer clusterings agree (all tasks but room layout and denoising)",
              "2 of 20 tasks move", f"{len(moved)} of {len(ct)} move ({moved_text}); ARI {fmt(ari)}",
              clusters_verdict(len(moved), ari)),
        Claim("S2", "per-target Spearman between RSA and affinities (mean over targets)", "> 0",
              fmt_interval(*agree_ci), direction_verdict(*agree_ci), kind="ours"),
        Claim("S2", "a task's own encoder is its best source (readout sanity check)", "—",
              f"own or a label twin's: {sum(twin_best)} of {len(ct)} targets whose networks carry "
              f"signal ({sum(twin_undecided)} could go either way); own alone: {sum(own_best)} of "
              f"{len(own_best)} targets", share_verdict(twin_best, twin_undecided), kind="ours"),
    ]  # fmt: skip
    real_claims = [  # the label RSA involves no network: it is not gated
        Claim("S2", f"{real_cmp.loc[k, 'comparison']}: mean per-target Spearman", paper,
              fmt_interval(*real_cmp.loc[k, ["spearman", "low", "high"]])
              + f" over {real_cmp.loc[k, 'n_targets']} targets",
              direction_verdict(*real_cmp.loc[k, ["spearman", "low", "high"]]), kind="ours")
        for k, paper in (("rsa", "> 0 (real networks: about 0.78–0.83)"), ("affinity", "> 0"), ("labels_all", "> 0"))
    ]  # fmt: skip
    gated = gate_claims(claims + real_claims[:2], task_models.set_aside_note(set_aside), tested)
    clusters = parts.assign(
        label=[TASKS[t].label for t in parts.index], moved=parts.index.isin(moved)
    )
    return TaskonomyVsRSA(trees, matrices, clusters, agree_table, real_cmp, by_type, text, values,
                          gated + real_claims[2:])  # fmt: skip
