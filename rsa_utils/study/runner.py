"""Execute the book's notebooks: jupytext source → papermill (parameters checked) → book/<name>.ipynb.

Usage (what ``make book`` calls)::

    python -m rsa_utils.runner [NAME ...] [--profile P] [--device D] [-p name value ...]

Each ``notebooks/<name>.py`` (jupytext py:percent) is converted to a notebook, executed by
papermill with kernel ``python3`` and written to ``book/<name>.ipynb``. Notebooks that do not
depend on each other run ``--jobs`` at a time (default 2; see :func:`stages`), each in its own
process with its output in a log file, so that the sections' single-threaded stretches fill the
cores that another section's training leaves idle. Unlike plain papermill,
a notebook without a ``parameters`` cell, a ``-p`` name the notebook does not define, or a bad
profile/device value is an error before anything runs. The injected-parameters cell is kept,
collapsed, and the executed notebook's metadata record profile, device, wall time, git commit
and package versions (key ``rsa_book``), which the book's reproducibility record reads.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import jupytext
import nbformat
import papermill
import yaml

from rsa_utils.nets.cache import BUILT_BY_ENV
from rsa_utils.paths import BOOK_DIR, REPO_ROOT
from rsa_utils.study import calibration
from rsa_utils.study.profiles import PROFILE_NAMES, get_profile, resolve_device

NOTEBOOK_DIR = REPO_ROOT / "notebooks"
META_KEY = "rsa_book"
PACKAGES = ("torch", "torchvision", "numpy", "scipy", "scikit-image", "pandas", "matplotlib",
            "papermill", "jupytext", "jupyter-book", "myst-nb")  # fmt: skip


class ParameterError(ValueError):
    """A parameter the notebooks cannot take (raised before any notebook runs)."""


def toc_files() -> list[str]:
    """The documents of the table of contents (``_toc.yml``), root first, in reading order."""
    toc = yaml.safe_load((REPO_ROOT / "_toc.yml").read_text())
    files: list[str] = [toc["root"]]

    def walk(entries):
        for e in entries or []:
            if "file" in e:
                files.append(e["file"])
            walk(e.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return files


def toc_notebooks() -> list[str]:
    """Names of the notebooks in ``notebooks/`` in the order of the table of contents."""
    available = {p.stem for p in NOTEBOOK_DIR.glob("*.py")}
    return [Path(f).stem for f in toc_files() if Path(f).stem in available]


def parse_value(text: str) -> Any:
    """A ``-p`` value: a Python/JSON literal (int, float, bool, None, list) or else the string."""
    for conv in (ast.literal_eval, json.loads):
        try:
            return conv(text)
        except (ValueError, SyntaxError, json.JSONDecodeError):
            pass
    return text


def notebook_parameters(path: Path) -> dict[str, Any]:
    """The names and defaults of a jupytext notebook's ``parameters`` cell (error if it has none)."""
    nb = jupytext.read(path)
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if not cells:
        raise ParameterError(
            f"{path.name} has no parameters cell; add a cell starting with "
            "'# %% tags=[\"parameters\"]' that defines the notebook's parameters"
        )
    names: dict[str, Any] = {}
    for node in ast.parse(cells[0].source).body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    try:
                        names[target.id] = ast.literal_eval(node.value)
                    except ValueError:
                        names[target.id] = ast.unparse(node.value)
    return names


