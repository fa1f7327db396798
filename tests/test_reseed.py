"""The reseed comparison (benchmarks/reseed.py): verdicts of two study seeds, row by row."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("reseed", ROOT / "benchmarks" / "reseed.py")
reseed = importlib.util.module_from_spec(spec)
spec.loader.exec_module(reseed)


def _row(claim, holds):
    return {
        "section": "S1",
        "claim": claim,
        "paper": "",
        "ours": "",
        "holds": holds,
        "kind": "paper",
    }


def test_compare_counts_only_rows_tested_in_both():
    a = [_row("x", "holds"), _row("y", "holds"), _row("z", "not tested"), _row("w", "partly")]
    b = [_row("x", "holds"), _row("y", "does not hold"), _row("z", "holds")]
    res = reseed.compare(a, b)
    assert res["total"] == 4 and res["comparable"] == 2 and res["same"] == 1
    assert [r["claim"] for r in res["flips"]] == ["y"]
    assert "**1 of 2**" in reseed.markdown(
        res, {"seeds": [0, 1], "profile": "smoke", "wall_s": [1, 2]}
    )


@pytest.mark.slow
def test_two_seeds_on_the_smoke_profile(tmp_path):
    out = tmp_path / "reseed.json"
    assert reseed.main(["--profile", "smoke", "--notebooks", "s1_small_models", "--workdir", str(tmp_path),
                        "--out", str(out), "-p", "cache_dir", str(tmp_path / "cache")]) == 0  # fmt: skip
    got = json.loads(out.read_text())
    assert got["total"] >= 5 and got["comparable"] <= got["total"]
    assert (tmp_path / "seed0" / "s1_small_models.ipynb").exists()
    assert (tmp_path / "seed1" / "figures" / "s1_fig_s1.png").exists()  # beside its notebook
