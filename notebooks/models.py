# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # The task networks and their quality
#
# Every section compares representations of trained networks, so this chapter checks first
# that the networks learned their tasks. Two architectures are trained for each of the 20
# tasks: the small model of Table S1 and the Taskonomy architecture (a ResNet-50 encoder with
# output stride 16 compressed to 8 channels). A network's held-out metric is set beside a
# trivial baseline — the mean training target for regression tasks, the majority class for
# classification, and for the two unsupervised segmentations the rate at which two training
# pixels share a segment (predicted for every pixel pair) — and a network that does not beat
# its baseline is flagged here, not hidden.

# %% tags=["parameters"]
profile = "auto"
device = "auto"
seed = 0
cache_dir = None
data = "synthetic"
data_root = None
target_data = "synthetic"
target_root = None
tasks = None  # default: all 20 tasks

# %%
from myst_nb import glue

from rsa_utils import models, profiles, report, task_models
from rsa_utils.tasks import TASK_NAMES, check_tasks

study = profiles.setup(profile, device, seed, cache_dir, data, data_root, target_data, target_root)
P = study.profile
tasks = check_tasks(tasks, default=TASK_NAMES)
tk = models.build_model("normal", "taskonomy", P)
sm = models.build_model("normal", "small", P)
n_params = lambda m: sum(p.numel() for p in m.encoder.parameters())  # noqa: E731
glue("tk_params", f"{n_params(tk) / 1e6:.2f}", display=False)
glue("small_params", f"{n_params(sm) / 1e3:.1f}", display=False)
glue("width", P.resnet_width, display=False)
glue("steps", P.steps, display=False)
glue("batch", P.batch_size, display=False)
glue("n_train", P.n_train, display=False)
glue("size", P.image_size, display=False)

# %% [markdown]
# On this profile the networks see {glue:}`size`-pixel images; each is trained with Adam for
# {glue:}`steps` steps of {glue:}`batch` images drawn from {glue:}`n_train` rendered training
# scenes. The Taskonomy-architecture encoder has base width {glue:}`width` (torchvision's
# ResNet-50: 64) and {glue:text}`tk_params` million parameters; the small encoder has
# {glue:text}`small_params` thousand.

# %% tags=["hide-output"]
# trains every network on first use (one summary line each), then reads them from the zoo
quality = task_models.quality_table(tasks, study)

# %%
n_beat = int(quality.beats_baseline.sum())
failing = quality[~quality.beats_baseline]
glue("n_models", len(quality), display=False)
glue("n_beat", n_beat, display=False)
report.glue_text(
    "failing", ", ".join(f"{r.label} ({r.arch})" for r in failing.itertuples()) or "none"
)
train_min = quality.seconds.sum() / 60
glue("train_min", round(float(train_min), 1), display=False)
(quality.assign(flag=quality.beats_baseline.map({True: "", False: "⚠ not better than baseline"}))
 [["label", "type", "arch", "metric_name", "metric", "baseline", "relative_quality", "flag"]]
 .style.hide(axis="index").format(precision=4))  # fmt: skip

# %% [markdown]
# {glue:}`n_beat` of {glue:}`n_models` networks beat their trivial baseline on held-out
# images. Not better than the baseline: {glue:md}`failing`. Relative quality is the fraction of
# the baseline's error that the network removes (1 = perfect; for accuracy and mIoU, the
# fraction of the gap to 1). Training all of them took {glue:}`train_min` minutes on this
# edition's device.
