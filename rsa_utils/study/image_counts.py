"""S3.3, consistency with the number of images: the section's numbers, prose values and claims."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from rsa_utils.study import report
from rsa_utils.study.profiles import Study
from rsa_utils.study.s3_data import S3Data, load
from rsa_utils.study.s3_statistics import (
    image_count_table,
    n_target_models,
    paper_point,
    replicate_rows,
    stays_above,
    usable_counts,
)

#: The supplement's counts: ρ > 0.99 from 400 of its 2000 images on; about 500 suffice.
PAPER_N, PAPER_TOTAL, PAPER_ENOUGH = 400, 2000, 500


@dataclass(frozen=True)
class ImageCounts:
    """S3.3 in one object: ρ with the all-image ranking per n (median, central 95 % of draws),
    the number of images in all, the prose's values by glue name (``values``: plain values;
    ``text``: Markdown) and the claims rows (gated)."""

    table: pd.DataFrame  # by n: n, fraction, estimate, low, high
    n_all: int
    text: dict[str, str]
    values: dict[str, Any]
    claims: list[report.Claim]


def _from_text(n: float | None, n_all: int) -> str:
    if n is None:
        return "at no n below all the images"
    return f"from n = {n:.0f} of {n_all} ({100 * n / n_all:.0f} %) on"


def image_counts(study: Study, tasks: Sequence[str] | None = None) -> ImageCounts:
    """Everything S3.3 reports for the source ``tasks`` (default: the 17 of S3.4): the target
    and source RDMs read by :func:`~rsa_utils.study.s3_data.load` (trained on first use), then
    :func:`compare`."""
    return compare(study, load(study, tasks=tasks))


def compare(study: Study, s3: S3Data) -> ImageCounts:
    """S3.3's numbers from the S3 data: the profile's ``image_counts`` that can be drawn from
    its ``n_rsa`` images (``n_boot`` draws each)."""
    prof = study.profile
    n_all = prof.n_rsa
    counts = usable_counts(prof.image_counts, n_all)
    table = image_count_table(s3, counts, n_draws=prof.n_boot, seed=study.seed, device=study.device)
    paper_fraction = PAPER_N / PAPER_TOTAL
    from_n = stays_above(table["n"], table["estimate"])  # the median over draws
    from_n_low = stays_above(table["n"], table["low"])  # every draw but the lowest 2.5 %
    from_n_high = stays_above(table["n"], table["high"])  # the highest 2.5 % of draws
    lowest = table.iloc[0]
    at_paper = table.loc[(table["fraction"] - paper_fraction).abs().idxmin()]
    at_paper_rho = report.fmt_interval(at_paper.estimate, at_paper.low, at_paper.high, 3)
    values = {
        "n_all": n_all,
        "n_tasks": len(s3.tasks),
        "n_draws": prof.n_boot,
        "n_replicated": len(replicate_rows(s3, "taskonomy")),
        "n_target_models": n_target_models(s3),
        "n_choices": table.attrs["n_choices"],
    }
    text = {
        "set_aside": s3.set_aside_text,
        "counts": ", ".join(map(str, counts)),
        "paper_fraction": f"{100 * paper_fraction:.0f} %",
        "from_n": _from_text(from_n, n_all),
        "from_n_low": _from_text(from_n_low, n_all),
        "at_paper_n": f"{at_paper.n:.0f} ({100 * at_paper.fraction:.0f} %)",
        "at_paper_rho": at_paper_rho,
        "lowest_n": f"{lowest.n:.0f}",
        "lowest_rho": report.fmt_interval(lowest.estimate, lowest.low, lowest.high),
    }
    enough = table[table["n"] == PAPER_ENOUGH]
    if from_n_low is None:
        ours_from = "never"
    else:
        ours_from = f"from {from_n_low:.0f} of {n_all} ({100 * from_n_low / n_all:.0f} %)"
    if enough.empty:
        ours_enough, holds_enough = f"not tested: {n_all} images in all", "not tested"
    else:
        est = enough.iloc[0][["estimate", "low", "high"]]
        ours_enough = (report.fmt_interval(*est, 3)
                       + f" ({100 * PAPER_ENOUGH / n_all:.0f} % of our images, 25 % of the paper's)")  # fmt: skip
        holds_enough = report.point_verdict(0.99, *est)
    fractions = (None if n is None else n / n_all for n in (from_n_low, from_n_high))
    claims = [
        report.Claim(
            section="S3.3",
            claim="ρ always > 0.99 from 400 of 2000 images (20 %) on (lower end of the band)",
            paper="> 0.99 from 400 of 2000 (20 %)",
            ours=f"{ours_from}; at {at_paper.n:.0f}: {at_paper_rho}",
            holds=report.from_point_verdict(*fractions, paper_point(table["fraction"], paper_fraction),
                                            reference=1.0),
        ),
        report.Claim(section="S3.3", claim="about 500 images suffice (ρ > 0.99 at n = 500)",
                     paper="~500 images", ours=ours_enough, holds=holds_enough),
    ]  # fmt: skip
    claims = report.gate_claims(claims, s3.set_aside_note, s3.tested)
    return ImageCounts(table, n_all, text, values, claims)
