"""S3.2, consistency with model size: the section's numbers, the values its prose cites, its claims."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from rsa_utils.study import report
from rsa_utils.study.profiles import Study
from rsa_utils.study.s3_data import S3Data, load
from rsa_utils.study.s3_statistics import (
    correlation_verdict,
    n_target_models,
    replicate_correlations,
    replicate_rows,
    size_correlation,
    size_table,
)

#: The supplement's correlations between the rankings of small and Taskonomy-architecture encoders.
PAPER_RHO, PAPER_R_S = 0.95, 0.96


@dataclass(frozen=True)
class ModelSize:
    """S3.2 in one object: the per-source similarities, the two correlations with intervals,
    the prose's values by glue name (``values``: plain values; ``text``: Markdown) and the
    claims rows (gated)."""

    table: pd.DataFrame  # by task: label, small, taskonomy (sorted by taskonomy)
    correlation: pd.DataFrame  # rows rho, r_s: estimate, low, high
    text: dict[str, str]
    values: dict[str, Any]
    claims: list[report.Claim]


def model_size(study: Study, tasks: Sequence[str] | None = None) -> ModelSize:
    """Everything S3.2 reports for the source ``tasks`` (default: the 17 of S3.4): the sources
    of both architectures read by :func:`~rsa_utils.study.s3_data.load` (trained on first
    use), then :func:`compare`."""
    return compare(study, load(study, tasks=tasks, archs=("small", "taskonomy")))


def compare(study: Study, s3: S3Data) -> ModelSize:
    """S3.2's numbers from the S3 data of both architectures (``study.profile.n_boot`` draws)."""
    prof = study.profile
    table = size_table(s3)
    corr = size_correlation(s3, n_boot=prof.n_boot, seed=study.seed, device=study.device)
    rho, r_s = corr.loc["rho"], corr.loc["r_s"]
    iv = {
        k: report.fmt_interval(r.estimate, r.low, r.high) for k, r in (("rho", rho), ("r_s", r_s))
    }
    verdicts = {
        "rho": correlation_verdict(PAPER_RHO, rho.estimate, rho.low, rho.high),
        "r_s": correlation_verdict(PAPER_R_S, r_s.estimate, r_s.low, r_s.high),
    }
    by_rep = replicate_correlations(s3)
    gap = (table["taskonomy"] - table["small"]).abs()
    values = {
        "n_images": prof.n_rsa,
        "n_tasks": len(s3.tasks),
        "n_boot": prof.n_boot,
        "n_replicated": len(
            replicate_rows(s3, "small").keys() & replicate_rows(s3, "taskonomy").keys()
        ),
        "n_target_models": n_target_models(s3),
    }
    text = {
        "set_aside": s3.set_aside_text,
        "rho": iv["rho"],
        "r_s": iv["r_s"],
        "top_large": ", ".join(table["label"].iloc[:3]),
        "top_small": ", ".join(table.sort_values("small", ascending=False)["label"].iloc[:3]),
        "largest_gap": table.loc[gap.idxmax(), "label"],
        "gap": report.fmt(gap.max()),
        "mean_small": report.fmt(table["small"].mean()),
        "mean_large": report.fmt(table["taskonomy"].mean()),
        "rho_rep0": report.fmt(by_rep.loc[0, "rho"]),
        "rho_rep1": report.fmt(by_rep.loc[1, "rho"]),
        "v_rho": report.VERDICT_IN_WORDS[verdicts["rho"]],
        "v_rs": report.VERDICT_IN_WORDS[verdicts["r_s"]],
    }
    what = "ranking with small vs Taskonomy-architecture source encoders"
    claims = [
        report.Claim(section="S3.2", claim=f"Pearson ρ, {what}", paper=str(PAPER_RHO),
                     ours=iv["rho"], holds=verdicts["rho"]),
        report.Claim(section="S3.2", claim=f"Spearman r_s, {what}", paper=str(PAPER_R_S),
                     ours=iv["r_s"], holds=verdicts["r_s"]),
    ]  # fmt: skip
    claims = report.gate_claims(claims, s3.set_aside_note, s3.tested)
    return ModelSize(table, corr.rename_axis("statistic"), text, values, claims)
