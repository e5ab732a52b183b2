"""The engine: one pass per unique image/text/pair, invariant to batch size and order, strict about bad output."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from snare.adapters.base import AdapterMeta, DualEncoder, PairScorer
from snare.adapters.constant import Constant
from snare.engine.evaluate import evaluate
from snare.engine.runner import score_items
from snare.errors import AdapterError
from snare.probes.item import ImageRef
from snare.probes.probeset import ProbeSet
from snare.probes.synthetic import synthetic_probeset
from tests.engine.tiny_models import TinyDual, TinyPair, TinyPairNoHooks
from tests.helpers import make_item


@pytest.fixture(scope="module")
def probes() -> ProbeSet:
    return synthetic_probeset(n_scenes=5)


def _loaded(cls, **kwargs):
    adapter = cls("random", **kwargs)
    adapter.ensure_loaded()
    return adapter


def _assert_same(a: dict[str, np.ndarray], b: dict[str, np.ndarray], atol: float = 1e-4) -> None:
    assert a.keys() == b.keys()
    worst = max(float(np.max(np.abs(a[k] - b[k]))) for k in a)
    assert worst <= atol, worst


@pytest.mark.parametrize("cls", [TinyDual, TinyPair, TinyPairNoHooks])
def test_scores_do_not_depend_on_batch_size_or_item_order(probes, cls):
    adapter = _loaded(cls)
    reference = score_items(adapter, probes, batch_size=64)
    for batch_size in (1, 3, 7):
        _assert_same(reference, score_items(adapter, probes, batch_size=batch_size))
    shuffled = list(reversed(probes.items))
    _assert_same(reference, score_items(adapter, probes, shuffled, batch_size=5))
    assert len({round(float(v), 6) for s in reference.values() for v in s}) > 10  # a real model, not a constant


def test_scores_equal_a_per_item_reference_loop(probes):
    """What the original code computes item by item, the engine computes once per unique image/text/pair."""
    dual, pair = _loaded(TinyDual), _loaded(TinyPair)
    fast_dual, fast_pair = score_items(dual, probes), score_items(pair, probes)
    for it in probes.items[:12]:
        image = probes.load_image(it.image)
        img = dual.embed_images([image])[0]
        txt = dual.embed_texts(list(it.options))
        expected = txt @ img / np.linalg.norm(txt, axis=1) / np.linalg.norm(img)
        np.testing.assert_allclose(fast_dual[it.id], expected, atol=1e-5)
        np.testing.assert_allclose(
            fast_pair[it.id], pair.score_pairs([image] * len(it.options), list(it.options)), atol=1e-5
        )


def test_each_unique_image_text_and_pair_is_computed_once(probes):
    n_images = len({it.image.key for it in probes})
    n_texts = len({o for it in probes for o in it.options})
    n_pairs = len({(it.image.key, o) for it in probes for o in it.options})
    assert n_pairs < sum(len(it.options) for it in probes)  # the set really has shared work
    dual = _loaded(TinyDual)
    score_items(dual, probes, batch_size=4)
    assert dual.counts == {"images": n_images, "texts": n_texts, "pairs": 0}
    pair = _loaded(TinyPair)
    score_items(pair, probes, batch_size=4)
    assert pair.counts == {"images": n_images, "texts": 0, "pairs": n_pairs}  # hooks: each image encoded once
    plain = _loaded(TinyPairNoHooks)
    score_items(plain, probes, batch_size=4)
    assert plain.counts["pairs"] == n_pairs and plain.counts["images"] == n_pairs


def test_lazy_loading_through_dataloader_workers_gives_the_same_scores(tmp_path):
    from PIL import Image

    colours = ["red", "blue", "green", "yellow", "purple"]
    items = []
    for i, colour in enumerate(colours):
        Image.new("RGB", (40 + i, 30), colour).save(tmp_path / f"{colour}.png")
        items.append(
            make_item(i, path=f"{colour}.png", options=(f"a {colour} box", f"a {colours[i - 1]} box"), cluster=colour)
        )
    probes = ProbeSet(items, name="files", image_root=tmp_path)
    adapter = _loaded(TinyDual)
    _assert_same(
        score_items(adapter, probes, batch_size=2, workers=0), score_items(adapter, probes, batch_size=2, workers=2)
    )


def test_same_image_content_under_two_paths_is_encoded_once(tmp_path):
    from PIL import Image

    Image.new("RGB", (20, 20), "red").save(tmp_path / "a.png")
    (tmp_path / "b.png").write_bytes((tmp_path / "a.png").read_bytes())
    items = [make_item(0, path="a.png"), make_item(1, path="b.png")]
    adapter = _loaded(TinyDual)
    scores = score_items(adapter, ProbeSet(items, name="dup", image_root=tmp_path))
    assert adapter.counts["images"] == 1
    np.testing.assert_array_equal(scores[items[0].id], scores[items[1].id])


def test_a_mirrored_image_is_another_image_with_the_mirrored_pixels(tmp_path):
    from PIL import Image

    halves = Image.new("RGB", (20, 20), "red")
    halves.paste("blue", (0, 0, 7, 20))
    halves.save(tmp_path / "a.png")
    halves.transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(tmp_path / "flipped.png")
    mirrored = make_item(1, path="a.png").model_copy(update={"image": ImageRef(path="a.png", flip=True)})
    items = [make_item(0, path="a.png"), mirrored, make_item(2, path="flipped.png")]
    adapter = _loaded(TinyDual)
    scores = score_items(adapter, ProbeSet(items, name="mirror", image_root=tmp_path))
    assert adapter.counts["images"] == 3  # keys name file and request: a mirror is not its unmirrored file
    np.testing.assert_array_equal(scores[items[1].id], scores[items[2].id])
    assert not np.array_equal(scores[items[0].id], scores[items[1].id])


class _Broken(PairScorer):
    meta = AdapterMeta(name="broken", family="test", head="bad", default_weights="none", license="mit")

    def load(self) -> None:
        self.mode = self.options["mode"]

    def score_pairs(self, images: Sequence[Any], texts: Sequence[str]) -> np.ndarray:
        if self.mode == "nan":
            return np.full(len(texts), np.nan)
        if self.mode == "short":
            return np.zeros(len(texts) - 1)
        return np.zeros((len(texts), 3))


class _BadDual(DualEncoder):
    meta = AdapterMeta(name="bad-dual", family="test", head="bad", default_weights="none", license="mit")

    def load(self) -> None:
        pass

    def embed_images(self, images: Sequence[Any]) -> np.ndarray:
        return np.ones((len(images), 4))

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        return np.ones((len(texts), 5))


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("nan", r"adapter 'broken': score_pairs returned NaN or infinite values"),
        ("short", r"adapter 'broken': score_pairs returned shape \(\d+,\) for \d+ inputs; expected"),
        ("wide", r"adapter 'broken': score_pairs returned shape \(\d+, 3\)"),
    ],
)
def test_bad_adapter_output_stops_with_a_clear_error(probes, mode, message):
    with pytest.raises(AdapterError, match=message):
        score_items(_Broken(mode=mode), probes)


def test_embedding_size_mismatch_is_an_error(probes):
    with pytest.raises(AdapterError, match=r"'bad-dual': image and text embeddings differ in size \[4, 5\]"):
        score_items(_BadDual(), probes)


def test_evaluate_records_engine_settings_and_keeps_the_result_format(probes, tmp_path):
    import json

    result = evaluate(Constant(), probes, batch_size=8, cache=tmp_path / "cache")
    engine = result.record.engine
    assert engine["batch_size"] == 8 and engine["processes"] == 1
    assert engine["computed"] == {"pairs": engine["computed"]["pairs"]} and engine["cache"].startswith(str(tmp_path))
    out = result.write(tmp_path / "run")
    summary = json.loads((out / "results.json").read_text())
    assert all(t["ties"] == t["n"] for t in summary["tasks"].values())  # a constant model ties everywhere
    rows = (out / "predictions" / "negation_logic.jsonl").read_text().splitlines()
    assert {"id", "scores", "predicted", "tie"} <= set(json.loads(rows[0]))


def test_items_with_missing_images_fail_with_one_line(tmp_path):
    from snare.errors import ProbeFormatError

    probes = ProbeSet([make_item(0, path="missing.png")], name="x", image_root=tmp_path)
    with pytest.raises(ProbeFormatError, match="image not found"):
        score_items(_loaded(TinyDual), probes)
    assert ImageRef(path="missing.png").key  # the reference itself stays valid


def test_the_schedule_takes_each_images_captions_together_sorted_by_length():
    from snare.engine.runner import pair_schedule

    work = pair_schedule([[("a longer one", "p1"), ("b", "p2")], [], [("cc", "p3"), ("a", "p4"), ("bb", "p5")]])
    assert work == [("b", "p2", 0), ("a longer one", "p1", 0), ("a", "p4", 2), ("bb", "p5", 2), ("cc", "p3", 2)]


def test_the_engine_never_returns_to_an_image_it_has_left(probes):
    """Per-image state (a cached prompt prefix) is used by all of an image's captions before the next image's."""

    class Recording(TinyPair):
        def score_encoded(self, encoded, texts):
            states.extend(encoded)  # kept alive, so that no two states share an id
            return super().score_encoded(encoded, texts)

    states: list[Any] = []
    score_items(_loaded(Recording), probes, batch_size=3)
    order = [id(state) for state in states]
    runs = [state for i, state in enumerate(order) if i == 0 or order[i - 1] != state]
    assert len(order) > len(runs)  # images have several captions
    assert len(runs) == len(set(runs))  # each image's captions form one contiguous run
