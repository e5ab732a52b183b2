from collections import Counter

from snare.generators.rng import ItemRng
from snare.generators.tokens import ParsedCaption, Token
from snare.probes.item_builders import caption_items, paper_shuffle_options, parse_key, vg_item
from snare.probes.sources.base import CaptionRecord, VGRecord

# "A dog." as spaCy tokenizes and tags the raw caption; its pre_caption-ed form "a dog" parses as two tokens.
RAW_DOG = ParsedCaption(text="A dog.", tokens=(Token("A", "DT"), Token("dog", "NN", ws=""), Token(".", ".", ws="")))
DOG = ParsedCaption(text="a dog", tokens=(Token("a", "DT"), Token("dog", "NN", ws="")))


def test_parse_key_reads_the_raw_caption_only_for_the_paper_shuffles():
    assert parse_key("semantic_structure", "A dog.", paper=True) == "A dog."
    assert parse_key("coco_order", "A dog.", paper=True) == "A dog."
    assert parse_key("semantic_structure", "A dog.", paper=False) == "a dog"
    assert parse_key("negation_logic", "A dog.", paper=True) == "a dog"  # an extension: built one way


def test_paper_options_pre_caption_each_shuffle_of_the_raw_caption():
    seen = Counter()
    for k in range(40):
        options = paper_shuffle_options("semantic_structure", RAW_DOG, ItemRng(k, "d"))
        assert options[0] == "a dog" and options[1] == "a dog"  # one noun: the original's shuffle is a no-op
        assert set(options[2:]) <= {"a dog", "dog a"}  # "A" and "." swap, then pre_caption drops the period
        seen.update(options[2:])
    assert seen["a dog"] and seen["dog a"]


def test_caption_items_keep_degenerate_items_only_under_the_paper_construction():
    record = CaptionRecord(key="r", cluster="r", image="x.jpg", captions=("A dog.",))
    parses = {"A dog.": RAW_DOG, "a dog": DOG}
    skipped: Counter[str] = Counter()
    assert caption_items(record, "semantic_structure", parses, 0, "t", skipped) == []
    assert skipped == {"degenerate shuffle_nouns_verbs_adjs: no different permutation exists": 1}
    skipped.clear()
    (item,) = caption_items(record, "semantic_structure", parses, 0, "t", skipped, paper=True)
    assert not skipped and item.options[:2] == ("a dog", "a dog") and item.id == "r/0/semantic_structure"


def test_vg_items_with_coinciding_options_are_kept_only_under_the_paper_construction():
    entry = {
        "attributes": ["white", "white"],
        "obj1_name": "plate",
        "obj2_name": "cup",
        "true_caption": "the white plate and the white cup",
        "false_caption": "the white plate and the white cup",
    }
    record = VGRecord(key="vg_attribution/0", cluster="vg/0.jpg", image="0.jpg", bbox=(0, 0, 4, 4), entry=entry)
    skipped: Counter[str] = Counter()
    assert vg_item(record, "vg_attribution", "attribute_ownership", "vg", skipped) is None
    assert skipped == {"an option equals the intended one": 1}
    item = vg_item(record, "vg_attribution", "attribute_ownership", "vg", skipped, paper=True)
    assert item is not None and item.options[0] == item.options[1]
