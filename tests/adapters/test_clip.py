"""CLIP through open_clip: random full-size weights, local checkpoints, offline failure."""

import json

import numpy as np
import pytest

from snare.adapters.clip import OpenClip
from snare.errors import WeightsUnavailableError
from snare.probes.scenes import render_scene
from snare.probes.synthetic import synthetic_probeset
from tests.helpers import error_lines, run_snare


def test_clip_random_weights_build_the_full_architecture(clip_random):
    n_params = sum(p.numel() for p in clip_random.model.parameters())
    assert 140e6 < n_params < 160e6  # ViT-B-32: ~151M
    assert not clip_random.model.training
    assert clip_random.describe()["preprocessing"]["activation"] == "gelu"


def test_clip_embeddings_are_batch_invariant(clip_random):
    probes = synthetic_probeset(n_scenes=4)
    images = [render_scene(it.image.scene) for it in probes.items[:4]]
    texts = list(probes.items[0].options)
    whole = clip_random.embed_images(images)
    split = np.concatenate([clip_random.embed_images(images[:1]), clip_random.embed_images(images[1:])])
    np.testing.assert_allclose(whole, split, atol=1e-4)
    np.testing.assert_allclose(
        clip_random.embed_texts(texts),
        np.concatenate([clip_random.embed_texts(texts[:2]), clip_random.embed_texts(texts[2:])]),
        atol=1e-4,
    )


def test_clip_local_checkpoint_round_trip(tmp_path, clip_random):
    import torch

    path = tmp_path / "ckpt.pt"
    torch.save({"state_dict": {f"module.{k}": v for k, v in clip_random.model.state_dict().items()}}, path)
    loaded = OpenClip(str(path))
    loaded.ensure_loaded()
    assert loaded.revision.startswith("sha256:")
    texts = ["a red circle", "a blue square"]
    np.testing.assert_allclose(loaded.embed_texts(texts), clip_random.embed_texts(texts), atol=1e-5)


def test_clip_checkpoint_with_wrong_keys_lists_mismatches(tmp_path, clip_random):
    import torch

    state = clip_random.model.state_dict()
    state["not_a_clip_key"] = torch.zeros(1)
    del state["logit_scale"]
    torch.save(state, tmp_path / "bad.pt")
    with pytest.raises(WeightsUnavailableError, match=r"1 missing \(e.g. logit_scale\); 1 unexpected"):
        OpenClip(str(tmp_path / "bad.pt")).ensure_loaded()


def test_clip_unknown_weights_tag_lists_the_valid_ones():
    with pytest.raises(WeightsUnavailableError, match=r"tags: .*openai"):
        OpenClip("not-a-tag").ensure_loaded()


def test_clip_offline_real_weights_fail_fast_with_nothing_written(tmp_path):
    out = tmp_path / "run"
    proc = run_snare("eval", "--model", "clip", "--output", str(out))
    assert proc.returncode == 2
    lines = error_lines(proc.stderr)
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert "timm/vit_base_patch32_clip_224.openai" in lines[0]
    assert "HF_HUB_OFFLINE" in lines[0] and "--weights random" in lines[0] and "--weights PATH" in lines[0]
    assert not out.exists()


@pytest.mark.slow
def test_clip_random_eval_end_to_end(tmp_path):
    out = tmp_path / "x"
    proc = run_snare("eval", "--model", "clip", "--weights", "random", "--limit", "20", "--output", str(out), "-q")
    assert proc.returncode == 0, proc.stderr
    results = json.loads((out / "results.json").read_text())
    assert {t: s["n"] for t, s in results["tasks"].items()} == {
        "attribute_ownership": 20,
        "negation_logic": 20,
        "relationship_composition": 20,
        "semantic_structure": 20,
        "spatial_relations": 20,
    }
    assert results["model"]["weights"] == "random" and results["model"]["options"]["arch"] == "ViT-B-32"
    assert not list(tmp_path.glob(".x.*")), "no staging folder left behind"


