"""Candidate pairs: every negative is false and fluent, every intended option true; negation in both polarities."""

from snare.generators.tokens import ParsedCaption
from snare.probes.balanced.candidates import candidate_pairs, swaps
from snare.probes.item import ImageRef, ProbeItem

IMAGE = ImageRef(scene="synthetic-v1|circle,red,small,60,100|square,blue,large,160,100")
CAPTION = ParsedCaption.from_tagged(
    [("a", "DT"), ("small", "JJ"), ("red", "JJ"), ("circle", "NN"), ("is", "VBZ"), ("on", "IN"), ("a", "DT"),
     ("blue", "JJ"), ("square", "NN")]
)  # fmt: skip


def _item(task: str, options: list[str], labels: list[str], correct: int = 0) -> ProbeItem:
    return ProbeItem(
        id=f"x/{task}",
        task=task,
        image=IMAGE,
        cluster="x",
        options=tuple(options),
        labels=tuple(labels),
        correct=correct,
    )


def test_swaps_exchange_nouns_and_adjectives_of_different_phrases_only():
    out = {kind + ": " + p.text for kind, p in swaps(CAPTION)}
    # Colour for colour; "small" has no counterpart before "square", and two adjectives of one noun ("a red small
    # circle") or of different places ("a blue red circle") would not be English.
    assert out == {
        "swap_nouns: a small red square is on a blue circle",
        "swap_adjs: a small blue circle is on a red square",
    }


def test_shuffle_tasks_use_grammatical_swaps_instead_of_shuffles():
    item = _item("semantic_structure", [CAPTION.text, "red a small circle", "x y", "z w"], ["correct", "a", "b", "c"])
    pairs = candidate_pairs(item, {CAPTION.text: CAPTION})
    assert pairs and all(p.intended == CAPTION.text and p.labels[0] == "correct" for p in pairs)
    assert {p.labels[1] for p in pairs} == {"swap_nouns", "swap_adjs"} and len(pairs) == 2
    assert all(sorted(p.negative.split()) == sorted(CAPTION.text.split()) for p in pairs)
    assert candidate_pairs(item, {}) == []  # no parse, no fluent negative: the item cannot be balanced


def test_negation_pairs_come_in_both_polarities_and_stay_true():
    plain = "the circle is red and the square is blue"
    item = _item("negation_logic", [plain, "the circle is not red and the square is not blue"], ["correct", "negated"])
    pairs = {p.polarity: p for p in candidate_pairs(item, {})}
    assert pairs["plain"].intended == plain
    negated = pairs["negated"]
    # Negating the other object's attribute is true; the plain crossed statement is false.
    assert negated.intended == "the circle is not blue and the square is not red"
    assert negated.negative == "the circle is blue and the square is red"
    assert "not" in negated.intended and "not" not in negated.negative


def test_true_options_of_snare_are_never_negatives():
    attrs = _item(
        "attribute_ownership",
        ["the red circle and the blue square", "the blue circle and the red square",
         "the circle and the square are red and blue respectively"],
        ["correct", "exchange", "separate"],
    )  # fmt: skip
    negatives = {p.negative for p in candidate_pairs(attrs, {})}
    assert "the circle and the square are red and blue respectively" not in negatives
    assert "the circle and the square are blue and red respectively" in negatives
    relation = _item(
        "relationship_composition",
        ["the circle is on the square", "the square is on the circle", "the circle and the square"],
        ["correct", "exchange", "and"],
    )
    pairs = candidate_pairs(relation, {})
    assert {p.negative for p in pairs} == {"the square is on the circle"}
    assert {p.intended for p in pairs} == {"the circle is on the square", "the circle and the square"}


