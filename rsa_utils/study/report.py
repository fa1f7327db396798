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

from rsa_utils.paths import REPO_ROOT

BOOK_DIR = REPO_ROOT / "book"


def book_dir() -> Path:
    """Where this run's executed notebooks are read (the scorecard, the reproducibility record):
    ``$RSA_BOOK_DIR`` (set by the runner) or the committed edition in ``book/``."""
    return Path(os.environ.get("RSA_BOOK_DIR") or BOOK_DIR)


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


def glue_text(name: str, text: str) -> None:
    """Glue a piece of prose (a formatted number, an interval, a task name) for ``{glue:md}`name```."""
    from IPython.display import Markdown
    from myst_nb import glue

    glue(name, Markdown(text), display=False)


def fmt(x: float, digits: int = 2) -> str:
    """A number as prose shows it (fixed digits, a true minus sign)."""
    return f"{x:.{digits}f}".replace("-", "−")


def number_agrees(n: int, one: str, many: str) -> str:
    """The word that agrees with the count ``n`` in prose: ``one`` for 1, else ``many``."""
    return one if n == 1 else many


def fmt_interval(est: float, low: float, high: float, digits: int = 2) -> str:
    """``0.93 [0.90, 0.95]``; ``0.93 (no interval)`` when the interval is undefined (e.g.
    nothing to resample)."""
    if np.isfinite(est) and not (np.isfinite(low) and np.isfinite(high)):
        return f"{fmt(est, digits)} (no interval)"
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


VERDICTS = ("holds", "partly", "inconclusive", "does not hold", "not tested")

#: S2's pattern claim (the RSA and transfer clusterings agree "but for room layout and
#: denoising"): at most this many tasks change cluster ...
CLUSTER_MAX_MOVED = 2
#: ... and the adjusted Rand index of the two clusterings is at least this.
CLUSTER_MIN_ARI = 0.5

#: The verdict rules, one set for every claims row; the scorecard prints this text.
VERDICT_RULES = f"""\
Every rule reads our estimate together with its 95 % interval. The *null* is the value that
would fail the claim outright: zero for a correlation or a difference, chance for a ranking,
and never reaching it for a threshold reached from a point on.

- **A value the paper quotes** (a correlation such as 0.851): *holds* when the interval reaches
  the paper's value (our estimate is at least the paper's, or the paper's value lies inside the
  interval) and excludes the null; *inconclusive* when it reaches the paper's value but also
  contains the null; *partly* when the whole interval lies between the null and the paper's
  value (the effect is there, weaker than the paper's); *does not hold* when the interval
  contains the null but not the paper's value.
- **A threshold at one point** (e.g. ρ > 0.99 at 500 images): *holds* when the interval lies
  above the threshold; *inconclusive* when it contains the threshold; *partly* when it lies
  below the threshold but above the null; otherwise *does not hold*.
- **A direction without a number** (e.g. mIoU falls as similarity falls, r_s > 0): *holds*
  when the interval excludes the null on the claimed side; *inconclusive* when it contains
  the null; *does not hold* when it excludes the null on the other side. (With no number
  quoted there is nothing to fall short of, so no *partly*.)
- **A threshold reached from a point on** (e.g. ρ > 0.99 from half of training on): *holds*
  when the lower end of our band stays above the threshold from the paper's point or earlier;
  *inconclusive* when only the upper end does; *partly* when the lower end does so only later;
  otherwise *does not hold*. Where our points do not include the paper's, the first of ours at
  or after it stands in for it.
- **A threshold every member of a group meets** (e.g. ρ > 0.97 for each 2D task; the named
  tasks of S3.4 in the paper's half of a ranking; each target's own encoder its best source):
  *holds* when every tested member meets it, *partly* when more than half do, otherwise
  *does not hold*. A member whose interval contains the threshold can go either way: when
  counting it as meeting or as failing the threshold gives different verdicts, the row is
  *inconclusive*. Members that cannot be tested (set aside, or undefined in this run) are left
  out and counted in the row; a group with no tested member is *not tested*.
- **A pattern without a number** (S2: the clusterings agree but for two tasks): *holds* when
  at most {CLUSTER_MAX_MOVED} tasks change cluster and the adjusted Rand index of the two
  clusterings is at least {CLUSTER_MIN_ARI}, otherwise *does not hold*.
- *not tested*: the quantity is undefined in this run (e.g. a correlation of constant values),
  or what it needs is missing (e.g. fine-tuned networks that do not beat the trivial
  baseline).
- **Networks that cannot carry a claim are set aside**: a claim is computed on the task
  networks that beat their trivial baseline and carry signal (two replicates of the task
  agree more than the task agrees with any other task; see the models chapter). The row names
  the networks set aside; with fewer than three networks left, it is *not tested*.
- **Properties of the method are not claims**: that RSA scores lie in [−1, 1], for instance,
  cannot fail (the correlation is bounded by construction); it is kept as a unit test, not
  counted on the scorecard.
"""


#: A verdict as a sentence says it ("the claim … here").
VERDICT_IN_WORDS = {"holds": "holds", "partly": "holds only in part", "inconclusive": "is inconclusive",
                    "does not hold": "does not hold", "not tested": "cannot be tested"}  # fmt: skip


def _finite(*xs) -> bool:
    return all(x is not None and np.isfinite(x) for x in xs)


def verdict(ok: bool | None, partly: bool = False) -> str:
    """``holds`` / ``partly`` / ``does not hold``; ``not tested`` when ``ok`` is None (the
    quantity is undefined in this run, e.g. a correlation of constant values)."""
    if ok is None:
        return "not tested"
    if ok:
        return "holds"
    return "partly" if partly else "does not hold"


