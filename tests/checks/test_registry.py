"""The check declarations and the tables derived from them: complete, consistent, unchanged.

The expected tables below are the hand-written ones the declarations replaced: the
derivation must give the wizard, the x-ray and `explain` the same answers.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Literal

import pytest

from tui.core.checks import registry
from tui.core.checks.context import CheckContext
from tui.core.checks.declaration import (
    Answer,
    CheckDeclaration,
    DeclaredAddressCheck,
    DeclaredCheck,
    check,
)
from tui.core.checks.diagnosis import ALL_CHECKS, DIAGNOSIS_PRIORITY, branch_for_step, run_checks
from tui.core.checks.registry import (
    CHAIN_CHECKS,
    DECLARATIONS,
    DIAGNOSIS_STEP,
    STEP_CHECK,
    STEPS_WITHOUT_A_CHECK,
    step_for,
)
from tui.core.checks.result import CheckResult, Status
from tui.core.ids.check_id import CheckId
from tui.core.ids.diagnosis_id import DiagnosisId
from tui.core.ids.hop_id import HopId
from tui.core.ids.wizard_step import WizardStep
from tui.core.installation import Installation
from tui.core.logs.catalogue.registry import ALL_SIGNATURES
from tui.core.workers.verdict import WIZARD_STEP_OF_STATE
from tui.core.xray import HOPS, hop_of_step

OLD_HOPS = {
    "delivery": ("postfix-transport", "mail-deferred", "mail-bounced"),
    "maildrop": ("maildrop-setuid", "maildrop-tempfail-flag", "socket-access"),
    "socket": ("socket-present", "socket-is-socket", "daemon-listening"),
    "pool": ("daemon-processes", "startup-errors", "authdaemonrc-valid", "pool-saturation",
             "lookup-speed"),
    "config": ("authpgsqlrc-readable", "config-marker", "config-old-keys", "config-connection",
               "authpgsql-module"),
    "postgres": ("db-connect", "apiscp-password", "select-runs"),
}
# Added since the hand-written tables: Postfix's own pgsql maps and the login side (issue 24).
NEW_HOP_CHECKS = {"delivery": ("postfix-pgsql-maps",)}
NEW_STEP_CHECK = {"postfix-pgsql-map": "postfix-pgsql-maps", "login-failed": "login-answer",
                  "password-guessing": "login-guessing"}
NEW_DIAGNOSIS_STEP = {"postfix-pgsql-map": "postfix-pgsql-map",
                      "login-password-wrong": "login-failed",
                      "password-guessing": "password-guessing"}
OLD_STEP_CHECK = {
    "socket-missing": "socket-present", "daemon-not-running": "daemon-listening",
    "socket-permission": "socket-access", "backlog-full": "pool-saturation",
    "workers-saturated": "pool-saturation", "authdaemonrc-daemons": "pool-saturation",
    "temporary-failure": "lookup-answers", "db-down": "db-connect",
    "db-credentials": "db-connect", "db-charset": "db-connect",
    "authpgsqlrc-marker": "config-marker", "authpgsqlrc-old-keys": "config-old-keys",
    "authpgsqlrc-required-keys": "config-connection", "config-file-access": "authpgsqlrc-readable",
    "authdaemonrc-bad-line": "authdaemonrc-valid", "daemon-start-failed": "startup-errors",
    "module-missing": "authpgsql-module", "select-clause": "select-runs",
    "debug-login-passwords": "debug-login", "maildrop-tempfail-flag": "maildrop-tempfail-flag",
    "maildrop-setuid": "maildrop-setuid", "mailbox-home": "mail-deferred",
    "maildir-missing": "mail-deferred", "mail-deferred": "mail-deferred",
    "mail-bounced": "mail-bounced",
}
OLD_DIAGNOSIS_STEP = {
    "socket-missing": "socket-missing", "daemon-stopped": "daemon-not-running",
    "socket-permission": "socket-permission", "config-missing": "config-file-access",
    "config-unreadable": "config-file-access", "marker-missing": "authpgsqlrc-marker",
    "old-style-keys": "authpgsqlrc-old-keys", "connection-missing": "authpgsqlrc-required-keys",
    "module-missing": "module-missing", "db-down": "db-down", "db-missing": "db-down",
    "db-password-wrong": "db-credentials", "workers-saturated": "workers-saturated",
    "authdaemonrc-bad-line": "authdaemonrc-bad-line",
    "maildrop-bounces-outages": "maildrop-tempfail-flag",
    "maildrop-not-setuid": "maildrop-setuid", "home-symlink": "mailbox-home",
    "home-outside-mail-root": "mailbox-home", "home-missing": "mailbox-home",
    "home-wrong-owner": "mailbox-home", "home-world-writable": "mailbox-home",
    "maildir-missing": "maildir-missing", "not-a-mailbox": "not-a-mailbox",
    "address-row-invalid": "select-clause",
}


def _old_step_for(result: CheckResult) -> str:
    """step_for as it was, on the hand-written tables."""
    if result.diagnosis in OLD_DIAGNOSIS_STEP | NEW_DIAGNOSIS_STEP:
        return (OLD_DIAGNOSIS_STEP | NEW_DIAGNOSIS_STEP)[result.diagnosis]
    return next((step for step, check_id in (OLD_STEP_CHECK | NEW_STEP_CHECK).items()
                 if check_id == result.id), "temporary-failure")


def _signature_steps() -> set[str]:
    return {signature.wizard_step for signature in ALL_SIGNATURES if signature.wizard_step}


def test_every_check_is_declared_exactly_once() -> None:
    declared = [value.id for module in registry._CHECK_MODULES for value in vars(module).values()
                if isinstance(value, DeclaredCheck | DeclaredAddressCheck)]
    assert Counter(declared) == Counter(set(CheckId))  # each id once, none missing
    assert [d.id for d in DECLARATIONS] == list(CheckId)
    # The wizard and `check` run every chain check: the same set the registry holds.
    assert {c.id for c in ALL_CHECKS} == set(CHAIN_CHECKS)


def test_every_hop_has_its_checks_as_before() -> None:
    assert [spec.id for spec in HOPS] == list(HopId)
    for spec in HOPS:
        assert spec.checks, f"the hop {spec.id} has no check"
        assert spec.checks == OLD_HOPS[spec.id] + NEW_HOP_CHECKS.get(spec.id, ())


def test_every_step_a_log_signature_names_is_a_wizard_step_with_a_deciding_check() -> None:
    for step in _signature_steps():
        member = WizardStep.named(step)
        assert member is not None, f"{step} is not a WizardStep"
        assert (member in STEP_CHECK) != (member in STEPS_WITHOUT_A_CHECK), step
    assert {WizardStep(step) for step in _signature_steps()} >= STEPS_WITHOUT_A_CHECK
    assert dict(STEP_CHECK) == OLD_STEP_CHECK | NEW_STEP_CHECK


def test_every_diagnosis_has_a_wizard_step_a_deciding_check_and_a_rank() -> None:
    assert set(DIAGNOSIS_STEP) == set(DiagnosisId)
    assert OLD_DIAGNOSIS_STEP.items() <= dict(DIAGNOSIS_STEP).items()
    decided = {diagnosis for d in DECLARATIONS for diagnosis in d.decides}
    assert decided == set(DiagnosisId)
    assert Counter(DIAGNOSIS_PRIORITY) == Counter(set(DiagnosisId))


def test_each_pool_verdict_opens_a_step_that_a_check_answers() -> None:
    for state, step in WIZARD_STEP_OF_STATE.items():
        assert step in STEP_CHECK, state


@pytest.mark.parametrize("declaration", DECLARATIONS, ids=lambda d: str(d.id))
def test_step_for_gives_every_result_the_step_it_had(declaration: CheckDeclaration) -> None:
    diagnoses: list[DiagnosisId | Literal[""]] = ["", *declaration.decides]
    for diagnosis in diagnoses:
        result = CheckResult(declaration.id, "t", Status.FAIL, "f", diagnosis=diagnosis)
        assert step_for(result) == _old_step_for(result), diagnosis


def test_hops_and_branches_of_the_signatures_steps_are_unchanged() -> None:
    old_hop = {check_id: hop for hop, checks in OLD_HOPS.items() for check_id in checks}
    old_hop |= {check_id: hop for hop, checks in NEW_HOP_CHECKS.items() for check_id in checks}
    for step in _signature_steps():
        assert hop_of_step(step) == old_hop.get((OLD_STEP_CHECK | NEW_STEP_CHECK).get(step, ""))
    assert hop_of_step("") is None and hop_of_step("no-such-step") is None
    assert branch_for_step("no-such-step") == branch_for_step("other-module") == "find"


def test_a_check_that_names_a_diagnosis_it_does_not_declare_fails(tmp_path: Path) -> None:
    @check(CheckId.SOCKET_PRESENT, "Declared without a diagnosis")
    def undeclared(context: CheckContext) -> Answer:
        return Answer(Status.FAIL, "found", diagnosis=DiagnosisId.DB_DOWN)

    settings = tmp_path / "settings.toml"  # nothing of this host: the body looks at nothing
    settings.write_text(f'conf_dir = "{tmp_path}"\nsocket = "{tmp_path / "socket"}"\n'
                        f'postfix_dir = "{tmp_path}"\n')
    context = CheckContext(Installation.from_flags({"config": str(settings)}))
    (result,) = run_checks(context, (undeclared,))
    assert result.id is CheckId.SOCKET_PRESENT and result.status is Status.FAIL
    assert "does not decide" in result.finding and result.diagnosis == ""


def test_every_cause_a_trainee_can_pick_has_its_label() -> None:
    """The training's answer list is DIAGNOSIS_ORDER and healthy: a cause added there without
    a label would make the list fail to open."""
    from tui.core.checks.diagnosis import DIAGNOSIS_ORDER, HEALTHY, TRAINEE_LABELS

    assert [name for name in (*DIAGNOSIS_ORDER, HEALTHY) if name not in TRAINEE_LABELS] == []
