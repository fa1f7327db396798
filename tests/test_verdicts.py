"""The verdict rules of the claims table (report.VERDICT_RULES), one case per branch."""

from __future__ import annotations

import math

from rsa_utils import report


def test_value_verdict():
    assert report.value_verdict(0.85, 0.90, 0.80, 0.95) == "holds"  # above the paper
    assert report.value_verdict(0.85, 0.80, 0.70, 0.86) == "holds"  # paper inside the interval
    assert report.value_verdict(0.85, 0.50, 0.20, 0.70) == "partly"  # positive, >= half
    assert report.value_verdict(0.85, 0.40, 0.20, 0.60) == "does not hold"  # below half
    assert report.value_verdict(0.85, 0.50, -0.10, 0.70) == "does not hold"
    assert report.value_verdict(0.85, math.nan, math.nan, math.nan) == "not tested"


def test_share_verdict():
    assert report.share_verdict([True, True, True]) == "holds"
    assert report.share_verdict([True, True, False]) == "partly"
    assert report.share_verdict([True, False]) == "does not hold"  # half is not more than half
    assert report.share_verdict([False, False]) == "does not hold"
    assert report.share_verdict([]) == "not tested"
    assert report.share_verdict([True, None]) == "not tested"


def test_from_point_verdict():
    assert report.from_point_verdict(0.3, paper=0.5, reference=1.0) == "holds"
    assert report.from_point_verdict(0.5, paper=0.5, reference=1.0) == "holds"
    assert report.from_point_verdict(0.8, paper=0.5, reference=1.0) == "partly"
    assert (
        report.from_point_verdict(1.0, paper=0.5, reference=1.0) == "does not hold"
    )  # only the end
    assert report.from_point_verdict(None, paper=0.5, reference=1.0) == "does not hold"


def test_direction_verdict():
    assert report.direction_verdict(0.5, 0.1, 0.8) == "holds"
    assert report.direction_verdict(0.3, -0.1, 0.6) == "partly"
    assert report.direction_verdict(-0.3, -0.6, 0.1) == "does not hold"
    assert report.direction_verdict(-0.5, -0.8, -0.1, sign=-1) == "holds"
    assert report.direction_verdict(0.5, 0.1, 0.8, sign=-1) == "does not hold"
    assert report.direction_verdict(math.nan, math.nan, math.nan) == "not tested"


def test_rules_text_names_every_verdict():
    for v in report.VERDICTS:
        assert f"*{v}*" in report.VERDICT_RULES


def test_point_verdict():
    assert report.point_verdict(0.99, 0.995, 0.992) == "holds"
    assert report.point_verdict(0.99, 0.995, 0.98) == "partly"
    assert report.point_verdict(0.99, 0.97, 0.90) == "does not hold"
    assert report.point_verdict(0.99, math.nan, math.nan) == "not tested"


def test_gate_claims_and_verdict_changes():
    import pandas as pd

    from rsa_utils.report import Claim, gate_claims, verdict_changes

    rows = [Claim("S1", "a", "1", "0.9", "holds"), Claim("S1", "b", "1", "0.1", "does not hold")]
    kept = gate_claims(rows, "; set aside: x (no signal)")
    assert [c.holds for c in kept] == ["holds", "does not hold"]
    assert kept[0].ours == "0.9; set aside: x (no signal)"
    gone = gate_claims(rows, "; set aside: x (no signal)", tested=False)
    assert {c.holds for c in gone} == {"not tested"} and "too few networks" in gone[0].ours
    now = pd.DataFrame({"section": ["S1", "S1"], "claim": ["a", "c"], "holds": ["holds", "partly"]})
    before = pd.DataFrame({"section": ["S1"], "claim": ["a"], "holds": ["does not hold"]})
    ch = verdict_changes(now, before)
    assert list(ch.before) == ["does not hold", "—"] and list(ch.changed) == [True, True]
