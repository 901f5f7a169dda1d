"""Lines admins posted when asking for help, fed back exactly as they posted them.

The catalogue's own examples are written from upstream format strings; these are
what reaches a forum: old tags (`authdaemond.mysql`), other modules (authmysql,
authpam), Courier IMAP/POP3's side of a failed lookup, half a Postfix line, the
client's message without its `ERR:` prefix. Each must get the signature recorded
next to it, and the lines that are no authlib failure (a mistyped password, a PAM
module's own text) must stay unexplained rather than be forced into a signature.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tui.core.explain.line import Explanation, explain_line, explain_lines, identify, read_lines
from tui.core.explain.remedies import PlatformFacts

FIELD_LINES = Path(__file__).with_name("field_lines.tsv")
NOT_EXPLAINED = "-"
FACTS = PlatformFacts.generic()


def _field_lines() -> list[tuple[str, str]]:
    rows = []
    for row in FIELD_LINES.read_text(encoding="utf-8").splitlines():
        if row and not row.startswith("#"):
            expected, line = row.split("\t", 1)
            rows.append((expected, line))
    return rows


@pytest.mark.parametrize(("expected", "line"), _field_lines())
def test_a_posted_line_gets_its_signature(expected: str, line: str) -> None:
    signature, _ = identify(line)
    if expected == NOT_EXPLAINED:
        assert signature is None, f"{line!r} was forced into {signature.id}"
    else:
        assert signature is not None, f"{line!r} is not explained"
        assert signature.id == expected


def test_the_whole_set_pasted_at_once_explains_every_failure() -> None:
    rows = _field_lines()
    pasted = "\n".join(line for _, line in rows).encode()
    results = list(explain_lines(read_lines(io.BytesIO(pasted)), FACTS))
    explained = [item for item in results if isinstance(item, Explanation)]
    assert results[-1] == len(rows)
    assert [(e.line_number, e.signature.id) for e in explained] == [
        (number, expected) for number, (expected, _) in enumerate(rows, start=1)
        if expected != NOT_EXPLAINED]


def test_a_bounce_from_a_posted_line_counts_as_lost_mail() -> None:
    bounced = next(line for expected, line in _field_lines()
                   if expected == "maildrop-invalid-user" and "status=bounced" in line)
    signature, lost = identify(bounced)
    assert signature is not None and lost


def test_a_posted_debug_line_shows_no_password() -> None:
    line = next(line for expected, line in _field_lines()
                if expected == "debug-passwords-logged")
    explanation = explain_line(line, FACTS)
    assert explanation is not None
    assert "clearpasswd=[masked]" in explanation.line
    assert "mypassword" not in explanation.line


def test_the_clients_own_authdaemon_prefix_is_not_taken_for_a_syslog_tag() -> None:
    line = next(line for expected, line in _field_lines()
                if expected == "maildrop-bounced-outage" and line.startswith("authdaemon: "))
    signature, lost = identify(line)
    assert signature is not None and signature.id == "maildrop-bounced-outage" and lost
