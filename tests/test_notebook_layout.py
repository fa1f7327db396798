"""The notebooks read as the paper's sections: one common parameter block, short cells of calls."""

from __future__ import annotations

import ast
from pathlib import Path

import jupytext
import pytest

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


@pytest.mark.parametrize("name", SECTION_FORM)
def test_a_section_notebook_is_prose_with_short_calls(name):
    path = next(p for p in NOTEBOOKS if p.stem == name)
    assert len(path.read_text().splitlines()) <= 150, f"{name}: more than 150 lines"
    nb = jupytext.read(path)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    prose = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert sum(len(s.splitlines()) for s in prose) > sum(len(s.splitlines()) for s in code)
    for src in code:
        tree = ast.parse("\n".join(ln for ln in src.splitlines() if not ln.startswith("%")))
        for node in ast.walk(tree):
            assert not isinstance(node, ast.FunctionDef | ast.Lambda | ast.ClassDef), name
            assert not isinstance(node, ast.If | ast.IfExp), f"{name}: branching in a cell"


def test_prose_variants_come_from_the_library():
    import pandas as pd

    from rsa_utils.study.beyond import _above_chance, _depth_trend

    assert _above_chance([]).startswith("none of them: every interval includes zero")
    assert _above_chance(["linear CKA"]) == "linear CKA (their intervals lie above zero)"
    layers = pd.DataFrame({"low": [0.0, 0.5], "high": [0.2, 0.9]}, index=["block 1", "output"])
    assert _depth_trend(layers) == "here it does (output's interval lies above block 1's)"
    assert _depth_trend(layers.iloc[::-1]).startswith("within these intervals")
