"""The reseed comparison (benchmarks/reseed.py): verdicts of two study seeds, row by row."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pandas as pd
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


def test_compare_many_reads_each_row_over_the_seeds_that_tested_it():
    runs = {
        0: [_row("x", "holds"), _row("y", "holds"), _row("z", "not tested"), _row("w", "partly")],
        1: [
            _row("x", "holds"),
            _row("y", "does not hold"),
            _row("z", "holds"),
            _row("w", "partly"),
        ],
        2: [_row("x", "holds"), _row("y", "holds"), _row("z", "not tested")],
    }
    res = reseed.compare_many(runs)
    rows = {r["claim"]: r for r in res["rows"]}
    assert rows["x"]["stable"] and rows["x"]["n_modal"] == 3
    assert not rows["y"]["stable"] and (rows["y"]["modal"], rows["y"]["n_modal"]) == ("holds", 2)
    assert not rows["z"]["comparable"] and rows["z"]["tested"] == 1  # one seed tested it
    assert rows["w"]["stable"] and rows["w"]["tested"] == 2  # seed 2 lacks the row
    assert res["comparable"] == 3 and res["stable"] == 2 and res["total"] == 4
    assert res["pairs"]["0-1"]["same"] == 2 and res["pairs"]["0-2"]["same"] == 2
    text = reseed.markdown_many(res, {"profile": "smoke", "wall_s": [1, 2, 3]})
    assert "**2 of 3**" in text and "| holds (2 of 3) ⚠ |" in text
    with pytest.raises(SystemExit):
        reseed.main(["--seeds", "1", "1"])  # one seed twice is no reseed


@pytest.mark.slow
def test_two_seeds_on_the_smoke_profile(tmp_path):
    out = tmp_path / "reseed.json"
    assert reseed.main(["--profile", "smoke", "--notebooks", "s1_small_models", "--workdir", str(tmp_path),
                        "--out", str(out), "-p", "cache_dir", str(tmp_path / "cache")]) == 0  # fmt: skip
    got = json.loads(out.read_text())
    assert got["total"] >= 5 and got["comparable"] <= got["total"]
    assert (tmp_path / "seed0" / "s1_small_models.ipynb").exists()
    assert (tmp_path / "seed1" / "figures" / "s1_fig_s1.png").exists()  # beside its notebook
    # the same runs read back from their folders: nothing is executed, the verdicts are the same
    again = tmp_path / "again.json"
    assert reseed.main(["--profile", "smoke", "--notebooks", "s1_small_models", "--out", str(again),
                        "--executed", f"0={tmp_path / 'seed0'}", f"1={tmp_path / 'seed1'}",
                        "--export", str(tmp_path / "claims_reseed.csv")]) == 0  # fmt: skip
    read = json.loads(again.read_text())
    exported = pd.read_csv(tmp_path / "claims_reseed.csv")
    assert exported.edition.iloc[0].startswith("seed 1, smoke, commit ")
    assert list(exported.holds) == [r["verdict_b"] for r in got["rows"]]
    assert [r["verdict_b"] for r in read["rows"]] == [r["verdict_b"] for r in got["rows"]]
    # the record names the folders without this machine's paths
    assert read["meta"]["executed"] == {"0": "<run>/seed0", "1": "<run>/seed1"}
    with pytest.raises(SystemExit):  # seed 1's folder holds seed 1's notebooks, not seed 0's
        reseed.main(["--profile", "smoke", "--notebooks", "s1_small_models",
                     "--executed", f"0={tmp_path / 'seed1'}"])  # fmt: skip
