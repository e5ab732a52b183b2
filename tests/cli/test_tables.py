"""Every table at 80 columns, piped: nothing cut, every word and number whole (wrapped, or one block per row)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from PIL import Image
from rich.console import Console
from rich.table import Table

from snare.cli import console as cli_console
from snare.cli.main import main
from snare.cli.tables import fit
from tests.helpers import run_snare

WIDTH = 80
# A fingerprint shortened on purpose ("sha256:d3942f474670…"): the one ellipsis a table line may carry.
_SHORT_FINGERPRINT = re.compile(r"[0-9a-f]{6,}…")


def _assert_readable(text: str, words: list[str]) -> None:
    """No line wider than 80, no ellipsis but a shortened fingerprint, and each of ``words`` whole on one line."""
    lines = text.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= WIDTH, text
    assert "…" not in _SHORT_FINGERPRINT.sub("", text), text
    for word in words:
        pattern = re.compile(r"(?<![\w.])" + re.escape(word) + r"(?![\w.])")
        assert any(pattern.search(line) for line in lines), f"{word!r} is cut or missing:\n{text}"


@pytest.fixture
def narrow(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """stdout as an 80-column pipe: what ``COLUMNS=80 snare … | cat`` prints."""
    buffer = io.StringIO()
    monkeypatch.setattr(cli_console, "out", Console(file=buffer, width=WIDTH, color_system=None))
    return buffer


def _run(*args: str) -> None:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    assert info.value.code in (0, None)


def test_fit_wraps_between_words_or_stacks_rows_never_cutting():
    table = Table(title="t")
    for name in ("task", "n", "a long header"):
        table.add_column(name)
    cell = "0.512 [0.45, 0.57]; 12 ties, coin 0.600 [0.55, 0.65] and then some more words to wrap"
    table.add_row("relationship_composition", "300", cell)
    console = Console(file=io.StringIO(), width=WIDTH, color_system=None)
    console.print(fit(table, console))
    _assert_readable(console.file.getvalue(), ["relationship_composition", "300", "0.512", "[0.55,", "0.65]"])
    assert console.file.getvalue().count("relationship_composition") == 1
    wide = Table(title="wide")
    for k in range(9):
        wide.add_column(f"column {k}")
    wide.add_row(*(f"value_that_is_long_{k}" for k in range(9)))
    console = Console(file=io.StringIO(), width=WIDTH, color_system=None)
    console.print(fit(wide, console))
    text = console.file.getvalue()
    _assert_readable(text, [f"value_that_is_long_{k}" for k in range(9)])
    assert re.search(r"^column 8\s+value_that_is_long_8", text, re.M), text  # one block per row


@pytest.mark.parametrize("protocol", ["snare", "snare-paper", "snare-balanced", "aro-paper"])
def test_eval_table_keeps_every_number_and_drops_a_column_that_repeats_strict(protocol, narrow, tmp_path):
    args = ["eval", "--model", "reference", "--protocol", protocol, "--limit", "20", "--no-cache", "-q"]
    _run(*args, "--output", str(tmp_path / "run"))
    results = json.loads((tmp_path / "run" / "results.json").read_text())
    text = narrow.getvalue()
    words = []
    for task, r in results["tasks"].items():
        words += [task, str(r["n"]), f"{r['accuracy']:.3f}", f"{r['coverage']['scored']}/{r['coverage']['total']}"]
    _assert_readable(text, words)
    own = {
        task: (r.get("protocol_accuracy") or {}).get("accuracy") for task, r in results["tasks"].items()
    }  # the protocol's own accuracy, where it has one
    repeats = all(
        value is None or f"{value:.3f}" == f"{results['tasks'][t]['accuracy']:.3f}" for t, value in own.items()
    )
    header = next(line for line in text.splitlines() if line.lstrip().startswith("task"))
    assert ("proto" in header) == (protocol != "snare" and not (repeats and all(own.values()))), text
    assert protocol not in header


def test_eval_piped_at_80_columns_in_a_subprocess():
    proc = run_snare(
        "eval", "--model", "reference", "--protocol", "snare-paper", "--limit", "20", "--no-cache", "-q",
        env={"COLUMNS": "80"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    _assert_readable(proc.stdout, ["relationship_composition", "20/20", "strict", "chance"])


def test_audit_table_keeps_task_names_intervals_and_p_values(narrow, tmp_path: Path):
    tasks = ["-t", "negation_logic", "-t", "semantic_structure", "--protocol", "snare"]
    _run("audit", *tasks, "--output", str(tmp_path / "audit.json"))
    report = json.loads((tmp_path / "audit.json").read_text())
    words = []
    for task, a in report["tasks"].items():
        blind = a["blind"]
        words += [task, f"{blind['accuracy']:.3f}", f"[{blind['ci_low']:.2f},", f"{blind['ci_high']:.2f}]"]
    _assert_readable(narrow.getvalue(), words)
    assert "(p=" in narrow.getvalue()


def test_models_and_probes_lists_break_no_word(narrow, capsys):
    _run("models", "list", "--json")
    models = json.loads(capsys.readouterr().out)
    _run("models", "list")
    _assert_readable(narrow.getvalue(), [w for m in models for w in (m["name"], m["default_weights"], m["license"])])
    narrow.truncate(0)
    narrow.seek(0)
    _run("probes", "list", "--json")
    listed = json.loads(capsys.readouterr().out)
    _run("probes", "list")
    words = [t["name"] for t in listed] + [label for t in listed if t["kind"] == "task" for label in t["labels"]]
    _assert_readable(narrow.getvalue(), [w for w in words if " " not in w] + ["snare-balanced", "aro-paper"])


def test_probes_show_and_data_check_break_no_word(tmp_path: Path, narrow):
    folder = tmp_path / "set"
    assert (
        run_snare("probes", "build", "relationship_composition", "-s", "synthetic", "--out", str(folder)).returncode
        == 0
    )
    _run("probes", "show", str(folder), "--n", "2")
    _assert_readable(narrow.getvalue(), ["relationship_composition", "✓"])
    narrow.truncate(0)
    narrow.seek(0)
    Image.new("RGB", (8, 8)).save(tmp_path / "a.jpg")
    records = [{"image": "a.jpg", "caption": ["a man rides a horse"]}]
    (tmp_path / "coco_karpathy_test.json").write_text(json.dumps(records))
    with pytest.raises(SystemExit):
        main(["data", "check", str(tmp_path / "coco_karpathy_test.json")])
    _assert_readable(narrow.getvalue(), ["coco_karpathy_test.json", "images", "captions"])


def test_train_reference_table_keeps_task_names(tmp_path: Path, narrow):
    _run("train-reference", "--steps", "2", "--scenes", "8", "--output", str(tmp_path / "w"), "-q")
    _assert_readable(narrow.getvalue(), ["relationship_composition", "attribute_ownership", "McNemar"])
