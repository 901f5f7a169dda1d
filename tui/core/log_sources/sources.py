"""Which log source the Logs pane reads, and why the others were not used.

Order: `--log-file PATH` (the user said so) > the journal, when it exists, is
readable by this user and holds authdaemond or delivery entries > the mail log
files discovery found. Every source left out gets a note, so an empty pane
explains itself ("journal not readable: join group systemd-journal or adm").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from tui.core.discovery.discover import Discovery
from tui.core.installation import Installation
from tui.core.logs.journal_source import (
    JOURNAL_DIRS,
    JournalFollower,
    journal_access_problem,
    journal_has_files,
)
from tui.core.logs.rotated import describe_files
from tui.core.platforms.layouts import KNOWN_UNITS, LAYOUTS
from tui.core.settings import DEFAULT_SOURCE, Settings

JournalProbe = Callable[[tuple[str, ...]], bool]  # units -> "the journal has our entries"


@dataclass(frozen=True)
class SourceChoice:
    """The source to read first, everything usable, and why the rest is not read."""

    primary: Literal["journal", "files"]
    journal_dirs: tuple[Path, ...]  # empty: the journal is not to be read
    files: tuple[Path, ...]
    units: tuple[str, ...]  # the unit(s) whose journal entries count as authdaemond's
    notes: list[str] = field(default_factory=list)
    overridden: bool = False  # the admin named the log file (--log-file, settings)

    @property
    def journal_directory(self) -> Path | None:
        """None for this machine's journal; a directory for a fake root or a test."""
        if not self.journal_dirs or set(self.journal_dirs) <= set(JOURNAL_DIRS):
            return None
        return self.journal_dirs[0]


def journal_units(discovery: Discovery) -> tuple[str, ...]:
    """The discovered unit first, then every packaging's unit name (they differ by distro)."""
    found = (discovery.unit.value,) if discovery.unit.value else ()
    return tuple(dict.fromkeys((*found, *KNOWN_UNITS)))


def _expected_log_files(discovery: Discovery, settings: Settings) -> tuple[Path, ...]:
    if settings.log_files.value:
        return settings.log_files.value
    layout = discovery.layout.value
    if layout is not None:
        return layout.log_files
    return tuple(dict.fromkeys(path for lay in LAYOUTS for path in lay.log_files))


def _probe_journal(journal_dirs: Sequence[Path]) -> JournalProbe:
    def has_entries(units: tuple[str, ...]) -> bool:
        system = set(journal_dirs) <= set(JOURNAL_DIRS)
        follower = JournalFollower(units=units, directory=None if system else journal_dirs[0])
        try:
            return follower.has_entries()
        except OSError:
            return False
        finally:
            follower.close()

    return has_entries


def choose_sources(
    discovery: Discovery,
    settings: Settings,
    log_file: Path | None = None,
    *,
    probe_journal: JournalProbe | None = None,
) -> SourceChoice:
    """Pick the log source; `probe_journal` replaces the real "has entries" check in tests."""
    units = journal_units(discovery)
    if log_file is not None:
        named = [f"reading only {log_file} (--log-file): journal and other log files not used"]
        if not log_file.exists():
            named.append(f"{log_file} does not exist yet; it is read once it appears")
        return SourceChoice("files", (), (log_file,), units, named, overridden=True)

    notes: list[str] = []
    journal_dirs = discovery.journal_dirs
    journal_usable = False
    if not journal_dirs or not journal_has_files(journal_dirs):
        notes.append("no journal on this machine")
    elif journal_access_problem(journal_dirs) is not None:
        notes.append("journal not readable: join group systemd-journal or adm")
    elif not (probe_journal or _probe_journal(journal_dirs))(units):
        notes.append(
            f"the journal has no entries for {', '.join(units)}, authdaemond or postfix/pipe"
        )
    else:
        journal_usable = True

    files = discovery.log_files
    if not files:
        expected = ", ".join(str(path) for path in _expected_log_files(discovery, settings))
        notes.append(f"no mail log file at {expected}")
    if journal_usable:
        if files:
            notes.append(
                f"{', '.join(str(path) for path in files)} not read: the journal has the same "
                "lines with exact priorities"
            )
        return SourceChoice("journal", journal_dirs, files, units, notes)
    return SourceChoice("files", (), files, units, notes)


def log_setup(choice: SourceChoice) -> str:
    """The host's log set-up in one phrase, as discovery and the reports say it.

    "journald only (no mail log file)", "rsyslog files: /var/log/mail.log (+3 rotated)",
    or the file the admin named. Rotated copies count because the readers use them.
    """
    files = describe_files(choice.files)
    if choice.overridden:
        return f"the log file named by --log-file or the settings: {files}"
    if choice.primary == "journal":
        if not choice.files:
            return "journald only (no mail log file)"
        return f"journald (rsyslog files too, not read: {files})"
    if files:
        return f"rsyslog files: {files}"
    return "no log: no mail log file and no journal with authdaemond entries"


def sources_of(installation: Installation) -> SourceChoice:
    """The source every reader of an installation uses: a log file the admin named wins."""
    return choose_sources(installation.discovery, installation.settings,
                          configured_log_file(installation))


def log_setup_of(installation: Installation) -> str:
    """`log_setup` for an installation, with the same override rule as every reader."""
    return log_setup(sources_of(installation))


def configured_log_file(installation: Installation) -> Path | None:
    """A log file the admin named (--log-file or the settings file), if any."""
    setting = installation.settings.log_files
    if setting.value and setting.source != DEFAULT_SOURCE:
        return setting.value[0]
    return None
