"""BLIP adapters: parity with transformers' BlipForImageTextRetrieval, batch invariance, direction, bad input."""

import json

import numpy as np
import pytest
from safetensors.torch import load_file, save_file

from snare.adapters.blip import BlipItc, BlipItm
from snare.errors import WeightsUnavailableError
from tests.adapters.hf_helpers import bert_vocab, overfit, scenes
from tests.helpers import run_snare


@pytest.fixture(scope="module")
def blip_tiny():
    adapter = BlipItm("random", config="tiny", tokenizer=str(bert_vocab()), seed=1)
    adapter.ensure_loaded()
    return adapter


def _direct_logits(adapter, images, texts, *, enc: bool, itm: bool = True):
    import torch

    tokens = adapter._tokens(texts)
    ids = tokens.input_ids.clone()
    if enc:
        ids[:, 0] = adapter.enc_token_id
    with torch.inference_mode():
        return adapter.model(
            input_ids=ids, pixel_values=adapter._pixels(images), attention_mask=tokens.attention_mask, use_itm_head=itm
        ).itm_score


def test_blip_itm_scores_equal_a_direct_transformers_forward(blip_tiny):
    images, options = scenes(3)
    texts = [opts[k] for opts in options for k in range(2)]
    images = [img for img in images for _ in range(2)]
    logits = _direct_logits(blip_tiny, images, texts, enc=True)
    np.testing.assert_allclose(blip_tiny.score_pairs(images, texts), (logits[:, 1] - logits[:, 0]).numpy(), atol=1e-5)
    prob = BlipItm("random", config="tiny", tokenizer=str(bert_vocab()), seed=1, score="probability")
    prob.ensure_loaded()
    np.testing.assert_allclose(prob.score_pairs(images, texts), logits.softmax(-1)[:, 1].numpy(), atol=1e-5)
    assert blip_tiny.tokenizer.convert_tokens_to_ids(["[DEC]", "[ENC]"]) == [30522, 30523]


def test_blip_snare_score_is_the_itm_match_logit_plus_the_itc_cosine():
    """-o score=snare is what SNARE's blip_load.py sums: itm_head(...)[:, 1] + cosine of the contrastive features."""
    adapter = BlipItm("random", config="tiny", tokenizer=str(bert_vocab()), seed=1, score="snare")
    adapter.ensure_loaded()
    images, options = scenes(2)
    texts = [options[0][0], options[1][1]]
    itm = _direct_logits(adapter, images, texts, enc=True)[:, 1]
    itc = _direct_logits(adapter, images, texts, enc=False, itm=False).diagonal()  # [CLS] text, as SNARE's code
    np.testing.assert_allclose(adapter.score_pairs(images, texts), (itm + itc).numpy(), atol=1e-5)
    encoded = adapter.encode_images(images)
    np.testing.assert_allclose(adapter.score_encoded(encoded, texts), (itm + itc).numpy(), atol=1e-5)
    facts = adapter.preprocessing()
    assert facts["score"] == "snare" and facts["special_tokens"] == "[ENC] {caption} [SEP]"
    itc_adapter = BlipItc("random", config="tiny", tokenizer=str(bert_vocab()), seed=1)
    itc_adapter.ensure_loaded()
    assert itc_adapter.preprocessing()["special_tokens"] == "[CLS] {caption} [SEP]"
    with pytest.raises(WeightsUnavailableError, match=r"-o score=sum: choose one of logodds, probability, snare"):
        BlipItm("random", score="sum")


def test_blip_itm_cls_first_token_matches_the_transformers_example(blip_tiny):
    images, options = scenes(2)
    cls = BlipItm("random", config="tiny", tokenizer=str(bert_vocab()), seed=1, itm_first_token="cls")
    cls.ensure_loaded()
    texts = [options[0][0], options[1][1]]
    logits = _direct_logits(cls, images, texts, enc=False)
    np.testing.assert_allclose(cls.score_pairs(images, texts), (logits[:, 1] - logits[:, 0]).numpy(), atol=1e-5)
    assert not np.allclose(cls.score_pairs(images, texts), blip_tiny.score_pairs(images, texts))


def test_blip_itc_cosine_equals_the_contrastive_head():
    adapter = BlipItc("random", config="tiny", tokenizer=str(bert_vocab()), seed=1)
    adapter.ensure_loaded()
    images, options = scenes(3)
    texts = [opts[0] for opts in options]
    img, txt = adapter.embed_images(images), adapter.embed_texts(texts)
    img /= np.linalg.norm(img, axis=1, keepdims=True)
    txt /= np.linalg.norm(txt, axis=1, keepdims=True)
    expected = _direct_logits(adapter, images, texts, enc=False, itm=False).numpy()
    np.testing.assert_allclose(img @ txt.T, expected, atol=1e-5)


