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
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd

from .profiles import REPO_ROOT

BOOK_DIR = REPO_ROOT / "book"


def book_dir() -> Path:
    """Where executed notebooks and figures go: ``$RSA_BOOK_DIR`` (set by the runner) or ``book/``."""
    return Path(os.environ.get("RSA_BOOK_DIR") or BOOK_DIR)


def _save(folder: str, name: str, ext: str, write) -> str:
    """``write(tmp)`` a file, then move it to ``book/<folder>/<name>.<ext>`` (atomic); returns
    the path relative to ``book/``."""
    out = book_dir() / folder
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.{ext}"
    tmp = path.with_suffix(f".part.{ext}")
    write(tmp)
    tmp.replace(path)
    return f"{folder}/{name}.{ext}"


def save_figure(fig, name: str, *, dpi: int = 130) -> str:
    """Save a matplotlib figure as ``book/figures/<name>.png`` (atomically); returns the path
    relative to ``book/`` for use in a ``{figure}`` directive."""
    return _save("figures", name, "png", lambda p: fig.savefig(p, dpi=dpi, bbox_inches="tight"))


def save_data(frame: pd.DataFrame, name: str) -> str:
    """Write the data behind a figure or table as ``book/data/<name>.csv`` (atomically); returns
    the path relative to ``book/``."""
    return _save("data", name, "csv", lambda p: frame.to_csv(p, index=False, float_format="%.6g"))


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
    kind: str = "paper"  # "paper": a claim the supplement makes; "ours": a check this book adds


VERDICTS = ("holds", "partly", "does not hold", "not tested")

#: The verdict rules, one set for every claims row; the scorecard prints this text.
VERDICT_RULES = """\
- **A value the paper quotes** (a correlation such as 0.851): *holds* when our estimate is at
  least the paper's value or the paper's value lies inside our 95 % interval; *partly* when it
  does not, but the interval lies above zero and the estimate reaches at least half the
  paper's value; otherwise *does not hold*.
- **A threshold met by every task of a group** (e.g. ρ > 0.97 for the 2D tasks): *holds* when
  all tasks meet it, *partly* when more than half do, otherwise *does not hold*. The same rule
  applies to the named tasks of S3.4 (in the paper's half of a ranking or not) and to the
  readout sanity check of S2 (each target's own encoder its best source).
- **A threshold reached from a point on** (e.g. ρ > 0.99 from half of training on): *holds*
  when our estimate stays above it from the paper's point or earlier, *partly* when it does so
  only later, *does not hold* when it never does. Where our points do not include the paper's,
  the first of ours at or after it stands in for it. S3.3 uses the lower end of its band
  instead of the estimate, because the supplement says *always* above.
- **A threshold at one point** (e.g. ρ > 0.99 at 500 images): *holds* when the lower end of our
  interval exceeds it, *partly* when only the estimate does, otherwise *does not hold*.
- **A direction without a number** (e.g. mIoU falls as similarity falls, r_s > 0): *holds*
  when the 95 % interval excludes zero on the claimed side, *partly* when only the estimate is
  on that side, otherwise *does not hold*.
- **A pattern or a property without a number** (S2's clusters agree but for two tasks; RSA
  scores lie in [−1, 1]): *holds* when the stated criterion is met (for the clusters: at most
  two tasks move and the adjusted Rand index is at least 0.5), otherwise *does not hold*.
- *not tested*: the quantity is undefined in this run (e.g. a correlation of constant values),
  or what it needs is missing (e.g. fine-tuned networks that do not beat the trivial baseline).
- **Networks that cannot carry a claim are set aside**: a claim is computed on the task
  networks that beat their trivial baseline and do not lack signal (two replicates of the task
  agree more than the task agrees with any other task; see the models chapter). The row names
  the networks set aside; with fewer than three networks left, it is *not tested*.
"""


