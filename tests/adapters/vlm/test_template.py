"""Chat templates are untrusted programs: rendered as transformers renders them, but bounded in time and size,
and every failure one neutralised line."""

from __future__ import annotations

import pytest

from snare.adapters.vlm import answers
from snare.adapters.vlm.template import render
from snare.adapters.vlm.tiny import random_parts
from snare.errors import WeightsUnavailableError

MESSAGES = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "Is it a dog?"}]}]


@pytest.mark.parametrize("arch", ["llava", "qwen2-vl"])
def test_the_bounded_rendering_is_what_transformers_renders(arch):
    _, processor = random_parts(arch)
    expected = processor.apply_chat_template(MESSAGES, add_generation_prompt=True, tokenize=False)
    assert answers.prompt(processor, "Is it a dog?", has_template=True) == expected


def _fails(template: str, match: str) -> str:
    with pytest.raises(WeightsUnavailableError, match=match) as info:
        render(template, messages=MESSAGES, add_generation_prompt=True)
    message = str(info.value)
    assert "\n" not in message and "\x1b" not in message and "\x07" not in message
    return message


def test_raise_exception_is_one_line_with_its_escapes_shown():
    message = _fails("{{ raise_exception('\x1b]0;pwned\x07\x1b[2Jgone\\nsecond line') }}", "refused the prompt")
    assert "\\x1b" in message and "second line" not in message


@pytest.mark.parametrize(
    "template",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ messages.append(1) }}",
        "{% set ns = namespace() %}{% set ns._x = 1 %}",
    ],
)
def test_sandbox_violations_are_one_line(template):
    _fails(template, "chat template")


@pytest.mark.parametrize(
    ("template", "why"),
    [
        ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "ran past"),
        ("{{ 'x' * 100000000 }}", "number|items"),
        ("{% for i in range(100000) %}{{ 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' }}{% endfor %}", "output passed"),
        ("{% set ns = namespace(s='ab') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}", "items"),
        ("{{ 'x' | center(1000000000) }}", "number"),
        ("{{ '%999999999s' % 'x' }}", "wider"),
        ("{{ 'x'.ljust(1000000000) }}", "number"),
        ("{{ 9 ** 9 ** 9 }}", "number|power|bits"),
    ],
)
def test_runaway_templates_stop_at_their_bound(template, why):
    _fails(template, f"stopped: .*({why})")
