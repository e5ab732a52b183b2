"""Hostile inputs for the CLI: a small file-based probe set to corrupt, and the assertion every case shares."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from snare.probes.probeset import ProbeSet
from tests.helpers import make_item, run_snare

PROGRESS = re.compile(r"^snare: \S+ \d+(/\d+)? ")


def fails_cleanly(proc: subprocess.CompletedProcess, *needles: str) -> str:
    """The run exited 2 with exactly one ``error:`` line on stderr that mentions every needle; returns it.

    Progress records (``snare: PHASE n/N ...``, printed when stderr is not a terminal) may come before it: they
    report work done, not the failure, and are the only other lines allowed."""
    lines = [line for line in proc.stderr.strip().splitlines() if not PROGRESS.match(line)]
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr[-3000:]
    message = re.sub(r"/\S+", "<path>", lines[0])  # a needle must be in the message, not in a test's tmp path
    for needle in needles:
        assert needle in message, lines[0]
    return lines[0]


def snare(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return run_snare(*args, **kwargs)


@pytest.fixture
def probe_dir(tmp_path: Path) -> Path:
    """A 4-item negation probe set whose images are real JPEG files in ``images/`` inside the set."""
    folder = tmp_path / "probes"
    images = folder / "images"
    images.mkdir(parents=True)
    for i in range(4):
        Image.effect_noise((32, 32), 40).convert("RGB").save(images / f"{i}.jpg", quality=90)
    items = [make_item(i, path=f"{i}.jpg") for i in range(4)]
    staged = tmp_path / "staged"
    ProbeSet(items, name="hostile", image_root=images).save(staged)
    for file in staged.iterdir():
        file.rename(folder / file.name)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["image_root"] = "images"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


def edit_items(folder: Path, edit) -> None:
    """Apply ``edit(dict) -> dict`` to every item line of the negation file (the manifest is left as it was)."""
    path = folder / "negation_logic.jsonl"
    lines = [json.dumps(edit(json.loads(line))) for line in path.read_text().splitlines()]
    path.write_text("\n".join(lines) + "\n")


def edit_manifest(folder: Path, edit) -> None:
    path = folder / "manifest.json"
    path.write_text(json.dumps(edit(json.loads(path.read_text()))))


def rebuild_items(folder: Path, edit) -> None:
    """Apply ``edit`` to every item and rewrite the set with a matching fingerprint: hostile but consistent."""
    from snare.probes.item import ProbeItem

    path = folder / "negation_logic.jsonl"
    items = [ProbeItem.model_validate(edit(json.loads(line))) for line in path.read_text().splitlines()]
    probes = ProbeSet(items, name="hostile", image_root=folder / "images")
    probes.write_into(folder)
    edit_manifest(folder, lambda m: {**m, "image_root": "images"})
