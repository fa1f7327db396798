"""The package's import graph (every import, inside functions too) has no cycle and goes down
the layers only; the flat names work."""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "rsa_utils"


def module_name(path: Path) -> str:
    parts = ("rsa_utils", *path.relative_to(PKG).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that ``name`` imports, wherever the import statement is."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                out.add(sub if sub in known else target)
    return {m for m in out if m in known and m != name}


def import_graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: imports(name, path, set(mods)) for name, path in mods.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a list of modules (first == last), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_graph_sees_imports_inside_functions():
    graph = import_graph()
    assert "rsa_utils.data.realdata" in graph["rsa_utils.data.datasets"]  # lazy, in a function
    assert "rsa_utils.world.tasks" in graph["rsa_utils.world.scene_priors"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycles():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


#: The package's layers, lowest first: a module imports from its own layer and those below only.
#: The flat names (``rsa_utils.zoo`` etc., see :data:`FLAT`) sit above them all.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("rsa_utils.paths",),  # where the repository is
    ("rsa_utils.rsa",),  # RSA itself, numpy/torch/scipy (and pandas tables) only
    ("rsa_utils.world",),  # the synthetic world: tasks, scenes, rendering, labels
    ("rsa_utils.data",),  # images and labels of both domains, their cache
    ("rsa_utils.nets",),  # networks, training, the zoo, transfers
    ("rsa_utils.figures", "rsa_utils.study"),  # the book: its figures and its machinery
)
TOP = len(LAYERS)


def layer_of(module: str) -> int:
    """Index of ``module``'s layer in :data:`LAYERS`; :data:`TOP` for the flat names and the package."""
    for i, prefixes in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return i
    return TOP


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    """Every import of ``graph`` from a lower layer into a higher one, as "a -> b"."""
    return [f"{a} -> {b}" for a in sorted(graph) for b in sorted(graph[a])
            if layer_of(b) > layer_of(a)]  # fmt: skip


def test_the_layer_check_finds_upward_imports():
    assert upward_imports({"rsa_utils.nets.zoo": {"rsa_utils.study.profiles"}}) == [
        "rsa_utils.nets.zoo -> rsa_utils.study.profiles"
    ]
    assert upward_imports({"rsa_utils.rsa.features": {"rsa_utils.world.tasks"}})
    assert upward_imports({"rsa_utils.data.datasets": {"rsa_utils.zoo"}})  # a flat name
    assert not upward_imports({"rsa_utils.study.profiles": {"rsa_utils.nets.loop"}})
    assert not upward_imports({"rsa_utils.figures.s3": {"rsa_utils.study.s3_data"},
                               "rsa_utils.study.target_task": {"rsa_utils.figures.s3"}})  # fmt: skip


def test_imports_go_down_the_layers():
    bad = upward_imports(import_graph())
    assert not bad, "imports into a higher layer:\n" + "\n".join(bad)


def test_every_module_has_a_layer():
    for name in modules():
        if layer_of(name) == TOP:  # only the package itself and the flat names are above the layers
            assert name == "rsa_utils" or name.removeprefix("rsa_utils.") in FLAT, name


def test_rsa_imports_numerics_only():
    allowed = {"numpy", "scipy", "torch", "pandas", "rsa_utils", *sys.stdlib_module_names}
    for name, path in modules().items():
        if layer_of(name) == layer_of("rsa_utils.rsa"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    tops = {a.name.split(".")[0] for a in node.names}
                elif isinstance(node, ast.ImportFrom) and not node.level:
                    tops = {(node.module or "").split(".")[0]}
                else:
                    continue
                assert tops <= allowed, f"{name} imports {sorted(tops - allowed)}"


def test_every_module_says_what_it_holds():
    """A one-line module docstring (its first paragraph is one line); the package's own
    ``__init__`` may open with a title of two lines."""
    for name, path in modules().items():
        doc = ast.get_docstring(ast.parse(path.read_text()), clean=False)
        assert doc and doc.strip(), f"{name} has no module docstring"
        first = doc.strip().split("\n\n")[0]
        if name != "rsa_utils":
            assert "\n" not in first, f"{name}: the docstring's first paragraph spans lines"


def test_rsa_core_has_no_plotting():
    for name, path in modules().items():
        if name.startswith("rsa_utils.rsa"):
            text = path.read_text()
            assert "matplotlib" not in text and "rsa_utils.figures" not in text, name


#: The flat names of the old layout, kept for notebooks, scripts and readers of the README.
FLAT = {
    "consistency": "rsa", "similarity": "rsa", "taxonomy": "rsa", "features": "rsa",
    "tasks": "world", "scenes": "world", "labels": "world", "datasets": "data", "realdata": "data",
    "models": "nets", "losses": "nets", "train": "nets", "parallel": "nets", "zoo": "nets",
    "transfer": "nets", "task_models": "study", "plots": "figures", "gallery": "figures",
    "profiles": "study", "target_task": "study", "taskonomy_results": "study", "primer": "study",
    "report": "study", "runner": "study",
}  # fmt: skip


@pytest.mark.parametrize("flat", sorted(FLAT))
def test_flat_names_are_the_modules(flat):
    old = importlib.import_module(f"rsa_utils.{flat}")
    new = importlib.import_module(f"rsa_utils.{FLAT[flat]}.{flat}")
    assert old is new  # one module object: monkeypatching either patches both


def test_rsa_keeps_its_api():
    from rsa_utils import rsa

    for name in ("rdm", "condensed_rdms", "upper_triangle", "similarity_matrix", "compare_rdms",
                 "ranking", "bootstrap", "subsample", "Resampled", "rank_rows"):  # fmt: skip
        assert callable(getattr(rsa, name)), name
