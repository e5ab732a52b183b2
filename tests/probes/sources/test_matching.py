"""A repository copy's files are matched like allow_patterns (``*`` crosses ``/``) without walking needless folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from snare.probes.sources.matching import files_matching, may_hold


def _tree(root: Path, names: list[str]) -> None:
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(b"x")


def test_a_star_crosses_folders_as_in_allow_patterns(tmp_path):
    _tree(tmp_path, ["Questions.csv", "MMVP Images/1.jpg", "README.md", "other/Q.csv", "data/a/b.png", "data/c"])

    def names(pattern: str) -> list[str]:
        return [p.relative_to(tmp_path).as_posix() for p in files_matching(tmp_path, pattern)]

    assert names("[MQ]*") == ["MMVP Images/1.jpg", "Questions.csv"]
    assert names("data/*") == ["data/a/b.png", "data/c"]


@pytest.mark.parametrize(
    ("parts", "pattern", "holds"),
    [
        (("data",), "data/test-*.parquet", True),
        (("bin",), "data/test-*.parquet", False),  # a copy linked to /: /bin is never entered
        (("data", "sub"), "data/test-*.parquet", False),  # 'test-' must start the name below data/
        (("data", "test-x"), "data/test-*.parquet", True),  # '*' may cross into it
        (("MMVP Images",), "[MQ]*", True),
        (("media",), "[MQ]*", False),
        (("x",), "[!a]*", True),  # a negated class may match '/': no pruning from it on
        (("default", "test"), "default/test/*.parquet", True),
        (("default", "test", "x"), "default/test/a.parquet", False),  # deeper than a pattern without wildcards
    ],
)
def test_a_folder_is_entered_only_when_a_path_under_it_may_match(parts, pattern, holds):
    assert may_hold(parts, pattern) is holds


def test_a_link_to_a_folder_is_not_entered(tmp_path):
    _tree(tmp_path / "outside", ["data/test-0.parquet"])
    (tmp_path / "copy").mkdir()
    (tmp_path / "copy" / "data").symlink_to(tmp_path / "outside" / "data", target_is_directory=True)
    assert files_matching(tmp_path / "copy", "data/*") == []
