"""Recover ARO's object names, attributes and relation from its fixed caption templates.

The hub mirrors of ARO's Visual Genome files keep the two captions but drop fields SNARE's tasks need
(``obj1_name``, ``obj2_name``, and ``attributes`` or ``relation_name``). ARO wrote every caption from one template:

- VG-Relation: true ``the {obj1} is {relation} the {obj2}``, false ``the {obj2} is {relation} the {obj1}``;
- VG-Attribution: true ``the {att1} {obj1} and the {att2} {obj2}``, false ``the {att2} {obj1} and the {att1} {obj2}``.

Every way of cutting the true caption into the template's slots is tried, and a cut is kept only when the false
caption is the same template with the slots exchanged. Fields the mirror does keep (the relation, the attributes,
the object names) must match the cut. Exactly one surviving cut gives the fields; none or several raise
:class:`TemplateMismatch`, whose reason the build counts (``caption not in ARO's template`` / ``ambiguous
template``): nothing is guessed.
"""

from __future__ import annotations

from collections.abc import Sequence


class TemplateMismatch(ValueError):
    """The captions do not determine the template's fields; ``reason`` is the counted drop reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


NOT_TEMPLATE = "caption not in ARO's template"
AMBIGUOUS = "ambiguous template"


def _one(solutions: list[dict[str, object]]) -> dict[str, object]:
    if not solutions:
        raise TemplateMismatch(NOT_TEMPLATE)
    if len(solutions) > 1:
        raise TemplateMismatch(AMBIGUOUS)
    return solutions[0]


def _objects_fit(solution: dict[str, object], objects: Sequence[str | None] | None) -> bool:
    """Whether a cut agrees with the object names the mirror keeps (None: not kept)."""
    if not objects:
        return True
    pairs = zip(("obj1_name", "obj2_name"), objects, strict=True)
    return all(want is None or solution[key] == want for key, want in pairs)


def recover_relation(
    true: str, false: str, relation: str | None = None, objects: Sequence[str | None] | None = None
) -> dict[str, object]:
    """``obj1_name``, ``obj2_name`` and ``relation_name`` of one VG-Relation entry.

    Args:
        true: The true caption, ``the {obj1} is {relation} the {obj2}``.
        false: The false caption, ``the {obj2} is {relation} the {obj1}``.
        relation: The relation when the mirror keeps it; only cuts with this relation are accepted.
        objects: ``(obj1, obj2)`` names when the mirror keeps them (either may be None); cuts must agree.

    Raises:
        TemplateMismatch: no cut, or more than one, fits both captions.
    """
    words = true.split(" ")
    if len(words) < 5 or words[0] != "the":
        raise TemplateMismatch(NOT_TEMPLATE)
    solutions: list[dict[str, object]] = []
    for i in range(2, len(words)):  # words[i] == "is" ends obj1
        if words[i] != "is":
            continue
        for j in range(i + 2, len(words) - 1):  # words[j] == "the" starts obj2
            if words[j] != "the":
                continue
            obj1, rel, obj2 = " ".join(words[1:i]), " ".join(words[i + 1 : j]), " ".join(words[j + 1 :])
            if relation is not None and rel != relation:
                continue
            if false == f"the {obj2} is {rel} the {obj1}":
                solutions.append({"obj1_name": obj1, "obj2_name": obj2, "relation_name": rel})
    return _one([s for s in solutions if _objects_fit(s, objects)])


def recover_attribution(
    true: str, false: str, attributes: Sequence[str] | None = None, objects: Sequence[str | None] | None = None
) -> dict[str, object]:
    """``obj1_name``, ``obj2_name`` and ``attributes`` (two strings) of one VG-Attribution entry.

    Args:
        true: The true caption, ``the {att1} {obj1} and the {att2} {obj2}``.
        false: The false caption, ``the {att2} {obj1} and the {att1} {obj2}``.
        attributes: ``[att1, att2]`` when the mirror keeps them; only cuts with these attributes are accepted.
        objects: ``(obj1, obj2)`` names when the mirror keeps them (either may be None); cuts must agree.

    Raises:
        TemplateMismatch: no cut, or more than one, fits both captions (e.g. ``light blue`` / ``dark blue``
            shirts, where ``blue`` may belong to the attribute or to the object).
    """
    words = true.split(" ")
    if len(words) < 7 or words[0] != "the":
        raise TemplateMismatch(NOT_TEMPLATE)
    wanted = tuple(attributes) if attributes is not None else None
    solutions: list[dict[str, object]] = []
    for k in range(3, len(words) - 3):  # words[k:k+2] == ["and", "the"] joins the two phrases
        if words[k] != "and" or words[k + 1] != "the":
            continue
        first, second = words[1:k], words[k + 2 :]
        for a in range(1, len(first)):
            for b in range(1, len(second)):
                att1, obj1 = " ".join(first[:a]), " ".join(first[a:])
                att2, obj2 = " ".join(second[:b]), " ".join(second[b:])
                if wanted is not None and (att1, att2) != wanted:
                    continue
                if false == f"the {att2} {obj1} and the {att1} {obj2}":
                    solutions.append({"obj1_name": obj1, "obj2_name": obj2, "attributes": [att1, att2]})
    return _one([s for s in solutions if _objects_fit(s, objects)])
