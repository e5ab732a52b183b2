"""Test-wide settings: never touch the network, never write into the user's caches."""

from __future__ import annotations

import pytest

pytest_plugins = ["tests.probes.sources.local_hub"]  # the local Hugging Face hub fixture (``local_hub``)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    home = tmp_path_factory.getbasetemp() / "home"
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(home / "hf"))
    monkeypatch.setenv("SNARE_CACHE", str(home / "snare-cache"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))


def _hypothesis_profiles() -> None:
    """CI runs property tests derandomized so that a red build is reproducible from its log."""
    import os

    from hypothesis import settings

    settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
    if os.environ.get("CI"):
        settings.load_profile("ci")


_hypothesis_profiles()
