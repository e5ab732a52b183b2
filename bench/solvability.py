"""How much of each benchmark the text alone solves: every blind model of ``snare audit`` on every subset of the
benchmarks whose annotation files are public on GitHub, with 95% intervals (issue #29's solvability table).

Each benchmark's real annotation files are laid out in the layout its ``--source`` reader expects
(:mod:`snare.probes.sources`), every image they name replaced by one small grey PNG (hard links to one file), so
only the text can help; the probe set is built with snare's own code (:func:`snare.probes.assemble.assemble`),
and audited by :func:`snare.validity.audit.audit_probeset` (the checks of ``snare audit``):

* on **every item** of the subset: the cross-fitted blind n-gram LM, bag-of-words and bag-of-bigrams (5 folds),
  and the surface rules (shortest/longest option, prefer/avoid 'not', first/last option);
* on a **deterministic sample** (the first ``--lm-sample`` items of the subset in item-id order): the same models
  again, and the pretrained LM (``--lm``, default ``smollm2``: SmolLM2-135M-Instruct's mean log-probability per
  token, scored as ``snare audit --lm smollm2`` scores it, through the score cache).

Benchmarks (each a git directory, e.g. one the ``fetch`` tool brought, or a plain checkout):

* ``--sugarcrepe``: github.com/RAIVNLab/sugar-crepe, ``data/<set>.json`` -> ``val2017/`` placeholders; one subset
  per set (task ``sugarcrepe_<set>``).
* ``--valse``: github.com/Heidelberg-NLP/VALSE, ``data/<piece>.json`` -> ``images/`` placeholders; one subset per
  piece (only the entries the annotators validated, as the reader keeps them).
* ``--vl-checklist``: github.com/om-ai-lab/VL-CheckList, ``corpus/v1/**.yaml`` and the ``data/`` files they name
  -> placeholders under each config's ``IMG_ROOT``; one subset per config folder (``Attribute/color``...), its
  configs whose annotation file is present (the rest are listed as missing); entries the reader rejects (a
  negative equal to the positive) are skipped and counted.

Usage: ``python bench/solvability.py --work DIR [--sugarcrepe GIT] [--valse GIT] [--vl-checklist GIT]
[--lm smollm2|none] [--lm-sample N] [--limit N] [--json OUT]``. Figures go to ``bench/results/solvability.json``.
The lay-out (annotation copies and placeholders) goes under ``--work``, never into the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from snare.probes.assemble import ProbeSpec, assemble
from snare.validity.audit import POSITION_RULES, Accuracy, audit_probeset

MODELS = {"blind n-gram": "blind", "bag-of-words": "bow", "bag-of-bigrams": "bigrams"}


class Repo:
    """The files of one benchmark repository: a git directory (bare or not; its HEAD) or a plain folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.git = (path / "HEAD").is_file() or (path / ".git").exists()
        self.commit = self._git("rev-parse", "HEAD").decode().strip() if self.git else None

    def _git(self, *args: str) -> bytes:
        flag = f"--git-dir={self.path}" if (self.path / "HEAD").is_file() else f"--git-dir={self.path / '.git'}"
        return subprocess.run(["git", flag, *args], check=True, capture_output=True).stdout

    def files(self) -> list[str]:
        if self.git:
            return self._git("ls-tree", "-r", "--name-only", "HEAD").decode().splitlines()
        return sorted(p.relative_to(self.path).as_posix() for p in self.path.rglob("*") if p.is_file())

    def read(self, name: str) -> bytes | None:
        """The file's bytes; None when the repository lists it but does not hold it (a file too large to mirror)."""
        if not self.git:
            return (self.path / name).read_bytes()
        try:
            return self._git("show", f"HEAD:{name}")
        except subprocess.CalledProcessError:
            return None


def placeholder(work: Path) -> Path:
    """One 8x8 grey PNG, the file every placeholder image links to."""
    from PIL import Image

    grey = work / "grey.png"
    if not grey.exists():
        work.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (8, 8), (128, 128, 128)).save(grey)
    return grey


