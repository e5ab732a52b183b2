"""A weights folder whose chat template is hostile: one neutralised line from snare eval, never a traceback."""

from __future__ import annotations

import pytest

from tests.hostile.conftest import fails_cleanly, snare


@pytest.fixture(scope="module")
def vlm_folder(tmp_path_factory):
    from snare.adapters.vlm.adapter import Vlm

    folder = tmp_path_factory.mktemp("vlm")
    adapter = Vlm("random", arch="llava", seed=3)
    adapter.ensure_loaded()
    adapter.model.save_pretrained(folder)
    adapter.processor.save_pretrained(folder)
    assert (folder / "chat_template.jinja").is_file()
    return folder


@pytest.mark.parametrize(
    ("template", "needle"),
    [
        ("{{ raise_exception('\x1b]0;pwned\x07\x1b[2Jrm -rf\\nTraceback') }}", "refused the prompt"),
        ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "chat template"),
        ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "was stopped"),
    ],
    ids=["raise_exception", "sandbox", "nested-loops"],
)
def test_a_hostile_chat_template_is_one_neutralised_line(vlm_folder, template, needle):
    (vlm_folder / "chat_template.jinja").write_text(template)
    env = {"HF_HUB_DISABLE_PROGRESS_BARS": "1"}  # transformers' loading bar is not what is tested here
    proc = snare("eval", "--model", "vlm", "--weights", str(vlm_folder), "--limit", "1", "-q", "--no-cache", env=env)
    line = fails_cleanly(proc, needle)
    assert "\x1b" not in proc.stderr and "\x07" not in proc.stderr and "Traceback" not in line.split("\\x0a")[0]
