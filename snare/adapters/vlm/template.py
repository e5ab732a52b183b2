"""Render a model's chat template, an untrusted program from its weights folder, within a time and size bound.

transformers renders chat templates in Jinja's immutable sandbox, which stops attribute tricks but not work: two
nested ``range(100000)`` loops run for hours, a string doubled in a loop fills the memory, and a template's
``raise_exception`` or a sandbox ``SecurityError`` ends in a traceback that prints its text raw. Here the same
environment (transformers' filters, globals and extensions, taken from its own compiler) is rebuilt on a sandbox
that counts steps: every loop step of ``range``, call, attribute look-up and arithmetic operator, with a deadline
checked as it counts; strings and sequences longer than :data:`MAX_CHARS` are refused when made or read, and the
output is consumed in pieces and stopped at :data:`MAX_CHARS`. Every failure is one
:class:`~snare.errors.WeightsUnavailableError`, its text shown, not run (:func:`snare.plain.terminal_safe`).
"""

from __future__ import annotations

import functools
import re
import time
from functools import lru_cache
from typing import Any

from snare.errors import WeightsUnavailableError

MAX_SECONDS = 5.0  # a real prompt renders in well under a millisecond
MAX_STEPS = 5_000_000  # loop steps, calls, look-ups and operators per rendering
MAX_CHARS = 1_000_000  # output, and any one string or sequence made on the way; real prompts are under 10 kB


class TemplateBudgetError(Exception):
    """The template used more than its time, step or size bound."""


