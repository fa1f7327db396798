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
from rsa_utils import profiles, report
from rsa_utils.figures import primer as figures
from rsa_utils.study.primer import rsa_primer

study = profiles.setup(profile, device, seed, cache_dir)
primer = rsa_primer(n_per_shape, image_size, n_boot=n_boot, seed=seed, device=study.device)
report.glue_result(primer)

# %% [markdown]
# The {glue:}`n_images` images are grouped by shape (disks, squares, triangles, rings and
# bars), so a representation that separates shapes would show dark blocks on the RDM's
# diagonal: images of one shape closer to each other than to the rest.

# %%
figures.figure_rdms(primer)

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
figures.table_similarity(primer)

# %% [markdown]
# Even without training, the networks' representations keep part of the pixels' geometry:
# the mean RSA between the pixel RDM and a network's RDM is {glue:md}`pixels_mean` (95 %
# bootstrap interval over images {glue:md}`pixels_ci`), highest for {glue:md}`pixels_best` (the
# similarity matrix above: {glue:md}`primer_table_similarity_data`). The
# rest of the book applies exactly these functions to networks *trained* on 20 tasks.
