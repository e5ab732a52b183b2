"""Hangs and security: devices, FIFOs, links, paths that leave the set, bombs, escape sequences."""

from __future__ import annotations

import json
import os
from pathlib import Path

from PIL import Image

from tests.hostile.conftest import edit_items, edit_manifest, fails_cleanly, rebuild_items, snare


def _link_image_to(folder: Path, target: str, name: str = "0.jpg") -> None:
    (folder / "images" / name).unlink()
    os.symlink(target, folder / "images" / name)


def test_an_image_linked_to_dev_zero_is_refused_not_read(probe_dir, tmp_path):
    _link_image_to(probe_dir, "/dev/zero")
    fails_cleanly(snare("eval", "--model", "constant", "--probes", str(probe_dir), "-q", "--no-cache"), "a device")
    shown = snare("probes", "show", str(probe_dir))
    assert shown.returncode == 0 and "unverified" in shown.stdout
    assert snare("audit", str(probe_dir), "--json").returncode == 0


def test_leaderboard_check_against_a_probe_set_whose_image_became_dev_zero_does_not_hang(probe_dir, tmp_path):
    run, sub = tmp_path / "run", tmp_path / "sub.json"
    proc = snare("eval", "--model", "constant", "--probes", str(probe_dir), "-q", "--no-cache", "--output", str(run))
    assert proc.returncode == 0, proc.stderr
    proc = snare("submit", str(run), "--out", str(sub), "--name", "Const A", "--probes", str(probe_dir))
    assert proc.returncode == 0, proc.stderr
    _link_image_to(probe_dir, "/dev/zero")
    proc = snare("leaderboard", "check", str(sub), "--probes", str(probe_dir))  # returns: the device is never read
    # and a complete submission is not vouched for by a set whose fingerprint can no longer be recomputed
    fails_cleanly(proc, "cannot be verified", "add its images")


def test_allow_partial_with_limit_and_task_turns_a_device_or_folder_image_into_failed_items(probe_dir, tmp_path):
    _link_image_to(probe_dir, "/dev/urandom")
    (probe_dir / "images" / "1.jpg").unlink()
    (probe_dir / "images" / "1.jpg").mkdir()  # an image path that is a folder
    out = tmp_path / "run"
    args = ("eval", "--model", "constant", "--probes", str(probe_dir), "--allow-partial", "--limit", "3")
    proc = snare(*args, "--task", "negation_logic", "--output", str(out), "-q", "--no-cache")
    assert proc.returncode == 0, proc.stderr
    record = json.loads((out / "results.json").read_text())
    assert record["partial"] is True
    failed = record["coverage"]["negation_logic"]["failed"]
    reasons = json.dumps(failed)
    assert "a device" in reasons and "a folder" in reasons, failed


def test_a_fifo_image_does_not_hang(probe_dir):
    (probe_dir / "images" / "0.jpg").unlink()
    os.mkfifo(probe_dir / "images" / "0.jpg")
    fails_cleanly(snare("eval", "--model", "constant", "--probes", str(probe_dir), "-q", "--no-cache"), "FIFO")


def test_a_submission_linked_to_dev_zero_is_rejected_in_one_line(tmp_path):
    link = tmp_path / "sub.json"
    link.symlink_to("/dev/zero")
    fails_cleanly(snare("leaderboard", "check", str(link)), "a device")
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    fails_cleanly(snare("leaderboard", "check", str(fifo)), "FIFO")


def test_a_manifest_or_task_file_that_is_a_device_is_refused(probe_dir):
    (probe_dir / "negation_logic.jsonl").unlink()
    os.symlink("/dev/zero", probe_dir / "negation_logic.jsonl")
    fails_cleanly(snare("probes", "show", str(probe_dir)), "a device")


def test_image_paths_cannot_leave_the_image_root(probe_dir, tmp_path):
    secret = tmp_path / "secret.jpg"
    Image.new("RGB", (8, 8)).save(secret)
    for bad in (str(secret), "../../secret.jpg"):
        edit_items(probe_dir, lambda item, bad=bad: {**item, "image": {"path": bad}})
        line = fails_cleanly(snare("probes", "show", str(probe_dir)), "absolute or climbs out")
        assert "secret" in line