def place_images(folder: Path, names: set[str], grey: Path) -> None:
    """A hard link to ``grey`` (or to a copy of it, past the file system's link limit) at ``folder/<name>`` for each
    name: a plain file to the readers, a handful of inodes on disk."""
    import errno
    import shutil

    for name in sorted(names):
        target = folder / name
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(grey, target)
        except OSError as exc:
            if exc.errno != errno.EMLINK:
                raise
            fresh = grey.with_name(f"grey-{time.monotonic_ns()}.png")
            shutil.copyfile(grey, fresh)
            fresh.replace(grey)  # the next links go to the fresh copy
            os.link(grey, target)


def _copy(repo: Repo, name: str, dest: Path) -> Any | None:
    """Copy ``name`` to ``dest`` and return its JSON; None when the repository does not hold the file."""
    data = repo.read(name)
    if data is None or len(data) < 3:  # missing, or an empty placeholder ('{}' / '[]')
        return None
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(data)
    return json.loads(data)


def lay_out_sugarcrepe(repo: Repo, work: Path) -> list[dict[str, Any]]:
    """``work/data/<set>.json`` with ``work/data/val2017/`` placeholders; one subset per set."""
    from snare.probes.tasks import SUGARCREPE_SETS

    grey, subsets = placeholder(work), []
    for name in SUGARCREPE_SETS:
        dest = work / "data" / f"{name}.json"
        data = _copy(repo, f"data/{name}.json", dest)
        if data is None:
            continue
        place_images(dest.parent / "val2017", {e["filename"] for e in data.values()}, grey)
        subsets.append({"subset": name, "source": str(dest), "tasks": (f"sugarcrepe_{name}",)})
    return subsets


def lay_out_valse(repo: Repo, work: Path) -> list[dict[str, Any]]:
    """``work/data/<piece>.json`` with ``work/data/images/`` placeholders; one subset per piece."""
    from snare.probes.sources.valse import PIECES

    grey, subsets = placeholder(work), []
    for piece in PIECES:
        dest = work / "data" / f"{piece}.json"
        data = _copy(repo, f"data/{piece}.json", dest)
        if data is None:
            continue
        place_images(dest.parent / "images", {e["image_file"] for e in data.values()}, grey)
        subsets.append({"subset": piece, "source": str(dest), "tasks": ("valse",)})
    return subsets


def lay_out_vl_checklist(repo: Repo, work: Path) -> list[dict[str, Any]]:
    """One repository folder per config folder (``work/Attribute+color/corpus/v1/Attribute/color/*.yaml``, the
    ``data/`` files they name, placeholders under each ``IMG_ROOT``): its present configs, the others listed."""
    from snare.probes.sources.vl_checklist import read_config

    grey, groups = placeholder(work), {}
    for name in repo.files():
        if name.startswith("corpus/v1/") and name.endswith(".yaml"):
            groups.setdefault(str(Path(name).parent.relative_to("corpus/v1").as_posix()), []).append(name)
    subsets = []
    for subset, configs in sorted(groups.items()):
        root, present, missing = work / subset.replace("/", "+"), [], []
        for config in sorted(configs):
            (root / config).parent.mkdir(parents=True, exist_ok=True)
            (root / config).write_bytes(repo.read(config) or b"")
            anno, images = read_config(root / config)
            data = _copy(repo, str(anno), root / anno)
            if data is None:
                (root / config).unlink()
                missing.append(Path(config).stem)
                continue
            present.append(Path(config).stem)
            place_images(root / images, {e[0] for e in data if isinstance(e, list) and e}, grey)
        if present:
            subsets.append({"subset": subset, "source": str(root), "tasks": ("vl_checklist",), "corpora": present,
                            "missing": missing})  # fmt: skip
    return subsets


