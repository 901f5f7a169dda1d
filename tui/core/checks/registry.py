"""Every check's declaration, and the tables the x-ray, the wizard and the diagnosis read.

Nothing here is written by hand twice: which checks make up each x-ray hop, which
check answers a wizard step, and which step explains a diagnosis all come from
the declarations in the `*_checks` modules. Import fails if two declarations
share an id, a CheckId has none, or two checks give one diagnosis different steps.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

from tui.core.checks import (
    address_checks,
    config_checks,
    database_checks,
    delivery_checks,
    login_checks,
    pool_checks,
    postfix_map_checks,
    socket_checks,
)
from tui.core.checks.declaration import CheckDeclaration, DeclaredAddressCheck, DeclaredCheck
from tui.core.checks.result import CheckResult
from tui.core.ids.check_id import CheckId
from tui.core.ids.diagnosis_id import DiagnosisId
from tui.core.ids.hop_id import HopId
from tui.core.ids.wizard_step import WizardStep

_CHECK_MODULES: tuple[ModuleType, ...] = (
    socket_checks, pool_checks, config_checks, database_checks, delivery_checks, address_checks,
    postfix_map_checks, login_checks,
)

# Steps a log signature names that no one check answers: the wizard runs the address walk
# (not-a-mailbox) or every check for them. Listed, so a new step is a decision, not a gap.
STEPS_WITHOUT_A_CHECK: frozenset[WizardStep] = frozenset({
    WizardStep.NOT_A_MAILBOX,
    WizardStep.OTHER_MODULE,
    WizardStep.SYSTEM_RESOURCES,
    WizardStep.DELIVERY_IDENTITY,
    WizardStep.DELIVERY_HOME,
    WizardStep.DELIVERY_MAILBOX,
    WizardStep.DEBUG_TRUNCATION,
})
# The step of a failure that names no diagnosis and whose check answers no step itself.
DEFAULT_STEP = WizardStep.TEMPORARY_FAILURE


def _declared_in(module: ModuleType) -> Iterator[DeclaredCheck | DeclaredAddressCheck]:
    for value in vars(module).values():
        if isinstance(value, DeclaredCheck | DeclaredAddressCheck):
            yield value


def _collect() -> dict[CheckId, DeclaredCheck | DeclaredAddressCheck]:
    found: dict[CheckId, DeclaredCheck | DeclaredAddressCheck] = {}
    for module in _CHECK_MODULES:
        for declared in _declared_in(module):
            other = found.setdefault(declared.id, declared)
            if other is not declared:
                raise RuntimeError(f"the check {declared.id} is declared twice")
    missing = [check_id for check_id in CheckId if check_id not in found]
    if missing:
        raise RuntimeError(f"no declaration for {', '.join(missing)}")
    return {check_id: found[check_id] for check_id in CheckId}  # CheckId's order


DECLARED: dict[CheckId, DeclaredCheck | DeclaredAddressCheck] = _collect()
DECLARATIONS: tuple[CheckDeclaration, ...] = tuple(d.declaration for d in DECLARED.values())
# The checks of the whole chain, each runnable on its own (the address checks need an address).
CHAIN_CHECKS: dict[CheckId, DeclaredCheck] = {
    check_id: declared for check_id, declared in DECLARED.items()
    if isinstance(declared, DeclaredCheck)
}

CHECKS_OF_HOP: dict[HopId, tuple[CheckId, ...]] = {
    hop: tuple(d.id for d in DECLARATIONS if d.hop is hop) for hop in HopId
}
HOP_OF_CHECK: dict[CheckId, HopId] = {d.id: d.hop for d in DECLARATIONS if d.hop is not None}


def _step_checks() -> dict[WizardStep, CheckId]:
    table: dict[WizardStep, CheckId] = {}
    for declaration in DECLARATIONS:
        for step in declaration.steps:
            if table.setdefault(step, declaration.id) != declaration.id:
                raise RuntimeError(f"the step {step} is answered by {table[step]} and "
                                   f"{declaration.id}")
    return table


def _diagnosis_steps() -> dict[DiagnosisId, WizardStep]:
    table: dict[DiagnosisId, WizardStep] = {}
    for declaration in DECLARATIONS:
        for diagnosis, step in declaration.decides.items():
            if table.setdefault(diagnosis, step) != step:
                raise RuntimeError(f"{declaration.id} explains {diagnosis} with {step}, "
                                   f"another check with {table[diagnosis]}")
    return {diagnosis: table[diagnosis] for diagnosis in DiagnosisId if diagnosis in table}


# Wizard steps the catalogue records name (`wizard_step`) → the check that answers them.
STEP_CHECK: dict[WizardStep, CheckId] = _step_checks()
# A diagnosis → the wizard step (as log signatures name it) that explains it.
DIAGNOSIS_STEP: dict[DiagnosisId, WizardStep] = _diagnosis_steps()


def check_for_step(step: str) -> CheckId | None:
    """The check that answers a wizard step given as text (a log signature's `step=`)."""
    named = WizardStep.named(step)
    return STEP_CHECK.get(named) if named is not None else None


def step_for(result: CheckResult) -> WizardStep:
    """The wizard step for a failing check: by its diagnosis, else the check's own step."""
    if result.diagnosis and result.diagnosis in DIAGNOSIS_STEP:
        return DIAGNOSIS_STEP[result.diagnosis]
    declared = DECLARED.get(result.id)
    steps = declared.declaration.steps if declared is not None else ()
    return steps[0] if steps else DEFAULT_STEP