def value_verdict(
    paper: float, est: float, low: float, high: float, *, null: float = 0.0, sign: int = 1
) -> str:
    """A value the paper quotes (see :data:`VERDICT_RULES`); ``sign`` -1 for a claim that our
    value is at most the paper's (e.g. a negative difference)."""
    if not _finite(est, low, high):
        return "not tested"
    near, far = (low, high) if sign > 0 else (high, low)  # the ends towards and away from the null
    reaches = sign * far >= sign * paper
    excludes_null = sign * near > sign * null
    if reaches:
        return "holds" if excludes_null else "inconclusive"
    return "partly" if excludes_null else "does not hold"


def point_verdict(
    threshold: float, est: float, low: float, high: float, *, null: float = 0.0
) -> str:
    """A threshold at one point: the interval [``low``, ``high``] above it, containing it,
    between the null and it, or not above the null."""
    if not _finite(est, low, high):
        return "not tested"
    if low > threshold:
        return "holds"
    if high > threshold:
        return "inconclusive"
    return "partly" if low > null else "does not hold"


def direction_verdict(
    est: float, low: float, high: float, sign: int = 1, *, null: float = 0.0
) -> str:
    """A direction without a number (``sign`` +1: above the null, -1: below it)."""
    if not _finite(est, low, high):
        return "not tested"
    if sign * (low if sign > 0 else high) > sign * null:
        return "holds"
    if sign * (high if sign > 0 else low) > sign * null:
        return "inconclusive"
    return "does not hold"


def from_point_verdict(
    low_from: float | None, high_from: float | None, paper: float, reference: float
) -> str:
    """A threshold reached from a point on. ``low_from`` / ``high_from``: where the lower /
    upper end of our band stays above the threshold (None: never). A band that reaches it only
    at ``reference``, the point every other one is compared with (e.g. the end of training),
    has not reached it: its value there is 1 by construction."""

    def reached(x):
        return x is not None and x < reference

    if reached(low_from) and low_from <= paper + 1e-9:
        return "holds"
    if reached(high_from) and high_from <= paper + 1e-9:
        return "inconclusive"
    return "partly" if reached(low_from) else "does not hold"


def share_verdict(ok, undecided=None) -> str:
    """A threshold every member of a group should meet. ``ok``: one boolean per member (None or
    NaN: the member cannot be tested and is left out); ``undecided``: per member, True where its
    interval contains the threshold (it could go either way). No tested member: ``not tested``."""
    ok = pd.Series(list(ok), dtype=object)
    und = pd.Series(list(undecided) if undecided is not None else [False] * len(ok), dtype=object)
    tested = ok.notna().to_numpy()
    if not tested.any():
        return "not tested"
    ok, und = ok[tested].astype(bool).to_numpy(), und[tested].fillna(False).astype(bool).to_numpy()

    def rule(passed):
        return verdict(bool(passed.all()), partly=bool(passed.mean() > 0.5))

    optimistic, pessimistic = rule(ok | und), rule(ok & ~und)
    return optimistic if optimistic == pessimistic else "inconclusive"


def threshold_share(est, low, high, threshold: float) -> tuple[str, str]:
    """Members with intervals against one threshold (each member: estimate above it; undecided
    where the interval contains it): (verdict, ``"3 of 4 above (1 with the threshold inside the interval)"`` + a count of
    members that could not be tested)."""
    est, low, high = (pd.Series(np.asarray(v, float)) for v in (est, low, high))
    tested = est.notna()
    ok = [bool(e > threshold) if t else None for e, t in zip(est, tested)]
    undecided = (low <= threshold) & (high > threshold)
    n = int(tested.sum())
    text = f"{int((est[tested] > threshold).sum())} of {n} above"
    if undecided[tested].any():
        text += f" ({int(undecided[tested].sum())} with the threshold inside the interval)"
    return share_verdict(ok, undecided.tolist()), text + untested_note(len(est) - n)


def untested_note(n_untested: int) -> str:
    """``"; 2 could not be tested"`` (empty for none): how many members of a group were left out."""
    return f"; {n_untested} could not be tested" if n_untested else ""


def clusters_verdict(n_moved: int, ari: float) -> str:
    """S2's pattern claim: at most :data:`CLUSTER_MAX_MOVED` tasks change cluster and the
    adjusted Rand index is at least :data:`CLUSTER_MIN_ARI`."""
    if not _finite(ari):
        return "not tested"
    return verdict(bool(n_moved <= CLUSTER_MAX_MOVED and ari >= CLUSTER_MIN_ARI))


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
    "inconclusive": "color: #0969da",
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


def glue_all(texts: dict[str, str]) -> None:
    """Glue every value of a section's result (name → prose text, see :func:`glue_text`)."""
    for name, text in texts.items():
        glue_text(name, text)


def glue_numbers(numbers: dict[str, int | float]) -> None:
    """Glue counts and plain numbers by name (shown with ``{glue:}`name```)."""
    from myst_nb import glue

    for name, value in numbers.items():
        glue(name, value, display=False)


def table(frame: pd.DataFrame, name: str, digits: int | None = 3) -> pd.DataFrame:
    """A table of the book: its data written and glued as ``<name>_data`` for the prose, and
    the frame rounded to ``digits`` for display (``None``: as it is)."""
    glue_text(f"{name}_data", figure_data(name, frame))
    return frame if digits is None else frame.round(digits)
