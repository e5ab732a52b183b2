"""``blind-ngram``: a text-only scorer that ignores the image; its corpus, its options, its CLI."""

import json

import numpy as np
import pytest
from PIL import Image

from snare.adapters.blind import BlindNgram
from snare.errors import SnareError
from tests.helpers import run_snare


def test_blind_ignores_the_image_and_prefers_the_corpus_word_order(tmp_path):
    corpus = tmp_path / "captions.txt"
    corpus.write_text("a man rides a horse on the beach\n\na dog runs in the park\na man walks a dog\n")
    adapter = BlindNgram(str(corpus))
    adapter.ensure_loaded()
    texts = ["a man rides a horse", "horse a rides man a"]
    red, blue = Image.new("RGB", (8, 8), "red"), Image.new("RGB", (32, 16), "blue")
    scores = adapter.score_pairs([red, red], texts)
    np.testing.assert_array_equal(scores, adapter.score_pairs([blue, red], texts))
    assert scores[0] > scores[1]
    assert adapter.revision.startswith("sha256:") and adapter.preprocessing()["n_captions"] == 3


def test_blind_bad_options_and_files_are_user_errors(tmp_path):
    with pytest.raises(SnareError, match="-o order takes an integer from 1 to 6"):
        BlindNgram(order="two").ensure_loaded()
    with pytest.raises(SnareError, match="caption file not found"):
        BlindNgram(str(tmp_path / "none.txt")).ensure_loaded()
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n")
    with pytest.raises(SnareError, match="holds no captions"):
        BlindNgram(str(empty)).ensure_loaded()


def test_blind_eval_end_to_end_on_the_synthetic_probes():
    proc = run_snare("eval", "--model", "blind-ngram", "--limit", "40", "--json", "-q", "--protocol", "snare")
    assert proc.returncode == 0, proc.stderr
    tasks = json.loads(proc.stdout)["tasks"]
    # The corpus (seed-1000 true captions) never negates and always orders words grammatically.
    assert tasks["negation_logic"]["accuracy"] == 1.0
    assert tasks["semantic_structure"]["accuracy"] > 0.5
    # Which of four relations holds cannot be read from the text.
    assert tasks["spatial_relations"]["accuracy"] < 0.6
    # The built-in set as snare eval runs it by default: contrast twins, where the same preference gets no pair.
    proc = run_snare("eval", "--model", "blind-ngram", "--limit", "40", "--json", "-q", "-t", "negation_logic")
    negation = json.loads(proc.stdout)["tasks"]["negation_logic"]
    assert (negation["accuracy"], negation["pair_accuracy"]) == (0.5, 0.0)
