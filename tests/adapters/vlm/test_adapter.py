"""``--model vlm``: options, the conformance kit, save_pretrained folders, refusals, and the CLI offline."""

import json

import numpy as np
import pytest

from snare.adapters.registry import create
from snare.adapters.vlm.adapter import Vlm
from snare.adapters.vlm.tiny import ARCHS
from snare.errors import AdapterError, WeightsUnavailableError
from snare.testing import check_adapter, sample_images
from tests.helpers import error_lines, run_snare


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weights": "random", "temperature": "1"}, "no option 'temperature'"),
        ({"weights": "random", "score": "vqa"}, "-o score=vqa: choose one of yesno, likelihood, vqascore"),
        ({"weights": "random", "reduce": "max"}, "-o reduce=max: choose one of mean, sum"),
        ({"weights": "random", "question": "Is it right?"}, "no {caption} slot"),
        ({"weights": "org/model", "arch": "llava"}, "use it with --weights random"),
        ({"weights": "random", "max_caption_tokens": "-3"}, "give a whole number of tokens, at least 1"),
    ],
)
def test_bad_options_are_one_line_errors_before_loading(kwargs, message):
    weights = kwargs.pop("weights")
    # an unknown key is refused by the adapter base (AdapterError); a bad value by the vlm adapter itself
    with pytest.raises((WeightsUnavailableError, AdapterError), match=message.replace("{", r"\{").replace("}", r"\}")):
        create("vlm", weights, **kwargs)


@pytest.mark.parametrize(("options", "message"), [({}, "needs -o arch=NAME"), ({"arch": "gpt"}, "needs -o arch=NAME")])
def test_random_weights_need_a_known_arch(options, message):
    with pytest.raises(WeightsUnavailableError, match=message):
        Vlm("random", **options).ensure_loaded()


def test_the_record_names_the_score_template_and_answer_tokens(vlm_yesno):
    described = vlm_yesno.describe()
    assert described["name"] == "vlm" and described["head"] == "yes-no-logprob"
    prep = described["preprocessing"]
    assert prep["arch"] == {"llava": "llava", "qwen2-vl": "qwen2_vl", "paligemma": "paligemma"}[vlm_yesno.arch]
    assert "{caption}" in prep["prompt"] and prep["padding"] == "left"
    assert prep["answer_tokens"]["yes"] and prep["answer_tokens"]["no"]
    json.dumps(vlm_yesno.cache_identity())


def test_conformance_kit_passes_for_qwen2_vl_likelihood():
    report = check_adapter(Vlm("random", arch="qwen2-vl", score="likelihood"), dtypes=("float32", "bfloat16"))
    assert report.ok, report.summary()
    assert {r.name for r in report.results} >= {"eval mode", "batch-size invariance", "engine batch-size invariance"}


def test_a_save_pretrained_folder_scores_as_the_model_it_was_saved_from(tmp_path, vlm_yesno):
    folder = tmp_path / "vlm"
    vlm_yesno.model.save_pretrained(folder)
    vlm_yesno.processor.save_pretrained(folder)
    loaded = Vlm(str(folder))
    loaded.ensure_loaded()
    assert loaded.revision.startswith("sha256:")
    images, texts = sample_images(), ["a red circle", "square", "no", "the big one"]
    np.testing.assert_allclose(loaded.score_pairs(images, texts), vlm_yesno.score_pairs(images, texts), atol=1e-5)


def test_a_folder_with_missing_weights_is_refused_not_filled_randomly(tmp_path):
    adapter = Vlm("random", arch="llava")
    adapter.ensure_loaded()
    adapter.model.save_pretrained(tmp_path)
    adapter.processor.save_pretrained(tmp_path)
    config = json.loads((tmp_path / "config.json").read_text())
    config["text_config"]["num_hidden_layers"] += 1
    (tmp_path / "config.json").write_text(json.dumps(config))
    with pytest.raises(WeightsUnavailableError, match=r"does not fit LlavaForConditionalGeneration: \d+ missing"):
        Vlm(str(tmp_path)).ensure_loaded()


def test_a_folder_of_another_kind_of_model_is_refused(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "clip"}))
    with pytest.raises(WeightsUnavailableError, match=r"'clip' model .* AutoModelForImageTextToText does not build"):
        Vlm(str(tmp_path)).ensure_loaded()


def test_a_tokenizer_that_is_not_the_models_is_refused(tmp_path):
    from tests.adapters.hf_helpers import word_tokenizer

    adapter = Vlm("random", arch="llava")
    adapter.ensure_loaded()
    adapter.model.save_pretrained(tmp_path)
    adapter.processor.save_pretrained(tmp_path)
    word_tokenizer(tmp_path, bos=True)  # a 30-word tokenizer over the 270-token model's own
    with pytest.raises(WeightsUnavailableError, match="tokens but the model's text vocabulary has 270"):
        Vlm(str(tmp_path)).ensure_loaded()


def test_a_processor_that_cannot_build_the_prompt_is_a_one_line_error(tmp_path):
    adapter = Vlm("random", arch="paligemma")
    adapter.ensure_loaded()
    adapter.model.save_pretrained(tmp_path)
    adapter.processor.save_pretrained(tmp_path)
    config = json.loads((tmp_path / "tokenizer_config.json").read_text())
    config.pop("bos_token", None)  # PaliGemma's processor writes the BOS into every prompt
    (tmp_path / "tokenizer_config.json").write_text(json.dumps(config))
    with pytest.raises(WeightsUnavailableError, match="the processor cannot build a prompt"):
        Vlm(str(tmp_path)).ensure_loaded()


@pytest.mark.parametrize("arch", ARCHS)
def test_snare_eval_runs_offline_on_each_random_arch(tmp_path, arch):
    out = tmp_path / "run"
    args = ("eval", "--model", "vlm", "--weights", "random", "-o", f"arch={arch}", "--limit", "1", "--output", str(out))
    result = run_snare(*args, env={"HF_HUB_OFFLINE": "1"})
    assert result.returncode == 0, result.stderr[-2000:]
    record = json.loads((out / "results.json").read_text())
    assert "vlm" in json.dumps(record) and f"arch={arch}" not in result.stderr


def test_a_changed_chat_template_changes_the_folders_revision(tmp_path, vlm_yesno):
    if not vlm_yesno.has_template:
        pytest.skip("paligemma has no chat template")
    vlm_yesno.model.save_pretrained(tmp_path)
    vlm_yesno.processor.save_pretrained(tmp_path)
    first = Vlm(str(tmp_path))
    first.ensure_loaded()
    template = tmp_path / "chat_template.jinja"
    template.write_text(template.read_text().replace("{{ c['text'] }}", "Q: {{ c['text'] }}", 1))
    second = Vlm(str(tmp_path))
    second.ensure_loaded()
    assert first.revision != second.revision
    assert "Q: " in second.preprocessing()["prompt"] and "Q: " not in first.preprocessing()["prompt"]


def test_an_unknown_arch_is_one_line_and_exit_2_on_the_cli():
    result = run_snare("eval", "--model", "vlm", "--weights", "random", "-o", "arch=gpt", "--limit", "1")
    assert result.returncode == 2
    assert error_lines(result.stderr) == [
        "error: --weights random needs -o arch=NAME with NAME one of llava, qwen2-vl, paligemma"
    ]
