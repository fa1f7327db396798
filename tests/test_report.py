"""rsa_utils.report: one name for the modules of prose, outputs, verdicts, claims and the edition."""

import ast
import importlib
from pathlib import Path
from types import SimpleNamespace

import pytest

from rsa_utils import report

PARTS = ("prose", "outputs", "verdicts", "claims", "edition")


def defined_names(module) -> list[str]:
    """The public names a module defines at its top level (functions, classes, constants)."""
    tree = ast.parse(Path(module.__file__).read_text())
    names = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names += [t.id for t in targets if isinstance(t, ast.Name)]
    return [n for n in names if not n.startswith("_")]


@pytest.mark.parametrize("part", PARTS)
def test_report_names_every_public_name_of_its_parts(part):
    module = importlib.import_module(f"rsa_utils.study.{part}")
    assert defined_names(module), part
    for name in defined_names(module):
        assert getattr(report, name) is getattr(module, name), f"report.{name} is not {part}.{name}"
        assert name in report.__all__, name


def test_every_name_report_shows_exists():
    assert all(hasattr(report, name) for name in report.__all__)
    assert len(set(report.__all__)) == len(report.__all__)


def test_glue_result_glues_values_as_numbers_and_text_as_prose(monkeypatch):
    from rsa_utils.study import prose

    calls = []
    monkeypatch.setattr(prose, "glue_numbers", lambda v: calls.append(("numbers", v)))
    monkeypatch.setattr(prose, "glue_all", lambda t: calls.append(("text", t)))
    prose.glue_result(SimpleNamespace(values={"n": 3}, text={"rho": "0.93 [0.90, 0.95]"}))
    assert calls == [("numbers", {"n": 3}), ("text", {"rho": "0.93 [0.90, 0.95]"})]


def test_prose_numbers():
    assert report.fmt(-0.123) == "−0.12" and report.fmt(0.5, 1) == "0.5"
    assert report.fmt_interval(0.931, 0.9, 0.951) == "0.93 [0.90, 0.95]"


SECTION_RESULTS = {
    "synthetic_world": "SyntheticWorld", "task_networks": "TaskNetworks", "primer": "Primer",
    "small_models": "SmallModels", "taskonomy_vs_rsa": "TaskonomyVsRSA",
    "training_stage": "TrainingStage", "model_size": "ModelSize", "image_counts": "ImageCounts",
    "transfer_learning": "TransferLearning", "beyond": "Beyond", "scorecard": "Scorecard",
}  # fmt: skip


@pytest.mark.parametrize("module", SECTION_RESULTS)
def test_every_section_result_has_values_and_text(module):
    """One name for a section's prose values, whatever the section: ``values`` and ``text``,
    what :func:`rsa_utils.report.glue_result` glues."""
    import dataclasses

    cls = getattr(importlib.import_module(f"rsa_utils.study.{module}"), SECTION_RESULTS[module])
    fields = {f.name for f in dataclasses.fields(cls)}
    assert {"values", "text"} <= fields, cls.__name__
    assert not {"numbers", "counts"} & fields, cls.__name__
