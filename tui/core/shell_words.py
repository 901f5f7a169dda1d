"""Fix commands as shell lines, built from words in one place so no word goes in unquoted.

A path or name from a config file, a flag, master.cf or the database is a word an
admin's shell must see as one argument and never as code: `shell_command` quotes
every word. A word with a control character (a newline above all) would make a
line that reads as two on screen and may run as two: such a command is shown but
never offered to run (`unsafe_in_command`).
"""

from __future__ import annotations

import re
import shlex

# C0 (newline, carriage return, tab, escape…), DEL, C1 and the Unicode line separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")

REFUSED_CONTROL = ("a path or name in it holds a control character (a newline?), so it is "
                   "not offered to run: look at that path by hand")


def shell_command(*words: str) -> str:
    """One shell line that runs `words` as exactly these arguments."""
    return shlex.join(words)


def unsafe_in_command(command: str) -> bool:
    """The line holds a control character: not to be run, whatever its quoting."""
    return _CONTROL.search(command) is not None
