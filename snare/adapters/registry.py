"""Which adapter a model name means: one explicit table, imported lazily, plus entry-point plug-ins.

Built-ins map a short CLI name to ``"module:Class"``; third-party packages add adapters through the
``snare.adapters`` entry-point group. Nothing is imported until a name is looked up.
"""

from __future__ import annotations

import importlib
import warnings
from functools import cache
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

from snare.errors import SnareError, UnknownNameError, suggest

if TYPE_CHECKING:
    from snare.adapters.base import Adapter

ENTRY_POINT_GROUP = "snare.adapters"

BUILTIN: dict[str, str] = {
    "clip": "snare.adapters.clip:OpenClip",
    "constant": "snare.adapters.constant:Constant",
}


@cache
def plugins() -> dict[str, str]:
    """Adapters that installed packages declare in the ``snare.adapters`` entry-point group."""
    found: dict[str, str] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in BUILTIN:
            warnings.warn(f"plug-in adapter {ep.name!r} ({ep.value}) ignored: the name is built in", stacklevel=2)
            continue
        found[ep.name] = ep.value
    return found


def available() -> dict[str, str]:
    """Every known adapter name and where it lives, built-ins first."""
    return {**BUILTIN, **plugins()}


def _import(target: str, name: str) -> type[Adapter]:
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
        cls = getattr(module, attr)
    except Exception as exc:  # a broken plug-in must not take the built-ins down with it
        raise SnareError(f"adapter {name!r} could not be imported from {target}: {type(exc).__name__}: {exc}") from None
    from snare.adapters.base import Adapter

    if not (isinstance(cls, type) and issubclass(cls, Adapter)):
        raise SnareError(f"adapter {name!r} ({target}) is not a snare.adapters.base.Adapter subclass")
    return cls


def get_adapter_class(name: str) -> type[Adapter]:
    """The adapter class registered under ``name``; unknown names get a one-line error with suggestions."""
    table = available()
    if name not in table:
        raise UnknownNameError(f"unknown model {name!r}.{suggest(name, list(table))} See: snare models list")
    return _import(table[name], name)


def create(name: str, weights: str | None = None, **kwargs) -> Adapter:
    """Instantiate (but do not load) the adapter registered under ``name``."""
    return get_adapter_class(name)(weights, **kwargs)