def verdict(ok: bool | None, partly: bool = False) -> str:
    """``holds`` / ``partly`` / ``does not hold``; ``not tested`` when ``ok`` is None (the
    quantity is undefined in this run, e.g. a correlation of constant values)."""
    if ok is None:
        return "not tested"
    if ok:
        return "holds"
    return "partly" if partly else "does not hold"


def value_verdict(paper: float, est: float, low: float, high: float) -> str:
    """A value the paper quotes (see :data:`VERDICT_RULES`)."""
    if not np.isfinite(est):
        return "not tested"
    return verdict(
        bool(est >= paper or low <= paper <= high), partly=bool(low > 0 and est >= paper / 2)
    )


def share_verdict(ok) -> str:
    """A threshold every item of a group should meet: ``ok`` booleans, one per item (None or
    NaN entries, or an empty group: ``not tested``)."""
    ok = pd.Series(ok, dtype=object)
    if ok.empty or ok.isna().any():
        return "not tested"
    ok = ok.astype(bool)
    return verdict(bool(ok.all()), partly=bool(ok.mean() > 0.5))


def from_point_verdict(ours: float | None, paper: float, reference: float) -> str:
    """A threshold reached from a point on: ``ours`` is where our curve stays above it (None:
    never). A curve that reaches it only at ``reference``, the point every other one is compared
    with (e.g. the end of training), has not reached it: its value there is 1 by construction."""
    reached = ours is not None and ours < reference
    return verdict(reached and ours <= paper + 1e-9, partly=reached)


def point_verdict(threshold: float, est: float, low: float) -> str:
    """A threshold at one point: the lower end ``low`` of our interval above it, or only ``est``."""
    if not np.isfinite(est):
        return "not tested"
    return verdict(bool(low > threshold), partly=bool(est > threshold))


def direction_verdict(est: float, low: float, high: float, sign: int = 1) -> str:
    """A direction without a number (``sign`` +1: positive, -1: negative)."""
    if not np.isfinite(est):
        return "not tested"
    excludes_zero = low > 0 if sign > 0 else high < 0
    return verdict(bool(excludes_zero), partly=bool(sign * est > 0))


def gate_claims(claims: list[Claim], set_aside: str, tested: bool = True) -> list[Claim]:
    """The claims of a section computed on the networks that can carry them: each row's ``ours``
    gains ``set_aside`` (which networks were left out and why, see
    :func:`rsa_utils.task_models.set_aside_note`); with ``tested=False`` (too few networks left)
    every row is *not tested*."""
    if tested:
        return [replace(c, ours=c.ours + set_aside) for c in claims]
    untested = f"not tested: too few networks with signal{set_aside}"
    return [replace(c, ours=untested, holds="not tested") for c in claims]


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


VERDICT_COLORS = {
    "holds": "color: #1a7f37",
    "does not hold": "color: #cf222e",
    "partly": "color: #9a6700",
}


def styled_claims(claims: pd.DataFrame):
    """A claims table for display: no index, the verdict column coloured."""
    style = claims.style.hide(axis="index").map(
        lambda v: VERDICT_COLORS.get(v, ""), subset=["holds"]
    )
    return style.set_properties(subset=["holds"], **{"white-space": "nowrap"})


def collect_claims(notebooks: list[Path]) -> pd.DataFrame:
    """The claims rows glued by each executed notebook, in the given order."""
    rows = []
    for nb in notebooks:
        text = read_glued(nb).get("claims_json")
        if text is not None:
            rows += json.loads(ast.literal_eval(text))
    df = pd.DataFrame(rows, columns=["section", "claim", "paper", "ours", "holds", "kind"])
    return df.fillna({"kind": "paper"})


def verdict_changes(claims: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``claims`` beside the verdict the same (section, claim) had in ``previous`` (an
    earlier edition's claims table): columns section, claim, before, now, changed."""
    prev = previous.set_index(["section", "claim"]).holds
    out = claims[["section", "claim", "holds"]].rename(columns={"holds": "now"}).copy()
    out.insert(2, "before", [prev.get((s, c), "—") for s, c in zip(out.section, out.claim)])
    out["changed"] = out.before != out.now
    return out


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
