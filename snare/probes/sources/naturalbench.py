"""NaturalBench (``BaiqiL/NaturalBench``) in its retrieval form: two images, two questions, a 2x2 example per row.

Each row holds ``Image_0``, ``Image_1``, ``Question_0``, ``Question_1`` and the four answers
``Image_<i>_Question_<q>`` (``Yes`` / ``No`` for a ``yes_no`` question, ``A`` / ``B`` for a ``multiple_choice``
one), plus ``Question_Type``, ``Source`` and ``Index``. Every question is answered one way for one image and the
other way for the other: that is the benchmark's design, so a model that ignores the image cannot answer both.

The retrieval form scores the question itself as the text: the question whose answer for image ``i`` is the
affirmative one (``Yes``, or option ``A``, the answer the authors' ``example.py`` scores as 1) is the "caption" of
image ``i``. So ``s[i][q] = score(image i, question q)``: for a yes/no scorer (VQAScore-style) that is the
probability of the affirmative answer to question ``q`` on image ``i``, for a dual encoder the similarity of the
image and the question's text. The row then is the 2x2 example of :mod:`snare.probes.sources.minimal_pairs`,
scored with Winoground's text, image and group scores (:mod:`snare.engine.groups`). A row whose answers do not
give each image exactly one affirmative question is bad (stops the build, or counted under ``--skip-bad``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from snare.probes.sources.base import Source
from snare.probes.sources.hub import HubDataset
from snare.probes.sources.minimal_pairs import BadRow, load_minimal_pairs

KIND = "naturalbench"
AFFIRMATIVE = frozenset({"yes", "a"})
NEGATIVE = frozenset({"no", "b"})


def _answer(value: Any) -> str | None:
    """``yes`` / ``no`` / ``a`` / ``b`` from an answer cell (case, spaces and a final period ignored), else None."""
    if not isinstance(value, str):
        return None
    word = value.strip().rstrip(".").strip().casefold()
    return word if word in AFFIRMATIVE | NEGATIVE else None


def question_captions(row: dict[str, Any]) -> tuple[str, str]:
    """The row's two questions as captions: caption ``i`` is the question answered affirmatively for image ``i``.

    Raises:
        BadRow: a question is empty, the two are the same, an answer is not Yes/No/A/B, or the answers do not
            give each image exactly one affirmative question.
    """
    questions = (row.get("question_0"), row.get("question_1"))
    if not all(isinstance(q, str) and q.strip() for q in questions) or questions[0] == questions[1]:
        raise BadRow("Question_0 and Question_1 must be two non-empty, different questions", "bad questions")
    home: list[int] = []  # for each question, the image it is answered affirmatively for
    for q in (0, 1):
        answers = [_answer(row.get(f"answer_i{i}_q{q}")) for i in (0, 1)]
        if None in answers:
            raise BadRow(f"an answer to Question_{q} is not Yes, No, A or B", "bad answers")
        yes = [i for i in (0, 1) if answers[i] in AFFIRMATIVE]
        if len(yes) != 1:
            raise BadRow(f"Question_{q} must be answered differently for the two images", "bad answers")
        home.append(yes[0])
    if home[0] == home[1]:
        raise BadRow("both questions are answered affirmatively for the same image", "bad answers")
    first = 0 if home[0] == 0 else 1
    return questions[first], questions[1 - first]  # type: ignore[return-value]


def load_naturalbench(ds: HubDataset, rows: Iterable[dict[str, Any]], image_dir: Path, *, skip_bad: bool) -> Source:
    """The records of NaturalBench's rows (two items per row, linked by ``meta.group``); ``Question_Type``,
    ``Source`` and ``Index`` are kept as item metadata (``question_type``, ``origin``, ``index``)."""
    return load_minimal_pairs(ds, rows, image_dir, skip_bad=skip_bad, captions=question_captions)
