from snare.generators.text import pre_caption


def test_pre_caption_drops_control_characters_and_keeps_white_space_rules():
    assert pre_caption("A dog\x1b[31m runs\x00 fast\x7f.") == "a dog[31m runs fast"
    assert pre_caption("a\tdog  \nruns") == "a\tdog runs"  # BLIP's rule: only runs of 2+ spaces collapse
    assert pre_caption("A Dog, running!  On the (wet) grass.") == "a dog, running on the wet grass"
