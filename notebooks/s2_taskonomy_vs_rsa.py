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
# # S2. Taskonomy vs RSA
#
# Taskonomy relates two tasks by *transfer*: how often a readout on a source task's frozen
# representation wins on the target's test images, against other sources. RSA compares the
# representations directly. The supplement shows that clustering the 20 tasks by either gives
# almost the same groups (room layout and denoising move), and that RSA scores, in [−1, 1], are
# easier to read. It reused Taskonomy's published affinities; we show them (`book/data/taskonomy/`,
# MIT licence) beside affinities recomputed the same way in our world.

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
tasks = None  # default: all 20 tasks
n_clusters = 4  # clusters compared between the two trees

# %%
# %matplotlib inline
from rsa_utils import profiles, report
from rsa_utils.figures import s2 as figures
from rsa_utils.study.taskonomy_vs_rsa import taskonomy_vs_rsa

study = profiles.setup(profile, device, seed, cache_dir, data, data_root, target_data, target_root,
                       n_rsa=n_images, n_boot=n_boot)  # fmt: skip
s2 = taskonomy_vs_rsa(study, tasks, n_clusters)  # readouts, networks and RDMs: trained once, cached
report.glue_result(s2)  # its numbers and prose values, by name

# %% [markdown]
# ## Transfer affinities, the Taskonomy way
#
# The {glue:}`n_transfers` (source, target) readouts (two 3×3 convolutions on the source's frozen
# Taskonomy-architecture encoder, then a fresh decoder) train on {glue:}`transfer_train` images; the
# per-image losses on {glue:}`n_test` test images give win rates (clipped to [0.001, 0.999]) and, by
# the analytic hierarchy process (AHP), affinities: W / Wᵀ's principal eigenvector, summing to 1.
#
# Sanity check: a task's own encoder should be its best source. It is for {glue:md}`self_wins` of
# the targets (chance {glue:md}`chance_wins`; {glue:md}`self_undecided` flip under a bootstrap over
# test images), in the best three for {glue:md}`self_top3`. Short readouts ({glue:}`transfer_steps`
# steps, {glue:}`transfer_train` images, a whole decoder from 8 channels) leave sources little
# apart, and label twins (image reconstructions, the two depths) serve a target as well as its own
# encoder. The claim counts own *or twin* best over targets whose networks carry signal:
# {glue:md}`self_or_twin` ({glue:md}`self_or_twin_undecided` could go either way). Where that fails,
# the affinities are weak evidence, and so is all compared with them (Figs S4–S5, agreement below).
#
# The comparisons (clusters, per-target agreement, claims) use the {glue:}`n_claim_tasks` tasks
# whose Taskonomy-architecture networks beat their baseline and carry signal, affinities recomputed
# among them; the figures show all tasks. Set aside: {glue:md}`set_aside`.
#
# ## Fig S4: clustering by transfer affinity vs by RSA

# %%
figures.figure_s4(s2)

# %% [markdown]
# ```{figure} figures/s2_fig_s4.png
# :name: fig-s4
# **Fig S4.** Dendrograms of the {glue:}`n_tasks` tasks: Taskonomy's published affinities (left;
# Zamir et al. 2018, 16k-image transfers; {glue:}`n_real_targets` targets), ours recomputed
# (middle), RSA (right); single linkage on the Euclidean distance between rows (a task's affinities
# as a source, or its RSA row), optimal leaf order, coloured by type. Colorization and inpainting
# have no target networks in Taskonomy: placed as sources only. {glue:md}`s2_fig_s4_data`
# ```
#
# Cut into {glue:}`n_clusters` clusters, our trees agree with adjusted Rand index ARI =
# {glue:md}`ari` (1 = same partition, 0 = chance); {glue:}`n_moved` tasks leave the cluster most
# companions joined (either way): {glue:md}`moved` (the supplement: room layout and denoising).
# Single linkage can chain tasks into one cluster, so moved tasks alone can understate how far
# trees differ: the claim holds if at most {glue:}`max_moved` move and ARI ≥ {glue:md}`min_ari`.
#
# ## Fig S5: the two matrices without scaling

# %%
figures.figure_s5(s2)

# %% [markdown]
# ```{figure} figures/s2_fig_s5.png
# :name: fig-s5
# **Fig S5.** Left: Taskonomy's published AHP affinities (row = target task, column = source;
# colorization and inpainting have no target row). Middle: ours, recomputed, same layout, unscaled.
# Right: RSA of the middle panel's networks. Dark = high. {glue:md}`s2_fig_s5_data`
# ```
#
# Off the diagonal the affinities span {glue:md}`aff_range` (each target's sources sum to 1: most
# are small, a few dominate); the RSA scores span {glue:md}`rsa_range` on the fixed [−1, 1] scale.
#
# ## Per-target agreement
#
# The authors' later measure: for each target, the Spearman correlation between its RSA column and
# its affinity column (the target itself left out).

# %%
figures.table_agreement(s2)

# %% [markdown]
# The mean per-target Spearman correlation is {glue:md}`mean_rs` (95 % bootstrap interval over
# targets), positive for {glue:md}`n_pos` targets ({glue:md}`s2_table_agreement_data`).
#
# ## Beside Taskonomy's published affinities
#
# How Taskonomy-like is our world? Per-target agreement with the published (16k-image) affinities:

# %%
figures.table_real(s2)

# %% [markdown]
# Mean per-target Spearman (95 % bootstrap interval over targets; data:
# [s2_real_taskonomy.csv](data/s2_real_taskonomy.csv)): our networks' RSA {glue:md}`real_rsa` and
# recomputed affinities {glue:md}`real_affinity` (tasks with signal), and the RSA of the world's
# *labels* alone (data chapter; no training) {glue:md}`real_labels` on the same tasks,
# {glue:md}`real_labels_all` on all {glue:}`real_n_all` targets. The authors' later work reports
# about 0.78–0.83 for the real networks' RSA-style similarity. By target type (all tasks, networks
# without signal included: a description, not a test; {glue:md}`s2_table_real_by_type_data`):

# %%
figures.table_real_by_type(s2)

# %% [markdown]
# Label RSA: best for {glue:md}`label_best_type`, least for {glue:md}`label_worst_type`; networks'
# RSA: best for {glue:md}`net_best_type`, least for {glue:md}`net_worst_type` targets; {glue:md}`type_reading`.
#
# **Discussion.** Labels hold part of Taskonomy's structure: one renderer makes them from one
# scene, as Taskonomy's come from one mesh and photograph per view. Where labels differ in kind the
# world cannot follow: {glue:}`n_object_categories` shapes and {glue:}`n_room_types` room types,
# not ImageNet's and Places' thousands; curvature at the creases of boxes; vanishing point and room
# layout of a box room. Network RSA ({glue:md}`real_rsa`) below label RSA ({glue:md}`real_labels`;
# the intervals overlap) suggests briefly trained networks have not fully learnt the labels'
# structure. This is about the world and the training, not the method.
#
# ## Claims

# %%
report.glue_claims(s2.claims)
