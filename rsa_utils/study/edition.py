"""The executed edition: where its notebooks are read, and their glued values, claims and run records."""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd

from rsa_utils.paths import BOOK_DIR


def book_dir() -> Path:
    """Where this run's executed notebooks are read (the scorecard, the reproducibility record):
    ``$RSA_BOOK_DIR`` (set by the runner) or the committed edition in ``book/``."""
    return Path(os.environ.get("RSA_BOOK_DIR") or BOOK_DIR)


def read_glued(notebook: Path | str) -> dict[str, str]:
    """All plain-text glue values of an executed notebook (name → text).

    myst-nb stores a glued value's representations under ``application/papermill.record/<mime>``.
    """
    nb = nbformat.read(notebook, as_version=4)
    out = {}
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            name = o.get("metadata", {}).get("scrapbook", {}).get("name")
            data = o.get("data", {})
            text = data.get("application/papermill.record/text/plain", data.get("text/plain"))
            if name and text is not None:
                out[name] = text
    return out


def collect_claims(notebooks: list[Path]) -> pd.DataFrame:
    """The claims rows glued by each executed notebook, in the given order."""
    rows = []
    for nb in notebooks:
        text = read_glued(nb).get("claims_json")
        if text is not None:
            rows += json.loads(ast.literal_eval(text))
    df = pd.DataFrame(rows, columns=["section", "claim", "paper", "ours", "holds", "kind"])
    return df.fillna({"kind": "paper"})


def notebook_record(notebooks: list[Path]) -> pd.DataFrame:
    """Profile, device, wall time, zoo entries built (trained networks, transfers, fine-tunings
    computed rather than read from the cache) and commit of each executed notebook (runner
    metadata; NaN where a notebook predates a field)."""
    rows = []
    for nb in notebooks:
        meta = nbformat.read(nb, as_version=4).metadata.get("rsa_book", {})
        rows.append({
            "notebook": nb.stem, "profile": meta.get("profile", "?"), "device": meta.get("device", "?"),
            "study seed": meta.get("parameters", {}).get("seed", 0),
            "wall time (min)": np.round(meta.get("wall_time_s", np.nan) / 60, 1),
            "zoo entries built": meta.get("zoo_entries_built", np.nan),
            "commit": str(meta.get("git_commit", "?"))[:12], "executed": meta.get("executed", "?"),
        })  # fmt: skip
    return pd.DataFrame(rows)
