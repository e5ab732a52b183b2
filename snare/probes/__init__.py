"""Probe items, probe sets, the tasks they belong to, and the sources they are built from."""

from snare.probes.item import ImageRef, ProbeItem
from snare.probes.probeset import ProbeSet

__all__ = ["ImageRef", "ProbeItem", "ProbeSet"]
