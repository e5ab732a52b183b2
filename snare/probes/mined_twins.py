"""Contrast twins mined from the data: Visual Genome records (ARO's two files) and caption probe sets.

A twin is another image for which another option of the same item is the true one (:mod:`snare.probes.contrast`
explains why twins make items text-proof). Mined from ARO's records, per task:

* ``relationship_composition``: the same two objects with the relation in the other direction ("the horse is
  eating the grass" here, "the grass is eating the horse" there); symmetric relations are left out;
* ``spatial_relations``: the same subject and object in another of the four spatial relations;
* ``attribute_ownership``: the same two objects with their attributes exchanged, for colours only (attributes
  of one exclusive dimension: with "large" and "white" exchanged, the first caption may still hold);
* ``negation_logic``: the same two objects, each in another colour than the statement says, so that "the X is not
  A and the Y is not B" holds there (colours exclude each other; "large" and "white" do not).

A left/right relation record that found no twin on another image gets one from its own image mirrored left to
right (:attr:`snare.probes.item.ImageRef.flip`), where the relation with "left" and "right" exchanged holds
(:func:`snare.generators.lexicon.mirrored_relation`): the subject/object exchange for
``relationship_composition``, the opposite relation for ``spatial_relations``. A natural twin is preferred (a
mirrored photo also mirrors any text in it); mirror pairs carry ``meta["twin_kind"] = "mirror"`` and are counted
in the yield report as ``mirror_pairs``.

Each record serves one pair per task at most; pairs are matched greedily in key order, so a mine is a pure
function of the records. A pair's items carry the first record's options (the intended option of the second is
one of them), ``meta["pair"]`` and ``meta["twin"]``. :func:`caption_twins` mines a caption probe set the same way:
an item's wrong option that is another image's caption. Every miner reports its yield: the share of eligible
items that found a twin.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from snare.generators.lexicon import mirrored_relation
from snare.generators.negation import negation_template
from snare.generators.relations import SPATIAL_RELATIONS, SYMMETRIC_RELATIONS
from snare.generators.text import pre_caption
from snare.probes.item import ImageRef, ProbeItem
from snare.probes.sources.base import VGRecord

# Basic colour terms: an object of one of them is not of another (VG's colours are of the object's main surface).
COLOURS = frozenset(
    {"red", "orange", "yellow", "green", "blue", "purple", "pink", "brown", "black", "white", "gray", "grey"}
)
GREYS = frozenset({"gray", "grey"})  # one colour, two spellings


@dataclass
class Mined:
    """Twin items by task, and per task the yield: eligible items, pairs found, share of eligible items with a
    twin (a mirror pair twins one eligible item, a pair of two images two), and for the tasks that mirror, the
    mirror pairs among the pairs."""

    items: list[ProbeItem] = field(default_factory=list)
    report: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, task: str, eligible: int, items: list[ProbeItem], mirrored: int | None = None) -> None:
        self.items.extend(items)
        pairs = len(items) // 2
        twinned = 2 * pairs - (mirrored or 0)
        self.report[task] = {"eligible": eligible, "pairs": pairs, "yield": twinned / eligible if eligible else 0.0}
        if mirrored is not None:
            self.report[task]["mirror_pairs"] = mirrored


def _distinct_colours(a: str, b: str) -> bool:
    return a in COLOURS and b in COLOURS and a != b and not {a, b} <= GREYS


def _pair(
    task: str,
    base: VGRecord,
    twin: VGRecord | None,
    options: Sequence[str],
    intended: tuple[int, int],
    labels: Any,
):
    """The two items of one mined pair: ``base``'s options on both images, ``intended`` by each. ``twin`` None:
    the twin is ``base``'s image mirrored (its relation read with "left" and "right" exchanged)."""
    pair = f"{base.key}+{twin.key if twin else 'mirror'}/{task}"
    out = []
    for k, record in enumerate((base, twin or base)):
        entry, flip = record.entry, twin is None and k == 1
        meta = {"source": "aro", "obj1": entry["obj1_name"], "obj2": entry["obj2_name"], "pair": pair, "twin": k}
        meta |= {"relation": entry["relation_name"]} if "relation_name" in entry else {}
        meta |= {"attributes": list(entry["attributes"])} if "attributes" in entry else {}
        meta |= {"twin_kind": "mirror"} if twin is None else {}
        meta |= {"relation": mirrored_relation(entry["relation_name"])} if flip else {}
        out.append(
            ProbeItem(
                id=f"{record.key}/{task}/{pair}" + ("/mirrored" if flip else ""),
                task=task,
                image=ImageRef(path=record.image, bbox=record.bbox, flip=flip),
                cluster=record.cluster,
                options=tuple(options),
                labels=tuple(labels(k)) if callable(labels) else tuple(labels),
                correct=intended[k],
                meta=meta,
            )
        )
    return out


