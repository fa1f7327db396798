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
# # S1. Small models for task taxonomy
#
# The supplement's first section asks whether the task similarities that RSA finds depend on the
# size of the networks: it trains a *small* encoder–decoder (Table S1) on the 14 tasks whose output
# is spatial and whose loss is L1, L2 or the metric loss, and compares each task's similarity
# ranking with the one from the Taskonomy networks (a ResNet-50 encoder). Here both architectures
# learn every task from the same rendered images ({glue:}`image_size` px), and every comparison
# carries a bootstrap interval over the images of the RDMs.

# %% tags=["parameters"]
profile = "auto"
device = "auto"
seed = 0
cache_dir = None
data = "synthetic"
data_root = None
target_data = "synthetic"
target_root = None
n_images = None  # images in the RDMs (default: the profile's n_rsa)
n_boot = None  # bootstrap draws (default: the profile's n_boot)
tasks = None  # default: the 14 tasks of S1

# %% tags=["hide-output"]
# %matplotlib inline
from rsa_utils import profiles, report
from rsa_utils.figures import s1 as figures
from rsa_utils.study.small_models import small_models

study = profiles.setup(profile, device, seed, cache_dir, data, data_root, target_data, target_root,
                       n_rsa=n_images, n_boot=n_boot)  # fmt: skip
s1 = small_models(study, tasks)  # trains the networks on first use, then loads them
report.glue_result(s1)  # its numbers and prose values, by name

# %% [markdown]
# ## Table S1: the small model
#
# Read off the model object itself ({glue:md}`s1_table_s1_data`); `n`, Conv10's output channels, is
# the task's own: {glue:md}`n_per_task`. Both architectures' RSA compares Conv5's output, 8 channels
# at 1/16 of the input: at {glue:}`image_size` px, {glue:md}`rep_shape` = {glue:}`rep_size` values
# per image (8 × 16 × 16 = 2048 at the paper's 256 px). Below it: each task's held-out metric and
# trivial baseline (models chapter; {glue:md}`s1_table_quality_data`).

# %%
figures.table_s1()

# %%
figures.table_quality(s1)

# %% [markdown]
# ## Fig S1: similarity rankings of the two architectures
#
# Each network's encoder output on the same {glue:}`n_images` held-out images gives one RDM, a
# task's ranking is its row of the Spearman similarity matrix, and the ρ under each panel is
# Pearson's between the two rankings (95 % interval: {glue:}`n_boot` resamples of the images).

# %%
figures.figure_s1(s1)

# %% [markdown]
# ```{figure} figures/s1_fig_s1.png
# :name: fig-s1
# **Fig S1.** Similarity of each task (panel title and tick labels coloured by type:
# {glue:text}`type_colors`) to the other tasks, from Taskonomy-architecture networks (dark gray bars) and small networks (light orange bars). Below each panel: Pearson's ρ between the
# two rankings of each task's first network per architecture [95 % interval over images only];
# the table below gives the estimates the claims use. {glue:md}`s1_fig_s1_data`
# ```
#
# The numbers below and the claims use the {glue:}`n_claim_tasks` tasks whose networks beat their
# baseline and carry signal in both architectures (set aside: {glue:md}`set_aside`). For
# {glue:}`n_replicated` tasks with two networks per architecture, estimates average over which
# network each uses and intervals resample networks as well as images.

# %%
figures.table_rho(s1)

# %% [markdown]
# The paper reports ρ > 0.97 for the 2D tasks except 2D segmentation and ρ > 0.77 for all 3D tasks.
# Here the lowest 2D value (2D segmentation aside) is {glue:md}`min_rho_2d` for
# {glue:md}`min_rho_2d_task`, the lowest 3D value {glue:md}`min_rho_3d` for
# {glue:md}`min_rho_3d_task`, and 2D segmentation {glue:md}`seg2d_clause`; on average the 2D
# tasks agree at {glue:md}`mean_rho_2d`, the 3D tasks at {glue:md}`mean_rho_3d` ({glue:md}`s1_table_rho_data`).
#
# ## Fig S2: is agreement related to prediction quality?
#
# The supplement saw higher correlation where predictions look more like their targets. Below, the
# predictions on a held-out image, and a number: Spearman's correlation over tasks between ρ and the
# networks' gain over a trivial baseline (relative quality, mean of both architectures: 1 perfect, 0
# no better).

# %%
figures.figure_s2(s1)

# %% [markdown]
# ```{figure} figures/s1_fig_s2.png
# :name: fig-s2
# **Fig S2.** For each task (row): the network input, the target and the predictions of the
# small and of the Taskonomy-architecture network on a held-out image. Pixel embeddings of the
# two segmentation tasks are shown by their first three principal components.
# {glue:md}`s1_fig_s2_data` (what each panel shows; the pictures are the networks' outputs)
# ```
#
# Over the {glue:}`n_claim_tasks` tasks, Spearman (ρ, prediction quality) is {glue:md}`rho_quality`
# (95 % bootstrap over tasks, images and networks; p = {glue:md}`rho_quality_p`, over tasks).
#
# ## Fig S3: the two similarity matrices

# %%
figures.figure_s3(s1)

# %% [markdown]
# ```{figure} figures/s1_fig_s3.png
# :name: fig-s3
# **Fig S3.** Task similarity matrices (Spearman correlation of RDMs; dark = high, same colour
# scale) from Taskonomy-architecture networks and from small networks, tasks grouped by type.
# {glue:md}`s1_fig_s3_data`
# ```
#
# Pearson's correlation of the two matrices' upper triangles (claim tasks) is {glue:md}`matrix_r`
# (paper: 0.8510). The paper also found the small models' 3D block lighter: here the mean 3D
# similarity is {glue:md}`mean_sim_tk_3d` (Taskonomy architecture) against
# {glue:md}`mean_sim_small_3d` (small), a difference (small − Taskonomy) of {glue:md}`lighter_3d`
# (95 % interval over the 3D tasks; negative is the paper's lighter block).
#
# ## Discussion
#
# Networks train for {glue:md}`train_steps`; on held-out images the median 2D network removes
# {glue:md}`q_2d` of its trivial baseline's error, the median 3D one {glue:md}`q_3d` (both
# architectures, over this section's tasks). With only {glue:}`n_claim_tasks` tasks, one task that
# moves can swing a ranking correlation, the intervals are wide, and one or two tasks decide a
# group threshold such as ρ > 0.97. The tasks set aside ({glue:md}`set_aside`) are no random
# sample: a task fails its baseline or lacks signal because it is hard or indistinct, so leaving it
# out favours agreement of the two matrices; the fewer are set aside, the smaller that bias. The
# paper compared them with fully trained Taskonomy networks at 256 pixels; the `gpu` and `paper`
# profiles come closer to that test.
#
# ## Claims

# %%
report.glue_claims(s1.claims)
