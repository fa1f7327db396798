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
import nbformat
import pandas as pd
from myst_nb import glue

from rsa_utils import profiles, report, runner

book = report.book_dir()
names = [
    n for n in runner.toc_notebooks() if n != "reproducibility" and (book / f"{n}.ipynb").exists()
]
record = report.notebook_record([book / f"{n}.ipynb" for n in names])
total = record["wall time (min)"].sum()
glue("total_min", round(float(total), 1), display=False)
built = int(record["zoo entries built"].fillna(0).sum())
glue("zoo_built", built, display=False)
report.glue_text("edition", ", ".join(f"{p}" for p in sorted(set(record.profile))))
report.glue_text("devices", "; ".join(sorted(set(record.device))))
record

# %% [markdown]
# This edition was computed with profile {glue:md}`edition` on {glue:md}`devices`; executing
# all notebooks took {glue:}`total_min` minutes. Networks, transfer readouts and fine-tunings
# are computed once and cached, so that time depends on the cache: this run computed
# {glue:}`zoo_built` of them and read the rest (column *zoo entries built*; the times of a run
# from an empty cache are in `benchmarks/book.md`).
#
# **Seeds.** Every network of a run draws its initial weights and its batches from its own seed,
# derived from the study seed (column *study seed*) and what the network is:
# `rsa_utils.train.network_seed(study seed, role, task, architecture, replicate)` for the task
# networks, the target model, each transfer readout (source, target) and each fine-tuning
# start. How many replicates each task has is set by the profile's `replicates` and
# `replicate_tasks` (table below; the tasks of S3 get them first).
#
# ## Software

# %%
meta = [
    nbformat.read(book / f"{n}.ipynb", as_version=4).metadata.get("rsa_book", {}) for n in names
]
versions = pd.DataFrame([m.get("packages", {}) for m in meta], index=names).T
versions.iloc[:, :1].rename(columns={versions.columns[0]: "version"}) if len(names) else versions

# %% [markdown]
# ## The profiles
#
# What each profile sets (any field can be overridden with `-p name value`):

# %%
pd.DataFrame({name: p.as_dict() for name, p in profiles.PROFILES.items()}).drop(["name", "extra"])
