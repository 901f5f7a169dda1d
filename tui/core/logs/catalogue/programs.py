"""The programs whose sources the catalogue was read from, and the versions compared."""

from __future__ import annotations

from tui.core.logs.catalogue.source import Program

AUTHLIB = Program("courier-authlib (authdaemond, its modules, the client library)",
                  "courier: courier-authlib/", "0.66.0 (old wording), 0.73.1")
AUTHTEST = Program("authtest", "courier: courier-authlib/authtest.c", "0.73.1")
COURIER_IMAP = Program("Courier IMAP/POP3 (imapd, pop3d, imaplogin, courierpop3login)",
                       "courier-libs: imap/", "courier-libs HEAD")
COURIERTCPD = Program("couriertcpd", "courier-libs: tcpd/tcpd.c", "courier-libs HEAD")
COURIERTLS = Program("couriertls", "courier-libs: tcpd/", "courier-libs HEAD (OpenSSL and GnuTLS)")
MAILDROP_PROGRAM = Program("maildrop", "courier-libs: maildrop/", "2.9.3, 4.0.1")
LIBPQ = Program("libpq and the PostgreSQL server (text authpgsql logs after its own line)",
                "postgres: src/interfaces/libpq/, src/backend/",
                "libpq and server 13 and 15 (the 13.1 and 15.15 source trees; Debian 12's "
                "15.18 as installed)")
POSTFIX = Program("Postfix (pipe, the pgsql map client, table lookups)", "postfix: src/",
                  "3.12")
INIT_SCRIPTS = Program("init scripts and units (invoke-rc.d, courier-authlib.sysvinit)",
                       "init-system-helpers: script/invoke-rc.d; courier: courier-authlib/",
                       "Debian 12, courier-authlib 0.73.1")
SYSTEMD = Program("systemd (its own lines about the authlib unit)", "systemd: src/core/",
                  "252 (Debian 12)")
