"""Building authdaemon requests, refusing only what could break the request line.

authdaemond reads one line per request and decides that a line is the command
(not `NAME=value` metadata) by looking at what comes first, a space or an `=`.
In `PRE . login <address>` the first space follows `PRE`, and the daemon takes
everything after the service name as the address. So `=` (SRS and VERP local
parts such as `SRS0=HHH=TT=example.org=user@domain.com`) and spaces are sent
and answered like any other address. Only a line break (CR or LF) or a NUL can
end the line early or cut it, so only those, an empty address and a line too
long for the daemon's buffer are refused, before anything reaches the socket.
"""

from __future__ import annotations

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


_LINE_BREAKERS = {"\n": "a line feed (LF)", "\r": "a carriage return (CR)", "\0": "a NUL byte"}


def address_problem(address: str, *, what: str = "address") -> AddressProblem | None:
    """The reason `address` cannot be sent, or None when it can.

    Only what breaks the request line is refused: everything else, `=` and
    spaces included, is what the real clients send too.
    """
    if not address:
        return AddressProblem(f"the {what} is empty")
    for index, char in enumerate(address):
        if char in _LINE_BREAKERS:
            return AddressProblem(
                f"the {what} contains {_LINE_BREAKERS[char]} at position {index + 1}, "
                "which would end or cut the request line"
            )
    try:
        size = len(address.encode("utf-8"))
    except UnicodeEncodeError:
        return AddressProblem(f"the {what} is not valid text (it cannot be encoded as UTF-8)")
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


def _require_one_word(value: str, what: str) -> None:
    """The service and module are fields before the address: a space would shift them."""
    _require_clean(value, what)
    if any(char.isspace() for char in value):
        raise RefusedInput(f"the {what} contains whitespace, which would shift the fields after it")


def pre_request(address: str, service: str = "login", module: str = ".") -> bytes:
    """`PRE . <service> <address>\\n`: the lookup maildrop makes (no password)."""
    _require_clean(address, "address")
    _require_one_word(service, "service")
    _require_one_word(module, "module")
    if len(service.encode()) > MAX_SERVICE_BYTES:
        raise RefusedInput(f"the service name is longer than {MAX_SERVICE_BYTES} bytes")
    return f"PRE {module} {service} {address}\n".encode()


def auth_request(address: str, password: str, service: str = "login") -> bytes:
    """`AUTH <len>\\n<service>\\nlogin\\n<user>\\n<password>\\n`: a login test.

    The password is sent as is (it may contain spaces) but not newlines, which
    would end the authdata early.
    """
    _require_clean(address, "address")
    _require_one_word(service, "service")
    if "\n" in password or "\r" in password or "\0" in password:
        raise RefusedInput("the password contains a newline or NUL, which cannot be sent")
    payload = f"{service}\nlogin\n{address}\n{password}\n".encode()
    if len(payload) > MAX_AUTH_PAYLOAD:
        raise RefusedInput("the login request is longer than authdaemond accepts (8191 bytes)")
    return f"AUTH {len(payload)}\n".encode() + payload
