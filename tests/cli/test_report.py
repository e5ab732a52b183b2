import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from snare.cli.main import main
from snare.probes.probeset import ProbeSet
from tests.helpers import REPO, make_item
from tests.reports.conftest import write_scored_run


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    base = tmp_path_factory.mktemp("cli-runs")
    return [write_scored_run(base / "a", seed=1, skill=1.0), write_scored_run(base / "b", seed=2, skill=0.5)]


def _snare(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main([*args])
    captured = capsys.readouterr()
    return int(info.value.code or 0), captured.out, captured.err


def test_markdown_report_and_plot_files(tmp_path: Path, runs: list[Path], capsys):
    out, plot = tmp_path / "report.md", tmp_path / "acc.png"
    code, _, err = _snare(capsys, "report", *map(str, runs), "--out", str(out), "--plot", str(plot), "--n-boot", "200")
    assert code == 0, err
    text = out.read_text()
    assert "## Paired comparisons" in text and "fake/seed1" in text and "fake/seed2" in text
    with Image.open(plot) as image:
        assert image.format == "PNG"
    assert f"wrote {out}, {plot}" in err


def test_format_from_suffix_and_to_stdout(tmp_path: Path, runs: list[Path], capsys):
    code, _, err = _snare(capsys, "report", str(runs[0]), "--out", str(tmp_path / "r.tex"), "--n-boot", "100")
    assert code == 0, err
    assert r"\toprule" in (tmp_path / "r.tex").read_text()
    code, stdout, _ = _snare(capsys, "report", str(runs[0]), "--format", "json", "--n-boot", "100")
    assert code == 0 and json.loads(stdout)["runs"][0]["label"] == "fake/seed1"
    code, stdout, _ = _snare(capsys, "report", str(runs[0]), "--n-boot", "100")
    assert code == 0 and "Strict accuracy per task" in stdout


def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path: Path, runs: list[Path], capsys):
    broken = write_scored_run(tmp_path / "broken", seed=5, skill=1.0)
    file = broken / "predictions" / "negation_logic.jsonl"
    rows = [json.loads(line) for line in file.read_text().splitlines()]
    rows[3]["scores"][1] = float("nan")
    file.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out, plot = tmp_path / "r.html", tmp_path / "p.svg"
    code, _, err = _snare(capsys, "report", str(runs[0]), str(broken), "--out", str(out), "--plot", str(plot))
    assert code == 2
    assert err.strip().splitlines() == [
        f"error: {file}:4: scores contain NaN or infinity; re-run the model (snare eval checks its scores)"
    ]
    assert not out.exists() and not plot.exists() and not list(tmp_path.glob(".r.html*"))
    code, _, err = _snare(capsys, "report", str(tmp_path))
    assert code == 2 and "results.json is missing" in err and len(err.strip().splitlines()) == 1


def test_different_probe_sets_need_no_compare(tmp_path: Path, runs: list[Path], capsys):
    other = write_scored_run(tmp_path / "other", seed=3, skill=1.0)
    record = json.loads((other / "results.json").read_text())
    record["probeset"]["fingerprint"] = "sha256:" + "f" * 64
    (other / "results.json").write_text(json.dumps(record))
    code, _, err = _snare(capsys, "report", str(runs[0]), str(other), "--format", "csv")
    assert code == 2 and "different probe sets" in err and "--no-compare" in err
    code, stdout, _ = _snare(
        capsys, "report", str(runs[0]), str(other), "--format", "csv", "--no-compare", "--n-boot", "100"
    )
    assert code == 0 and stdout.startswith("kind,run,run_b,task") and ",comparison," not in stdout


def test_bad_options(tmp_path: Path, runs: list[Path], capsys):
    code, _, err = _snare(capsys, "report", str(runs[0]), "--out", str(tmp_path / "r.pdf"))
    assert code == 2 and "pass --format" in err
    code, _, err = _snare(capsys, "report", str(runs[0]), "--plot", str(tmp_path / "p.pdf"))
    assert code == 2 and ".png or .svg" in err
    code, _, err = _snare(capsys, "report", str(runs[0]), "--format", "pdf")
    assert code == 2 and "unknown --format" in err


