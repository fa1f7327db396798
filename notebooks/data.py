# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # The synthetic world
#
# The paper's experiments run on Taskonomy images and their twenty label sets, and on Pascal
# VOC for the transfer experiment. Neither can be downloaded where this book is built, so the
# book renders its own stand-ins. This chapter shows what those stand-ins look like and checks,
# before any network is trained, that they have the structure the study depends on.
#
# **Source domain.** Every image is a ray-cast indoor room: floor, ceiling and four walls with
# procedural textures, three to eight pieces of furniture built from boxes, spheres and
# cylinders, one to three point lights that cast hard shadows, and a camera standing inside the
# room with Taskonomy's field of view (about 61°), no roll and a small pitch. The room type sets
# which objects appear, the wall and floor colours and patterns, and the number of lights; it is
# also the label of the scene-class task. Because the renderer knows the geometry, the 3D labels
# (depth, distance, normals, curvature, occlusion edges, reshading, room layout, vanishing
# points, semantic classes) are exact; the 2D labels (edges, keypoints, colour, superpixels) are
# computed from the rendered pixels, as Taskonomy computed them from photographs.
#
# **Target domain.** The Pascal VOC stand-in is deliberately different: outdoors, a ground
# plane under a sky, a higher camera that looks down more, a sun instead of lamps, and twenty
# other object categories composed differently. Its only label is a per-pixel semantic class.
#
# Every image is a pure function of the seed, the split and its index, so each notebook of the
# book sees the same images, on a CPU or a GPU.

# %% tags=["parameters"]
profile = "auto"
device = "auto"
seed = 0
cache_dir = None
n_gallery = 4

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import pandas as pd
import torch
from myst_nb import glue

from rsa_utils import gallery, plots, profiles, report, scenes, taskonomy_results
from rsa_utils.datasets import source_data, target_data
from rsa_utils.tasks import OBJECT_CATEGORIES, ROOM_TYPES, TARGET_CATEGORIES, TASKS, tasks_of_type

study = profiles.setup(profile=profile, device=device, seed=seed, cache_dir=cache_dir)
P = study.profile
print(
    f"profile {P.name}: {P.image_size} px, device {study.device}, generator {scenes.GENERATOR_VERSION}"
)

# %% [markdown]
# The RSA image set (the split every later chapter computes its dissimilarity matrices on) is
# rendered here first, with all twenty labels, and cached; later chapters read it from the cache.

# %%
rsa_set = source_data(
    "rsa",
    P.n_rsa,
    image_size=P.image_size,
    seed=study.seed,
    cache_dir=study.cache_dir,
    device=study.device,
).prepare()
target_set = target_data(
    "train",
    P.target_train,
    image_size=P.image_size,
    seed=study.seed,
    cache_dir=study.cache_dir,
    device=study.device,
).prepare()
rgb, lab = rsa_set.batch(slice(0, n_gallery))
fig = gallery.plot_source_gallery(rgb, lab, n=n_gallery)
report.save_figure(
    fig, "data_source_gallery", dpi=150, data=gallery.source_gallery_panels(lab, n_gallery)
)
plt.close(fig)
t_rgb, t_seg = target_set.batch(slice(0, 2 * n_gallery))
fig = gallery.plot_target_gallery(t_rgb, t_seg, n=2 * n_gallery)
report.save_figure(
    fig, "data_target_gallery", dpi=150, data=gallery.target_gallery_panels(t_seg, 2 * n_gallery)
)
plt.close(fig)
glue("data_image_size", P.image_size, display=False)
glue("data_type_colors", plots.type_colors_text(), display=False)
glue("data_n_rsa", P.n_rsa, display=False)
glue("data_generator", scenes.GENERATOR_VERSION, display=False)

# %% [markdown]
# ```{figure} figures/data_source_gallery.png
# :name: fig-data-source-gallery
#
# Source-domain images ({glue:text}`data_image_size` px, generator {glue:text}`data_generator`)
# and their dense labels: one block of two rows per image, headed by the room type (the
# scene-class label). The first panel is the network input; the others are the targets of the
# dense tasks in the book's task order, each titled with its task in the colour of its type.
# {glue:md}`data_source_gallery_data`
# ```
#
# ```{figure} figures/data_target_gallery.png
# :name: fig-data-target-gallery
#
# Target-domain images (top) and their semantic segmentations (bottom, background black; the
# title names up to three categories present). {glue:md}`data_target_gallery_data`
# ```

# %% [markdown]
# ## What is in the images
#
# The numbers below are counted over the RSA set and the target training set, not typed in.

