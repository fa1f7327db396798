"""Evaluation of a task network: held-out loss and metric, and the metric of the trivial baseline."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from rsa_utils.nets.loop import data_size, task_target
from rsa_utils.nets.losses import (
    baseline_metric,
    baseline_prediction,
    confusion_matrix,
    fit_baseline,
    miou_from_confusion,
    task_loss,
    task_metric,
)
from rsa_utils.nets.seeds import step_generator
from rsa_utils.world.tasks import Task, task_input


@torch.no_grad()
def evaluate(
    model: torch.nn.Module,
    task: Task,
    data: Any,
    batch_size: int,
    device: torch.device | str = "cpu",
) -> dict[str, float]:
    """Mean loss and held-out metric of ``model`` on all of ``data`` (eval mode, fixed randomness).

    The metric is the mean per-image :func:`~rsa_utils.losses.task_metric`, except ``miou``,
    which is the dataset mIoU from one confusion matrix.
    """
    device = torch.device(device)
    was_training = model.training
    model.eval()
    n = data_size(data)
    total, metric_sum = 0.0, 0.0
    conf = torch.zeros(task.out_channels, task.out_channels, dtype=torch.long)
    for s in range(0, n, batch_size):
        idx = np.arange(s, min(n, s + batch_size))
        g = step_generator(0, -1 - s)
        rgb, labels = data.batch(idx, device)
        target = task_target(labels, task).to(device)
        x = task_input(task, rgb.to(device), generator=g)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
            pred = model(x)
        total += float(task_loss(task, pred, target, reduction="none", generator=g).sum())
        if task.metric == "miou":
            conf += confusion_matrix(pred.argmax(1).cpu(), target.cpu(), task.out_channels)
        else:
            metric_sum += float(task_metric(task, pred, target, generator=g).sum())
    model.train(was_training)
    metric = miou_from_confusion(conf) if task.metric == "miou" else metric_sum / n
    return {"loss": total / n, "metric": metric}


def evaluate_baseline(
    task: Task, train: Any, test: Any, n_fit: int = 256, batch_size: int = 64
) -> float:
    """Held-out metric of the trivial baseline (:func:`~rsa_utils.losses.fit_baseline`) fitted on
    the first ``n_fit`` training images (the median or mean target, the majority class or the
    same-segment rate)."""
    idx = np.arange(min(n_fit, data_size(train)))
    fitted = fit_baseline(task, task_target(train.batch(idx, "cpu")[1], task))
    n = data_size(test)
    conf = torch.zeros(task.out_channels, task.out_channels, dtype=torch.long)
    metric_sum = 0.0
    for s in range(0, n, batch_size):
        ids = np.arange(s, min(n, s + batch_size))
        target = task_target(test.batch(ids, "cpu")[1], task)
        if task.metric == "miou":
            pred = baseline_prediction(fitted, len(ids))
            conf += confusion_matrix(pred.argmax(1), target, task.out_channels)
        else:
            g = step_generator(0, -1 - s)
            metric_sum += float(baseline_metric(task, fitted, target, generator=g).sum())
    return miou_from_confusion(conf) if task.metric == "miou" else metric_sum / n
