"""How the SNARE code ran each model, where that differs from snare's defaults: what ``--protocol snare-paper`` picks.

The original (github.com/WangFei-2019/SNARE, ``snare/models/*_load.py``) fixed per model a score, the weights and
their image size, and a precision. Under ``snare-paper`` each choice the user did not make explicitly (an ``-o``
option, ``--weights``, ``--dtype``) is taken from the table below, and every choice, applied or not, is recorded in
the model record of results.json (``setup``). A choice that cannot be reproduced on the device in use (float16 on a
CPU) is not applied; the reason is recorded and shown in one line.

No torch here: this runs before any model is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from snare.protocols import Protocol, as_protocol


@dataclass(frozen=True)
class PaperSetup:
    """One model's setup in the SNARE code.

    Attributes:
        options: ``-o`` values that reproduce its score (``score=snare``: ITM match logit + ITC cosine).
        weights: the weights it evaluated, as snare names them (a tag that says where to download the file).
        cuda_dtype: the precision it ran in on CUDA, when not float32.
        source: where in the original this is decided.
        unmatched: what snare does not reproduce even under this protocol.
    """

    options: Mapping[str, str] = field(default_factory=dict)
    weights: str | None = None
    cuda_dtype: str | None = None
    source: str = ""
    unmatched: str = ""


SETUPS: dict[str, PaperSetup] = {
    "clip": PaperSetup(
        cuda_dtype="float16",
        source="clip_load.py: clip.load('ViT-B/32'), whose build_model converts the weights to float16; "
        "only its CPU path calls .float()",
    ),
    "blip": PaperSetup(
        options={"score": "snare"},
        weights="14m",
        source="blip_load.py: model_base_14M.pth at image_size 224 (pretrain.yaml); itm_head(...)[:, 1] + ITC cosine",
    ),
    "xvlm": PaperSetup(
        options={"score": "snare"},
        weights="4m",
        source="xvlm_load.py: 4m_base_model_state_step_199999.th at 224 px; itm_head(...)[:, 1] + ITC cosine",
    ),
    "flava": PaperSetup(
        options={"score": "probability"},
        source="flava_load.py: facebook/flava-full, softmax(itm_logits)[:, 1]",
    ),
    "blip2-yesno": PaperSetup(
        weights="Salesforce/blip2-flan-t5-xxl",
        source="blip2_load.py: LAVIS blip2_t5 pretrain_flant5xxl",
        unmatched="the original parsed 'yes' from generated text after a generated image description; "
        "snare scores log p(yes) - log p(no) without the description",
    ),
}


@dataclass(frozen=True)
class Applied:
    """What ``snare-paper`` changed for one run: the weights, dtype and options to use, and the record."""

    weights: str | None
    dtype: str
    options: dict[str, Any]
    record: dict[str, Any] | None
    notes: tuple[str, ...] = ()


def apply(
    model: str,
    *,
    weights: str | None,
    dtype: str | None,
    device: str,
    options: Mapping[str, Any],
    protocol: Protocol | str,
) -> Applied:
    """The run's weights, dtype and options with the paper's choices filled in where the user made none.

    Outside a protocol that declares ``paper_setups`` (``snare-paper``), or for a model the table does not list,
    everything is returned as given (``dtype`` defaulting to float32) and nothing is recorded.
    """
    protocol = as_protocol(protocol)
    setup = SETUPS.get(model) if protocol.paper_setups else None
    if setup is None:
        return Applied(weights, dtype or "float32", dict(options), None)
    record: dict[str, Any] = {"protocol": protocol.name, "source": setup.source, "choices": {}}
    notes: list[str] = []
    chosen = dict(options)
    for key, value in setup.options.items():
        kept = key in options and str(options[key]) != value
        record["choices"][f"-o {key}"] = _choice(value, options.get(key, value), "given by the user" if kept else "")
        chosen.setdefault(key, value)
    if setup.weights is not None:
        given = "given by the user" if weights and weights != setup.weights else ""
        record["choices"]["weights"] = _choice(setup.weights, weights or setup.weights, given)
        weights = weights or setup.weights
    used_dtype = dtype or "float32"
    if setup.cuda_dtype is not None:
        why = ""
        if dtype is not None:
            why = "given by the user" if dtype != setup.cuda_dtype else ""
        elif device.startswith("cuda"):
            used_dtype = setup.cuda_dtype
        else:
            why = f"{setup.cuda_dtype} is the original's CUDA precision; on {device} the original ran float32 too"
            notes.append(f"--protocol {protocol.name}: the paper ran {model} in {setup.cuda_dtype} on CUDA; {why}")
        record["choices"]["dtype"] = _choice(setup.cuda_dtype, used_dtype, why)
    if setup.unmatched:
        record["unmatched"] = setup.unmatched
    return Applied(weights, used_dtype, chosen, record, tuple(notes))


def _choice(paper: str, used: Any, why: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"paper": paper, "used": str(used)}
    if why:
        entry["why"] = why
    return entry