def _tiny_transformers_clip(folder, model_type: str):
    """A tiny transformers CLIP or SigLIP saved with a word-level tokenizer and the model's image processor."""
    import torch
    from transformers import CLIPConfig, CLIPImageProcessorPil, CLIPModel, SiglipConfig, SiglipModel
    from transformers.models.siglip.image_processing_pil_siglip import SiglipImageProcessorPil

    from tests.adapters.hf_helpers import word_tokenizer

    size = word_tokenizer(folder, bos=False)
    small = {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 2}
    text = {**small, "vocab_size": size, "max_position_embeddings": 16}
    vision = {**small, "image_size": 32, "patch_size": 16}
    torch.manual_seed(0)
    if model_type == "clip":
        text.update(eos_token_id=1, pad_token_id=0, bos_token_id=3)
        model = CLIPModel(CLIPConfig(text_config=text, vision_config=vision, projection_dim=16))
        processor = CLIPImageProcessorPil(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
    else:
        model = SiglipModel(SiglipConfig(text_config=text, vision_config=vision))
        processor = SiglipImageProcessorPil(size={"height": 32, "width": 32})
    model.save_pretrained(folder)
    processor.save_pretrained(folder)
    return folder, model.eval()


@pytest.mark.parametrize("model_type", ["clip", "siglip"])
def test_clip_transformers_backend_equals_a_direct_forward(tmp_path, model_type):
    import torch
    from transformers import AutoImageProcessor, AutoTokenizer

    folder, model = _tiny_transformers_clip(tmp_path / model_type, model_type)
    adapter = OpenClip(str(folder))
    adapter.ensure_loaded()
    probes = synthetic_probeset(n_scenes=3)
    images = [render_scene(it.image.scene) for it in probes.items[:3]]
    texts = list(probes.items[0].options)
    processor, tokenizer = (
        AutoImageProcessor.from_pretrained(folder, backend="pil"),
        AutoTokenizer.from_pretrained(folder),
    )
    padding = "max_length" if model_type == "siglip" else "longest"
    tokens = tokenizer(texts, padding=padding, truncation=True, max_length=16, return_tensors="pt")
    text_inputs = {"input_ids": tokens.input_ids}
    if model_type == "clip":
        text_inputs["attention_mask"] = tokens.attention_mask
    with torch.inference_mode():
        out = model(pixel_values=processor(images, return_tensors="pt")["pixel_values"], **text_inputs)
    # the models' forward returns normalised embeddings; the adapter leaves normalising to the engine
    np.testing.assert_allclose(_unit(adapter.embed_images(images)), out.image_embeds.numpy(), atol=1e-5)
    np.testing.assert_allclose(_unit(adapter.embed_texts(texts)), out.text_embeds.numpy(), atol=1e-5)
    record = adapter.describe()
    assert record["preprocessing"]["model_type"] == model_type and record["revision"].startswith("sha256:")
    assert "arch" not in record["options"]


def _unit(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_clip_transformers_backend_refuses_other_families(tmp_path):
    from transformers import BlipConfig

    folder = tmp_path / "blip"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(BlipConfig().to_dict()))
    with pytest.raises(WeightsUnavailableError, match=r"'blip' model .*use --model blip"):
        OpenClip(str(folder)).ensure_loaded()
    with pytest.raises(WeightsUnavailableError, match=r"openai/clip-vit-base-patch32.*HF_HUB_OFFLINE"):
        OpenClip("openai/clip-vit-base-patch32").ensure_loaded()


def test_the_openai_tag_table_agrees_with_open_clip():
    import open_clip

    from snare.adapters.clip import OPENAI_REPOS

    for arch, repo in OPENAI_REPOS.items():
        assert open_clip.get_pretrained_cfg(arch, "openai")["hf_hub"].strip("/") == repo
    assert OpenClip().hub_repo() == "timm/vit_base_patch32_clip_224.openai"
    assert OpenClip("random").hub_repo() is None and OpenClip("openai", arch="ViT-H-14").hub_repo() is None


def test_clip_offline_is_refused_before_open_clip_or_torch_is_imported(tmp_path):
    proc = run_snare("eval", "--model", "clip", "--output", str(tmp_path / "run"), env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert proc.returncode == 2
    imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert "open_clip" not in imported and "torch" not in imported
    assert any("timm/vit_base_patch32_clip_224.openai" in line for line in proc.stderr.splitlines())
