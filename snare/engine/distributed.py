"""Sharding the scoring work over processes with Hugging Face accelerate, and gathering identical results.

Under ``accelerate launch`` or ``torchrun`` every process runs the same ``snare eval``; each scores a
deterministic share (every ``world``-th unique image, text or image group, in content-key order), the shares
are gathered to every process, and only the main process writes and prints. Because each row is computed the
same way whichever process computes it, the result equals a one-process run up to floating-point noise.
"""

from __future__ import annotations

import atexit
import os
import socket
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")

_LAUNCHER_VARS = ("WORLD_SIZE", "PMI_SIZE", "OMPI_COMM_WORLD_SIZE")


def launched() -> bool:
    """Whether this process was started by a multi-process launcher (accelerate launch, torchrun, mpirun)."""
    return any(int(os.environ.get(v, "1") or 1) > 1 for v in _LAUNCHER_VARS)


@dataclass
class Shards:
    """This process's place among the scoring processes; one process when not launched."""

    rank: int = 0
    world: int = 1
    local_rank: int = 0
    state: Any = None  # accelerate.PartialState when distributed

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world > 1

    def take(self, seq: Sequence[T]) -> list[T]:
        """This process's share of ``seq``: every ``world``-th element starting at ``rank``."""
        return list(seq[self.rank :: self.world])

    def gather(self, part: dict[str, Any]) -> dict[str, Any]:
        """Merge every process's dict (same keys never disagree: each key is computed by one process)."""
        if not self.distributed:
            return part
        from accelerate.utils import gather_object

        merged: dict[str, Any] = {}
        for piece in gather_object([part]):
            merged.update(piece)
        return merged

    def barrier(self) -> None:
        if self.distributed:
            self.state.wait_for_everyone()

    def device_for(self, device: str) -> str:
        """Each process gets its own GPU (``cuda`` → ``cuda:LOCAL_RANK``); CPU stays CPU."""
        if self.distributed and device == "cuda":
            return f"cuda:{self.local_rank}"
        return device


def shards(device: str = "cpu") -> Shards:
    """The process group this run belongs to, initialised through accelerate when a launcher started us."""
    if not launched():
        return Shards()
    from accelerate import PartialState

    state = PartialState(cpu=not device.startswith("cuda"))
    atexit.register(_close_group)
    return Shards(
        rank=state.process_index, world=state.num_processes, local_rank=state.local_process_index, state=state
    )


def _close_group() -> None:
    """Leave the process group together: a process that exits while its peers' gloo threads still talk to it
    aborts with "terminate called without an active exception" and fails the whole launch."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def launch_command(argv: Sequence[str], processes: int) -> list[str]:
    """The command that re-runs ``snare <argv>`` in ``processes`` processes through torchrun (what accelerate's
    multi-GPU launcher uses too); torchrun also works on the CPU, where ``accelerate launch --cpu`` would need MPI."""
    return [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc_per_node",
        str(processes),
        "--master_addr",
        "127.0.0.1",
        "--master_port",
        str(_free_port()),
        "-m",
        "snare",
        *argv,
    ]


def default_processes(device: str) -> int:
    """One process per visible GPU for CUDA runs, two on the CPU."""
    if device.startswith("cuda"):
        import torch

        return max(1, torch.cuda.device_count())
    return 2
