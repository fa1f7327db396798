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
# # RSA in one page
#
# Representational similarity analysis (RSA) compares two representations without aligning
# their units: each is summarised by its *representational dissimilarity matrix* (RDM), the
# dissimilarity $1 - r$ between the feature vectors of every pair of images, and two
# representations are similar when their RDMs rank the image pairs alike (Spearman
# correlation of the RDMs' upper triangles). This page runs the whole method of the book on
# something small enough to compute in seconds: a few randomly initialised torchvision
# networks looking at shapes drawn in code.

# %% tags=["parameters"]
profile = "auto"
device = "auto"
seed = 0
cache_dir = None
n_per_shape = 12
image_size = 64
n_boot = 100

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
from myst_nb import glue

from rsa_utils import primer, profiles, report, rsa

study = profiles.setup(profile, device, seed, cache_dir)
images, labels = primer.draw_shapes(n_per_shape, image_size, seed)
features = primer.architecture_features(images, seed=seed)
names = list(features)
rdms = {k: rsa.rdm(v, device=study.device) for k, v in features.items()}
sim = rsa.similarity_matrix([rdms[k] for k in names], names, device=study.device)
glue("n_images", len(images), display=False)
glue("n_networks", len(names) - 1, display=False)

contrast = {k: primer.shape_contrast(rdms[k], n_per_shape) for k in names}
report.glue_text("contrast_list", "; ".join(f"{k} {report.fmt(v)}" for k, v in contrast.items()))
strongest = max(contrast, key=contrast.get)
report.glue_text(
    "contrast_reading",
    f"none of the representations keeps the shapes apart by more than half a standard deviation "
    f"(largest: {strongest}), so no blocks appear"
    if contrast[strongest] < 0.5
    else f"{', '.join(k for k, v in contrast.items() if v >= 0.5)} keep the shapes apart by at "
    "least half a standard deviation, and their RDMs show blocks",
)

# %% [markdown]
# The {glue:}`n_images` images are grouped by shape (disks, squares, triangles, rings and
# bars), so a representation that separates shapes would show dark blocks on the RDM's
# diagonal: images of one shape closer to each other than to the rest.

# %%
fig = primer.plot_rdms(images, rdms, n_per_shape)
report.save_figure(fig, "primer_rdms", data=primer.rdms_data(rdms, n_per_shape))
plt.close(fig)

# %% [markdown]
# ```{figure} figures/primer_rdms.png
# :name: fig-primer-rdms
# RDMs (1 − Pearson correlation between images) of the raw pixels and of the pooled last
# stage of each randomly initialised network, images ordered by shape; each RDM is shown as
# percentiles of its own dissimilarities (what the Spearman correlation compares), gray, dark
# = similar. {glue:md}`primer_rdms_data`
# ```
#
# The mean dissimilarity between shapes minus the mean within a shape, in standard deviations
# of each RDM's dissimilarities, is {glue:md}`contrast_list` (positive: the shapes are
# separated); {glue:md}`contrast_reading`. Each image has its own background and shape
# colours, and colour moves a raw or untrained representation more than shape does. What the
# representations can still share is how they order the image pairs, and that is what RSA
# measures.
#
# The similarity of every pair of representations is one Spearman correlation between RDMs;
# the whole matrix is computed from RDMs ranked once:

# %%
report.glue_text("primer_table_similarity_data", report.figure_data("primer_table_similarity", sim))
sim.round(3)

# %%
boot = rsa.bootstrap(
    list(rdms.values()),
    lambda v: rsa.similarity_matrix(v, condensed=True).iloc[0, 1:].mean(),
    n_boot=n_boot,
    seed=seed,
    device=study.device,
)
report.glue_text("pixels_mean", report.fmt(boot.estimate))
report.glue_text("pixels_ci", f"[{report.fmt(boot.low)}, {report.fmt(boot.high)}]")
report.glue_text("pixels_best", sim.loc["pixels"].drop("pixels").idxmax())

# %% [markdown]
# Even without training, the networks' representations keep part of the pixels' geometry:
# the mean RSA between the pixel RDM and a network's RDM is {glue:md}`pixels_mean` (95 %
# bootstrap interval over images {glue:md}`pixels_ci`), highest for {glue:md}`pixels_best` (the
# similarity matrix above: {glue:md}`primer_table_similarity_data`). The
# rest of the book applies exactly these functions to networks *trained* on 20 tasks.
