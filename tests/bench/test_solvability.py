"""bench/solvability.py: a SugarCrepe set laid out with placeholder images, built and audited, figures written."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import solvability  # bench/ is not a package

COLOURS = ["red", "blue", "green", "black", "white", "brown", "grey", "yellow"]
THINGS = ["dog", "cat", "car", "bench", "horse", "boat", "kite", "chair"]
N = 80


def _sugarcrepe_repo(root: Path) -> Path:
    """A git repository with data/swap_att.json in SugarCrepe's format: N entries on N // 2 images, each negative
    the caption plus one word (so 'shortest option' is always right and 'longest option' never)."""
    entries = {}
    for k in range(N):
        colour, thing = COLOURS[k % len(COLOURS)], THINGS[(k // len(COLOURS)) % len(THINGS)]
        caption = f"A {colour} {thing} near the {THINGS[(k + 3) % len(THINGS)]}."
        entries[str(k)] = {
            "filename": f"{k // 2:012d}.jpg",
            "caption": caption,
            "negative_caption": caption.replace(" near", " standing near"),
        }
    (root / "data").mkdir(parents=True)
    (root / "data" / "swap_att.json").write_text(json.dumps(entries), encoding="utf-8")
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "data"]):
        subprocess.run(["git", *args], cwd=root, check=True, env={**env, "PATH": "/usr/bin:/bin"})
    return root


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    root = tmp_path_factory.mktemp("sugar-crepe")
    repo = _sugarcrepe_repo(root / "repo")
    work = root / "work"
    return solvability.run({"sugarcrepe": repo}, work, seed=0), repo, work


def test_placeholder_images_stand_for_every_image_of_the_file(figures):
    _, _, work = figures
    images = sorted((work / "sugarcrepe" / "data" / "val2017").iterdir())
    assert [p.name for p in images] == [f"{k:012d}.jpg" for k in range(N // 2)]
    grey = (work / "sugarcrepe" / "grey.png").read_bytes()
    assert all(p.read_bytes() == grey for p in images)  # one grey image: only the text can help


def test_every_blind_model_and_rule_of_the_subset_with_intervals(figures):
    results, repo, _ = figures
    bench = results["benchmarks"]["sugarcrepe"]
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, check=True, capture_output=True, text=True)
    assert bench["commit"] == head.stdout.strip() and bench["lm"] is None
    (name,) = bench["subsets"]
    fig = bench["subsets"][name]["all"]
    assert name == "swap_att" and fig["n"] == N and fig["chance"] == 0.5
    assert set(fig["models"]) == {"blind n-gram", "bag-of-words", "bag-of-bigrams"}
    for acc in fig["models"].values():
        assert acc["n"] == N and acc["ci"][0] <= acc["accuracy"] <= acc["ci"][1]
    # the negative is the caption plus one word: the shorter option is always the caption, and it comes first
    assert fig["rules"]["shortest option"]["accuracy"] == 1.0 and fig["rules"]["longest option"]["accuracy"] == 0.0
    assert fig["rules"]["first option"]["accuracy"] == 1.0 and fig["best_rule"] == "shortest option"
    # 'standing' appears in every negative and no caption: the bag of words learns it from the other folds
    assert fig["models"]["bag-of-words"]["accuracy"] == 1.0
    assert "sample" not in bench["subsets"][name]  # no pretrained LM asked for


def test_the_markdown_table_has_a_row_per_subset(figures):
    results, _, _ = figures
    table = solvability.markdown({**results, "lm_sample": 0})
    row = next(line for line in table.splitlines() if line.startswith("| swap_att"))
    assert f"| {N} | 0.50 |" in row and "shortest option: 1.00 [" in row
