"""The verdict rules of the claims table (report.VERDICT_RULES), one case per branch."""

from __future__ import annotations

import math

from rsa_utils import report


def test_value_verdict():
    v = report.value_verdict
    # the interval reaches the paper's value (est above it, or the paper inside) and excludes 0
    assert v(0.85, 0.90, 0.80, 0.95) == "holds"
    assert v(0.85, 0.80, 0.70, 0.86) == "holds"
    assert v(0.85, 0.80, 0.70, 0.85) == "holds"  # boundary: high == paper reaches it
    assert v(0.85, 0.80, 0.70, 0.849) == "partly"  # just short of it
    # ... and the null: an interval that reaches both is inconclusive, not holds
    assert v(0.85, 0.50, 0.001, 0.90) == "holds"
    assert v(0.85, 0.50, 0.0, 0.90) == "inconclusive"  # boundary: low == null
    assert v(0.85, 0.50, -0.10, 0.90) == "inconclusive"
    # short of the paper: partly only when the null is excluded (no 'half the paper' rule)
    assert v(0.96, 0.56, 0.30, 0.70) == "partly"
    assert v(0.95, 0.10, 0.01, 0.30) == "partly"
    assert v(0.85, 0.40, -0.01, 0.60) == "does not hold"
    assert v(0.85, math.nan, math.nan, math.nan) == "not tested"
    # a claim below a value (sign -1)
    assert v(-0.5, -0.7, -0.9, -0.6, sign=-1) == "holds"
    assert v(-0.5, -0.3, -0.4, -0.1, sign=-1) == "partly"
    assert v(-0.5, -0.3, -0.6, 0.1, sign=-1) == "inconclusive"
    assert v(-0.5, 0.1, -0.4, 0.3, sign=-1) == "does not hold"


def test_share_verdict():
    assert report.share_verdict([True, True, True]) == "holds"
    assert report.share_verdict([True, True, False]) == "partly"
    assert report.share_verdict([True, False]) == "does not hold"  # half is not more than half
    assert report.share_verdict([False, False]) == "does not hold"
    assert report.share_verdict([]) == "not tested"
    assert report.share_verdict([None, None]) == "not tested"
    # members that cannot be tested are left out, not a reason to drop the group
    assert report.share_verdict([True, None]) == "holds"
    assert report.share_verdict([False, None, float("nan")]) == "does not hold"
    # undecided members: the verdict must not depend on which way they go
    assert report.share_verdict([True, True, True], [False, False, True]) == "inconclusive"
    assert (
        report.share_verdict([True, True, True, False], [False, False, True, False])
        == "inconclusive"
    )
    assert report.share_verdict([True] * 4 + [False], [False] * 3 + [True, False]) == "partly"
    assert report.share_verdict([True, True, True, True], [False, False, False, False]) == "holds"
    assert report.share_verdict([False, False], [True, False]) == "does not hold"
    assert report.share_verdict([False, False], [True, True]) == "inconclusive"


def test_threshold_share():
    verdict, text = report.threshold_share(
        [0.99, 0.98, float("nan")], [0.975, 0.972, float("nan")], [1.0, 0.99, float("nan")], 0.97
    )
    assert verdict == "holds" and text == "2 of 2 above; 1 could not be tested"
    verdict, text = report.threshold_share([0.99, 0.98], [0.975, 0.96], [1.0, 0.99], 0.97)
    assert verdict == "inconclusive" and "1 with the threshold inside the interval" in text
    assert report.threshold_share([0.5, 0.6], [0.4, 0.5], [0.6, 0.7], 0.97)[0] == "does not hold"
    assert report.threshold_share([float("nan")], [float("nan")], [float("nan")], 0.97)[0] == (
        "not tested"
    )


def test_from_point_verdict():
    f = report.from_point_verdict
    assert f(0.3, 0.2, paper=0.5, reference=1.0) == "holds"
    assert f(0.5, 0.5, paper=0.5, reference=1.0) == "holds"  # boundary: at the paper's point
    assert f(0.6, 0.5, paper=0.5, reference=1.0) == "inconclusive"  # only the upper end by then
    assert f(None, 0.5, paper=0.5, reference=1.0) == "inconclusive"
    assert f(0.8, 0.6, paper=0.5, reference=1.0) == "partly"  # the lower end, later
    assert f(1.0, 0.6, paper=0.5, reference=1.0) == "does not hold"  # only at the reference
    assert f(None, 0.6, paper=0.5, reference=1.0) == "does not hold"
    assert f(None, None, paper=0.5, reference=1.0) == "does not hold"


def test_direction_verdict():
    d = report.direction_verdict
    assert d(0.5, 0.1, 0.8) == "holds"
    assert d(0.5, 0.001, 0.8) == "holds"
    assert d(0.3, 0.0, 0.6) == "inconclusive"  # boundary: low == 0 does not exclude it
    assert d(0.3, -0.1, 0.6) == "inconclusive"
    assert d(-0.3, -0.6, 0.001) == "inconclusive"
    assert d(-0.3, -0.6, 0.0) == "does not hold"
    assert d(-0.3, -0.6, -0.1) == "does not hold"
    assert d(-0.5, -0.8, -0.1, sign=-1) == "holds"
    assert d(-0.5, -0.8, 0.1, sign=-1) == "inconclusive"
    assert d(0.5, 0.1, 0.8, sign=-1) == "does not hold"
    assert d(math.nan, math.nan, math.nan) == "not tested"


def test_rules_text_names_every_verdict():
    for v in report.VERDICTS:
        assert f"*{v}*" in report.VERDICT_RULES
    assert "[−1, 1]" in report.VERDICT_RULES  # properties of the method are not claims


def test_point_verdict():
    p = report.point_verdict
    assert p(0.99, 0.995, 0.992, 0.998) == "holds"
    assert p(0.99, 0.995, 0.99, 0.998) == "inconclusive"  # boundary: low == threshold
    assert p(0.99, 0.985, 0.98, 0.995) == "inconclusive"
    assert p(0.99, 0.95, 0.90, 0.99) == "partly"  # boundary: high == threshold
    assert p(0.99, 0.50, 0.01, 0.80) == "partly"
    assert p(0.99, 0.30, 0.0, 0.60) == "does not hold"
    assert p(0.99, math.nan, math.nan, math.nan) == "not tested"


def test_clusters_verdict():
    c = report.clusters_verdict
    assert c(report.CLUSTER_MAX_MOVED, report.CLUSTER_MIN_ARI) == "holds"
    assert c(report.CLUSTER_MAX_MOVED + 1, 0.9) == "does not hold"
    assert c(0, report.CLUSTER_MIN_ARI - 0.01) == "does not hold"
    assert c(0, math.nan) == "not tested"


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


def test_fmt_interval_without_an_interval():
    assert report.fmt_interval(0.5, 0.4, 0.6) == "0.50 [0.40, 0.60]"
    assert report.fmt_interval(-0.02, math.nan, math.nan) == "−0.02 (no interval)"
    assert report.direction_verdict(-0.02, math.nan, math.nan, sign=-1) == "not tested"


def test_number_agrees():
    assert report.number_agrees(1, "holds", "hold") == "holds"
    assert [report.number_agrees(n, "holds", "hold") for n in (0, 2)] == ["hold", "hold"]
