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
# that the networks learned their tasks. Two architectures are trained for each of the
# {glue:}`n_tasks` tasks: the small model of Table S1 and the Taskonomy architecture (a
# ResNet-50 encoder with output stride 16 compressed to 8 channels). A network's held-out metric is set beside a
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
import matplotlib.pyplot as plt
from myst_nb import glue

from rsa_utils import models, plots, profiles, report, task_models
from rsa_utils.tasks import TASK_NAMES, check_tasks, get_task

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

glue("replicates", P.replicates, display=False)
glue("n_tasks", len(tasks), display=False)
glue("replicate_tasks", min(P.replicate_tasks, len(tasks)), display=False)
glue("peak_lr", f"{P.lr:g}", display=False)
glue("warmup_pct", round(100 * P.warmup), display=False)

# %% [markdown]
# On this profile the networks see {glue:}`size`-pixel images; each is trained with Adam for
# {glue:}`steps` steps of {glue:}`batch` images drawn from {glue:}`n_train` rendered training
# scenes, the learning rate rising over the first {glue:}`warmup_pct` % of the steps to
# {glue:text}`peak_lr` and then decaying to nearly zero (a one-cycle schedule, chosen from the
# learning curves in `benchmarks/learning.md`). The Taskonomy-architecture encoder has base
# width {glue:}`width` (torchvision's ResNet-50: 64) and {glue:text}`tk_params` million
# parameters; the small encoder has {glue:text}`small_params` thousand.
#
# Every network starts from its own random weights, drawn from a seed derived from the study
# seed and what the network is (task, architecture, replicate), so no two tasks share a start.
# {glue:}`replicate_tasks` tasks get {glue:}`replicates` networks per architecture, which
# differ only in that seed: how much two of them agree is the *noise ceiling* that any
# similarity between two tasks is read against.

# %% tags=["hide-output"]
# trains every network on first use (side by side, one summary line each), then reads the zoo
quality = task_models.quality_table(tasks, study)
data_csv = task_models.write_quality_csv(quality)

# %%
n_beat = int(quality.beats_baseline.sum())
failing = quality[~quality.beats_baseline]
glue("n_models", len(quality), display=False)
glue("n_networks", int(quality.replicates.sum()), display=False)
glue("n_beat", n_beat, display=False)
report.glue_text(
    "failing", ", ".join(f"{r.label} ({r.arch})" for r in failing.itertuples()) or "none"
)
train_min = quality.seconds.sum() / 60
glue("train_min", round(float(train_min), 1), display=False)
medians = quality.assign(group=quality.type.where(quality.type.isin(["2D", "3D"]), "other")).pivot_table(
    index="group", columns="arch", values="relative_quality", aggfunc="median")  # fmt: skip
report.glue_text(
    "medians", "; ".join(f"{g} {a} {report.fmt(v)}" for (g, a), v in medians.stack().items())
)
quality_table = quality.assign(flag=quality.beats_baseline.map({True: "", False: "⚠ not better than baseline"}))[
    ["label", "type", "arch", "metric_name", "metric", "baseline", "relative_quality", "flag"]]  # fmt: skip
report.glue_text("models_table_quality_data", report.figure_data("models_table_quality", quality_table)
                 + f", [models_quality.csv]({data_csv})")  # fmt: skip
quality_table.style.hide(axis="index").format(precision=4)

# %% [markdown]
# {glue:}`n_beat` of {glue:}`n_models` task networks (every replicate counted with its task) beat
# their trivial baseline on held-out images (the table above: {glue:md}`models_table_quality_data`,
# the second file with the noise ceiling of each task beside its quality). Not better than the
# baseline: {glue:md}`failing`.
# Relative quality is the fraction of the baseline's error that the network removes (1 =
# perfect; for accuracy and mIoU, the fraction of the gap to 1); its median per task type and
# architecture: {glue:md}`medians`. Training all {glue:}`n_networks` networks took
# {glue:}`train_min` minutes of training time on this edition's device (workers side by side
# share the wall time).
#
# ## The noise ceiling

# %%
status = task_models.network_status(quality)
signal = quality.groupby("arch").signal.agg(
    yes=lambda s: int((s == True).sum()), no=lambda s: int((s == False).sum()),  # noqa: E712
    unknown=lambda s: int(s.isna().sum()))  # fmt: skip
for arch, row in signal.iterrows():
    for k, v in row.items():
        glue(f"signal_{k}_{arch}", int(v), display=False)
no_signal = quality[quality.signal == False]  # noqa: E712
report.glue_text("no_signal", ", ".join(f"{r.label} ({r.arch}; nearest: {get_task(r.nearest).label})"
                                        for r in no_signal.itertuples()) or "none")  # fmt: skip
fig = plots.plot_noise_ceiling(quality)
ceiling_columns = ["task", "label", "type", "arch", "ceiling", "ceiling_low", "ceiling_high", "max_other",
                   "max_other_low", "max_other_high", "nearest", "signal"]  # fmt: skip
report.save_figure(fig, "models_noise_ceiling", data=quality[ceiling_columns])
plt.close(fig)
(quality[["label", "arch", "ceiling", "ceiling_low", "ceiling_high", "max_other", "nearest", "signal"]]
 .style.hide(axis="index").format(precision=3))  # fmt: skip

# %% [markdown]
# ```{figure} figures/models_noise_ceiling.png
# :name: fig-noise-ceiling
# RSA between two replicates of each task (filled, the noise ceiling) and the task's highest
# RSA to another task's network (open), with 95 % bootstrap intervals over the RSA images;
# tasks grouped and coloured by type; the table above lists the same
# numbers. {glue:md}`models_noise_ceiling_data`
# ```
#
# A task's networks carry *signal* when the lower end of the ceiling's interval lies above the
# task's highest similarity to any other task. Small networks: signal for
# {glue:}`signal_yes_small` tasks, none for {glue:}`signal_no_small`, unknown (no replicate) for
# {glue:}`signal_unknown_small`; Taskonomy-architecture networks: {glue:}`signal_yes_taskonomy`,
# {glue:}`signal_no_taskonomy` and {glue:}`signal_unknown_taskonomy`. Without signal (with the
# task each is closest to): {glue:md}`no_signal`.
#
# The criterion is strict for tasks that nearly repeat another one: autoencoding, denoising and
# inpainting all reconstruct the image, and z-depth and distance differ only in how depth is
# measured. Two such tasks' networks can agree as much as two replicates of one task without
# any noise in the training, so "no signal" there says that RSA cannot tell the two tasks
# apart, not that the networks failed. It still sets them aside: a claim about task
# similarities cannot rest on networks whose task is not distinguishable from another.
#
# The sections test a claim only on networks that beat their baseline and do not lack signal;
# a row that rests on other networks is marked *not tested* on the scorecard and names them.
# A task without a replicate has unknown signal: it is used, and the sections say so where it
# matters.
