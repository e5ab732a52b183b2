"""The adapter conformance kit: ``check_adapter`` runs an adapter on tiny inputs and checks the contract.

Checks (each named in the report): metadata is declared and JSON-serialisable; the adapter loads; torch modules
are in eval mode, every submodule included (:func:`snare.engine.checks.check_eval_mode`, the check
``snare eval`` runs at load; the original BLIP wrapper scored with dropout on); outputs have the documented shapes
and are finite; the same input scores the same twice (determinism); scores do not depend on batch size or order; the
image-reuse hooks of a pair scorer agree with ``score_pairs``; the engine gives the same item scores with batch
sizes 1 and 3; every requested dtype and device runs and stays close to float32 on the first device.

Usage, in a plug-in's own tests::

    from snare.testing import check_adapter
    check_adapter(MyAdapter("random"))            # raises AdapterError naming every failed check
    report = check_adapter("mymodel", raise_on_failure=False); print(report.summary())
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from snare.adapters.base import DTYPES, Adapter, AdapterMeta, DualEncoder, PairScorer
from snare.engine.checks import check_eval_mode
from snare.errors import AdapterError, SnareError

SAMPLE_TEXTS = (
    "a red circle",
    "the small green triangle is to the left of the large blue square",
    "square",
    " ".join(["a long caption that goes on and on"] * 10),  # longer than most tokenizers' context: must truncate
)
_SCENES = (
    "synthetic-v1|circle,red,small,60,100|square,blue,large,160,100",
    "synthetic-v1|triangle,green,large,158,112|diamond,orange,large,70,116",
    "synthetic-v1|square,yellow,small,112,60|circle,purple,large,112,170",
)


def sample_images() -> list[Any]:
    """Four small RGB images of different sizes and aspect ratios (adapters must resize/crop themselves)."""
    from snare.probes.scenes import render_scene

    full = [render_scene(spec) for spec in _SCENES]
    return [full[0], full[1].crop((10, 20, 110, 80)), full[2].crop((50, 0, 87, 81)), full[0].resize((31, 31))]


@dataclass
class CheckResult:
    name: str
    status: str  # "passed", "failed" or "skipped"
    detail: str = ""


@dataclass
class ConformanceReport:
    adapter: str
    results: list[CheckResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.status != "failed" for r in self.results)

    @property
    def failed(self) -> list[CheckResult]:
        return [r for r in self.results if r.status == "failed"]

    def summary(self) -> str:
        return "\n".join(f"{r.status:>7}  {r.name}" + (f": {r.detail}" if r.detail else "") for r in self.results)


def _outputs(adapter: Adapter, images: Sequence[Any], texts: Sequence[str]) -> dict[str, np.ndarray]:
    """Everything the adapter computes on the sample, validated as the engine validates it."""
    from snare.engine.runner import check_output

    if isinstance(adapter, DualEncoder):
        img = check_output(adapter, adapter.embed_images(images), len(images), "embed_images", ndim=2)
        txt = check_output(adapter, adapter.embed_texts(texts), len(texts), "embed_texts", ndim=2)
        if img.shape[1] != txt.shape[1]:
            raise AdapterError(f"image embeddings have {img.shape[1]} dimensions but text embeddings {txt.shape[1]}")
        return {"images": img, "texts": txt}
    assert isinstance(adapter, PairScorer)
    pairs = [(i, t) for i in range(len(images)) for t in range(len(texts))]
    out = adapter.score_pairs([images[i] for i, _ in pairs], [texts[t] for _, t in pairs])
    return {"pairs": check_output(adapter, out, len(pairs), "score_pairs", ndim=1)}


def _split(adapter: Adapter, images: Sequence[Any], texts: Sequence[str]) -> dict[str, np.ndarray]:
    """The same outputs computed one row at a time and in reverse order (batch size and order must not matter)."""
    if isinstance(adapter, DualEncoder):
        img = [adapter.embed_images([im])[0] for im in reversed(images)][::-1]
        txt = [adapter.embed_texts([t])[0] for t in reversed(texts)][::-1]
        return {"images": np.asarray(img, np.float32), "texts": np.asarray(txt, np.float32)}
    assert isinstance(adapter, PairScorer)
    pairs = [(i, t) for i in range(len(images)) for t in range(len(texts))]
    rows = [float(np.ravel(adapter.score_pairs([images[i]], [texts[t]]))[0]) for i, t in reversed(pairs)]
    return {"pairs": np.asarray(rows[::-1], np.float32)}


def _close(a: dict[str, np.ndarray], b: dict[str, np.ndarray], atol: float) -> str:
    for key in a:
        if a[key].shape != b[key].shape:
            return f"{key}: shape {a[key].shape} vs {b[key].shape}"
        diff = float(np.max(np.abs(a[key] - b[key]))) if a[key].size else 0.0
        if diff > atol:
            return f"{key}: differ by up to {diff:.3g} (tolerance {atol:g})"
    return ""


def _similar(a: dict[str, np.ndarray], b: dict[str, np.ndarray], tol: float) -> str:
    """Loose agreement for lower precision: embeddings by cosine, scores relative to their spread."""
    for key in a:
        x, y = a[key].astype(np.float64), b[key].astype(np.float64)
        if x.ndim == 2:
            cos = np.sum(x * y, 1) / (np.linalg.norm(x, axis=1) * np.linalg.norm(y, axis=1)).clip(1e-12)
            if float(cos.min()) < 1 - tol:
                return f"{key}: cosine to float32 as low as {float(cos.min()):.4f}"
        else:
            scale = max(float(np.ptp(x)), float(np.abs(x).max()), 1e-6)
            if float(np.max(np.abs(x - y))) > tol * scale:
                return f"{key}: differ from float32 by up to {float(np.max(np.abs(x - y))):.3g}"
    return ""


def _engine_invariance(adapter: Adapter, images: Sequence[Any], atol: float) -> str:
    """Score a tiny probe set through the engine with batch sizes 1 and 3; item scores must agree."""
    from snare.engine.runner import score_items
    from snare.probes.item import ImageRef, ProbeItem
    from snare.probes.probeset import ProbeSet

    items = [
        ProbeItem(
            id=f"conformance/{k}",
            task="conformance",
            image=ImageRef(scene=_SCENES[k % len(_SCENES)]),
            cluster=f"scene{k % len(_SCENES)}",
            options=(SAMPLE_TEXTS[k % 4], SAMPLE_TEXTS[(k + 1) % 4], SAMPLE_TEXTS[(k + 2) % 4]),
            labels=("a", "b", "c"),
            correct=0,
        )
        for k in range(4)
    ]
    probes = ProbeSet(items, name="conformance")
    one = score_items(adapter, probes, batch_size=1)
    three = score_items(adapter, probes, batch_size=3)
    return _close({k: one[k] for k in one}, {k: three[k] for k in one}, atol)


def check_adapter(
    adapter: Adapter | type[Adapter] | str,
    *,
    weights: str | None = None,
    dtypes: Sequence[str] = DTYPES,
    devices: Sequence[str] | None = None,
    atol: float = 1e-4,
    low_precision_tol: float = 0.05,
    raise_on_failure: bool = True,
    **options: Any,
) -> ConformanceReport:
    """Run every conformance check; an adapter instance is used as configured, a class or registry name is
    created with ``weights`` and ``options``. ``devices`` defaults to the CPU plus CUDA when available.

    Raises :class:`~snare.errors.AdapterError` naming the failed checks unless ``raise_on_failure`` is False.
    """
    if isinstance(adapter, str):
        from snare.adapters.registry import create

        adapter = create(adapter, weights, **options)
    elif isinstance(adapter, type):
        adapter = adapter(weights, **options)
    cls = type(adapter)
    report = ConformanceReport(getattr(getattr(cls, "meta", None), "name", cls.__name__))

    def check(name: str, body: Callable[[], str | None]) -> bool:
        try:
            problem = body()
        except Exception as exc:
            problem = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")
        report.results.append(CheckResult(name, "failed" if problem else "passed", problem or ""))
        return not problem

    def metadata() -> str:
        meta = getattr(cls, "meta", None)
        if not isinstance(meta, AdapterMeta):
            return "no `meta = AdapterMeta(...)` class attribute"
        if cls.kind not in ("dual", "pair"):
            return f"kind {cls.kind!r} is neither 'dual' nor 'pair'"
        empty = [f for f in ("name", "family", "head", "default_weights", "license") if not getattr(meta, f)]
        return f"empty metadata: {', '.join(empty)}" if empty else ""

    check("metadata", metadata)
    if not check("load", lambda: adapter.ensure_loaded()):
        return _finish(report, raise_on_failure)
    check("describe", lambda: json.dumps(adapter.cache_identity(), sort_keys=True) and "")
    # the engine's own load-time check (every submodule of every torch module held), so both agree on what passes
    check("eval mode", lambda: check_eval_mode(adapter) and "")
    images, texts = sample_images(), list(SAMPLE_TEXTS)
    base: dict[str, np.ndarray] = {}

    def shapes() -> str:
        base.update(_outputs(adapter, images, texts))
        return ""

    if not check("shapes", shapes):
        return _finish(report, raise_on_failure)
    check("determinism", lambda: _close(base, _outputs(adapter, images, texts), atol))
    check("batch-size invariance", lambda: _close(base, _split(adapter, images, texts), atol))
    if isinstance(adapter, PairScorer) and adapter.reuses_images():

        def hooks() -> str:
            pairs = [(i, t) for i in range(len(images)) for t in range(len(texts))]
            encoded = adapter.encode_images(images)
            out = adapter.score_encoded([encoded[i] for i, _ in pairs], [texts[t] for _, t in pairs])
            return _close(base, {"pairs": np.asarray(out, np.float32).reshape(-1)}, atol)

        check("image-reuse hooks", hooks)
    check("engine batch-size invariance", lambda: _engine_invariance(adapter, images, atol))
    _variants(adapter, report, base, images, texts, dtypes, devices, low_precision_tol, atol)
    return _finish(report, raise_on_failure)


def _variants(
    adapter: Adapter,
    report: ConformanceReport,
    base: dict[str, np.ndarray],
    images: Sequence[Any],
    texts: Sequence[str],
    dtypes: Sequence[str],
    devices: Sequence[str] | None,
    tol: float,
    atol: float,
) -> None:
    """Fresh instances for each other dtype and device; SnareError at load means 'not supported': skipped."""
    if devices is None:
        torch = sys.modules.get("torch")
        devices = ["cpu", "cuda"] if torch is not None and torch.cuda.is_available() else ["cpu"]
    combos = [(adapter.device, d, "dtype " + d) for d in dtypes if d != adapter.dtype]
    combos += [(dev, adapter.dtype, "device " + dev) for dev in devices if dev != adapter.device]
    for device, dtype, name in combos:
        try:
            other = type(adapter)(adapter.weights, device=device, dtype=dtype, seed=adapter.seed, **adapter.options)
            other.ensure_loaded()
        except SnareError as exc:
            report.results.append(CheckResult(name, "skipped", str(exc).splitlines()[0] if str(exc) else ""))
            continue
        except Exception as exc:
            report.results.append(CheckResult(name, "failed", f"cannot load: {type(exc).__name__}: {exc}"))
            continue
        try:
            out = _outputs(other, images, texts)
            problem = _similar(base, out, tol) if dtype != adapter.dtype else _close(base, out, max(atol, 1e-3))
        except Exception as exc:
            problem = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        report.results.append(CheckResult(name, "failed" if problem else "passed", problem))


def _finish(report: ConformanceReport, raise_on_failure: bool) -> ConformanceReport:
    if raise_on_failure and not report.ok:
        failed = "; ".join(f"{r.name}: {r.detail}" for r in report.failed)
        raise AdapterError(f"adapter {report.adapter!r} fails conformance: {failed}")
    return report