LAYOUTS: dict[str, Callable[[Repo, Path], list[dict[str, Any]]]] = {
    "sugarcrepe": lay_out_sugarcrepe,
    "valse": lay_out_valse,
    "vl_checklist": lay_out_vl_checklist,
}


def _acc(acc: Accuracy | None) -> dict[str, Any] | None:
    if acc is None:
        return None
    out = {"n": acc.n, "accuracy": acc.value, "ci": [acc.ci_low, acc.ci_high], "ties": acc.ties}
    if acc.ties and acc.broken_value is not None:  # ties broken by the audit's seeded coin (what its verdict judges)
        out["coin"] = {"accuracy": acc.broken_value, "ci": [acc.broken_ci_low, acc.broken_ci_high]}
    return out


def _figures(audit: Any) -> dict[str, Any]:
    """A task audit's figures: n, chance, every blind model and every rule (strict accuracy, 95% Wilson)."""
    models = {name: _acc(getattr(audit, attr)) for name, attr in MODELS.items()}
    if audit.lm is not None:
        models["pretrained LM"] = _acc(audit.lm)
    rules = {name: _acc(acc) for name, acc in audit.rules.items()}
    best = max(((a.value, n) for n, a in audit.rules.items() if n not in POSITION_RULES), default=None)
    return {
        "n": audit.n_items,
        "chance": audit.chance,
        "models": models,
        "rules": rules,
        "best_rule": best[1] if best else None,
        "notes": audit.notes,
    }


def lm_scores(probes: Any, lm: str) -> dict[str, Any]:
    """The text-only model ``lm``'s option scores by item id, as ``snare audit --lm`` gets them."""
    from snare.cli.audit import _lm_scores

    return _lm_scores(lm, None, probes)


def audit_subset(entry: dict[str, Any], *, seed: int, limit: int | None, lm: str | None, lm_sample: int) -> dict:
    """Build one subset's probe set from its laid-out source and audit it: every item without the pretrained LM,
    and the first ``lm_sample`` items (id order) with it (when ``lm``)."""
    spec = ProbeSpec(entry["tasks"], source=entry["source"], seed=seed, limit=limit, skip_bad=True)
    probes = assemble(spec)
    (audit,) = audit_probeset(probes)
    out = {
        "fingerprint": probes.checked_fingerprint()[0],
        "skipped": probes.info.get("skipped_records") or {},
        "all": _figures(audit),
    }
    if lm is not None:
        sample = probes.subset(limit=lm_sample)
        start = time.perf_counter()
        scores = lm_scores(sample, lm)
        (sampled,) = audit_probeset(sample, lm_scores=scores)
        out["sample"] = {**_figures(sampled), "lm_seconds": round(time.perf_counter() - start, 1)}
    return out


def _line(bench: str, subset: str, fig: dict[str, Any]) -> str:
    a, s = fig["all"], fig.get("sample")
    cells = [f"{m['accuracy']:.2f}" if m else "—" for m in a["models"].values()]
    lm = s["models"].get("pretrained LM") if s else None
    lm_cell = f" · LM {lm['accuracy']:.2f} [{lm['ci'][0]:.2f}, {lm['ci'][1]:.2f}] (n={lm['n']})" if lm else ""
    models = "/".join(cells)
    return f"{bench:12s} {subset:28s} n {a['n']:5d} chance {a['chance']:.2f} · n-gram/BoW/bigrams {models}{lm_cell}"


