"""The study's trained task networks as the sections use them: loading, quality against
trivial baselines (the quality gate) and prediction pictures (Fig S2)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import torch
from tqdm.auto import tqdm

from . import train, zoo
from .models import ARCHS
from .profiles import Study
from .tasks import check_tasks, get_task, task_input


def load_models(tasks: Sequence[str], arch: str, study: Study, checkpoint: float = 1.0) -> dict:
    """Task name → trained model (eval mode, on the study's device); trains on first use."""
    return {
        t: zoo.get_model(
            t,
            arch,
            study.profile,
            seed=study.seed,
            device=study.device,
            cache_dir=study.cache_dir,
            checkpoint=checkpoint,
            sources=study.sources,
        )  # fmt: skip
        for t in tqdm(check_tasks(tasks), desc=f"{arch} models")
    }


def relative_quality(metric: float, baseline: float, higher_is_better: bool) -> float:
    """How much of the gap to a perfect score the model closes over the baseline (1 = perfect,
    0 = no better than the baseline, < 0 = worse): 1 − error/baseline error for losses,
    (metric − baseline)/(1 − baseline) for accuracies and mIoU."""
    if higher_is_better:
        return (metric - baseline) / max(1e-12, 1 - baseline)
    return 1 - metric / max(1e-12, baseline)


def quality_table(tasks: Sequence[str], study: Study, archs: Sequence[str] = ARCHS) -> pd.DataFrame:
    """One row per (task, architecture): held-out metric, trivial baseline (computed afresh,
    :func:`~rsa_utils.train.task_baseline`), whether the network beats it, and the relative
    quality (:func:`relative_quality`)."""
    tasks = check_tasks(tasks)
    baselines = {
        t: train.task_baseline(
            t, study.profile, seed=study.seed, cache_dir=study.cache_dir, sources=study.sources
        )  # fmt: skip
        for t in tasks
    }
    rows = []
    for arch in archs:
        for t in tasks:
            r = zoo.get_record(
                t,
                arch,
                study.profile,
                seed=study.seed,
                device=study.device,
                cache_dir=study.cache_dir,
                sources=study.sources,
            )
            hib, base = bool(r["higher_is_better"]), baselines[t]
            beats = r["metric"] > base if hib else r["metric"] < base
            rows.append({
                "task": t, "label": get_task(t).label, "type": get_task(t).type, "arch": arch,
                "metric_name": r["metric_name"], "metric": r["metric"], "baseline": base,
                "beats_baseline": bool(beats), "relative_quality": relative_quality(r["metric"], base, hib),
                "seconds": r.get("seconds", np.nan),
            })  # fmt: skip
    return pd.DataFrame(rows)


@torch.no_grad()
def prediction_pictures(
    tasks: Sequence[str], models: dict[str, dict], study: Study, index: int = 0
) -> dict:
    """Fig S2's pictures of held-out test image ``index`` for each task: input, target and each
    architecture's prediction (``models``: arch → task → model) as ``imshow``-ready arrays."""
    from .gallery import label_image
    from .plots import prediction_image

    tasks = check_tasks(tasks)
    data = study.source_set("test", index + 1, tasks=tasks)
    rgb, labels = data.batch([index], "cpu")
    rows = {}
    for t in tasks:
        x = task_input(t, rgb, generator=torch.Generator().manual_seed(index))
        pics = {
            "input": x[0].permute(1, 2, 0).numpy().clip(0, 1),
            "target": label_image(t, labels[t][0]),
        }
        for arch, ms in models.items():
            pics[arch] = prediction_image(t, ms[t](x.to(study.device))[0])
        rows[t] = pics
    return rows
