"""The submission schema: strict types, plain-text names, http(s) links, and an exportable JSON Schema."""

from __future__ import annotations

import jsonschema
import pytest
from pydantic import ValidationError

from snare.leaderboard.schema import ModelInfo, Submission, json_schema


def test_plain_text_names_and_labels():
    model = ModelInfo(name="clip", weights="hf-hub:org/name", display_name="CLIP ViT-B/32 (OpenAI), 151M")
    assert model.label == "CLIP ViT-B/32 (OpenAI), 151M"
    assert ModelInfo(name="clip", weights="openai").label == "clip (openai)"
    for bad in ("<b>x</b>", "a & b", 'say "hi"', "it's", "back`tick", "tab\there", " padded"):
        with pytest.raises(ValidationError):
            ModelInfo(name="clip", weights="openai", display_name=bad)


def test_links_are_http_only():
    assert ModelInfo(name="m", weights="w", url="https://huggingface.co/org/name").url
    for bad in ("javascript:alert(1)", "ftp://x.org/a", "https://", "//x.org/a", "https://x.org/a b"):
        with pytest.raises(ValidationError):
            ModelInfo(name="m", weights="w", url=bad)


def test_exported_json_schema_accepts_a_real_submission(good_submission: dict):
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(good_submission, schema)
    assert Submission.model_validate(good_submission).model.name == "texthash"


def test_invisible_and_bidi_characters_are_refused_in_text_fields():
    import pytest
    from pydantic import TypeAdapter, ValidationError

    from snare.leaderboard.schema import PlainText

    plain = TypeAdapter(PlainText)
    assert plain.validate_python("CLIP ViT-B/32 (ü)") == "CLIP ViT-B/32 (ü)"
    for char in ("\u200b", "\u202e", "\u2066", "\u2028", "\ufeff", "\x85"):
        with pytest.raises(ValidationError, match=r"invisible|control"):
            plain.validate_python(f"clip{char}b32")
