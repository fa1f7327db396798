"""The notebooks read as the paper's sections: one common parameter block, short cells of calls."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import jupytext
import nbformat
import pytest

from rsa_utils import report
from rsa_utils.profiles import COMMON_PARAMETERS
from rsa_utils.runner import notebook_parameters

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.py"))
#: Notebooks already in the section form (≤ 150 lines, no functions, prose outnumbers code).
SECTION_FORM = [
    "beyond_the_paper",
    "data",
    "models",
    "reproducibility",
    "rsa_primer",
    "s1_small_models",
    "s2_taskonomy_vs_rsa",
    "s3_1_training_stage",
    "s3_2_model_size",
    "s3_3_num_images",
    "s3_4_transfer",
    "scorecard",
]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_common_parameters_are_one_block(path):
    params = list(notebook_parameters(path).items())
    common = list(COMMON_PARAMETERS.items())
    k = 8 if len(params) >= 8 and params[4][0] == "data" else 4
    assert params[:k] == common[:k], (
        f"{path.name}: the parameters cell must start with {common[:k]}"
    )


def cell_logic(source: str) -> list[str]:
    """What a section's code cell may not hold, as ``kind: code`` lines: definitions, branching
    (``if``, conditional expressions, ``and``/``or``, a comprehension's ``if``) and prose built
    in the cell (f-strings)."""
    tree = ast.parse("\n".join(ln for ln in source.splitlines() if not ln.startswith("%")))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.Lambda | ast.ClassDef):
            found.append(f"definition: {ast.unparse(node).splitlines()[0]}")
        elif isinstance(node, ast.If | ast.IfExp | ast.BoolOp):
            found.append(f"branching: {ast.unparse(node).splitlines()[0]}")
        elif isinstance(node, ast.comprehension) and node.ifs:
            found.append(f"branching: {ast.unparse(node).strip()}")
        elif isinstance(node, ast.JoinedStr):
            found.append(f"prose built in a cell: {ast.unparse(node)}")
    return found


def test_cell_logic_finds_branching_and_prose_built_in_cells():
    assert cell_logic("x = f(a)\nreport.glue_result(x)") == []
    assert cell_logic('t = s.note or "none"') == ["branching: s.note or 'none'"]
    assert cell_logic("n = [a for a in b if a]") == ["branching: for a in b if a"]
    assert cell_logic('t = f"{n} images"') == ["prose built in a cell: f'{n} images'"]
    assert cell_logic("y = a if b else c")[0].startswith("branching")
    assert cell_logic("def g():\n    pass")[0].startswith("definition")


@pytest.mark.parametrize("name", SECTION_FORM)
def test_a_section_notebook_is_prose_with_short_calls(name):
    path = next(p for p in NOTEBOOKS if p.stem == name)
    assert len(path.read_text().splitlines()) <= 150, f"{name}: more than 150 lines"
    nb = jupytext.read(path)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    prose = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert sum(len(s.splitlines()) for s in prose) > sum(len(s.splitlines()) for s in code)
    cells = [c.source for c in nb.cells
             if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])]  # fmt: skip
    found = [line for src in cells for line in cell_logic(src)]
    assert not found, f"{name}: " + "; ".join(found)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_import_hides_a_parameter(path):
    """A name imported in a cell would replace the parameter of that name (``image_counts``)."""
    params = set(notebook_parameters(path))
    nb = jupytext.read(path)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse("\n".join(ln for ln in cell.source.splitlines() if not ln.startswith("%")))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                bound = {(a.asname or a.name).split(".")[0] for a in node.names}
                assert not bound & params, f"{path.name}: an import hides {bound & params}"


GLUE_ROLE = re.compile(r"\{glue(?::\w*)?\}`([^`]+)`")
GLUE_DIRECTIVE = re.compile(r"^\s*```\{glue(?::\w*)?\}\s+(\S+)", re.MULTILINE)


def referenced_glue(markdown: str) -> set[str]:
    """The glue names a Markdown cell shows (``{glue}``, ``{glue:}``, ``{glue:md}``,
    ``{glue:text}``, ``{glue:figure}`` roles and directives; a ``:format`` suffix dropped)."""
    names = GLUE_ROLE.findall(markdown) + GLUE_DIRECTIVE.findall(markdown)
    return {n.split(":")[0] for n in names}


def glued_names(nb) -> set[str]:
    """The names an executed notebook glued (its outputs' ``scrapbook`` metadata, as
    ``benchmarks/compare_glue.py`` reads them)."""
    return {
        o.get("metadata", {}).get("scrapbook", {}).get("name")
        for cell in nb.cells
        for o in cell.get("outputs", [])
    } - {None}


def test_referenced_glue_reads_every_form():
    text = "a {glue}`a1` {glue:}`b` {glue:md}`c` {glue:text}`d:.2f` {glue:figure}`e`\n```{glue:md} f\n```"
    assert referenced_glue(text) == {"a1", "b", "c", "d", "e", "f"}


EXECUTED = sorted(report.book_dir().glob("*.ipynb"))


@pytest.mark.parametrize("path", EXECUTED, ids=lambda p: p.stem)
def test_every_glue_the_prose_shows_is_glued_by_its_notebook(path):
    """In the executed edition (committed, or a run's folder with ``$RSA_BOOK_DIR``), each name a
    Markdown cell shows is glued by that same notebook."""
    nb = nbformat.read(path, as_version=4)
    shown = set().union(*(referenced_glue(c.source) for c in nb.cells if c.cell_type == "markdown"))
    missing = shown - glued_names(nb)
    assert not missing, f"{path.name}: shown but not glued: {sorted(missing)}"


def test_prose_variants_come_from_the_library():
    import pandas as pd

    from rsa_utils.study.beyond import _above_chance, _depth_trend

    assert _above_chance([]).startswith("none of them: every interval includes zero")
    assert _above_chance(["linear CKA"]) == "linear CKA (their intervals lie above zero)"
    layers = pd.DataFrame({"mean": [0.1, 0.7], "low": [0.0, 0.5], "high": [0.2, 0.9]},
                          index=["block 1", "output"])  # fmt: skip
    assert _depth_trend(layers) == "here it does (output's interval lies above block 1's)"
    assert _depth_trend(layers.iloc[::-1]).startswith("within these intervals")
    overlapping = layers.assign(low=[0.0, 0.1], high=[0.6, 0.9])
    assert _depth_trend(overlapping).startswith("the estimates rise, from 0.10 (block 1) to 0.70")
