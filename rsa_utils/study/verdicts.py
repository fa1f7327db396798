"""The verdict rules of the claims table: one function per kind of claim, and the rules' text."""

from __future__ import annotations

import numpy as np
import pandas as pd

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
  agree more than the task agrees with any other task but its label twins; see the models
  chapter). The row names
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
