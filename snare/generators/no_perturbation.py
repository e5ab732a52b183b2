"""Why a caption yields no item for a task: raised by generators, counted by reason in the manifest."""

from __future__ import annotations


class NoPerturbation(Exception):  # an outcome, not an error: it never reaches the user
    """The caption has no valid perturbation for this task; ``reason`` is a short, stable phrase."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
