"""BLIP-2 adapters: ITM/ITC parity with Blip2ForImageTextRetrieval, yes/no parity with
Blip2ForConditionalGeneration (T5 and OPT), batch invariance, direction, bad input, a tiny end-to-end run."""

import json

import numpy as np
import pytest

from snare.adapters.blip2 import Blip2Itc, Blip2Itm
from snare.adapters.blip2_yesno import Blip2YesNo
from snare.errors import WeightsUnavailableError
from tests.adapters.hf_helpers import bert_vocab, overfit, scenes, word_tokenizer
from tests.helpers import run_snare


@pytest.fixture(scope="module")
def blip2_tiny():
    adapter = Blip2Itm("random", config="tiny", tokenizer=str(bert_vocab()), seed=1)
    adapter.ensure_loaded()
    return adapter


def _pairs(n):
    images, options = scenes(n)
    return [img for img, opts in zip(images, options, strict=True) for _ in opts], [t for o in options for t in o]


def test_blip2_itm_and_itc_equal_a_direct_transformers_forward(blip2_tiny):
    import torch

    from snare.adapters.hf_weights import pixel_values

    images, texts = _pairs(2)
    tokens = blip2_tiny._tokens(texts)
    pixels = pixel_values(blip2_tiny.processor, images)
    with torch.inference_mode():
        itm = blip2_tiny.model(pixels, tokens.input_ids, tokens.attention_mask, use_image_text_matching_head=True)
        itc = blip2_tiny.model(pixels, tokens.input_ids, tokens.attention_mask, use_image_text_matching_head=False)
    logits = itm.logits_per_image
    np.testing.assert_allclose(blip2_tiny.score_pairs(images, texts), (logits[:, 1] - logits[:, 0]).numpy(), atol=1e-5)
    itc_adapter = Blip2Itc("random", config="tiny", tokenizer=str(bert_vocab()), seed=1)
    itc_adapter.ensure_loaded()
    np.testing.assert_allclose(itc_adapter.score_pairs(images, texts), np.diag(itc.logits_per_image.numpy()), atol=1e-5)
    assert itc_adapter.preprocessing()["special_tokens"] == "[CLS] {caption} [SEP]"


def test_blip2_scores_are_batch_invariant_and_the_image_hook_agrees(blip2_tiny):
    images, texts = _pairs(3)
    whole = blip2_tiny.score_pairs(images, texts)
    split = np.concatenate(
        [blip2_tiny.score_pairs(images[:4], texts[:4]), blip2_tiny.score_pairs(images[4:], texts[4:])]
    )
    np.testing.assert_allclose(whole, split, atol=1e-5)
    encoded = blip2_tiny.encode_images(images[:1]) * len(texts)
    np.testing.assert_allclose(
        blip2_tiny.score_encoded(encoded, texts), blip2_tiny.score_pairs(images[:1] * len(texts), texts), atol=1e-5
    )


def test_blip2_overfitted_itm_ranks_the_trained_caption_first(tmp_path, blip2_tiny):
    import torch

    from snare.adapters.hf_weights import pixel_values

    images, options = scenes(1)
    caption, shuffled = options[0][0], options[0][1]
    model = blip2_tiny.model
    model.save_pretrained(tmp_path / "init")
    model.train()
    tokens = blip2_tiny._tokens([caption, shuffled])
    pixels = pixel_values(blip2_tiny.processor, images * 2)
    labels = torch.tensor([1, 0])

    def loss():
        out = model(pixels, tokens.input_ids, tokens.attention_mask, use_image_text_matching_head=True)
        return torch.nn.functional.cross_entropy(out.logits_per_image, labels)

    try:
        losses = overfit(loss, model.parameters())
        model.eval().save_pretrained(tmp_path / "blip2")
    finally:  # the module fixture's model goes back to its random weights
        model.load_state_dict(type(model).from_pretrained(tmp_path / "init").state_dict())
        model.eval()
    assert losses[-1] < 0.1 < losses[0]
    trained = Blip2Itm(str(tmp_path / "blip2"), tokenizer=str(bert_vocab()))
    trained.ensure_loaded()
    caption_score, shuffled_score = trained.score_pairs(images * 2, [caption, shuffled])
    assert caption_score > shuffled_score


def _tiny_generative(folder, *, decoder_only: bool):
    """A tiny Blip2ForConditionalGeneration with a word-level tokenizer, saved as a from_pretrained folder."""
    import torch
    from transformers import Blip2Config, Blip2ForConditionalGeneration

    from snare.adapters.blip2 import tiny_qformer_parts

    size = word_tokenizer(folder, bos=decoder_only)
    if decoder_only:
        text = {"model_type": "opt", "hidden_size": 32, "ffn_dim": 64, "num_hidden_layers": 2, "num_attention_heads": 2}
        text.update(word_embed_proj_dim=32, max_position_embeddings=128, bos_token_id=3, eos_token_id=1, pad_token_id=0)
    else:
        text = {"model_type": "t5", "d_model": 32, "d_ff": 64, "d_kv": 16, "num_heads": 2, "num_layers": 2}
        text.update(decoder_start_token_id=0, pad_token_id=0, eos_token_id=1)
    config = Blip2Config(**tiny_qformer_parts(), text_config={**text, "vocab_size": size + 1}, image_token_index=size)
    torch.manual_seed(0)
    Blip2ForConditionalGeneration(config).save_pretrained(folder)
    return folder


