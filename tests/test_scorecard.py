"""The scorecard on fake executed notebooks: claims gathered in the book's order, counted, set
beside the previous edition; its tables are one call each."""

import json

import nbformat
import pandas as pd
import pytest

from rsa_utils.study import scorecard as sc
from rsa_utils.study.claims import Claim, claims_frame
from rsa_utils.study.edition import collect_claims, read_glued


def executed(path, claims, profile="cpu", glue_claims=True):
    """A notebook as the runner leaves it: ``claims_json`` glued (as myst-nb records it) and the
    run record in the metadata."""
    outputs = []
    if glue_claims:
        text = json.dumps([c.__dict__ for c in claims])
        outputs.append(nbformat.v4.new_output(
            "display_data", data={"application/papermill.record/text/plain": repr(text)},
            metadata={"scrapbook": {"name": "claims_json", "mime_prefix": "application/papermill.record/"}},
        ))  # fmt: skip
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("glue", outputs=outputs)])
    nb.metadata["rsa_book"] = {"profile": profile, "device": "cpu", "wall_time_s": 60.0}
    nbformat.write(nb, path)


S1 = [Claim("S1", "a", "> 0.97", "0.98", "holds"), Claim("S1", "b", "< 0", "0.1", "does not hold")]
S2 = [Claim("S2", "c", "2 of 20", "1 of 6", "holds"),
      Claim("S2", "d", "> 0", "0.2", "inconclusive", kind="ours")]  # fmt: skip


@pytest.fixture
def book(tmp_path):
    executed(tmp_path / "s2_taskonomy_vs_rsa.ipynb", S2, profile="smoke")
    executed(tmp_path / "s1_small_models.ipynb", S1)
    executed(tmp_path / "data.ipynb", [], glue_claims=False)  # a chapter without claims
    executed(tmp_path / "not_in_the_toc.ipynb", [Claim("X", "e", "1", "1", "holds")])
    before = claims_frame([Claim("S1", "a", "> 0.97", "0.90", "partly"), S2[0]])
    before.insert(0, "edition", "cpu, commit abc")
    before.to_csv(tmp_path / "previous.csv", index=False)
    other = claims_frame([Claim("S1", "a", "> 0.97", "0.99", "holds"),
                          Claim("S1", "b", "< 0", "0.2", "partly"),
                          Claim("S2", "c", "2 of 20", "–", "not tested")])  # fmt: skip
    other.insert(0, "edition", "seed 1, cpu, commit abc")
    other.to_csv(tmp_path / "reseed.csv", index=False)
    return tmp_path


def _card(book):
    return sc.scorecard(book, previous=book / "previous.csv", reseed=book / "reseed.csv")


def test_claims_are_read_back_as_glued(book):
    assert "claims_json" in read_glued(book / "s1_small_models.ipynb")
    rows = collect_claims([book / "s1_small_models.ipynb", book / "data.ipynb"])
    assert rows.to_dict("records") == [c.__dict__ for c in S1]


def test_scorecard_is_one_result(book):
    card = _card(book)
    assert list(card.claims.claim) == ["a", "b", "c", "d"]  # the book's order, toc names only
    assert list(card.paper_claims.claim) == ["a", "b", "c"] and "kind" not in card.paper_claims
    assert list(card.our_checks.claim) == ["d"]
    assert card.values == {"n_claims": 3, "n_hold": 2, "n_partly": 0, "n_inconclusive": 0,
                           "n_fail": 1, "n_untested": 0, "n_checks": 1, "n_changed": 3,
                           "n_rows": 4, "n_reseed_tested": 2, "n_reseed_same": 1}  # fmt: skip
    assert all(type(v) is int for v in card.values.values())  # glued as plain numbers
    assert card.text["hold_verb"] == "hold" and card.text["fail_verb"] == "does not hold"
    assert card.text["profiles"] == "cpu, smoke"
    assert card.text["previous_edition"] == "cpu, commit abc"
    assert card.text["verdict_rules"].startswith("Every rule reads our estimate")
    assert list(card.record.notebook) == ["s1_small_models", "s2_taskonomy_vs_rsa"]
    assert list(card.changes.before) == ["partly", "—", "holds", "—"]
    # the reseed: c was not tested there and d is absent, so only a and b are compared
    assert card.text["reseed_edition"] == "seed 1, cpu, commit abc"
    assert list(card.reseed.claim) == ["a", "b"] and list(card.reseed.same) == [True, False]


def test_tables_are_one_call_each(book, tmp_path, monkeypatch):
    monkeypatch.delenv("RSA_BOOK_DIR", raising=False)
    monkeypatch.setenv("RSA_OUTPUT_DIR", str(tmp_path / "out"))
    card = _card(book)
    assert "color: #1a7f37" in sc.table_claims(card).to_html()  # 'holds' in green
    written = pd.read_csv(tmp_path / "out" / "data" / "claims.csv")
    assert list(written.claim) == ["a", "b", "c", "d"]
    assert sc.table_checks(card).data.equals(card.our_checks)
    shown = sc.table_changes(card).data
    assert list(shown.columns) == ["section", "claim", "before", "now"]
    assert list(shown.claim) == ["a", "b", "d"]
    moved = sc.table_reseed(card).data
    assert list(moved.columns) == ["section", "claim", "this run", "other run", "this value",
                                   "other value"]  # fmt: skip
    assert list(moved.claim) == ["b"] and list(moved["other value"]) == ["0.2"]


def test_another_runs_reading_and_set_aside_come_from_its_claims_table():
    from rsa_utils.study.claims import other_run_reading

    other = pd.DataFrame({
        "edition": ["seed 1"] * 3, "section": ["S3.1", "S3.1", "S2"],
        "claim": ["ρ at 1/10", "ρ > 0.99", "own best"],
        "ours": ["0.35 [0.02, 0.68]; set aside: curvature (no signal)",
                 "from 4/5; set aside: curvature (no signal)", "6 of 20"],
        "holds": ["partly", "partly", "inconclusive"],
    })  # fmt: skip
    assert other_run_reading(other, "S3.1", "ρ at 1/10") == "0.35 [0.02, 0.68] (*partly*)"
    assert other_run_reading(other, "S3.2", "ρ at 1/10") == "no row for this claim"
    assert sc.set_aside_of(other) == "curvature (no signal)"
    assert sc.set_aside_of(other.assign(ours="0.5 [0.1, 0.9]")) == "no network"
    mixed = other.assign(ours=["1; set aside: a (fails (small)), b (no signal (taskonomy))",
                               "2; set aside: a (fails (small), fails (taskonomy))",
                               "3; set aside: c (x, y)"])  # fmt: skip
    assert sc.set_aside_of(mixed) == ("a (fails (small), fails (taskonomy)), "
                                      "b (no signal (taskonomy)), c (x, y)")  # fmt: skip
