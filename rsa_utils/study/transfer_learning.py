"""S3.4, transfer learning: fine-tuning from each source against its similarity; prose values, claims."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rsa_utils.nets import zoo
from rsa_utils.study import report, taskonomy_results
from rsa_utils.study.profiles import Study
from rsa_utils.study.s3_data import S3Data, finetune_all, finetune_images, label, load
from rsa_utils.study.s3_statistics import (
    group_verdict,
    miou_draws,
    most_beat,
    n_target_models,
    paper_table,
    similarity_draws,
    spearman_verdict,
    task_checks,
    transfer_spearman,
    transfer_table,
)


@dataclass(frozen=True)
class TransferLearning:
    """S3.4 in one object: the fine-tuning runs, the transfer table (similarity, mIoU, ranks),
    the baselines, the named tasks' checks, the published Pascal list against our ranking, the
    prose's values by glue name (``values``: plain values; ``text``: Markdown) and the claims
    rows (gated)."""

    runs: pd.DataFrame
    table: pd.DataFrame
    baselines: pd.Series
    checks: pd.DataFrame
    pascal: pd.DataFrame  # one row: the published Pascal VOC mIoU vs our RSA ranking
    text: dict[str, str]
    values: dict[str, Any]
    claims: list[report.Claim]


def _r_s_reading(r_s: float, low: float, high: float) -> str:
    reading = "the paper's claim is a positive r_s (mIoU falls as similarity falls)"
    if np.isfinite(r_s):
        reading += "; ours has the opposite sign" if r_s < 0 else "; ours has that sign"
        if not (low > 0 or high < 0):
            reading += ", but its interval includes zero"
    return reading


def _seeds_reading(seeds: pd.Series, margin: float) -> str:
    """Scratch's mIoU per seed (%) and how far apart they lie, against the median source's
    ``margin`` over their mean (mIoU points): one seed's noise, to read the margin against."""
    if len(seeds) < 2:
        return f"one seed ({report.fmt(seeds.iloc[0], 1) if len(seeds) else '–'} %)"
    spread = float(seeds.max() - seeds.min())
    than = "more" if spread > abs(margin) else "less"
    side = "above" if margin > 0 else "below"
    return (f"{' and '.join(report.fmt(v, 1) for v in seeds)} % with its {len(seeds)} seeds, "
            f"{report.fmt(spread, 1)} points apart: {than} than the median source lies from "
            f"their mean ({report.fmt(abs(margin), 1)} points {side})")  # fmt: skip


def _scratch_reading(low: float, high: float) -> str:
    """What the interval of the median source's margin over scratch (mIoU points) says."""
    if high < 0:
        return ("the median source lies clearly below training from scratch: here a source's "
                "encoder costs the target task mIoU instead of adding it")  # fmt: skip
    if low > 0:
        return "the median source lies clearly above training from scratch, as transfer should"
    return "these runs cannot tell the median source from training from scratch"


def _count_range(counts: pd.Series) -> str:
    """``"2"`` when every count is 2, ``"1–2"`` when they range from 1 to 2."""
    lo, hi = int(counts.min()), int(counts.max())
    return str(lo) if lo == hi else f"{lo}–{hi}"


def transfer_learning(study: Study, tasks: Sequence[str] | None = None) -> TransferLearning:
    """Everything S3.4 reports for the source ``tasks`` (default: the 17 of S3.4): the RDMs read
    by :func:`~rsa_utils.study.s3_data.load`, then :func:`compare`, which fine-tunes (or reads
    from the zoo) every source and baseline."""
    return compare(study, load(study, tasks=tasks))