def test_a_manifest_image_root_that_climbs_out_is_refused(probe_dir):
    edit_manifest(probe_dir, lambda m: {**m, "image_root": "../elsewhere"})
    fails_cleanly(snare("probes", "show", str(probe_dir)), "image_root")


def test_a_task_name_naming_a_file_outside_the_set_is_refused(probe_dir, tmp_path):
    (tmp_path / "outside.jsonl").write_text((probe_dir / "negation_logic.jsonl").read_text())
    edit_manifest(probe_dir, lambda m: {**m, "tasks": {"../outside": 4}})
    fails_cleanly(snare("probes", "show", str(probe_dir)), "tasks")


def test_a_decompression_bomb_image_is_one_line(probe_dir):
    Image.new("1", (14000, 14000)).save(probe_dir / "images" / "0.jpg", format="PNG")  # 196 Mpx in a small file
    edit_manifest(probe_dir, lambda m: {k: v for k, v in m.items() if k != "fingerprint"})  # a consistent set
    fails_cleanly(
        snare("eval", "--model", "constant", "--probes", str(probe_dir), "-q", "--no-cache"), "decompression bomb"
    )


def test_a_truncated_jpeg_is_caught_by_decoding(probe_dir, tmp_path):
    path = probe_dir / "images" / "0.jpg"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    edit_manifest(probe_dir, lambda m: {k: v for k, v in m.items() if k != "fingerprint"})
    fails_cleanly(
        snare("eval", "--model", "constant", "--probes", str(probe_dir), "-q", "--no-cache"), "truncated or corrupt"
    )
    out = tmp_path / "run"
    args = ("eval", "--model", "constant", "--probes", str(probe_dir), "-q", "--no-cache", "--allow-partial")
    proc = snare(*args, "--output", str(out))
    assert proc.returncode == 0, proc.stderr  # a failed item, not a lost run
    failed = json.loads((out / "results.json").read_text())["coverage"]["negation_logic"]["failed"]
    assert [f["id"] for f in failed] == ["t/negation_logic/0000"] and "truncated" in failed[0]["reason"]


def test_escape_sequences_and_markup_in_captions_are_shown_not_obeyed(probe_dir):
    hostile = "a dog \x1b[2J\x1b]0;pwned\x07 runs [bold red]loud[/] \u202eevil"

    def edit(item):
        return {**item, "options": [hostile, "a dog does not run"]}

    rebuild_items(probe_dir, edit)
    proc = snare("probes", "show", str(probe_dir))
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout and "\u202e" not in proc.stdout and "\x07" not in proc.stdout
    assert "\\x1b[2J" in proc.stdout and "[bold red]loud[/]" in proc.stdout


def test_an_error_line_naming_a_hostile_file_name_is_neutralised(tmp_path):
    weird = tmp_path / "run\x1b[31mred"
    proc = snare("report", str(weird))
    line = fails_cleanly(proc)
    assert "\x1b" not in proc.stderr and "\\x1b[31mred" in line


def test_data_check_shows_hostile_captions_and_names_without_obeying_them(tmp_path):
    Image.new("RGB", (8, 8)).save(tmp_path / "a.jpg")
    caption = "a dog \x1b]0;pwned\x07 [red]runs[/]"
    records = [{"image": "a.jpg", "caption": [caption, caption]}, {"image": "gone\x1b[2J.jpg", "caption": ["x"]}]
    (tmp_path / "coco_karpathy_val.json").write_text(json.dumps(records))
    proc = snare("data", "check", str(tmp_path))
    assert proc.returncode == 1  # problems found: the check fails, as documented
    assert "\x1b" not in proc.stdout and "\x07" not in proc.stdout
    assert "[red]runs[/]" in proc.stdout and "gone\\x1b[2J.jpg" in proc.stdout


def test_an_image_linked_to_a_file_outside_the_set_is_refused(probe_dir, tmp_path):
    outside = tmp_path / "private.jpg"
    (probe_dir / "images" / "0.jpg").rename(outside)  # the same bytes: the fingerprint alone cannot tell
    (probe_dir / "images" / "0.jpg").symlink_to(outside)
    proc = snare("eval", "--model", "constant", "--probes", str(probe_dir), "-q", "--no-cache")
    fails_cleanly(proc, "leads out of the probe set's image folder")  # was: read, scored, and fingerprint-checked
