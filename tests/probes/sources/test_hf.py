import pytest

from snare.probes.sources import SourceError, open_source
from tests.probes.sources.fixtures import CAPTIONS, write_hf


def test_saved_dataset_images_are_written_once_by_content(tmp_path):
    write_hf(tmp_path / "ds")
    src = open_source(str(tmp_path / "ds"), "captions", image_dir=tmp_path / "img")
    assert src.info["caption_column"] == "sentences"  # found among the usual names
    assert [r.captions for r in src.records] == [tuple(CAPTIONS[i : i + 2]) for i in range(3)]
    files = sorted(p.name for p in (tmp_path / "img").iterdir())
    assert len(files) == 3 and all(f.endswith(".png") for f in files)
    assert {r.image for r in src.records} == set(files) and src.records[0].cluster.startswith("hf/")
    again = open_source(str(tmp_path / "ds"), "captions", image_dir=tmp_path / "img")
    assert again.records == src.records


def test_hf_prefix_on_a_save_to_disk_folder_reads_it_as_the_bare_path_does(tmp_path):
    write_hf(tmp_path / "ds")
    bare = open_source(str(tmp_path / "ds"), "captions", image_dir=tmp_path / "img")
    prefixed = open_source(f"hf:{tmp_path / 'ds'}", "captions", image_dir=tmp_path / "img")
    assert prefixed.records == bare.records and prefixed.info == bare.info


def test_hf_name_through_load_dataset_on_a_local_data_folder(tmp_path):
    import datasets
    from PIL import Image

    ds = datasets.Dataset.from_dict(
        {"image": [Image.new("RGB", (8, 8), (1, 2, 3))], "caption": ["a red dog"]},
        features=datasets.Features({"image": datasets.Image(), "caption": datasets.Value("string")}),
    )
    (tmp_path / "data").mkdir()
    ds.to_parquet(str(tmp_path / "data" / "test-00000.parquet"))
    src = open_source(f"hf:{tmp_path / 'data'}", "captions", image_dir=tmp_path / "img")
    assert [r.captions for r in src.records] == [("a red dog",)]


def test_errors_name_columns_splits_and_offline_state(tmp_path):
    write_hf(tmp_path / "ds")
    with pytest.raises(SourceError, match=r"no column 'img'.*--image-column"):
        open_source(str(tmp_path / "ds"), "captions", image_dir=tmp_path / "i", image_column="img")
    with pytest.raises(SourceError, match="no split 'train'"):
        open_source(str(tmp_path / "ds"), "captions", split="train", image_dir=tmp_path / "i")
    with pytest.raises(
        SourceError, match=r"cannot load Hugging Face dataset 'hf:nobody/nothing'.*HF_HUB_OFFLINE"
    ) as info:
        open_source("hf:nobody/nothing", "captions", image_dir=tmp_path / "i")
    assert "\n" not in str(info.value)


def test_corrupt_image_bytes_are_reported_or_skipped(tmp_path):
    import datasets

    ds = datasets.Dataset.from_dict(
        {"image": [{"bytes": b"not an image", "path": None}], "caption": ["a dog"]},
        features=datasets.Features({"image": datasets.Image(), "caption": datasets.Value("string")}),
    )
    ds.save_to_disk(str(tmp_path / "ds"))
    with pytest.raises(SourceError, match="row 0: image cannot be read"):
        open_source(str(tmp_path / "ds"), "captions", image_dir=tmp_path / "i")
    src = open_source(str(tmp_path / "ds"), "captions", image_dir=tmp_path / "i", skip_bad=True)
    assert src.records == [] and dict(src.skipped) == {"corrupt image": 1}


def test_aro_style_rows_give_visual_genome_records_and_tasks(tmp_path):
    """``hf:`` with (image, true_caption, false_caption) rows, as the ARO mirrors have, builds the VG tasks."""
    from snare.probes.build import build_probeset, source_kind
    from tests.probes.sources.local_hub import vg_attribution_repo, vg_relation_repo

    for name, files in (("rel", vg_relation_repo()), ("att", vg_attribution_repo())):
        for path, data in files.items():
            (tmp_path / name / path).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name / path).write_bytes(data)
    rel, att = f"hf:{tmp_path / 'rel' / 'data'}", f"hf:{tmp_path / 'att' / 'data'}"
    assert source_kind(rel, "spatial_relations") == "vg_relation"
    assert source_kind(att, "negation_logic") == "vg_attribution"  # decided by the template, no attributes column
    probes = build_probeset(["vg_relation", "spatial_relations"], rel, image_dir=tmp_path / "img")
    by_task = probes.by_task()
    assert len(by_task["vg_relation"]) == 7 and len(by_task["spatial_relations"]) == 5
    first = by_task["vg_relation"][0]
    assert first.image.bbox == (2.0, 3.0, 30.0, 20.0) and first.meta["obj1"] == "horse"
    probes = build_probeset(["attribute_ownership"], att, image_dir=tmp_path / "img")
    assert len(probes) == 4 and probes.info["skipped_records"]["vg_attribution"] == {"ambiguous template": 1}
    assert probes.items[0].options[2].endswith("respectively")


def test_image_paths_never_leave_the_dataset_folder(tmp_path):
    import os

    import pytest

    from snare.probes.sources.hf import _image_bytes

    data = tmp_path / "ds"
    data.mkdir()
    (tmp_path / "secret.txt").write_bytes(b"private key")
    (data / "ok.jpg").write_bytes(b"jpeg bytes")
    os.symlink(tmp_path / "secret.txt", data / "link.jpg")
    assert _image_bytes({"bytes": None, "path": "ok.jpg"}, data) == b"jpeg bytes"
    for bad in (str(tmp_path / "secret.txt"), "../secret.txt", "link.jpg"):
        with pytest.raises(ValueError, match="outside the dataset folder"):
            _image_bytes({"bytes": None, "path": bad}, data)
    with pytest.raises(ValueError, match="outside the dataset folder"):
        _image_bytes("ok.jpg", None)  # a hub dataset has no folder to resolve paths against
