"""The zoo: determinism, resume after a kill, corruption detection, one training for two processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import torch
from fakes import RandomData

from rsa_utils import train, zoo
from rsa_utils.profiles import get_profile
from rsa_utils.study import zoo_cli
from rsa_utils.tasks import TASKS

REPO = Path(__file__).resolve().parent.parent
SPLITS = {"train": 1, "val": 2, "test": 3}
TINY = {"image_size": 32, "n_train": 32, "n_val": 8, "n_test": 8, "steps": 12, "batch_size": 8,
        "target_train": 16, "target_steps": 10, "checkpoints": (0.5, 1.0)}  # fmt: skip

# The subprocesses and the in-process tests read random stand-in data (tests/fakes.py),
# so these tests do not depend on the renderer.
PATCH = """
import sys, time
from rsa_utils import train, zoo
from rsa_utils.profiles import get_profile
import torch
from fakes import RandomData
DELAY = float(sys.argv[3])
torch.set_num_threads(int(sys.argv[4]))  # the parent's: float sums then match bit for bit
SPLITS = {"train": 1, "val": 2, "test": 3}
def fake(split, n, *, image_size, seed, cache_dir, device, tasks=None, target=False, sources=None):
    return RandomData(n, image_size, seed=SPLITS[split] + 10 * seed, target=target, delay=DELAY)
