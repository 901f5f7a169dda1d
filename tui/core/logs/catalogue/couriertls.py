"""couriertls, the TLS layer of imapd-ssl and pop3d-ssl (OpenSSL or GnuTLS builds).

Its lines start `couriertls: ` after an optional `ip=[…], `; the rest is the TLS
library's own text, so the records read the operation it names.
"""

from __future__ import annotations

from tui.core.findings import Severity
from tui.core.ids.wizard_step import WizardStep
from tui.core.logs.catalogue.family import Channel, Family
from tui.core.logs.catalogue.programs import COURIERTLS
from tui.core.logs.catalogue.record import Signature
from tui.core.logs.catalogue.remedy import Remedy
from tui.core.logs.catalogue.source import Source

_IP = r"^(?:ip=\[[^\]]*\], )?"

SIGNATURES: tuple[Signature, ...] = (
    Signature(
        "tls-certificate-unusable",
        _IP + r"(?:couriertls: (?P<file>/\S+?): |Cannot load certificate file)",
        Severity.ERROR,
        "couriertls cannot read or parse the server's certificate (TLS_CERTFILE): no client "
        "can start TLS, so IMAPS/POP3S logins all fail.",
        wizard_step=WizardStep.LOGIN_FAILED,
        short="the IMAP/POP3 TLS certificate cannot be loaded",
        sources=(
            Source(COURIERTLS, "tcpd/libcouriertls.c", "couriertls: %s: %s"),
            Source(COURIERTLS, "tcpd/libcouriertls.c", "Cannot load certificate file"),
        ),
        examples=("ip=[::ffff:192.0.2.7], couriertls: /etc/courier/imapd.pem: error:02001002:"
                  "system library:fopen:No such file or directory",),
        remedy=Remedy(
            "TLS_CERTFILE in the imapd-ssl/pop3d-ssl config names a file that is missing, not "
            "readable by the server, expired or not a PEM key and certificate.",
            "`openssl x509 -noout -enddate -in FILE`; `ls -l FILE`.",
            "Create or renew the certificate (`mkimapdcert`, or your ACME client's files joined "
            "into one PEM), make it readable, then restart imapd-ssl.",
        ),
    ),
    Signature(
        "tls-handshake-failed",
        _IP + r"couriertls: (?:accept|connect): ",
        Severity.INFO,
        "One client's TLS handshake failed (an old client, plain text on the TLS port, a "
        "scanner): that client only. If every client fails, the certificate or the protocol "
        "settings are at fault.",
        short="a client's TLS handshake failed",
        sources=(Source(COURIERTLS, "tcpd/libcouriertls.c", "couriertls: %s: %s"),),
        examples=("ip=[::ffff:192.0.2.7], couriertls: accept: error:1408F10B:SSL routines:"
                  "ssl3_get_record:wrong version number",),
        remedy=Remedy(
            "The client and couriertls agreed on no protocol or cipher, or the client did not "
            "speak TLS at all.",
            "`openssl s_client -connect HOST:993` from outside; the same ip= in other lines.",
            "Nothing for a single client; if all fail, check TLS_CERTFILE and TLS_PROTOCOL in "
            "the imapd-ssl config.",
        ),
    ),
    Signature(
        "tls-connection-closed",
        _IP + r"(?:couriertls: (?:read|write): |Unexpected SSL connection shutdown)",
        Severity.INFO,
        "A TLS session ended without a clean goodbye (the client closed or lost its "
        "connection): normal for mobile clients.",
        short="a TLS session closed abruptly",
        sources=(
            Source(COURIERTLS, "tcpd/libcouriertls.c", "couriertls: %s: %s"),
            Source(COURIERTLS, "tcpd/libcouriertls.c",
                   "DEBUG: Unexpected SSL connection shutdown."),
        ),
        examples=("ip=[::ffff:192.0.2.7], couriertls: read: Connection reset by peer",),
    ),
)

FAMILY = Family("couriertls", Channel.PROGRAM, SIGNATURES)
