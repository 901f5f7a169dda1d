"""Postfix's pgsql maps: found in main.cf, read without their password, tested with postmap.

The lab's Postfix has a real pgsql map against the lab's PostgreSQL (when Debian's
postfix-pgsql is installed): it answers while the database runs, and with the database
stopped the check fails with the map file named, the x-ray pointing at PostgreSQL first.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tui.core.checks.context import CheckContext
from tui.core.checks.diagnosis import ALL_CHECKS, diagnose, run_checks
from tui.core.checks.postfix_map_checks import postfix_pgsql_maps
from tui.core.checks.result import Status
from tui.core.explain.line import identify
from tui.core.ids.diagnosis_id import DiagnosisId
from tui.core.installation import Installation
from tui.core.logs.deferral_counts import DeferralCounts
from tui.core.postfix.pgsql_maps import (
    MapOutcome,
    PgsqlMap,
    RecentAnswers,
    find_pgsql_maps,
    parse_map_file,
    pgsql_tables,
    probe_key,
    query_map,
    read_map_file,
    shown_settings,
)
from tui.core.xray import build_hops, first_failing
from tui.lab.lab import Lab
from tui.lab.postfix import PGSQL_MAP_PARAMETER, pgsql_maps_supported
from tui.lab.seed import LAB_DB_PASSWORD

MAP_TEXT = """\
# ApisCP-style map
hosts = inet:127.0.0.1:5432
user = postfix
password = Sup3rSecret
dbname = appldb
query = SELECT domain FROM domain_lookup
    WHERE domain = '%s'
