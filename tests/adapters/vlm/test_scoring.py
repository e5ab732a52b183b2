"""Scores equal a direct unpadded forward, prompt masks cover the image tokens, and padding cannot move scores."""

import numpy as np
import pytest

from snare.adapters.vlm import scoring
from snare.testing import sample_images

TEXTS = [
    "a red circle",
    "the small green triangle is to the left of the large blue square",
    "square",
    "no",
    "a blue square is not next to the red circle",
    "Yes",
    "two shapes",
    "the circle",
]


def _pairs():
    images = sample_images()  # four sizes and aspect ratios: Qwen2-VL gets a different number of image tokens
    return [images[i % 4] for i in range(len(TEXTS))], TEXTS


def _direct(adapter, image, prompt):
    """The model's own forward on one unpadded pair, as a user would write it (model default positions)."""
    import torch

    enc = adapter.processor(images=[image.convert("RGB")], text=[prompt], return_tensors="pt")
    enc = {k: v for k, v in enc.items() if k != "labels"}
    with torch.inference_mode():
        return adapter.model(**enc).logits[0].float().log_softmax(-1), enc


@pytest.mark.parametrize("index", [0, 1])
def test_yesno_equals_the_models_own_forward(vlm_yesno, index):
    images, texts = _pairs()
    logp, _ = _direct(vlm_yesno, images[index], vlm_yesno.prompt_of(texts[index]))
    ids = vlm_yesno.answer_ids
    expected = float(logp[-1, list(ids.yes)].logsumexp(0) - logp[-1, list(ids.no)].logsumexp(0))
    assert vlm_yesno.score_pairs(images, texts)[index] == pytest.approx(expected, abs=1e-4)


def test_likelihood_mask_covers_the_expanded_image_tokens_and_scores_exactly_the_caption(vlm_likelihood):
    import torch

    adapter = vlm_likelihood
    image, caption = sample_images()[1], TEXTS[1]
    caption_ids = adapter.tokenizer(caption, add_special_tokens=False).input_ids
    row = scoring.encode(adapter.processor, image, adapter.prompt_of(""), caption_ids)
    image_id = adapter.model.config.image_token_id
    n_image = row.ids.count(image_id)
    assert n_image > 1  # the placeholder was expanded to one token per image patch
    assert image_id in row.ids[: row.prompt_length] and image_id not in row.ids[row.prompt_length :]
    assert row.ids[row.prompt_length :] == caption_ids
    # teacher forcing by hand: the prompt and caption as one sequence, unpadded, model default positions
    enc = adapter.processor(images=[image], text=[adapter.prompt_of("")], return_tensors="pt")
    full = {k: v for k, v in enc.items() if k not in ("labels",)}
    tail = torch.tensor([caption_ids])
    full["input_ids"] = torch.cat([enc["input_ids"], tail], 1)
    full["attention_mask"] = torch.ones_like(full["input_ids"])
    for name, value in scoring.TOKEN_FIELDS.items():
        if name in enc:
            full[name] = torch.cat([enc[name], torch.full_like(tail, value)], 1)
    with torch.inference_mode():
        logp = adapter.model(**full).logits[0].float().log_softmax(-1)
    start = row.prompt_length
    expected = logp[start - 1 : -1].gather(-1, tail[0][:, None])[:, 0].mean()
    assert float(adapter.score_pairs([image], [caption])[0]) == pytest.approx(float(expected), abs=1e-4)


def _one_by_one(adapter, images, texts):
    return np.array([adapter.score_pairs([im], [t])[0] for im, t in zip(images, texts, strict=True)])


def test_batch_of_8_equals_batch_of_1_for_yesno(vlm_yesno):
    images, texts = _pairs()
    np.testing.assert_allclose(vlm_yesno.score_pairs(images, texts), _one_by_one(vlm_yesno, images, texts), atol=1e-4)


def test_batch_of_8_equals_batch_of_1_for_likelihood(vlm_likelihood):
    images, texts = _pairs()
    batched = vlm_likelihood.score_pairs(images, texts)
    np.testing.assert_allclose(batched, _one_by_one(vlm_likelihood, images, texts), atol=1e-4)


def test_likelihood_sum_is_mean_times_caption_length(vlm_likelihood):
    from snare.adapters.vlm.adapter import Vlm

    adapter = vlm_likelihood
    summed = Vlm("random", arch=adapter.arch, score="likelihood", reduce="sum", seed=3)
    summed.ensure_loaded()
    images, texts = _pairs()
    lengths = np.array([len(adapter.tokenizer(t, add_special_tokens=False).input_ids) for t in texts])
    np.testing.assert_allclose(
        summed.score_pairs(images, texts), adapter.score_pairs(images, texts) * lengths, rtol=1e-5
    )


def _last_logp(adapter, rows, batch):
    return scoring.yes_no(scoring.forward_logits(adapter.model, batch, 1)[:, -1], *_ids(adapter))


def _ids(adapter):
    return adapter.answer_ids.yes, adapter.answer_ids.no


