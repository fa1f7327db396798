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
# Taskonomy measures how related two tasks are by *transfer*: a small readout is trained on the
# frozen representation of a source task to solve a target task, and the sources are ranked by
# how often their readout wins on test images. RSA instead compares the representations
# directly. The supplement shows that clustering the 20 tasks by either measure gives almost
# the same groups (room layout and denoising move), and that RSA scores are easier to read
# because they lie in [−1, 1]. The paper reused Taskonomy's published affinities. This chapter
# shows those published affinities (shipped with the book, `book/data/taskonomy/`, MIT licence)
# and, beside them, affinities recomputed the Taskonomy way on the synthetic world:
# {glue:}`n_transfers` transfer readouts, per-image test losses, win rates and the analytic
# hierarchy process (AHP).

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
report.glue_numbers(s2.values)
report.glue_all(s2.text)

# %% [markdown]
# ## Transfer affinities, the Taskonomy way
#
# For each of the {glue:}`n_transfers` (source, target) pairs a readout (two 3×3 convolutions
# on the frozen Taskonomy-architecture encoder of the source, then a fresh decoder for the
# target) is trained on {glue:}`transfer_train` images; its losses on {glue:}`n_test` test
# images give, for each target, the win rate of every source over every other, clipped to
# [0.001, 0.999], and the AHP affinity — the principal eigenvector of W / Wᵀ, normalised to
# sum 1.

# %% [markdown]
# A sanity check of the readouts: a task's own encoder should be its best source. That is the
# case for {glue:md}`self_wins` of the targets (chance: {glue:md}`chance_wins`), and the own
# encoder is among the three best sources for {glue:md}`self_top3`. This is the weakest link of
# the chapter. Each readout trains a whole decoder from the 8-channel representation in
# {glue:}`transfer_steps` steps on {glue:}`transfer_train` images, so for many targets the
# decoder, not the source, limits the loss, and sources differ little; several targets also
# have near-duplicate sources (the three tasks that reconstruct the image, the two depth
# tasks) whose encoders serve them as well as their own. Where the own encoder does not win,
# the affinities are weak evidence, and so is anything compared with them below: the
# clustering of Fig S4, the matrix of Fig S5, the per-target agreement, and the *Beyond the
# paper* chapter. The `gpu` and `paper` profiles train longer readouts on more images.
#
# ## The RSA matrix of the same networks

# %% [markdown]
# The comparisons of this chapter (clusters, per-target agreement, claims) use the
# {glue:}`n_claim_tasks` tasks whose Taskonomy-architecture networks beat their baseline and do
# not lack signal, with the affinities recomputed among them; the figures show all tasks. Set
# aside: {glue:md}`set_aside`.
# %% [markdown]
# ## Fig S4: clustering by transfer affinity vs by RSA
#
# The supplement's Fig S4 sets the tree of Taskonomy's *published* affinities beside the RSA
# tree; here a third tree, from the affinities recomputed in the synthetic world, sits between
# them. All three are clustered the same way (single linkage on the Euclidean distance between
# rows, optimal leaf ordering): each task is described by its affinities as a source to the
# targets (the published ones have {glue:}`n_real_targets` targets, since colorization and
# inpainting have no target networks in Taskonomy; they appear as sources only), and the RSA
# tree by its rows of the RSA matrix. Our two trees are cut into the same number of clusters and
# compared with the adjusted Rand index (ARI; 1 = identical partitions, 0 = chance).

# %%
figures.figure_s4(s2)

# %% [markdown]
# ```{figure} figures/s2_fig_s4.png
# :name: fig-s4
# **Fig S4.** Dendrograms of the {glue:}`n_tasks` tasks from Taskonomy's published transfer
# affinities (left; Zamir et al. 2018, 16k-image transfers), from the affinities recomputed in the
# synthetic world (middle) and from RSA (right); leaves coloured by task type. Colorization and
# inpainting are placed by their affinities as sources only. {glue:md}`s2_fig_s4_data`
# ```
#
# Cut into {glue:}`n_clusters` clusters, the two partitions of those tasks agree with ARI = {glue:md}`ari`
# (single linkage tends to chain most tasks into one large cluster, so few tasks can "move"
# even when the trees differ; the claim is counted as holding only if at most
# {glue:}`max_moved` tasks move and the ARI is at least {glue:md}`min_ari`, and as not holding
# otherwise);
# {glue:}`n_moved` tasks change cluster between the two trees (leaving the cluster most of their
# companions went to, in either direction: a cluster that splits and one that merges both
# count): {glue:md}`moved`. The supplement found all tasks in the same clusters except room layout
# and denoising.
#
# ## Fig S5: the two matrices without scaling

