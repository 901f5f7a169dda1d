"""Everything the checks observe about Postfix, each measured at most once per check run.

The config dir, main.cf's routing (which transports get mail, for which
domains), the maildrop pipe services that routing reaches, the master's pid,
the maildrop binary as the master sees it, the queue and the recent bounces.
A host without a configured Postfix gives `configured == False` and the
checks skip: this tool diagnoses maildrop delivery, and there is none.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from tui.core.postfix.bounces import BounceReport, bounced_recently
from tui.core.postfix.maildrop_binary import MaildropBinary, examine_maildrop
from tui.core.postfix.master_cf import PipeService, maildrop_services
from tui.core.postfix.postconf import ConfigDir, discover_config_dir, main_cf_values
from tui.core.postfix.queue import QueueSampler, QueueSnapshot
from tui.core.settings import Settings

# Parameters that route mail to a transport, and the domains each one serves.
ROUTING = (
    ("virtual_transport", "virtual_mailbox_domains"),
    ("mailbox_transport", "mydestination"),
    ("local_transport", "mydestination"),
    ("default_transport", ""),
)
_PARAMETERS = ("queue_directory", "maillog_file", "mydestination", "virtual_mailbox_domains",
               "virtual_transport", "mailbox_transport", "local_transport", "default_transport")


@dataclass(frozen=True)
class Route:
    service: PipeService
    parameter: str  # e.g. virtual_transport
    domains: tuple[str, ...]  # what that parameter's domains list says ("" entries dropped)


class PostfixView:
    def __init__(self, settings: Settings, log_files: Sequence[Path], timeout: float) -> None:
        self.settings = settings
        self.log_files = tuple(log_files)
        self.timeout = timeout

    @cached_property
    def config(self) -> ConfigDir:
        return discover_config_dir(self.settings, min(self.timeout, 5.0))

    @cached_property
    def main_cf(self) -> dict[str, str] | None:
        """main.cf's relevant parameters as Postfix expands them; None if it is unreadable."""
        return main_cf_values(self.config.path, _PARAMETERS, min(self.timeout, 5.0))

    @property
    def configured(self) -> bool:
        return self.main_cf is not None

    @cached_property
    def services(self) -> tuple[PipeService, ...]:
        return maildrop_services(self.config.path) or ()

    @cached_property
    def routes(self) -> tuple[Route, ...]:
        """The maildrop services main.cf sends mail to, with the parameter that does it."""
        values = self.main_cf or {}
        by_name = {service.name: service for service in self.services}
        routes = []
        for parameter, domains_parameter in ROUTING:
            transport = values.get(parameter, "").split(":", 1)[0].strip()
            if transport in by_name:
                raw = values.get(domains_parameter, "") if domains_parameter else "(all others)"
                domains = tuple(d for d in raw.replace(",", " ").split() if d)
                routes.append(Route(by_name[transport], parameter, domains))
        return tuple(routes)

    @property
    def transport(self) -> PipeService | None:
        """The maildrop service that gets mail, first by the order of ROUTING."""
        return self.routes[0].service if self.routes else None

    @cached_property
    def master_pid(self) -> int | None:
        queue_dir = (self.main_cf or {}).get("queue_directory", "")
        if not queue_dir:
            return None
        try:
            pid = int((Path(queue_dir) / "pid" / "master.pid").read_text().split()[0])
            os.kill(pid, 0)
        except (OSError, ValueError, IndexError):
            return None
        return pid

    @cached_property
    def maildrop(self) -> MaildropBinary | None:
        service = self.transport
        if service is None:
            return None
        return examine_maildrop(service.argv[0], self.master_pid)

    @cached_property
    def queue(self) -> QueueSnapshot:
        return QueueSampler(self.config.path, timeout=min(self.timeout, 10.0)).sample()

    @property
    def bounce_log_files(self) -> tuple[Path, ...]:
        """The mail logs read for bounces: the configured ones and Postfix's maillog_file."""
        files = list(self.log_files)
        maillog = (self.main_cf or {}).get("maillog_file", "")
        if maillog.startswith("/") and Path(maillog) not in files:
            files.append(Path(maillog))
        return tuple(files)

    @cached_property
    def bounces(self) -> BounceReport:
        return bounced_recently(self.bounce_log_files)