def test_right_padding_reading_the_last_position_drifts_where_left_padding_does_not(vlm_yesno):
    """The lmms-eval / Qwen2.5-VL trap: with right padding the last position of a short row is a pad token."""
    import torch

    adapter = vlm_yesno
    images, texts = _pairs()
    rows = [scoring.encode(adapter.processor, im, adapter.prompt_of(t)) for im, t in zip(images, texts, strict=True)]
    batch = scoring.collate(
        rows, pad_id=adapter.pad_id, model_type=adapter.model_type, device="cpu", dtype=torch.float32
    )
    width = batch["input_ids"].shape[1]
    right = dict(batch)
    for name in ("input_ids", "attention_mask", *[n for n in scoring.TOKEN_FIELDS if n in batch]):
        right[name] = torch.stack(
            [torch.roll(row, int(w)) for row, w in zip(batch[name], batch["attention_mask"].sum(1), strict=True)]
        )
    right.pop("position_ids", None)
    assert width > min(len(r.ids) for r in rows)  # some rows are padded
    single = _one_by_one(adapter, images, texts)
    np.testing.assert_allclose(_last_logp(adapter, rows, batch).numpy(), single, atol=1e-4)
    assert np.abs(_last_logp(adapter, rows, right).numpy() - single).max() > 1e-4


def test_collate_left_pads_and_counts_positions_from_each_rows_first_real_token():
    import torch

    rows = [
        scoring.Encoded([5, 6, 7], 2, {"token_type_ids": [0, 0, 1]}),
        scoring.Encoded([8], 1, {"token_type_ids": [0]}),
    ]
    for model_type, start in (("llava", 0), ("paligemma", 1)):
        batch = scoring.collate(rows, pad_id=0, model_type=model_type, device="cpu", dtype=torch.float32)
        assert batch["input_ids"].tolist() == [[5, 6, 7], [0, 0, 8]]
        assert batch["attention_mask"].tolist() == [[1, 1, 1], [0, 0, 1]]
        assert batch["token_type_ids"].tolist() == [[0, 0, 1], [0, 0, 0]]
        assert batch["position_ids"].tolist() == [[start, start + 1, start + 2], [start, start, start]]
    qwen = scoring.collate(rows, pad_id=0, model_type="qwen2_vl", device="cpu", dtype=torch.float32)
    assert "position_ids" not in qwen  # multimodal rotary positions: the model derives them from the mask


def _check_reuse(adapter):
    images, texts = _pairs()
    states = adapter.encode_images(sample_images())
    assert all(state.features is not None for state in states)
    reused = adapter.score_encoded([states[i % 4] for i in range(len(texts))], texts)
    np.testing.assert_allclose(reused, adapter.score_pairs(images, texts), atol=1e-5)


def test_precomputed_image_features_give_the_pixel_path_yesno_scores(vlm_yesno):
    _check_reuse(vlm_yesno)


def test_precomputed_image_features_give_the_pixel_path_likelihoods(vlm_likelihood):
    _check_reuse(vlm_likelihood)


def test_the_engine_runs_the_vision_tower_once_per_image(vlm_yesno, monkeypatch):
    from snare.engine.runner import score_items
    from snare.probes.synthetic import synthetic_probeset

    probes = synthetic_probeset().subset(limit=1)
    calls = []
    original = vlm_yesno.model.get_image_features
    monkeypatch.setattr(vlm_yesno.model, "get_image_features", lambda **kw: calls.append(1) or original(**kw))
    scores = score_items(vlm_yesno, probes, batch_size=8)
    n_pairs = sum(len(it.options) for it in probes.items)
    assert len(calls) == len({it.image.key for it in probes.items}) < n_pairs
    assert sum(len(v) for v in scores.values()) == n_pairs


def test_vqascore_is_log_p_yes_of_the_models_own_forward():
    from snare.adapters.vlm.adapter import Vlm

    adapter = Vlm("random", arch="paligemma", score="vqascore", seed=3)
    adapter.ensure_loaded()
    images, texts = _pairs()
    logp, _ = _direct(adapter, images[1], adapter.prompt_of(texts[1]))
    expected = float(logp[-1, adapter.tokenizer.convert_tokens_to_ids("Yes")])
    scores = adapter.score_pairs(images, texts)
    assert scores[1] == pytest.approx(expected, abs=1e-4)
    np.testing.assert_allclose(scores, _one_by_one(adapter, images, texts), atol=1e-4)
    assert adapter.describe()["head"] == "yes-logprob"


def test_a_template_that_writes_the_bos_gets_no_second_one():
    from transformers import LlavaProcessor
    from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil

    from snare.adapters.vlm.tiny import byte_bpe_tokenizer

    tok = byte_bpe_tokenizer(["<pad>", "</s>", "<s>", "<image>"], bos="<s>", pad_token="<pad>", eos_token="</s>")
    bos = tok.convert_tokens_to_ids("<s>")
    processor = LlavaProcessor(
        image_processor=CLIPImageProcessorPil(size={"shortest_edge": 28}, crop_size=28),
        tokenizer=tok,
        patch_size=7,
        vision_feature_select_strategy="default",
        num_additional_image_tokens=1,
    )
    image = sample_images()[0]
    assert scoring.encode(processor, image, "<s>USER: <image>\nQ? ASSISTANT:").ids.count(bos) == 1
    assert scoring.encode(processor, image, "USER: <image>\nQ? ASSISTANT:").ids[0] == bos  # the tokenizer's own
