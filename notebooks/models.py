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
# trivial baseline, the best constant under the task's loss (Taskonomy's blind guess): the
# median training target per pixel for L1 tasks, the mean for L2 tasks, the majority class for
# classification, and for the two unsupervised segmentations the rate at which two training
# pixels share a segment (predicted for every pixel pair). A network that does not beat its
# baseline is flagged here, not hidden: it has learned nothing a constant does not know.
#
# Semantic segmentation (and the S3 target task) weights each pixel's cross-entropy by the
# inverse square root of its class's share of the world's pixels. Background covers about
# 80 % of a source image, and under the plain cross-entropy the networks learned
# to paint background and little else; `benchmarks/class_weights.md` compares the two losses.

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
from rsa_utils import profiles, report
from rsa_utils.figures import task_networks as figures
from rsa_utils.study.task_networks import task_networks

study = profiles.setup(profile, device, seed, cache_dir, data, data_root, target_data, target_root)

# %% [markdown]
# On this profile the networks see {glue:}`size`-pixel images drawn from {glue:}`n_train`
# rendered training scenes. Each small network is trained with Adam for {glue:}`steps` steps of
# {glue:}`batch` images, each Taskonomy-architecture network for {glue:}`tk_steps` steps of
# {glue:}`tk_batch` images, the learning rate rising over the first {glue:}`warmup_pct` % of
# the steps to {glue:text}`peak_lr` and then decaying to nearly zero (a one-cycle schedule,
# chosen from the learning curves in `benchmarks/learning.md`; there, 1000 steps of 16 images
# for the ResNet, in the same time, helped its dense tasks a little but cost its fully connected
# heads and its signal, so it was not adopted; measured before the residual branches started
# at zero). The Taskonomy-architecture encoder has base
# width {glue:}`width` (torchvision's ResNet-50: 64) and {glue:text}`tk_params` million
# parameters; the small encoder has {glue:text}`small_params` thousand. Its residual branches
# start at zero (every block starts as its shortcut), which raised the relative quality of
# all ten of its networks measured on this profile (`benchmarks/zero_init.md`). Where a task's
# learning curve still rose at the profile's steps, its networks train longer (the task
# registry's `steps_factor` and `lr_factor`): {glue:md}`longer_recipes`
# (`benchmarks/learning.md`, `benchmarks/curvature.md`).
#
# Every network starts from its own random weights, drawn from a seed derived from the study
# seed and what the network is (task, architecture, replicate), so no two tasks share a start.
# {glue:}`replicate_tasks` tasks get {glue:}`replicates` networks per architecture, which
# differ only in that seed: how much two of them agree is the *noise ceiling* that any
# similarity between two tasks is read against.

# %% tags=["hide-output"]
# trains every network on first use (side by side, one summary line each), then reads the zoo
networks = task_networks(tasks, study)

# %%
report.glue_result(networks)
figures.table_network_quality(networks)

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
figures.figure_noise_ceiling(networks)

# %% [markdown]
# ```{figure} figures/models_noise_ceiling.png
# :name: fig-noise-ceiling
# RSA between two replicates of each task (filled, the noise ceiling), the task's highest RSA
# to another task's network that is not its label twin (open), with 95 % bootstrap intervals
# over the RSA images, and its highest RSA to a label twin where that is higher (×);
# tasks grouped and coloured by type; the table above lists the same
# numbers. {glue:md}`models_noise_ceiling_data`
# ```
#
# A task's networks carry *signal* when the lower end of the ceiling's interval lies above the
# task's highest similarity to any other task that is not its *label twin*. Label twins are
# tasks whose labels order the images alike (label RSA at least {glue:}`twin_threshold`, from the same images as
# the data chapter's label RSA): {glue:md}`twin_groups`. Two twins' networks learn one function
# from two phrasings of a label, so they may agree as much as two replicates of one task do;
# that says the networks learned their task, not that they are noise. Small networks: signal for
# {glue:}`signal_yes_small` tasks, none for {glue:}`signal_no_small`, unknown (no replicate) for
# {glue:}`signal_unknown_small`; Taskonomy-architecture networks: {glue:}`signal_yes_taskonomy`,
# {glue:}`signal_no_taskonomy` and {glue:}`signal_unknown_taskonomy`. Without signal (with the
# task each is closest to): {glue:md}`no_signal`.
#
# Counting twins as other tasks (the strict criterion, the table's last column), signal remains
# for {glue:}`signal_strict_yes_small` small and {glue:}`signal_strict_yes_taskonomy`
# Taskonomy-architecture tasks; editions before label twins were exempted used it to set
# networks aside.
#
# The sections test a claim only on networks that beat their baseline and do not lack signal;
# a row that rests on other networks is marked *not tested* on the scorecard and names them.
# A task without a replicate has unknown signal: it is used, and the sections say so where it
# matters.
