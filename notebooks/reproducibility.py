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
report.glue_text("reproducibility_table_notebooks_data",
                 report.figure_data("reproducibility_table_notebooks", record))  # fmt: skip
record

# %% [markdown]
# This edition was computed with profile {glue:md}`edition` on {glue:md}`devices`; executing
# all notebooks took {glue:}`total_min` minutes. Networks, transfer readouts and fine-tunings
# are computed once and cached, so that time depends on the cache: this run computed
# {glue:}`zoo_built` of them and read the rest (column *zoo entries built*; the times of a run
# from an empty cache are in `benchmarks/book.md`). The table above:
# {glue:md}`reproducibility_table_notebooks_data`.
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
report.glue_text("reproducibility_table_software_data",
                 report.figure_data("reproducibility_table_software", versions.rename_axis("package")))  # fmt: skip
versions.iloc[:, :1].rename(columns={versions.columns[0]: "version"}) if len(names) else versions

# %% [markdown]
# Package versions of every notebook: {glue:md}`reproducibility_table_software_data`.
#
# ## The profiles
#
# What each profile sets (any field can be overridden with `-p name value`):

# %%
profile_table = pd.DataFrame({k: p.as_dict() for k, p in profiles.PROFILES.items()}).drop(["name", "extra"])  # fmt: skip
profile_table = profile_table.rename_axis("field")
report.glue_text("reproducibility_table_profiles_data",
                 report.figure_data("reproducibility_table_profiles", profile_table))  # fmt: skip
profile_table

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
data_dir = book / "data"
figure_names = sorted((f.stem for f in (book / "figures").glob("*.png")), key=len, reverse=True)
tables = {f.stem: pd.read_csv(f) for f in sorted(data_dir.glob("*.csv"))}
owner = {stem: next((f for f in figure_names if stem == f or stem.startswith(f + "_")), None)
         for stem in tables}  # the figure a file belongs to (None: a table)  # fmt: skip
data_files = pd.DataFrame({
    "file": [f"{stem}.csv" for stem in tables],
    "figure or table": [owner[stem] or stem for stem in tables],
    "kind": ["figure" if owner[stem] else "table" for stem in tables],
    "rows": [len(t) for t in tables.values()],
    "columns": [t.shape[1] for t in tables.values()],
})  # fmt: skip
glue("n_data_files", len(data_files), display=False)
shipped = report.BOOK_DIR / "data" / "taskonomy"
report.glue_text("shipped_files", ", ".join(f"`{f.name}`" for f in sorted(shipped.glob("*.csv"))))
data_files.style.hide(axis="index")

# %% [markdown]
# This table is the folder's own listing (it has no file of its own). The subfolder
# `data/taskonomy/` is not output of the book but input to it: Taskonomy's published transfer
# results ({glue:md}`shipped_files`), shipped with the repository and read by S2; its
# `README.md` says where they come from and under which licence.
