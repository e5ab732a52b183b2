"""Fallback mirrors on the local hub: the first mirror gone -> the next one fetched and recorded; offline re-runs
use what is cached; every mirror gone, or a gated repository, is one line."""

from __future__ import annotations

from dataclasses import replace

import pytest

from snare.probes.sources import fallback, hub
from snare.probes.sources.base import SourceError
from snare.probes.suites import build_suite, dataset_table


def _move_to_fallback(local_hub, name: str) -> tuple[str, str]:
    """Serve dataset ``name``'s files only from its first fallback mirror (same files, its own commit)."""
    ds = dataset_table()[name]
    _, files = local_hub.repos.pop(ds.repo)
    second = ds.fallbacks[0]
    local_hub.repos[second.repo] = (second.revision, files)
    return ds.repo, second.repo


def test_table_rows_inherit_every_field_but_repo_and_revision():
    row = {k: v for k, v in vars(dataset_table()["coco"]).items() if k not in ("name", "fallbacks")}
    ds = fallback.with_fallbacks("x", {**row, "mirrors": [{"repo": "a/b", "revision": "1" * 40}]})
    assert [m.repo for m in fallback.mirrors(ds)] == ["gowitheflow/ARO-COCO-order", "a/b"]
    assert ds.fallbacks[0].columns == ds.columns and ds.fallbacks[0].files == ds.files
    assert ds.fallbacks[0].revision == "1" * 40 and ds.fallbacks[0].fallbacks == ()


def test_first_mirror_gone_fetches_the_second_and_the_manifest_names_it(local_hub, tmp_path, monkeypatch):
    gone, used = _move_to_fallback(local_hub, "flickr30k")
    probes = build_suite("aro", image_dir=tmp_path / "i", tasks=["flickr30k_order"])
    source = probes.info["source"]["flickr30k"]
    assert source["repo"] == used == "mteb/ARO-Flickr-Order"
    assert source["revision"] == "e5d7f3502345b2c398a6645b4d09b44e650287bf"
    assert any(gone in r for r in local_hub.requests) and any(
        f"/resolve/{source['revision']}" in r for r in local_hub.requests
    )
    served = len(local_hub.requests)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # offline, the cached fallback is found without asking the hub
    again = build_suite("aro", image_dir=tmp_path / "j", tasks=["flickr30k_order"])
    assert again.fingerprint == probes.fingerprint and len(local_hub.requests) == served
    assert again.info["source"]["flickr30k"]["repo"] == used


def test_the_primary_mirror_is_preferred_when_both_are_there(local_hub):
    ds = dataset_table()["coco"]
    second = ds.fallbacks[0]
    local_hub.repos[second.repo] = (second.revision, local_hub.repos[ds.repo][1])
    used, _ = fallback.fetch(ds)
    assert used is ds and not any(second.repo in r for r in local_hub.requests)


def test_every_mirror_gone_is_one_line_naming_each(local_hub):
    ds = dataset_table()["vg_relation"]
    local_hub.repos.pop(ds.repo)
    with pytest.raises(SourceError) as err:
        fallback.fetch(ds)
    line = str(err.value)
    assert "\n" not in line and ds.repo in line and ds.fallbacks[0].repo in line and "no mirror left" in line


def test_a_transport_error_does_not_switch_mirrors(local_hub):
    ds = dataset_table()["coco"]
    second = ds.fallbacks[0]
    local_hub.repos[second.repo] = (second.revision, local_hub.repos[ds.repo][1])
    local_hub.truncate.update(local_hub.repos[ds.repo][1])  # every file of the first mirror cut short
    with pytest.raises(SourceError, match="cannot fetch gowitheflow/ARO-COCO-order"):
        fallback.fetch(ds)
    assert not any(second.repo in r for r in local_hub.requests)


def test_a_gated_repository_names_hf_token_and_its_licence_page(local_hub):
    ds = replace(dataset_table()["coco"], fallbacks=())
    local_hub.gated.add(ds.repo)
    with pytest.raises(SourceError) as err:
        hub.fetch(ds)
    line = str(err.value)
    assert "\n" not in line and "HF_TOKEN" in line and f"{local_hub.url}/datasets/{ds.repo}" in line
    assert "gated" in line


def test_data_dir_copies_of_a_fallback_mirror_are_used(local_hub, tmp_path):
    ds = dataset_table()["coco"]
    second = ds.fallbacks[0]
    folder = tmp_path / "copy" / second.repo
    for path, data in local_hub.repos[ds.repo][1].items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(data)
    used, paths = fallback.locate(ds, tmp_path / "copy")
    assert used == second and hub.count_rows(paths) == 15
    with pytest.raises(SourceError, match=f"no folder {ds.repo}"):
        fallback.locate(ds, tmp_path / "empty")
