"""The tables of the reproducibility record, each one call that takes the record."""

from __future__ import annotations

import pandas as pd

from rsa_utils.study.reproducibility import Reproducibility


def table_notebooks(record: Reproducibility) -> pd.DataFrame:
    """Each executed notebook's run: profile, device, seed, wall time, zoo entries built,
    commit (its data is glued as ``reproducibility_table_notebooks_data``)."""
    return record.record


def table_software(record: Reproducibility) -> pd.DataFrame:
    """The package versions of the first notebook, one row per package (all of them, per
    notebook, are in ``reproducibility_table_software_data``)."""
    versions = record.versions
    if not len(versions.columns):
        return versions
    return versions.iloc[:, :1].rename(columns={versions.columns[0]: "version"})


def table_profiles(record: Reproducibility) -> pd.DataFrame:
    """What each profile sets (``reproducibility_table_profiles_data``)."""
    return record.profiles


def table_data_files(record: Reproducibility):
    """The edition's data files, each with the figure or table it belongs to (the folder's own
    listing: no file of its own)."""
    return record.data_files.style.hide(axis="index")
