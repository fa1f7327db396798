"""The claims scorecard: every section's claims, counted and set beside two other runs.

The other runs are the previous edition and a run of this code with another study seed (a
reseed), each shipped as a claims table in ``book/data``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from rsa_utils.paths import PREVIOUS_EDITION, RESEED
from rsa_utils.study.claims import (
    split_set_aside,
    styled_claims,
    verdict_agreement,
    verdict_changes,
)
from rsa_utils.study.edition import book_dir, collect_claims, notebook_record, read_glued
from rsa_utils.study.outputs import save_data
from rsa_utils.study.prose import number_agrees
from rsa_utils.study.runner import toc_notebooks
from rsa_utils.study.verdicts import VERDICT_RULES


@dataclass(frozen=True)
class Scorecard:
    """The scorecard in one object: the claims rows (all, the supplement's, the book's own
    checks), the verdicts beside the previous edition's, the run record of the notebooks that
    glue claims, the prose's values (by glue name) and its counts."""

    claims: pd.DataFrame  # section, claim, paper, ours, holds, kind: in the book's order
    paper_claims: pd.DataFrame  # the supplement's claims (without the kind column)
    our_checks: pd.DataFrame  # the checks this book adds
    changes: pd.DataFrame  # section, claim, before, now, changed (see claims.verdict_changes)
    reseed: pd.DataFrame  # rows both runs tested (see claims.verdict_agreement)
    record: pd.DataFrame  # run record of each notebook with claims (edition.notebook_record)
    text: dict[str, str]  # prose, glued as Markdown
    values: dict[str, int]  # counts, glued as they are


def scorecard(
    book: Path | None = None, previous: Path = PREVIOUS_EDITION, reseed: Path = RESEED
) -> Scorecard:
    """The claims glued by the executed notebooks in ``book`` (default:
    :func:`~rsa_utils.study.edition.book_dir`), in the order of the table of contents (notebooks
    not executed, or that glue no claims, add no rows), beside the ``previous`` edition's and
    the ``reseed`` run's."""
    book = Path(book) if book is not None else book_dir()
    present = [book / f"{n}.ipynb" for n in toc_notebooks() if (book / f"{n}.ipynb").exists()]
    claims = collect_claims(present)
    present = [nb for nb in present if "claims_json" in read_glued(nb)]
    paper_claims = claims[claims.kind == "paper"].drop(columns="kind")
    our_checks = claims[claims.kind == "ours"].drop(columns="kind")
    counts = paper_claims.holds.value_counts()
    record = notebook_record(present)
    before = pd.read_csv(previous)
    changes = verdict_changes(claims, before)
    other = pd.read_csv(reseed)
    agreement = verdict_agreement(claims, other)
    n_hold = int(counts.get("holds", 0))
    values = {
        "n_claims": len(paper_claims), "n_hold": n_hold, "n_partly": int(counts.get("partly", 0)),
        "n_inconclusive": int(counts.get("inconclusive", 0)),
        "n_fail": int(counts.get("does not hold", 0)), "n_untested": int(counts.get("not tested", 0)),
        "n_checks": len(our_checks), "n_changed": int(changes.changed.sum()), "n_rows": len(changes),
        "n_reseed_tested": len(agreement), "n_reseed_same": int(agreement.same.sum()),
    }  # fmt: skip
    text = {
        "hold_verb": number_agrees(n_hold, "holds", "hold"),
        "fail_verb": number_agrees(values["n_fail"], "does not hold", "do not hold"),
        "profiles": ", ".join(sorted(set(record.profile))),
        "verdict_rules": VERDICT_RULES,
        "previous_edition": str(before.edition.iloc[0]),
        "reseed_edition": str(other.edition.iloc[0]),
        "reseed_set_aside": set_aside_of(other),
    }
    return Scorecard(claims, paper_claims, our_checks, changes, agreement, record, text, values)


def set_aside_of(claims: pd.DataFrame) -> str:
    """Every task a run's claims table set aside in any row (its ``ours`` column ends in
    "; set aside: a (why), b (why)"), in the order the rows first name them, each with the
    longest reason any row gives it; "no network" where no row sets one aside."""
    entries: dict[str, str] = {}
    for note in (split_set_aside(v)[1] for v in claims.ours):
        for entry in _top_level_items(note) if note else []:
            task = entry.split(" (")[0]
            if len(entry) > len(entries.get(task, "")):
                entries[task] = entry
    return ", ".join(entries.values()) if entries else "no network"


def _top_level_items(text: str) -> list[str]:
    """``text`` split at the commas outside parentheses: "a (b, c), d" → ["a (b, c)", "d"]."""
    items, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            items.append(text[start:i].strip())
            start = i + 1
    return [*items, text[start:].strip()]


def table_claims(card: Scorecard):
    """The supplement's claims, verdicts coloured; every row (the book's checks too) is written
    as ``data/claims.csv``."""
    save_data(card.claims, "claims")
    return styled_claims(card.paper_claims)


def table_checks(card: Scorecard):
    """The checks this book adds, verdicts coloured."""
    return styled_claims(card.our_checks)


def table_changes(card: Scorecard):
    """The rows whose verdict changed since the previous edition, or that are new."""
    return card.changes[card.changes.changed].drop(columns="changed").style.hide(axis="index")


def table_reseed(card: Scorecard):
    """The rows tested by both this run and the reseed run whose verdicts differ."""
    moved = card.reseed[~card.reseed.same].drop(columns="same")
    return moved.style.hide(axis="index")
