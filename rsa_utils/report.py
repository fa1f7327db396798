"""What notebooks hand to the book: numbered figure files, glued numbers and claims rows.

Figures are saved under ``book/figures/`` (shown with MyST ``{figure}`` so they are numbered
across pages). Claims rows set the supplement's number beside ours and say whether the claim
holds; each notebook glues its rows (``claims_json``) and the scorecard page gathers them from
the executed notebooks.
"""

from __future__ import annotations

import ast
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd

from .profiles import REPO_ROOT

BOOK_DIR = REPO_ROOT / "book"


def book_dir() -> Path:
    """Where executed notebooks and figures go: ``$RSA_BOOK_DIR`` (set by the runner) or ``book/``."""
    return Path(os.environ.get("RSA_BOOK_DIR") or BOOK_DIR)


def save_figure(fig, name: str, *, dpi: int = 130) -> str:
    """Save a matplotlib figure as ``book/figures/<name>.png`` (atomically); returns the path
    relative to ``book/`` for use in a ``{figure}`` directive."""
    figure_dir = book_dir() / "figures"
    figure_dir.mkdir(parents=True, exist_ok=True)
    path = figure_dir / f"{name}.png"
    tmp = path.with_suffix(".part.png")
    fig.savefig(tmp, dpi=dpi, bbox_inches="tight")
    tmp.replace(path)
    return f"figures/{name}.png"


def glue_text(name: str, text: str) -> None:
    """Glue a piece of prose (a formatted number, an interval, a task name) for ``{glue:md}`name```."""
    from IPython.display import Markdown
    from myst_nb import glue

    glue(name, Markdown(text), display=False)


def fmt(x: float, digits: int = 2) -> str:
    """A number as prose shows it (fixed digits, a true minus sign)."""
    return f"{x:.{digits}f}".replace("-", "−")


def fmt_interval(est: float, low: float, high: float, digits: int = 2) -> str:
    """``0.93 [0.90, 0.95]``."""
    return f"{fmt(est, digits)} [{fmt(low, digits)}, {fmt(high, digits)}]"


@dataclass
class Claim:
    """One row of the claims table."""

    section: str  # "S1", "S2", "S3.1", ...
    claim: str  # the supplement's statement, in short
    paper: str  # the supplement's number, as it quotes it
    ours: str  # our value with its interval
    holds: str  # one of VERDICTS


VERDICTS = ("holds", "partly", "does not hold", "not tested")


def verdict(ok: bool | None, partly: bool = False) -> str:
    """``holds`` / ``partly`` / ``does not hold``; ``not tested`` when ``ok`` is None (the
    quantity is undefined in this run, e.g. a correlation of constant values)."""
    if ok is None:
        return "not tested"
    if ok:
        return "holds"
    return "partly" if partly else "does not hold"


def claims_frame(claims: list[Claim]) -> pd.DataFrame:
    return pd.DataFrame([asdict(c) for c in claims])


def glue_claims(claims: list[Claim]):
    """Glue a section's claims (``claims_json`` for the scorecard) and return them as a table."""
    from myst_nb import glue

    glue("claims_json", json.dumps([asdict(c) for c in claims]), display=False)
    return claims_frame(claims).style.hide(axis="index")


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
    return pd.DataFrame(rows, columns=["section", "claim", "paper", "ours", "holds"])


def notebook_record(notebooks: list[Path]) -> pd.DataFrame:
    """Profile, device, wall time, zoo entries built (trained networks, transfers, fine-tunings
    computed rather than read from the cache) and commit of each executed notebook (runner
    metadata; NaN where a notebook predates a field)."""
    rows = []
    for nb in notebooks:
        meta = nbformat.read(nb, as_version=4).metadata.get("rsa_book", {})
        rows.append({
            "notebook": nb.stem, "profile": meta.get("profile", "?"), "device": meta.get("device", "?"),
            "wall time (min)": np.round(meta.get("wall_time_s", np.nan) / 60, 1),
            "zoo entries built": meta.get("zoo_entries_built", np.nan),
            "commit": str(meta.get("git_commit", "?"))[:12], "executed": meta.get("executed", "?"),
        })  # fmt: skip
    return pd.DataFrame(rows)
