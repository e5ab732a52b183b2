"""Deterministic CPU training of the reference model on synthetic scenes disjoint from the probe scenes.

Each training example is one probe item of a *training* scene (``TRAIN_SEED``, never the probe seed): the image,
its intended caption, and the item's other options as hard negatives (word-order shuffles, negation, exchanged
attributes or roles, other relations). The loss is a symmetric in-batch contrastive loss (other scenes' captions
and images are negatives) plus the hard negatives on the image-to-text side. Same seed, same data order, single
thread and deterministic kernels give bit-identical weights run after run on one machine.

The model therefore learns the synthetic distribution, including the probes' own perturbations: its accuracies
show that the benchmark is solvable by a model that reads word order, not what real VLP models do.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn.functional as F

from snare.adapters.caption_corpus import TRAIN_SEED
from snare.adapters.reference_model import ReferenceConfig, ReferenceModel, build_vocab, pool_pixels
from snare.probes.scenes import make_scene, render_array
from snare.probes.synthetic import scene_items
from snare.probes.tasks import get_task


@dataclass(frozen=True)
class TrainSettings:
    """Everything that determines the trained weights (recorded beside them)."""

    seed: int = 0
    train_seed: int = TRAIN_SEED
    n_scenes: int = 2000
    steps: int = 800
    batch_size: int = 96
    lr: float = 2e-3
    warmup: int = 50
    weight_decay: float = 1e-4

    def to_json(self) -> dict[str, int | float]:
        return asdict(self)


@dataclass
class TrainingData:
    pixels: torch.Tensor  # (n_scenes, 3, 56, 56)
    scene: np.ndarray  # (n_items,) scene index of each item
    positive: list[str]  # the intended option of each item
    negatives: list[list[str]]  # the item's other options
    vocab: tuple[str, ...]


def training_data(train_seed: int, n_scenes: int) -> TrainingData:
    """Scenes ``0..n_scenes-1`` of ``train_seed`` rendered, and all their probe items as examples: the intended
    option against the item's false options (a task's true options, SNARE's "respectively" form, are left out);
    then each scene's negation twin (:mod:`snare.probes.contrast`), rendered, with its negated statement intended."""
    from snare.probes.contrast import twin_items

    base = [make_scene(train_seed, i) for i in range(n_scenes)]
    examples = [(k, it) for k, s in enumerate(base) for it in scene_items(s, train_seed)]
    # Each scene's negation twin too: the colours exchanged, so the negated statement is the true one. Without it
    # every "not" statement is a negative, and "not" alone tells the caption from its negation.
    twins = [twin_items(s, train_seed, "negation_logic")[1] for s in base]
    specs = [s.spec() for s in base] + [it.image.scene or "" for it in twins]
    examples += [(n_scenes + k, it) for k, it in enumerate(twins)]
    arrays = np.stack([np.frombuffer(render_array(spec), np.uint8).reshape(224, 224, 3) for spec in specs])
    scene_of, positive, negatives = [], [], []
    for k, it in examples:
        scene_of.append(k)
        positive.append(it.options[it.correct])
        true = get_task(it.task).true_options  # as true of the scene as the caption: never a negative
        negatives.append([o for j, o in enumerate(it.options) if j != it.correct and it.labels[j] not in true])
    vocab = build_vocab(positive + [n for negs in negatives for n in negs])
    return TrainingData(pool_pixels(arrays), np.asarray(scene_of), positive, negatives, vocab)


@contextlib.contextmanager
def deterministic_cpu(seed: int) -> Iterator[None]:
    """One thread, deterministic kernels, seeded global RNG; the previous settings are restored afterwards."""
    threads, was_deterministic = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(seed)
    try:
        yield
    finally:
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(was_deterministic)


def _batch_loss(model: ReferenceModel, data: TrainingData, batch: np.ndarray) -> torch.Tensor:
    scenes = data.scene[batch]
    pos = [data.positive[i] for i in batch]
    negs = [data.negatives[i] for i in batch]
    texts = sorted({*pos, *(n for ns in negs for n in ns)})
    where = {t: k for k, t in enumerate(texts)}
    img = F.normalize(model.encode_images(data.pixels[torch.from_numpy(scenes)]), dim=-1)
    txt = F.normalize(model.encode_texts(texts), dim=-1)
    scale = model.logit_scale.exp().clamp(max=100.0)
    pos_idx = torch.tensor([where[t] for t in pos])
    b = len(batch)
    # In-batch pairs that are not negatives: same scene (another true caption of it) or the same caption text.
    same = torch.from_numpy((scenes[:, None] == scenes[None, :]) | (np.asarray(pos)[:, None] == np.asarray(pos)))
    same &= ~torch.eye(b, dtype=torch.bool)
    in_batch = scale * img @ txt[pos_idx].T
    in_batch = in_batch.masked_fill(same, float("-inf"))
    width = max(len(n) for n in negs)
    neg_idx = torch.tensor([[where[n] for n in ns] + [0] * (width - len(ns)) for ns in negs])
    hard = scale * torch.einsum("bd,bkd->bk", img, txt[neg_idx])
    hard = hard.masked_fill(torch.tensor([[k >= len(ns) for k in range(width)] for ns in negs]), float("-inf"))
    target = torch.arange(b)
    loss_i2t = F.cross_entropy(torch.cat([in_batch, hard], dim=1), target)
    loss_t2i = F.cross_entropy(in_batch.T, target)
    return (loss_i2t + loss_t2i) / 2


def train(
    text_encoder: str,
    settings: TrainSettings,
    data: TrainingData | None = None,
    on_step: Callable[[int, float], object] | None = None,
) -> ReferenceModel:
    """Train one reference model; the same ``settings`` give bit-identical weights on one machine."""
    data = data or training_data(settings.train_seed, settings.n_scenes)
    order_rng = np.random.Generator(np.random.PCG64(settings.seed))  # data order, independent of torch's RNG
    with deterministic_cpu(settings.seed):
        # Created image encoder first, from the same seed: the gru and bow models start from the same image weights.
        model = ReferenceModel(ReferenceConfig(text_encoder=text_encoder, vocab=data.vocab))
        model.train()
        opt = torch.optim.AdamW(model.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)

        def lr_at(step: int) -> float:
            if step < settings.warmup:
                return (step + 1) / settings.warmup
            progress = (step - settings.warmup) / max(1, settings.steps - settings.warmup)
            return 0.5 * (1 + math.cos(math.pi * progress))

        sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_at)
        queue: list[int] = []
        for step in range(settings.steps):
            if len(queue) < settings.batch_size:
                queue.extend(order_rng.permutation(len(data.positive)).tolist())
            batch, queue = np.asarray(queue[: settings.batch_size]), queue[settings.batch_size :]
            loss = _batch_loss(model, data, batch)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            if on_step is not None:
                on_step(step, loss.item())
    return model.eval()