# %%
stats_rgb, stats_lab = rsa_set.batch(slice(0, len(rsa_set)), "cpu")
src_freq = gallery.class_frequencies(stats_lab["segment_semantic"], OBJECT_CATEGORIES)
tgt_freq = gallery.class_frequencies(
    target_set.batch(slice(0, len(target_set)), "cpu")[1], TARGET_CATEGORIES
)
scene_counts = pd.Series(
    torch.bincount(stats_lab["class_scene"], minlength=len(ROOM_TYPES)).numpy(),
    index=list(ROOM_TYPES),
)
depth_q = gallery.depth_statistics(stats_lab["depth_zbuffer"])
objects_in_view = (stats_lab["segment_semantic"] > 0).flatten(1).any(1).float().mean().item()

fig, axes = plt.subplots(3, 1, figsize=(8, 11), gridspec_kw={"height_ratios": [1, 1, 0.8]})
src_freq.iloc[1:].plot.bar(
    ax=axes[0], color="tab:blue", title="source: pixel share per object category"
)
tgt_freq.iloc[1:].plot.bar(ax=axes[1], color="tab:orange", title="target: pixel share per category")
scene_counts.plot.bar(ax=axes[2], color="tab:gray", title="source: room types")
for a in axes:
    a.tick_params(labelsize=9)
    a.title.set_fontsize(11)
fig.tight_layout()
stats_data = {"source": src_freq.iloc[1:].rename_axis("category").to_frame("pixel_share"),
              "target": tgt_freq.iloc[1:].rename_axis("category").to_frame("pixel_share"),
              "rooms": scene_counts.rename_axis("room_type").to_frame("images")}  # fmt: skip
report.save_figure(fig, "data_statistics", dpi=150, data=stats_data)
plt.close(fig)

glue("data_src_object_share", f"{100 * (1 - src_freq['background']):.0f}", display=False)
glue("data_tgt_object_share", f"{100 * (1 - tgt_freq['background']):.0f}", display=False)
glue("data_objects_in_view", f"{100 * objects_in_view:.0f}", display=False)
glue("data_depth_median", f"{depth_q['median']:.1f}", display=False)
glue("data_depth_p5", f"{depth_q['5%']:.1f}", display=False)
glue("data_depth_p95", f"{depth_q['95%']:.1f}", display=False)
depth_table = pd.DataFrame({"z-depth (m)": depth_q}).T.round(2)
report.glue_text("data_table_depth_data", report.figure_data("data_table_depth", depth_table))
depth_table

# %% [markdown]
# ```{figure} figures/data_statistics.png
# :name: fig-data-statistics
#
# Class statistics of the RSA set (source) and of the target training set.
# {glue:md}`data_statistics_data`
# ```
#
# Objects cover {glue:text}`data_src_object_share` % of the source pixels, and
# {glue:text}`data_objects_in_view` % of the source images show at least one object. Half of the
# source pixels lie closer than {glue:text}`data_depth_median` m; 90 % lie between
# {glue:text}`data_depth_p5` m and {glue:text}`data_depth_p95` m, the scale of a furnished room.
# In the target domain objects take {glue:text}`data_tgt_object_share` % of the pixels; the rest
# is ground and sky. (Depth quantiles, the table above: {glue:md}`data_table_depth_data`.)

# %% [markdown]
# ## Do the labels themselves separate the task types?
#
# Task similarity from trained networks can only reflect structure that the labels carry. So
# before any training, the study's RSA recipe is applied to the labels directly: each task's
# targets on the same images are flattened into one feature vector per image, a
# 1 − Pearson dissimilarity matrix is computed per task, and the matrices are compared with
# Spearman's correlation. (Segment ids are replaced by their boundary maps, class maps by one-hot
# codes, since the ids themselves are arbitrary.) If the synthetic world mirrors Taskonomy, 3D
# labels should resemble each other more than they resemble 2D labels.

# %%
n_label_rsa = min(len(rsa_set), 100)
_, rsa_lab = rsa_set.batch(slice(0, n_label_rsa))
order = [n for t in ("2D", "3D", "geometric", "semantic") for n in tasks_of_type(t)]
label_sim = gallery.label_similarity(rsa_lab, order)
sep = gallery.type_separation(label_sim)
fig = gallery.plot_label_similarity(label_sim)
report.save_figure(fig, "data_label_rsa", dpi=150,
                   data={"matrix": label_sim, "tree": plots.dendrogram_data(label_sim)})  # fmt: skip