def test_report_help_imports_no_heavy_library():
    code = "from snare.cli.main import main; main(['report', '--help'])"
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-2000:]
    modules = {line.split("|")[-1].strip().split(".")[0] for line in proc.stderr.splitlines() if "|" in line}
    assert "snare" in modules
    assert not modules & {"torch", "transformers", "spacy", "open_clip", "matplotlib", "scipy", "statsmodels"}


def test_eval_then_report_shows_split_credit_ties_protocol_and_flips(tmp_path: Path, capsys):
    """The constant model ties every item: strict 0, split credit 1/k, snare-paper 1 (ties to the first, intended)."""
    runs = []
    for name, extra in (
        ("b8", ["--batch-size", "8", "--protocol", "snare"]),
        ("b2", ["--batch-size", "2", "--protocol", "snare-paper"]),
    ):
        folder = tmp_path / name
        code, _, err = _snare(capsys, "eval", "--model", "constant", "--limit", "4", "-q", "--no-cache", *extra,
                              "--output", str(folder))  # fmt: skip
        assert code == 0, err
        runs.append(folder)
    code, stdout, err = _snare(capsys, "report", *map(str, runs), "--format", "md", "--n-boot", "100")
    assert code == 0, err
    assert "note:" not in err  # snare eval's split credit and tie counts agree with the report's recomputation
    recorded = json.loads((runs[0] / "results.json").read_text())["tasks"]["negation_logic"]
    assert (recorded["split_credit_accuracy"], recorded["exact_ties"]) == (0.5, 4)
    a, b = (f"constant/none (baseline) protocol={p} batch_size={n}" for p, n in (("snare", 8), ("snare-paper", 2)))
    assert f"| negation_logic | {a} | snare | 4/4 (100.0%) | 0.000 | 0.500 | 4 | 0 | – |" in stdout
    assert f"| negation_logic | {b} | snare-paper | 4/4 (100.0%) | 0.000 | 0.500 | 4 | 0 | 1.000 |" in stdout
    assert f"| {a} | {b} | batch_size 8 → 2 | negation_logic | 4 | 0 | 0 | 0 |" in stdout  # ties stay ties
    code, stdout, _ = _snare(capsys, "report", *map(str, runs), "--n-boot", "100")
    assert code == 0 and "Strict vs split credit, ties, coverage and protocol" in stdout
    assert "protocol snare-paper · coverage 20/20" in stdout and "Answers that flip between runs" in stdout


def test_a_partial_eval_is_reported_partial(tmp_path: Path, capsys):
    images = tmp_path / "images"
    images.mkdir()
    for i in range(3):
        Image.new("RGB", (8, 8), (60 * i, 0, 0)).save(images / f"{i}.png")
    ProbeSet([make_item(i, path=f"{i}.png") for i in range(3)], name="files", image_root=images).save(tmp_path / "p")
    (images / "2.png").unlink()
    out = tmp_path / "run"
    args = ["eval", "--model", "constant", "--probes", str(tmp_path / "p"), "-q", "--no-cache", "--output", str(out)]
    code, _, err = _snare(capsys, *args, "--allow-partial")
    assert code == 0, err
    code, stdout, err = _snare(capsys, "report", str(out), "--format", "csv", "--n-boot", "100")
    assert code == 0, err
    (row,) = [r for r in csv.DictReader(io.StringIO(stdout)) if r["kind"] == "accuracy"]
    assert (row["run"], row["partial"], row["scored"], row["total"], row["estimate"]) == (
        "constant/none (baseline) [PARTIAL]",
        "true",
        "2",
        "3",
        "0.0",
    )
    assert "a partial run" in err