def test_blip_scores_are_batch_invariant_and_the_image_hook_agrees(blip_tiny):
    images, options = scenes(4)
    pairs = [(img, t) for img, opts in zip(images, options, strict=True) for t in opts]
    imgs, texts = [p[0] for p in pairs], [p[1] for p in pairs]
    whole = blip_tiny.score_pairs(imgs, texts)
    split = np.concatenate([blip_tiny.score_pairs(imgs[:3], texts[:3]), blip_tiny.score_pairs(imgs[3:], texts[3:])])
    np.testing.assert_allclose(whole, split, atol=1e-5)
    encoded = blip_tiny.encode_images(images)
    per_pair = [encoded[i] for i, opts in enumerate(options) for _ in opts]
    np.testing.assert_allclose(blip_tiny.score_encoded(per_pair, texts), whole, atol=1e-5)
    assert type(blip_tiny).reuses_images()


def test_blip_overfitted_itm_ranks_the_trained_caption_first(tmp_path):
    import torch

    trainer = BlipItm("random", config="tiny", tokenizer=str(bert_vocab()), seed=3)
    trainer.ensure_loaded()
    images, options = scenes(1)
    caption, shuffled = options[0][0], options[0][1]
    model = trainer.model.train()
    pixels = trainer._pixels(images * 2)
    tokens = trainer._tokens([caption, shuffled])
    ids = tokens.input_ids.clone()
    ids[:, 0] = trainer.enc_token_id
    labels = torch.tensor([1, 0])

    def loss():
        out = model(input_ids=ids, pixel_values=pixels, attention_mask=tokens.attention_mask)
        return torch.nn.functional.cross_entropy(out.itm_score, labels)

    losses = overfit(loss, model.parameters())
    assert losses[-1] < 0.1 < losses[0]
    model.eval().save_pretrained(tmp_path / "blip")
    trained = BlipItm(str(tmp_path / "blip"), tokenizer=str(bert_vocab()))
    trained.ensure_loaded()
    assert trained.revision.startswith("sha256:")
    caption_score, shuffled_score = trained.score_pairs(images * 2, [caption, shuffled])
    assert caption_score > shuffled_score


def test_blip_refuses_wrong_family_missing_keys_and_broken_tokenizers(tmp_path, blip_tiny):
    from transformers import CLIPConfig

    clip_dir = tmp_path / "clip"
    clip_dir.mkdir()
    (clip_dir / "config.json").write_text(json.dumps(CLIPConfig().to_dict()))
    with pytest.raises(WeightsUnavailableError, match=r"'clip' model .*use --model clip"):
        BlipItm(str(clip_dir)).ensure_loaded()
    blip_tiny.model.save_pretrained(tmp_path / "blip")
    weights = tmp_path / "blip" / "model.safetensors"
    state = load_file(weights)
    save_file({k: v for k, v in state.items() if not k.startswith("itm_head")}, weights, metadata={"format": "pt"})
    with pytest.raises(WeightsUnavailableError, match=r"2 missing \(e.g. itm_head.bias, itm_head.weight\)"):
        BlipItm(str(tmp_path / "blip"), tokenizer=str(bert_vocab())).ensure_loaded()
    tiny_vocab = tmp_path / "vocab.txt"
    tiny_vocab.write_text("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n")
    with pytest.raises(WeightsUnavailableError, match=r"has 7 tokens but the model's text vocabulary has 30524"):
        BlipItm("random", config="tiny", tokenizer=str(tiny_vocab)).ensure_loaded()


def test_blip_offline_hub_weights_fail_in_one_line(tmp_path):
    proc = run_snare("eval", "--model", "blip", "--output", str(tmp_path / "out"))
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Salesforce/blip-itm-base-coco" in lines[0] and "HF_HUB_OFFLINE" in lines[0]
    with pytest.raises(WeightsUnavailableError, match=r"HF_HUB_OFFLINE.*-o tokenizer=PATH"):
        BlipItm("random", config="tiny").ensure_loaded()  # random weights still need BLIP's tokenizer


@pytest.mark.slow
def test_blip_full_size_random_eval_end_to_end(tmp_path):
    out = tmp_path / "run"
    args = ["--model", "blip", "--weights", "random", "--limit", "20", "-o", f"tokenizer={bert_vocab()}"]
    proc = run_snare("eval", *args, "--output", str(out), "-q")
    assert proc.returncode == 0, proc.stderr
    results = json.loads((out / "results.json").read_text())
    assert all(summary["n"] == 20 for summary in results["tasks"].values())
    assert results["model"]["preprocessing"]["image"]["size"] == {"height": 384, "width": 384}
    assert results["model"]["preprocessing"]["max_text_length"] == 35