def _match(
    records: Sequence[VGRecord], key: Callable[[VGRecord], Any], twin_keys: Callable[[VGRecord], list[Any]]
) -> list[tuple[VGRecord, VGRecord]]:
    """Greedy pairs: each record in key order takes the first unused record, on another image, under one of its
    ``twin_keys``."""
    index: dict[Any, list[VGRecord]] = {}
    for r in records:
        index.setdefault(key(r), []).append(r)
    used: set[str] = set()
    pairs = []
    for r in sorted(records, key=lambda r: r.key):
        if r.key in used:
            continue
        for k in twin_keys(r):
            twin = next((t for t in index.get(k, ()) if t.key not in used and t.cluster != r.cluster), None)
            if twin is not None and twin.key != r.key:
                used.update((r.key, twin.key))
                pairs.append((r, twin))
                break
    return pairs


def _swapped(k: int) -> tuple[str, str]:
    return ("correct", "exchange") if k == 0 else ("exchange", "correct")


def relation_twins(records: Sequence[VGRecord], mined: Mined) -> None:
    """relationship_composition and spatial_relations twins from VG-Relation records."""
    rel = [r for r in records if r.entry["obj1_name"] != r.entry["obj2_name"]]
    comp = [r for r in rel if r.entry["relation_name"] not in SYMMETRIC_RELATIONS]

    def spo(r: VGRecord) -> tuple[str, str, str]:
        return r.entry["obj1_name"], r.entry["relation_name"], r.entry["obj2_name"]

    pairs = _with_mirrors(comp, _match(comp, spo, lambda r: [(spo(r)[2], spo(r)[1], spo(r)[0])]))
    items = [i for a, b in pairs for i in _pair("relationship_composition", a, b, _options(a), (0, 1), _swapped)]
    mined.add("relationship_composition", len(comp), items, mirrored=_mirrors(pairs))
    spatial = [r for r in rel if r.entry["relation_name"] in SPATIAL_RELATIONS]
    pairs = _match(spatial, spo, lambda r: [(spo(r)[0], x, spo(r)[2]) for x in SPATIAL_RELATIONS if x != spo(r)[1]])
    pairs = _with_mirrors(spatial, pairs)
    items = []
    for a, b in pairs:
        options = [f"the {a.entry['obj1_name']} is {x} the {a.entry['obj2_name']}" for x in SPATIAL_RELATIONS]
        shown = spo(b)[1] if b is not None else mirrored_relation(spo(a)[1])
        intended = (SPATIAL_RELATIONS.index(spo(a)[1]), SPATIAL_RELATIONS.index(shown))
        items += _pair("spatial_relations", a, b, options, intended, SPATIAL_RELATIONS)
    mined.add("spatial_relations", len(spatial), items, mirrored=_mirrors(pairs))


def _with_mirrors(
    records: Sequence[VGRecord], pairs: list[tuple[VGRecord, VGRecord]]
) -> list[tuple[VGRecord, VGRecord | None]]:
    """``pairs``, then a mirror pair ``(record, None)`` for each left/right record, in key order, that has none."""
    used = {r.key for pair in pairs for r in pair}
    alone = [r for r in sorted(records, key=lambda r: r.key) if r.key not in used]
    return [*pairs, *((r, None) for r in alone if mirrored_relation(r.entry["relation_name"]) is not None)]


def _mirrors(pairs: Sequence[tuple[VGRecord, VGRecord | None]]) -> int:
    return sum(b is None for _, b in pairs)


def _options(r: VGRecord) -> list[str]:
    return [r.entry["true_caption"], r.entry["false_caption"]]


def _facts(r: VGRecord) -> frozenset[tuple[str, str]]:
    (a1, a2), e = r.entry["attributes"], r.entry
    return frozenset({(e["obj1_name"], a1), (e["obj2_name"], a2)})