def test_relationship_composition_also_takes_the_captions_other_noun_swaps():
    parsed = ParsedCaption.from_tagged(
        [("a", "DT"), ("girl", "NN"), ("holding", "VBG"), ("a", "DT"), ("kitten", "NN"), ("next", "JJ"), ("to", "IN"),
         ("a", "DT"), ("fence", "NN")]
    )  # fmt: skip
    caption = parsed.text
    relation = _item(
        "relationship_composition",
        [caption, "a kitten holding a girl next to a fence", "a girl and a kitten next to a fence"],
        ["correct", "exchange", "and"],
    )
    pairs = candidate_pairs(relation, {caption: parsed})
    by_negative = {p.negative: p for p in pairs}
    assert by_negative["a girl holding a fence next to a kitten"].labels == ("correct", "swap_nouns")
    assert by_negative["a fence holding a kitten next to a girl"].intended == caption
    # The exchange from the default item is there once (the same swap comes out of the parse too), and the true
    # "and" option is never a negative.
    assert sum(p.negative == "a kitten holding a girl next to a fence" for p in pairs) == 2  # caption and "and"
    assert "a girl and a kitten next to a fence" not in by_negative
    assert candidate_pairs(relation, {}) == pairs[:2]  # without a parse: the default item's pairs only


def test_members_of_one_list_are_never_exchanged():
    # "a fork next to an orange, apple and onion": reordering the list says the same thing, so it is no negative;
    # the fork may still trade places with a member of the list, though not with the orange right after "next to"
    # (a symmetric relation: "an orange next to a fork" is as true).
    tagged = [("a", "DT"), ("fork", "NN"), ("next", "RB"), ("to", "IN"), ("an", "DT"), ("orange", "NN"), (",", ","),
              ("apple", "NN"), ("and", "CC"), ("onion", "NN")]  # fmt: skip
    out = {p.text for kind, p in swaps(ParsedCaption.from_tagged(tagged)) if kind == "swap_nouns"}  # "," spaced
    assert out == {
        "an apple next to an orange , fork and onion",
        "an onion next to an orange , apple and fork",
    }
    # "a man and a woman riding a horse": the two riders are one list; each may trade places with the horse.
    riders = [("a", "DT"), ("man", "NN"), ("and", "CC"), ("a", "DT"), ("woman", "NN"), ("riding", "VBG"),
              ("a", "DT"), ("horse", "NN")]  # fmt: skip
    out = {p.text for kind, p in swaps(ParsedCaption.from_tagged(riders)) if kind == "swap_nouns"}
    assert out == {"a horse and a woman riding a man", "a man and a horse riding a woman"}


def test_a_negated_swap_comes_only_from_a_caption_with_one_predicate():
    from snare.generators.parsing import PARSER, load_nlp, parse_captions

    nlp = load_nlp(PARSER)
    one = "a man riding a horse"
    two = "a woman holding a man while standing in a living room"  # a swap into "while ..." escapes the negation
    aux = "a man is riding a horse"  # "is" is no second predicate
    parses = parse_captions([one, two, aux], nlp)
    negated = {}
    for caption in (one, two, aux):
        item = _item("negation_logic", [caption, "x"], ["correct", "negated"])
        negated[caption] = [p for p in candidate_pairs(item, parses) if p.polarity == "negated"]
    assert [(p.intended, p.negative) for p in negated[one]] == [("a horse is not riding a man", "a horse riding a man")]
    assert negated[two] == []
    assert [p.negative for p in negated[aux]] == ["a horse is riding a man"]


def test_an_article_before_a_moved_word_agrees_with_it():
    tagged = [("an", "DT"), ("umbrella", "NN"), ("over", "IN"), ("a", "DT"), ("woman", "NN"), ("near", "IN"),
              ("a", "DT"), ("green", "JJ"), ("cart", "NN"), ("and", "CC"), ("an", "DT"), ("orange", "JJ"),
              ("ball", "NN")]  # fmt: skip
    out = {p.text for _, p in swaps(ParsedCaption.from_tagged(tagged))}
    assert "a woman over an umbrella near a green cart and an orange ball" in out
    assert "an umbrella over a woman near an orange cart and a green ball" in out
    wrong = ("a umbrella", "a orange", "an green", "an woman", "an cart")
    assert not any(f" {w} " in f" {t} " for t in out for w in wrong)


