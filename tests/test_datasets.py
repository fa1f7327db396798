"""Datasets: the cached synthetic data and the real-data loaders on tiny folders."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from rsa_utils import datasets
from rsa_utils.data import chunks, pipeline, synthetic
from rsa_utils.datasets import SPLITS, source_data, target_data
from rsa_utils.tasks import TASK_NAMES, TASKS

SIZE = 16


def test_source_data_batches_and_cache(tmp_path, monkeypatch):
    ds = source_data("train", 10, image_size=SIZE, cache_dir=tmp_path)
    assert len(ds) == 10 and ds.tasks == list(TASK_NAMES) and ds.image_size == SIZE
    rgb, lab = ds.batch(torch.tensor([9, 0, 3]))
    assert (
        rgb.dtype == torch.float32
        and rgb.shape == (3, 3, SIZE, SIZE)
        and 0 <= rgb.min() <= rgb.max() <= 1
    )
    assert set(lab) == set(TASK_NAMES)
    assert lab["segment_semantic"].dtype == torch.int64 and lab["class_scene"].shape == (3,)
    assert lab["normal"].shape == (3, 3, SIZE, SIZE) and lab["room_layout"].shape == (3, 9)
    # every index form gives the same images
    a = ds.batch(np.array([1, 2]))[0]
    assert torch.equal(a, ds.batch(slice(1, 3))[0]) and torch.equal(a, ds.batch([1, 2])[0])
    # a second dataset reads the cache (memory-mapped) without rendering
    monkeypatch.setattr(
        synthetic,
        "render",
        lambda *a, **k: (_ for _ in ()).throw(AssertionError("rendered again")),
    )
    ds2 = source_data(
        "train", 10, image_size=SIZE, cache_dir=tmp_path, tasks=["normal", "class_scene"]
    )
    rgb2, lab2 = ds2.batch([9, 0, 3])
    assert torch.equal(rgb2, rgb) and list(lab2) == ["normal", "class_scene"]
    assert torch.equal(lab2["normal"], lab["normal"])
    assert isinstance(ds2._cache.ensure()[0]["rgb"], np.memmap)


def test_longer_request_extends_the_chunk_consistently(tmp_path):
    short = source_data("val", 3, image_size=SIZE, cache_dir=tmp_path, tasks=["depth_zbuffer"])
    a = short.batch([0, 1, 2])
    longer = source_data("val", 6, image_size=SIZE, cache_dir=tmp_path, tasks=["depth_zbuffer"])
    b = longer.batch([0, 1, 2])
    assert torch.equal(a[0], b[0]) and torch.equal(a[1]["depth_zbuffer"], b[1]["depth_zbuffer"])


def _pipeline_arrays(tmp, n: int) -> dict[str, np.ndarray]:
    ds = source_data("test", n, image_size=SIZE, cache_dir=tmp).prepare()
    return {a: np.concatenate([m[a] for m in ds._cache.maps]) for a in ds._cache.arrays}


def test_pipeline_across_chunks_and_worker_pool(tmp_path, monkeypatch):
    """Several chunks, render batches and segmentations in flight, and (forced) worker
    processes give the arrays of one plain render of each sample."""
    from rsa_utils import labels
    from rsa_utils.scenes import render, source_scene
    from rsa_utils.world import segmentation

    monkeypatch.setattr(chunks, "CHUNK", 8)
    monkeypatch.setitem(pipeline.RENDER_BATCH, "cpu", 6)
    monkeypatch.setattr(synthetic, "SEGMENTS_IN_FLIGHT", 2)
    n = 20  # chunks of 8, 8, 4; batches of 6 span chunk boundaries
    plain = _pipeline_arrays(tmp_path / "threads", n)
    assert len(list((tmp_path / "threads").rglob("meta.json"))) == 3
    r = render([source_scene(0, "test", i) for i in range(n)], SIZE)
    ref = labels.make_labels(r, synthetic._stored_tasks())
    assert np.array_equal(plain["rgb"], synthetic._to_uint8(r.rgb))
    for name, x in ref.items():
        assert np.array_equal(plain[name], synthetic._encode(name, x)), name
    monkeypatch.setenv("RSA_DATA_WORKERS", "8")  # the many-core path, on any machine
    monkeypatch.setattr(segmentation, "_POOL", None)
    monkeypatch.setattr(chunks, "CHUNK", 16)  # segmentations go to the pool from 16 images
    monkeypatch.setattr(pipeline, "RENDER_BATCH", {"cpu": 16})
    pooled = _pipeline_arrays(tmp_path / "pool", n)
    assert segmentation._POOL is not None
    segmentation._POOL.shutdown()
    for name, a in plain.items():
        assert np.array_equal(a, pooled[name]), name


def test_corrupt_chunk_is_rebuilt(tmp_path):
    ds = source_data("rsa", 4, image_size=SIZE, cache_dir=tmp_path, tasks=["normal"])
    ref = ds.batch([0, 3])[0]
    chunk = ds.root / "chunk00000"
    (chunk / "normal.npy").write_bytes(b"garbage")
    with pytest.warns(UserWarning, match="unreadable"):
        again = source_data("rsa", 4, image_size=SIZE, cache_dir=tmp_path, tasks=["normal"]).batch(
            [0, 3]
        )[0]
    assert torch.equal(ref, again)


def test_splits_differ_and_bad_names_fail(tmp_path):
    imgs = [
        source_data(s, 2, image_size=SIZE, cache_dir=tmp_path, tasks=["normal"]).batch([0])[0]
        for s in SPLITS
    ]
    for i in range(len(imgs)):
        for j in range(i):
            assert not torch.equal(imgs[i], imgs[j])
    with pytest.raises(ValueError, match="valid splits are: train, val, test, rsa"):
        source_data("training", 2, image_size=SIZE, cache_dir=tmp_path)
    with pytest.raises(ValueError, match="valid task names are"):
        source_data("train", 2, image_size=SIZE, cache_dir=tmp_path, tasks=["depth"])
    with pytest.raises(ValueError, match="allowed values"):
        source_data("train", 2, image_size=SIZE, cache_dir=tmp_path, data="imagenet")


def test_target_data(tmp_path):
    ds = target_data("train", 6, image_size=SIZE, cache_dir=tmp_path)
    rgb, seg = ds.batch(torch.arange(6))
    assert rgb.shape == (6, 3, SIZE, SIZE) and rgb.dtype == torch.float32
    assert seg.shape == (6, SIZE, SIZE) and seg.dtype == torch.int64
    assert seg.min() >= 0 and seg.max() <= 20
    other = target_data("rsa", 1, image_size=SIZE, cache_dir=tmp_path).batch([0])[0]
    assert not torch.equal(other, rgb[:1])


# --- real data on tiny folders ---------------------------------------------------------------------------
def _write_taskonomy(root, n=30, size=24):
    rng = np.random.default_rng(0)
    b = root / "building_a"
    for d in ("rgb", "depth_zbuffer", "normal", "segment_semantic"):
        (b / d).mkdir(parents=True)
    for i in range(n):
        key = f"point_{i}_view_0"
        Image.fromarray(rng.integers(0, 255, (size, size + 8, 3), dtype=np.uint8)).save(
            b / "rgb" / f"{key}_domain_rgb.png"
        )
        depth = np.full((size, size + 8), 2 * 512, dtype=np.uint16)  # 2 m
        depth[0, 0] = 65535  # no depth
        Image.fromarray(depth).save(b / "depth_zbuffer" / f"{key}_domain_depth_zbuffer.png")
        Image.fromarray(np.full((size, size + 8, 3), 128, np.uint8)).save(
            b / "normal" / f"{key}_domain_normal.png"
        )
        Image.fromarray(rng.integers(0, 5, (size, size + 8), dtype=np.uint8)).save(
            b / "segment_semantic" / f"{key}_domain_segment_semantic.png"
        )


def test_taskonomy_folder(tmp_path):
    _write_taskonomy(tmp_path)
    tasks = [
        "autoencoding",
        "colorization",
        "depth_zbuffer",
        "normal",
        "segment_semantic",
        "edge_texture",
    ]
    ds = source_data("train", 4, image_size=SIZE, data="taskonomy", data_root=tmp_path, tasks=tasks)
    rgb, lab = ds.batch([0, 1, 2, 3])
    assert rgb.shape == (4, 3, SIZE, SIZE) and 0 <= rgb.min() <= rgb.max() <= 1
    from rsa_utils.labels import encode_depth

    assert torch.allclose(
        lab["depth_zbuffer"][:, :, 4:, 4:], encode_depth(torch.tensor(2.0)), atol=1e-4
    )
    assert lab["normal"].shape == (4, 3, SIZE, SIZE) and torch.allclose(
        lab["normal"], torch.tensor(128 / 255)
    )
    assert lab["segment_semantic"].dtype == torch.int64 and lab["segment_semantic"].max() < 5
    assert lab["colorization"].shape == (4, 2, SIZE, SIZE) and lab["edge_texture"].shape == (
        4,
        1,
        SIZE,
        SIZE,
    )
    for t in tasks:
        assert lab[t].dtype == (
            torch.int64
            if TASKS[t].target in ("dense_class", "segments", "class")
            else torch.float32
        )
    # splits by a stable hash of the view name: disjoint
    val = source_data(
        "val", 1, image_size=SIZE, data="taskonomy", data_root=tmp_path, tasks=["normal"]
    )
    assert set(val.views).isdisjoint(ds.views)


def test_taskonomy_errors_name_the_path(tmp_path):
    missing = tmp_path / "nope"
    with pytest.raises(ValueError, match="nope.*no such directory"):
        source_data("train", 1, image_size=SIZE, data="taskonomy", data_root=missing)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="empty.*rgb/"):
        source_data("train", 1, image_size=SIZE, data="taskonomy", data_root=tmp_path / "empty")
    _write_taskonomy(tmp_path / "t", n=12)
    with pytest.raises(ValueError, match="keypoints3d"):
        source_data(
            "train",
            1,
            image_size=SIZE,
            data="taskonomy",
            data_root=tmp_path / "t",
            tasks=["keypoints3d"],
        )


def _write_voc(root, n=9, size=20):
    base = root / "VOCdevkit" / "VOC2012"
    for d in ("JPEGImages", "SegmentationClass", "ImageSets/Segmentation"):
        (base / d).mkdir(parents=True)
    rng = np.random.default_rng(0)
    names = [f"2007_{i:06d}" for i in range(n)]
    for nm in names:
        Image.fromarray(rng.integers(0, 255, (size, size + 6, 3), dtype=np.uint8)).save(
            base / "JPEGImages" / f"{nm}.jpg"
        )
        seg = rng.integers(0, 21, (size, size + 6), dtype=np.uint8)
        seg[0] = 255
        im = Image.fromarray(seg, mode="P")
        im.putpalette(list(rng.integers(0, 255, 768, dtype=np.uint8)))
        im.save(base / "SegmentationClass" / f"{nm}.png")
    (base / "ImageSets/Segmentation/train.txt").write_text("\n".join(names[:3]) + "\n")
    (base / "ImageSets/Segmentation/val.txt").write_text("\n".join(names[3:]) + "\n")


def test_voc_folder(tmp_path):
    _write_voc(tmp_path)
    ds = target_data("train", 3, image_size=SIZE, target_data="voc", target_root=tmp_path)
    rgb, seg = ds.batch([0, 1, 2])
    assert (
        rgb.shape == (3, 3, SIZE, SIZE)
        and seg.shape == (3, SIZE, SIZE)
        and seg.dtype == torch.int64
    )
    assert set(seg.unique().tolist()) <= set(range(21)) | {255}
    rsa = target_data("rsa", 2, image_size=SIZE, target_data="voc", target_root=tmp_path)
    test = target_data("test", 2, image_size=SIZE, target_data="voc", target_root=tmp_path)
    assert set(rsa.pairs).isdisjoint(test.pairs)
    with pytest.raises(ValueError, match="has 2 images"):
        target_data("val", 5, image_size=SIZE, target_data="voc", target_root=tmp_path)


def test_voc_missing_root(tmp_path):
    with pytest.raises(ValueError, match=r"nothing.*VOCdevkit"):
        target_data(
            "train", 1, image_size=SIZE, target_data="voc", target_root=tmp_path / "nothing"
        )


def test_zoo_trains_on_the_chosen_source_data(tmp_path):
    """With data="taskonomy" a task network trains on the folder's images under a key of its
    own; the synthetic key is unchanged (no data_root)."""
    from rsa_utils import zoo
    from rsa_utils.profiles import DataSources, get_profile

    _write_taskonomy(tmp_path / "tk", n=40)
    real = DataSources("taskonomy", tmp_path / "tk")
    p = get_profile("smoke", image_size=SIZE, n_train=8, n_val=4, n_test=4, steps=2, batch_size=4)
    key = zoo.model_key("normal", "small", p, 0, (1.0,), real)
    assert key["data"] == "taskonomy" and key["data_root"] == str((tmp_path / "tk").resolve())
    assert "data_root" not in zoo.model_key("normal", "small", p, 0, (1.0,))
    kw = dict(cache_dir=tmp_path / "cache", show_progress=False)
    r_real = zoo.get_record("normal", "small", p, 0, "cpu", sources=real, **kw)
    r_syn = zoo.get_record("normal", "small", p, 0, "cpu", **kw)
    # the folder's normals are one constant colour: the mean predictor is exact there only
    assert r_real["baseline"] < 1e-3 < r_syn["baseline"]
    voc = DataSources(target_data="voc", target_root=tmp_path / "voc")
    assert zoo.target_key(p, 0, voc)["data"] == "voc" and "data_root" in zoo.target_key(p, 0, voc)
    assert zoo.target_key(p, 0)["data"] == "synthetic"


def test_study_datasets_follow_the_chosen_data(tmp_path):
    """The notebooks take their RSA and test images from ``study.source_set`` / ``target_set``."""
    from rsa_utils.profiles import setup
    from rsa_utils.realdata import TaskonomyData

    _write_taskonomy(tmp_path / "tk", n=40)
    real = setup("smoke", "cpu", cache_dir=str(tmp_path / "c"), data="taskonomy",
                 data_root=str(tmp_path / "tk"))  # fmt: skip
    assert isinstance(real.source_set("rsa", 3, tasks=["normal"]), TaskonomyData)
    study = setup("smoke", "cpu", cache_dir=str(tmp_path / "c"))
    assert isinstance(study.source_set("rsa", 3), datasets.SourceData)
    assert isinstance(study.target_set("rsa", 3), datasets.TargetData)
