import pytest


@pytest.fixture(scope="session")
def clip_random():
    """Full-size CLIP ViT-B/32 with seeded random weights, built once for every CLIP test."""
    from snare.adapters.clip import OpenClip

    adapter = OpenClip("random", seed=0)
    adapter.ensure_loaded()
    return adapter