def compare(study: Study, s3: S3Data) -> TransferLearning:
    """S3.4's numbers from the S3 data: fine-tunes (or reads from the zoo) every source and
    baseline."""
    prof = study.profile
    # each source network's similarity is averaged over the target models (two with
    # replicates), so that it is the target task's, not one target network's; a source with two
    # networks is fine-tuned from each, and its similarity and mIoU are the means over them
    sims = pd.DataFrame({r: s3.mean_ranking("taskonomy", replicate=r) for r in (0, 1)})
    runs = finetune_all(study, s3.tasks)
    per_run = runs[["miou_rep0", "miou_rep1"]].set_axis([0, 1], axis=1)  # (inits, replicates)
    mious = per_run.loc[s3.tasks].dropna(axis=1, how="all")  # without a replicate no source has
    sims = sims.reindex(s3.tasks)[mious.columns]
    both = sims.notna() & mious.notna()  # the networks with a similarity and a fine-tuning
    sims, mious = sims.where(both), mious.where(both)
    table = transfer_table(sims.mean(axis=1), mious.mean(axis=1),
                           {"similarity": sims, "miou": mious})  # fmt: skip
    # paired bootstrap over the target's test images (and each init's networks): intervals for
    # each source's mIoU, its rank and its margin over training from scratch
    boot = miou_draws(finetune_images(study, [*s3.tasks, "scratch"]), n_boot=prof.n_boot,
                      seed=study.seed)  # fmt: skip
    table["miou_low"], table["miou_high"] = (
        boot[table.index].quantile(q).to_numpy() for q in (0.025, 0.975)
    )
    over_scratch = boot[s3.tasks].sub(boot["scratch"], axis=0)
    median_over = boot[s3.tasks].median(axis=1) - boot["scratch"]
    rec = zoo.get_target_record(prof, seed=study.seed, device=study.device,
                                cache_dir=study.cache_dir, sources=study.sources)  # fmt: skip
    majority = 100 * float(rec["baseline"])  # predicting the most frequent class everywhere
    baselines = pd.concat(
        [runs.loc[runs["kind"] == "baseline", "miou"], pd.Series({"majority_class": majority})]
    )
    table["beats_majority"] = table["miou"] > majority
    r_s, r_low, r_high = transfer_spearman(table, seed=study.seed)
    r_s_text = (report.fmt_interval(r_s, r_low, r_high) if np.isfinite(r_s)
                else "undefined (every run reached the same mIoU)")  # fmt: skip
    sim_boot = similarity_draws(s3, n_boot=prof.n_boot, seed=study.seed, device=study.device)
    checks = task_checks(table, boot[s3.tasks], sim_boot)
    paper_miou = paper_table()["miou"]
    best, worst = table["miou"].idxmax(), table["miou"].idxmin()
    if len(table.index.intersection(paper_miou.index)) >= 3:
        pascal = taskonomy_results.ranking_spearman(
            paper_miou, table["similarity"], seed=study.seed
        )
    else:
        pascal = (np.nan, np.nan, np.nan, 0)
    pascal_row = taskonomy_results.comparison_row(
        "published Pascal VOC mIoU vs our RSA ranking", pascal
    )
    scratch = baselines.get("scratch", float("nan"))
    text = {
        "set_aside": s3.set_aside_text,
        "finetune_minutes": report.fmt(runs["seconds"].sum() / 60, 1),
        "paper_range": f"{report.fmt(paper_miou.min(), 1)}–{report.fmt(paper_miou.max(), 1)} %",
        "paper_span": report.fmt(paper_miou.max() - paper_miou.min(), 0),
        "r_s": r_s_text,
        "r_s_reading": _r_s_reading(r_s, r_low, r_high),
        "best": f"{label(best)} ({report.fmt(table.loc[best, 'miou'], 1)} %)",
        "worst": f"{label(worst)} ({report.fmt(table.loc[worst, 'miou'], 1)} %)",
        "pascal_rsa": report.fmt_interval(*pascal[:3]),
        "top_sim": ", ".join(table["label"].iloc[:3]),
        "scratch": report.fmt(scratch, 1),
        "frozen": report.fmt(baselines.get("frozen_random", float("nan")), 1),
        "majority": report.fmt(majority, 1),
        "margin_scratch": report.fmt_interval(
            table["miou"].median() - scratch, *median_over.quantile([0.025, 0.975]), 1
        ),
        "margin_majority": report.fmt(table["miou"].median() - majority, 1),
        "scratch_reading": _scratch_reading(*median_over.quantile([0.025, 0.975])),
        "scratch_seeds": _seeds_reading(
            per_run.loc["scratch"].dropna()
            if "scratch" in per_run.index
            else pd.Series(dtype=float),
            table["miou"].median() - scratch,
        ),
        "n_networks": _count_range(mious.notna().sum(axis=1)),  # fine-tuned networks per source
    }
    values = {
        "n_tasks": len(s3.tasks), "n_images": prof.n_rsa, "target_train": prof.target_train,
        "finetune_steps": prof.finetune_steps, "n_test": prof.n_test,
        "pascal_n": pascal[3], "n_target_models": n_target_models(s3),
        "n_runs": int(per_run.notna().to_numpy().sum()),
        "n_above_scratch": int((table["miou"] > baselines.get("scratch", float("inf"))).sum()),
        "n_clearly_above_scratch": int((over_scratch.quantile(0.025) > 0).sum()),
        "n_clearly_below_scratch": int((over_scratch.quantile(0.975) < 0).sum()),
        "n_learned": int(table["beats_majority"].sum()),
    }  # fmt: skip
    learned = most_beat(table["miou"], majority)
    high_sim = group_verdict(checks, "high", "similarity_as_paper")
    high_miou = group_verdict(checks, "high", "miou_as_paper")
    low_sim = group_verdict(checks, "low", "similarity_as_paper")
    low_miou = group_verdict(checks, "low", "miou_as_paper")
    n = len(table)
    claims = [
        report.Claim(section="S3.4", claim="mIoU falls as similarity falls: Spearman r_s (similarity, mIoU) > 0",
                     paper="> 0 (decreasing, not monotone; no number)",
                     ours=r_s_text, holds=spearman_verdict(r_s, r_low, r_high) if learned else "not tested"),
        report.Claim(section="S3.4", claim="object class, surface normals, 2.5d segment rank high in similarity",
                     paper="high similarity", ours=f"similarity rank of {n}: {high_sim[0]}", holds=high_sim[1]),
        report.Claim(section="S3.4", claim="object class, surface normals, 2.5d segment transfer well",
                     paper="high mIoU", ours=f"mIoU rank of {n}: {high_miou[0]}",
                     holds=high_miou[1] if learned else "not tested"),
        report.Claim(section="S3.4", claim="autoencoding, vanishing point rank low in similarity",
                     paper="low similarity", ours=f"similarity rank of {n}: {low_sim[0]}", holds=low_sim[1]),
        report.Claim(section="S3.4", claim="autoencoding, vanishing point transfer poorly",
                     paper="low mIoU", ours=f"mIoU rank of {n}: {low_miou[0]}",
                     holds=low_miou[1] if learned else "not tested"),
        report.Claim(section="S3.4", claim="published Pascal VOC mIoU per source vs our RSA ranking: Spearman",
                     paper="> 0", ours=report.fmt_interval(*pascal[:3]) + f" over {pascal[3]} sources",
                     holds=report.direction_verdict(*pascal[:3]), kind="ours"),
    ]  # fmt: skip
    claims = report.gate_claims(claims, s3.set_aside_note, s3.tested)
    return TransferLearning(runs, table, baselines, checks, pd.DataFrame([pascal_row]), text,
                            values, claims)  # fmt: skip
