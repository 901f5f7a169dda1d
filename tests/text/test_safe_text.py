"""The sanitiser: nothing that can drive a terminal survives, and it visibly was there."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tui.core.safe_text import safe_text

HOSTILE = {
    "osc-title": "\x1b]0;pwned\x07",
    "clear-screen": "\x1b[2J",
    "erase-line": "\x1b[2K",
    "sgr": "\x1b[41;97mRED",
    "osc52-clipboard": "\x1b]52;c;cHduZWQ=\x07",
    "c1-csi": "\x9b2J",
    "bidi-override": "abc\u202edef",
    "bidi-isolate": "\u2066x\u2069",
    "nul": "a\x00b",
    "bell": "\x07",
    "del": "\x7f",
    "zero-width": "a\u200bb",
    "line-separator": "a\u2028b",
    "newline": "a\nb",
    "soft-hyphen": "in\xadvisible",
}


def test_escape_sequences_become_visible() -> None:
    assert safe_text("\x1b]0;pwned\x07") == "\\x1b]0;pwned\\x07"
    assert safe_text("abc\u202edef") == "abc\\u202edef"
    assert safe_text("a\x9bb") == "a\\x9bb"


def test_no_hostile_character_survives() -> None:
    for name, text in HOSTILE.items():
        shown = safe_text(text)
        assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in shown), name
        assert "\u202e" not in shown and "\u2066" not in shown and "\u200b" not in shown, name


def test_long_lines_are_capped_and_say_so() -> None:
    line = "x" * 10_000_000
    shown = safe_text(line, max_chars=1000)
    assert shown.startswith("x" * 1000)
    assert shown.endswith("… (+9999000 chars)")
    assert len(shown) < 1100


def test_invalid_utf8_bytes_become_replacement_characters() -> None:
    assert safe_text(b"ok\xff\xfe\x1b[2J") == "ok\ufffd\ufffd\\x1b[2J"


def test_ordinary_text_is_untouched() -> None:
    text = "foo@domain.com: Connection refused — übung 日本 [bold]not markup[/]"
    assert safe_text(text) == text


@given(st.text(max_size=300))
def test_output_never_contains_a_control_or_format_character(text: str) -> None:
    import unicodedata

    shown = safe_text(text)
    for char in shown:
        assert unicodedata.category(char) not in ("Cc", "Cf", "Cs"), repr(char)
        assert char not in "\u2028\u2029"
