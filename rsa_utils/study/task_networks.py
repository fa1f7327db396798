"""The models chapter's numbers as one result: the networks' size, quality and noise ceilings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from rsa_utils.nets import models
from rsa_utils.study import report, task_models
from rsa_utils.study.label_rsa import TWIN_THRESHOLD
from rsa_utils.study.profiles import Profile, Study
from rsa_utils.world.tasks import TASK_NAMES, check_tasks, get_task


@dataclass(frozen=True)
class TaskNetworks:
    """The models chapter in one object: the quality table (one row per task × architecture,
    :func:`rsa_utils.study.task_models.quality_table`) and the prose's values by glue name
    (``values``: plain values for ``{glue:}``; ``text``: Markdown for ``{glue:md}``)."""

    quality: pd.DataFrame
    values: dict[str, Any]
    text: dict[str, str]


def encoder_parameters(model) -> int:
    """The number of parameters of a task network's encoder."""
    return sum(p.numel() for p in model.encoder.parameters())


def training_numbers(profile: Profile, tasks: Sequence[str]) -> dict[str, Any]:
    """What the profile trains: the two encoders' sizes (millions, thousands of parameters),
    the schedule, the images, the replicates (glue name → value)."""
    tk = models.build_model("normal", "taskonomy", profile)
    sm = models.build_model("normal", "small", profile)
    return {
        "tk_params": f"{encoder_parameters(tk) / 1e6:.2f}",
        "small_params": f"{encoder_parameters(sm) / 1e3:.1f}",
        "width": profile.resnet_width, "steps": profile.steps, "batch": profile.batch_size,
        "tk_steps": profile.recipe("taskonomy")[0], "tk_batch": profile.recipe("taskonomy")[1],
        "n_train": profile.n_train, "size": profile.image_size, "replicates": profile.replicates,
        "n_tasks": len(tasks), "replicate_tasks": min(profile.replicate_tasks, len(tasks)),
        "peak_lr": f"{profile.lr:g}", "warmup_pct": round(100 * profile.warmup),
    }  # fmt: skip


def longer_recipes(profile: Profile, tasks: Sequence[str]) -> str:
    """Prose: the networks that train other steps or another peak learning rate than the
    profile's (``Task.steps_factor``, ``Task.lr_factor``), e.g. "curvature: 4800 steps (small),
    1200 steps (Taskonomy architecture), peak 0.03; ..."; "none" when every network follows the
    profile."""
    names = {"small": "small", "taskonomy": "Taskonomy architecture"}
    groups: dict[str, list[str]] = {}
    for t in tasks:
        own = {
            a: profile.recipe(a, t)[0] for a in names if profile.recipe(a, t) != profile.recipe(a)
        }
        lr = profile.peak_lr(t)
        if not own and lr == profile.lr:
            continue
        what = ", ".join(f"{n} steps ({names[a]})" for a, n in own.items())
        what += f"{', ' if what else ''}peak {lr:g}" if lr != profile.lr else ""
        groups.setdefault(what, []).append(get_task(t).label)
    return "; ".join(f"{', '.join(labels)}: {what}" for what, labels in groups.items()) or "none"


def signal_counts(quality: pd.DataFrame) -> dict[str, int]:
    """Per architecture, the tasks whose networks carry signal, lack it, or have no replicate
    to tell: ``signal_yes_small``, ``signal_no_small``, ``signal_unknown_small``, …; and the
    tasks with signal under the strict criterion (label twins counted as other tasks):
    ``signal_strict_yes_small``, … (``signal_strict`` absent: the same as ``signal``)."""
    out = {}
    strict = quality.signal_strict if "signal_strict" in quality else quality.signal
    for arch, q in quality.assign(strict=strict).groupby("arch"):
        out[f"signal_yes_{arch}"] = int((q.signal == True).sum())  # noqa: E712
        out[f"signal_no_{arch}"] = int((q.signal == False).sum())  # noqa: E712
        out[f"signal_unknown_{arch}"] = int(q.signal.isna().sum())
        out[f"signal_strict_yes_{arch}"] = int((q.strict == True).sum())  # noqa: E712
    return out


def twin_groups(quality: pd.DataFrame) -> str:
    """The label twins as Markdown text: "autoencoding, denoising, inpainting; z-depth, distance"."""
    groups = {tuple(sorted([r.task, *filter(None, str(r.twins).split(", "))], key=TASK_NAMES.index))
              for r in quality.itertuples() if isinstance(r.twins, str) and r.twins}  # fmt: skip
    return "; ".join(", ".join(get_task(t).label for t in g) for g in sorted(groups)) or "none"


def median_quality(quality: pd.DataFrame) -> pd.DataFrame:
    """Median relative quality per task type (2D, 3D, other) and architecture."""
    group = quality.type.where(quality.type.isin(["2D", "3D"]), "other")
    return quality.assign(group=group).pivot_table(
        index="group", columns="arch", values="relative_quality", aggfunc="median"
    )


def task_networks(
    tasks: Sequence[str] | None, study: Study, *, quality: pd.DataFrame | None = None
) -> TaskNetworks:
    """Everything the models chapter reports. Trains every network on first use, then reads
    the zoo (``quality``: a quality table to use instead, e.g. in tests)."""
    tasks = check_tasks(tasks, default=TASK_NAMES)
    values = training_numbers(study.profile, tasks)
    if quality is None:
        quality = task_models.quality_table(tasks, study)
    failing = quality[~quality.beats_baseline]
    no_signal = quality[quality.signal == False]  # noqa: E712
    values |= {
        "n_models": len(quality),
        "n_networks": int(quality.replicates.sum()),
        "n_beat": int(quality.beats_baseline.sum()),
        "train_min": round(float(quality.seconds.sum() / 60), 1),
        **signal_counts(quality),
        "twin_threshold": TWIN_THRESHOLD,
    }
    medians = median_quality(quality).stack()
    text = {
        "failing": ", ".join(f"{r.label} ({r.arch})" for r in failing.itertuples()) or "none",
        "medians": "; ".join(f"{g} {a} {report.fmt(v)}" for (g, a), v in medians.items()),
        "no_signal": ", ".join(f"{r.label} ({r.arch}; nearest: {get_task(r.nearest_nontwin).label})"
                               for r in no_signal.itertuples()) or "none",
        "twin_groups": twin_groups(quality),
        "longer_recipes": longer_recipes(study.profile, tasks),
    }  # fmt: skip
    return TaskNetworks(quality, values, text)
