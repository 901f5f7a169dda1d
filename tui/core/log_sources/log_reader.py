"""Open the chosen log sources as one reader: describe, backfill, follow.

The Logs pane (and later the timeline) needs one object whatever the
source: the journal, one or several mail log files, or `--log-file`. A
configured log file (flag or settings file) is read instead of the journal,
since the admin asked for it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

from tui.core.installation import Installation
from tui.core.log_sources.sources import SourceChoice, log_setup, sources_of
from tui.core.logs.entry import LogEntry, OnEntries, OnEvent
from tui.core.logs.file_source import FileFollower
from tui.core.logs.journal_source import JournalFollower
from tui.core.logs.kind import Kind
from tui.core.logs.rotated import describe_files

Follower = FileFollower | JournalFollower


@dataclass
class LogReader:
    choice: SourceChoice
    followers: list[Follower]

    def describe(self) -> str:
        """One line: what is read, and why not the rest."""
        if self.choice.primary == "journal":
            what = "journal (" + ", ".join(self.choice.units[:2]) + ", authdaemond, postfix/pipe)"
        else:
            what = describe_files(self.choice.files) or "nothing"
        notes = [note for note in self.choice.notes if not note.startswith("reading only")]
        if notes:
            what += " — " + "; ".join(notes)
        return what

    def setup(self) -> str:
        """The host's log set-up: "journald only (no mail log file)", "rsyslog files: …"."""
        return log_setup(self.choice)

    def backfill(self, max_lines: int, since: float | None) -> Iterator[list[LogEntry]]:
        """Recent entries, oldest first, merged across sources by time."""
        merged: list[LogEntry] = []
        for follower in self.followers:
            merged.extend(follower.backfill(max_lines, since))
        if len(self.followers) > 1:
            merged.sort(key=lambda entry: entry.timestamp or 0.0)
            merged = merged[-max_lines:]
        yield merged

    def follow(self, on_entries: OnEntries, on_event: OnEvent, stop: threading.Event) -> None:
        """Block until `stop`, delivering new entries as they are written (event-driven)."""
        if len(self.followers) == 1:
            self.followers[0].follow(on_entries, stop, on_event)
            return
        threads = [
            threading.Thread(target=follower.follow, args=(on_entries, stop, on_event),
                             name=f"log-follow-{index}", daemon=True)
            for index, follower in enumerate(self.followers)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def close(self) -> None:
        for follower in self.followers:
            if isinstance(follower, JournalFollower):
                follower.close()


SHOWN_KINDS = frozenset({Kind.AUTH, Kind.DELIVERY, Kind.LOGIN})


def open_sources(installation: Installation) -> LogReader:
    choice = sources_of(installation)
    # Courier IMAP/POP3's login lines too, where discovery found them installed.
    login_tags = installation.discovery.login_services.log_tags
    followers: list[Follower]
    if choice.primary == "journal":
        followers = [JournalFollower(units=choice.units, directory=choice.journal_directory,
                                     kinds=SHOWN_KINDS, login_identifiers=login_tags)]
    else:
        # The pane shows authdaemond, the maildrop deliveries and the logins; smtpd, qmgr and
        # the rest of a busy mail log are skipped before they are parsed.
        followers = [FileFollower(path, kinds=SHOWN_KINDS, login_tags=login_tags)
                     for path in choice.files]
    return LogReader(choice, followers)
