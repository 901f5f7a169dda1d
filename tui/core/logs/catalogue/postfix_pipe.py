"""Postfix's pipe line around maildrop's output: what its delays tell apart.

`pipe_line` writes such a line around a command output, for the examples here and the
tests.
"""

from __future__ import annotations

from tui.core.findings import Severity
from tui.core.ids.wizard_step import WizardStep
from tui.core.logs.catalogue.family import Channel, Family
from tui.core.logs.catalogue.pattern_parts import MAILDROP
from tui.core.logs.catalogue.programs import MAILDROP_PROGRAM, POSTFIX
from tui.core.logs.catalogue.record import Signature
from tui.core.logs.catalogue.remedy import APISCP_BOOTSTRAP, Remedy
from tui.core.logs.catalogue.source import Source

_PIPE = ("5CA13C0F12: to=<user@example.com>, relay=vmaildrop, delay=0.09, "
         "delays=0.06/0.01/0/0.02, dsn=4.3.0, status=deferred (temporary failure. "
         "Command output: {output})")


def pipe_line(command_output: str, *, delays: str = "0.06/0.01/0/0.02",
              status: str = "deferred") -> str:
    """A Postfix pipe(8) message (after `postfix/pipe[pid]: `) carrying this output."""
    line = _PIPE.format(output=command_output).replace("delays=0.06/0.01/0/0.02",
                                                       f"delays={delays}")
    if status == "bounced":
        line = line.replace("dsn=4.3.0, status=deferred (temporary failure.",
                            "dsn=5.1.1, status=bounced (user unknown.")
    return line


# Transmission time (the last of Postfix's delays, the time maildrop ran) from which a
# tempfail counts as the client's ~30 s read timeout.
TIMEOUT_SECONDS = 25.0

# Same text as maildrop-tempfail, told apart by Postfix's `delays`: the matcher returns it
# for a maildrop-tempfail whose delivery ran TIMEOUT_SECONDS or longer.
SIGNATURES: tuple[Signature, ...] = (
    Signature(
        "maildrop-tempfail-timeout",
        rf"{MAILDROP}Temporary authentication failure",
        Severity.ERROR,
        "The lookup gave up after about 30 s, the client's read timeout: every worker was busy "
        "(pool saturated) or the database answered too slowly.",
        wizard_step=WizardStep.WORKERS_SATURATED,
        short="lookup timed out after ~30 s: workers saturated or database slow",
        sources=(
            Source(MAILDROP_PROGRAM, "maildrop/main.C", "Temporary authentication failure."),
            Source(POSTFIX, "src/global/pipe_command.c", ". Command output: "),
        ),
        examples=(pipe_line("/usr/bin/maildrop: Temporary authentication failure. ",
                            delays="0.1/0/0/30"),),
        remedy=Remedy(
            "The lookup took the client's 30 s read timeout: every worker was busy, or the "
            "database answered too slowly.",
            "`authlib-tui check` (pool-saturation, lookup-speed).",
            "Raise daemons= in {authdaemonrc} and make the SELECT fast, then `{restart}`.",
            "`cpcmd scope:set cp.bootstrapper courier_workers N`, then "
            f"`{APISCP_BOOTSTRAP}`; and make the SELECT fast.",
        ),
    ),
)

MAILDROP_TEMPFAIL_TIMEOUT = SIGNATURES[0]

FAMILY = Family("postfix_pipe", Channel.CONTEXT, SIGNATURES)
