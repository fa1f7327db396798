"""Beyond the paper: RSA beside linear CKA and DDS, and layer by layer, against transfer affinities."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from rsa_utils.nets import transfer
from rsa_utils.rsa import features, similarity, taxonomy
from rsa_utils.study import report, task_models
from rsa_utils.study.profiles import Study
from rsa_utils.world.tasks import TASK_NAMES, check_tasks


@dataclass(frozen=True)
class Beyond:
    """The chapter in one object: agreement with transfer per measure and per layer (mean over
    targets with a bootstrap interval), the correlations between the measures' matrices, the
    prose's values by glue name (``values``: plain values; ``text``: Markdown)."""

    by_measure: pd.DataFrame  # by measure: mean, low, high, positive, targets
    by_layer: pd.DataFrame  # by layer: the same
    between: pd.DataFrame  # measure × measure: Pearson r between similarity matrices
    text: dict[str, str]
    values: dict[str, int]


def _depth_trend(by_layer: pd.DataFrame) -> str:
    """Whether agreement rises with depth (rows: layers from first to last; columns mean, low,
    high): the last interval above the first, estimates that rise while the intervals overlap,
    or neither."""
    first, last = by_layer.iloc[0], by_layer.iloc[-1]
    a, b = by_layer.index[0], by_layer.index[-1]
    if last["low"] > first["high"]:
        return f"here it does ({b}'s interval lies above {a}'s)"
    if by_layer["mean"].is_monotonic_increasing and last["mean"] > first["mean"]:
        return (f"the estimates rise, from {first['mean']:.2f} ({a}) to {last['mean']:.2f} ({b}), "
                f"but {a}'s and {b}'s intervals overlap, so within them the trend is not established")  # fmt: skip
    return "within these intervals no such trend can be read"


def _above_chance(names: Sequence[str]) -> str:
    if not names:
        return ("none of them: every interval includes zero, so here no measure or layer agrees "
                "with transfer better than chance, and the highest estimates do not single out a "
                "better measure")  # fmt: skip
    return ", ".join(names) + " (their intervals lie above zero)"


def beyond_the_paper(study: Study, tasks: Sequence[str] | None = None) -> Beyond:
    """Everything the chapter reports, from the S2 networks (Taskonomy architecture) of ``tasks``
    (default: all 20) on the study's RSA images and their transfer affinities."""
    prof = study.profile
    tasks = check_tasks(tasks, default=TASK_NAMES)
    nets = task_models.load_models(tasks, "taskonomy", study)
    images = features.images_of(study.source_set("rsa", prof.n_rsa, tasks=tasks))
    stages = {t: features.encoder_features(nets[t], images, device=study.device, stages=True)
              for t in tasks}  # fmt: skip
    losses = transfer.all_transfer_losses(prof, source_tasks=tasks, targets=tasks, seed=study.seed,
                                          device=study.device, cache_dir=study.cache_dir,
                                          sources=study.sources, workers=prof.workers)  # fmt: skip
    affinity = taxonomy.affinity_matrix(losses, tasks)
    matrices = similarity.measure_matrices({t: stages[t][-1] for t in tasks}, device=study.device)
    by_measure = similarity.agreement_table(matrices, affinity, seed=study.seed)
    by_layer = similarity.agreement_table(
        similarity.layer_rsa_matrices(stages, device=study.device), affinity, seed=study.seed
    )
    between = similarity.matrix_correlations(matrices).rename_axis("measure")
    by_measure, by_layer = by_measure.rename_axis("measure"), by_layer.rename_axis("layer")
    fmt = {k: report.fmt_interval(r["mean"], r["low"], r["high"])
           for k, r in [*by_measure.iterrows(), *by_layer.iterrows()]}  # fmt: skip
    best_m, best_l = by_measure["mean"].idxmax(), by_layer["mean"].idxmax()
    both = pd.concat([by_measure, by_layer])
    rsa_row = by_measure.loc["RSA (the paper)"]
    text = {
        "rsa_agree": fmt["RSA (the paper)"],
        "cka_agree": fmt["linear CKA"],
        "dds_cos_agree": fmt["DDS, cosine kernel"],
        "dds_lap_agree": fmt["DDS, Laplacian kernel"],
        "best_measure": f"{best_m}, {fmt[best_m]}",
        "best_layer": f"{best_l}, {fmt[best_l]}",
        "depth_trend": _depth_trend(by_layer),
        "above_chance": _above_chance([k for k, r in both.iterrows() if r["low"] > 0]),
        "layer_list": "; ".join(f"{layer} {fmt[layer]}" for layer in similarity.LAYERS),
        "rsa_vs_cka": report.fmt(between.loc["RSA (the paper)", "linear CKA"]),
        "n_pos_rsa": f"{int(rsa_row['positive'])} of {int(rsa_row['targets'])}",
    }
    values = {"n_tasks": len(tasks), "n_images": prof.n_rsa}
    return Beyond(by_measure, by_layer, between, text, values)
