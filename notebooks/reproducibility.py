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
# # Reproducibility record
#
# Which profile, device, commit and software produced each page of this edition, read from
# the metadata that the notebook runner stores in every executed notebook.

# %% tags=["parameters"]
profile = "auto"
device = "auto"
seed = 0
cache_dir = None

# %%
from rsa_utils import report
from rsa_utils.figures import reproducibility as tables
from rsa_utils.study.reproducibility import reproducibility

record = reproducibility(report.book_dir())  # the runner's metadata of every executed notebook
report.glue_result(record)  # its numbers and prose values, by name
tables.table_notebooks(record)

# %% [markdown]
# This edition was computed with profile {glue:md}`edition` on {glue:md}`devices`; executing
# all notebooks took {glue:}`busy_min` minutes of wall time, {glue:}`total_min` notebook-minutes
# (the runner runs sections that do not read each other side by side, so that one section's
# single-threaded stretches use the cores another's training leaves idle; a notebook's time in
# the table is its own, shared machine included). Networks, transfer readouts and fine-tunings
# are computed once and cached, so that time depends on the cache: this run computed
# {glue:}`zoo_built` of them and read the rest (column *zoo entries built*; the times of a run
# from an empty cache are in `benchmarks/book.md`). The table above:
# {glue:md}`reproducibility_table_notebooks_data`.
#
# **Machine speed.** Machines of one kind train the same networks at different speeds, so
# each run starts by timing a reference training step (one step of the `cpu` profile's
# Taskonomy-architecture network on 32 images, `rsa_utils.study.calibration`): here it took
# {glue:}`reference_step_ms` ms, {glue:}`machine_factor` times the {glue:}`budget_step_ms` ms
# it took on the machine the `cpu` profile's one-hour budget was set on. Scaled by that factor,
# {glue:md}`scaled_reading`.
#
# **Seeds.** Every network of a run draws its initial weights and its batches from its own seed,
# derived from the study seed (column *study seed*) and what the network is:
# `rsa_utils.train.network_seed(study seed, role, task, architecture, replicate)` for the task
# networks, the target model, each transfer readout (source, target) and each fine-tuning
# start. How many replicates each task has is set by the profile's `replicates` and
# `replicate_tasks` (table below; the tasks of S3 get them first). S3 trains `target_models`
# target models for its intervals; with `replicates` of 2 or more, S3.4 fine-tunes each
# source's networks (up to two) and runs each baseline with two seeds.
#
# ## Software

# %%
tables.table_software(record)

# %% [markdown]
# Package versions of every notebook: {glue:md}`reproducibility_table_software_data`.
#
# ## The profiles
#
# What each profile sets (any field can be overridden with `-p name value`):

# %%
tables.table_profiles(record)

# %% [markdown]
# The table above: {glue:md}`reproducibility_table_profiles_data`.
#
# ## Data behind the figures
#
# Every figure and table of the book has the numbers it shows in a CSV file in `data/`, written
# by the notebook that draws it and linked from its caption or from the text after it: one file
# per figure, or one per panel (`<figure>_<panel>.csv`), and one per table
# (`<page>_table_<what>.csv`). Matrices keep their task names as the first column and as the
# header; curves have one row per point, with the interval's ends beside the estimate. For a
# gallery of pictures (rendered images, labels, network outputs) the file lists what each panel
# shows: the pixels are the pictures themselves, reproducible from the seed. The
# {glue:}`n_data_files` files of this edition, with the figure or table each belongs to:

# %%
tables.table_data_files(record)

# %% [markdown]
# This table is the folder's own listing (it has no file of its own). The subfolder
# `data/taskonomy/` is not output of the book but input to it: Taskonomy's published transfer
# results ({glue:md}`shipped_files`), shipped with the repository and read by S2; its
# `README.md` says where they come from and under which licence.
