import json

import pytest

from snare.errors import ProbeFormatError
from snare.probes.item import ImageRef, ProbeItem
from snare.probes.probeset import ProbeSet
from tests.helpers import make_item


def test_item_round_trip_is_canonical():
    item = make_item(3, options=("x y", "y x"), correct=1)
    again = ProbeItem.model_validate(json.loads(item.canonical()))
    assert again == item
    assert again.canonical() == item.canonical()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"correct": 5}, "correct=5"),
        ({"labels": ["only-one"]}, "labels"),
        ({"options": ["a", " "]}, "empty"),
        ({"image": {}}, "exactly one"),
    ],
)
def test_item_validation_rejects_inconsistent_items(change, message):
    data = {**make_item(0).to_json(), **change}
    with pytest.raises(ValueError, match=message):
        ProbeItem.model_validate(data)


def test_save_load_round_trip_and_fingerprint(tmp_path):
    items = [make_item(i) for i in range(5)] + [make_item(9, task="semantic_structure")]
    probes = ProbeSet(items, name="t")
    probes.save(tmp_path / "p")
    loaded = ProbeSet.load(tmp_path / "p")
    assert [it.id for it in loaded] == [it.id for it in probes]
    assert loaded.fingerprint == probes.fingerprint
    assert sorted(p.name for p in (tmp_path / "p").iterdir()) == [
        "manifest.json",
        "negation_logic.jsonl",
        "semantic_structure.jsonl",
    ]


def test_fingerprint_ignores_item_order_but_not_content():
    items = [make_item(i) for i in range(4)]
    a = ProbeSet(items, name="t").fingerprint
    b = ProbeSet(list(reversed(items)), name="t").fingerprint
    c = ProbeSet([*items[:3], make_item(3, correct=1)], name="t").fingerprint
    assert a == b
    assert a != c


def test_fingerprint_tracks_image_bytes_not_location(tmp_path):
    from PIL import Image

    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        Image.new("RGB", (8, 8), (10, 20, 30)).save(tmp_path / folder / "img.png")
    items = [make_item(0, path="img.png")]
    a = ProbeSet(items, name="t", image_root=tmp_path / "one").fingerprint
    b = ProbeSet(items, name="t", image_root=tmp_path / "two").fingerprint
    Image.new("RGB", (8, 8), (10, 20, 31)).save(tmp_path / "two" / "img.png")
    c = ProbeSet(items, name="t", image_root=tmp_path / "two").fingerprint
    assert a == b != c


def test_duplicate_ids_are_refused():
    with pytest.raises(ProbeFormatError, match="duplicate"):
        ProbeSet([make_item(1), make_item(1)], name="t")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: (d / "manifest.json").unlink(), "manifest.json is missing"),
        (lambda d: (d / "manifest.json").write_text("{nope"), "not valid JSON"),
        (lambda d: (d / "negation_logic.jsonl").write_text("{bad json\n"), r"negation_logic.jsonl:1: not valid JSON"),
        (lambda d: (d / "negation_logic.jsonl").write_text('{"id": "x"}\n'), r"negation_logic.jsonl:1: "),
        (lambda d: (d / "negation_logic.jsonl").unlink(), "missing"),
    ],
)
def test_load_errors_are_one_line_and_name_the_file(tmp_path, damage, message):
    ProbeSet([make_item(i) for i in range(2)], name="t").save(tmp_path / "p")
    damage(tmp_path / "p")
    with pytest.raises(ProbeFormatError, match=message) as info:
        ProbeSet.load(tmp_path / "p")
    assert "\n" not in str(info.value)


def test_missing_image_is_a_clear_error(tmp_path):
    probes = ProbeSet([make_item(0, path="nowhere.jpg")], name="t", image_root=tmp_path)
    with pytest.raises(ProbeFormatError, match="image not found"):
        probes.load_image(probes.items[0].image)


def test_corrupt_image_is_a_clear_error(tmp_path):
    (tmp_path / "bad.jpg").write_bytes(b"not an image")
    probes = ProbeSet([make_item(0, path="bad.jpg")], name="t", image_root=tmp_path)
    with pytest.raises(ProbeFormatError, match="cannot be read"):
        probes.load_image(probes.items[0].image)


def test_bbox_crop(tmp_path):
    from PIL import Image

    Image.new("RGB", (40, 30), (1, 2, 3)).save(tmp_path / "img.png")
    ref = ImageRef(path="img.png", bbox=(5, 5, 10, 20))
    probes = ProbeSet([], name="t", image_root=tmp_path)
    assert probes.load_image(ref).size == (10, 20)


def test_subset_limits_each_task():
    items = [make_item(i) for i in range(5)] + [make_item(i, task="semantic_structure") for i in range(3)]
    sub = ProbeSet(items, name="t").subset(limit=2)
    assert {t: len(v) for t, v in sub.by_task().items()} == {"negation_logic": 2, "semantic_structure": 2}


def test_a_mirrored_image_ref_round_trips_and_is_absent_from_json_unless_true():
    plain, mirrored = ImageRef(path="a.jpg", bbox=(1, 2, 3, 4)), ImageRef(path="a.jpg", bbox=(1, 2, 3, 4), flip=True)
    assert "flip" not in plain.key and "flip" not in plain.model_dump_json()
    assert "flip" not in make_item(0).canonical()  # probe sets without mirrors keep their bytes and fingerprints
    assert json.loads(mirrored.key)["flip"] is True and mirrored.key != plain.key
    assert ImageRef.model_validate_json(mirrored.model_dump_json()) == mirrored
    item = make_item(0).model_copy(update={"image": mirrored})
    assert ProbeItem.model_validate(json.loads(item.canonical())) == item
    scene = make_item(0)  # a synthetic scene: its fingerprint needs no file
    flipped = scene.model_copy(update={"image": scene.image.model_copy(update={"flip": True})})
    assert ProbeSet([flipped], name="t").fingerprint != ProbeSet([scene], name="t").fingerprint
    with pytest.raises(ValueError, match="boolean"):
        ImageRef.model_validate({"path": "a.jpg", "flip": "yes"})


def test_a_mirrored_crop_is_the_crop_flipped_and_the_mirrored_box_of_the_flipped_image(tmp_path):
    import numpy as np
    from PIL import Image

    pixels = np.zeros((30, 40, 3), dtype=np.uint8)
    pixels[:, :10] = (255, 0, 0)  # red on the left quarter, blue elsewhere, a green row to tell up from down
    pixels[:, 10:] = (0, 0, 255)
    pixels[0] = (0, 255, 0)
    Image.fromarray(pixels).save(tmp_path / "img.png")
    probes = ProbeSet([], name="t", image_root=tmp_path)
    crop = np.asarray(probes.load_image(ImageRef(path="img.png", bbox=(5, 0, 10, 30))))
    flipped = np.asarray(probes.load_image(ImageRef(path="img.png", bbox=(5, 0, 10, 30), flip=True)))
    assert (crop[1:, :5] == (255, 0, 0)).all() and (crop[1:, 5:] == (0, 0, 255)).all()
    assert (flipped[1:, :5] == (0, 0, 255)).all() and (flipped[1:, 5:] == (255, 0, 0)).all()  # red now right
    assert (flipped[0] == (0, 255, 0)).all()  # not turned upside down
    whole = np.asarray(probes.load_image(ImageRef(path="img.png", flip=True)))
    assert (whole == pixels[:, ::-1]).all()
    x, w = 5, 10
    assert (flipped == whole[:, 40 - x - w : 40 - x]).all()  # the mirrored box x' = W - x - w
