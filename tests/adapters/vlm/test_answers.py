"""Answer-token rules and prompts: the BOS trap, multi-token and shared answers refused, templates."""

import pytest

from snare.adapters.vlm import answers
from snare.adapters.vlm.tiny import byte_bpe_tokenizer
from snare.errors import WeightsUnavailableError


def _gemma_like():
    return byte_bpe_tokenizer(["<pad>", "<eos>", "<bos>"], bos="<bos>", pad_token="<pad>", eos_token="<eos>")


def test_bos_tokenizer_trap_encode_first_id_is_bos_but_the_answer_ids_are_the_words():
    tok = _gemma_like()
    bos = tok.convert_tokens_to_ids("<bos>")
    assert tok("yes").input_ids[0] == bos  # what encode(answer)[0] would read
    found = answers.answer_tokens(tok)
    assert bos not in found.yes + found.no
    assert set(found.yes) == {tok.convert_tokens_to_ids(t) for t in ("yes", "Ġyes", "Yes", "ĠYes")}
    assert set(found.no) == {tok.convert_tokens_to_ids(t) for t in ("no", "Ġno", "No", "ĠNo")}
    assert found.spellings["yes"] == ["yes", " yes", "Yes", " Yes"]


def test_an_answer_word_without_a_single_token_is_refused_with_its_tokenisation():
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    core = Tokenizer(models.BPE(vocab={"<pad>": 0, **{c: i + 1 for i, c in enumerate(alphabet)}}, merges=[]))
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok = PreTrainedTokenizerFast(tokenizer_object=core, pad_token="<pad>")
    with pytest.raises(WeightsUnavailableError, match=r"no single ordinary token for the answer 'yes' \('yes' -> \["):
        answers.answer_tokens(tok)


def test_answers_that_share_a_token_are_refused():
    from tokenizers import normalizers

    tok = _gemma_like()
    tok.backend_tokenizer.normalizer = normalizers.Replace("yes", "no")  # every spelling of yes now reads "no"
    tok.backend_tokenizer.normalizer = normalizers.Sequence([normalizers.Lowercase(), normalizers.Replace("yes", "no")])
    with pytest.raises(WeightsUnavailableError, match="share token ids"):
        answers.answer_tokens(tok)


def test_special_tokens_never_count_as_answers():
    tok = byte_bpe_tokenizer(["<pad>", "yes"], pad_token="<pad>")  # "yes" itself declared a special token
    found = answers.answer_tokens(tok)
    assert tok.convert_tokens_to_ids("yes") not in found.yes
    assert "yes" not in found.spellings["yes"]


def test_question_template_needs_a_caption_slot_and_is_filled_literally():
    with pytest.raises(WeightsUnavailableError, match=r"no \{caption\} slot"):
        answers.check_template("Is this right?")
    assert answers.question('Is it "{caption}"? {x}', "a {b}") == 'Is it "a {b}"? {x}'


def test_prompts_use_the_chat_template_with_a_generation_prompt_or_the_raw_layout():
    from snare.adapters.vlm.tiny import random_parts

    _, llava = random_parts("llava")
    assert answers.prompt(llava, "Q?", has_template=True) == "USER: <image>\nQ? ASSISTANT:"
    _, qwen = random_parts("qwen2-vl")
    assert answers.prompt(qwen, "Q?", has_template=True).endswith("Q?<|im_end|>\n<|im_start|>assistant\n")
    _, paligemma = random_parts("paligemma")
    assert answers.prompt(paligemma, "Q?", has_template=False) == "<image>Q?"


def test_vqascore_reads_the_single_capitalised_yes_token():
    tok = _gemma_like()
    assert answers.vqascore_token(tok) == tok.convert_tokens_to_ids("Yes")
    with pytest.raises(WeightsUnavailableError, match=r"'Yes!' as .* not one ordinary token"):
        answers.vqascore_token(tok, "Yes!")
