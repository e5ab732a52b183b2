"""Which adapter a model name means: one explicit table, imported lazily, plus entry-point plug-ins.

Built-ins map a short CLI name to ``"module:Class"``; third-party packages add adapters through the
``snare.adapters`` entry-point group. Nothing is imported until a name is looked up.
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

from snare.errors import SnareError, UnknownNameError, suggest

if TYPE_CHECKING:
    from snare.adapters.base import Adapter

ENTRY_POINT_GROUP = "snare.adapters"


class AdapterImportError(SnareError):
    """An adapter (typically a plug-in) cannot be imported or is not a valid adapter class."""


BUILTIN: dict[str, str] = {
    "clip": "snare.adapters.clip:OpenClip",
    "blip": "snare.adapters.blip:BlipItm",
    "blip-itc": "snare.adapters.blip:BlipItc",
    "flava": "snare.adapters.flava:FlavaItm",
    "flava-itc": "snare.adapters.flava:FlavaItc",
    "blip2": "snare.adapters.blip2:Blip2Itm",
    "blip2-itc": "snare.adapters.blip2:Blip2Itc",
    "blip2-yesno": "snare.adapters.blip2_yesno:Blip2YesNo",
    "vlm": "snare.adapters.vlm.adapter:Vlm",
    "xvlm": "snare.adapters.xvlm.adapter:XvlmItm",
    "xvlm-itc": "snare.adapters.xvlm.adapter:XvlmItc",
    "constant": "snare.adapters.constant:Constant",
    "reference": "snare.adapters.reference:Reference",
    "reference-bow": "snare.adapters.reference:ReferenceBow",
    "blind-ngram": "snare.adapters.blind:BlindNgram",
    "lm": "snare.adapters.blind_lm:BlindLM",
    "smollm2": "snare.adapters.blind_lm:SmolLM2",
}


@dataclass(frozen=True)
class Plugin:
    """An adapter declared by an installed package in the ``snare.adapters`` entry-point group."""

    name: str
    target: str
    package: str  # "distribution version", for messages and `snare models list`


@cache
def _scan_plugins() -> tuple[dict[str, Plugin], tuple[str, ...]]:
    found: dict[str, Plugin] = {}
    problems: list[str] = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        dist = getattr(ep, "dist", None)
        package = f"{dist.name} {dist.version}" if dist is not None else "an unknown package"
        if ep.name in BUILTIN:
            problems.append(f"plug-in adapter {ep.name!r} ({ep.value}, from {package}) ignored: the name is built in")
        elif ep.name in found and found[ep.name].target != ep.value:
            problems.append(
                f"plug-in adapter {ep.name!r} is declared twice ({found[ep.name].package} and {package}); "
                f"using {found[ep.name].target}"
            )
        else:
            found[ep.name] = Plugin(ep.name, ep.value, package)
    return found, tuple(problems)


def _plugin_table() -> dict[str, Plugin]:
    return _scan_plugins()[0]


def plugin_problems() -> list[str]:
    """Entry points that were ignored (a built-in name, a name declared twice): shown by ``snare models list``."""
    return list(_scan_plugins()[1])


def refresh_plugins() -> None:
    """Forget the entry-point table (after installing a package into a running interpreter)."""
    _scan_plugins.cache_clear()


def plugins() -> dict[str, str]:
    """Adapters that installed packages declare in the ``snare.adapters`` entry-point group."""
    return {name: plugin.target for name, plugin in _plugin_table().items()}


def available() -> dict[str, str]:
    """Every known adapter name and where it lives, built-ins first."""
    return {**BUILTIN, **plugins()}


def origin(name: str) -> str:
    """``built-in``, or ``plug-in (PACKAGE VERSION)`` for an entry-point adapter."""
    if name in BUILTIN:
        return "built-in"
    plugin = _plugin_table().get(name)
    return f"plug-in ({plugin.package})" if plugin else "unknown"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0][:300]}" if text else type(exc).__name__


def _import(target: str, name: str) -> type[Adapter]:
    """Import ``module:Class`` and check that it is a usable adapter class; any failure is one line."""
    where = "" if name in BUILTIN else f", from {origin(name).removeprefix('plug-in (').rstrip(')')}"
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
        cls = getattr(module, attr)
    except Exception as exc:  # a broken plug-in must not take the built-ins down with it
        raise AdapterImportError(
            f"adapter {name!r} could not be imported from {target}{where}: {_first_line(exc)}"
        ) from None
    from snare.adapters.base import Adapter, AdapterMeta

    problem = None
    if not (isinstance(cls, type) and issubclass(cls, Adapter)):
        problem = "is not a snare.adapters.base.Adapter subclass (derive from DualEncoder or PairScorer)"
    elif not isinstance(getattr(cls, "meta", None), AdapterMeta):
        problem = "has no `meta = AdapterMeta(...)` class attribute"
    elif getattr(cls, "kind", None) not in ("dual", "pair"):
        problem = "declares neither kind 'dual' nor 'pair' (derive from DualEncoder or PairScorer)"
    elif inspect.isabstract(cls):
        missing = ", ".join(sorted(getattr(cls, "__abstractmethods__", ())))
        problem = f"does not implement {missing}"
    if problem:
        raise AdapterImportError(f"adapter {name!r} ({target}{where}) {problem}")
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
