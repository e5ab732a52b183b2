"""Run under a launcher (torchrun / accelerate launch): score a small probe set with the tiny adapters, sharded
over the launched processes; the main process writes the item scores to ``argv[1]`` as JSON."""

from __future__ import annotations

import json
import sys

from snare.engine.distributed import shards
from snare.engine.evaluate import evaluate
from snare.probes.synthetic import synthetic_probeset
from tests.engine.tiny_models import TinyDual, TinyPair


def main(out_path: str, cache_root: str) -> None:
    group = shards("cpu")
    probes = synthetic_probeset(n_scenes=5)
    report = {"world": group.world}
    for cls in (TinyDual, TinyPair):
        result = evaluate(cls("random"), probes, batch_size=3, cache=cache_root, shards=group)
        report[cls.meta.name] = {
            "scores": {row.id: list(row.scores) for rows in result.rows.values() for row in rows},
            "computed": result.record.engine["computed"],
        }
    if group.is_main:
        with open(out_path, "w") as fh:
            json.dump(report, fh)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