def attribution_twins(records: Sequence[VGRecord], mined: Mined) -> None:
    """attribute_ownership and negation_logic twins from VG-Attribution records (colours only)."""
    usable = [
        r
        for r in records
        if r.entry["obj1_name"] != r.entry["obj2_name"] and _distinct_colours(*r.entry["attributes"][:2])
    ]

    def exchanged(r: VGRecord) -> list[Any]:
        (a1, a2), e = r.entry["attributes"], r.entry
        return [frozenset({(e["obj1_name"], a2), (e["obj2_name"], a1)})]

    pairs = _match(usable, _facts, exchanged)
    items = [i for a, b in pairs for i in _pair("attribute_ownership", a, b, _options(a), (0, 1), _swapped)]
    mined.add("attribute_ownership", len(usable), items)
    # negation: the twin has both objects, each in another colour than the statement gives it
    by_objects = {}
    for r in usable:
        by_objects.setdefault(frozenset({r.entry["obj1_name"], r.entry["obj2_name"]}), []).append(r)
    colour_of = {r.key: dict(sorted(_facts(r))) for r in usable}

    def other_colours(r: VGRecord) -> list[Any]:
        mine = colour_of[r.key]
        found = [
            t.key
            for t in by_objects[frozenset(mine)]
            if all(_distinct_colours(colour_of[t.key][o], mine[o]) for o in mine)
        ]
        return found

    pairs = _match(usable, lambda r: r.key, other_colours)
    items = []
    for a, b in pairs:
        (a1, a2), e = a.entry["attributes"], a.entry
        options = negation_template(e["obj1_name"], a1, e["obj2_name"], a2)
        labels = lambda k: ("correct", "negated") if k == 0 else ("affirmative", "correct")  # noqa: E731
        items += _pair("negation_logic", a, b, options, (0, 1), labels)
    mined.add("negation_logic", len(usable), items)


def mine_vg(relation: Sequence[VGRecord] = (), attribution: Sequence[VGRecord] = ()) -> Mined:
    """Every Visual Genome twin of the records (either kind may be empty), with the yields."""
    mined = Mined()
    if relation:
        relation_twins(relation, mined)
    if attribution:
        attribution_twins(attribution, mined)
    return mined


def caption_twins(items: Sequence[ProbeItem], tasks: Sequence[str]) -> Mined:
    """Twins in a caption probe set: for an item of ``tasks``, another image whose caption (the intended option
    of any of its items, compared after BLIP's ``pre_caption``) is one of the item's wrong options. Each pair is
    two two-option items: the caption and that option, on the two images."""
    captions: dict[str, list[ProbeItem]] = {}
    for it in items:
        captions.setdefault(pre_caption(it.options[it.correct]), []).append(it)
    mined = Mined()
    for task in tasks:
        eligible = [it for it in items if it.task == task]
        used: set[str] = set()
        found: list[ProbeItem] = []
        for it in eligible:
            if it.cluster in used:
                continue
            for k, option in enumerate(it.options):
                other = captions.get(pre_caption(option), []) if k != it.correct else []
                twin = next((t for t in other if t.cluster != it.cluster and t.cluster not in used), None)
                if twin is None:
                    continue
                used.update((it.cluster, twin.cluster))
                found += _caption_pair(it, k, twin)
                break
        mined.add(task, len(eligible), found)
    return mined


def _caption_pair(base: ProbeItem, k: int, twin: ProbeItem) -> list[ProbeItem]:
    pair = f"{base.id}+{twin.cluster}"
    options = (base.options[base.correct], base.options[k])
    labels = (base.labels[base.correct], base.labels[k])
    first = base.model_copy(
        update={"options": options, "labels": labels, "correct": 0, "meta": {**base.meta, "pair": pair, "twin": 0}}
    )
    second = base.model_copy(
        update={
            "id": f"{base.id}/twin",
            "image": twin.image,
            "cluster": twin.cluster,
            "options": options,
            "labels": labels[::-1],
            "correct": 1,
            "meta": {**base.meta, "pair": pair, "twin": 1},
        }
    )
    return [first, second]


def scene_records(seed: int, n_scenes: int) -> tuple[list[VGRecord], list[VGRecord]]:
    """The built-in synthetic scenes as ARO's two kinds of records (image and cluster: the scene spec), to mine
    and check against the scenes' ground truth (:mod:`snare.probes.scene_facts`)."""
    from snare.probes.scenes import make_scene
    from snare.probes.synthetic import scene_entries

    relation, attribution = [], []
    for i in range(n_scenes):
        scene = make_scene(seed, i)
        spec, entries = scene.spec(), scene_entries(scene)
        names = {"obj1_name": scene.subject.shape, "obj2_name": scene.object.shape}
        relation.append(VGRecord(f"vg_relation/{i:06d}", spec, spec, None, {**entries["vg_relation"], **names}))
        attribution.append(VGRecord(f"vg_attribution/{i:06d}", spec, spec, None, entries["vg_attribution"]))
    return relation, attribution
