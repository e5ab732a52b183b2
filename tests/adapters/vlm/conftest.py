import pytest

from snare.adapters.vlm.tiny import ARCHS


@pytest.fixture(scope="session", params=ARCHS)
def vlm_yesno(request):
    """One loaded tiny random yes/no adapter per architecture, shared by the vlm tests."""
    from snare.adapters.vlm.adapter import Vlm

    adapter = Vlm("random", arch=request.param, seed=3)
    adapter.ensure_loaded()
    return adapter


@pytest.fixture(scope="session", params=ARCHS)
def vlm_likelihood(request):
    from snare.adapters.vlm.adapter import Vlm

    adapter = Vlm("random", arch=request.param, score="likelihood", seed=3)
    adapter.ensure_loaded()
    return adapter