train.load_source_data = fake
train.load_target_data = lambda *a, **k: fake(*a, **k, target=True)
profile = get_profile("smoke", **{TINY})
zoo.PROGRESS_MIN_SECONDS = 0.0  # snapshots every tenth of these short runs
"""


@pytest.fixture
def fake_data(monkeypatch):
    def fake(
        split, n, *, image_size, seed, cache_dir, device, tasks=None, target=False, sources=None
    ):
        return RandomData(n, image_size, seed=SPLITS[split] + 10 * seed, target=target)

    monkeypatch.setattr(train, "load_source_data", fake)
    monkeypatch.setattr(train, "load_target_data", lambda *a, **k: fake(*a, **k, target=True))


def _script(body: str, tiny: dict) -> str:
    return PATCH.replace("{TINY}", repr(tiny)) + textwrap.dedent(body)


def _spawn(body: str, cache: Path, tiny: dict, delay: float = 0.0) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "tests")])}
    args = [str(cache), "x", str(delay), str(torch.get_num_threads())]
    return subprocess.Popen([sys.executable, "-c", _script(body, tiny), *args],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip


def _weights(model):
    return {k: v.clone() for k, v in model.state_dict().items()}


def _same(a, b):
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_same_seed_same_weights_and_metrics(tmp_path, fake_data):
    p = get_profile("smoke", **TINY)
    recs, ws = [], []
    for d in ("a", "b"):
        ws.append(
            _weights(
                zoo.get_model("normal", "small", p, 0, "cpu", tmp_path / d, show_progress=False)
            )
        )
        recs.append(
            zoo.get_record("normal", "small", p, 0, "cpu", tmp_path / d, show_progress=False)
        )
    assert _same(*ws)
    keys = ("train_loss", "val_loss", "test_loss", "metric", "baseline")
    assert [recs[0][k] for k in keys] == [recs[1][k] for k in keys]
    other = _weights(
        zoo.get_model("normal", "small", p, 1, "cpu", tmp_path / "a", show_progress=False)
    )
    assert not _same(ws[0], other)


def test_records_and_listing(tmp_path, fake_data, capsys):
    p = get_profile("smoke", **TINY)
    for arch in ("small", "taskonomy"):
        rec = zoo.get_record("class_scene", arch, p, 0, "cpu", tmp_path)
        assert {"metric", "baseline", "train_loss", "val_loss", "seconds"} <= rec.keys()
    m = zoo.get_model("class_scene", "taskonomy", p, 0, "cpu", tmp_path)
    assert not m.training and m.encode(torch.rand(1, 3, 32, 32)).shape == (1, 8, 2, 2)
    tm = zoo.get_target_model(p, 0, "cpu", tmp_path, checkpoint=0.5)
    assert tm.task.out_channels == 21
    assert "target_segmentation" in capsys.readouterr().out  # the one-line summary
    df = zoo.list_entries(tmp_path)
    assert len(df) == 3 and (df.status == "ok").all()
    assert zoo_cli.main(["ls", "--cache-dir", str(tmp_path)]) == 0
    with pytest.raises(ValueError, match="checkpoint"):
        zoo.get_target_model(p, 0, "cpu", tmp_path, checkpoint=0.3)


def test_truncated_entry_is_detected_and_rebuilt(tmp_path, fake_data):
    p = get_profile("smoke", **TINY)
    w0 = _weights(
        zoo.get_model("depth_zbuffer", "small", p, 0, "cpu", tmp_path, show_progress=False)
    )
    (pt,) = (tmp_path / "zoo" / "model").glob("*[0-9a-f].pt")
    pt.write_bytes(pt.read_bytes()[: pt.stat().st_size // 2])
    assert (zoo.list_entries(tmp_path).status.str.startswith("corrupt")).all()
    with pytest.warns(zoo.CorruptEntryWarning, match="corrupt"):
        w1 = _weights(
            zoo.get_model("depth_zbuffer", "small", p, 0, "cpu", tmp_path, show_progress=False)
        )
    assert _same(w0, w1)
    assert (zoo.list_entries(tmp_path).status == "ok").all()
    # a payload that matches its sidecar but is not a torch file is caught by torch.load
    pt.write_bytes(b"garbage")
    meta = json.loads(pt.with_suffix(".json").read_text())
    meta.update(size=7, sha256=zoo._sha256(pt))
    pt.with_suffix(".json").write_text(json.dumps(meta))
    with pytest.warns(zoo.CorruptEntryWarning, match="torch.load"):
        zoo.get_model("depth_zbuffer", "small", p, 0, "cpu", tmp_path, show_progress=False)


def test_killed_training_resumes(tmp_path, fake_data):
    tiny = {**TINY, "steps": 100}
    body = """
    zoo.get_model("normal", "small", profile, 0, "cpu", sys.argv[1], show_progress=False)
    """
    proc = _spawn(body, tmp_path / "killed", tiny, delay=0.02)
    deadline = time.time() + 60
    prog = None
    while time.time() < deadline and proc.poll() is None:
        found = list((tmp_path / "killed" / "zoo" / "model").glob("*.progress.pt"))
        if found:
            prog = found[0]
            time.sleep(0.3)  # let it get further (and possibly be mid-write) before the kill
            break
        time.sleep(0.02)
    assert prog is not None and proc.poll() is None, proc.communicate()
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert not list((tmp_path / "killed" / "zoo" / "model").glob("*[0-9a-f].pt"))  # no final entry
    p = get_profile("smoke", **tiny)
    rec = zoo.get_record("normal", "small", p, 0, "cpu", tmp_path / "killed", show_progress=False)
    assert rec["resumed_from"] > 0
    assert not prog.exists()  # progress cleared once the entry is complete
    resumed = _weights(zoo.get_model("normal", "small", p, 0, "cpu", tmp_path / "killed"))
    fresh = _weights(
        zoo.get_model("normal", "small", p, 0, "cpu", tmp_path / "fresh", show_progress=False)
    )
    assert _same(resumed, fresh)  # a resumed run ends exactly where an uninterrupted one does
    assert (zoo.list_entries(tmp_path / "killed").status == "ok").all()


def test_two_processes_train_once(tmp_path):
    body = """
    _, meta = zoo._source_entry("edge_texture", "small", profile, 0, "cpu", sys.argv[1], 1.0, False)
    print("BUILT" if meta["built_here"] else "LOADED")
    """
    procs = [_spawn(body, tmp_path, {**TINY, "steps": 40}, delay=0.01) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    words = sorted(o[0].strip().split()[-1] for o in outs)
    assert words == ["BUILT", "LOADED"], outs


def test_cli_shards(tmp_path, fake_data, capsys):
    args = ["train", "--profile", "smoke", "--tasks", "normal,class_scene", "--archs", "small",
            "--device", "cpu", "--cache-dir", str(tmp_path)]  # fmt: skip
    # the smoke profile at its own sizes (2 replicates per task): shard 1/2 -> the replicates 1
    assert zoo_cli.main([*args, "--shard", "1/2"]) == 0
    df = zoo.list_entries(tmp_path)
    assert sorted(zip(df.task, df.replicate)) == [("class_scene", 1), ("normal", 1)]
    with pytest.raises(ValueError, match="shard"):
        zoo_cli.main([*args, "--shard", "2/2"])
    with pytest.raises(ValueError, match="unknown task"):
        zoo_cli.main(["train", "--tasks", "nope", "--cache-dir", str(tmp_path)])


def test_short_runs_write_no_progress_snapshots(tmp_path, fake_data, monkeypatch):
    """Snapshots are rate-limited in time: a run of seconds writes none (each costs ~0.3 GB for
    a ResNet-50 with its Adam state); with no limit it writes one per tenth of the run."""
    saves = []
    monkeypatch.setattr(zoo.Progress, "save", lambda self, state: saves.append(state["step"]))
    p = get_profile("smoke", **{**TINY, "steps": 20})
    zoo.get_model("normal", "small", p, 0, "cpu", tmp_path / "a", show_progress=False)
    assert saves == []
    monkeypatch.setattr(zoo, "PROGRESS_MIN_SECONDS", 0.0)
    zoo.get_model("normal", "small", p, 1, "cpu", tmp_path / "b", show_progress=False)
    steps = p.recipe("small", "normal")[0]  # the task's own steps (normal: twice the profile's)
    assert steps == 20 * TASKS["normal"].steps_factor_of("small")
    assert saves == list(range(steps // 10, steps, steps // 10))


def test_cache_keys_are_those_of_the_cached_networks():
    """The keys of the smoke profile's entries (generator synth-4, ZOO_VERSION 3, with the
    profile's training ``precision`` in every key; readouts of TRANSFER_VERSION 4, fine-tunings
    of FINETUNE_VERSION 5, the target model with its class weights): moving code between modules
    must not orphan the trained networks in the cache."""
    from rsa_utils import transfer

    p = get_profile("smoke", "cpu")
    assert (
        zoo.cache_key("model", zoo.model_key("normal", "taskonomy", p, 0, p.checkpoints))
        == "467749a43c3ecb7f55f9"
    )
    assert zoo.cache_key("target_model", zoo.target_key(p, 0)) == "d935e695715e6f27942d"
    key = transfer.transfer_key("normal", ["normal", "depth_zbuffer"], p, 0)
    assert zoo.cache_key("transfer", key) == "f861940e1d453bac5f09"
    assert (
        zoo.cache_key("finetune", transfer.finetune_key("normal", p, 0)) == "98187834dd7ce5680173"
    )
    # a second fine-tuning of a source starts from its replicate-1 network
    second = transfer.finetune_key("normal", p, 0, replicate=1)
    assert second["replicate"] == 1 and second["source"]["replicate"] == 1
    assert zoo.cache_key("finetune", second) == "a3b3f4f234e9bed3357b"


def test_class_weights_enter_only_the_weighted_tasks_keys():
    """Semantic segmentation's weighted loss is in its networks' keys and the target model's;
    a task with a plain loss keeps the key it had (its cached networks stay valid)."""
    from rsa_utils.tasks import TARGET_TASK, get_task

    p = get_profile("smoke", "cpu")
    seg = zoo.model_key("segment_semantic", "small", p, 0, (1.0,))
    assert seg["class_weights"] == list(get_task("segment_semantic").class_weights)
    assert "class_weights" not in zoo.model_key("normal", "small", p, 0, (1.0,))
    assert zoo.target_key(p, 0)["class_weights"] == list(TARGET_TASK.class_weights)


def test_taskonomy_recipe_enters_only_its_networks_keys():
    """A profile's own steps / batch for the Taskonomy architecture change the keys of its
    networks and of the readouts and fine-tunings built on them, not the small networks'."""
    from rsa_utils import transfer

    p = get_profile("smoke", "cpu")
    q = p.replace(taskonomy_steps=p.steps * 2, taskonomy_batch=4)
    assert p.recipe("taskonomy") == (p.steps, p.batch_size)
    assert q.recipe("taskonomy") == (p.steps * 2, 4) and q.recipe("small") == p.recipe("small")
    assert zoo.model_key("normal", "small", p, 0, (1.0,)) == zoo.model_key(
        "normal", "small", q, 0, (1.0,)
    )
    assert zoo.model_key("normal", "taskonomy", q, 0, (1.0,))["batch_size"] == 4
    for a, b in ((transfer.transfer_key("normal", ["normal"], p, 0), transfer.transfer_key("normal", ["normal"], q, 0)),
                 (transfer.finetune_key("normal", p, 0), transfer.finetune_key("normal", q, 0))):  # fmt: skip
        assert a != b
    with pytest.raises(ValueError, match="taskonomy_batch"):
        p.replace(taskonomy_batch=0)


