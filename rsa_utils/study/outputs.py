"""Figure, data and table files of the book, written atomically beside the executed notebook."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from rsa_utils.study.edition import BOOK_DIR
from rsa_utils.study.prose import glue_text

#: Where a notebook run outside the runner writes its figures and data when its working
#: directory is the committed edition (``book/``), which it must never overwrite.
RERUN_DIR = BOOK_DIR / "_rerun"


def output_dir() -> Path:
    """Where figures and data are written, beside the executed notebook.

    The runner sets ``$RSA_BOOK_DIR`` (``book/`` for the edition, or its ``--outdir``). Outside
    it (papermill's own CLI, a Jupyter session) files go to ``$RSA_OUTPUT_DIR`` if set, else to
    the kernel's working directory (papermill's ``--cwd``; by default where papermill was
    started, i.e. beside an output notebook named without a folder) — except that a working
    directory inside the committed edition is redirected to ``book/_rerun/``."""
    runner_dir = os.environ.get("RSA_BOOK_DIR")
    if runner_dir:
        return Path(runner_dir)
    out = Path(os.environ.get("RSA_OUTPUT_DIR") or Path.cwd()).resolve()
    edition = BOOK_DIR.resolve()
    if out == edition or edition in out.parents and RERUN_DIR.resolve() not in (out, *out.parents):
        return RERUN_DIR
    return out


def _save(folder: str, name: str, ext: str, write) -> str:
    """``write(tmp)`` a file, then move it to ``<output_dir>/<folder>/<name>.<ext>`` (atomic);
    returns the path relative to the output directory (as a ``{figure}`` directive needs it)."""
    out = output_dir() / folder
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.{ext}"
    tmp = path.with_suffix(f".part.{ext}")
    write(tmp)
    tmp.replace(path)
    return f"{folder}/{name}.{ext}"


def save_figure(
    fig, name: str, *, dpi: int = 130, data: pd.DataFrame | dict[str, pd.DataFrame] | None = None
) -> str:
    """Save a matplotlib figure as ``figures/<name>.png`` under :func:`output_dir` (atomically);
    returns the path relative to it, for use in a ``{figure}`` directive.

    ``data``: what the figure shows, written beside it as ``data/<name>.csv`` (one frame) or
    ``data/<name>_<panel>.csv`` (one per panel of a dict), and glued as ``<name>_data`` (the
    links, "data: [….csv](data/….csv)") for the caption."""
    path = _save("figures", name, "png", lambda p: fig.savefig(p, dpi=dpi, bbox_inches="tight"))
    if data is not None:
        glue_text(f"{name}_data", figure_data(name, data))
    return path


def figure_data(name: str, data: pd.DataFrame | dict[str, pd.DataFrame]) -> str:
    """Write the frames behind figure ``name`` (see :func:`save_figure`); returns the caption's
    links. A frame with a meaningful index (e.g. a task × task matrix) keeps it as a column."""
    panels = {"": data} if isinstance(data, pd.DataFrame) else data
    links = []
    for panel, frame in panels.items():
        stem = f"{name}_{panel}" if panel else name
        if not isinstance(frame.index, pd.RangeIndex) or frame.index.name is not None:
            frame = frame.rename_axis(frame.index.name or "index").reset_index()
        path = save_data(frame, stem)
        links.append(f"[{stem}.csv]({path})")
    return "data: " + ", ".join(links)


def save_data(frame: pd.DataFrame, name: str) -> str:
    """Write the data behind a figure or table as ``data/<name>.csv`` under :func:`output_dir`
    (atomically); returns the path relative to it."""
    return _save("data", name, "csv", lambda p: frame.to_csv(p, index=False, float_format="%.6g"))


def table(frame: pd.DataFrame, name: str, digits: int | None = 3) -> pd.DataFrame:
    """A table of the book: its data written and glued as ``<name>_data`` for the prose, and
    the frame rounded to ``digits`` for display (``None``: as it is)."""
    glue_text(f"{name}_data", figure_data(name, frame))
    return frame if digits is None else frame.round(digits)
