"""The adapter registry: built-ins, entry-point plug-ins (a real package installed by the test), broken plug-ins."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from snare.adapters import registry
from snare.adapters.registry import AdapterImportError, get_adapter_class, origin
from snare.errors import UnknownNameError
from tests.helpers import REPO, run_snare

EXAMPLE = REPO / "tests" / "fixtures" / "snare_plugin_example"

BROKEN_MODULE = textwrap.dedent(
    """
    from snare.adapters.base import AdapterMeta, PairScorer

    class NotAnAdapter:
        pass

    class Abstract(PairScorer):
        meta = AdapterMeta(name="abstract", family="t", head="t", default_weights="none", license="mit")

        def load(self):
            pass
    """
)


def _fake_distribution(root: Path, name: str, entries: dict[str, str], modules: dict[str, str] | None = None) -> None:
    """An installed distribution as importlib.metadata sees it: a dist-info folder with entry points."""
    info = root / f"{name.replace('-', '_')}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[snare.adapters]\n" + "".join(f"{key} = {value}\n" for key, value in entries.items())
    )
    for module, source in (modules or {}).items():
        (root / f"{module}.py").write_text(source)


@pytest.fixture
def plugin_dir(tmp_path, monkeypatch):
    """A folder on sys.path holding broken plug-ins; the registry's entry-point table is re-read."""
    root = tmp_path / "site"
    _fake_distribution(root, "missing-module-plugin", {"ghost": "no_such_module_xyz:Model"})
    _fake_distribution(
        root,
        "odd-plugin",
        {"not-adapter": "odd_plugin_mod:NotAnAdapter", "abstract": "odd_plugin_mod:Abstract"},
        {"odd_plugin_mod": BROKEN_MODULE},
    )
    _fake_distribution(root, "shadow-plugin", {"clip": "odd_plugin_mod:NotAnAdapter"})
    monkeypatch.syspath_prepend(str(root))
    registry.refresh_plugins()
    yield root
    registry.refresh_plugins()


def test_unknown_name_suggests_close_matches():
    with pytest.raises(UnknownNameError, match=r"unknown model 'constnat'\. Did you mean 'constant'\?"):
        get_adapter_class("constnat")


def test_every_builtin_is_a_valid_adapter_class():
    for name in registry.BUILTIN:
        cls = get_adapter_class(name)
        assert cls.kind in ("dual", "pair") and origin(name) == "built-in"


def test_broken_plugins_name_themselves_and_leave_builtins_working(plugin_dir):
    names = registry.available()
    assert any(
        re.search(r"'clip' .*shadow-plugin 0\.1.*ignored: the name is built in", p) for p in registry.plugin_problems()
    )
    assert {"ghost", "not-adapter", "abstract"} <= set(names) and names["clip"] == registry.BUILTIN["clip"]
    assert origin("ghost") == "plug-in (missing-module-plugin 0.1)"
    with pytest.raises(
        AdapterImportError,
        match=r"adapter 'ghost' could not be imported from no_such_module_xyz:Model, from missing-module-plugin "
        r"0\.1: ModuleNotFoundError",
    ):
        get_adapter_class("ghost")
    with pytest.raises(AdapterImportError, match=r"'not-adapter' .*is not a snare\.adapters\.base\.Adapter subclass"):
        get_adapter_class("not-adapter")
    with pytest.raises(AdapterImportError, match=r"'abstract' .*does not implement score_pairs"):
        get_adapter_class("abstract")
    assert get_adapter_class("constant").meta.name == "constant"


def test_cli_lists_builtins_despite_a_broken_plugin_and_refuses_it_in_one_line(plugin_dir):
    env = {"PYTHONPATH": f"{plugin_dir}:{REPO}"}
    listed = run_snare("models", "list", "--json", env=env)
    assert listed.returncode == 0
    names = {row["name"] for row in json.loads(listed.stdout)}
    assert {"clip", "constant"} <= names and "ghost" not in names
    assert "ghost" in listed.stderr and "ModuleNotFoundError" in listed.stderr
    proc = run_snare("eval", "--model", "ghost", env=env)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and proc.stderr.startswith("error: adapter 'ghost'")


@pytest.fixture(scope="module")
def installed_example(tmp_path_factory) -> Path:
    """The example plug-in package, pip-installed (no deps, no build isolation) into a private target folder.

    Built from a copy, because setuptools writes build/ and *.egg-info next to the sources.
    """
    work = tmp_path_factory.mktemp("plugin")
    source = work / "src"
    shutil.copytree(EXAMPLE, source)
    target = work / "site"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--quiet",
            "--target",
            str(target),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return target


def test_example_plugin_round_trip_through_the_cli(installed_example, tmp_path):
    env = {"PYTHONPATH": f"{installed_example}:{REPO}"}
    listed = run_snare("models", "list", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    row = next(r for r in json.loads(listed.stdout) if r["name"] == "colour-hist")
    assert row["origin"] == "plug-in (snare-plugin-example 0.1.0)"
    assert (row["kind"], row["family"], row["license"]) == ("dual", "example", "mit")
    out = tmp_path / "run"
    proc = run_snare("eval", "--model", "colour-hist", "--limit", "6", "-q", "--output", str(out), env=env)
    assert proc.returncode == 0, proc.stderr
    results = json.loads((out / "results.json").read_text())
    assert results["model"]["name"] == "colour-hist" and results["tasks"]["negation_logic"]["n"] == 6


def test_example_plugin_passes_the_conformance_kit(installed_example, monkeypatch):
    from snare.testing import check_adapter

    monkeypatch.syspath_prepend(str(installed_example))
    registry.refresh_plugins()
    try:
        report = check_adapter("colour-hist")
    finally:
        registry.refresh_plugins()
    assert report.ok and {r.name for r in report.results} >= {"shapes", "determinism", "batch-size invariance"}


def test_the_guide_shows_the_installed_example_verbatim():
    guide = (REPO / "docs" / "adding-an-adapter.md").read_text()
    blocks = re.findall(r"```(?:python|toml)\n(# file: (\S+)\n.*?)```", guide, flags=re.S)
    assert {path for _, path in blocks} == {"pyproject.toml", "snare_plugin_example/adapter.py"}
    for text, path in blocks:
        assert text == (EXAMPLE / path).read_text(), path


def test_every_built_in_adapter_declares_its_options_and_refuses_others():
    """A built-in adapter names the -o keys it reads; an unknown key fails at creation, before any loading."""
    from snare.adapters.registry import BUILTIN, create, get_adapter_class
    from snare.errors import AdapterError

    for name in BUILTIN:
        adapter_cls = get_adapter_class(name)
        assert adapter_cls.option_names is not None, f"{name} does not declare option_names"
        with pytest.raises(AdapterError, match=f"--model {name} has no option 'no_such_option'"):
            create(name, "random", no_such_option="1")
