"""Where a message comes from: the program, the file of its source and the string written there.

Every record names at least one, so the catalogue is checked against what the programs
can print, not against lines someone happened to see; docs/log-catalogue.md lists them
per program.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Program:
    """One program (or library) whose source was read, and the versions it was read at."""

    name: str
    tree: str  # the upstream source tree the files are in
    versions: str  # the versions whose strings were compared


@dataclass(frozen=True)
class Source:
    """One format string, as written in the program's source file (printf conversions kept)."""

    program: Program
    file: str
    format: str


@dataclass(frozen=True)
class Uncovered:
    """A string a program can print that no record explains, and why not."""

    source: Source
    reason: str