def test_name_relabels_runs_and_bad_names_are_one_line_errors(runs: list[Path], capsys):
    code, out, err = _snare(capsys, "report", *map(str, runs), "--n-boot", "100", "--format", "md",
                            "--name", f"{runs[0].name}=CLIP B/32", "--name", f"{runs[1]}=BLIP")  # fmt: skip
    assert code == 0, err
    assert "| CLIP B/32 |" in out and "| BLIP |" in out and "fake/seed1" not in out
    for bad, message in (
        (["--name", "nope=X"], "--name nope=X: no run 'nope'"),
        (["--name", "a"], "--name takes RUN=LABEL"),
        (["--name", f"{runs[0].name}=X", "--name", f"{runs[1].name}=X"], "two runs are labelled 'X'"),
        (["--layout", "tall"], "unknown --layout 'tall'"),
    ):
        code, out, err = _snare(capsys, "report", *map(str, runs), "--n-boot", "100", *bad)
        assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and message in err, err


def test_piped_report_at_80_columns_cuts_no_number(runs: list[Path], capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = _snare(capsys, "report", *map(str, runs), "--n-boot", "100")
    assert code == 0
    assert not [line for line in out.splitlines() if "0.…" in line or "[0…" in line]


def test_vs_paper_on_a_suite_run_fits_80_columns(tmp_path: Path, capsys, monkeypatch):
    from snare.probes.item import ImageRef, ProbeItem
    from tests.reports.builders import write_run

    task = "sugarcrepe_swap_obj"
    items = [
        ProbeItem(
            id=f"{task}/{i}",
            task=task,
            image=ImageRef(path=f"img{i}.png"),
            cluster=f"img{i}",
            options=(f"positive {i}", f"negative {i}"),
            labels=("positive", "negative"),
            correct=0,
        )
        for i in range(4)
    ]
    scores = dict(zip([it.id for it in items], [(0.3, 0.1), (0.5, 0.4), (0.1, 0.2), (0.7, 0.7)], strict=True))
    run = write_run(
        tmp_path / "run", items, scores, name="clip", weights="openai", model={"options": {"arch": "ViT-B-32"}}
    )
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = _snare(capsys, "report", str(run), "--vs-paper", "--n-boot", "100")
    assert code == 0
    lines = out.splitlines()
    table = lines[next(i for i, line in enumerate(lines) if "vs. the papers" in line) :]
    assert all(len(line) <= 80 for line in table)  # (the header above names the run's path, as long as it is)
    row = next(line for line in table if task in line and line.startswith("sugarcrepe"))
    assert row.split()[-4:] == ["0.614", "0.500", "-0.114", "0.500"]  # SugarCrepe's 61.38 and 2 of 4 (a tie wrong)


def test_a_pretrained_lm_run_shows_the_language_prior_of_word_order(tmp_path: Path, capsys):
    """snare eval --model lm writes a record the report knows as the LM baseline, whatever its label says."""
    from tests.textmodels import tiny_lm

    weights = tiny_lm.save(tmp_path / "tiny")
    runs = []
    for name, model in (("ref", ["--model", "reference"]), ("lm", ["--model", "lm", "--weights", str(weights)])):
        code, _, err = _snare(capsys, "eval", *model, "--task", "semantic_structure", "--task", "negation_logic",
                              "--limit", "6", "-q", "--no-cache", "--output", str(tmp_path / name))  # fmt: skip
        assert code == 0, err
        runs.append(tmp_path / name)
    code, stdout, err = _snare(capsys, "report", *map(str, runs), "--name", "lm=any label", "--format", "json")
    assert code == 0, err
    prior = json.loads(stdout)["language_prior"]
    assert prior["lm_runs"] == ["any label"] and prior["missing"] == []
    assert [(s["task"], s["run"], s["n"]) for s in prior["shares"]] == [("semantic_structure", "reference/shipped", 6)]
    code, stdout, err = _snare(capsys, "report", str(runs[0]))
    assert code == 0 and "language prior: no pretrained-LM run on probe set" in stdout
    assert "snare eval --model smollm2 --probes" in stdout
