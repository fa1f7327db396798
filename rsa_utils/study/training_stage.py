"""S3.1, consistency with the training stage: the section's numbers, prose values and claims."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from rsa_utils.nets import zoo
from rsa_utils.paths import PREVIOUS_EDITION, RESEED
from rsa_utils.study import report
from rsa_utils.study.claims import other_run_reading
from rsa_utils.study.profiles import Study
from rsa_utils.study.s3_data import S3Data, fraction_label, label, load
from rsa_utils.study.s3_statistics import (
    checkpoint_rankings,
    checkpoint_table,
    correlation_verdict,
    first_checkpoint_per_target,
    n_target_models,
    paper_point,
    replicate_rows,
    stays_above,
)

#: The supplement's S3.1: ρ = 0.88 at 1/10 of training; ρ > 0.99 from 1/2 of training on.
PAPER_FIRST, PAPER_FROM = 0.88, 0.5


@dataclass(frozen=True)
class TrainingStage:
    """S3.1 in one object: ρ with the final ranking per checkpoint, each source's RSA with the
    target model per checkpoint, the prose's values by glue name (``values``: plain values;
    ``text``: Markdown) and the claims (gated)."""

    table: pd.DataFrame  # by checkpoint: fraction, estimate, low, high
    rankings: pd.DataFrame  # task × checkpoint fraction, in the final ranking's order
    text: dict[str, str]
    values: dict[str, Any]
    claims: list[report.Claim]


def training_stage(study: Study, tasks: Sequence[str] | None = None) -> TrainingStage:
    """Everything S3.1 reports for the source ``tasks`` (default: the 17 of S3.4): the target
    model at each of the profile's checkpoints and the sources read by
    :func:`~rsa_utils.study.s3_data.load` (trained on first use), then :func:`compare`."""
    return compare(study, load(study, tasks=tasks, checkpoints=None))


def compare(study: Study, s3: S3Data) -> TrainingStage:
    """S3.1's numbers from the study and its S3 data (the target model's record too)."""
    prof = study.profile
    table = checkpoint_table(s3, n_boot=prof.n_boot, seed=study.seed, device=study.device)
    rankings = checkpoint_rankings(s3)
    first = table.iloc[0]
    from_when = stays_above(table["fraction"], table["estimate"])
    from_low, from_high = (stays_above(table["fraction"], table[c]) for c in ("low", "high"))
    half = table.loc[(table["fraction"] - 0.5).abs().idxmin()]
    never = from_when is None or from_when >= 1.0
    rec = zoo.get_target_record(prof, seed=study.seed, device=study.device,
                                cache_dir=study.cache_dir, sources=study.sources)  # fmt: skip
    learned = rec["metric"] > rec["baseline"]
    early = rankings[first.fraction].sort_values(ascending=False)
    first_rho = report.fmt_interval(first.estimate, first.low, first.high)
    half_rho = report.fmt_interval(half.estimate, half.low, half.high, 3)
    values = {
        "n_images": prof.n_rsa, "n_tasks": len(s3.tasks), "n_checkpoints": len(s3.checkpoints),
        "n_boot": prof.n_boot, "target_steps": prof.target_steps,
        "n_replicated": len(replicate_rows(s3, "taskonomy")), "n_target_models": n_target_models(s3),
    }  # fmt: skip
    text = {
        "set_aside": s3.set_aside_text,
        "first_fraction": fraction_label(first.fraction),
        "first_rho": first_rho,
        "first_rho_each": ", ".join(report.fmt(r, 2) for r in first_checkpoint_per_target(s3)),
        "half_fraction": fraction_label(half.fraction),
        "half_rho": half_rho,
        "from_when": "never (not even at the last checkpoint before the end)" if never
        else f"from {fraction_label(from_when)} of training on",
        "target_miou": report.fmt(100 * rec["metric"], 1),
        "target_majority": report.fmt(100 * rec["baseline"], 1),
        "target_learned": "it beats that baseline" if learned
        else "it does not beat that baseline, so its rankings below carry little of the task",
        "top_final": ", ".join(label(t) for t in rankings.index[:3]),
        "top_first": ", ".join(label(t) for t in early.index[:3]),
    }  # fmt: skip
    stays = ("never above 0.99 before the end" if never
             else f"stays > 0.99 from {fraction_label(from_when)} on")  # fmt: skip
    claims = [
        report.Claim(
            section="S3.1",
            claim=f"ρ with the final ranking at {fraction_label(first.fraction)} of training "
            "(paper: at 1/10)",
            paper=f"{PAPER_FIRST}",
            ours=first_rho,
            holds=correlation_verdict(PAPER_FIRST, first.estimate, first.low, first.high),
        ),
        report.Claim(
            section="S3.1",
            claim="ρ > 0.99 from 1/2 of training on",
            paper="> 0.99 from 1/2",
            ours=f"{stays}; ρ at {fraction_label(half.fraction)} = {half_rho}",
            holds=report.from_point_verdict(
                from_low, from_high, paper_point(table["fraction"], PAPER_FROM), reference=1.0
            ),
        ),
    ]
    claims = report.gate_claims(claims, s3.set_aside_note, s3.tested)
    text["first_verdict"] = claims[0].holds
    for name, path in (("first_previous", PREVIOUS_EDITION), ("first_reseed", RESEED)):
        text[name] = other_run_reading(pd.read_csv(path), "S3.1", claims[0].claim)
    return TrainingStage(table, rankings, text, values, claims)
