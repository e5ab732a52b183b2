import pytest

from snare.errors import SnareError
from snare.generators.parsing import PARSER, TAGGER, load_nlp, nlp_info, parse_captions

CAPTIONS = [
    "a man riding a horse on the beach",
    "two dogs are sitting on a couch",
    "the man's hat, on a table",
    "a brown dog chases a white cat",
] * 3 + ["a woman holding an umbrella in the rain", "there is a dog on the grass"]


def test_tagger_pipeline_loads_only_what_shuffles_need():
    nlp = load_nlp(TAGGER)
    assert nlp.pipe_names == ["tok2vec", "tagger"]
    info = nlp_info(nlp)
    assert info["model"].startswith("en_core_web_sm") and info["model_version"] and info["components"] == list(TAGGER)


def test_parses_keep_tags_dependencies_and_white_space():
    parses = parse_captions(CAPTIONS, load_nlp(PARSER))
    assert len(parses) == 6  # each distinct caption parsed once
    hat = parses["the man's hat, on a table"]
    assert [t.text for t in hat.tokens][:4] == ["the", "man", "'s", "hat"]
    assert hat.tokens[1].ws == "" and hat.tokens[3].ws == ""
    assert hat.render(range(len(hat))) == "the man's hat, on a table"
    man = parses["a man riding a horse on the beach"]
    assert {t.dep for t in man.tokens} >= {"det", "ROOT", "dobj"}
    assert all(0 <= t.head < len(man) for t in man.tokens)


def test_parses_do_not_depend_on_batch_size_or_process_count():
    nlp = load_nlp(TAGGER)
    one = parse_captions(CAPTIONS, nlp, batch_size=1)
    assert parse_captions(CAPTIONS, nlp, batch_size=64) == one
    assert parse_captions(CAPTIONS, nlp, batch_size=2, n_process=2) == one


def test_missing_model_is_a_one_line_error():
    with pytest.raises(SnareError, match="en_core_web_nope is not installed") as info:
        load_nlp(TAGGER, model="en_core_web_nope")
    assert "\n" not in str(info.value)
