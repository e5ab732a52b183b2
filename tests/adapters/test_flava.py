"""FLAVA adapters: parity with transformers' FlavaForPreTraining, batch invariance, direction, bad input."""

import json

import numpy as np
import pytest

from snare.adapters.flava import FlavaItc, FlavaItm
from snare.errors import WeightsUnavailableError
from tests.adapters.hf_helpers import bert_vocab, overfit, scenes
from tests.helpers import error_lines, run_snare


@pytest.fixture(scope="module")
def flava_tiny():
    adapter = FlavaItm("random", config="tiny", tokenizer=str(bert_vocab()), seed=1)
    adapter.ensure_loaded()
    return adapter


def _direct_itm_logits(adapter, images, texts):
    """FlavaForPreTraining's own ITM path, with no patch masked (as ARO's and SNARE's FLAVA wrapper call it)."""
    import torch

    tokens = adapter._tokens(texts)
    pixels = adapter._pixels(images)
    n_patches = adapter.model.flava.image_model.embeddings.patch_embeddings.num_patches
    with torch.inference_mode():
        return adapter.model(
            input_ids=tokens.input_ids,
            input_ids_masked=tokens.input_ids,
            attention_mask=tokens.attention_mask,
            token_type_ids=tokens.token_type_ids,
            pixel_values=pixels,
            bool_masked_pos=torch.zeros(len(texts), n_patches, dtype=torch.bool),
            return_loss=False,
        ).itm_logits


def test_flava_itm_scores_equal_a_direct_transformers_forward(flava_tiny):
    images, options = scenes(3)
    texts = [opts[k] for opts in options for k in (0, 2)]
    images = [img for img in images for _ in range(2)]
    logits = _direct_itm_logits(flava_tiny, images, texts)
    np.testing.assert_allclose(flava_tiny.score_pairs(images, texts), (logits[:, 1] - logits[:, 0]).numpy(), atol=1e-5)
    assert flava_tiny.preprocessing()["special_tokens"] == "[CLS] {caption} [SEP]"


def test_flava_itc_embeddings_equal_the_contrastive_projections():
    import torch

    adapter = FlavaItc("random", config="tiny", tokenizer=str(bert_vocab()), seed=1)
    adapter.ensure_loaded()
    images, options = scenes(2)
    texts = [opts[0] for opts in options]
    tokens = adapter._tokens(texts)
    with torch.inference_mode():
        out = adapter.model(
            input_ids=tokens.input_ids,
            attention_mask=tokens.attention_mask,
            pixel_values=adapter._pixels(images),
            return_loss=False,
        )
        flava = adapter.model.flava
        image_ref = flava.image_projection(out.image_embeddings[:, 0, :]).numpy()
        text_ref = flava.text_projection(out.text_embeddings[:, 0, :]).numpy()
    np.testing.assert_allclose(adapter.embed_images(images), image_ref, atol=1e-5)
    np.testing.assert_allclose(adapter.embed_texts(texts), text_ref, atol=1e-5)


def test_flava_scores_are_batch_invariant_and_the_image_hook_agrees(flava_tiny):
    images, options = scenes(3)
    imgs = [img for img, opts in zip(images, options, strict=True) for _ in opts]
    texts = [t for opts in options for t in opts]
    whole = flava_tiny.score_pairs(imgs, texts)
    split = np.concatenate([flava_tiny.score_pairs(imgs[:2], texts[:2]), flava_tiny.score_pairs(imgs[2:], texts[2:])])
    np.testing.assert_allclose(whole, split, atol=1e-5)
    encoded = flava_tiny.encode_images(images)
    per_pair = [encoded[i] for i, opts in enumerate(options) for _ in opts]
    np.testing.assert_allclose(flava_tiny.score_encoded(per_pair, texts), whole, atol=1e-5)


def test_flava_overfitted_itm_ranks_the_trained_caption_first(tmp_path):
    import torch

    trainer = FlavaItm("random", config="tiny", tokenizer=str(bert_vocab()), seed=2)
    trainer.ensure_loaded()
    images, options = scenes(1)
    caption, shuffled = options[0][0], options[0][1]
    model = trainer.model.train()
    pixels, tokens = trainer._pixels(images * 2), trainer._tokens([caption, shuffled])
    labels = torch.tensor([1, 0])

    def loss():
        # FlavaForPreTraining's ITM path without its MLM/MIM heads (the parity test shows the paths agree)
        out = model.flava(input_ids=tokens.input_ids, attention_mask=tokens.attention_mask, pixel_values=pixels)
        return torch.nn.functional.cross_entropy(model.itm_head(out.multimodal_embeddings), labels)

    losses = overfit(loss, model.parameters())
    assert losses[-1] < 0.1 < losses[0]
    model.eval().save_pretrained(tmp_path / "flava")
    trained = FlavaItm(str(tmp_path / "flava"), tokenizer=str(bert_vocab()))
    trained.ensure_loaded()
    caption_score, shuffled_score = trained.score_pairs(images * 2, [caption, shuffled])
    assert caption_score > shuffled_score


def test_flava_refuses_a_blip_model_in_one_line(tmp_path):
    from transformers import BlipConfig

    folder = tmp_path / "blip"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(BlipConfig().to_dict()))
    proc = run_snare("eval", "--model", "flava", "--weights", str(folder))
    assert proc.returncode == 2
    assert error_lines(proc.stderr) == [
        f"error: --weights {folder} is a 'blip' model (config.json model_type), not flava: use --model blip"
    ]
    with pytest.raises(WeightsUnavailableError, match="not a folder, a hub id"):
        FlavaItm("no-such-model").ensure_loaded()


@pytest.mark.slow
def test_flava_full_size_random_eval_end_to_end(tmp_path):
    out = tmp_path / "run"
    args = ["--model", "flava", "--weights", "random", "--limit", "20", "-o", f"tokenizer={bert_vocab()}"]
    proc = run_snare("eval", *args, "--output", str(out), "-q")
    assert proc.returncode == 0, proc.stderr
    results = json.loads((out / "results.json").read_text())
    assert all(summary["n"] == 20 for summary in results["tasks"].values())
    assert results["model"]["preprocessing"]["image"]["crop_size"] == {"height": 224, "width": 224}