"""


def test_pgsql_tables_are_found_in_every_map_parameter() -> None:
    values = {"virtual_mailbox_domains": "pgsql:/etc/postfix/domains.cf, example.org",
              "virtual_alias_maps": "hash:/etc/postfix/virtual proxy:pgsql:/etc/postfix/a.cf",
              "smtpd_sender_login_maps": ""}
    assert pgsql_tables(values) == [
        ("virtual_mailbox_domains", "pgsql:/etc/postfix/domains.cf",
         Path("/etc/postfix/domains.cf")),
        ("virtual_alias_maps", "proxy:pgsql:/etc/postfix/a.cf", Path("/etc/postfix/a.cf")),
    ]


def test_a_map_file_is_read_without_showing_its_password(tmp_path: Path) -> None:
    parsed = parse_map_file(tmp_path / "m.cf", MAP_TEXT)
    assert parsed.hosts == "inet:127.0.0.1:5432" and parsed.dbname == "appldb"
    assert parsed.query == "SELECT domain FROM domain_lookup WHERE domain = '%s'"
    shown = "\n".join(shown_settings(parsed)) + repr(parsed)
    assert "Sup3rSecret" not in shown and "password = (set, not shown)" in shown


def test_the_key_is_a_domain_for_a_domains_list() -> None:
    file = parse_map_file(Path("/m.cf"), MAP_TEXT)
    domains = PgsqlMap("virtual_mailbox_domains", "pgsql:/m.cf", file)
    aliases = PgsqlMap("virtual_alias_maps", "pgsql:/m.cf", file)
    assert probe_key(domains, "foo@domain.com") == "domain.com"
    assert probe_key(aliases, "foo@domain.com") == "foo@domain.com"


@pytest.mark.skipif(os.geteuid() != 0, reason="a planted link is refused as root")
def test_a_planted_link_is_not_followed(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    real = tmp_path / "real.cf"
    real.write_text(MAP_TEXT)
    link = tmp_path / "map.cf"
    link.symlink_to(real)
    read = read_map_file(link)
    assert read.problem and "link" in read.problem and read.password is None
    assert read_map_file(real).dbname == "appldb"


def _needs_the_map(lab: Lab) -> Path:
    if not pgsql_maps_supported():
        pytest.skip("Postfix has no pgsql map type (apt-get install postfix-pgsql)")
    return lab.postfix.pgsql_map_file()


def test_the_labs_map_answers_as_postfix_asks_it(healthy_lab: Lab) -> None:
    map_file = _needs_the_map(healthy_lab)
    (found,) = find_pgsql_maps(healthy_lab.postfix.config_dir)
    assert (found.parameter, found.file.path) == (PGSQL_MAP_PARAMETER, map_file)
    answer = query_map(healthy_lab.postfix.config_dir, found, "foo@domain.com")
    assert answer.outcome is MapOutcome.FOUND, answer
    unknown = query_map(healthy_lab.postfix.config_dir, found, "x@nowhere.invalid")
    assert unknown.outcome is MapOutcome.NOT_FOUND, unknown
    context = CheckContext(Installation.from_flags({"config": str(healthy_lab.settings_file)}))
    result = postfix_pgsql_maps(context)
    assert result.status is Status.OK and str(map_file) in result.finding


def test_the_map_answers_in_the_apiscp_view_too(healthy_lab: Lab) -> None:
    """In `lab shell` (and `lab demo`) the lab's config dir is /etc/postfix: postmap must
    still find the pgsql map type there (it failed with 'unsupported dictionary type')."""
    _needs_the_map(healthy_lab)
    shell = subprocess.run(
        [sys.executable, "-m", "tui.cli.main", "lab", "--dir", str(healthy_lab.root), "shell",
         "--", sys.executable, "-m", "tui.cli.main", "check"],
        capture_output=True, text=True, timeout=120)
    line = next((x for x in shell.stdout.splitlines() if "postfix-pgsql-maps" in x), "")
    assert line.startswith("[OK  ] postfix-pgsql-maps"), shell.stdout + shell.stderr


def test_with_the_database_stopped_the_map_fails_with_its_file_named(
        break_lab: Callable[..., Lab]) -> None:
    lab = break_lab("db-down")
    map_file = _needs_the_map(lab)
    context = CheckContext(Installation.from_flags({"config": str(lab.settings_file)}))
    results = tuple(run_checks(context, ALL_CHECKS))
    (result,) = [r for r in results if r.id == "postfix-pgsql-maps"]
    assert result.status is Status.FAIL and result.diagnosis == DiagnosisId.POSTFIX_PGSQL_MAP
    assert str(map_file) in result.finding and result.details["map_file"] == str(map_file)
    assert any("Connection refused" in line for line in result.evidence), result.evidence
    assert any(line.startswith("postmap -c ") for line in result.evidence)
    # What the real postmap wrote is explained, as pasted: its connect line and the failure.
    explained = {line: identify(line)[0] for line in result.evidence if "pgsql" in line}
    ids = {signature.id for signature in explained.values() if signature is not None}
    assert {"postfix-pgsql-connect-failed", "postfix-map-lookup-problem"} <= ids, explained
    assert result.fix is not None and str(map_file) in result.fix.why
    assert not any(LAB_DB_PASSWORD in line for line in (*result.evidence, result.finding))
    # The database is the cause: the diagnosis and the x-ray say so, the map a consequence.
    assert result.details["caused_by_hop"] == "postgres"
    assert diagnose(results).id == DiagnosisId.DB_DOWN
    lit = first_failing(build_hops(results, context, DeferralCounts(), time.time()))
    assert lit is not None and lit.id == "postgres"


def test_the_monitor_asks_a_map_at_most_once_a_minute(healthy_lab: Lab) -> None:
    _needs_the_map(healthy_lab)
    (found,) = find_pgsql_maps(healthy_lab.postfix.config_dir)
    recent = RecentAnswers(keep=60.0)
    first = recent.query(healthy_lab.postfix.config_dir, found, "foo@domain.com")
    assert recent.query(healthy_lab.postfix.config_dir, found, "foo@domain.com") is first
    os.utime(found.file.path)  # an edited map file is asked again at once
    assert recent.query(healthy_lab.postfix.config_dir, found, "foo@domain.com") is not first