def check_parameters(names: list[str], params: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Validate notebooks and parameters before any work; returns the defaults of each notebook.

    A parameter reaches every selected notebook that defines it (:func:`notebook_params`) and is
    an error only when none of them does, or when its value is not allowed."""
    known = {}
    for name in names:
        path = NOTEBOOK_DIR / f"{name}.py"
        if not path.is_file():
            avail = sorted(p.stem for p in NOTEBOOK_DIR.glob("*.py"))
            raise ParameterError(f"unknown notebook {name!r}; available: {', '.join(avail)}")
        known[name] = notebook_parameters(path)
    for pname in params:
        if not any(pname in known[n] for n in names):
            allowed = sorted(set.union(*(set(known[n]) for n in names)))
            raise ParameterError(
                f"parameter {pname!r} is not defined by any of the notebooks {', '.join(names)}; "
                f"parameters they define: {', '.join(allowed)}"
            )
    _check_values(params)
    profile = params.get("profile", "auto")
    if profile not in ("auto", *PROFILE_NAMES):
        raise ParameterError(
            f"parameter profile={profile!r} is not allowed; allowed values: auto, {', '.join(PROFILE_NAMES)}"
        )
    try:
        dev = resolve_device(params.get("device", "auto"))
        get_profile(profile, dev)
    except ValueError as err:
        raise ParameterError(str(err)) from None
    return known


def _check_values(params: dict[str, Any]) -> None:
    """The common parameters' values (seed, data sources, profile overrides) before any work."""
    from rsa_utils.data.sources import DATA_KINDS, TARGET_DATA_KINDS, check_choice

    try:
        seed = params.get("seed", 0)
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            raise ValueError(f"parameter seed={seed!r} is not allowed; use a non-negative integer")
        check_choice("data", params.get("data", "synthetic"), DATA_KINDS)
        check_choice("target_data", params.get("target_data", "synthetic"), TARGET_DATA_KINDS)
        for root in ("data_root", "target_root"):
            if params.get(root) is not None and not Path(params[root]).is_dir():
                raise ValueError(f"parameter {root}={params[root]!r}: no such directory")
        for count in ("n_boot", "n_images"):
            v = params.get(count)
            if v is not None and (not isinstance(v, int) or v < 1):
                raise ValueError(f"parameter {count}={v!r} is not allowed; use a positive integer")
    except ValueError as err:
        raise ParameterError(str(err)) from None


def notebook_params(params: dict[str, Any], defined: dict[str, Any]) -> dict[str, Any]:
    """The part of ``params`` that a notebook defining ``defined`` receives."""
    return {k: v for k, v in params.items() if k in defined}


#: What the runner itself writes: a run's own output does not make its checkout "dirty".
RUNNER_OUTPUTS: tuple[str, ...] = ("book/*.ipynb", "book/figures", "book/data")


def git_commit(root: Path = REPO_ROOT) -> str:
    """The checkout's commit, with ``+dirty`` when tracked files other than
    :data:`RUNNER_OUTPUTS` differ from it (read once, before a run: see :func:`main`)."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        )
        exclude = [f":(exclude){p}" for p in RUNNER_OUTPUTS]
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", *exclude],
            cwd=root,
            capture_output=True,
            text=True,
        ).stdout
        return out.stdout.strip() + ("+dirty" if dirty.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for p in PACKAGES:
        try:
            out[p] = importlib_metadata.version(p)
        except importlib_metadata.PackageNotFoundError:
            out[p] = "not installed"
    return out


def _device_name(device: str) -> str:
    import torch

    dev = resolve_device(device)
    if dev.type == "cuda":
        return f"{dev} ({torch.cuda.get_device_name(dev)})"
    return f"cpu ({os.cpu_count()} cores, {platform.machine()})"


def _zoo_entries(cache_dir: Any) -> set[tuple[str, str]]:
    """(kind, key) of the entries in the zoo (trained networks, transfers, fine-tunings), by
    their sidecar files (no hashing: this runs before and after every notebook)."""
    from rsa_utils.nets import zoo

    root = zoo.zoo_dir(cache_dir)
    return {(p.parent.name, p.stem) for p in root.glob("*/*.json") if not p.name.startswith(".")}


def _entry_seed(key: dict) -> Any:
    """The study seed a zoo entry's key names (its own, or that of the network it starts from)."""
    if "seed" in key:
        return key["seed"]
    source = key.get("source")
    return source.get("seed") if isinstance(source, dict) else None


def _built_for(
    new: set[tuple[str, str]], cache_dir: Any, seed: int, notebook: str | None = None
) -> int:
    """How many of the ``new`` zoo entries this run built: those of study seed ``seed`` (a cache
    shared with another run, e.g. a reseed experiment, gains that run's entries meanwhile) and,
    given ``notebook``, built for it (a notebook run side by side with another sees the other's
    entries appear too; entries that do not record it are counted)."""
    from rsa_utils.nets import zoo

    root, n = zoo.zoo_dir(cache_dir), 0
    for kind, key in new:
        try:
            meta = json.loads((root / kind / f"{key}.json").read_text())
            by = meta.get("built_by")
            n += _entry_seed(meta["key_dict"]) == seed and (
                notebook is None or by in (None, notebook)
            )
        except (OSError, ValueError, KeyError):
            n += 1  # unreadable: count it rather than hide it
    return n


def run_notebook(
    name: str,
    params: dict[str, Any],
    *,
    timeout: int = 3600,
    outdir: Path = BOOK_DIR,
    commit: str | None = None,
) -> float:
    """Execute one notebook with ``params``; returns its wall time in seconds. ``commit`` is the
    provenance recorded (default: read now). The notebook's printed lines and progress bars are
    streamed to this process's stdout / stderr as they come."""
    src = NOTEBOOK_DIR / f"{name}.py"
    outdir.mkdir(parents=True, exist_ok=True)  # a new output folder is made, not an error
    out = outdir / f"{name}.ipynb"
    nb = jupytext.read(src)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    cached_before = _zoo_entries(params.get("cache_dir"))
    os.environ[BUILT_BY_ENV] = name  # the kernel inherits it: its zoo entries record it
    with tempfile.TemporaryDirectory() as tmp:
        tmp_in, tmp_out = Path(tmp) / f"{name}.ipynb", Path(tmp) / f"{name}.out.ipynb"
        nbformat.write(nb, tmp_in)
        os.environ["RSA_BOOK_DIR"] = str(outdir.resolve())  # figures land beside the notebook
        start = time.perf_counter()
        papermill.execute_notebook(
            str(tmp_in), str(tmp_out), parameters=params, kernel_name="python3", cwd=str(outdir),
            execution_timeout=timeout, progress_bar=False, stdout_file=sys.stdout, stderr_file=sys.stderr,
        )  # fmt: skip
        wall = time.perf_counter() - start
        done = nbformat.read(tmp_out, as_version=4)
    for cell in done.cells:
        tags = cell.metadata.setdefault("tags", [])
        if ("parameters" in tags or "injected-parameters" in tags) and "hide-cell" not in tags:
            tags.append("hide-cell")
    prof = get_profile(params.get("profile", "auto"), resolve_device(params.get("device", "auto")))
    if "papermill" in done.metadata:  # papermill records its temporary paths: keep the book's own
        done.metadata["papermill"].update(
            input_path=f"notebooks/{name}.py", output_path=f"book/{name}.ipynb"
        )
    done.metadata[META_KEY] = {
        "notebook": name,
        "profile": prof.name,
        "device": _device_name(params.get("device", "auto")),
        "wall_time_s": round(wall, 1),
        "zoo_entries_built": _built_for(
            _zoo_entries(params.get("cache_dir")) - cached_before,
            params.get("cache_dir"),
            params.get("seed", 0),
            name,
        ),
        "zoo_entries_reused": len(cached_before),
        "git_commit": commit or git_commit(),
        "executed": datetime.now(UTC).isoformat(timespec="seconds"),
        "parameters": params,
        "packages": package_versions(),
        "reference_step_s": _reference_step(params.get("device", "auto")),
    }
    part = out.with_suffix(".ipynb.part")
    nbformat.write(done, part)
    os.replace(part, out)
    return wall


def _reference_step(device: str) -> float:
    """Seconds of the reference training step on this run's device (measured once per run,
    :mod:`rsa_utils.study.calibration`), rounded to the millisecond's tenth."""
    return round(calibration.recorded_or_measured(resolve_device(device)), 4)


#: Notebooks that run alone: the selected notebooks before one finish before it starts, and
#: those after it wait for it (``models`` trains the networks the sections read; ``scorecard``
#: and ``reproducibility`` read the executed sections).
BARRIERS: tuple[str, ...] = ("models", "scorecard", "reproducibility")


#: The sections that fine-tune or train readouts for several minutes start first within their
#: group, so that the short ones fill the cores beside them rather than run last alone.
LONG_FIRST: tuple[str, ...] = ("s3_4_transfer", "s2_taskonomy_vs_rsa")


def stages(names: list[str]) -> list[list[str]]:
    """``names`` cut into groups that run one after another; the notebooks of one group do not
    read each other and may run side by side (:data:`BARRIERS` stand alone), in the order given
    except that :data:`LONG_FIRST` lead their group."""
    out: list[list[str]] = []
    for name in names:
        if name in BARRIERS or not out or out[-1][0] in BARRIERS:
            out.append([name])
        else:
            out[-1].append(name)
    first = {n: i for i, n in enumerate(LONG_FIRST)}
    return [sorted(g, key=lambda n: first.get(n, len(first))) for g in out]


def _child_command(
    name: str, args: argparse.Namespace, commit: str, defined: dict[str, Any]
) -> list[str]:
    """This runner, for notebook ``name``, with the parent's commit and those of its ``-p``
    parameters that the notebook defines (``defined``: its parameters cell)."""
    cmd = [sys.executable, "-m", "rsa_utils.runner", name, "--jobs", "1", "--commit", commit,
           "--timeout", str(args.timeout), "--outdir", str(Path(args.outdir).resolve())]  # fmt: skip
    for key in ("profile", "device"):
        if getattr(args, key) not in (None, ""):
            cmd += [f"--{key}", getattr(args, key)]
    for k, v in notebook_params(dict(args.parameter), defined).items():  # as given, unparsed
        cmd += ["-p", k, v]
    return cmd


def _run_side_by_side(
    group: list[str], args: argparse.Namespace, commit: str, logs: Path, known: dict
) -> dict[str, float]:
    """Run the notebooks of ``group`` ``args.jobs`` at a time, each in a child runner whose
    output goes to ``logs/<name>.log``; their wall times in seconds. After a failure no new
    notebook starts, the running ones finish (their work is kept), and ``RuntimeError`` names
    the failed notebooks with the end of their logs. Interrupted, it stops the children (what
    they finished is in the zoo: its writes are atomic). ``known``: each notebook's parameters."""
    waiting, running, done, failed = list(group), {}, {}, []
    try:
        while waiting or running:
            while waiting and len(running) < args.jobs and not failed:
                name = waiting.pop(0)
                log = open(logs / f"{name}.log", "w")  # noqa: SIM115 (closed when it ends)
                cmd = _child_command(name, args, commit, known.get(name, {}))
                proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=REPO_ROOT)
                running[name] = (proc, log, time.perf_counter())
                print(f"== {name} started (output: {log.name})", flush=True)
            time.sleep(0.5)
            for name, (proc, log, t0) in list(running.items()):
                if proc.poll() is None:
                    continue
                log.close()
                del running[name]
                done[name] = time.perf_counter() - t0
                ok = proc.returncode == 0
                print(f"== {name} {'done' if ok else 'FAILED'} ({done[name] / 60:.1f} min)",
                      flush=True)  # fmt: skip
                if not ok:
                    failed.append(name)
            if failed and not running:
                waiting.clear()
    finally:
        for proc, log, _ in running.values():
            proc.terminate()
            proc.wait()
            log.close()
    if failed:
        tails = "\n".join(
            f"--- {n} ({logs / f'{n}.log'}):\n" + (logs / f"{n}.log").read_text()[-3000:]
            for n in failed
        )
        raise RuntimeError(f"notebook(s) failed: {', '.join(failed)}\n{tails}")
    return done


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("notebooks", nargs="*", help="notebook names (default: all, in toc order)")
    ap.add_argument("--profile", default=None, help=f"auto | {' | '.join(PROFILE_NAMES)}")
    ap.add_argument("--device", default=None, help="auto | cpu | cuda | cuda:N")
    ap.add_argument(
        "-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE")
    )
    ap.add_argument("--timeout", type=int, default=3600, help="per-cell execution timeout, seconds")
    ap.add_argument("--outdir", type=Path, default=BOOK_DIR)
    ap.add_argument(
        "--jobs", type=int, default=2,
        help="notebooks run side by side where they do not depend on each other (1: one at a time)",
    )  # fmt: skip
    ap.add_argument("--commit", default=None, help=argparse.SUPPRESS)  # a child's provenance
    ap.add_argument(
        "--check", action="store_true", help="validate notebooks and parameters, run nothing"
    )
    args = ap.parse_args(argv)
    params: dict[str, Any] = {k: parse_value(v) for k, v in args.parameter}
    for key in ("profile", "device"):
        value = getattr(args, key)
        if value not in (None, ""):
            params[key] = value
    names = args.notebooks or toc_notebooks()
    try:
        if args.jobs < 1:
            raise ParameterError(f"--jobs {args.jobs} is not allowed; use an integer >= 1")
        known = check_parameters(names, params)
    except ParameterError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.check:
        print(f"ok: {len(names)} notebook(s), parameters {params or 'none'} (nothing run)")
        return 0
    timings: dict[str, float] = {}
    commit = args.commit or git_commit()  # once, before the run writes anything
    ref = _reference_step(params.get("device", "auto"))  # before any work; children inherit it
    if not args.commit:
        print(f"== this machine: a reference training step takes {1000 * ref:.0f} ms "
              f"({1000 * calibration.BUDGET_MACHINE_STEP_S:.0f} ms where the cpu budget was set)",
              flush=True)  # fmt: skip
    start = time.perf_counter()
    logs = None
    for group in stages(names) if args.jobs > 1 else [names]:
        if args.jobs > 1 and len(group) > 1:
            logs = logs or Path(tempfile.mkdtemp(prefix="rsa-book-logs-"))
            try:
                timings.update(_run_side_by_side(group, args, commit, logs, known))
            except RuntimeError as err:
                print(f"error: {err}", file=sys.stderr)
                return 1
            continue
        for name in group:
            print(
                f"== {name} ({', '.join(f'{k}={v}' for k, v in params.items()) or 'defaults'})",
                flush=True,
            )
            timings[name] = run_notebook(name, notebook_params(params, known[name]),
                                         timeout=args.timeout, outdir=args.outdir, commit=commit)  # fmt: skip
    width = max(len(n) for n in timings)
    print("\n" + "notebook".ljust(width + 2) + "wall time")
    for n, t in timings.items():
        print(f"{n.ljust(width + 2)}{t / 60:6.1f} min")
    total = (time.perf_counter() - start) / 60
    print(f"{'total'.ljust(width + 2)}{total:6.1f} min"
          + (f" (notebooks side by side, {args.jobs} at a time)" if logs else ""))  # fmt: skip
    if args.commit or total < END_MEASURE_MIN:  # a child (its parent reports), or a short run
        print(budget_line(total, ref))
        return 0
    # the machine's speed drifts during a run (the same machine has measured 164-218 ms within
    # an hour): measure again once the work is done, and scale by the mean of the two
    end = round(calibration.reference_step_seconds(resolve_device(params.get("device", "auto"))), 4)
    print(budget_line(total, ref, end))
    return 0


#: Runs at least this long (minutes) measure the reference step again at their end.
END_MEASURE_MIN = 2.0


def budget_line(total_min: float, reference_step_s: float, end_step_s: float | None = None) -> str:
    """The run's wall time scaled to the machine the ``cpu`` budget was set on, by the ratio of
    the two reference training steps (:mod:`rsa_utils.study.calibration`): an estimate, since
    not every part of a run scales alike. With ``end_step_s`` (measured again after the run)
    the scale is the mean of the two measurements, and the line gives both."""
    steps = [reference_step_s] + ([end_step_s] if end_step_s is not None else [])
    mean = sum(steps) / len(steps)
    factor = mean / calibration.BUDGET_MACHINE_STEP_S
    both = (f" (at the start {1000 * steps[0]:.0f}, at the end {1000 * steps[1]:.0f})"
            if len(steps) == 2 else "")  # fmt: skip
    return (f"scaled to the budget's machine (reference step {1000 * mean:.0f} ms here{both}, "
            f"{1000 * calibration.BUDGET_MACHINE_STEP_S:.0f} ms there): "
            f"{total_min / factor:.1f} min")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
