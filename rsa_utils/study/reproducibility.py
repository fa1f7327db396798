"""The reproducibility record as one result: what produced each executed notebook of an edition."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pandas as pd

from rsa_utils.paths import BOOK_DIR
from rsa_utils.study.calibration import BUDGET_MACHINE_STEP_S
from rsa_utils.study.edition import notebook_record
from rsa_utils.study.outputs import figure_data
from rsa_utils.study.profiles import PROFILES
from rsa_utils.study.runner import META_KEY, toc_notebooks

#: Taskonomy's published tables: input to the book (read by S2), shipped with the repository.
SHIPPED_DIR = BOOK_DIR / "data" / "taskonomy"


@dataclass(frozen=True)
class Reproducibility:
    """The record in one object: each notebook's run (profile, device, seed, wall time, zoo
    entries built, commit), the package versions, the profiles, the edition's data files, and
    the prose's values by glue name (``values``: plain values; ``text``: Markdown)."""

    record: pd.DataFrame  # by notebook: the runner's metadata
    versions: pd.DataFrame  # package × notebook
    profiles: pd.DataFrame  # profile field × profile
    data_files: pd.DataFrame  # file, the figure or table it belongs to, kind, rows, columns
    text: dict[str, str]
    values: dict[str, Any]


def executed_notebooks(book: Path) -> list[str]:
    """The notebooks of the table of contents executed in ``book`` (this record left out)."""
    return [n for n in toc_notebooks() if n != "reproducibility" and (book / f"{n}.ipynb").exists()]


def file_owner(stem: str, figure_names: list[str]) -> str | None:
    """The figure a data file ``<stem>.csv`` belongs to: the figure itself or one of its panels
    (``<figure>_<panel>``); None for a table's file. ``figure_names``: longest first."""
    return next((f for f in figure_names if stem == f or stem.startswith(f + "_")), None)


def data_listing(book: Path) -> pd.DataFrame:
    """The CSV files in ``book/data``, each with the figure or table it belongs to, its kind and
    its size."""
    figure_names = sorted((f.stem for f in (book / "figures").glob("*.png")), key=len, reverse=True)
    tables = {f.stem: pd.read_csv(f) for f in sorted((book / "data").glob("*.csv"))}
    owner = {stem: file_owner(stem, figure_names) for stem in tables}
    return pd.DataFrame({
        "file": [f"{stem}.csv" for stem in tables],
        "figure or table": [owner[stem] or stem for stem in tables],
        "kind": ["figure" if owner[stem] else "table" for stem in tables],
        "rows": [len(t) for t in tables.values()],
        "columns": [t.shape[1] for t in tables.values()],
    })  # fmt: skip


def busy_minutes(meta: list[dict]) -> float:
    """Minutes during which at least one of the notebooks ran (the union of their runs, each
    from its ``executed`` end time back by its ``wall_time_s``): a run's wall time when
    notebooks ran side by side, the sum of their times when they ran one after another."""
    spans = sorted(
        (end - m["wall_time_s"], end)
        for m in meta
        if "executed" in m and "wall_time_s" in m
        for end in [datetime.fromisoformat(m["executed"]).timestamp()]
    )
    total, reach = 0.0, float("-inf")
    for start, end in spans:
        total += max(0.0, end - max(start, reach))
        reach = max(reach, end)
    return total / 60


def machine_speed(meta: list[dict], busy_min: float) -> dict[str, float]:
    """The reference training step of the edition's runs (median over the notebooks that
    recorded one, :mod:`rsa_utils.study.calibration`) in ms, how many times as long it takes as
    on the machine the ``cpu`` budget was set on, and ``busy_min`` scaled to that machine (NaN
    where no notebook recorded a step)."""
    steps = [m["reference_step_s"] for m in meta if m.get("reference_step_s")]
    ref = float(np.median(steps)) if steps else float("nan")
    factor = ref / BUDGET_MACHINE_STEP_S
    return {
        "reference_step_ms": round(1000 * ref, 1),
        "budget_step_ms": round(1000 * BUDGET_MACHINE_STEP_S, 1),
        "machine_factor": round(factor, 2),
        "busy_min_budget_machine": round(busy_min / factor, 1),
    }


def reproducibility(book: Path) -> Reproducibility:
    """The record of the edition executed in ``book``: read from the runner's metadata of each
    notebook. Writes the data of its three tables first (their links are in ``text``), so that
    the listing of the edition's data files includes them."""
    names = executed_notebooks(book)
    record = notebook_record([book / f"{n}.ipynb" for n in names])
    meta = [nbformat.read(book / f"{n}.ipynb", as_version=4).metadata.get(META_KEY, {})
            for n in names]  # fmt: skip
    versions = pd.DataFrame([m.get("packages", {}) for m in meta], index=names).T
    profiles = pd.DataFrame({k: p.as_dict() for k, p in PROFILES.items()}).drop(["name", "extra"])
    profiles = profiles.rename_axis("field")
    text = {
        "edition": ", ".join(f"{p}" for p in sorted(set(record.profile))),
        "devices": "; ".join(sorted(set(record.device))),
        "reproducibility_table_notebooks_data": figure_data(
            "reproducibility_table_notebooks", record
        ),
        "reproducibility_table_software_data": figure_data(
            "reproducibility_table_software", versions.rename_axis("package")
        ),
        "reproducibility_table_profiles_data": figure_data(
            "reproducibility_table_profiles", profiles
        ),
        "shipped_files": ", ".join(f"`{f.name}`" for f in sorted(SHIPPED_DIR.glob("*.csv"))),
    }
    data_files = data_listing(book)
    busy = busy_minutes(meta)
    values = {
        "total_min": round(float(record["wall time (min)"].sum()), 1),
        "busy_min": round(busy, 1),
        **machine_speed(meta, busy),
        "zoo_built": int(record["zoo entries built"].fillna(0).sum()),
        "n_data_files": len(data_files),
    }
    models = record.loc[record.notebook == "models", "zoo entries built"].fillna(0)
    text["scaled_reading"] = scaled_reading(values, cached=bool(models.eq(0).any()))
    return Reproducibility(record, versions, profiles, data_files, text, values)


def scaled_reading(values: dict, cached: bool) -> str:
    """The sentence that scales this edition's wall time to the budget's machine (``values``:
    ``busy_min`` and ``busy_min_budget_machine``, minutes; NaN where no page recorded a reference
    step), and says so where the edition read its task networks from a cache filled by earlier
    runs (``cached``: the models chapter built none), when neither time is the book's from an
    empty cache."""
    if math.isnan(values["busy_min_budget_machine"]):
        out = (f"this edition's {values['busy_min']} minutes of wall time cannot be scaled: no page "
               "recorded a reference step")  # fmt: skip
    else:
        out = (f"this edition's {values['busy_min']} minutes of wall time would be about "
               f"{values['busy_min_budget_machine']} there (an estimate: not every part of a run scales alike)")  # fmt: skip
    if cached:
        out += (
            "; but this edition read its task networks from a cache filled by earlier runs, "
            "so neither figure is the time of the book from an empty cache, which "
            "`benchmarks/book.md` records with the reference step measured in the same run"
        )
    return out
