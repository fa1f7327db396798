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
# The paper's experiments run on Taskonomy images and their twenty label sets, and on Pascal VOC for
# the transfer experiment. Neither can be downloaded where this book is built, so the book renders
# its own stand-ins. This chapter shows what those stand-ins look like and checks, before any
# network is trained, that they have the structure the study depends on.
#
# **Source domain.** Every image is a ray-cast indoor room: floor, ceiling and four walls with
# procedural textures, three to eight pieces of furniture built from boxes, spheres and cylinders,
# one to three point lights that cast hard shadows, and a camera standing inside the room with
# Taskonomy's field of view (about 61°), no roll and a small pitch. The room type sets which objects
# appear, the wall and floor colours and patterns, and the number of lights; it is also the label of
# the scene-class task. Because the renderer knows the geometry, the 3D labels (depth, distance,
# normals, curvature, occlusion edges, reshading, room layout, vanishing points, semantic classes)
# are exact; the 2D labels (edges, keypoints, colour, superpixels) are computed from the rendered
# pixels, as Taskonomy computed them from photographs.
#
# **Target domain.** The Pascal VOC stand-in is deliberately different: outdoors, a ground plane
# under a sky, a higher camera that looks down more, a sun instead of lamps, and twenty other object
# categories composed differently. Its only label is a per-pixel semantic class.
#
# Every image is a pure function of the seed, the split and its index, so each notebook of the book
# sees the same images, on a CPU or a GPU.
#
# The RSA image set (the split every later chapter computes its dissimilarity matrices on) is
# rendered here first, with all twenty labels, and cached; later chapters read it from the cache.

# %% tags=["parameters"]
profile = "auto"
device = "auto"
seed = 0
cache_dir = None
n_gallery = 4

# %%
# %matplotlib inline
from rsa_utils import profiles, report
from rsa_utils.figures import gallery as figures
from rsa_utils.study.synthetic_world import synthetic_world

study = profiles.setup(profile=profile, device=device, seed=seed, cache_dir=cache_dir)
world = synthetic_world(study, n_gallery)  # renders the two image sets on first use
print(world.summary)
report.glue_result(world)
figures.figure_source_gallery(world)
figures.figure_target_gallery(world)

# %% [markdown]
# ```{figure} figures/data_source_gallery.png
# :name: fig-data-source-gallery
# Source-domain images ({glue:text}`data_image_size` px, generator {glue:text}`data_generator`) and
# their dense labels: one block of two rows per image, headed by the room type (the scene-class
# label). The first panel is the network input; the others are the targets of the dense tasks in the
# book's task order, each titled with its task in the colour of its type.
# {glue:md}`data_source_gallery_data`
# ```
# ```{figure} figures/data_target_gallery.png
# :name: fig-data-target-gallery
# Target-domain images (top) and their semantic segmentations (bottom, background black; the title
# names up to three categories present). {glue:md}`data_target_gallery_data`
# ```
# ## What is in the images
# The numbers below are counted over the RSA set and the target training set, not typed in.

# %%
figures.figure_statistics(world)
figures.table_depth(world)

# %% [markdown]
# ```{figure} figures/data_statistics.png
# :name: fig-data-statistics
# Class statistics of the RSA set (source) and of the target training set.
# {glue:md}`data_statistics_data`
# ```
# Objects cover {glue:text}`data_src_object_share` % of the source pixels, and
# {glue:text}`data_objects_in_view` % of the source images show at least one object. Half of the
# source pixels lie closer than {glue:text}`data_depth_median` m; 90 % lie between
# {glue:text}`data_depth_p5` m and {glue:text}`data_depth_p95` m, the scale of a furnished room. In
# the target domain objects take {glue:text}`data_tgt_object_share` % of the pixels; the rest is
# ground and sky. (Depth quantiles, the table above: {glue:md}`data_table_depth_data`.)
# ## Do the labels themselves separate the task types?
# Task similarity from trained networks can only reflect structure that the labels carry. So before
# any training, the study's RSA recipe is applied to the labels directly: each task's targets on the
# same images are flattened into one feature vector per image, a 1 − Pearson dissimilarity matrix is
# computed per task, and the matrices are compared with Spearman's correlation. (Segment ids are
# replaced by their boundary maps, class maps by one-hot codes, since the ids themselves are
# arbitrary.) If the synthetic world mirrors Taskonomy, 3D labels should resemble each other more
# than they resemble 2D labels.

# %%
figures.figure_label_rsa(world)
figures.table_separation(world)

# %% [markdown]
# ```{figure} figures/data_label_rsa.png
# :name: fig-data-label-rsa
# RSA between the labels of the {glue:text}`data_n_tasks` tasks on {glue:text}`data_label_rsa_n`
# images of the RSA set (left; dark = similar) and its single-linkage clustering (right; task names
# coloured by type: {glue:text}`data_type_colors`). {glue:md}`data_label_rsa_data`
# ```
# The three tasks whose target is the RGB image itself (autoencoding, denoising, inpainting) have
# identical label matrices; they differ only in their inputs, which is where the networks trained in
# the next chapters tell them apart. Leaving their pairs out, two 2D labels correlate at
# {glue:text}`data_within_2d` on average and two 3D labels at {glue:text}`data_within_3d`, while a
# 2D and a 3D label correlate at {glue:text}`data_between`: {glue:text}`data_separation_reading`
# (the table above: {glue:md}`data_table_separation_data`).
# ## How Taskonomy-like is the world?
# Taskonomy published its transfer affinities (Zamir et al. 2018; shipped with this book in
# `book/data/taskonomy/`, MIT licence): for each target task, how well each source task's
# representation serves it. If our world carried Taskonomy's task structure, a target's nearest
# tasks by label RSA would be its best sources in Taskonomy. The per-target Spearman correlation
# between the two (the target itself left out) measures this, before any network is trained.

# %%
figures.table_label_real(world)

# %% [markdown]
# The mean per-target Spearman is {glue:md}`data_label_real` over {glue:text}`data_label_real_n`
# targets (95 % bootstrap interval over targets; by the type of the target in the table above,
# {glue:md}`data_table_label_real_data`). The labels agree best with Taskonomy for
# {glue:md}`data_real_best` and least for {glue:md}`data_real_worst`.
#
# Where the world follows Taskonomy, it is because its labels are made the same way: one scene gives
# every label of a view, so the depths, surface normals, reshading and occlusion edges share the
# ray-cast geometry of the same room, and the 2D labels are filters of the same rendered image.
# Where it does not, the labels differ in kind: curvature lies mostly on the creases of flat boxes
# and rooms, not on curved surfaces; the vanishing point and the room layout of an axis-aligned box
# room vary little from view to view; and the object and scene classes have a few categories rather
# than Taskonomy's thousands. S2 repeats this comparison for the trained networks and for the
# affinities recomputed in this world.
# ```{note}
# What this world leaves out: photographs, clutter, and the thousand ImageNet classes and 365 Places
# classes whose distillations Taskonomy used for the object- and scene-class tasks; here those tasks
# predict the twelve furniture categories in view and the five room types. The unsupervised 2D and
# 2.5D segmentations use Felzenszwalb's superpixels without Taskonomy's normalized-cut merging.
# ```
