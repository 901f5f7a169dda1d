"""Exit codes of the headless commands, in one place (scripts depend on them)."""

EXIT_FOUND = 0
EXIT_NOT_FOUND = 1
EXIT_TEMPFAIL = 2
EXIT_CONNECT = 3
EXIT_TIMEOUT = 4
EXIT_USAGE = 64  # sysexits EX_USAGE: bad usage or a refused address
