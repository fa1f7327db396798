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
# # Beyond the paper: other similarity measures and layer-wise RSA
#
# The supplement measures task similarity with one tool, RSA on the encoder output. Two
# questions it leaves open are asked here of the same networks and images: do other measures
# of representational similarity — linear centered kernel alignment (CKA) and the
# duality-diagram similarity (DDS) family (standardised features, an image-by-image kernel,
# compared by CKA) — agree better or worse with transfer learning? And does RSA agree better
# with transfer when it reads an earlier stage of the encoder than its output?
#
# Agreement with transfer is computed as in S2: for each target task, the Spearman
# correlation between its similarity to the other tasks and their transfer affinities as its
# sources (the Taskonomy-style affinities computed in S2, read from the cache), averaged over
# targets. Unlike S2, the chapter keeps all tasks, including networks that fail their baseline
# or lack signal (the measures are compared with each other, not judged), so its value for RSA
# can differ from S2's. Definitions: {doc}`methods` and `rsa_utils/rsa/similarity.py` (the chapter's numbers: `rsa_utils/study/beyond.py`).

# %% tags=["parameters"]
profile = "auto"
device = "auto"
seed = 0
cache_dir = None
data = "synthetic"
data_root = None
target_data = "synthetic"
target_root = None
n_images = None  # images in the representations (default: the profile's n_rsa)
tasks = None  # default: all 20 tasks

# %%
# %matplotlib inline
from rsa_utils import profiles, report
from rsa_utils.figures import beyond as figures
from rsa_utils.study.beyond import beyond_the_paper

study = profiles.setup(profile, device, seed, cache_dir, data, data_root, target_data, target_root,
                       n_rsa=n_images)  # fmt: skip
beyond = beyond_the_paper(study, tasks)
report.glue_result(beyond)  # its numbers and prose values, by name

# %% [markdown]
# ## Measures side by side on the encoder output
#
# The {glue:}`n_tasks` Taskonomy-architecture networks of S2 each represent the same
# {glue:}`n_images` images; every measure gives a task-by-task similarity matrix.

# %%
figures.table_measures(beyond)

# %%
figures.figure_beyond(beyond)
figures.table_between(beyond)

# %% [markdown]
# ```{figure} figures/beyond_measures_layers.png
# :name: fig-beyond
# Agreement of task similarity with transfer affinities: the mean over targets of the
# per-target Spearman correlation (bars; whiskers: 95 % bootstrap interval over targets). Left:
# four measures on the encoder output. Right: RSA on the outputs of the four ResNet stages
# (average-pooled to 4 × 4) and on the encoder output. {glue:md}`beyond_measures_layers_data`
# ```
#
# **What we find.** On the encoder output the mean per-target agreement with transfer is
# {glue:md}`rsa_agree` for RSA (positive for {glue:md}`n_pos_rsa` targets),
# {glue:md}`cka_agree` for linear CKA, {glue:md}`dds_cos_agree` for DDS with a cosine kernel
# and {glue:md}`dds_lap_agree` with a Laplacian kernel (highest estimate:
# {glue:md}`best_measure`; the first table above: {glue:md}`beyond_table_measures_data`). Layer
# by layer, RSA gives {glue:md}`layer_list` (highest estimate: {glue:md}`best_layer`).
# Agreement above chance: {glue:md}`above_chance`. The last table gives the Pearson correlation between the measures' similarity matrices (off the
# diagonal; {glue:md}`beyond_table_between_data`); RSA and linear CKA correlate at
# {glue:md}`rsa_vs_cka`.
#
# **Discussion.** Where the intervals overlap, this data cannot tell the measures (or layers)
# apart: they are computed over only {glue:}`n_tasks` targets, and the transfer affinities
# they are compared with come from short readout training (S2). The measures compare
# different things: RSA a rank correlation of correlation distances, CKA centred Gram
# matrices, DDS kernels of standardised features (so features that barely vary count as much
# as any other). If the early blocks mostly encoded the image itself, which every network sees
# alike, and task differences grew with depth, agreement would rise from block 1 to the encoder
# output: {glue:md}`depth_trend`.
