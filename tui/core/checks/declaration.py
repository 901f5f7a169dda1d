"""How a check is declared: once, with its id, title, x-ray hop, wizard steps and diagnoses.

The body of a check says only what it found (an `Answer`); the declaration makes
that a `CheckResult`, so a check's id is written in one place and never derived
from its function's name. A body that names a diagnosis its declaration does not
list is a bug in the declaration, and raises: `run_checks` reports it as the
check having failed, and the registry's tests catch it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from tui.core.checks.context import CheckContext
from tui.core.checks.result import CheckResult, Fix, Status
from tui.core.ids.check_id import CheckId
from tui.core.ids.diagnosis_id import DiagnosisId
from tui.core.ids.hop_id import HopId
from tui.core.ids.wizard_step import WizardStep


@dataclass(frozen=True)
class Answer:
    """What one run of a check found; its declaration adds the id and the title."""

    status: Status
    finding: str
    evidence: tuple[str, ...] = ()
    fix: Fix | None = None
    diagnosis: DiagnosisId | Literal[""] = ""  # the cause this failure points to, if any
    details: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckDeclaration:
    """Everything the x-ray, the wizard and the diagnosis know about one check."""

    id: CheckId
    title: str  # may hold "{address}" for a check of one address
    hop: HopId | None  # the x-ray hop its result makes up; None: on no hop
    # The wizard steps (as log signatures name them) this check answers; the first is the
    # step of a failure that names no diagnosis.
    steps: tuple[WizardStep, ...]
    # Each diagnosis the check may name → the wizard step that explains it.
    decides: Mapping[DiagnosisId, WizardStep]

    def result(self, answer: Answer, title: str | None = None) -> CheckResult:
        if answer.diagnosis and answer.diagnosis not in self.decides:
            raise ValueError(f"{self.id} named the diagnosis {answer.diagnosis}, "
                             "which its declaration does not decide")
        return CheckResult(self.id, self.title if title is None else title, answer.status,
                           answer.finding, answer.evidence, answer.fix, answer.diagnosis,
                           details=answer.details)


class _Declared:
    """What a declared check of either kind has: its declaration and its body."""

    kind = "check"

    def __init__(self, declaration: CheckDeclaration, body: Callable[..., Answer]) -> None:
        self.declaration = declaration
        self.body = body
        self.__doc__ = body.__doc__

    @property
    def id(self) -> CheckId:
        return self.declaration.id

    def __repr__(self) -> str:
        return f"<{self.kind} {self.id}>"


class DeclaredCheck(_Declared):
    """A check of the whole chain: called with a context, it returns its `CheckResult`."""

    def __call__(self, context: CheckContext) -> CheckResult:
        return self.declaration.result(self.body(context))


class DeclaredAddressCheck(_Declared):
    """A check of one address (the wizard's address walk): its title names the address."""

    kind = "address check"

    def __call__(self, context: CheckContext, address: str) -> CheckResult:
        return self.declaration.result(self.body(context, address),
                                       self.declaration.title.format(address=address))


def _declaration(check_id: CheckId, title: str, hop: HopId | None,
                 steps: tuple[WizardStep, ...],
                 decides: Mapping[DiagnosisId, WizardStep] | None) -> CheckDeclaration:
    return CheckDeclaration(check_id, title, hop, steps, MappingProxyType(dict(decides or {})))


def check(check_id: CheckId, title: str, *, hop: HopId | None = None,
          steps: tuple[WizardStep, ...] = (),
          decides: Mapping[DiagnosisId, WizardStep] | None = None,
          ) -> Callable[[Callable[[CheckContext], Answer]], DeclaredCheck]:
    """Declare the function below as the check `check_id`."""
    declaration = _declaration(check_id, title, hop, steps, decides)

    def declare(body: Callable[[CheckContext], Answer]) -> DeclaredCheck:
        return DeclaredCheck(declaration, body)

    return declare


def address_check(check_id: CheckId, title: str, *, hop: HopId | None = None,
                  steps: tuple[WizardStep, ...] = (),
                  decides: Mapping[DiagnosisId, WizardStep] | None = None,
                  ) -> Callable[[Callable[[CheckContext, str], Answer]], DeclaredAddressCheck]:
    """Declare the function below as the address check `check_id` ("{address}" in `title`)."""
    declaration = _declaration(check_id, title, hop, steps, decides)

    def declare(body: Callable[[CheckContext, str], Answer]) -> DeclaredAddressCheck:
        return DeclaredAddressCheck(declaration, body)

    return declare
