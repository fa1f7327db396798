"""What notebooks hand to the book, under one name: prose values, files, verdicts and claims.

Figures are saved under ``book/figures/`` (shown with MyST ``{figure}`` so they are numbered
across pages). Claims rows set the supplement's number beside ours and say whether the claim
holds; each notebook glues its rows (``claims_json``) and the scorecard page gathers them from
the executed notebooks. The work is done by :mod:`~rsa_utils.study.prose` (formatting and
glue), :mod:`~rsa_utils.study.outputs` (figure, data and table files),
:mod:`~rsa_utils.study.verdicts` (the verdict rules), :mod:`~rsa_utils.study.claims` (the
claims table) and :mod:`~rsa_utils.study.edition` (reading executed notebooks).
"""

from rsa_utils.study.claims import (
    SET_ASIDE,
    VERDICT_COLORS,
    Claim,
    claims_frame,
    gate_claims,
    glue_claims,
    other_run_reading,
    split_set_aside,
    styled_claims,
    verdict_agreement,
    verdict_changes,
)
from rsa_utils.study.edition import BOOK_DIR, book_dir, collect_claims, notebook_record, read_glued
from rsa_utils.study.outputs import (
    RERUN_DIR,
    figure_data,
    output_dir,
    save_data,
    save_figure,
    table,
)
from rsa_utils.study.prose import (
    fmt,
    fmt_interval,
    glue_all,
    glue_numbers,
    glue_result,
    glue_text,
    number_agrees,
)
from rsa_utils.study.verdicts import (
    CLUSTER_MAX_MOVED,
    CLUSTER_MIN_ARI,
    VERDICT_IN_WORDS,
    VERDICT_RULES,
    VERDICTS,
    clusters_verdict,
    direction_verdict,
    from_point_verdict,
    point_verdict,
    share_verdict,
    threshold_share,
    untested_note,
    value_verdict,
    verdict,
)

__all__ = [
    "BOOK_DIR", "CLUSTER_MAX_MOVED", "CLUSTER_MIN_ARI", "RERUN_DIR", "SET_ASIDE", "VERDICTS",
    "VERDICT_COLORS", "VERDICT_IN_WORDS", "VERDICT_RULES", "Claim", "book_dir", "claims_frame",
    "clusters_verdict", "collect_claims", "direction_verdict", "figure_data", "fmt",
    "fmt_interval", "from_point_verdict", "gate_claims", "glue_all", "glue_claims",
    "glue_numbers", "glue_result", "glue_text", "notebook_record", "number_agrees",
    "other_run_reading", "output_dir", "point_verdict", "read_glued", "save_data",
    "save_figure", "share_verdict", "split_set_aside", "styled_claims", "table",
    "threshold_share", "untested_note",
    "value_verdict", "verdict", "verdict_agreement", "verdict_changes",
]  # fmt: skip