plt.close(fig)
glue("data_label_rsa_n", n_label_rsa, display=False)
glue("data_n_tasks", len(order), display=False)
glue("data_within_2d", f"{sep['within_2d']:.2f}", display=False)
glue("data_within_3d", f"{sep['within_3d']:.2f}", display=False)
glue("data_between", f"{sep['between']:.2f}", display=False)
glue("data_separation_reading",
     "the 3D labels form a group of their own before any network sees them, while the 2D labels resemble "
     "each other little more than they resemble the 3D ones"
     if sep["within_3d"] > 2 * sep["between"] and sep["within_2d"] < 2 * sep["between"]
     else "both types form groups of their own before any network sees them"
     if min(sep["within_2d"], sep["within_3d"]) > 2 * sep["between"]
     else "the labels do not separate the task types clearly", display=False)  # fmt: skip
sep_table = pd.Series(sep).round(3).rename_axis("label pairs").to_frame("mean Spearman")
report.glue_text(
    "data_table_separation_data", report.figure_data("data_table_separation", sep_table)
)
sep_table

# %% [markdown]
# ```{figure} figures/data_label_rsa.png
# :name: fig-data-label-rsa
#
# RSA between the labels of the {glue:text}`data_n_tasks` tasks on {glue:text}`data_label_rsa_n` images of the RSA
# set (left; dark = similar) and its single-linkage clustering (right; task names coloured by
# type: {glue:text}`data_type_colors`). {glue:md}`data_label_rsa_data`
# ```
#
# The three tasks whose target is the RGB image itself (autoencoding, denoising, inpainting)
# have identical label matrices; they differ only in their inputs, which is where the networks
# trained in the next chapters tell them apart. Leaving their pairs out, two 2D labels
# correlate at {glue:text}`data_within_2d` on average and two 3D labels at
# {glue:text}`data_within_3d`, while a 2D and a 3D label correlate at
# {glue:text}`data_between`: {glue:text}`data_separation_reading` (the table above:
# {glue:md}`data_table_separation_data`).
#
# ## How Taskonomy-like is the world?
#
# Taskonomy published its transfer affinities (Zamir et al. 2018; shipped with this book in
# `book/data/taskonomy/`, MIT licence): for each target task, how well each source task's
# representation serves it. If our world carried Taskonomy's task structure, a target's
# nearest tasks by label RSA would be its best sources in Taskonomy. The per-target Spearman
# correlation between the two (the target itself left out) measures this, before any network
# is trained.

# %%
real = taskonomy_results.load_taskonomy_transfers("affinity", "16k")  # sources × targets
label_real = taskonomy_results.per_target_spearman(label_sim, real, seed=study.seed)
report.glue_text("data_label_real", report.fmt_interval(*label_real[:3]))
glue("data_label_real_n", label_real[3], display=False)
per_target = taskonomy_results.per_target_correlations(label_sim, real)
report.glue_text("data_real_best", ", ".join(TASKS[t].label for t in per_target.nlargest(3).index))
report.glue_text(
    "data_real_worst", ", ".join(TASKS[t].label for t in per_target.nsmallest(3).index)
)
real_by_type = taskonomy_results.agreement_by_type(
    {"label RSA vs Taskonomy": label_sim}, real
).round(2)
report.glue_text(
    "data_table_label_real_data", report.figure_data("data_table_label_real", real_by_type)
)
real_by_type

# %% [markdown]
# The mean per-target Spearman is {glue:md}`data_label_real` over {glue:text}`data_label_real_n`
# targets (95 % bootstrap interval over targets; by the type of the target in the table above,
# {glue:md}`data_table_label_real_data`). The labels agree best with Taskonomy for
# {glue:md}`data_real_best` and least for {glue:md}`data_real_worst`.
#
# Where the world follows Taskonomy, it is because its labels are made the same way: one scene
# gives every label of a view, so the depths, surface normals, reshading and occlusion edges
# share the ray-cast geometry of the same room, and the 2D labels are filters of the same
# rendered image. Where it does not, the labels differ in kind: curvature is nearly constant on
# our mostly flat, box- and cylinder-shaped furniture; the vanishing point and the room layout
# of an axis-aligned box room vary little from view to view; and the object and scene classes
# have a few categories rather than Taskonomy's thousands. S2 repeats this comparison for the
# trained networks and for the affinities recomputed in this world.
#
# ```{note}
# What this world leaves out: photographs, clutter, and the thousand ImageNet classes and 365
# Places classes whose distillations Taskonomy used for the object- and scene-class tasks; here
# those tasks predict the twelve furniture categories in view and the five room types. The
# unsupervised 2D and 2.5D segmentations use Felzenszwalb's superpixels without Taskonomy's
# normalized-cut merging.
# ```
