"""X-VLM port: layout against the published configs, original-checkpoint round trips, scoring, bad input.

No official weights can be downloaded here, so original-format checkpoints are written by the tests: key names and
shapes are enumerated from X-VLM's own module layout (``original_keys`` below, written from the original
``swin_transformer.py``/``xbert.py``/``xvlm.py`` structure, independently of the port's mapping code), and tiny
random models are exported under those names.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from snare.adapters.xvlm.adapter import XvlmItc, XvlmItm
from snare.adapters.xvlm.checkpoint import load_into, port_key
from snare.adapters.xvlm.config import BERT_BASE, SWIN_B_224, SWIN_B_384, SwinConfig, TextConfig, XvlmConfig
from snare.errors import WeightsUnavailableError
from snare.probes.scenes import render_scene
from snare.probes.synthetic import synthetic_probeset
from tests.helpers import error_lines, run_snare

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
TINY_SWIN = {
    "vision_width": 64,
    "image_res": 32,
    "window_size": 2,
    "embed_dim": 8,
    "depths": [2, 2, 2, 2],
    "num_heads": [2, 2, 4, 4],
}
TINY_BERT = {
    **BERT_BASE,
    "hidden_size": 32,
    "num_hidden_layers": 4,
    "fusion_layer": 2,
    "num_attention_heads": 4,
    "intermediate_size": 64,
    "max_position_embeddings": 64,
    "hidden_dropout_prob": 0.0,
    "attention_probs_dropout_prob": 0.0,
}
TINY_EMBED = 16


# -- the original X-VLM's parameter names, from its module structure ---------------------------------------------
def original_keys(swin: dict, bert: dict, embed_dim: int, *, pretraining: bool = False) -> dict[str, tuple]:
    """Every key (and shape) of ``XVLM.state_dict()`` in X-VLM's own code, buffers included."""
    keys: dict[str, tuple] = {}
    c, win, res = swin["embed_dim"], swin["window_size"], swin["image_res"] // 4
    for p in ("weight", "bias"):
        keys[f"vision_encoder.patch_embed.norm.{p}"] = (c,)
    keys["vision_encoder.patch_embed.proj.weight"], keys["vision_encoder.patch_embed.proj.bias"] = (c, 3, 4, 4), (c,)
    for i, (depth, heads) in enumerate(zip(swin["depths"], swin["num_heads"], strict=True)):
        dim, w = c * 2**i, min(win, res)  # a window never exceeds the stage's resolution
        for j in range(depth):
            b = f"vision_encoder.layers.{i}.blocks.{j}."
            keys |= {
                b + "norm1.weight": (dim,),
                b + "norm1.bias": (dim,),
                b + "norm2.weight": (dim,),
                b + "norm2.bias": (dim,),
                b + "attn.relative_position_bias_table": ((2 * w - 1) ** 2, heads),
                b + "attn.relative_position_index": (w * w, w * w),
                b + "attn.qkv.weight": (3 * dim, dim),
                b + "attn.qkv.bias": (3 * dim,),
                b + "attn.proj.weight": (dim, dim),
                b + "attn.proj.bias": (dim,),
                b + "mlp.fc1.weight": (4 * dim, dim),
                b + "mlp.fc1.bias": (4 * dim,),
                b + "mlp.fc2.weight": (dim, 4 * dim),
                b + "mlp.fc2.bias": (dim,),
            }
            if j % 2 == 1 and res > win:  # shifted blocks keep their mask as a buffer
                keys[b + "attn_mask"] = ((res // w) ** 2, w * w, w * w)
        if i < len(swin["depths"]) - 1:  # the original merges patches at the END of stages 0..n-2
            d = f"vision_encoder.layers.{i}.downsample."
            keys |= {
                d + "norm.weight": (4 * dim,),
                d + "norm.bias": (4 * dim,),
                d + "reduction.weight": (2 * dim, 4 * dim),
            }
            res //= 2
    keys["vision_encoder.norm.weight"] = keys["vision_encoder.norm.bias"] = (swin["vision_width"],)
    h, inter, vw = bert["hidden_size"], bert["intermediate_size"], swin["vision_width"]
    t = "text_encoder.bert." if pretraining else "text_encoder."
    keys |= {
        t + "embeddings.word_embeddings.weight": (bert["vocab_size"], h),
        t + "embeddings.position_embeddings.weight": (bert["max_position_embeddings"], h),
        t + "embeddings.token_type_embeddings.weight": (bert["type_vocab_size"], h),
        t + "embeddings.LayerNorm.weight": (h,),
        t + "embeddings.LayerNorm.bias": (h,),
        t + "embeddings.position_ids": (1, bert["max_position_embeddings"]),
    }
    for n in range(bert["num_hidden_layers"]):
        blocks = ["attention"] + (["crossattention"] if n >= bert["fusion_layer"] else [])
        for a in blocks:
            src = vw if a == "crossattention" else h
            base = f"{t}encoder.layer.{n}.{a}."
            keys |= {
                base + "self.query.weight": (h, h),
                base + "self.key.weight": (h, src),
                base + "self.value.weight": (h, src),
                base + "output.dense.weight": (h, h),
            }
            for name in ("self.query", "self.key", "self.value", "output.dense", "output.LayerNorm"):
                keys[base + name + ".bias"] = (h,)
            keys[base + "output.LayerNorm.weight"] = (h,)
        base = f"{t}encoder.layer.{n}."
        keys |= {
            base + "intermediate.dense.weight": (inter, h),
            base + "intermediate.dense.bias": (inter,),
            base + "output.dense.weight": (h, inter),
            base + "output.dense.bias": (h,),
            base + "output.LayerNorm.weight": (h,),
            base + "output.LayerNorm.bias": (h,),
        }
    keys |= {
        "vision_proj.weight": (embed_dim, vw),
        "vision_proj.bias": (embed_dim,),
        "text_proj.weight": (embed_dim, h),
        "text_proj.bias": (embed_dim,),
        "temp": (),
        "itm_head.0.weight": (2 * h, h),
        "itm_head.0.bias": (2 * h,),
        "itm_head.1.weight": (2 * h,),
        "itm_head.1.bias": (2 * h,),
        "itm_head.3.weight": (2, 2 * h),
        "itm_head.3.bias": (2,),
    }
    if pretraining:  # heads of the other pretraining objectives
        keys |= {"text_encoder.cls.predictions.bias": (bert["vocab_size"],), "bbox_head.3.weight": (4, 2 * h)}
    return keys


def export_original(model, *, pretraining: bool = False) -> dict:
    """A port model's weights under the original names, with the buffers X-VLM saves (written apart from the port)."""
    out = {}
    for key, value in model.state_dict().items():
        key = re.sub(r"^(vision_encoder\.layers\.)(\d+)(\.downsample\.)", lambda m: f"{m[1]}{int(m[2]) - 1}{m[3]}", key)
        if pretraining:
            key = key.replace("text_encoder.", "text_encoder.bert.", 1)
        out[key] = value.clone()
    for name, buf in model.named_buffers():
        if name.endswith(("relative_position_index", "attn_mask")) and buf is not None:
            out[name] = buf.clone()
    prefix = "text_encoder.bert." if pretraining else "text_encoder."
    out[prefix + "embeddings.position_ids"] = model.text_encoder.embeddings.position_ids.clone()
    return out


def _meta_model(cfg: XvlmConfig):
    import torch

    from snare.adapters.xvlm.model import XVLM

    with torch.device("meta"):
        return XVLM(cfg)


# -- layout --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("swin", [SWIN_B_224, SWIN_B_384], ids=["224", "384"])
def test_xvlm_layout_matches_the_published_configs(swin):
    model = _meta_model(XvlmConfig(vision=SwinConfig.from_dict(swin)))
    vision, text = model.vision_encoder, model.text_encoder
    assert [len(stage.blocks) for stage in vision.layers] == [2, 2, 18, 2]
    assert [stage.blocks[0].attn.num_heads for stage in vision.layers] == [4, 8, 16, 32]
    assert [stage.blocks[0].norm1.normalized_shape[0] for stage in vision.layers] == [128, 256, 512, 1024]
    assert vision.layers[0].blocks[0].attn.window_size == (swin["window_size"],) * 2
    assert vision.patch_embed.img_size == (swin["image_res"],) * 2
    layers = text.encoder.layer
    assert len(layers) == 12 and text.embeddings.word_embeddings.num_embeddings == 30522
    assert [hasattr(layer, "crossattention") for layer in layers] == [False] * 6 + [True] * 6  # 6 text, 6 fusion
    assert layers[6].crossattention.self.key.in_features == 1024 and layers[0].attention.self.key.in_features == 768
    assert model.vision_proj.out_features == model.text_proj.out_features == 256
    assert model.itm_head[-1].out_features == 2
    # 213.8M at 224 px (the README says 216M); a larger window only grows the relative-position tables
    extra_rows = (2 * swin["window_size"] - 1) ** 2 - 13**2
    heads_total = sum(d * h for d, h in zip(swin["depths"], swin["num_heads"], strict=True))
    assert sum(p.numel() for p in model.parameters()) == XvlmItm.meta.params + extra_rows * heads_total


@pytest.mark.parametrize("pretraining", [False, True], ids=["retrieval", "pretraining"])
def test_xvlm_original_key_names_map_onto_the_full_size_port(pretraining):
    original = original_keys(SWIN_B_224, BERT_BASE, 256, pretraining=pretraining)
    mapped = {port_key(k): shape for k, shape in original.items() if port_key(k) is not None}
    expected = {k: tuple(v.shape) for k, v in _meta_model(XvlmConfig()).state_dict().items()}
    assert mapped == expected
    dropped = sorted(k for k in original if port_key(k) is None)
    assert all(re.search(r"relative_position_index|attn_mask|position_ids|\.cls\.|bbox_head", k) for k in dropped)


# -- tiny models in original format --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def probes():
    return synthetic_probeset(n_scenes=6)


@pytest.fixture(scope="module")
def vocab_words(probes):
    return sorted({w for it in probes.items for o in it.options for w in o.lower().split()})


@pytest.fixture(scope="module")
def tiny(tmp_path_factory, vocab_words):
    """(folder with an original-format tiny checkpoint, configs and vocab.txt; the in-memory model it holds)."""
    import torch

    from snare.adapters.xvlm.model import XVLM

    folder = tmp_path_factory.mktemp("xvlm_tiny")
    bert = {**TINY_BERT, "vocab_size": len(SPECIAL) + len(vocab_words)}
    (folder / "vocab.txt").write_text("\n".join(SPECIAL + vocab_words) + "\n")
    (folder / "config_swinT.json").write_text(json.dumps(TINY_SWIN))
    (folder / "config_bert.json").write_text(json.dumps(bert))
    torch.manual_seed(1)
    cfg = XvlmConfig(SwinConfig.from_dict(TINY_SWIN), TextConfig.from_dict(bert), embed_dim=TINY_EMBED)
    model = XVLM(cfg).eval()
    torch.save(
        {"model": export_original(model), "config": {"max_tokens": 40, "embed_dim": TINY_EMBED}},
        folder / "checkpoint_best.pth",
    )
    return folder, model


def _pairs(probes, n=3):
    items = [it for it in probes.items if it.task == "semantic_structure"][:n]
    images = {it.id: render_scene(it.image.scene) for it in items}
    return [(images[it.id], text) for it in items for text in it.options]


def test_xvlm_original_checkpoint_round_trip_scores_equal_the_ports_forward(tiny, probes):
    import torch

    folder, model = tiny
    adapter = XvlmItm(str(folder))
    adapter.ensure_loaded()
    assert adapter.revision.startswith("sha256:") and not adapter.model.training
    pairs = _pairs(probes)
    images, texts = [p[0] for p in pairs], [p[1] for p in pairs]
    ids, mask = adapter._tokens(texts)
    with torch.inference_mode():
        image_embeds = model.encode_image(adapter._pixels(images))
        logits = model.itm_logits(image_embeds, model.encode_text(ids, mask), mask)
    np.testing.assert_allclose(adapter.score_pairs(images, texts), logits.log_softmax(-1)[:, 1].numpy(), atol=1e-6)
    itc = XvlmItc(
        str(folder / "checkpoint_best.pth"),
        tokenizer=str(folder / "vocab.txt"),
        vision_config=str(folder / "config_swinT.json"),
        text_config=str(folder / "config_bert.json"),
    )
    itc.ensure_loaded()
    with torch.inference_mode():
        expected = model.image_features(model.encode_image(itc._pixels(images[:2])))
    np.testing.assert_allclose(itc.embed_images(images[:2]), expected.numpy(), atol=1e-6)


def test_xvlm_pretraining_format_checkpoint_loads_without_missing_keys(tiny, tmp_path):
    import torch

    folder, model = tiny
    state = export_original(model, pretraining=True)
    state["text_encoder.cls.predictions.bias"] = torch.zeros(3)  # MLM and box heads are dropped by design
    state["bbox_head.0.weight"] = torch.zeros(2, 2)
    for name in ("vocab.txt", "config_swinT.json", "config_bert.json"):
        (tmp_path / name).write_bytes((folder / name).read_bytes())
    torch.save(state, tmp_path / "4m_base_model_state_step_199999.th")
    adapter = XvlmItm(str(tmp_path), score="logprob")
    adapter.ensure_loaded()
    for key, value in model.state_dict().items():
        assert torch.equal(adapter.model.state_dict()[key], value), key


def test_xvlm_checkpoint_with_wrong_keys_lists_the_first_mismatches(tiny):
    import torch

    from snare.adapters.xvlm.model import XVLM

    _, model = tiny
    state = export_original(model)
    del state["itm_head.3.bias"]
    del state["vision_encoder.layers.0.downsample.reduction.weight"]
    state["visual.transformer.resblocks.0.attn.in_proj_weight"] = torch.zeros(1)  # a CLIP key
    state["vision_proj.weight"] = torch.zeros(3, 3)
    with pytest.raises(WeightsUnavailableError) as info:
        load_into(XVLM(model.config), state, "bad.pth")
    message = str(info.value)
    assert "\n" not in message
    assert "2 missing (e.g. vision_encoder.layers.0.downsample.reduction.weight, itm_head.3.bias)" in message
    assert "1 unexpected (e.g. visual.transformer.resblocks.0.attn.in_proj_weight)" in message
    assert "1 of the wrong shape (e.g. vision_proj.weight (3, 3) vs (16, 64)" in message


# -- scoring -------------------------------------------------------------------------------------------------------
def test_xvlm_scores_are_batch_and_order_invariant_and_the_image_hook_agrees(tiny, probes):
    folder, _ = tiny
    adapter = XvlmItm(str(folder))
    adapter.ensure_loaded()
    assert type(adapter).reuses_images()
    pairs = _pairs(probes)
    images, texts = [p[0] for p in pairs], [p[1] for p in pairs]
    whole = adapter.score_pairs(images, texts)
    split = np.concatenate([adapter.score_pairs(images[:1], texts[:1]), adapter.score_pairs(images[1:], texts[1:])])
    order = np.arange(len(texts))[::-1]
    reverse = adapter.score_pairs([images[i] for i in order], [texts[i] for i in order])[np.argsort(order)]
    hooked = adapter.score_encoded(adapter.encode_images(images), texts)
    for other in (split, reverse, hooked):
        np.testing.assert_allclose(whole, other, atol=1e-5)


def _overfit(model, image_embeds, ids, mask, labels, steps: int = 30):
    """A copy of ``model`` whose text side and ITM head are trained until ``labels`` (1 = match) are learnt."""
    import torch

    trained = type(model)(model.config)
    trained.load_state_dict(model.state_dict())
    trained.train()
    torch.manual_seed(0)
    optimizer = torch.optim.Adam(trained.parameters(), lr=3e-3)
    for _ in range(steps):
        logits = trained.itm_logits(image_embeds, trained.encode_text(ids, mask), mask)
        loss = torch.nn.functional.cross_entropy(logits, labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return trained.eval()


@pytest.mark.parametrize("target", ["caption", "shuffled"])
def test_xvlm_overfitted_tiny_model_ranks_the_trained_caption_first(tiny, probes, tmp_path, target):
    """Trained to call the caption (or, the other way round, its all-words shuffle) the match, the loaded
    adapter must rank that text first for every image: the score's direction is the ITM head's "match"."""
    import torch

    folder, model = tiny
    items = [it for it in probes.items if it.task == "semantic_structure"][:3]
    images = [render_scene(it.image.scene) for it in items]
    texts = [it.options[0] for it in items] + [it.options[-1] for it in items]  # the caption; every word shuffled
    adapter = XvlmItm(str(folder))
    adapter.ensure_loaded()
    ids, mask = adapter._tokens(texts)
    with torch.no_grad():
        image_embeds = model.encode_image(adapter._pixels(images)).repeat(2, 1, 1)
    labels = torch.tensor([1, 1, 1, 0, 0, 0] if target == "caption" else [0, 0, 0, 1, 1, 1])
    trained = _overfit(model, image_embeds, ids, mask, labels)
    for name in ("vocab.txt", "config_swinT.json", "config_bert.json"):
        (tmp_path / name).write_bytes((folder / name).read_bytes())
    torch.save({"model": export_original(trained)}, tmp_path / "overfit.pth")
    overfit = XvlmItm(str(tmp_path))
    overfit.ensure_loaded()
    scores = overfit.score_pairs(images * 2, texts)
    wins = scores[:3] > scores[3:]
    assert wins.all() if target == "caption" else not wins.any(), scores


# -- tokenizer and bad input ---------------------------------------------------------------------------------------
def test_xvlm_tokenizer_takes_the_whole_vocabulary_and_checks_its_size(tmp_path):
    from snare.adapters.xvlm.tokenizer import load_tokenizer

    words = ["a", "red", "circle", "left", "of", "the", "##s"]
    (tmp_path / "vocab.txt").write_text("\n".join(SPECIAL + words) + "\n")
    tokenizer, _ = load_tokenizer(tmp_path / "vocab.txt", model_vocab_size=30522, exact=False)
    assert len(tokenizer) == len(SPECIAL) + len(words)  # not the 5-token tokenizer of BertTokenizer(vocab_file=)
    ids = tokenizer("The RED circles")["input_ids"]
    assert tokenizer.convert_ids_to_tokens(ids) == ["[CLS]", "the", "red", "circle", "##s", "[SEP]"]
    with pytest.raises(WeightsUnavailableError, match="has 12 tokens but the model's embedding table has 30522"):
        load_tokenizer(tmp_path / "vocab.txt", model_vocab_size=30522, exact=True)
    (tmp_path / "plain.txt").write_text("\n".join(words))
    with pytest.raises(WeightsUnavailableError, match=r"not BERT's: it lacks \[PAD\], \[UNK\], \[CLS\], \[SEP\]"):
        load_tokenizer(tmp_path / "plain.txt", model_vocab_size=30522, exact=False)


def test_xvlm_input_ids_are_cls_then_the_caption_with_no_sep_as_the_original_tokenizer_makes_them(tiny):
    folder, _ = tiny
    adapter = XvlmItm(str(folder), max_tokens=4)
    adapter.ensure_loaded()
    tok = adapter.tokenizer
    ids, mask = adapter._tokens(["the red circle", "a"])
    rows = [tok.convert_ids_to_tokens(row) for row in ids.tolist()]
    assert rows[0] == ["[CLS]", "the", "red", "circle"]  # [CLS] first, no [SEP], 4 ids (max_tokens) in all
    assert rows[1][:2] == ["[CLS]", "a"] and mask.tolist()[1] == [1, 1, 0, 0]
    assert "[SEP]" not in {t for row in rows for t in row}
    full = XvlmItm(str(folder))
    full.ensure_loaded()
    long = " ".join(["red"] * 60)
    long_ids, _ = full._tokens([long])
    assert long_ids.shape[1] == 40 and tok.sep_token_id not in long_ids.tolist()[0]  # cut at the original's 40
    assert full.preprocessing()["special_tokens"] == "[CLS] {caption}"


def test_xvlm_weights_that_cannot_be_had_fail_in_one_line(tmp_path):
    with pytest.raises(
        WeightsUnavailableError, match=r"not on the Hugging Face hub: download .*16m_base.*--weights PATH"
    ):
        XvlmItm("16m").ensure_loaded()
    with pytest.raises(WeightsUnavailableError, match="not a file, a folder, 'random' or an X-VLM tag"):
        XvlmItm("Salesforce/blip-itm-base-coco").ensure_loaded()
    (tmp_path / "a.pth").write_bytes(b"")
    (tmp_path / "b.th").write_bytes(b"")
    with pytest.raises(WeightsUnavailableError, match=r"2 checkpoints \(a.pth, b.th\)"):
        XvlmItm(str(tmp_path)).ensure_loaded()
    with pytest.raises(WeightsUnavailableError, match="-o score takes prob, logprob, snare"):
        XvlmItm("random", score="max")
    proc = run_snare("eval", "--model", "xvlm", "--output", str(tmp_path / "run"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = error_lines(proc.stderr)
    assert len(lines) == 1 and "4m_base_model_state_step_199999.th" in lines[0] and "--weights PATH" in lines[0]
    assert not (tmp_path / "run").exists()


def test_xvlm_adapter_module_imports_no_torch():
    import subprocess
    import sys

    code = "import sys, snare.adapters.xvlm.adapter as a; print(a.XvlmItm.meta.name, 'torch' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.split() == ["xvlm", "False"]


@pytest.mark.slow
def test_xvlm_full_size_random_eval_end_to_end(tmp_path):
    words = sorted({w for it in synthetic_probeset().items for o in it.options for w in o.lower().split()})
    (tmp_path / "vocab.txt").write_text("\n".join(SPECIAL + words) + "\n")
    out = tmp_path / "x"
    proc = run_snare(
        "eval",
        "--model",
        "xvlm",
        "--weights",
        "random",
        "--limit",
        "20",
        "-o",
        f"tokenizer={tmp_path / 'vocab.txt'}",
        "--output",
        str(out),
        "-q",
    )
    assert proc.returncode == 0, proc.stderr
    results = json.loads((out / "results.json").read_text())
    assert {t: s["n"] for t, s in results["tasks"].items()} == dict.fromkeys(
        [
            "attribute_ownership",
            "negation_logic",
            "relationship_composition",
            "semantic_structure",
            "spatial_relations",
        ],
        20,
    )
    model = results["model"]
    assert model["weights"] == "random" and model["preprocessing"]["image_res"] == 224
    assert model["preprocessing"]["vocab_size"] == len(SPECIAL) + len(words)


@pytest.mark.parametrize("cls", [XvlmItm, XvlmItc], ids=["xvlm", "xvlm-itc"])
def test_xvlm_tiny_adapters_pass_the_conformance_kit(tiny, cls):
    from snare.testing import check_adapter

    folder, _ = tiny
    report = check_adapter(cls(str(folder)), dtypes=("float32", "bfloat16"), raise_on_failure=False)
    assert all(r.status != "failed" for r in report.results), report.summary()