def test_taskonomy_recipe_is_the_one_trained(fake_data):
    """train_task_model runs the architecture's own steps of its own batch size, times the
    task's own factor for that architecture (normal: 2 for the small model)."""
    p = get_profile("smoke", **{**TINY, "steps": 3, "taskonomy_steps": 5, "taskonomy_batch": 2})
    res, rec = train.train_task_model("normal", "taskonomy", p, show_progress=False)
    assert rec["steps"] == 5 and len(res.history) == 5
    res, rec = train.train_task_model("normal", "small", p, show_progress=False)
    assert rec["steps"] == 3 * TASKS["normal"].steps_factor_of("small") == 6


def test_steps_factor_and_revision_change_only_their_own_keys():
    """A task's ``steps_factor`` lengthens only its own networks (per architecture), and its
    ``revision`` enters the keys of its networks and of every readout that has it as a target,
    so that a changed label or loss retrains what depends on it and nothing else."""
    from rsa_utils.nets.transfer import transfer_key

    p = get_profile("cpu")
    assert p.recipe("small", "curvature")[0] == 8 * p.steps
    assert p.recipe("taskonomy", "curvature")[0] == 2 * p.steps
    assert p.peak_lr("curvature") == 3 * p.lr == 3 * p.peak_lr()
    assert zoo.model_key("curvature", "small", p, 0, (1.0,))["lr"] == p.peak_lr("curvature")
    assert zoo.model_key("normal", "small", p, 0, (1.0,))["lr"] == p.lr
    assert p.recipe("small", "normal")[0] == 2 * p.steps
    assert p.recipe("taskonomy", "normal") == p.recipe("taskonomy") == (p.steps, p.batch_size)
    key = zoo.model_key("curvature", "small", p, 0, (1.0,))
    assert key["revision"] == TASKS["curvature"].revision >= 1
    assert "revision" not in zoo.model_key("autoencoding", "small", p, 0, (1.0,))
    with_curv = transfer_key("normal", ["normal", "curvature"], p, 0)
    assert with_curv["target_revisions"] == {"curvature": TASKS["curvature"].revision}
    assert "target_revisions" not in transfer_key("normal", ["normal", "autoencoding"], p, 0)
