"""The one sanitiser for every string that reaches the screen.

Log lines, addresses and database values are attacker-controlled: an RCPT
address with `ESC ] 0 ; … BEL` ends up in authdaemond's and Postfix's logs, and
Textual's Log/RichLog/Static pass such sequences to the terminal (measured: an
OSC retitled the tmux pane). Here every control character (C0, DEL, C1), every
invisible format character (bidi overrides and isolates, zero-width marks) and
line/paragraph separators become visible escapes, and long lines are capped.
Passwords that debug log lines carry (DEBUG_LOGIN=2) are masked here too, so a
line that reached the screen by any path still hides them.
"""

from __future__ import annotations

import re
import unicodedata

from tui.core.password_mask import mask_passwords

DEFAULT_MAX_CHARS = 1000

# C0 (incl. TAB, ESC), DEL, C1; bidi embeddings/overrides/isolates; other format chars;
# line/paragraph separators; lone surrogates (from surrogateescape decoding).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb"
    "\ud800-\udfff]"
)


def _escape(match: re.Match[str]) -> str:
    return _escape_char(match.group())


def _escape_char(char: str) -> str:
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def _escape_other_format(text: str) -> str:
    """Catch format (Cf) characters the fast pattern does not list."""
    if text.isascii():
        return text
    return "".join(
        _escape_char(ch) if unicodedata.category(ch) == "Cf" else ch for ch in text
    )


def safe_text(value: object, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """`value` as text that cannot drive the terminal, at most `max_chars` long.

    Bytes are decoded as UTF-8 with U+FFFD for invalid sequences. A capped
    string ends with `… (+N chars)` so the reader knows it was cut.
    """
    if isinstance(value, bytes | bytearray):
        text = bytes(value).decode("utf-8", errors="replace")
    else:
        text = str(value)
    text = mask_passwords(text)
    overflow = 0
    if max_chars and len(text) > max_chars:
        overflow = len(text) - max_chars
        text = text[:max_chars]
    text = _escape_other_format(_UNSAFE.sub(_escape, text))
    if overflow:
        text += f"… (+{overflow} chars)"
    return text


def pasteable(text: str) -> bool:
    """Whether `text` may go on the clipboard as it is: line breaks, nothing else unprintable.

    What is pasted into a shell runs there: an ESC or a CR in a fix command could end a
    bracketed paste or hide part of the line, so such a command is refused rather than
    silently changed into a different one.
    """
    return all(
        _UNSAFE.search(line) is None and _escape_other_format(line) == line
        for line in text.split("\n")
    )

