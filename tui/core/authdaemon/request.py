"""Building authdaemon requests, refusing input that could change their meaning.

The daemon splits the command line on spaces and treats `NAME=value` lines as
metadata (domain.md §2.1), so an address with whitespace, a control character
or `=` could smuggle a second field or command. Such addresses are refused here,
before anything reaches the socket.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# authdaemond drops a command line of 8191 bytes or more (BUFSIZ - 2); stay well inside it.
MAX_ADDRESS_BYTES = 8000
MAX_SERVICE_BYTES = 64
# AUTH's <len> must be < BUFSIZ (8192) or the daemon drops the connection.
MAX_AUTH_PAYLOAD = 8191


class RefusedInput(ValueError):
    """The input would not be sent: the message says why, in one sentence."""


@dataclass(frozen=True, slots=True)
class AddressProblem:
    """Why an address is refused, for validation-as-you-type."""

    message: str


def address_problem(address: str, *, what: str = "address") -> AddressProblem | None:
    """The reason `address` cannot be sent, or None when it is safe."""
    if not address:
        return AddressProblem(f"the {what} is empty")
    for index, char in enumerate(address):
        if char.isspace():
            name = unicodedata.name(char, f"U+{ord(char):04X}")
            return AddressProblem(
                f"the {what} contains whitespace ({name} at position {index + 1}); "
                "authdaemond would split it into another field"
            )
        category = unicodedata.category(char)
        if category in ("Cc", "Cf", "Cs", "Co", "Cn"):
            return AddressProblem(
                f"the {what} contains a control or invisible character "
                f"(U+{ord(char):04X} at position {index + 1})"
            )
        if char == "=":
            return AddressProblem(
                f"the {what} contains '=' (position {index + 1}); authdaemond would read the "
                "line as NAME=value metadata, not a command"
            )
    size = len(address.encode("utf-8"))
    if size > MAX_ADDRESS_BYTES:
        return AddressProblem(
            f"the {what} is {size} bytes; the limit is {MAX_ADDRESS_BYTES} "
            "(authdaemond drops longer command lines)"
        )
    return None


def _require_clean(value: str, what: str) -> None:
    problem = address_problem(value, what=what)
    if problem is not None:
        raise RefusedInput(problem.message)


def pre_request(address: str, service: str = "login", module: str = ".") -> bytes:
    """`PRE . <service> <address>\\n`: the lookup maildrop makes (no password)."""
    _require_clean(address, "address")
    _require_clean(service, "service")
    _require_clean(module, "module")
    if len(service.encode()) > MAX_SERVICE_BYTES:
        raise RefusedInput(f"the service name is longer than {MAX_SERVICE_BYTES} bytes")
    return f"PRE {module} {service} {address}\n".encode()


def auth_request(address: str, password: str, service: str = "login") -> bytes:
    """`AUTH <len>\\n<service>\\nlogin\\n<user>\\n<password>\\n`: a login test.

    The password is sent as is (it may contain spaces) but not newlines, which
    would end the authdata early.
    """
    _require_clean(address, "address")
    _require_clean(service, "service")
    if "\n" in password or "\r" in password or "\0" in password:
        raise RefusedInput("the password contains a newline or NUL, which cannot be sent")
    payload = f"{service}\nlogin\n{address}\n{password}\n".encode()
    if len(payload) > MAX_AUTH_PAYLOAD:
        raise RefusedInput("the login request is longer than authdaemond accepts (8191 bytes)")
    return f"AUTH {len(payload)}\n".encode() + payload
