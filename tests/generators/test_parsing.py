import pytest

from snare.errors import SnareError
from snare.generators.parsing import PARSER, TAGGER, doc_to_parsed, load_nlp, nlp_info, parse_captions
from snare.generators.tokens import ParsedCaption, Token

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


def test_openblas_ops_parse_exactly_as_the_default_blis_pipeline():
    import spacy

    nlp = load_nlp(PARSER)
    ops = nlp.get_pipe("tok2vec").model.ops
    assert type(ops).__name__ == "NumpyOps" and ops.use_blis is False
    default = spacy.load(nlp.meta["lang"] + "_" + nlp.meta["name"], exclude=["ner", "senter"])
    assert default.get_pipe("tok2vec").model.ops.use_blis is True
    assert parse_captions(CAPTIONS, nlp) == parse_captions(CAPTIONS, default)


def _token_by_token(doc, parsed: bool, lemmas: bool) -> ParsedCaption:
    tokens = tuple(
        Token(
            text=t.text,
            tag=t.tag_,
            ws=t.whitespace_,
            dep=t.dep_ if parsed else "",
            head=t.head.i if parsed else t.i,
            lemma=t.lemma_ if lemmas else "",
            pos=t.pos_ if parsed else "",
        )
        for t in doc
    )
    return ParsedCaption(text=doc.text, tokens=tokens)


@pytest.mark.parametrize("components", [TAGGER, PARSER])
def test_array_read_parse_equals_the_tokens_attributes(components):
    nlp = load_nlp(components)
    odd = ["a  man ,riding a horse ", "  two dogs aren't on the man's couch - really?", "x", "", "don't stop!!"]
    parsed, lemmas = "parser" in nlp.pipe_names, "lemmatizer" in nlp.pipe_names
    for doc in nlp.pipe(CAPTIONS + odd):
        assert doc_to_parsed(doc) == _token_by_token(doc, parsed, lemmas)
        assert doc_to_parsed(doc, parsed=parsed, lemmas=lemmas) == _token_by_token(doc, parsed, lemmas)


def test_missing_model_is_a_one_line_error():
    with pytest.raises(SnareError, match="en_core_web_nope is not installed") as info:
        load_nlp(TAGGER, model="en_core_web_nope")
    assert "\n" not in str(info.value)
