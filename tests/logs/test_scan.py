"""Counting authdaemond errors across a whole file (the logs benchmark's scanner)."""

from __future__ import annotations

import gzip
import itertools
from pathlib import Path

import pytest

from tui.core.findings import Severity
from tui.core.logs.catalogue.registry import SIGNATURES
from tui.core.logs.matcher.classify import classify
from tui.core.logs.scan import count_authdaemond_errors, count_with_rotations

# (record id, example line) of every authdaemond record, in catalogue order
SERVER_EXAMPLES = [(signature.id, example) for signature in SIGNATURES
                   for example in signature.examples]


def test_counts_error_lines_only_and_the_last_line_without_newline(tmp_path: Path) -> None:
    error = b"Nov 24 03:14:15 mail authdaemond: PGSQL_CONNECTION could not be established\n"
    info = b'Nov 24 03:14:15 mail authdaemond: modules="authpgsql", daemons=2\n'
    other = b"Nov 24 03:14:15 mail postfix/pipe[12]: X: to=<authdaemond@x.com>, status=sent\n"
    path = tmp_path / "maillog"
    lines = [error, info, other] * 1000
    filler = b"x" * (1 << 20) + b"\n"  # a 1 MiB line in the middle
    path.write_bytes(b"".join(lines[:1500]) + filler + b"".join(lines[1500:]) + error[:-1])
    counts = count_authdaemond_errors(path)
    assert sum(counts.values()) == 1001  # 1000 + the last line without its newline
    assert set(counts) == {"db-connect-failed"}


def test_pid_form_of_the_tag_and_fake_tags(tmp_path: Path) -> None:
    path = tmp_path / "maillog"
    path.write_bytes(
        b"Nov 24 03:14:15 h authdaemond[42]: marker line not found in /etc/x\n"
        b"Nov 24 03:14:15 h sshd[1]: user authdaemond: marker line not found\n"
    )
    counts = count_authdaemond_errors(path)
    assert counts == {"marker-missing": 1}


def test_an_empty_file_and_a_forged_tag_count_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    assert count_authdaemond_errors(empty) == {}
    forged = tmp_path / "forged"
    forged.write_bytes(
        b"Nov 24 03:14:15 mail postfix/smtpd[9]: reject: x authdaemond: PGSQL_CONNECTION could "
        b"not be established\n"
        b"Nov 24 03:14:15 mail authdaemond: \xff\xfe PGSQL_CONNECTION could not be established\n"
    )
    assert count_authdaemond_errors(forged) == {}


def test_rotated_copies_are_counted_too_compressed_ones_streamed(tmp_path: Path) -> None:
    error = b"Nov 24 03:14:15 mail authdaemond: PGSQL_CONNECTION could not be established\n"
    marker = b"Nov 23 03:14:15 h authdaemond[42]: marker line not found in /etc/x\n"
    forged = b"Nov 22 03:14:15 mail sshd[1]: x authdaemond: marker line not found\n"
    path = tmp_path / "mail.log"
    path.write_bytes(error * 3)
    (tmp_path / "mail.log.1").write_bytes(error + forged)
    with gzip.open(tmp_path / "mail.log.2.gz", "wb") as out:
        out.write((marker + forged) * 5 + b"x" * (3 << 20) + b"\n" + error)
    assert count_with_rotations(path) == {"db-connect-failed": 5, "marker-missing": 5}


def test_every_warning_and_error_of_the_catalogue_is_counted_plain_wrapped_and_gzipped(
    tmp_path: Path,
) -> None:
    """The scan's bytes pre-filter must let every non-INFO example line through, in each form."""
    notable = {signature.id for signature in SIGNATURES if signature.severity is not Severity.INFO}
    lines = []
    for signature_id, message in SERVER_EXAMPLES:
        lines.append(f"Nov 24 03:14:15 mail authdaemond[7]: {message}\n")
        lines.append(f"Nov 24 03:14:15 mail authdaemond: message repeated 2 times: [ {message}]\n")
        lines.append(f"Nov 24 03:14:15 mail authdaemond: ERR: {message}\n")
        found = classify(message)
        assert (signature_id in notable) == (found is not None
                                             and found.severity is not Severity.INFO)
    text = "".join(lines).encode()
    expected = {signature_id: 3 * sum(1 for found, _ in SERVER_EXAMPLES if found == signature_id)
                for signature_id in notable}
    path = tmp_path / "mail.log"
    path.write_bytes(text)
    assert count_authdaemond_errors(path) == expected
    path.unlink()
    with gzip.open(tmp_path / "mail.log.1.gz", "wb") as out:
        out.write(text)
    assert count_with_rotations(path) == expected


def test_a_large_file_shared_out_between_processes_counts_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parts cut at any byte still end on a line: every line is counted once, in one part."""
    import random

    from tui.core.logs import scan

    rng = random.Random(7)
    messages = [f"Nov 24 03:14:15 mail authdaemond: {text}\n".encode()
                for _, text in SERVER_EXAMPLES]
    other = b"Nov 24 03:14:15 mail postfix/smtpd[12]: connect from authdaemond.example\n"
    path = tmp_path / "maillog"
    path.write_bytes(b"".join(rng.choice(messages) if rng.random() < 0.3 else other
                              for _ in range(40_000)) + messages[0][:-1])
    whole = count_authdaemond_errors(path)  # small: counted in this process alone
    assert sum(whole.values()) > 1000
    monkeypatch.setattr(scan, "PARALLEL_FROM", 0)
    for part in (4099, 65_536, 1 << 20):  # many parts, each cut mid-line and moved on
        monkeypatch.setattr(scan, "PART_BYTES", part)
        monkeypatch.setattr(scan, "MAX_HELPERS", 1)
        assert count_authdaemond_errors(path) == whole, part


def test_parts_end_on_a_newline_and_cover_the_file(tmp_path: Path) -> None:
    import mmap

    from tui.core.logs.scan import _line_aligned_parts

    path = tmp_path / "maillog"
    path.write_bytes(b"a\nbb\n\nccc\nd" * 50)
    with path.open("rb") as log, mmap.mmap(log.fileno(), 0, access=mmap.ACCESS_READ) as data:
        for size in (1, 2, 3, 7, 100, 10_000):
            parts = _line_aligned_parts(data, size)
            assert parts[0][0] == 0 and parts[-1][1] == len(data)
            assert all(end == start for (_, end), (start, _) in itertools.pairwise(parts))
            assert all(data[end - 1:end] == b"\n" for _, end in parts[:-1])
