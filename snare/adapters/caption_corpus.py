"""Caption corpora for the text-only models, disjoint from the probe items they are used on."""

from __future__ import annotations

from pathlib import Path

from snare.errors import SnareError

MAX_CAPTIONS = 10_000_000  # COCO's training captions are ~600k; a larger "corpus" is not a caption file
TRAIN_SEED = 1000  # synthetic scenes for training the reference and blind models; the probe set uses seed 0
CORPUS_SCENES = 2000


def synthetic_captions(seed: int = TRAIN_SEED, n_scenes: int = CORPUS_SCENES) -> list[str]:
    """True captions of synthetic scenes of ``seed``: both scene captions and every task's intended option.

    These are what a caption corpus of this scene distribution would hold; none comes from the probe seed.
    """
    from snare.probes.scenes import make_scene
    from snare.probes.synthetic import scene_captions, scene_items

    texts: list[str] = []
    for i in range(n_scenes):
        scene = make_scene(seed, i)
        texts.extend(p.text for p in scene_captions(scene))
        texts.extend(it.options[it.correct] for it in scene_items(scene, seed) if it.task != "semantic_structure")
    return texts


def read_captions(path: str | Path) -> list[str]:
    """One caption per non-empty line of a UTF-8 text file (a regular file; each line and the line count bounded)."""
    from snare.safe_io import UnsafeInputError, iter_lines

    path = Path(path).expanduser()
    try:
        captions = [line.strip() for _, line in iter_lines(path, max_lines=MAX_CAPTIONS) if line.strip()]
    except FileNotFoundError:
        raise SnareError(f"caption file not found: {path}") from None
    except PermissionError:
        raise SnareError(f"caption file {path} cannot be read (permission denied)") from None
    except UnsafeInputError as exc:
        raise SnareError(f"{exc}; give a UTF-8 text file of captions, one per line") from None
    if not captions:
        raise SnareError(f"{path} holds no captions; give a text file with one caption per line")
    return captions
