"""The notebook runner: parameters are checked before any work; executed notebooks carry metadata."""

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from rsa_utils import runner

ROOT = Path(__file__).resolve().parent.parent


def _run(*args):
    return subprocess.run(
        [sys.executable, "-m", "rsa_utils.runner", *args], cwd=ROOT, capture_output=True, text=True
    )


def test_unknown_parameter_fails_before_work():
    res = _run("rsa_primer", "-p", "n_bootz", "3")
    assert res.returncode == 2
    assert "n_bootz" in res.stderr and "n_boot" in res.stderr  # names it and lists allowed ones
    assert "Executing" not in res.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--profile", "huge"], "profile='huge'"),
        (["--device", "tpu"], "device='tpu'"),
        (["nope"], "unknown notebook"),
    ],
)
def test_bad_profile_device_or_notebook(args, needle):
    res = _run("rsa_primer", *args) if args[0] != "nope" else _run(*args)
    assert res.returncode == 2 and needle in res.stderr
    if "profile" in needle:
        assert "smoke" in res.stderr and "paper" in res.stderr


def test_notebook_without_parameters_cell_is_an_error(tmp_path, monkeypatch):
    (tmp_path / "bare.py").write_text("# %%\nx = 1\n")
    monkeypatch.setattr(runner, "NOTEBOOK_DIR", tmp_path)
    with pytest.raises(runner.ParameterError, match="no parameters cell"):
        runner.check_parameters(["bare"], {})


def test_parse_value():
    assert runner.parse_value("3") == 3 and runner.parse_value("0.5") == 0.5
    assert runner.parse_value("None") is None and runner.parse_value("[1, 2]") == [1, 2]
    assert runner.parse_value("cpu") == "cpu"


def test_toc_lists_every_notebook():
    names = runner.toc_notebooks()
    assert set(names) == {p.stem for p in (ROOT / "notebooks").glob("*.py")}


@pytest.mark.slow
def test_runner_executes_with_parameters_and_metadata(tmp_path, monkeypatch):
    monkeypatch.setenv("RSA_CACHE_DIR", str(tmp_path / "cache"))
    # --outdir names a folder that does not exist yet: the runner makes it
    res = _run("rsa_primer", "--profile", "smoke", "--device", "cpu", "-p", "n_per_shape", "4",
               "--outdir", str(tmp_path / "book"))  # fmt: skip
    assert res.returncode == 0, res.stderr[-2000:]
    assert "wall time" in res.stdout
    nb = nbformat.read(tmp_path / "book" / "rsa_primer.ipynb", as_version=4)
    meta = nb.metadata["rsa_book"]
    assert meta["profile"] == "smoke" and meta["device"].startswith("cpu")
    assert meta["wall_time_s"] > 0 and meta["git_commit"] and meta["parameters"]["n_per_shape"] == 4
    assert meta["reference_step_s"] > 0 and "reference training step takes" in res.stdout
    assert "scaled to the budget's machine (reference step" in res.stdout
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert (
        injected
        and "hide-cell" in injected[0].metadata.tags
        and "n_per_shape = 4" in injected[0].source
    )
    assert (tmp_path / "book" / "figures" / "primer_rdms.png").stat().st_size > 0