@pytest.mark.parametrize("decoder_only", [False, True], ids=["t5", "opt"])
def test_blip2_yesno_equals_the_generative_forward_and_is_batch_invariant(tmp_path, decoder_only):
    import torch

    from snare.adapters.hf_weights import pixel_values

    adapter = Blip2YesNo(str(_tiny_generative(tmp_path / "m", decoder_only=decoder_only)))
    adapter.ensure_loaded()
    images, texts = _pairs(2)
    model, tok = adapter.model, adapter.tokenizer
    n_query = model.config.num_query_tokens
    prompts = tok(adapter.prompts(texts), padding="longest", return_tensors="pt")
    ids = torch.cat([torch.full((len(texts), n_query), model.config.image_token_index), prompts.input_ids], dim=1)
    mask = torch.cat([torch.ones(len(texts), n_query, dtype=torch.long), prompts.attention_mask], dim=1)
    extra = {} if decoder_only else {"decoder_input_ids": torch.zeros(len(texts), 1, dtype=torch.long)}
    with torch.inference_mode():
        logits = model(pixel_values(adapter.processor, images), ids, attention_mask=mask, **extra).logits
    position = mask.sum(1) - 1 if decoder_only else torch.zeros(len(texts), dtype=torch.long)
    logp = logits[torch.arange(len(texts)), position].log_softmax(-1)
    expected = (logp[:, adapter.yes_id] - logp[:, adapter.no_id]).numpy()
    scores = adapter.score_pairs(images, texts)
    np.testing.assert_allclose(scores, expected, atol=1e-5)
    split = np.concatenate([adapter.score_pairs(images[:3], texts[:3]), adapter.score_pairs(images[3:], texts[3:])])
    np.testing.assert_allclose(split, scores, atol=1e-5)
    assert len(set(scores.round(6).tolist())) > 1  # continuous: not the original's 0/1 answers
    assert adapter.describe()["preprocessing"]["question"] == 'Question: Is there "{caption}"? Answer:'
    assert adapter.describe()["preprocessing"]["answer_token_text"] == {"yes": "yes", "no": "no"}


def test_blip2_yesno_scores_one_token_per_answer_and_pools_no_variants():
    """The answer is the first token of " yes" / " no" (byte-level BPE: "Ġyes"); "Yes", "ĠYes", "yes" are not pooled."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    from snare.adapters.blip2_yesno import answer_token

    core = Tokenizer(models.BPE(unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(
        vocab_size=300, special_tokens=["<pad>", "<unk>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    core.train_from_iterator(["Answer: yes", "Answer: no", "Answer: Yes", "Answer: No", "yes no Yes No"] * 20, trainer)
    tok = PreTrainedTokenizerFast(tokenizer_object=core, unk_token="<unk>", pad_token="<pad>")
    yes, no = answer_token(tok, "yes"), answer_token(tok, "no")
    assert tok.convert_ids_to_tokens([yes, no]) == ["Ġyes", "Ġno"]
    variants = tok.convert_tokens_to_ids(["ĠYes", "yes", "Yes"])
    assert len(set(variants)) == 3 and not {yes, no} & set(variants)  # the variants exist and are left out


def test_blip2_bad_input_is_one_line(tmp_path):
    with pytest.raises(WeightsUnavailableError, match=r"no \{caption\} slot"):
        Blip2YesNo("random", question="Is this right?")
    folder = _tiny_generative(tmp_path / "gen", decoder_only=False)
    # refused before from_pretrained allocates: the generative checkpoint has no Q-Former word embeddings
    with pytest.raises(WeightsUnavailableError, match=r"do not fit Blip2ForImageTextRetrieval: the config"):
        Blip2Itm(str(folder), tokenizer=str(bert_vocab())).ensure_loaded()
    with pytest.raises(WeightsUnavailableError, match=r"Salesforce/blip2-itm-vit-g.*HF_HUB_OFFLINE"):
        Blip2Itm().ensure_loaded()


def test_blip2_tiny_eval_end_to_end(tmp_path):
    gen = _tiny_generative(tmp_path / "gen", decoder_only=True)
    out = tmp_path / "run"
    proc = run_snare(
        "eval", "--model", "blip2-yesno", "--weights", str(gen), "--limit", "4", "--output", str(out), "-q"
    )
    assert proc.returncode == 0, proc.stderr
    results = json.loads((out / "results.json").read_text())
    assert all(summary["n"] == 4 for summary in results["tasks"].values())
    assert results["model"]["revision"].startswith("sha256:")
    # continuous scores: ties only where the 26-word test tokenizer maps two options to the same tokens
    assert sum(summary["ties"] for summary in results["tasks"].values()) <= 2