def _noun_swaps(tagged: list[tuple[str, str]]) -> set[str]:
    return {p.text for kind, p in swaps(ParsedCaption.from_tagged(tagged)) if kind == "swap_nouns"}


def test_nouns_a_symmetric_relation_joins_are_never_exchanged_unless_the_first_is_an_object():
    # "two sinks next to two mirrors" -> "two mirrors next to two sinks" is as true; so is a verb before the
    # relation ("a woman standing beside a fridge").
    sinks = [("there", "EX"), ("are", "VBP"), ("two", "CD"), ("sinks", "NNS"), ("next", "RB"), ("to", "IN"),
             ("two", "CD"), ("mirrors", "NNS")]  # fmt: skip
    assert _noun_swaps(sinks) == set()
    woman = [("a", "DT"), ("woman", "NN"), ("standing", "VBG"), ("beside", "IN"), ("a", "DT"), ("fridge", "NN")]
    assert _noun_swaps(woman) == set()
    # The held kitten is an object: "a girl holding a fence next to a kitten" is false, and stays a negative.
    girl = [("a", "DT"), ("girl", "NN"), ("holding", "VBG"), ("a", "DT"), ("kitten", "NN"), ("next", "JJ"),
            ("to", "IN"), ("a", "DT"), ("fence", "NN")]  # fmt: skip
    assert "a girl holding a fence next to a kitten" in _noun_swaps(girl)
    # "with" mostly means "having": "a goatee with a man" is false, so the swap stays.
    goatee = [("a", "DT"), ("man", "NN"), ("with", "IN"), ("a", "DT"), ("goatee", "NN")]
    assert _noun_swaps(goatee) == {"a goatee with a man"}


def test_two_adjuncts_behind_one_preposition_are_never_exchanged():
    # "riding on the back of a horse on a gravel road" -> "... on a gravel road on the back of a horse": as true.
    tagged = [("a", "DT"), ("man", "NN"), ("riding", "VBG"), ("on", "IN"), ("a", "DT"), ("horse", "NN"),
              ("on", "IN"), ("a", "DT"), ("gravel", "NN"), ("road", "NN")]  # fmt: skip
    # The horse never trades places with the road; the rider may (false, a negative).
    assert _noun_swaps(tagged) == {
        "a horse riding on a man on a gravel road",
        "a gravel riding on a horse on a man road",
        "a road riding on a horse on a gravel man",
    }
    # Different prepositions say different things: "a cat in a box on a table" -> "a cat in a table on a box".
    box = [("a", "DT"), ("cat", "NN"), ("in", "IN"), ("a", "DT"), ("box", "NN"), ("on", "IN"), ("a", "DT"),
           ("table", "NN")]  # fmt: skip
    assert "a cat in a table on a box" in _noun_swaps(box)


def test_relationship_composition_leaves_out_an_exchange_that_only_reorders_adjuncts():
    from snare.generators.parsing import PARSER, load_nlp, parse_captions
    from snare.generators.relations import relation_options

    caption = "person riding on the back of a horse on a gravel road"
    parsed = parse_captions([caption], load_nlp(PARSER))[caption]
    options = relation_options(parsed)
    assert options[1] == "person riding on a gravel road on the back of a horse"  # what the default item offers
    item = _item("relationship_composition", options, ["correct", "exchange", "and"])
    negatives = {p.negative for p in candidate_pairs(item, {caption: parsed})}
    assert options[1] not in negatives


def test_every_task_declares_a_pair_rule_the_balancer_has():
    from snare.probes.balanced.candidates import PAIR_RULES
    from snare.probes.tasks import TASKS

    assert {t.pair_rule for t in TASKS.values()} <= set(PAIR_RULES)
    assert TASKS["coco_order"].pair_rule == TASKS["semantic_structure"].pair_rule == "swaps"
