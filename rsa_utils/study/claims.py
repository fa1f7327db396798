"""The claims table: one row per claim beside the supplement's number, glued by each section."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace

import pandas as pd


@dataclass
class Claim:
    """One row of the claims table."""

    section: str  # "S1", "S2", "S3.1", ...
    claim: str  # the supplement's statement, in short
    paper: str  # the supplement's number, as it quotes it
    ours: str  # our value with its interval
    holds: str  # one of verdicts.VERDICTS
    kind: str = "paper"  # "paper": a claim the supplement makes; "ours": a check this book adds


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
    """The rows as a frame: section, claim, paper, ours, holds, kind."""
    return pd.DataFrame([asdict(c) for c in claims])


def glue_claims(claims: list[Claim]):
    """Glue a section's claims (``claims_json`` for the scorecard) and return them as a table."""
    from myst_nb import glue

    glue("claims_json", json.dumps([asdict(c) for c in claims]), display=False)
    return claims_frame(claims).style.hide(axis="index")


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


def verdict_changes(claims: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``claims`` beside the verdict the same (section, claim) had in ``previous`` (an
    earlier edition's claims table): columns section, claim, before, now, changed."""
    prev = previous.set_index(["section", "claim"]).holds
    out = claims[["section", "claim", "holds"]].rename(columns={"holds": "now"}).copy()
    out.insert(2, "before", [prev.get((s, c), "—") for s, c in zip(out.section, out.claim)])
    out["changed"] = out.before != out.now
    return out


#: What separates a claims row's value from the networks it set aside (``ours`` = value + this + list).
SET_ASIDE = "; set aside: "


def split_set_aside(ours) -> tuple[str, str]:
    """A claims row's ``ours`` → (its value, the list of networks set aside, "" if none)."""
    value, _, note = str(ours).partition(SET_ASIDE)
    return value, note


def other_run_reading(other: pd.DataFrame, section: str, claim: str) -> str:
    """How another run's claims table (an earlier edition's, a reseed's: columns edition, then a
    claims row) read one claim: "value (*verdict*)", its list of tasks set aside left out;
    "no row for this claim" where it has none (e.g. its first checkpoint was another)."""
    row = other[(other.section == section) & (other.claim == claim)]
    if row.empty:
        return "no row for this claim"
    value = split_set_aside(row.ours.iloc[0])[0]
    return f"{value} (*{row.holds.iloc[0]}*)"


def verdict_agreement(claims: pd.DataFrame, other: pd.DataFrame) -> pd.DataFrame:
    """The rows both runs tested (neither *not tested*, the row present in ``other``, a claims
    table of another run of the same code, e.g. with another study seed): columns section,
    claim, this run, other run (verdicts), this value, other value (each run's ``ours`` up to
    its list of tasks set aside), same."""
    both = verdict_changes(claims, other).rename(columns={"now": "this run", "before": "other run"})
    theirs = other.set_index(["section", "claim"]).ours
    short = lambda v: split_set_aside(v)[0]  # noqa: E731
    both["this value"] = [short(v) for v in claims.ours]
    both["other value"] = [short(theirs.get((s, c), "")) for s, c in zip(both.section, both.claim)]
    tested = ~both["this run"].eq("not tested") & ~both["other run"].isin(["not tested", "—"])
    cols = ["section", "claim", "this run", "other run", "this value", "other value"]
    out = both[tested][cols]
    return out.assign(same=out["this run"] == out["other run"])