@lru_cache(maxsize=1)
def _bounded_environment() -> type:
    """jinja's immutable sandbox with every step, value, call argument and operator counted against the budget."""
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class Bounded(ImmutableSandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**", "+", "//", "%"})

        def __init__(self, **options: Any) -> None:
            super().__init__(**options)
            self.budget: list[float] = [0, 0.0]  # steps taken, deadline

        def tick(self, value: Any = None) -> Any:
            self.budget[0] += 1
            if self.budget[0] > MAX_STEPS or (self.budget[0] % 1024 == 0 and time.monotonic() > self.budget[1]):
                raise TemplateBudgetError(f"it ran past {MAX_SECONDS:g} s or {MAX_STEPS:,} steps")
            if isinstance(value, str | bytes | list | tuple | dict) and len(value) > MAX_CHARS:
                raise TemplateBudgetError(f"it made a value of {len(value):,} items (over {MAX_CHARS:,})")
            if isinstance(value, int) and value.bit_length() > 4096:
                raise TemplateBudgetError("it made a number over 4096 bits")
            return value

        def tick_argument(self, value: Any) -> Any:
            """An argument of a call or filter: bounded as a value, and no width or count over MAX_CHARS
            (``center(10**9)``, ``"%999999999s"``: the output would be allocated before it could be measured)."""
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_CHARS:
                raise TemplateBudgetError(f"it used the number {value:,} (over {MAX_CHARS:,})")
            if isinstance(value, str) and _WIDE_FORMAT.search(value):
                raise TemplateBudgetError("it formats a field wider than a million characters")
            return self.tick(value)

        def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
            for arg in (*args, *kwargs.values(), getattr(__obj, "__self__", None)):
                __self.tick_argument(arg)
            return __self.tick(super().call(__context, __obj, *args, **kwargs))

        def getattr(self, obj: Any, attribute: str) -> Any:
            return self.tick(super().getattr(obj, attribute))

        def getitem(self, obj: Any, argument: Any) -> Any:
            return self.tick(super().getitem(obj, argument))

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            self.tick_argument(left)
            self.tick_argument(right)
            if operator == "*" and isinstance(left, str | list | tuple) and isinstance(right, int):
                self.tick(range(len(left) * max(right, 0)))  # refused before the product is built
            if operator == "**" and isinstance(right, int) and abs(right) > 4096:
                raise TemplateBudgetError("it raises a number to a power over 4096")
            return self.tick(super().call_binop(context, operator, left, right))

    return Bounded


@lru_cache(maxsize=8)
def _compiled(template: str) -> Any:  # -> jinja2.Template
    import jinja2
    from transformers.utils.chat_template_utils import _compile_jinja_template

    # transformers' own settings for chat templates, from an empty template: compiling the untrusted one there would
    # fold its constants (a filter call, a "%" format) with no bound
    reference = _compile_jinja_template("").environment
    env = _bounded_environment()(
        trim_blocks=reference.trim_blocks,
        lstrip_blocks=reference.lstrip_blocks,
        extensions=[type(ext) for ext in reference.extensions.values()],
    )
    env.filters.update({name: _bounded_filter(env, f) for name, f in reference.filters.items()})
    env.globals.update(reference.globals)
    safe_range = env.globals["range"]

    def bounded_range(*args: Any) -> Any:
        for value in safe_range(*args):  # jinja's own range (capped at 100,000 items), one step per item
            yield env.tick(value)

    env.globals["range"] = bounded_range
    try:
        return env.from_string(template)
    except jinja2.TemplateError as exc:
        raise WeightsUnavailableError(f"the chat template cannot be read: {_first_line(exc)}") from None


_WIDE_FORMAT = re.compile(r"[%{:<>^=]\D{0,3}\d{7,}")  # a printf or format spec with a 7-digit width


def _bounded_filter(env: Any, function: Any) -> Any:
    """``function`` with its arguments and result bounded like a call (filters bypass the sandbox's ``call``)."""

    @functools.wraps(function)  # keeps jinja's pass_context / pass_eval_context marks
    def bounded(*args: Any, **kwargs: Any) -> Any:
        for arg in (*args, *kwargs.values()):
            if not _is_jinja_context(arg):
                env.tick_argument(arg)
        return env.tick(function(*args, **kwargs))

    return bounded


def _is_jinja_context(value: Any) -> bool:
    from jinja2.nodes import EvalContext
    from jinja2.runtime import Context

    return isinstance(value, Context | EvalContext) or (hasattr(value, "filters") and hasattr(value, "globals"))


def render(template: str, **variables: Any) -> str:
    """``template`` rendered with ``variables`` as transformers would, within :data:`MAX_SECONDS`,
    :data:`MAX_STEPS` and :data:`MAX_CHARS`.

    Raises:
        WeightsUnavailableError: the template does not parse, raises (``raise_exception``), breaks the sandbox's
            rules or goes over a bound; one line, its text neutralised.
    """
    import jinja2

    compiled = _compiled(template)
    env = compiled.environment
    env.budget[:] = [0, time.monotonic() + MAX_SECONDS]
    pieces: list[str] = []
    size = 0
    try:
        for piece in compiled.generate(**variables):
            size += len(piece)
            if size > MAX_CHARS:
                raise TemplateBudgetError(f"its output passed {MAX_CHARS:,} characters")
            pieces.append(piece)
    except TemplateBudgetError as exc:
        raise WeightsUnavailableError(f"the chat template was stopped: {exc}; it is not a usable prompt") from None
    except jinja2.exceptions.SecurityError as exc:
        raise WeightsUnavailableError(f"the chat template broke the sandbox's rules: {_first_line(exc)}") from None
    except jinja2.TemplateError as exc:  # raise_exception(...) and other template errors
        raise WeightsUnavailableError(f"the chat template refused the prompt: {_first_line(exc)}") from None
    except (TypeError, ValueError, KeyError, AttributeError, IndexError, ZeroDivisionError, RecursionError) as exc:
        raise WeightsUnavailableError(f"the chat template failed: {type(exc).__name__}: {_first_line(exc)}") from None
    return "".join(pieces)


def _first_line(exc: BaseException) -> str:
    from snare.plain import terminal_safe

    text = str(exc).strip()
    return terminal_safe(text.splitlines()[0][:300] if text else type(exc).__name__)
