"""The reproducibility record on a fake edition: the runs, versions and data files read back,
the prose's values from one call, the tables one call each."""

import math

import nbformat
import pandas as pd
import pytest

from rsa_utils.figures import reproducibility as tables
from rsa_utils.study.reproducibility import (
    busy_minutes,
    file_owner,
    machine_speed,
    reproducibility,
)


def executed(path, profile="cpu", device="cpu", minutes=1.5, built=2, packages=None):
    """A notebook as the runner leaves it: only the run record in its metadata."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])
    nb.metadata["rsa_book"] = {"profile": profile, "device": device, "wall_time_s": 60 * minutes,
                               "zoo_entries_built": built, "git_commit": "0123456789abcdef",
                               "packages": packages or {"torch": "2.0", "numpy": "2.1"}}  # fmt: skip
    nbformat.write(nb, path)


@pytest.fixture
def book(tmp_path, monkeypatch):
    monkeypatch.delenv("RSA_BOOK_DIR", raising=False)
    monkeypatch.setenv("RSA_OUTPUT_DIR", str(tmp_path))  # its tables' data go to the edition
    executed(tmp_path / "s1_small_models.ipynb", built=3)
    executed(tmp_path / "data.ipynb", profile="smoke", device="cuda (H200)", minutes=0.5, built=0)
    executed(tmp_path / "reproducibility.ipynb")  # the record itself is left out
    executed(tmp_path / "not_in_the_toc.ipynb")
    (tmp_path / "figures").mkdir()
    (tmp_path / "data").mkdir()
    for fig in ("s1_fig_s1", "s1_fig_s1_detail"):
        (tmp_path / "figures" / f"{fig}.png").write_bytes(b"")
    pd.DataFrame({"a": [1, 2]}).to_csv(tmp_path / "data" / "s1_fig_s1_detail_x.csv", index=False)
    pd.DataFrame({"a": [1], "b": [2]}).to_csv(tmp_path / "data" / "s1_table_rho.csv", index=False)
    return tmp_path


def test_the_record_is_one_result(book):
    rec = reproducibility(book)
    assert list(rec.record.notebook) == ["data", "s1_small_models"]  # the book's order
    speed = {k: rec.values.pop(k) for k in ("reference_step_ms", "budget_step_ms",
                                             "machine_factor", "busy_min_budget_machine")}  # fmt: skip
    assert rec.values == {"total_min": 2.0, "busy_min": 0.0, "zoo_built": 3, "n_data_files": 5}
    assert math.isnan(speed["reference_step_ms"]) and speed["budget_step_ms"] == 151.0
    assert rec.text["edition"] == "cpu, smoke" and rec.text["devices"] == "cpu; cuda (H200)"
    for name in ("notebooks", "software", "profiles"):
        link = f"[reproducibility_table_{name}.csv](data/reproducibility_table_{name}.csv)"
        assert rec.text[f"reproducibility_table_{name}_data"] == f"data: {link}"
    assert rec.text["shipped_files"].startswith("`")  # the Taskonomy tables of the repository
    listing = rec.data_files.set_index("file")
    assert listing.loc["s1_fig_s1_detail_x.csv", "figure or table"] == "s1_fig_s1_detail"
    assert listing.loc["s1_table_rho.csv", "kind"] == "table"
    assert listing.loc["reproducibility_table_notebooks.csv", "rows"] == 2  # written first
    assert list(tables.table_software(rec).columns) == ["version"]
    assert tables.table_notebooks(rec) is rec.record
    assert "smoke" in tables.table_profiles(rec).columns
    assert tables.table_data_files(rec).data.equals(rec.data_files)


def test_a_data_file_belongs_to_the_longest_figure_it_names():
    figures = ["s1_fig_s1_detail", "s1_fig_s1"]  # longest first
    assert file_owner("s1_fig_s1", figures) == "s1_fig_s1"
    assert file_owner("s1_fig_s1_detail_a", figures) == "s1_fig_s1_detail"
    assert file_owner("s1_fig_s10", figures) is None  # a panel needs the underscore


def test_busy_minutes_count_side_by_side_runs_once():
    def run(end_min, minutes):  # a notebook that ended end_min minutes after 02:00
        return {"executed": f"2026-12-01T02:{end_min:02d}:00+00:00", "wall_time_s": 60 * minutes}

    assert busy_minutes([run(10, 10), run(12, 2), run(20, 8)]) == 20  # 0-10, 10-12, 12-20
    assert busy_minutes([run(10, 10), run(8, 6), run(30, 5)]) == 15  # 2-8 inside 0-10; 25-30
    assert busy_minutes([run(10, 10), {"wall_time_s": 60}]) == 10  # no end time: not placed


def test_machine_speed_scales_the_wall_time_to_the_budget_machine():
    """The median of the notebooks' reference steps, against the budget machine's 151 ms: a
    machine twice as slow doubles the factor and halves the scaled minutes."""
    meta = [{"reference_step_s": 0.302}, {"reference_step_s": 0.3}, {"reference_step_s": 0.31},
            {}]  # fmt: skip
    speed = machine_speed(meta, busy_min=80.0)
    assert speed["reference_step_ms"] == 302.0 and speed["machine_factor"] == 2.0
    assert speed["busy_min_budget_machine"] == 40.0


def test_the_reference_step_is_timed_and_handed_down(monkeypatch):
    """A real measurement (one step: a positive number of seconds), then the value a parent
    runner hands its children through the environment, untouched."""
    from rsa_utils.study import calibration

    assert 0 < calibration.reference_step_seconds(steps=1, warmup=0) < 60
    assert 0 < calibration.reference_step_seconds(steps=1, warmup=0, blocks=3) < 60  # a median
    monkeypatch.setenv(calibration.REFERENCE_ENV, "0.25")
    assert calibration.recorded_or_measured() == 0.25
    with pytest.raises(ValueError, match="must be >= 1"):
        calibration.reference_step_seconds(steps=0)
    with pytest.raises(ValueError, match="blocks=0"):
        calibration.reference_step_seconds(blocks=0)


def test_scaled_time_says_when_the_edition_read_its_networks_from_a_cache():
    from rsa_utils.study.reproducibility import scaled_reading

    values = {"busy_min": 55.7, "busy_min_budget_machine": 76.8}
    cold = scaled_reading(values, cached=False)
    assert cold.startswith("this edition's 55.7 minutes of wall time would be about 76.8 there")
    assert "cache" not in cold
    assert "from an empty cache" in scaled_reading(values, cached=True)
    unscaled = scaled_reading({"busy_min": 55.7, "busy_min_budget_machine": math.nan}, cached=False)
    assert (
        unscaled
        == "this edition's 55.7 minutes of wall time cannot be scaled: no page recorded a reference step"
    )


def test_the_page_says_when_the_models_chapter_read_its_networks_from_a_cache(book):
    assert "cache" not in reproducibility(book).text["scaled_reading"]  # no models chapter
    executed(book / "models.ipynb", built=80)
    assert "cache" not in reproducibility(book).text["scaled_reading"]
    executed(book / "models.ipynb", built=0)
    assert "from an empty cache" in reproducibility(book).text["scaled_reading"]
