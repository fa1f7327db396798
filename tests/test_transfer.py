"""Transfer readouts + AHP on a toy set of sources whose ordering is known, and fine-tuning keys."""

import numpy as np
import torch
import torch.nn.functional as F

from rsa_utils import taxonomy, transfer


def _toy(n, seed):
    """Targets: a smooth depth-like map (N, 1, 32, 32) determined by a 2 x 2 code (N, 1, 2, 2)."""
    g = torch.Generator().manual_seed(seed)
    code = torch.rand(n, 1, 2, 2, generator=g)
    target = F.interpolate(code, size=32, mode="bilinear", align_corners=False)
    return code, target


def test_own_representation_wins_and_leads_the_affinities():
    code_tr, y_tr = _toy(96, 0)
    code_te, y_te = _toy(48, 1)
    g = torch.Generator().manual_seed(2)
    sources = {
        "own": (code_tr.expand(-1, 8, -1, -1), code_te.expand(-1, 8, -1, -1)),  # carries the target
        "half": (torch.cat([code_tr.expand(-1, 4, -1, -1), torch.randn(96, 4, 2, 2, generator=g)], 1),
                 torch.cat([code_te.expand(-1, 4, -1, -1), torch.randn(48, 4, 2, 2, generator=g)], 1)),
        "noise": (torch.randn(96, 8, 2, 2, generator=g), torch.randn(48, 8, 2, 2, generator=g)),
    }  # fmt: skip
    losses = {}
    for name, (z_tr, z_te) in sources.items():
        out = transfer.train_readouts(
            z_tr, {"depth_zbuffer": y_tr}, z_te, {"depth_zbuffer": y_te},
            steps=150, batch_size=32, lr=3e-3, seed=0, image_size=32,
        )  # fmt: skip
        losses[name] = out["depth_zbuffer"]
        assert out["depth_zbuffer"].shape == (48,) and np.isfinite(out["depth_zbuffer"]).all()
    stacked = np.stack([losses[k] for k in sources])
    wins = taxonomy.win_rates(stacked)
    assert wins[0, 2] > 0.7  # the target's own representation beats noise on most images
    aff = taxonomy.ahp_affinities(wins)
    assert np.argmax(aff) == 0 and np.argmin(aff) == 2
    assert aff.sum() == np.float64(1.0) or abs(aff.sum() - 1) < 1e-12


def test_readouts_of_one_source_train_independently():
    """Training two targets together gives the same losses as training each alone."""
    code_tr, y_tr = _toy(32, 0)
    code_te, y_te = _toy(16, 1)
    z_tr, z_te = code_tr.expand(-1, 8, -1, -1), code_te.expand(-1, 8, -1, -1)
    kw = dict(steps=5, batch_size=8, seed=0, image_size=32)
    both = transfer.train_readouts(z_tr, {"depth_zbuffer": y_tr, "reshading": 1 - y_tr}, z_te,
                                   {"depth_zbuffer": y_te, "reshading": 1 - y_te}, **kw)  # fmt: skip
    assert set(both) == {"depth_zbuffer", "reshading"}
    assert not np.allclose(both["depth_zbuffer"], both["reshading"])


def test_finetune_rejects_unknown_initialisation():
    import pytest

    from rsa_utils.profiles import get_profile

    with pytest.raises(ValueError, match="scratch"):
        transfer.finetune("imagenet", get_profile("smoke"))


def test_miou_of_images_sums_images_and_resamples_them():
    """Per-image intersections and unions give the mIoU of the summed confusion matrix, and a
    draw of image indices the mIoU of those images (repeats counted)."""
    import torch

    from rsa_utils.nets.losses import confusion_matrix, miou_from_confusion

    g = torch.Generator().manual_seed(0)
    pred, label = (
        torch.randint(0, 4, (6, 8, 8), generator=g),
        torch.randint(0, 3, (6, 8, 8), generator=g),
    )
    confs = torch.stack([confusion_matrix(p, t, 5) for p, t in zip(pred, label)])
    inter = confs.diagonal(dim1=1, dim2=2)
    union = confs.sum(1) + confs.sum(2) - inter
    assert abs(transfer.miou_of_images(inter, union) - miou_from_confusion(confs.sum(0))) < 1e-12
    draws = np.array([[0, 0, 1, 2, 3, 5], [4, 4, 4, 4, 4, 4]])
    got = transfer.miou_of_images(inter, union, draws)
    want = [miou_from_confusion(confs[d].sum(0)) for d in draws]
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    assert np.isnan(transfer.miou_of_images(inter * 0, union * 0))  # no class present


def test_readout_decoder_is_the_profiles_choice():
    """``readout_decoder`` picks the readouts' decoder (Table S1's or the Taskonomy network's),
    enters the readouts' cache key, and an unknown value is refused before any training."""
    import pytest

    from rsa_utils.profiles import get_profile
    from rsa_utils.tasks import get_task

    task = get_task("depth_zbuffer")
    small, big = (transfer.Readout(task, 32, decoder=d, width=16) for d in ("small", "taskonomy"))
    n = [sum(p.numel() for p in r.decoder.parameters()) for r in (small, big)]
    assert n[1] > 3 * n[0]  # the Taskonomy decoder is the larger one (about 3.8 times)
    z = torch.zeros(2, 8, 2, 2)
    assert small(z).shape == big(z).shape == (2, 1, 32, 32)
    p = get_profile("smoke", "cpu")
    q = p.replace(readout_decoder="taskonomy")
    assert transfer.transfer_key("normal", ["normal"], q, 0)["decoder"] == "taskonomy"
    assert transfer.transfer_key("normal", ["normal"], p, 0) != transfer.transfer_key(
        "normal", ["normal"], q, 0
    )
    with pytest.raises(ValueError, match="readout_decoder.*'small', 'taskonomy'"):
        p.replace(readout_decoder="resnet")
    with pytest.raises(ValueError, match="unknown readout decoder 'resnet'"):
        transfer.Readout(task, 32, decoder="resnet")
