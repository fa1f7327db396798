"""The data chapter: its numbers (class statistics, label RSA, agreement with Taskonomy) on fake
image sets, the prose variants, and the figures and tables saved by one call each."""

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
import torch
from fakes import RandomData

from rsa_utils import profiles
from rsa_utils.figures import gallery
from rsa_utils.study.label_rsa import separation_reading, tasks_by_type, type_separation
from rsa_utils.study.synthetic_world import class_frequencies, synthetic_world
from rsa_utils.tasks import OBJECT_CATEGORIES, ROOM_TYPES, TASK_NAMES, TASK_TYPES, TASKS

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "data.py"


class SlicedData(RandomData):
    """:class:`fakes.RandomData` that also takes a ``slice`` (as the rendered datasets do)."""

    def batch(self, idx, device="cpu"):
        if isinstance(idx, slice):
            idx = list(range(*idx.indices(self.n)))
        return super().batch(idx, device)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    study = profiles.setup("smoke", "cpu", 0, str(tmp_path_factory.mktemp("cache")))
    sets = (SlicedData(12, 16, seed=1), SlicedData(10, 16, seed=2, target=True))
    return synthetic_world(study, 2, sets=sets)


def glue_names(source: Path) -> set[str]:
    """Every glue name the notebook's prose shows."""
    return set(re.findall(r"\{glue(?::\w+)?\}`(\w+)`", source.read_text()))


def test_class_frequencies_count_pixels_and_skip_ignored_ones():
    seg = torch.tensor([[[0, 1, 1, 255], [2, 2, 2, 0]]])  # 255: ignored
    freq = class_frequencies(seg, ["a", "b"])
    assert list(freq.index) == ["background", "a", "b"]
    np.testing.assert_allclose(freq.to_numpy(), [2 / 7, 2 / 7, 3 / 7])


def test_tasks_by_type_groups_every_task():
    order = tasks_by_type()
    assert sorted(order) == sorted(TASK_NAMES)
    types = [TASKS[t].type for t in order]
    assert [t for i, t in enumerate(types) if i == 0 or t != types[i - 1]] == list(TASK_TYPES)


def test_type_separation_leaves_out_identical_labels():
    names = ["autoencoding", "denoising", "edge_texture", "depth_zbuffer", "normal"]
    sim = pd.DataFrame(0.1, index=names, columns=names)
    sim.loc["autoencoding", "denoising"] = sim.loc["denoising", "autoencoding"] = 1.0
    sim.loc["depth_zbuffer", "normal"] = sim.loc["normal", "depth_zbuffer"] = 0.7
    sep = type_separation(sim)
    assert sep == pytest.approx({"within_2d": 0.1, "within_3d": 0.7, "between": 0.1})


@pytest.mark.parametrize(
    "sep, start",
    [
        ({"within_2d": 0.12, "within_3d": 0.26, "between": 0.08}, "the 3D labels form a group"),
        ({"within_2d": 0.3, "within_3d": 0.4, "between": 0.1}, "both types form groups"),
        ({"within_2d": 0.1, "within_3d": 0.1, "between": 0.1}, "the labels do not separate"),
    ],
)
def test_separation_reading_says_what_the_means_show(sep, start):
    assert separation_reading(sep).startswith(start)


def test_the_world_counts_what_is_in_the_fake_images(world):
    assert world.values["data_image_size"] == 32 and world.values["data_label_rsa_n"] == 12
    assert world.values["data_n_tasks"] == len(TASK_NAMES)
    assert list(world.similarity.index) == tasks_by_type()
    assert world.source_shares.sum() == pytest.approx(1.0)
    assert list(world.source_shares.index[1:]) == list(OBJECT_CATEGORIES)
    object_share = 100 * (1 - world.source_shares["background"])
    assert world.values["data_src_object_share"] == f"{object_share:.0f}"
    assert world.rooms.sum() == 12 and list(world.rooms.index) == list(ROOM_TYPES)
    sep = type_separation(world.similarity)
    assert world.separation["mean Spearman"].to_dict() == {k: round(v, 3) for k, v in sep.items()}
    assert world.values["data_separation_reading"] == separation_reading(sep)
    assert world.values["data_within_3d"] == f"{sep['within_3d']:.2f}"
    assert re.fullmatch(r"−?\d\.\d\d \[−?\d\.\d\d, −?\d\.\d\d\]", world.text["data_label_real"])
    assert len(world.gallery[0]) == 2 and len(world.target_gallery[0]) == 4
    assert world.summary.startswith("profile smoke: 32 px, device cpu, generator synth-")


def test_every_value_the_prose_shows_is_glued(world):
    made = set(world.values) | set(world.text)
    made |= {f"{name}_data" for pair in gallery.BOOK_FIGURES.values() for name in pair if name}
    assert glue_names(NOTEBOOK) - made == set()


def test_each_figure_and_table_is_saved_with_its_data(world, out):
    gallery.figure_source_gallery(world)
    gallery.figure_target_gallery(world)
    gallery.figure_statistics(world)
    gallery.figure_label_rsa(world)
    depth, separation = gallery.table_depth(world), gallery.table_separation(world)
    gallery.table_label_real(world)
    figures = {p.stem for p in (out / "figures").glob("*.png")}
    assert figures == {f for f, _ in gallery.BOOK_FIGURES.values() if f}
    data = {p.stem for p in (out / "data").glob("*.csv")}
    assert {t for _, t in gallery.BOOK_FIGURES.values() if t} <= data
    rooms = pd.read_csv(out / "data" / "data_statistics_rooms.csv")
    assert list(rooms["room_type"]) == list(ROOM_TYPES) and rooms["images"].sum() == 12
    panels = pd.read_csv(out / "data" / "data_source_gallery.csv")
    assert panels["image"].max() == 2
    assert separation is world.separation
    assert list(depth.columns) == ["min", "5%", "median", "95%", "max"]
