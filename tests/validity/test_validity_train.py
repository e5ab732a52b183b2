"""Reference-model training: bit-identical reruns, shared image init, order-blind vs order-aware encoders."""

import pytest
import torch

from snare.adapters.reference_model import ReferenceConfig, ReferenceModel, load_model, to_bytes
from snare.validity.train import TrainSettings, train, training_data

SMALL = TrainSettings(n_scenes=24, steps=3, batch_size=12, warmup=2)


@pytest.fixture(scope="module")
def data():
    return training_data(SMALL.train_seed, SMALL.n_scenes)


def _state(model):
    return {k: v.clone() for k, v in model.state_dict().items()}


def test_validity_training_data_comes_from_scenes_disjoint_from_the_probe_set(data):
    from snare.probes.scenes import make_scene
    from snare.probes.synthetic import DEFAULT_SEED, synthetic_probeset

    assert SMALL.train_seed != DEFAULT_SEED
    from snare.probes.contrast import contrast_synthetic

    probe_images = {it.image.scene for it in synthetic_probeset(n_scenes=300)}
    probe_images |= {it.image.scene for it in contrast_synthetic(n_scenes=300)}  # the twin scenes too
    train_images = {make_scene(SMALL.train_seed, i).spec() for i in range(SMALL.n_scenes)}
    assert not probe_images & train_images
    # six items per scene, then each scene's negation twin, whose intended option is the negated statement
    assert len(data.positive) == 24 * 6 + 24 and data.pixels.shape == (48, 3, 56, 56)
    twins = data.positive[24 * 6 :]
    assert all(" not " in t for t in twins) and list(data.scene[24 * 6 :]) == list(range(24, 48))
    # SNARE's "respectively" form is true of its scene: never a negative, so not in the data
    assert data.vocab[:2] == ("<pad>", "<unk>") and "respectively" not in data.vocab
    assert not any("respectively" in n for negs in data.negatives for n in negs)


def test_validity_short_training_run_is_bit_identical_twice(data):
    first = _state(train("gru", SMALL, data))
    second = _state(train("gru", SMALL, data))
    assert first.keys() == second.keys()
    assert all(torch.equal(first[k], second[k]) for k in first)
    other_seed = _state(train("gru", TrainSettings(**{**SMALL.to_json(), "seed": 1}), data))
    assert not torch.equal(first["image.head.3.weight"], other_seed["image.head.3.weight"])


def test_validity_training_restores_global_torch_settings(data):
    threads = torch.get_num_threads()
    train("bow", TrainSettings(**{**SMALL.to_json(), "steps": 1}), data)
    assert torch.get_num_threads() == threads and not torch.are_deterministic_algorithms_enabled()


def test_validity_gru_and_bow_start_from_the_same_image_encoder(data):
    none = TrainSettings(**{**SMALL.to_json(), "steps": 0})
    gru, bow = train("gru", none, data), train("bow", none, data)
    for key, value in gru.image.state_dict().items():
        assert torch.equal(value, bow.image.state_dict()[key])


def test_validity_training_lowers_the_loss(data):
    losses = []
    train(
        "gru",
        TrainSettings(**{**SMALL.to_json(), "steps": 40, "warmup": 5}),
        data,
        on_step=lambda s, x: losses.append(x),
    )
    assert sum(losses[-5:]) / 5 < 0.8 * sum(losses[:5]) / 5


def test_validity_bow_ties_permutations_exactly_gru_does_not():
    vocab = ("<pad>", "<unk>", "a", "circle", "is", "on", "red", "square", "the")
    torch.manual_seed(0)
    bow = ReferenceModel(ReferenceConfig("bow", vocab)).eval()
    gru = ReferenceModel(ReferenceConfig("gru", vocab)).eval()
    texts = ["the red circle is on the square", "the square is on the red circle", "circle the on is red square the"]
    with torch.no_grad():
        e_bow, e_gru = bow.encode_texts(texts), gru.encode_texts(texts)
    assert torch.equal(e_bow[0], e_bow[1]) and torch.equal(e_bow[0], e_bow[2])
    assert not torch.allclose(e_gru[0], e_gru[1])


def test_validity_weights_file_round_trip_keeps_config_and_tensors(tmp_path, data):
    model = train("bow", TrainSettings(**{**SMALL.to_json(), "steps": 1}), data)
    path = tmp_path / "m.safetensors"
    path.write_bytes(to_bytes(model))
    loaded = load_model(path)
    assert loaded.config == model.config
    assert all(torch.equal(v, loaded.state_dict()[k]) for k, v in model.state_dict().items())
