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
# Agreement with transfer is measured as in S2: for each target task, the Spearman
# correlation between its similarity to the other tasks and their transfer affinities as its
# sources (the Taskonomy-style affinities computed in S2, read from the cache), averaged over
# targets. Definitions: {doc}`methods` and `rsa_utils/similarity.py`.

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
import matplotlib.pyplot as plt
import pandas as pd
from myst_nb import glue

from rsa_utils import (
    features,
    plots,
    profiles,
    report,
    similarity,
    task_models,
    taxonomy,
    transfer,
)
from rsa_utils.tasks import TASK_NAMES, check_tasks

study = profiles.setup(profile, device, seed, cache_dir, data, data_root, target_data, target_root,
                       n_rsa=n_images)  # fmt: skip
P = study.profile
tasks = check_tasks(tasks, default=TASK_NAMES)
nets = task_models.load_models(tasks, "taskonomy", study)
images = features.images_of(study.source_set("rsa", P.n_rsa, tasks=tasks))
stages = {
    t: features.encoder_features(nets[t], images, device=study.device, stages=True) for t in tasks
}
losses = transfer.all_transfer_losses(P, source_tasks=tasks, targets=tasks, seed=study.seed, device=study.device,
                                      cache_dir=study.cache_dir, sources=study.sources, workers=P.workers)  # fmt: skip
affinity = taxonomy.affinity_matrix(losses, tasks)
glue("n_tasks", len(tasks), display=False)
glue("n_images", P.n_rsa, display=False)

# %% [markdown]
# ## Measures side by side on the encoder output
#
# The {glue:}`n_tasks` Taskonomy-architecture networks of S2 each represent the same
# {glue:}`n_images` images; every measure gives a task-by-task similarity matrix.

# %%
matrices = similarity.measure_matrices({t: stages[t][-1] for t in tasks}, device=study.device)
by_measure = similarity.agreement_table(matrices, affinity, seed=seed)
by_layer = similarity.agreement_table(
    similarity.layer_rsa_matrices(stages, device=study.device), affinity, seed=seed
)
between = similarity.matrix_correlations(matrices).rename_axis("measure")
by_measure, by_layer = by_measure.rename_axis("measure"), by_layer.rename_axis("layer")
report.glue_text(
    "beyond_table_measures_data", report.figure_data("beyond_table_measures", by_measure)
)
by_measure.round(3)

# %%
fig = plots.plot_agreement({"measure (encoder output)": by_measure, "RSA by layer": by_layer})
report.save_figure(fig, "beyond_measures_layers", data={"measures": by_measure, "layers": by_layer})
plt.close(fig)
fmt = {
    k: report.fmt_interval(r["mean"], r["low"], r["high"])
    for k, r in [*by_measure.iterrows(), *by_layer.iterrows()]
}
best_m, best_l = by_measure["mean"].idxmax(), by_layer["mean"].idxmax()
report.glue_text("rsa_agree", fmt["RSA (the paper)"])
report.glue_text("cka_agree", fmt["linear CKA"])
report.glue_text("dds_cos_agree", fmt["DDS, cosine kernel"])
report.glue_text("dds_lap_agree", fmt["DDS, Laplacian kernel"])
both = pd.concat([by_measure, by_layer])
above_chance = [k for k, r in both.iterrows() if r["low"] > 0]
report.glue_text("best_measure", f"{best_m}, {fmt[best_m]}")
report.glue_text("best_layer", f"{best_l}, {fmt[best_l]}")
first, last = by_layer.iloc[0], by_layer.iloc[-1]
report.glue_text(
    "depth_trend",
    f"here it does ({by_layer.index[-1]}'s interval lies above {by_layer.index[0]}'s)"
    if last["low"] > first["high"]
    else "within these intervals no such trend can be read",
)
report.glue_text(
    "above_chance",
    "none of them: every interval includes zero, so here no measure or layer agrees with transfer "
    "better than chance, and the highest estimates do not single out a better measure"
    if not above_chance
    else ", ".join(above_chance) + " (their intervals lie above zero)",
)
report.glue_text("layer_list", "; ".join(f"{layer} {fmt[layer]}" for layer in similarity.LAYERS))
report.glue_text("rsa_vs_cka", report.fmt(between.loc["RSA (the paper)", "linear CKA"]))
rsa_row = by_measure.loc["RSA (the paper)"]
report.glue_text("n_pos_rsa", f"{int(rsa_row['positive'])} of {int(rsa_row['targets'])}")
report.glue_text("beyond_table_between_data", report.figure_data("beyond_table_between", between))
between.round(3)

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