def test_provenance_ignores_what_the_runner_writes(tmp_path):
    import subprocess

    from rsa_utils.runner import git_commit

    def git(*a):
        subprocess.run(["git", *a], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    git("config", "user.email", "t@t")
    git("config", "user.name", "t")
    (tmp_path / "book" / "figures").mkdir(parents=True)
    (tmp_path / "book" / "s1.ipynb").write_text("{}")
    (tmp_path / "book" / "figures" / "a.png").write_text("x")
    (tmp_path / "code.py").write_text("x = 1")
    git("add", "-A")
    git("commit", "-qm", "c")
    clean = git_commit(tmp_path)
    assert len(clean) == 40 and not clean.endswith("+dirty")
    (tmp_path / "book" / "s1.ipynb").write_text('{"a": 1}')  # what a run writes
    (tmp_path / "book" / "figures" / "a.png").write_text("y")
    assert git_commit(tmp_path) == clean
    (tmp_path / "code.py").write_text("x = 2")  # a change of the code
    assert git_commit(tmp_path) == clean + "+dirty"


def test_a_parameter_reaches_the_notebooks_that_define_it():
    known = runner.check_parameters(
        ["rsa_primer", "s1_small_models", "data"], {"n_boot": 50, "seed": 1}
    )
    assert runner.notebook_params({"n_boot": 50, "seed": 1}, known["s1_small_models"]) == {
        "n_boot": 50,
        "seed": 1,
    }
    assert "n_boot" not in runner.notebook_params({"n_boot": 50}, known["data"])
    with pytest.raises(runner.ParameterError, match="not defined by any"):
        runner.check_parameters(["data"], {"n_boot": 50})
    with pytest.raises(runner.ParameterError, match="seed=-1"):
        runner.check_parameters(["data"], {"seed": -1})
    with pytest.raises(runner.ParameterError, match="no such directory"):
        runner.check_parameters(
            ["s1_small_models"], {"data": "taskonomy", "data_root": "/nonexistent/x"}
        )


def _documented_commands():
    """Every `make book` / runner command shown in README.md and book/intro.md."""
    import re

    cmds = []
    for doc in (ROOT / "README.md", ROOT / "book" / "intro.md"):
        for m in re.finditer(r"(?:^|`)((?:[A-Z]+=(?:\"[^\"]*\"|\S+) )*(?:make book|\.venv/bin/python -m rsa_utils\.runner)[^`\n#]*)",
                             doc.read_text(), re.M):  # fmt: skip
            cmds.append(m.group(1).strip())
    return sorted(set(cmds))


def test_every_documented_command_passes_its_check(tmp_path):
    import shlex

    cmds = _documented_commands()
    assert any("make book" in c for c in cmds) and any("rsa_utils.runner" in c for c in cmds)
    for cmd in cmds:
        cmd = cmd.replace(" PATH", f" {tmp_path}").replace(
            "PROFILE=smoke|cpu|gpu|paper", "PROFILE=smoke"
        )
        if "make book" in cmd:
            env_part, _, rest = cmd.partition("make book")
            line = f"{env_part} make --no-print-directory book CHECK=1 {rest}"
        else:
            line = cmd.replace(".venv/bin/python", shlex.quote(sys.executable)) + " --check"
        res = subprocess.run(line, shell=True, cwd=ROOT, capture_output=True, text=True)
        assert res.returncode == 0, f"{cmd!r} failed its check:\n{res.stdout}\n{res.stderr}"
        assert "ok:" in res.stdout


def test_zoo_entries_built_counts_only_this_seed(tmp_path):
    """A cache shared with a run of another seed gains that run's entries meanwhile; the record
    counts only the entries of this run's seed."""
    import json

    from rsa_utils.nets import zoo

    root = zoo.zoo_dir(tmp_path)
    entries = {("model", "a"): {"task": "normal", "seed": 0}, ("model", "b"): {"task": "normal", "seed": 1},
               ("transfer", "c"): {"source": {"seed": 0}, "targets": ["normal"]},
               ("transfer", "d"): {"source": {"seed": 1}, "targets": ["normal"]}}  # fmt: skip
    for (kind, key), key_dict in entries.items():
        (root / kind).mkdir(parents=True, exist_ok=True)
        (root / kind / f"{key}.json").write_text(json.dumps({"key_dict": key_dict}))
    new = runner._zoo_entries(tmp_path)
    assert len(new) == 4
    assert runner._built_for(new, tmp_path, 0) == 2 and runner._built_for(new, tmp_path, 1) == 2
    assert runner._built_for(new, tmp_path, 2) == 0


def test_stages_keep_what_a_notebook_reads_before_it():
    """Sections run side by side only between the notebooks they read (models before them,
    scorecard and reproducibility after)."""
    groups = runner.stages(runner.toc_notebooks())
    assert groups[0] == ["rsa_primer", "data"] and groups[1] == ["models"]
    assert groups[-2:] == [["scorecard"], ["reproducibility"]]
    assert groups[2][:3] == ["s3_4_transfer", "s2_taskonomy_vs_rsa", "s1_small_models"]
    assert len(groups) == 5 and "beyond_the_paper" in groups[2]
    assert runner.stages(["s3_4_transfer", "scorecard", "reproducibility"]) == [
        ["s3_4_transfer"], ["scorecard"], ["reproducibility"]
    ]  # fmt: skip
    assert runner.stages(["models", "s1_small_models"]) == [["models"], ["s1_small_models"]]


def test_side_by_side_stops_after_a_failure_and_keeps_the_rest(tmp_path, monkeypatch):
    import argparse

    scripts = {
        "ok": "import time; time.sleep(1); print('fine')",
        "bad": "import sys; print('boom'); sys.exit(3)",
        "late": "print('should not start')",
    }
    monkeypatch.setattr(runner, "_child_command",
                        lambda name, *_: [sys.executable, "-c", scripts[name]])  # fmt: skip
    args = argparse.Namespace(jobs=2)
    with pytest.raises(RuntimeError, match=r"failed: bad[\s\S]*boom"):
        runner._run_side_by_side(["ok", "bad", "late"], args, "c", tmp_path, {})
    assert (tmp_path / "ok.log").read_text().strip() == "fine"  # the running one finished
    assert not (tmp_path / "late.log").exists()
    done = runner._run_side_by_side(["ok"], args, "c", tmp_path, {})
    assert set(done) == {"ok"} and done["ok"] >= 1


def test_a_notebook_run_side_by_side_gets_only_its_own_parameters():
    import argparse

    args = argparse.Namespace(timeout=60, outdir="book", profile="smoke", device=None,
                              parameter=[["n_boot", "50"], ["seed", "1"]])  # fmt: skip
    known = runner.check_parameters(["data", "s1_small_models"], {"n_boot": 50, "seed": 1})
    data = runner._child_command("data", args, "abc", known["data"])
    s1 = runner._child_command("s1_small_models", args, "abc", known["s1_small_models"])
    assert "n_boot" not in data and data[-3:] == ["-p", "seed", "1"]
    assert s1[-6:] == ["-p", "n_boot", "50", "-p", "seed", "1"]
    assert data[data.index("--commit") + 1] == "abc" and "--device" not in data
    assert data[data.index("--profile") + 1] == "smoke"


def test_zoo_entries_built_by_another_notebook_are_not_counted(tmp_path):
    import json

    from rsa_utils.nets import zoo

    root = zoo.zoo_dir(tmp_path)
    (root / "model").mkdir(parents=True)
    for key, by in (("a", "models"), ("b", "s2_taskonomy_vs_rsa"), ("c", None)):
        meta = {"key_dict": {"seed": 0}, **({"built_by": by} if by else {})}
        (root / "model" / f"{key}.json").write_text(json.dumps(meta))
    new = runner._zoo_entries(tmp_path)
    assert runner._built_for(new, tmp_path, 0, "models") == 2  # its own and the unmarked one
    assert runner._built_for(new, tmp_path, 0, "s2_taskonomy_vs_rsa") == 2
    assert runner._built_for(new, tmp_path, 0) == 3


def test_budget_line_scales_by_the_reference_step():
    from rsa_utils.study.calibration import BUDGET_MACHINE_STEP_S
    from rsa_utils.study.runner import budget_line

    # twice as slow a step here: the run would take half as long on the budget's machine
    line = budget_line(80.0, 2 * BUDGET_MACHINE_STEP_S)
    assert line.endswith(": 40.0 min") and f"{2000 * BUDGET_MACHINE_STEP_S:.0f} ms here" in line
    assert budget_line(60.0, BUDGET_MACHINE_STEP_S).endswith(": 60.0 min")
    # measured again at the end of the run: the mean of the two scales, and both are shown
    two = budget_line(90.0, BUDGET_MACHINE_STEP_S, 2 * BUDGET_MACHINE_STEP_S)
    assert two.endswith(": 60.0 min") and "at the start" in two and "at the end" in two