def run(
    repos: dict[str, Path],
    work: Path,
    *,
    seed: int = 0,
    limit: int | None = None,
    lm: str | None = None,
    lm_sample: int = 150,
    lm_benchmarks: tuple[str, ...] | None = None,
) -> dict:
    """The solvability figures of every benchmark in ``repos`` (name -> repository path), laid out under ``work``;
    the pretrained LM ``lm`` scores the samples of ``lm_benchmarks`` (default: every benchmark)."""
    out: dict[str, Any] = {"seed": seed, "limit": limit, "lm": lm, "lm_sample": lm_sample, "benchmarks": {}}
    for bench, path in repos.items():
        bench_lm = lm if lm_benchmarks is None or bench in lm_benchmarks else None
        repo = Repo(path)
        subsets = LAYOUTS[bench](repo, work / bench)
        figures: dict[str, Any] = {}
        for entry in subsets:
            fig = audit_subset(entry, seed=seed, limit=limit, lm=bench_lm, lm_sample=lm_sample)
            figures[entry["subset"]] = {**{k: entry[k] for k in ("corpora", "missing") if k in entry}, **fig}
            print(_line(bench, entry["subset"], fig), flush=True)
        out["benchmarks"][bench] = {"commit": repo.commit, "lm": bench_lm, "subsets": figures}
    return out


def _cell(fig: dict[str, Any] | None) -> str:
    """``0.96 [0.94, 0.97]``; ``(coin X)`` after it where at least 5% of the items tie (a tie is wrong)."""
    if fig is None:
        return "—"
    cell = f"{fig['accuracy']:.2f} [{fig['ci'][0]:.2f}, {fig['ci'][1]:.2f}]"
    return cell + (f" (coin {fig['coin']['accuracy']:.2f})" if "coin" in fig and fig["ties"] >= 0.05 * fig["n"] else "")


def markdown(results: dict[str, Any]) -> str:
    """The solvability table of ``results`` (what :func:`run` returns), one markdown table per benchmark."""
    lines = []
    for bench, b in results["benchmarks"].items():
        lm = b.get("lm")
        lm_head = [f"{lm} (first {results['lm_sample']})"] if lm else []
        head = ["subset", "n", "chance", *MODELS, "best rule", *lm_head]
        lines += [f"**{bench}** (commit `{b['commit']}`)", "", "| " + " | ".join(head) + " |"]
        lines.append("|" + "---|" * len(head))
        for subset, fig in b["subsets"].items():
            a = fig["all"]
            rule = a["best_rule"]
            row = [subset, f"{a['n']:,}", f"{a['chance']:.2f}", *(_cell(a["models"][m]) for m in MODELS)]
            row.append(f"{rule}: {_cell(a['rules'][rule])}" if rule else "—")
            if lm:
                row.append(_cell(fig["sample"]["models"].get("pretrained LM")))
            lines.append("| " + " | ".join(row) + " |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for bench in LAYOUTS:
        parser.add_argument(f"--{bench.replace('_', '-')}", type=Path, help=f"{bench}'s git directory or checkout")
    parser.add_argument("--work", type=Path, help="where files and placeholders are laid out (outside the repository)")
    parser.add_argument("--lm", default="smollm2", help="pretrained text-only model ('none': skip it)")
    parser.add_argument("--lm-sample", type=int, default=150, help="items per subset the LM scores (%(default)s)")
    parser.add_argument("--lm-benchmarks", nargs="+", choices=list(LAYOUTS), help="the LM on these only")
    parser.add_argument("--limit", type=int, help="first N records of each subset for the other models")
    parser.add_argument("--seed", type=int, default=0)
    default_json = Path(__file__).resolve().parent / "results" / "solvability.json"
    parser.add_argument("--json", type=Path, default=default_json, help="write the figures here (%(default)s)")
    parser.add_argument("--markdown", nargs="+", type=Path, help="only print the tables of these JSON files")
    args = parser.parse_args()
    if args.markdown:
        for path in args.markdown:
            print(markdown(json.loads(path.read_text(encoding="utf-8"))))
        return
    if args.work is None:
        parser.error("--work DIR is needed (where the annotation files and placeholder images are laid out)")
    repos = {b: getattr(args, b) for b in LAYOUTS if getattr(args, b) is not None}
    lm = None if args.lm == "none" else args.lm
    results = run(
        repos,
        args.work,
        seed=args.seed,
        limit=args.limit,
        lm=lm,
        lm_sample=args.lm_sample,
        lm_benchmarks=tuple(args.lm_benchmarks) if args.lm_benchmarks else None,
    )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
