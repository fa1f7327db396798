"""Project-level invariants: dependency lists agree, the book links its config, pins hold."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
#: An absolute path of some machine (a run folder, a cache, a home) stored in a committed file.
MACHINE_PATH = re.compile(r"(?:/work/|/tmp/|/home/|/root/|[A-Z]:\\\\Users)[^\"\s]*")


def _norm(req: str) -> str:
    return req.replace(" ", "").lower()


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_norm(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    listed = {_norm(r) for r in pip if not r.startswith("-e")}
    assert listed == wanted, (
        f"only in environment.yml: {listed - wanted}; only in pyproject: {wanted - listed}"
    )


def test_jupyter_book_pinned_to_1x_and_torch_not_above_local_wheels():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert "jupyter-book>=1.0.4.post1,<2" in deps
    assert any(d.startswith("torch>=") for d in deps)


def test_book_links_top_level_config():
    for name in ("_config.yml", "_toc.yml"):
        link = ROOT / "book" / name
        assert link.is_symlink() and link.resolve() == (ROOT / name).resolve()


def test_every_notebook_has_a_parameters_cell():
    for nb in (ROOT / "notebooks").glob("*.py"):
        assert 'tags=["parameters"]' in nb.read_text(), nb.name


def test_benchmark_records_carry_no_machine_path():
    for f in sorted((ROOT / "benchmarks").glob("*.*")):
        if f.suffix not in (".json", ".md", ".csv", ".txt"):
            continue
        paths = MACHINE_PATH.findall(f.read_text())
        assert not paths, (
            f"{f.name} stores machine paths: {paths[:3]} (write <cache>, <run> instead)"
        )


def test_benchmark_scripts_write_portable_paths(tmp_path):
    """What the benchmark scripts store of their folders: relative inside the repository, a
    placeholder and the folder's name outside it."""
    from rsa_utils.paths import portable

    assert portable(ROOT / "book") == "book" and portable(ROOT) == "."
    assert portable(tmp_path / "run" / "book") == "<run>/book"
    assert portable(tmp_path / "zoo", "<cache>") == "<cache>/zoo"
    assert portable(None) is None
    assert not MACHINE_PATH.findall(portable(tmp_path / "book"))


def test_committed_notebooks_carry_no_machine_path_or_warning():
    for nb in sorted((ROOT / "book").glob("*.ipynb")):
        text = nb.read_text()
        paths = MACHINE_PATH.findall(text)
        assert not paths, f"{nb.name} stores machine paths: {paths[:3]}"
        assert "IProgress not found" not in text and "TqdmWarning" not in text, nb.name
