import pytest

from snare.plain import console_safe, invisible, label_key, terminal_safe


@pytest.mark.parametrize(
    "char", ["\u200b", "\u200d", "\u202a", "\u202e", "\u2066", "\u2069", "\u2028", "\u2029", "\ufeff", "\u2060"]
)
def test_invisible_and_bidi_characters_are_found(char):
    assert invisible(f"clip{char}b32") == f"U+{ord(char):04X}"
    assert label_key(f"clip{char}") == "clip"


def test_plain_text_has_nothing_invisible():
    assert invisible("CLIP ViT-B/32 (OpenAI) é ü 中文") is None


def test_labels_that_look_alike_share_a_key():
    assert label_key("ＣＬＩＰ  ViT") == label_key("clip vit") == label_key("CLIP\u200bViT".replace("\u200b", " "))
    assert label_key("clip a") != label_key("clip b")


def test_terminal_safe_shows_escapes_instead_of_obeying_them():
    text = "red\x1b[31m\x1b]0;title\x07 over\rwrite\u202eevil\nline"
    safe = terminal_safe(text)
    assert "\x1b" not in safe and "\r" not in safe and "\u202e" not in safe and "\n" not in safe
    assert safe == "red\\x1b[31m\\x1b]0;title\\x07 over\\x0dwrite\\u202eevil\\x0aline"
    assert terminal_safe("a plain caption, ü") == "a plain caption, ü"


def test_console_safe_escapes_rich_markup():
    assert console_safe("[bold red]x[/]") == "\\[bold red]x\\[/]"