# %%
figures.figure_s5(s2)

# %% [markdown]
# ```{figure} figures/s2_fig_s5.png
# :name: fig-s5
# **Fig S5.** Left: Taskonomy's published AHP affinities (row = target task, column = source;
# colorization and inpainting have no target row). Middle: the affinities recomputed here, on
# the same layout, unscaled. Right: RSA similarity of the networks behind the middle panel.
# Dark = high. {glue:md}`s2_fig_s5_data`
# ```
#
# Off the diagonal, the affinities span {glue:md}`aff_range` (each target's row of sources
# sums to 1, so most entries are small and a few dominate), while the RSA scores span
# {glue:md}`rsa_range` on the fixed [−1, 1] scale.
#
# ## Per-target agreement
#
# The measure of agreement used in the authors' later work: for each target, the Spearman
# correlation between its RSA column and its affinity column (the target itself left out).

# %%
figures.table_agreement(s2)

# %% [markdown]
# The mean per-target Spearman correlation is {glue:md}`mean_rs` (95 % bootstrap interval
# over targets), positive for {glue:md}`n_pos` targets ({glue:md}`s2_table_agreement_data`).
#
# ## Beside Taskonomy's published affinities
#
# How Taskonomy-like is the synthetic world? The same per-target measure compares three
# things with Taskonomy's published affinities (16k-image transfers): our RSA between networks,
# our recomputed affinities, and the RSA between the world's *labels* alone (the data chapter's
# label RSA, on the same images: tasks compared before any network is trained). The first two
# use the {glue:}`n_claim_tasks` tasks whose networks carry signal; the label RSA is shown on
# the same tasks and on all of them. For reference, the authors' later work reports a mean
# per-target Spearman of about 0.78–0.83 between an RSA-style similarity of the real Taskonomy
# networks and these affinities.

# %%
figures.table_real(s2)

# %% [markdown]
# Mean per-target Spearman with Taskonomy's published affinities (95 % bootstrap interval over
# targets; data: [s2_real_taskonomy.csv](data/s2_real_taskonomy.csv)): our RSA between networks
# {glue:md}`real_rsa`, our recomputed affinities {glue:md}`real_affinity`, the label RSA on the
# same tasks {glue:md}`real_labels` and on all {glue:}`real_n_all` targets
# {glue:md}`real_labels_all`. By the type of the target (all tasks; the networks here include
# those without signal, so read this table as a description, not a test):

# %%
s2.real_by_type

# %% [markdown]
# ({glue:md}`s2_table_real_by_type_data`.) The label RSA agrees best with Taskonomy for the
# {glue:md}`label_best_type` targets and least for the {glue:md}`label_worst_type` ones; the
# networks' RSA best for {glue:md}`net_best_type` and least for {glue:md}`net_worst_type`.
#
# **Discussion.** The world's labels already hold part of Taskonomy's structure: they are
# computed from one scene by one renderer, so the 3D labels (depths, surface normals,
# reshading, occlusion edges) share the ray-cast geometry of the same rooms, and the 2D labels
# are filters of the same rendered image, much as Taskonomy's labels derive from one mesh and
# one photograph per view. Where the labels differ in kind from Taskonomy's, the world cannot
# follow it: our object and scene classes come from a vocabulary of
# {glue:}`n_object_categories` shapes and {glue:}`n_room_types` room types rather than ImageNet's and Places' thousands, curvature is
# nearly constant over our mostly flat surfaces, and the vanishing point and room layout are
# read off an axis-aligned box room. A network RSA that agrees *less* with Taskonomy than the
# label RSA does says that the networks, trained briefly on a small world, have not yet
# carried the labels' structure into their representations (models chapter); the recomputed
# affinities, from readouts that are weaker still (see the readout check above), agree least.
# The comparison with Taskonomy's published numbers is therefore a statement about the
# world and the training together; it does not test the paper's method, which the sections
# compare within one world.
#
# ## Claims

# %%
report.glue_claims(s2.claims)
