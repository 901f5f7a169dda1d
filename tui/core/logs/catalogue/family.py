"""A family of messages: the records one program writes, read in one place, in match order."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tui.core.logs.catalogue.record import Signature


class Channel(StrEnum):
    """Which text a family's patterns are matched against."""

    # authdaemond's own message, the syslog text after `authdaemond: ` (courierlogger strips
    # the `ERR:`/`WARN:` prefix; where it is not used the matcher strips it).
    AUTHDAEMOND = "authdaemond"
    # What maildrop (and the client library in it) printed, as Postfix's pipe line carries
    # it after `Command output:`; nowhere else in that line, since the recipient address
    # in `to=<…>` is chosen by whoever sends the mail.
    COMMAND_OUTPUT = "command-output"
    # Another program's own line in the mail log or on a terminal: Courier IMAP/POP3 and
    # couriertcpd, couriertls, authtest's output, Postfix's daemons, an init script. Read
    # by `explain` after authdaemond's records; the log scan never looks at these, nor at
    # authdaemond's normal debug lines, which are kept here for that reason.
    PROGRAM = "program"
    # Told apart by what surrounds the line (Postfix's delays, the line before): never
    # matched by its pattern alone; the matcher names these records itself.
    CONTEXT = "context"


@dataclass(frozen=True)
class Family:
    """One program's messages; the first matching record wins, so specific ones come first."""

    name: str
    channel: Channel
    signatures: tuple[Signature, ...]
