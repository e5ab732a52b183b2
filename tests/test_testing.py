"""The conformance kit: good adapters pass, each kind of broken adapter is caught by the check that names it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from snare.adapters.base import AdapterMeta, PairScorer
from snare.adapters.constant import Constant
from snare.errors import AdapterError
from snare.testing import check_adapter
from tests.engine.tiny_models import TinyDual, TinyPair


def _statuses(report) -> dict[str, str]:
    return {r.name: r.status for r in report.results}


def test_constant_adapter_passes_without_torch():
    report = check_adapter(Constant(), dtypes=["float32"])
    assert report.ok, report.summary()
    assert _statuses(report)["engine batch-size invariance"] == "passed"


@pytest.mark.parametrize("cls", [TinyDual, TinyPair])
def test_tiny_torch_adapters_pass_every_check_including_dtypes(cls):
    report = check_adapter(cls, weights="random", devices=["cpu"])
    statuses = _statuses(report)
    assert report.ok, report.summary()
    assert statuses["dtype bfloat16"] == "passed" and statuses["eval mode"] == "passed"
    if cls is TinyPair:
        assert statuses["image-reuse hooks"] == "passed"


class _Broken(PairScorer):
    """A pair scorer whose ``mode`` option selects one way of breaking the contract."""

    meta = AdapterMeta(name="broken", family="test", head="bad", default_weights="none", license="mit")

    def load(self) -> None:
        import torch

        self.mode = self.options.get("mode", "ok")
        torch.manual_seed(0)
        self.model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Dropout(0.5), torch.nn.Linear(4, 1))
        if self.mode != "train":
            self.model.eval()
        if self.mode == "subtrain":  # the model says eval, one dropout inside it does not
            self.model[1].train()
        self.rng = np.random.default_rng(0)

    def score_pairs(self, images: Sequence[Any], texts: Sequence[str]) -> np.ndarray:
        import torch

        features = torch.tensor(
            [
                [float(np.asarray(img).mean()) / 255, len(t) / 50, t.count("e") / 5]
                for img, t in zip(images, texts, strict=True)
            ]
        )
        with torch.no_grad():
            scores = self.model(features).squeeze(1).numpy().astype(np.float64)
        if self.mode == "nan":
            scores[-1] = np.nan
        elif self.mode == "shape":
            scores = scores[:, None].repeat(2, 1)
        elif self.mode == "noisy":
            scores = scores + self.rng.normal(size=len(scores))
        elif self.mode == "batch":
            scores = scores - scores.mean()  # depends on the rest of the batch
        return scores

    def encode_images(self, images: Sequence[Any]) -> list[Any]:
        return list(images)

    def score_encoded(self, encoded: Sequence[Any], texts: Sequence[str]) -> np.ndarray:
        scores = self.score_pairs(encoded, texts)
        return scores + 1.0 if self.mode == "hooks" else scores


@pytest.mark.parametrize(
    ("mode", "failed_check"),
    [
        ("nan", "shapes"),
        ("shape", "shapes"),
        ("noisy", "determinism"),
        ("batch", "batch-size invariance"),
        ("train", "eval mode"),
        ("subtrain", "eval mode"),
        ("hooks", "image-reuse hooks"),
    ],
)
def test_broken_adapters_are_caught_by_the_right_check(mode, failed_check):
    report = check_adapter(_Broken(mode=mode), dtypes=["float32"], raise_on_failure=False)
    assert not report.ok
    assert failed_check in {r.name for r in report.failed}, report.summary()
    with pytest.raises(AdapterError, match=rf"adapter 'broken' fails conformance: .*{failed_check}"):
        check_adapter(_Broken(mode=mode), dtypes=["float32"])


def test_working_variant_of_the_broken_adapter_passes():
    assert check_adapter(_Broken(mode="ok"), dtypes=["float32"]).ok


def test_unsupported_dtype_is_skipped_not_failed():
    class NoHalf(TinyDual):
        def load(self) -> None:
            if self.dtype == "float16":
                from snare.errors import WeightsUnavailableError

                raise WeightsUnavailableError("float16 is not supported on this device")
            super().load()

    report = check_adapter(NoHalf, weights="random", devices=["cpu"])
    assert _statuses(report)["dtype float16"] == "skipped" and report.ok


def test_incomplete_metadata_and_failed_load_are_reported():
    class Anonymous(Constant):
        meta = AdapterMeta(name="anon", family="", head="constant", default_weights="none", license="")

    class Unloadable(Constant):
        def load(self) -> None:
            raise RuntimeError("weights missing")

    report = check_adapter(Anonymous(), dtypes=["float32"], raise_on_failure=False)
    assert [(r.name, r.detail) for r in report.failed] == [("metadata", "empty metadata: family, license")]
    broken = check_adapter(Unloadable(), raise_on_failure=False)
    assert [r.name for r in broken.failed] == ["load"] and "weights missing" in broken.failed[0].detail
